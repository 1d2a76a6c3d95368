/// The shape of the random tokens CIT Hub makes (CSRF tokens, one-time links): 32 random
/// bytes written as unpadded base64url, so exactly 43 characters of `A–Z a–z 0–9 - _`.
///
/// A value of any other shape did not come from CIT Hub. Checking the shape before using
/// a token means a cookie holding `"><script>` is never echoed into a page, and a
/// malformed link never reaches the database.
public enum TokenShape {
    /// Characters of a token: 32 bytes of base64url without padding.
    public static let length = 43

    public static func isToken(_ value: String) -> Bool {
        let bytes = value.utf8
        return bytes.count == length && bytes.allSatisfy(isBase64URL)
    }

    /// `A–Z a–z 0–9 - _`, the alphabet of unpadded base64url.
    @inlinable
    public static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }
}
