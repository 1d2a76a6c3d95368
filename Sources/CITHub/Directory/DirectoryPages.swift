import Vapor
import Fluent
import Plot
import CITDomain
import SQLKit

/// The public side of the directory: the map, county and program pages, search, exports
/// and the embeddable map. Everything but search is the same for everyone and cached.
enum DirectoryPagesController {
    static func register(on routes: any RoutesBuilder, cache: PageCache) {
        routes.cachedPage(.map, cache: cache) { req in
            Page(title: "Find CIT near you", chrome: req.publicChrome, main: mapPage(try await MapModel.load(req))).render()
        }
        routes.get(SiteURL.embedMap.pathComponents, use: embedMap)
        // A page in the cache exists and is current: answer at once, with no look-up.
        routes.get(SiteURL.county(.key).pathComponents) { req -> EventLoopFuture<Response> in
            if let hit = cache.cached(for: req, key: SiteURL.county(.value(req.parameters.get("fips") ?? "")).path) {
                return req.eventLoop.makeSucceededFuture(hit)
            }
            return req.eventLoop.makeFutureWithTask { try await county(req: req) }
        }
        routes.get(SiteURL.search.pathComponents, use: search)
        routes.get(SiteURL.directoryCSV.pathComponents, use: csv)
        routes.get(SiteURL.directoryGeoJSON.pathComponents, use: geoJSON)
        routes.get(SiteURL.directoryHSDS.pathComponents, use: hsds)
    }

    /// The program page runs with sessions: a signed-in coordinator of the program or an
    /// administrator gets it rendered for them with the staff links; everyone else gets the
    /// cached public page (which the front door serves only to requests without a session
    /// cookie, see `PageCache.Entry.anonymousOnly`).
    static func registerProgramPage(on routes: any RoutesBuilder, cache: PageCache) {
        routes.get(SiteURL.program(.key).pathComponents) { req -> EventLoopFuture<Response> in
            if req.auth.get(User.self) == nil, let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
                let hit = cache.cached(for: req, key: SiteURL.program(.value(id.uuidString)).path, ignoringCookies: true)
            {
                return req.eventLoop.makeSucceededFuture(hit)
            }
            return req.eventLoop.makeFutureWithTask { try await program(req: req) }
        }
    }

    // MARK: map

    @Sendable static func embedMap(req: Request) async throws -> Response {
        try await req.application.pageCache.response(
            for: req, key: SiteURL.embedMap.path,
            extraHeaders: [
                // Affiliates put this page in an iframe on their own sites.
                (
                    "Content-Security-Policy",
                    SecurityHeadersMiddleware.contentSecurityPolicy.replacingOccurrences(
                        of: "frame-ancestors 'none'", with: "frame-ancestors *")
                ),
                ("X-Frame-Options", "ALLOWALL"),
            ]
        ) {
            let model = try await MapModel.load(req)
            let base = req.application.settings.publicURL
            let html = HTML(
                .lang(.english),
                .head(
                    .encoding(.utf8), .viewport(.accordingToDevice), .element(named: "title", text: "CIT programs map"),
                    .stylesheet(SiteURL.stylesheet.path)),
                .body(
                    .class("embed"),
                    .element(
                        named: "main",
                        nodes: [
                            .h1(.text("CIT and CIP programs by county")),
                            mapSVG(model, linkBase: base, target: "_top"),
                            legend(),
                            .p(
                                .a(
                                    .href(base + SiteURL.map.path), .attribute(named: "target", value: "_top"),
                                    .text("Open the full directory")), .text(" · "), .text(model.updatedLine)),
                        ]))
            )
            return html.render()
        }
    }

    struct MapModel {
        var state: String
        var coverage: [DirectoryQueries.CountyCoverage]
        var shapes: [CountyShape]
        var viewBox: String
        var lastVerified: Date?
        var reportedCount: Int

        var updatedLine: String {
            if let date = lastVerified {
                return "Map last updated: \(date.formatted(.dateTime.month(.wide).day().year())) (the newest verified record)."
            }
            return
                "No program record has been verified by a coordinator yet; \(reportedCount) program\(reportedCount == 1 ? " is" : "s are") shown as public sources reported them."
        }

