import Vapor
import CITDomain

extension Request {
    /// The address of the person's computer, for throttles and the audit log.
    ///
    /// The connection's peer, unless the peer is one of the reverse proxies named in
    /// CITHUB_TRUSTED_PROXIES; then the right-most `X-Forwarded-For` entry that is not a
    /// trusted proxy (see `TrustedProxies`). Without the setting, `X-Forwarded-For` is
    /// ignored, so a client cannot pick the address its failures are counted under.
    /// "unknown" when there is no peer (in-memory tests).
    var clientAddress: String {
        application.settings.trustedProxies.clientAddress(
            peer: remoteAddress?.ipAddress,
            forwardedFor: headers[.xForwardedFor]
        ) ?? "unknown"
    }
}

/// CITHUB_TRUSTED_PROXIES names something that is neither an address nor a network:
/// start-up stops rather than silently trusting nobody (or the wrong machine).
struct TrustedProxiesSettingError: Error, CustomStringConvertible {
    let entries: [String]

    var description: String {
        "CITHUB_TRUSTED_PROXIES has entries that are not IP addresses or CIDR networks: \(entries.joined(separator: ", ")). Write them like 10.0.0.1, 10.0.0.0/8 or 2001:db8::/32, separated by commas."
    }

    static func check(_ proxies: TrustedProxies) throws {
        if !proxies.invalidEntries.isEmpty { throw TrustedProxiesSettingError(entries: proxies.invalidEntries) }
    }
}
