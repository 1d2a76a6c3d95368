import Foundation

/// Where the sign-in page may send someone afterwards: only a path on this site.
///
/// A `next` parameter is written by whoever made the link, so it must never take a person
/// to another site (an open redirect makes a phishing link start at our address).
/// Browsers are lenient about what they treat as "another site": `//evil.example`,
/// `/\evil.example`, and `/<TAB>/evil.example` (tabs and newlines are stripped from URLs
/// before parsing) all leave. So the rule is a narrow allow-list rather than a list of
/// known tricks: printable ASCII only, a single leading `/`, no backslash, nothing that
/// percent-decodes to a control character, whitespace, a backslash or a second leading
/// slash; then the path and query are rebuilt from a parse (the fragment is dropped).
public enum SafeRedirect {
    /// The default when `next` is missing or refused.
    public static let fallback = "/account"

    /// `next` if it is a safe site-relative path (rebuilt), otherwise `fallback`.
    public static func path(_ next: String?, fallback: String = SafeRedirect.fallback) -> String {
        guard let next, !next.isEmpty, next.utf8.count <= 2000 else { return fallback }
        // Printable ASCII only: no control characters, no spaces, no Unicode look-alikes
        // or line separators. Browsers send non-ASCII paths percent-encoded anyway.
        guard next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else { return fallback }
        guard next.hasPrefix("/"), !next.contains("\\") else { return fallback }
        // Decode the path until stable (a few rounds), refusing anything that hides a
        // control character, whitespace, a backslash or a second slash at the start. (The
        // query cannot move the browser off the site, so `?q=a%20b` is fine.)
        var decoded = String(next.prefix { $0 != "?" && $0 != "#" })
        for _ in 0..<4 {
            if Self.hasForbiddenStart(decoded) { return fallback }
            guard let once = decoded.removingPercentEncoding else { return fallback }
            if once.unicodeScalars.contains(where: {
                $0.value <= 0x20 || $0.value == 0x7F || $0 == "\\" || $0.properties.isWhitespace
                    || $0.properties.generalCategory == .control || $0.properties.generalCategory == .format
            }) {
                return fallback
            }
            if once == decoded { break }
            decoded = once
        }
        if Self.hasForbiddenStart(decoded) { return fallback }
        // Parse and rebuild: a path on this site has no scheme, host, user or port.
        guard let components = URLComponents(string: next),
            components.scheme == nil, components.host == nil, components.user == nil,
            components.password == nil, components.port == nil
        else { return fallback }
        let path = components.percentEncodedPath
        guard path.hasPrefix("/"), !path.hasPrefix("//") else { return fallback }
        if let query = components.percentEncodedQuery, !query.isEmpty { return path + "?" + query }
        return path
    }

    private static func hasForbiddenStart(_ s: String) -> Bool {
        !s.hasPrefix("/") || s.hasPrefix("//") || s.hasPrefix("/\\")
    }
}
