import Vapor
import Fluent
import CITDomain

extension User: SessionAuthenticatable {
    typealias SessionID = UUID
    var sessionID: UUID { id! }

    /// The roles of a signed-in user (grants are loaded with the user by the authenticator).
    var roles: [Role] { $roleGrants.value?.map(\.role) ?? [] }

    func can(_ permission: Permission) -> Bool { RoleMatrix.allows(roles, permission) }

    /// The programs (coordinator) or agencies (liaison) a scoped role applies to.
    func scopes(_ role: Role) -> [UUID] {
        ($roleGrants.value ?? []).filter { $0.role == role }.compactMap { $0.scopeID.flatMap(UUID.init(uuidString:)) }
    }

    /// Whether the user holds the scoped role for this program or agency.
    func holds(_ role: Role, for id: UUID) -> Bool {
        ($roleGrants.value ?? []).contains { $0.role == role && $0.scopeID?.lowercased() == id.uuidString.lowercased() }
    }

    /// The user as the record scope rules (`CITDomain.Scope`) read them.
    var accessHolder: AccessHolder {
        AccessHolder(
            userID: id, email: email,
            grants: ($roleGrants.value ?? []).map { Grant(role: $0.role, scope: $0.scopeID.flatMap(UUID.init(uuidString:))) })
    }

    /// Whether the user may do `action` to `record`: the one question every controller
    /// asks once it has loaded whose the record is.
    func may(_ action: ScopedAction, _ record: ScopedRecord) -> ScopeDecision {
        CITDomain.Scope.decide(accessHolder, action, record)
    }
}

/// Restores the signed-in user from the session on each request, with their roles, and
/// drops anyone disabled since they signed in.
struct AccountSessionAuthenticator: AsyncSessionAuthenticator {
    typealias User = CITHub.User

    func authenticate(sessionID: UUID, for request: Request) async throws {
        guard
            let user = try await User.query(on: request.db)
                .filter(\.$id == sessionID)
                .with(\.$roleGrants)
                .first(),
            !user.isDisabled, user.hasAcceptedInvitation
        else { return }
        request.auth.login(user)
    }
}

/// A protected route as the role matrix sees it. Every one is listed in
/// `ProtectedRoutes`, which the role-by-route test walks, so a new page cannot be added
/// without its permission being tested.
struct ProtectedRoute: Sendable, Hashable {
    var method: HTTPMethod
    var path: String
    var permission: Permission

    static func == (a: Self, b: Self) -> Bool { a.method == b.method && a.path == b.path && a.permission == b.permission }
    func hash(into hasher: inout Hasher) { hasher.combine(method.rawValue); hasher.combine(path); hasher.combine(permission) }
}

final class ProtectedRoutes: @unchecked Sendable {
    // Appended to only while routes are registered at start-up, before serving.
    private(set) var all: [ProtectedRoute] = []
    func append(_ route: ProtectedRoute) { all.append(route) }
}

extension Application {
    private struct ProtectedRoutesKey: StorageKey { typealias Value = ProtectedRoutes }
    var protectedRoutes: ProtectedRoutes {
        if let existing = storage[ProtectedRoutesKey.self] { return existing }
        let new = ProtectedRoutes()
        storage[ProtectedRoutesKey.self] = new
        return new
    }
}

/// Lets a request through only with the permission: signed out goes to sign-in (401,
/// turned into a redirect for pages), signed in without it gets 403.
struct RequirePermission: AsyncMiddleware {
    let permission: Permission

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let user = request.auth.get(User.self) else { throw Abort(.unauthorized) }
        guard user.can(permission) else {
            request.logger.notice(
                "access refused",
                metadata: ["user": .string(user.email), "permission": .string(permission.rawValue), "path": .string(request.url.path)])
            throw Abort(.forbidden)
        }
        return try await next.respond(to: request)
    }
}

/// Registers protected routes: the permission is stated next to the path, and recorded.
struct ProtectedRoutesBuilder {
    let routes: any RoutesBuilder
    let registry: ProtectedRoutes

    func get(_ url: SiteURL, _ permission: Permission, use handler: @escaping @Sendable (Request) async throws -> Response) {
        on(.GET, url, permission, use: handler)
    }

    func post(_ url: SiteURL, _ permission: Permission, use handler: @escaping @Sendable (Request) async throws -> Response) {
        on(.POST, url, permission, use: handler)
    }

    func on(
        _ method: HTTPMethod, _ url: SiteURL, _ permission: Permission, body: HTTPBodyStreamStrategy = .collect,
        use handler: @escaping @Sendable (Request) async throws -> Response
    ) {
        // The registry keeps the pattern, `:id` and all, which the role test fills in.
        registry.append(ProtectedRoute(method: method, path: url.path, permission: permission))
        routes.grouped(RequirePermission(permission: permission)).on(method, url.pathComponents, body: body, use: handler)
    }
}