        static func load(_ req: Request) async throws -> MapModel {
            let state = req.application.settings.stateCode
            let coverage = try await DirectoryQueries.coverage(on: req.db, stateCode: state)
            let (shapes, viewBox) = try await req.application.stateMapCache.shapes(on: req.db, stateCode: state)
            let programs = Dictionary(coverage.flatMap(\.programs).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }).values
            return MapModel(
                state: state, coverage: coverage, shapes: shapes, viewBox: viewBox,
                lastVerified: DirectoryFreshness.lastUpdated(verifiedAt: programs.map(\.lastVerifiedAt)),
                reportedCount: programs.filter { $0.lastVerifiedAt == nil }.count)
        }
    }

    static func mapSVG(_ model: MapModel, linkBase: String = "", target: String? = nil) -> BodyNode {
        let byFIPS = Dictionary(uniqueKeysWithValues: model.coverage.map { ($0.county.id!, $0) })
        return .element(
            named: "svg",
            nodes: [
                .attribute(named: "class", value: "state-map"),
                .attribute(named: "viewBox", value: model.viewBox),
                .attribute(named: "role", value: "group"),
                .attribute(named: "aria-label", value: "Map of counties coloured by CIT coverage. Each county links to its page."),
                .forEach(model.shapes) { shape in
                    let info = byFIPS[shape.fips]
                    let coverage = info?.coverage ?? .none
                    let label = "\(info?.county.fullName ?? shape.name): \(coverage.title)"
                    return .element(
                        named: "a",
                        nodes: [
                            .attribute(named: "href", value: linkBase + SiteURL.county(.value(shape.fips)).path),
                            .attribute(named: "aria-label", value: label.attributeEscaped),
                            .unwrap(target) { .attribute(named: "target", value: $0) },
                            .element(
                                named: "path",
                                nodes: [
                                    .attribute(named: "d", value: shape.path),
                                    .attribute(named: "class", value: "county cov-\(coverage.rawValue)"),
                                    .attribute(named: "data-fips", value: shape.fips),
                                    .element(named: "title", text: label),
                                ]),
                            // The name where it fits (MapLabels); the link's aria-label already says it.
                            .unwrap(shape.label) { place in
                                .element(
                                    named: "text",
                                    nodes: [
                                        .attribute(named: "x", value: format(place.x)), .attribute(named: "y", value: format(place.y)),
                                        .attribute(named: "font-size", value: format(place.fontSize)),
                                        .attribute(named: "class", value: "county-label on-\(coverage.rawValue)"),
                                        .attribute(named: "aria-hidden", value: "true"),
                                        .text(shape.name),
                                    ])
                            },
                        ])
                },
            ])
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    static func legend() -> BodyNode {
        .ul(
            .class("legend"),
            .forEach(Coverage.allCases) { coverage in
                .li(
                    .span(.class("swatch cov-\(coverage.rawValue)"), .attribute(named: "aria-hidden", value: "true")),
                    .text(" " + coverage.title))
            })
    }

    static func mapPage(_ model: MapModel) -> [BodyNode] {
        let counts = Dictionary(grouping: model.coverage, by: \.coverage).mapValues(\.count)
        return [
            .h1(.text("Find CIT near you")),
            searchForm(query: ""),
            .p(.text(model.updatedLine)),
            .p(
                .text(
                    "\(counts[.cit] ?? 0) of \(model.coverage.count) counties have a known CIT program; \(counts[.cipOnly] ?? 0) have CIP only."
                )),
            // On a phone the map's counties are too small to tap, so the list comes first
            // (the stylesheet shows it below 48rem); on a wider screen the map is named.
            .element(
                named: "nav",
                nodes: [
                    .class("county-list"), .attribute(named: "aria-label", value: "Counties A to Z"),
                    .h2(.text("Counties A to Z")),
                    legend(),
                    .ul(
                        .forEach(model.coverage) { row in
                            .li(
                                .a(
                                    .href(SiteURL.county(.value(row.county.id!)).path),
                                    .span(.class("swatch cov-\(row.coverage.rawValue)"), .attribute(named: "aria-hidden", value: "true")),
                                    .text(" " + row.county.name),
                                    .span(.class("visually-hidden"), .text(": " + row.coverage.title))))
                        }),
                ]),
            .div(.class("map-wrap"), mapSVG(model)),
            legend(),
            .p(
                .class("no-print"), .text("Download: "), .a(.href(SiteURL.directoryCSV.path), .text("CSV")), .text(" · "),
                .a(.href(SiteURL.directoryGeoJSON.path), .text("GeoJSON")), .text(" · "),
                .a(.href(SiteURL.directoryHSDS.path), .text("Open Referral HSDS JSON"))),
            .h2(.text("Every county")),
            TableHTML.scrollRegion(
                label: "Every county and its programs",
                .table(
                    .caption(.text("Counties and the CIT programs known to serve them (the same as the map)")),
                    .tr(
                        .th(.attribute(named: "scope", value: "col"), .text("County")),
                        .th(.attribute(named: "scope", value: "col"), .text("Coverage")),
                        .th(.attribute(named: "scope", value: "col"), .text("Programs"))),
                    .forEach(model.coverage) { row in
                        .tr(
                            .th(
                                .attribute(named: "scope", value: "row"),
                                .a(.href(SiteURL.county(.value(row.county.id!)).path), .text(row.county.fullName))),
                            .td(.text(row.coverage.title)),
                            .td(
                                .text(
                                    row.programs.map { $0.name + ($0.lastVerifiedAt == nil ? " (reported)" : "") }.joined(separator: "; ")))
                        )
                    }
                )),
        ]
    }

    static func searchForm(query: String, error: String? = nil) -> BodyNode {
        .element(
            named: "form",
            nodes: [
                .attribute(named: "method", value: "get"),
                .attribute(named: "action", value: SiteURL.search.path),
                .attribute(named: "role", value: "search"),
                .attribute(named: "class", value: "search-form"),
                .div(
                    .class(error == nil ? "field" : "field has-error"),
                    .label(.for("q"), .text("County, city or ZIP code")),
                    .unwrap(error) { .p(.class("error"), .id("q-error"), .text($0)) },
                    .selfClosedElement(
                        named: "input",
                        attributes: [
                            Attribute<HTML.InputContext>.attribute(named: "type", value: "search"),
                            .attribute(named: "id", value: "q"), .attribute(named: "name", value: "q"),
                            .attribute(named: "value", value: query.attributeEscaped),
                            .attribute(named: "autocomplete", value: "postal-code"),
                            .attribute(named: "aria-describedby", value: error == nil ? nil : "q-error"),
                        ])
                ),
                FormHTML.submit("Search"),
            ])
    }

    // MARK: county and program

    @Sendable static func county(req: Request) async throws -> Response {
        let fips = req.parameters.get("fips") ?? ""
        guard fips.count == 5, fips.allSatisfy(\.isNumber), let county = try await County.find(fips, on: req.db) else {
            throw Abort(
                .notFound,
                reason:
                    "There is no county with the code \(String(fips.prefix(10))). County codes are 5-digit FIPS codes, like 55025 for Dane County."
            )
        }
        return try await req.application.pageCache.response(for: req, key: SiteURL.county(.value(fips)).path, anonymousOnly: false) {
            let programs = try await DirectoryQueries.programs(on: req.db, countyFIPS: fips)
            let coverage = Coverage.classify(programs.map { (Set($0.kinds), $0.status) })
            let neighbours = try await req.application.countyNeighbours.neighbours(on: req.db, stateCode: county.stateCode)
            let names = try await DirectoryQueries.countyNames(on: req.db)
            let classes = DirectoryClasses.near(
                fips, upcoming: try await DirectoryClasses.upcoming(on: req), neighbours: neighbours, countyNames: names)
            let bordering = (neighbours.neighbours[fips] ?? []).compactMap { names[$0] }.sorted()
            let html = Page(
                title: county.fullName, chrome: req.publicChrome,
                main: countyPage(county, programs: programs, coverage: coverage, classes: classes, bordering: bordering)
            ).render()
            // The page lists classes still to start: it is stale once the first one starts.
            return (html, classes.map(\.startsAt).min())
        }
    }

    static func countyPage(
        _ county: County, programs: [DirectoryProgram], coverage: Coverage,
        classes: [DirectoryClasses.Item] = [], bordering: [String] = []
    ) -> [BodyNode] {
        let statement: String =
            switch coverage {
            case .cit: "\(county.fullName) has a CIT program: officers here may have CIT training."
            case .cipOnly: "\(county.fullName) has CIP (non-law-enforcement) training, but no CIT program for officers is known."
            case .none: "No CIT program is known in \(county.fullName) yet."
            }
        let nearText =
            bordering.isEmpty
            ? "Classes held in \(county.fullName) or run by a program that serves it."
            : "Classes held in \(county.fullName) or a county bordering it (\(bordering.joined(separator: ", "))), or run by a program that serves any of them."
        return [
            .p(.a(.href(SiteURL.map.path), .text("← All counties"))),
            .h1(.text(county.fullName)),
            .p(.class("lead"), .text(statement)),
            .div(
                .class("card"),
                .h2(.text("In a mental health crisis")),
                .p(
                    .text(
                        "Call 911, say it is a mental health crisis, and ask: “If possible, I’d like an officer with CIT training to respond.” They may or may not be available, but it is beneficial to ask."
                    )),
                .p(.a(.class("button"), .href(SiteURL.crisis.path), .text("Prepare what to say")))),
            .h2(.text("Programs serving \(county.fullName)")),
            .if(programs.isEmpty, .p(.text("None known. If you know of one, tell the state network."))),
            .ul(
                .class("cards"),
                .forEach(programs) { program in
                    .li(
                        .class("card"),
                        .h3(.a(.href(SiteURL.program(.value(program.id.uuidString)).path), .text(program.name))),
                        .p(.text(program.kinds.map(\.rawValue).joined(separator: ", ") + " · " + program.status.title)),
                        .unwrap(program.partners.isEmpty ? nil : program.partners) { partners in
                            .p(.text("Partners: " + partners.map(\.name).joined(separator: ", ")))
                        },
                        .p(.class("provenance"), .text(program.provenance)))
                }),
            .h2(.id("classes"), .text("Upcoming classes in and near \(county.fullName)")),
            .p(.class("hint"), .text(nearText)),
            .if(
                classes.isEmpty,
                .p(.text("None listed yet. "), .a(.href(SiteURL.classes.path), .text("See every class in the state")), .text("."))),
            .ul(
                .class("class-list"),
                .forEach(classes) { item in
                    .li(
                        .a(.href(SiteURL.classPage(.value(item.id)).path), .text(item.title)),
                        .text(" · \(item.when) · \(item.place)" + (item.nearness == .inCounty ? "" : " (\(item.countyName))")),
                        .unwrap(item.programName.isEmpty ? nil : item.programName) { .span(.class("provenance"), .text(" · run by \($0)")) }
                    )
                }),
            .p(.text("Population (2020 Census): \(county.population2020.formatted()). County code (FIPS): \(county.id ?? "").")),
        ]
    }

    /// Who sees the staff links of a program page: administrators, and the program's own
    /// coordinators. Everyone else sees the public page.
    static func mayManage(_ user: User?, program: UUID) -> Bool {
        guard let user else { return false }
        return user.may(.edit, .program(program)).isAllowed
    }

    @Sendable static func program(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let record = try await Program.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no program at this address.")
        }
        if let survivor = record.mergedInto {
            return req.redirect(to: SiteURL.program(.value(survivor.uuidString)).path, redirectType: .permanent)
        }
        func render(staff: Bool, chrome: PageChrome) async throws -> (html: String, expires: Date?) {
            guard let program = try await DirectoryQueries.programs(on: req.db, ids: [id]).first else { throw Abort(.notFound) }
            let classes = try await ClassQueries.upcoming(on: req.db).filter { $0.$program.id == id }
                .map { (id: $0.id!, title: $0.title, when: ClassFormat.dates($0)) }
            let starts = try await ClassQueries.upcoming(on: req.db).filter { $0.$program.id == id }.map(\.startsAt).min()
            return (Page(title: program.name, chrome: chrome, main: programPage(program, classes: classes, staff: staff)).render(), starts)
        }
        let user = req.auth.get(User.self)
        if user != nil {
            // Signed in: per request, never cached (it carries who is signed in).
            let html = try await render(staff: mayManage(user, program: id), chrome: req.chrome()).html
            let response = Response(status: .ok, body: .init(string: html))
            response.headers.contentType = .html
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            return response
        }
        return try await req.application.pageCache.response(for: req, key: SiteURL.program(.value(id.uuidString)).path, anonymousOnly: true)
        {
            try await render(staff: false, chrome: req.publicChrome)
        }
    }

    static func programPage(_ p: DirectoryProgram, classes: [(id: UUID, title: String, when: String)] = [], staff: Bool = false)
        -> [BodyNode]
    {
        var facts: [(String, String)] = [("Offers", p.kinds.map(\.rawValue).joined(separator: ", ")), ("Status", p.status.title)]
        if let year = p.yearStarted { facts.append(("Started", String(year))) }
        if let date = p.citAccreditedOn { facts.append(("CIT accredited", DirectoryExport.day(date))) }
        if let date = p.cipAccreditedOn { facts.append(("CIP accredited", DirectoryExport.day(date))) }
        if let note = p.accreditationNote, p.citAccreditedOn == nil, p.cipAccreditedOn == nil {
            facts.append(("Accreditation (as reported)", note))
        }
        let sources = (p.sourceURL ?? "").components(separatedBy: " ; ").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            $0.hasPrefix("http")
        }
        return [
            .h1(.text(p.name)),
            .p(.class("provenance"), .text(p.provenance)),
            .if(
                staff,
                .element(
                    named: "nav",
                    nodes: [
                        .class("staff-links no-print"), .attribute(named: "aria-label", value: "Manage this program"),
                        .a(.class("button"), .href(SiteURL.programEdit(.value(p.id.uuidString)).path), .text("Edit")),
                        .a(.class("button secondary"), .href(SiteURL.newClass(.value(p.id.uuidString)).path), .text("Add a class")),
                        .a(.class("button secondary"), .href(SiteURL.scenarios(.value(p.id)).path), .text("Scenarios")),
                        .a(.class("button secondary"), .href(SiteURL.programHistory(.value(p.id.uuidString)).path), .text("History")),
                    ])),
            .element(
                named: "dl",
                nodes: [
                    .attribute(named: "class", value: "facts"),
                    .forEach(facts) { .group(.element(named: "dt", text: $0.0), .element(named: "dd", text: $0.1)) },
                ]),
            .h2(.text("Counties served")),
            .ul(.forEach(p.counties) { .li(.a(.href(SiteURL.county(.value($0.fips)).path), .text($0.name + " County"))) }),
            .h2(.text("Partners")),
            .if(p.partners.isEmpty, .p(.text("No partners recorded yet."))),
            .if(
                !p.partners.isEmpty,
                TableHTML.scrollRegion(
                    label: "Partners of \(p.name)",
                    .table(
                        .tr(
                            .th(.attribute(named: "scope", value: "col"), .text("Organization")),
                            .th(.attribute(named: "scope", value: "col"), .text("Kind")),
                            .th(.attribute(named: "scope", value: "col"), .text("Role"))),
                        .forEach(p.partners) { .tr(.td(.text($0.name)), .td(.text($0.kind.title)), .td(.text($0.role.title))) }
                    ))),
            .unwrap(p.description.isEmpty ? nil : p.description) { .group(.h2(.text("What the record says")), .p(.text($0))) },
            .h2(.text("Contact")),
            .if(p.website == nil && p.email == nil && p.phone == nil, .p(.text("No public contact has been recorded for this program."))),
            .unwrap(p.website) { .p(.text("Website: "), .text($0)) },
            .unwrap(p.email) { .p(.text("Email: "), .a(.href(("mailto:" + $0).attributeEscaped), .text($0))) },
            .unwrap(p.phone) { .p(.text("Phone: "), .a(.href("tel:" + $0.filter { $0.isNumber || $0 == "+" }), .text($0))) },
            .h2(.text("Classes")),
            .if(classes.isEmpty, .p(.text("No upcoming classes of this program are listed in CIT Hub."))),
            .ul(
                .class("class-list"),
                .forEach(classes) { item in
                    .li(
                        .a(.href(SiteURL.classPage(.value(item.id)).path), .text(item.title)), .text(" · " + item.when),
                        .if(
                            staff,
                            .group(
                                .text(" · "),
                                .a(
                                    .class("no-print"), .href(SiteURL.classRoster(.value(item.id)).path), .text("Manage this class"),
                                    .span(.class("visually-hidden"), .text(": " + item.title))))))
                }),
            .h2(.text("Sources")),
            .if(sources.isEmpty, .p(.text("Entered by a coordinator."))),
            .ul(.class("sources"), .forEach(sources) { .li(.text($0)) }),
            .unwrap(p.sourceDate) { .p(.text("Source date: \($0)")) },
        ]
    }

    // MARK: search

    struct CountyHit {
        var fips: String
        var fullName: String
        var note: String?
        var answer: CountyAnswer?
        /// The programs the answer names, with their pages, and the next class.
        var programLinks: [(id: UUID, name: String)] = []
        var nextClass: DirectoryClasses.Item?
    }

    struct SearchResult {
        var counties: [CountyHit] = []
        var programs: [DirectoryProgram] = []
        var message: String?
    }

    @Sendable static func search(req: Request) async throws -> Response {
        let raw = (req.query[String.self, at: "q"] ?? "").replacingOccurrences(of: "\0", with: "")
        let query = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        var status = HTTPResponseStatus.ok
        var error: String?
        var result = SearchResult()
        if query.count > 100 {
            error = "Type at most 100 characters: a county, a city or a 5-digit ZIP code."
            status = .unprocessableEntity
        } else if query.allSatisfy({ $0.isNumber || $0 == "-" || $0 == " " }) && !query.isEmpty && !ZIPCode.isWellFormed(query) {
            // 53703-1234 is a ZIP+4: use its first five digits.
            let digits = query.filter(\.isNumber)
            if digits.count == 9 {
                result = try await find(String(digits.prefix(5)), req: req)
            } else {
                error = "A ZIP code has 5 digits, like 53703."
                status = .unprocessableEntity
            }
        } else if !query.isEmpty {
            result = try await find(query, req: req)
        }
        let now = Date()
        let page = Page(
            title: query.isEmpty ? "Search" : "Search: \(String(query.prefix(40)))", chrome: req.chrome(),
            main: [
                .h1(.text("Find CIT near you")),
                searchForm(query: String(query.prefix(100)), error: error),
                .unwrap(result.message) { .p(.text($0)) },
                .if(
                    !result.counties.isEmpty,
                    .group(
                        .h2(.text(result.counties.count == 1 ? "County" : "Counties")),
                        .ul(
                            .class("search-answers"),
                            .forEach(result.counties) { hit in
                                let line = hit.answer?.line(now: now) ?? hit.fullName
                                return .li(
                                    .p(
                                        .class("answer"), .a(.href(SiteURL.county(.value(hit.fips)).path), .text(hit.fullName)),
                                        .text(String(line.dropFirst(hit.fullName.count)))),
                                    .unwrap(hit.note) { .p(.class("provenance"), .text($0)) },
                                    .if(
                                        !hit.programLinks.isEmpty || hit.nextClass != nil,
                                        .p(
                                            .class("answer-links"),
                                            .group(
                                                answerLinks(hit).enumerated().map { index, link in
                                                    .group(.if(index > 0, .text(" · ")), .a(.href(link.href), .text(link.title)))
                                                }))))
                            })
                    )),
                .if(
                    !result.programs.isEmpty,
                    .group(
                        .h2(.text("Programs")),
                        .ul(.forEach(result.programs) { .li(.a(.href(SiteURL.program(.value($0.id.uuidString)).path), .text($0.name))) })
                    )),
                .if(
                    !query.isEmpty && error == nil && result.counties.isEmpty && result.programs.isEmpty,
                    .p(
                        .text("Nothing matched “\(String(query.prefix(100)))”. Try the county's name, a city or a 5-digit ZIP code, or "),
                        .a(.href(SiteURL.map.path), .text("see every county")), .text("."))),
            ])
        return htmlResponse(page, status: status)
    }

    /// The pages an answer names: its programs, then its next class.
    static func answerLinks(_ hit: CountyHit) -> [(href: String, title: String)] {
        hit.programLinks.map { (SiteURL.program(.value($0.id.uuidString)).path, $0.name) }
            + (hit.nextClass.map { [(SiteURL.classPage(.value($0.id)).path, "Next class: \($0.title)")] } ?? [])
    }

    static func find(_ query: String, req: Request) async throws -> SearchResult {
        var result = SearchResult()
        let state = req.application.settings.stateCode
        let index = try await req.application.searchIndex.snapshot(on: req.db)
        let byFIPS = index.counties.filter { $0.value.state == state }
        switch PlaceQuery(query, stateCode: state) {
        case .empty:
            return result
        case .zip(let zip):
            let entries = (index.zips[zip] ?? []).filter { byFIPS[$0.countyFIPS] != nil }
            if entries.isEmpty {
                result.message = "ZIP code \(zip) is not in our list for this state."
            } else {
                let city = entries.first?.city ?? ""
                result.message =
                    entries.count > 1
                    ? "ZIP code \(zip) (\(city)) reaches into \(entries.count) counties. Choose yours:"
                    : "ZIP code \(zip) is \(city)."
                result.counties = entries.sorted { ($0.landShare ?? 1) > ($1.landShare ?? 1) }.map { entry in
                    CountyHit(
                        fips: entry.countyFIPS, fullName: byFIPS[entry.countyFIPS]!.fullName,
                        note: entries.count > 1 ? entry.landShare.map { "\(Int(($0 * 100).rounded()))% of the ZIP's land" } : nil)
                }
            }
        case .name(let needle):
            var seen = Set<String>()
            for (fips, county) in byFIPS.sorted(by: { $0.value.name < $1.value.name })
            where PlaceQuery.normalise(county.name).hasPrefix(needle) {
                result.counties.append(CountyHit(fips: fips, fullName: county.fullName)); seen.insert(fips)
            }
            if let fipsSet = index.cities[needle] {
                let city = index.cityNames[needle] ?? query
                let zipCounts = index.cityZIPCounts[needle] ?? [:]
                for fips in fipsSet.sorted(by: { (zipCounts[$0] ?? 0, $1) > (zipCounts[$1] ?? 0, $0) }) where !seen.contains(fips) {
                    if let county = byFIPS[fips] {
                        result.counties.append(CountyHit(fips: fips, fullName: county.fullName, note: "Includes \(city)."));
                        seen.insert(fips)
                    }
                }
            }
            let typed = query.lowercased().replacingOccurrences(of: " county", with: "")
            if needle.count >= 3, let sql = req.db as? any SQLDatabase {
                // In the database, not in memory: a state network may list thousands.
                func like(_ text: String) -> String {
                    "%"
                        + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(
                            of: "_", with: "\\_") + "%"
                }
                let ids = try await sql.raw(
                    """
                    SELECT id FROM programs WHERE merged_into IS NULL AND (LOWER(name) LIKE \(bind: like(typed)) ESCAPE '\\' OR LOWER(name) LIKE \(bind: like(needle)) ESCAPE '\\') ORDER BY name LIMIT 50
                    """
                ).all().map { try $0.decode(column: "id", as: UUID.self) }
                result.programs = ids.isEmpty ? [] : try await DirectoryQueries.programs(on: req.db, ids: ids)
            }
        }
        result.counties = try await answers(for: result.counties, state: state, req: req)
        return result
    }

    /// The one-line answer for each county found (at most ten: a search for "c" finds a
    /// dozen counties, and each answer is a few look-ups in memory).
    static func answers(for hits: [CountyHit], state: String, req: Request) async throws -> [CountyHit] {
        guard !hits.isEmpty else { return hits }
        let coverage = try await DirectoryQueries.coverage(on: req.db, stateCode: state)
        let byFIPS = Dictionary(uniqueKeysWithValues: coverage.map { ($0.county.id!, $0) })
        let neighbours = try await req.application.countyNeighbours.neighbours(on: req.db, stateCode: state)
        let upcoming = try await DirectoryClasses.upcoming(on: req)
        let names = Dictionary(uniqueKeysWithValues: coverage.map { ($0.county.id!, $0.county.name) })
        // Every live CIT program, for "nearest" when a county has none.
        var citPrograms: [UUID: DirectoryProgram] = [:]
        for row in coverage { for p in row.programs where p.status != .inactive && p.kinds.contains(.cit) { citPrograms[p.id] = p } }
        let candidates = citPrograms.values.map {
            NearestPrograms.Candidate(name: $0.name, counties: $0.counties.map { ($0.fips, $0.name) })
        }
        return hits.enumerated().map { index, hit in
            guard index < 10, let row = byFIPS[hit.fips] else { return hit }
            var hit = hit
            let live = row.programs.filter { $0.status != .inactive }.sorted {
                ($0.kinds.contains(.cit) ? 0 : 1, $0.name) < ($1.kinds.contains(.cit) ? 0 : 1, $1.name)
            }
            let next = DirectoryClasses.near(hit.fips, upcoming: upcoming, neighbours: neighbours, countyNames: names).first
            let nearest = row.coverage == .cit ? [] : NearestPrograms.rank(to: hit.fips, candidates: candidates, neighbours: neighbours)
            hit.answer = CountyAnswer(
                county: hit.fullName, coverage: row.coverage, programs: live.map(\.name),
                nextClass: next.map { .init(startsAt: $0.startsAt, timeZone: $0.timeZone, place: $0.place) }, nearest: nearest)
            let named =
                row.coverage == .cit
                ? live.prefix(2).map { ($0.id, $0.name) }
                : nearest.compactMap { n in citPrograms.values.first { $0.name == n.program }.map { ($0.id, $0.name) } }
            hit.programLinks = Array(named)
            hit.nextClass = next
            return hit
        }
    }

    // MARK: exports

    @Sendable static func csv(req: Request) async throws -> Response {
        try await req.application.pageCache.response(
            for: req, key: SiteURL.directoryCSV.path,
            contentType: HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"]),
            extraHeaders: [("Content-Disposition", "attachment; filename=\"cit-directory.csv\"")]
        ) {
            DirectoryExport.csv(try await DirectoryQueries.programs(on: req.db))
        }
    }

    @Sendable static func geoJSON(req: Request) async throws -> Response {
        try await req.application.pageCache.response(
            for: req, key: SiteURL.directoryGeoJSON.path, contentType: HTTPMediaType(type: "application", subType: "geo+json")
        ) {
            let counties = try await County.query(on: req.db).filter(\.$stateCode == req.application.settings.stateCode).sort(\.$id).all()
            let data = try DirectoryExport.geoJSON(
                counties: counties.map { ($0.id!, $0.name, $0.boundaryGeoJSON) }, programs: try await DirectoryQueries.programs(on: req.db))
            return String(decoding: data, as: UTF8.self)
        }
    }

    @Sendable static func hsds(req: Request) async throws -> Response {
        try await req.application.pageCache.response(for: req, key: SiteURL.directoryHSDS.path, contentType: .json) {
            let counties = try await County.query(on: req.db).filter(\.$stateCode == req.application.settings.stateCode).all()
            let boundaries = Dictionary(uniqueKeysWithValues: counties.compactMap { c in c.boundaryGeoJSON.map { (c.id!, $0) } })
            return String(
                decoding: try DirectoryExport.hsds(try await DirectoryQueries.programs(on: req.db), boundaries: boundaries), as: UTF8.self)
        }
    }
}
