import Foundation
import Vapor

/// Every path of the site, defined once: routes are registered from these
/// (`SiteURL.x(.key).pathComponents`) and links are built from them
/// (`SiteURL.x(.value(id)).path`), so a renamed page cannot leave a dead link behind.
/// The shape follows SwiftPackageIndex-Server's `SiteURL`.
enum SiteURL: Sendable, Hashable {
    /// A path parameter: `.key` where a route is registered (it becomes `:name`),
    /// `.value(x)` where a link is built.
    enum Parameter<Value: PathSegment>: Sendable, Hashable {
        case key
        case value(Value)

        func segment(_ name: String) -> String {
            switch self {
            case .key: ":" + name
            case let .value(value): value.pathSegment
            }
        }
    }

    // MARK: Public pages

    case home
    case about
    /// Load balancers and the fault scripts poll it.
    case healthz
    case stylesheet
    case favicon

    // MARK: Directory

    case map
    case embedMap
    case search
    case directoryCSV
    case directoryGeoJSON
    case directoryHSDS
    case county(Parameter<String>)
    case newProgram
    case program(Parameter<String>)
    case programEdit(Parameter<String>)
    case programVerify(Parameter<String>)
    case programMerge(Parameter<String>)
    case programPartners(Parameter<String>)
    case programPartnerRemove(Parameter<String>, Parameter<String>)
    case programPartnerApprove(Parameter<String>, Parameter<String>)
    case programHistory(Parameter<String>)

    // MARK: Crisis helper (issue 3)

    case crisis
    /// The form for browsers without JavaScript.
    case crisisPlan
    case crisisScript
    /// Every page loads it: it installs the offline worker (see `CrisisHelperAssets.offlineScript`).
    case crisisOfflineScript
    case crisisStylesheet
    /// At the site's root so its scope may be `/crisis` (a worker's scope cannot be above
    /// its own folder).
    case crisisServiceWorker

    // MARK: Signing in and account links

    case login
    case logout
    case account
    /// A one-time sign-in link by mail, for an owner locked out by wrong passwords (issue 13).
    case signInLink
    case signInLinkToken(Parameter<String>)
    case setup(Parameter<String>)
    case invitation(Parameter<String>)
    case forgotPassword
    case resetPassword(Parameter<String>)

    // MARK: Administration (issue 12)

    case adminUsers
    case adminInvite
    case adminUser(Parameter<String>)
    case adminUserRoles(Parameter<String>)
    case adminUserRoleRemove(Parameter<String>, Parameter<String>)
    case adminUserStatus(Parameter<String>)
    case adminAgencies
    case adminOutbox
    case adminOutboxMessage(Parameter<String>)
    case adminAudit
    case apiTokens
    case apiTokenRevoke(Parameter<UUID>)

    // MARK: Classes and registrations

    case classes
    case classesFeed
    /// The script that adds and removes agenda rows on the class form.
    case agendaRowsScript
    case classPage(Parameter<UUID>)
    case classRegister(Parameter<UUID>)
    case classRoster(Parameter<UUID>)
    case classEdit(Parameter<UUID>)
    case classAddPerson(Parameter<UUID>)
    /// A coordinator cancels someone's place.
    case classRegistrationCancel(Parameter<UUID>, Parameter<UUID>)
    case newClass(Parameter<String>)
    case registration(Parameter<String>)
    case registrationCancel(Parameter<String>)
    /// The link in the first mail of a public registration: it confirms the email address.
    case registrationConfirm(Parameter<String>)
    case courses
    case newCourse

    // MARK: Training delivery

