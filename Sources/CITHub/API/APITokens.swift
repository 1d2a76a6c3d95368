import Fluent
import Vapor
import Plot
import CITDomain

/// A per-user API token for staff tools. Only its SHA-256 is stored; the token itself is
/// shown once, when an administrator creates it. It acts with its owner's roles.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"
    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: String
    /// The first characters, to tell tokens apart in the list.
    @Field(key: "prefix") var prefix: String
    @Field(key: "created_by") var createdBy: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    /// After this the token is refused (401, "expired"). Optional in the schema only so that
    /// the migration could add it to existing rows; every token made since has one.
    @OptionalField(key: "expires_at") var expiresAt: Date?
    init() {}

    /// The lifetimes the token form offers, in days; a year unless chosen otherwise.
    static let lifetimes: [(days: Int, title: String)] = [(30, "30 days"), (90, "90 days"), (365, "1 year")]
    static let defaultLifetimeDays = 365

    /// "December 3, 2027", in the site's time zone.
    static func day(_ date: Date, _ app: Application) -> String {
        let zone = TimeZone(identifier: app.settings.timeZone) ?? TimeZone(identifier: "America/Chicago")!
        return date.formatted(Date.FormatStyle(timeZone: zone).locale(Locale(identifier: "en_US")).month(.wide).day().year())
    }

    static func hash(_ token: String) -> String { SHA256.hash(data: Data(token.utf8)).hex }
    static func newSecret() -> String { "cithub_" + [UInt8].random(count: 30).base64URLEncoded }

    /// A new token for `userID`, not yet saved, and its secret (shown once, never stored).
    static func make(userID: UUID, name: String, createdBy: String, lifetimeDays: Int = defaultLifetimeDays, now: Date = Date()) -> (
        token: APIToken, secret: String
    ) {
        let secret = newSecret()
        let token = APIToken()
        token.$user.id = userID
        token.name = String(name.prefix(100))
        token.tokenHash = hash(secret)
        token.prefix = String(secret.prefix(12))
        token.createdBy = createdBy
        token.expiresAt = now.addingTimeInterval(Double(lifetimeDays) * 86_400)
        return (token, secret)
    }
}

/// The administrator's page for API tokens: create one for a person (shown once), revoke.
enum APITokensController {
    static let path = SiteURL.apiTokens.path

    static func register(on protected: ProtectedRoutesBuilder) {
        protected.get(.apiTokens, .manageAccounts, use: list)
        protected.post(.apiTokens, .manageAccounts, use: create)
        protected.post(SiteURL.apiTokenRevoke(.key), .manageAccounts, use: revoke)
    }

    @Sendable static func list(req: Request) async throws -> Response {
        try await page(req, created: nil, values: [:], errors: [:], status: .ok)
    }

