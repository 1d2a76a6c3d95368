import Foundation

/// Certificate verification codes: printed on a certificate, typed back by hand by an
/// employer or a standards board to confirm the certificate is real.
///
/// Format `XXXX-XXXX-XXXX-XXXX` in Crockford base32 (digits and letters without I, L,
/// O, U, so nothing reads as something else): 15 random characters (75 bits, far too
/// many to guess) and one check character.
///
/// The check character is a weighted sum over GF(32), the field with 32 elements, with
/// a different non-zero weight for every position. In a field a non-zero change times a
/// non-zero weight is never zero, so **every** single wrong character and **every** swap
/// of two different characters is caught before any database lookup, and the person
/// typing is told to look again rather than that the certificate is fake. (Crockford's
/// own mod-37 check needs five extra symbols that do not fit a 32-letter code.)
public enum VerificationCode {

    /// Crockford's base32 alphabet, value = position.
    static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// Random characters before the check character.
    static let randomCount = 15
    static let groupLength = 4
    /// 16 characters and three hyphens.
    static let codeLength = 19
    static let hyphen = UInt8(ascii: "-")

    /// Weight of each of the 15 random positions: α^(i+1), α = x (the value 2).
    static let weights: [UInt8] = {
        var weights: [UInt8] = []
        var weight: UInt8 = 1
        for _ in 0..<randomCount {
            weight = gfMultiply(weight, 2)
            weights.append(weight)
        }
        return weights
    }()

    /// weight(position) · value for every position and value, row by row.
    static let weightedValues: [UInt8] = weights.flatMap { weight in
        (0..<32).map { gfMultiply(weight, UInt8($0)) }
    }

    /// A new code from the system's secure random number generator.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// A new code from `generator`; tests pass a seeded one to get a known code.
    ///
    /// 75 bits come from two 64-bit draws, five bits per character: every character is
    /// uniform because 32 is a power of two, with no modulo bias to shrink the space.
    public static func generate<R: RandomNumberGenerator>(using generator: inout R) -> String {
        let first = generator.next()
        let second = generator.next()
        // Written straight into the string's storage from tables looked up once, so
        // that issuing a batch of certificates (or the million-code test, in a debug
        // build) does not allocate or multiply per character.
        let alphabet = Self.alphabet
        let products = Self.weightedValues
        let hyphen = Self.hyphen
        return String(unsafeUninitializedCapacity: codeLength) { buffer in
            var check: UInt8 = 0
            var written = 0
            var bits = first
            for position in 0..<randomCount {
                if position == 12 { bits = second }
                let value = Int(bits & 0x1F)
                bits >>= 5
                check ^= products[position &* 32 &+ value]
                if position == 4 || position == 8 || position == 12 {  // groups of four
                    buffer[written] = hyphen
                    written += 1
                }
                buffer[written] = alphabet[value]
                written += 1
            }
            buffer[written] = alphabet[Int(check)]
            return written + 1
        }
    }

    /// Accepts lower case, spaces, missing/extra hyphens, O→0, I/L→1; returns the
    /// canonical form or nil if malformed or the check character is wrong.
    ///
    /// Dashes a word processor substitutes for a hyphen (– —) are accepted too, since
    /// codes get pasted from letters. U is refused: it is not in the alphabet, and
    /// guessing V could turn a typo into someone else's valid code.
    public static func normalize(_ input: String) -> String? {
        var values: [UInt8] = []
        for scalar in input.unicodeScalars {
            if separators.contains(scalar) || scalar.properties.isWhitespace { continue }
            guard scalar.isASCII, let value = value(of: UInt8(scalar.value)) else { return nil }
            values.append(value)
            if values.count > randomCount + 1 { return nil }
        }
        guard values.count == randomCount + 1,
            checkValue(Array(values.prefix(randomCount))) == values[randomCount]
        else { return nil }
        return format(values)
    }

    /// Whether `input` normalizes to a code whose check character is right.
    public static func isWellFormed(_ input: String) -> Bool {
        normalize(input) != nil
    }

    // MARK: Internals

    private static let separators: Set<Unicode.Scalar> = ["-", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2212}"]

    /// The value of one typed ASCII character, with Crockford's readings of look-alikes.
    static func value(of byte: UInt8) -> UInt8? {
        var upper = byte
        if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(upper) { upper -= 32 }
        switch upper {
        case UInt8(ascii: "O"): upper = UInt8(ascii: "0")
        case UInt8(ascii: "I"), UInt8(ascii: "L"): upper = UInt8(ascii: "1")
        default: break
        }
        guard let index = alphabet.firstIndex(of: upper) else { return nil }
        return UInt8(index)
    }

    /// "XXXX-XXXX-XXXX-XXXX" from 16 values.
    static func format(_ values: [UInt8]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count + values.count / groupLength)
        for (position, value) in values.enumerated() {
            if position > 0, position % groupLength == 0 { bytes.append(hyphen) }
            bytes.append(alphabet[Int(value)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The check value making Σ weight(i)·value(i) = 0 over all 16 positions in GF(32),
    /// the check position weighing 1. Position i < 15 weighs α^(i+1), α = x; α has
    /// order 31, so all 16 weights differ and none is 0.
    static func checkValue(_ values: [UInt8]) -> UInt8 {
        var sum: UInt8 = 0
        for (position, value) in values.prefix(randomCount).enumerated() {
            sum ^= gfMultiply(weights[position], value)
        }
        // In GF(2^5) subtraction is addition, so the check value is the sum itself.
        return sum
    }

    /// Multiplication in GF(32) = GF(2)[x] / (x^5 + x^2 + 1), a primitive polynomial.
    static func gfMultiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var a = a & 0x1F
        var b = b & 0x1F
        var product: UInt8 = 0
        while b != 0 {
            if b & 1 != 0 { product ^= a }
            b >>= 1
            a <<= 1
            if a & 0x20 != 0 { a ^= 0b100101 }
        }
        return product
    }
}