    case attendance(Parameter<UUID>)
    case attendanceMark(Parameter<UUID>)
    case attendanceSync(Parameter<UUID>)
    case classTrainers(Parameter<UUID>)
    case completion(Parameter<UUID>)
    case completionExcuse(Parameter<UUID>)
    /// Issues the class's certificates (POST).
    case classCertificates(Parameter<UUID>)
    case evaluations(Parameter<UUID>)
    case evaluationSheet(Parameter<UUID>, Parameter<UUID>, Parameter<UUID>)
    case scenarios(Parameter<UUID>)
    case teaching
    case myTraining
    case trainingRecords
    case trainingRecordsCSV
    case verifyForm
    case verify(Parameter<String>)
    case certificate(Parameter<String>)
    /// The print link of the certificate mail; the token is the key, no account needed.
    case certificatePrint(Parameter<String>)
    case certificateRevoke(Parameter<String>)
    case trainingStylesheet
    case certificateStylesheet
    case attendanceScript
    case attendanceStylesheet

    // MARK: Outcomes and liaison reports (issue 12)

    case encounters
    case encounterNew
    case encounterImport
    case encounterCorrect(Parameter<String>)
    case agency(Parameter<String>)
    case outcomes
    case coverage
    case stateReport
    case outcomesStylesheet

    // MARK: JSON API (stateless: bearer tokens, no sessions)

    case apiOpenAPI
    case apiCounties
    case apiCounty(Parameter<String>)
    case apiPrograms
    case apiProgram(Parameter<String>)
    case apiClasses
    case apiClassRoster(Parameter<String>)
    case apiEncounters

    // MARK: Bench reference (`cithub bench-reference`, its own app)

    /// A static page by file name, the baseline the benchmarks compare against.
    case benchReferencePage(Parameter<String>)

