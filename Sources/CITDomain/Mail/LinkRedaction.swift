import Foundation

/// Finds the one-time links in a mail body (invitations, password resets, registration
/// links, certificate print links) and replaces them, so that a stored copy of a message
/// no longer works as a key once the message has gone out.
///
/// Every secret CIT Hub puts in a link is 32 random bytes in base64url: 43 characters of
/// `A-Z a-z 0-9 - _` in one path segment. Record ids are UUIDs (36 characters with
/// hyphens in fixed places) and never match, so links to a class or a program stay.
public enum LinkRedaction {
    /// What replaces a link in the stored body after the message was delivered.
    public static let removedAfterDelivery = "[link removed after delivery]"
    /// What an administrator sees in place of a link that still works.
    public static let hidden = "[one-time link hidden]"

    /// The shortest path segment treated as a secret.
    public static let minimumSecretLength = 32

    /// True when `text` holds a link with a secret in its path.
    public static func containsSecretLink(_ text: String) -> Bool {
        !secretLinkRanges(in: text).isEmpty
    }

    /// `text` with every link that holds a secret replaced by `replacement`.
    public static func redact(_ text: String, with replacement: String = removedAfterDelivery) -> String {
        var result = text
        for range in secretLinkRanges(in: text).reversed() {
            result.replaceSubrange(range, with: replacement)
        }
        return result
    }

    /// The ranges of `http(s)://` links (up to the next whitespace or closing bracket)
    /// with a secret segment in their path.
    static func secretLinkRanges(in text: String) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        var searchStart = text.startIndex
        while let scheme = text.range(of: "http", options: [.caseInsensitive], range: searchStart..<text.endIndex) {
            let rest = text[scheme.lowerBound...]
            guard rest.lowercased().hasPrefix("http://") || rest.lowercased().hasPrefix("https://") else {
                searchStart = scheme.upperBound
                continue
            }
            let end = rest.firstIndex(where: { $0.isWhitespace || "<>\"')]".contains($0) }) ?? text.endIndex
            let link = text[scheme.lowerBound..<end]
            if hasSecretSegment(String(link)) { ranges.append(scheme.lowerBound..<end) }
            searchStart = end
        }
        return ranges
    }

    static func hasSecretSegment(_ link: String) -> Bool {
        guard let schemeEnd = link.range(of: "://") else { return false }
        let afterHost = link[schemeEnd.upperBound...].drop { $0 != "/" }
        let path = afterHost.split(whereSeparator: { $0 == "?" || $0 == "#" }).first ?? ""
        return path.split(separator: "/").contains { segment in
            segment.count >= minimumSecretLength
                && segment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
                && UUID(uuidString: String(segment)) == nil
        }
    }
}
