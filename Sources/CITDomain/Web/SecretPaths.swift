/// Addresses that carry a secret: a one-time link's token (an invitation, a password
/// reset, a registration's manage and cancel pages, a certificate's print link, and any
/// sign-in or confirmation link like them). Whoever reads a log line with such an address
/// could use the link, so logs keep the shape of the address and drop the secret.
///
/// Two rules, so a new kind of link is covered before anyone remembers to list it:
/// - the segment after a known prefix is always hidden, whatever it looks like;
/// - any path segment that looks like a generated token (32 or more characters of the
///   base64url alphabet, not a UUID) is hidden wherever it appears.
public enum SecretPaths {
    /// Path prefixes whose next segment is a secret.
    public static let prefixes = [
        "/setup/", "/invitation/", "/password/reset/", "/registrations/", "/certificates/print/",
    ]
    public static let placeholder = "[redacted]"
    /// Random tokens are 43 characters (`TokenShape.length`) and API secrets longer; ids and
    /// words in addresses are shorter than this.
    public static let tokenLikeLength = 32

    /// The text (an address, or a whole log message holding addresses) with every secret
    /// segment replaced by `[redacted]`. Text without a secret comes back unchanged.
    public static func redact(_ text: String) -> String {
        let bytes = Array(text.utf8)
        // Fast path: no slash, no address.
        guard bytes.contains(UInt8(ascii: "/")) else { return text }
        let prefixBytes = prefixes.map { Array($0.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var changed = false
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            guard byte == UInt8(ascii: "/") else { out.append(byte); i += 1; continue }
            // A known prefix, at the start of an address (not inside a longer path such as
            // /classes/{id}/registrations/new).
            if !isPathByte(before: i, in: bytes),
                let prefix = prefixBytes.first(where: { bytes[i...].starts(with: $0) })
            {
                out.append(contentsOf: prefix)
                var j = i + prefix.count
                let start = j
                while j < bytes.count, !endsSegment(bytes[j]) { j += 1 }
                if j > start { out.append(contentsOf: placeholder.utf8); changed = true }
                i = j
                continue
            }
            // A segment that looks like a generated token.
            out.append(byte)
            var j = i + 1
            while j < bytes.count, TokenShape.isBase64URL(bytes[j]) { j += 1 }
            let segment = bytes[(i + 1)..<j]
            if segment.count >= tokenLikeLength, !isUUID(segment), j == bytes.count || endsSegment(bytes[j]) {
                out.append(contentsOf: placeholder.utf8)
                changed = true
            } else {
                out.append(contentsOf: segment)
            }
            i = j
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }

    /// Whether the text holds a secret that `redact` would hide.
    public static func holdsSecret(_ text: String) -> Bool { redact(text) != text }

    /// Where a segment ends: the next slash, the query or fragment, or the end of the
    /// address inside a message (space, quote, bracket, comma...).
    static func endsSegment(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: " "), UInt8(ascii: "\t"),
            UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ","),
            UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ">"), UInt8(ascii: "<"), UInt8(ascii: ";"):
            true
        default: false
        }
    }

    /// Whether the byte before `index` continues a path (so a prefix there is in the middle
    /// of a longer address).
    static func isPathByte(before index: Int, in bytes: [UInt8]) -> Bool {
        guard index > 0 else { return false }
        let byte = bytes[index - 1]
        return TokenShape.isBase64URL(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "%")
    }

    /// 8-4-4-4-12 hex digits: a record id, not a secret.
    static func isUUID(_ segment: ArraySlice<UInt8>) -> Bool {
        guard segment.count == 36 else { return false }
        for (offset, byte) in segment.enumerated() {
            if [8, 13, 18, 23].contains(offset) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                let isHex =
                    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
                guard isHex else { return false }
            }
        }
        return true
    }
}