    /// The path, with `:name` in place of each parameter given as `.key`.
    var path: String {
        switch self {
        case .home: "/"
        case .about: "/about"
        case .healthz: "/healthz"
        case .stylesheet: "/assets/site.css"
        case .favicon: "/assets/favicon.svg"
        case .map: "/map"
        case .embedMap: "/embed/map"
        case .search: "/search"
        case .directoryCSV: "/directory.csv"
        case .directoryGeoJSON: "/directory.geojson"
        case .directoryHSDS: "/directory/hsds.json"
        case let .county(fips): "/counties/\(fips.segment("fips"))"
        case .newProgram: "/programs/new"
        case let .program(id): "/programs/\(id.segment("id"))"
        case let .programEdit(id): "/programs/\(id.segment("id"))/edit"
        case let .programVerify(id): "/programs/\(id.segment("id"))/verify"
        case let .programMerge(id): "/programs/\(id.segment("id"))/merge"
        case let .programPartners(id): "/programs/\(id.segment("id"))/partners"
        case let .programPartnerRemove(id, partner): "/programs/\(id.segment("id"))/partners/\(partner.segment("partner"))/remove"
        case let .programPartnerApprove(id, partner): "/programs/\(id.segment("id"))/partners/\(partner.segment("partner"))/approve"
        case let .programHistory(id): "/programs/\(id.segment("id"))/history"
        case .crisis: "/crisis"
        case .crisisPlan: "/crisis/plan"
        case .crisisScript: "/assets/crisis.js"
        case .crisisOfflineScript: "/assets/offline.js"
        case .crisisStylesheet: "/assets/crisis.css"
        case .crisisServiceWorker: "/crisis-sw.js"
        case .login: "/login"
        case .logout: "/logout"
        case .account: "/account"
        case .signInLink: "/login/link"
        case let .signInLinkToken(token): "/login/link/\(token.segment("token"))"
        case let .setup(token): "/setup/\(token.segment("token"))"
        case let .invitation(token): "/invitation/\(token.segment("token"))"
        case .forgotPassword: "/password/forgot"
        case let .resetPassword(token): "/password/reset/\(token.segment("token"))"
        case .adminUsers: "/admin/users"
        case .adminInvite: "/admin/users/invite"
        case let .adminUser(id): "/admin/users/\(id.segment("id"))"
        case let .adminUserRoles(id): "/admin/users/\(id.segment("id"))/roles"
        case let .adminUserRoleRemove(id, grant): "/admin/users/\(id.segment("id"))/roles/\(grant.segment("grant"))/remove"
        case let .adminUserStatus(id): "/admin/users/\(id.segment("id"))/status"
        case .adminAgencies: "/admin/agencies"
        case .adminOutbox: "/admin/outbox"
        case let .adminOutboxMessage(id): "/admin/outbox/\(id.segment("id"))"
        case .adminAudit: "/admin/audit"
        case .apiTokens: "/admin/api-tokens"
        case let .apiTokenRevoke(id): "/admin/api-tokens/\(id.segment("id"))/revoke"
        case .classes: "/classes"
        case .classesFeed: "/classes.ics"
        case .agendaRowsScript: "/assets/agenda-rows.js"
        case let .classPage(id): "/classes/\(id.segment("id"))"
        case let .classRegister(id): "/classes/\(id.segment("id"))/register"
        case let .classRoster(id): "/classes/\(id.segment("id"))/roster"
        case let .classEdit(id): "/classes/\(id.segment("id"))/edit"
        case let .classAddPerson(id): "/classes/\(id.segment("id"))/registrations/new"
        case let .classRegistrationCancel(id, registration):
            "/classes/\(id.segment("id"))/registrations/\(registration.segment("registration"))/cancel"
        case let .newClass(id): "/programs/\(id.segment("id"))/classes/new"
        case let .registration(token): "/registrations/\(token.segment("token"))"
        case let .registrationCancel(token): "/registrations/\(token.segment("token"))/cancel"
        case let .registrationConfirm(token): "/registrations/confirm/\(token.segment("token"))"
        case .courses: "/courses"
        case .newCourse: "/courses/new"
        case let .attendance(id): "/classes/\(id.segment("id"))/attendance"
        case let .attendanceMark(id): "/classes/\(id.segment("id"))/attendance/mark"
        case let .attendanceSync(id): "/classes/\(id.segment("id"))/attendance/sync"
        case let .classTrainers(id): "/classes/\(id.segment("id"))/trainers"
        case let .completion(id): "/classes/\(id.segment("id"))/completion"
        case let .completionExcuse(id): "/classes/\(id.segment("id"))/completion/excuse"
        case let .classCertificates(id): "/classes/\(id.segment("id"))/certificates"
        case let .evaluations(id): "/classes/\(id.segment("id"))/evaluations"
        case let .evaluationSheet(id, registration, scenario):
            "/classes/\(id.segment("id"))/evaluations/\(registration.segment("registration"))/\(scenario.segment("scenario"))"
        case let .scenarios(id): "/programs/\(id.segment("id"))/scenarios"
        case .teaching: "/teaching"
        case .myTraining: "/my/training"
        case .trainingRecords: "/training/records"
        case .trainingRecordsCSV: "/training/records.csv"
        case .verifyForm: "/verify"
        case let .verify(code): "/verify/\(code.segment("code"))"
        case let .certificate(code): "/certificates/\(code.segment("code"))"
        case let .certificatePrint(token): "/certificates/print/\(token.segment("token"))"
        case let .certificateRevoke(code): "/certificates/\(code.segment("code"))/revoke"
        case .trainingStylesheet: "/assets/training.css"
        case .certificateStylesheet: "/assets/certificate.css"
        case .attendanceScript: "/assets/attendance.js"
        case .attendanceStylesheet: "/assets/attendance.css"
        case .encounters: "/encounters"
        case .encounterNew: "/encounters/new"
        case .encounterImport: "/encounters/import"
        case let .encounterCorrect(id): "/encounters/\(id.segment("id"))/correct"
        case let .agency(id): "/agencies/\(id.segment("id"))"
        case .outcomes: "/outcomes"
        case .coverage: "/coverage"
        case .stateReport: "/reports/state"
        case .outcomesStylesheet: "/assets/outcomes.css"
        case .apiOpenAPI: "/api/openapi.json"
        case .apiCounties: "/api/v1/counties"
        case let .apiCounty(fips): "/api/v1/counties/\(fips.segment("fips"))"
        case .apiPrograms: "/api/v1/programs"
        case let .apiProgram(id): "/api/v1/programs/\(id.segment("id"))"
        case .apiClasses: "/api/v1/classes"
        case let .apiClassRoster(id): "/api/v1/classes/\(id.segment("id"))/roster"
        case .apiEncounters: "/api/v1/encounters"
        case let .benchReferencePage(name): "/\(name.segment("name"))"
        }
    }

