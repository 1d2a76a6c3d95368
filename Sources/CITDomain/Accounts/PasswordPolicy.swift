import Foundation

/// What CIT Hub asks of a new password, in the spirit of NIST SP 800-63B: a minimum
/// length, a check against passwords attackers try first, and no personal details —
/// but no composition rules (a digit, a symbol), which push people to `Password1!`.
///
/// Accounts here reach rosters, training records and encounter data, so a guessable
/// password is a privacy problem for people who never chose it.
public struct PasswordPolicy: Sendable {

    /// Twelve characters: long enough to resist offline guessing of a leaked hash,
    /// short enough for a passphrase of three ordinary words.
    public static let minimumLength = 12

    /// Passwords are hashed with bcrypt, which reads only the first 72 bytes; a cap
    /// keeps people from believing a very long password adds strength, and keeps the
    /// server from hashing megabytes sent by an attacker.
    public static let maximumLength = 128

    /// A personal detail shorter than this (a name like "Al" or "Lee") occurs inside too
    /// many ordinary words to be rejected without confusing the person.
    static let shortestPersonalFragment = 4

    /// Trailing digits are only stripped when what is left is at least this long, so a
    /// password of one letter and many digits is judged like an all-digit one rather
    /// than called "a common password with digits added".
    static let shortestBaseForDigitSuffix = 4

    private let commonPasswords: Set<String>

    /// - Parameter commonPasswords: passwords to refuse; compared lowercased.
    public init(commonPasswords: Set<String>) {
        self.commonPasswords = Set(commonPasswords.map { $0.lowercased() })
    }

    /// The policy with the bundled list of 19,640 common passwords (Django's list,
    /// see `Resources/README.md`). The list is read once per process.
    public static func bundled() -> PasswordPolicy { bundledPolicy }

    private static let bundledPolicy: PasswordPolicy = {
        guard
            let url = Bundle.module.url(
                forResource: "common-passwords", withExtension: "txt", subdirectory: "Resources"
            ), let text = try? String(contentsOf: url, encoding: .utf8)
        else {
            // The file is part of the build; without it every sign-up would silently
            // accept "password1234", so stopping is the safe answer.
            fatalError("CITDomain resource Resources/common-passwords.txt is missing from the bundle.")
        }
        let words = text.split(whereSeparator: \.isNewline).map(String.init)
        return PasswordPolicy(commonPasswords: Set(words))
    }()

    /// Everything wrong with `password`, as sentences to show beside the field; an empty
    /// array means the password is acceptable.
    ///
    /// Length is counted in characters as a person sees them, so an accented letter or
    /// an emoji counts once.
    public func problems(password: String, email: String?, name: String?) -> [String] {
        var problems: [String] = []
        let length = password.count
        if length < Self.minimumLength {
            problems.append("Use at least \(Self.minimumLength) characters.")
        }
        if length > Self.maximumLength {
            problems.append("Use at most \(Self.maximumLength) characters.")
        }
        // Leading and trailing spaces are invisible and often pasted by accident, so they
        // do not turn a common password into an uncommon one (Django does the same).
        let candidate = password.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
        if !candidate.isEmpty {
            if commonPasswords.contains(candidate) {
                problems.append("This password is on a list of commonly used passwords. Choose another.")
            } else if isCommonPasswordVariant(candidate) {
                problems.append(
                    "This password is a commonly used password repeated or with digits added at the end. Choose another."
                )
            }
        }
        if containsPersonalDetails(candidate, email: email, name: name) {
            problems.append("Don't use your email address or name in the password.")
        }
        return problems
    }

    /// Two cheap variations attackers' word lists apply first: a common password
    /// written twice or more (`dragondragon`), and one followed by digits
    /// (`sunshine2024`). Deliberately no more than that: each rule here must be one we
    /// can explain to the person in a sentence.
    func isCommonPasswordVariant(_ candidate: String) -> Bool {
        if let unit = repeatedUnit(of: candidate), commonPasswords.contains(unit) {
            return true
        }
        let base = String(candidate.reversed().drop(while: \.isASCIIDigit).reversed())
        if base.count < candidate.count, base.count >= Self.shortestBaseForDigitSuffix,
            commonPasswords.contains(base)
        {
            return true
        }
        return false
    }

    /// The shortest string that, written two or more times, makes `text`.
    func repeatedUnit(of text: String) -> String? {
        let characters = Array(text)
        let count = characters.count
        guard count >= 2 else { return nil }
        for unitLength in 1...(count / 2) where count % unitLength == 0 {
            let unit = characters[0..<unitLength]
            if stride(from: unitLength, to: count, by: unitLength).allSatisfy({
                characters[$0..<($0 + unitLength)] == unit
            }) {
                return String(unit)
            }
        }
        return nil
    }

    /// Whether the password contains the email address, its part before the `@`, the
    /// full name, or a word of the name or of the email's local part.
    func containsPersonalDetails(_ candidate: String, email: String?, name: String?) -> Bool {
        var fragments: [String] = []
        if let email = email?.lowercased().trimmingCharacters(in: .whitespacesAndNewlines), !email.isEmpty {
            fragments.append(email)
            let local = email.split(separator: "@", maxSplits: 1).first.map(String.init) ?? email
            fragments.append(local)
            fragments += words(in: local)
        }
        if let name = name?.lowercased(), !name.isEmpty {
            let nameWords = words(in: name)
            fragments.append(nameWords.joined())
            fragments += nameWords
        }
        let compact = candidate.filter { $0.isLetter || $0.isNumber }
        return fragments.contains { fragment in
            fragment.count >= Self.shortestPersonalFragment
                && (candidate.contains(fragment) || compact.contains(fragment))
        }
    }

    /// Letters and digits split at anything else: "Mary-Jo O'Neil" gives mary, jo, o, neil.
    private func words(in text: String) -> [String] {
        text.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }
}

private extension Character {
    /// Only 0-9: other scripts' digits are not what people append to a password.
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
