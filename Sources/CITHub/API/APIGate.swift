import Fluent
import Vapor
import NIOConcurrencyHelpers
import CITDomain

/// Problem documents (RFC 9457) for the API, with per-field messages where a request
/// body was refused.
enum APIProblem {
    static func response(
        _ status: HTTPResponseStatus, detail: String, errors: [String: String]? = nil, instance: String, headers: HTTPHeaders = [:]
    ) -> Response {
        var body: [String: Any] = [
            "type": "about:blank", "title": status.reasonPhrase, "status": Int(status.code), "detail": detail, "instance": instance,
        ]
        if let errors { body["errors"] = errors }
        let response = Response(status: status, headers: headers)
        response.body = .init(data: (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data("{}".utf8))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "problem+json")
        return response
    }
}

/// Per-process token buckets: one per API token, one per client address for requests
/// without a token. Several instances each keep their own (see the closing notes).
final class APIRateLimits: Sendable {
    private let byToken: NIOLockedValueBox<RateLimiter>
    private let byAddress: NIOLockedValueBox<RateLimiter>
    private let takes = NIOLockedValueBox(0)

    init(perMinuteToken: Int, perMinuteAddress: Int) {
        byToken = NIOLockedValueBox(RateLimiter(capacity: perMinuteToken, refillPerSecond: Double(perMinuteToken) / 60))
        byAddress = NIOLockedValueBox(RateLimiter(capacity: perMinuteAddress, refillPerSecond: Double(perMinuteAddress) / 60))
    }

    func take(token: String?, address: String, now: Date = Date()) -> RateLimiter.Decision {
        let count = takes.withLockedValue {
            $0 += 1; return $0
        }
        if count % 1000 == 0 {
            byToken.withLockedValue { $0.prune(now: now) }
            byAddress.withLockedValue { $0.prune(now: now) }
        }
        if let token { return byToken.withLockedValue { $0.take(token, now: now) } }
        return byAddress.withLockedValue { $0.take(address, now: now) }
    }
}

extension Application {
    private struct APIRateLimitsKey: StorageKey { typealias Value = APIRateLimits }
    var apiRateLimits: APIRateLimits {
        get {
            if let existing = storage[APIRateLimitsKey.self] { return existing }
            let new = APIRateLimits(perMinuteToken: settings.apiRatePerMinute * 2, perMinuteAddress: settings.apiRatePerMinute)
            storage[APIRateLimitsKey.self] = new
            return new
        }
    }
}

/// Every `/api/v1` request passes here: a bearer token, if sent, must be valid (it signs
/// the request in as its owner); then the request takes from its token's or its
/// address's bucket, or gets 429 with Retry-After.
struct APIGate: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let address = request.clientAddress
        var tokenKey: String?
        if let authorization = request.headers.first(name: .authorization) {
            // Refused tokens still cost the address a request, so guessing is slow.
            guard request.application.apiRateLimits.take(token: nil, address: address).allowed else {
                return tooMany(request, retryAfter: 60)
            }
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer",
                let token = try await APIToken.query(on: request.db).filter(
                    \.$tokenHash == APIToken.hash(String(parts[1]).trimmingCharacters(in: .whitespaces))
                )
                .filter(\.$revokedAt == nil).first(),
                let user = try await User.query(on: request.db).filter(\.$id == token.$user.id).with(\.$roleGrants).first(),
                // The same test as sign-in: a disabled account, or one whose invitation was never accepted, cannot act.
                !user.isDisabled, user.hasAcceptedInvitation
            else {
                return APIProblem.response(
                    .unauthorized, detail: "The API token is not valid, or was revoked.", instance: request.url.path,
                    headers: ["WWW-Authenticate": "Bearer"])
            }
            // A token without an expiry predates the expiry migration's backfill; treat it as expired.
            guard let expiresAt = token.expiresAt, expiresAt > Date() else {
                return APIProblem.response(
                    .unauthorized, detail: "The API token expired. Ask an administrator for a new one.", instance: request.url.path,
                    headers: ["WWW-Authenticate": "Bearer error=\"invalid_token\", error_description=\"The token expired\""])
            }
            request.auth.login(user)
            tokenKey = token.id!.uuidString
            if (token.lastUsedAt ?? .distantPast) < Date().addingTimeInterval(-60) {
                token.lastUsedAt = Date()
                try? await token.update(on: request.db)
            }
        }
        let decision = request.application.apiRateLimits.take(token: tokenKey, address: address)
        guard decision.allowed else { return tooMany(request, retryAfter: decision.retryAfterSeconds) }
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: "RateLimit-Remaining", value: String(decision.remaining))
        return response
    }

    func tooMany(_ request: Request, retryAfter: Int) -> Response {
        APIProblem.response(
            .tooManyRequests, detail: "Too many requests. Wait \(retryAfter) seconds and try again.", instance: request.url.path,
            headers: ["Retry-After": String(max(1, retryAfter))])
    }
}
