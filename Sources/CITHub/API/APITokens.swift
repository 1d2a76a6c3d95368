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
    init() {}

    static func hash(_ token: String) -> String { SHA256.hash(data: Data(token.utf8)).hex }
    static func newSecret() -> String { "cithub_" + [UInt8].random(count: 30).base64URLEncoded }

    /// A new token for `userID`, not yet saved, and its secret (shown once, never stored).
    static func make(userID: UUID, name: String, createdBy: String) -> (token: APIToken, secret: String) {
        let secret = newSecret()
        let token = APIToken()
        token.$user.id = userID
        token.name = String(name.prefix(100))
        token.tokenHash = hash(secret)
        token.prefix = String(secret.prefix(12))
        token.createdBy = createdBy
        return (token, secret)
    }
}

enum APIMigrations {
    struct CreateTokens: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(APIToken.schema)
                .id()
                .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
                .field("name", .string, .required)
                .field("token_hash", .string, .required)
                .field("prefix", .string, .required)
                .field("created_by", .string, .required)
                .field("created_at", .datetime)
                .field("last_used_at", .datetime)
                .field("revoked_at", .datetime)
                .unique(on: "token_hash")
                .create()
        }
        func revert(on database: any Database) async throws { try await database.schema(APIToken.schema).delete() }
    }
}

/// The administrator's page for API tokens: create one for a person (shown once), revoke.
enum APITokensController {
    static let path = "/admin/api-tokens"

    static func register(on protected: ProtectedRoutesBuilder) {
        protected.get(path, .manageAccounts, use: list)
        protected.post(path, .manageAccounts, use: create)
        protected.post("/admin/api-tokens/:id/revoke", .manageAccounts, use: revoke)
    }

    @Sendable static func list(req: Request) async throws -> Response {
        try await page(req, created: nil, values: [:], errors: [:], status: .ok)
    }

    static func page(_ req: Request, created: String?, values: [String: String], errors: [String: String], status: HTTPResponseStatus) async throws -> Response {
        let tokens = try await APIToken.query(on: req.db).with(\.$user).sort(\.$createdAt, .descending).all()
        let notice = req.query[String.self, at: "notice"] == "revoked" ? "The token was revoked. Requests with it are refused from now on." : nil
        let page = Page(title: "API tokens", chrome: req.chrome(notice: notice), main: [
            .h1(.text("API tokens")),
            .p(.text("A token lets a staff tool (a records system, a spreadsheet script) use the JSON API as one person, with that person's roles: a liaison's token files encounter reports for their agency, a coordinator's reads their classes' rosters. The public API needs no token. "),
               .a(.href("/api/openapi.json"), .text("The API's OpenAPI document")), .text(".")),
            .unwrap(created) { token in
                .div(.class("notice"), .attribute(named: "role", value: "status"),
                     .p(.strong(.text("Copy this token now; it is not shown again: "))),
                     .p(.code(.id("new-token"), .text(token))),
                     .p(.text("Send it as the header: Authorization: Bearer <token>")))
            },
            .h2(.text("Create a token")),
            FormHTML.errorSummary(errors, order: ["email", "name"], labels: ["email": "Person's email", "name": "What it is for"]),
            FormHTML.form(action: path, csrf: req.csrfToken, [
                FormHTML.field(.init(name: "email", label: "Person's email", type: "email", value: values["email"] ?? "", error: errors["email"], hint: "The token acts as this person, with their roles.")),
                FormHTML.field(.init(name: "name", label: "What it is for", value: values["name"] ?? "", error: errors["name"], hint: "E.g. “Records system nightly import”.")),
                FormHTML.submit("Create token"),
            ]),
            .h2(.text("Tokens")),
            .if(tokens.isEmpty, .p(.text("No tokens yet."))),
            .if(!tokens.isEmpty, .div(.class("table-scroll"), .attribute(named: "tabindex", value: "0"), .table(
                .tr(.th(.text("Person")), .th(.text("For")), .th(.text("Starts with")), .th(.text("Last used")), .th(.text("Status"))),
                .forEach(tokens) { token in
                    .tr(.td(.text(token.user.email)), .td(.text(token.name)), .td(.code(.text(token.prefix + "…"))),
                        .td(.text(token.lastUsedAt.map { $0.formatted(.iso8601) } ?? "never")),
                        .td(token.revokedAt == nil
                            ? FormHTML.form(action: "/admin/api-tokens/\(token.id!.uuidString.lowercased())/revoke", csrf: req.csrfToken, [FormHTML.submit("Revoke", secondary: true)])
                            : .text("Revoked")))
                }))),
        ])
        return htmlResponse(page, status: status)
    }

    @Sendable static func create(req: Request) async throws -> Response {
        let form = FormValues(req)
        let values = ["email": User.normalize(email: form["email"]), "name": form.trimmed("name")]
        var errors: [String: String] = [:]
        let owner = try await User.query(on: req.db).filter(\.$email == values["email"]!).first()
        if owner == nil || owner?.isDisabled == true { errors["email"] = "No active account uses that email." }
        if values["name"]!.isEmpty { errors["name"] = "Say what the token is for." }
        else if let problem = TrainingFormat.plainText(values["name"]!, limit: 100) { errors["name"] = problem }
        guard errors.isEmpty, let owner else { return try await page(req, created: nil, values: values, errors: errors, status: .unprocessableEntity) }
        let (token, secret) = APIToken.make(userID: owner.id!, name: values["name"]!, createdBy: try req.auth.require(User.self).email)
        try await req.db.transaction { tx in
            try await token.create(on: tx)
            try await req.audit.record("api_token.created", entityType: "user", entityID: owner.id?.uuidString, details: "\(token.name) (\(token.prefix)…)", on: tx)
        }
        return try await page(req, created: secret, values: [:], errors: [:], status: .created)
    }

    @Sendable static func revoke(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let token = try await APIToken.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such token.")
        }
        if token.revokedAt == nil {
            try await req.db.transaction { tx in
                token.revokedAt = Date()
                try await token.update(on: tx)
                try await req.audit.record("api_token.revoked", entityType: "user", entityID: token.$user.id.uuidString, details: "\(token.name) (\(token.prefix)…)", on: tx)
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
        guard let user = try await User.query(on: app.db).filter(\.$email == User.normalize(email: signature.email)).first(), !user.isDisabled else {
            context.console.error("api-token: no active account uses \(signature.email)")
            throw Abort(.notFound)
        }
        let (token, secret) = APIToken.make(userID: user.id!, name: signature.name, createdBy: "cithub api-token")
        try await token.create(on: app.db)
        context.console.print(secret)
    }
}