    static func page(
        _ req: Request, created: (secret: String, expiresAt: Date)?, values: [String: String], errors: [String: String],
        status: HTTPResponseStatus
    ) async throws -> Response {
        let tokens = try await APIToken.query(on: req.db).with(\.$user).sort(\.$createdAt, .descending).all()
        let now = Date()
        let notice =
            req.query[String.self, at: "notice"] == "revoked" ? "The token was revoked. Requests with it are refused from now on." : nil
        let page = Page(
            title: "API tokens", chrome: req.chrome(notice: notice),
            main: [
                .h1(.text("API tokens")),
                .p(
                    .text(
                        "A token lets a staff tool (a records system, a spreadsheet script) use the JSON API as one person, with that person's roles: a liaison's token files encounter reports for their agency, a coordinator's reads their classes' rosters. The public API needs no token. "
                    ),
                    .a(.href(SiteURL.apiOpenAPI.path), .text("The API's OpenAPI document")), .text(".")),
                .unwrap(created) { created in
                    .div(
                        .class("notice"), .attribute(named: "role", value: "status"),
                        .p(.strong(.text("Copy this token now; it is not shown again: "))),
                        .p(.code(.id("new-token"), .text(created.secret))),
                        .p(
                            .text(
                                "This token works until \(APIToken.day(created.expiresAt, req.application)). After that, requests with it are refused and you make a new one."
                            )),
                        .p(.text("Send it as the header: Authorization: Bearer <token>")))
                },
                .h2(.text("Create a token")),
                FormHTML.errorSummary(
                    errors, order: ["email", "name", "expires_in"],
                    labels: ["email": "Person's email", "name": "What it is for", "expires_in": "Works for"]),
                FormHTML.form(
                    action: path, csrf: req.csrfToken,
                    [
                        FormHTML.field(
                            .init(
                                name: "email", label: "Person's email", type: "email", value: values["email"] ?? "", error: errors["email"],
                                hint: "The token acts as this person, with their roles.")),
                        FormHTML.field(
                            .init(
                                name: "name", label: "What it is for", value: values["name"] ?? "", error: errors["name"],
                                hint: "E.g. “Records system nightly import”.")),
                        FormHTML.select(
                            name: "expires_in", label: "Works for", options: APIToken.lifetimes.map { (String($0.days), $0.title) },
                            selected: values["expires_in"] ?? String(APIToken.defaultLifetimeDays), error: errors["expires_in"],
                            hint: "After this the token is refused; make a new one then. A year unless you choose less."),
                        FormHTML.submit("Create token"),
                    ]),
                .h2(.text("Tokens")),
                .if(tokens.isEmpty, .p(.text("No tokens yet."))),
                .if(
                    !tokens.isEmpty,
                    .div(
                        .class("table-scroll"), .attribute(named: "tabindex", value: "0"),
                        .table(
                            .tr(
                                .th(.text("Person")), .th(.text("For")), .th(.text("Starts with")), .th(.text("Last used")),
                                .th(.text("Works until")), .th(.text("Status"))),
                            .forEach(tokens) { token in
                                .tr(
                                    .td(.text(token.user.email)), .td(.text(token.name)), .td(.code(.text(token.prefix + "…"))),
                                    .td(.text(token.lastUsedAt.map { $0.formatted(.iso8601) } ?? "never")),
                                    .td(
                                        .text(
                                            token.expiresAt.map { APIToken.day($0, req.application) + ($0 <= now ? " (expired)" : "") }
                                                ?? "—")),
                                    .td(
                                        token.revokedAt == nil
                                            ? FormHTML.form(
                                                action: SiteURL.apiTokenRevoke(.value(token.id!)).path, csrf: req.csrfToken,
                                                [FormHTML.submit("Revoke", secondary: true)])
                                            : .text("Revoked")))
                            }))),
            ])
        return htmlResponse(page, status: status)
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let form = FormValues(req)
        var values = [
            "email": User.normalize(email: form["email"]), "name": form.trimmed("name"), "expires_in": form.trimmed("expires_in"),
        ]
        if values["expires_in"]!.isEmpty { values["expires_in"] = String(APIToken.defaultLifetimeDays) }
        var errors: [String: String] = [:]
        let owner = try await User.query(on: req.db).filter(\.$email == values["email"]!).first()
        if owner == nil || owner?.isDisabled == true {
            errors["email"] = "No active account uses that email."
        } else if owner?.hasAcceptedInvitation == false {
            errors["email"] = "That person has not accepted their invitation yet; a token would be refused until they do."
        }
        if values["name"]!.isEmpty {
            errors["name"] = "Say what the token is for."
        } else if let problem = TrainingFormat.plainText(values["name"]!, limit: 100) {
            errors["name"] = problem
        }
        let lifetime = Int(values["expires_in"]!).flatMap { days in APIToken.lifetimes.first { $0.days == days }?.days }
        if lifetime == nil {
            errors["expires_in"] = "Choose how long the token works: 30 days, 90 days or 1 year."; values["expires_in"] = nil
        }
        guard errors.isEmpty, let owner, let lifetime else {
            return try await page(req, created: nil, values: values, errors: errors, status: .unprocessableEntity)
        }
        let (token, secret) = APIToken.make(
            userID: owner.id!, name: values["name"]!, createdBy: try req.auth.require(User.self).email, lifetimeDays: lifetime)
        try await req.db.transaction { tx in
            try await token.create(on: tx)
            try await req.audit.record(
                "api_token.created", entityType: "user", entityID: owner.id?.uuidString,
                details: "\(token.name) (\(token.prefix)…), works until \(token.expiresAt!.formatted(.iso8601))", on: tx)
        }
        return try await page(req, created: (secret, token.expiresAt!), values: [:], errors: [:], status: .created)
    }

    @Sendable static func revoke(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let token = try await APIToken.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such token.")
        }
        if token.revokedAt == nil {
            try await req.db.transaction { tx in
                token.revokedAt = Date()
                try await token.update(on: tx)
                try await req.audit.record(
                    "api_token.revoked", entityType: "user", entityID: token.$user.id.uuidString,
                    details: "\(token.name) (\(token.prefix)…)", on: tx)
            }
        }
        return req.redirect(to: path + "?notice=revoked", redirectType: .normal)
    }
}

/// `cithub api-token EMAIL NAME`: creates an API token for an existing account and
/// prints it once (for an administrator setting up a tool from the shell, and for CI).
struct APITokenCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "email") var email: String
        @Argument(name: "name") var name: String
    }
    var help: String { "Creates an API token for an account and prints it (once)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        guard let user = try await User.query(on: app.db).filter(\.$email == User.normalize(email: signature.email)).first(),
            !user.isDisabled, user.hasAcceptedInvitation
        else {
            context.console.error("api-token: no active account (invitation accepted, not disabled) uses \(signature.email)")
            throw Abort(.notFound)
        }
        let (token, secret) = APIToken.make(userID: user.id!, name: signature.name, createdBy: "cithub api-token")
        try await token.create(on: app.db)
        context.console.print(secret)
    }
}