    var pathComponents: [PathComponent] {
        path.split(separator: "/").map { PathComponent(stringLiteral: String($0)) }
    }

    /// The route pattern as OpenAPI writes it: `/api/v1/counties/{fips}` for
    /// `/api/v1/counties/:fips`.
    var openAPIPath: String {
        "/" + path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }

    /// The path without its last component: the prefix a mailed link starts with
    /// (`SiteURL.invitation(.key).parentPath` is "/invitation").
    var parentPath: String {
        String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
    }

    /// Every case as a route pattern, parameters as `.key`. The route test checks that each
    /// registered route matches exactly one of these.
    static let allRoutes: [SiteURL] = [
        .home, .about, .healthz, .stylesheet, .favicon, .map, .embedMap, .search, .directoryCSV,
        .directoryGeoJSON, .directoryHSDS, .county(.key), .newProgram, .program(.key), .programEdit(.key),
        .programVerify(.key), .programMerge(.key), .programPartners(.key), .programPartnerRemove(.key, .key),
        .programPartnerApprove(.key, .key), .programHistory(.key), .crisis, .crisisPlan, .crisisScript,
        .crisisOfflineScript, .crisisStylesheet, .crisisServiceWorker, .login, .logout, .account, .signInLink,
        .signInLinkToken(.key), .setup(.key), .invitation(.key), .forgotPassword, .resetPassword(.key),
        .adminUsers, .adminInvite, .adminUser(.key), .adminUserRoles(.key), .adminUserRoleRemove(.key, .key),
        .adminUserStatus(.key), .adminAgencies, .adminOutbox, .adminOutboxMessage(.key), .adminAudit,
        .apiTokens, .apiTokenRevoke(.key), .classes, .classesFeed, .agendaRowsScript, .classPage(.key),
        .classRegister(.key), .classRoster(.key), .classEdit(.key), .classAddPerson(.key),
        .classRegistrationCancel(.key, .key), .newClass(.key), .registration(.key), .registrationCancel(.key),
        .registrationConfirm(.key), .courses, .newCourse, .attendance(.key), .attendanceMark(.key),
        .attendanceSync(.key), .classTrainers(.key), .completion(.key), .completionExcuse(.key),
        .classCertificates(.key), .evaluations(.key), .evaluationSheet(.key, .key, .key), .scenarios(.key),
        .teaching, .myTraining, .trainingRecords, .trainingRecordsCSV, .verifyForm, .verify(.key),
        .certificate(.key), .certificatePrint(.key), .certificateRevoke(.key), .trainingStylesheet,
        .certificateStylesheet, .attendanceScript, .attendanceStylesheet, .encounters, .encounterNew,
        .encounterImport, .encounterCorrect(.key), .agency(.key), .outcomes, .coverage, .stateReport,
        .outcomesStylesheet, .apiOpenAPI, .apiCounties, .apiCounty(.key), .apiPrograms, .apiProgram(.key),
        .apiClasses, .apiClassRoster(.key), .apiEncounters, .benchReferencePage(.key),
    ]

    // MARK: Paths built on a case

    /// The prefix of every API address: errors there answer in JSON, and CSRF does not apply.
    static var apiPrefix: String { apiOpenAPI.parentPath + "/" }

    /// The attendance sheet, opened at one block of the agenda.
    static func attendancePath(_ classID: UUID, block: Int?) -> String {
        attendance(.value(classID)).path + (block.map { "?block=\($0)" } ?? "")
    }
}

/// What a `SiteURL.Parameter` value looks like in a path.
protocol PathSegment: Sendable, Hashable {
    var pathSegment: String { get }
}

extension String: PathSegment {
    var pathSegment: String { self }
}

extension UUID: PathSegment {
    /// Lower case, as every link of the site has always written ids.
    var pathSegment: String { uuidString.lowercased() }
}
