import Foundation

/// A program or agency an administrator can give a scoped role for, as it is picked: by
/// its name, never by its id.
public struct ScopeCandidate: Sendable, Equatable {
    public var id: UUID
    public var name: String
    /// What tells two records of the same name apart (a county, a kind). Shown only when
    /// the name alone is not unique.
    public var qualifier: String

    public init(id: UUID, name: String, qualifier: String = "") {
        self.id = id
        self.name = name
        self.qualifier = qualifier
    }
}

/// What a typed program or agency name resolved to.
public enum ScopeMatch: Sendable, Equatable {
    /// Exactly one record has this name (or label).
    case found(UUID)
    /// Nothing was typed.
    case empty
    /// No record has this name; the closest names, best first (at most three).
    case notFound(suggestions: [String])
    /// Several records share this name; their labels, which do tell them apart.
    case ambiguous(labels: [String])
}

/// The programs (or agencies) a scoped role can be given for, with the label each is
/// picked by. A name is stored nowhere: the picker sends the label, this turns it into
/// exactly one record's id or says why it cannot, so a typo never becomes a scope that
/// silently grants nothing (issue 12: "NAMI Dane County CIT/CIP" typed as free text was
/// saved and gave no access).
public struct ScopeChoices: Sendable {
    public let candidates: [ScopeCandidate]
    private let labelByID: [UUID: String]

    public init(_ candidates: [ScopeCandidate]) {
        let sorted = candidates.sorted { ($0.name.lowercased(), $0.qualifier) < ($1.name.lowercased(), $1.qualifier) }
        self.candidates = sorted
        var counts: [String: Int] = [:]
        for candidate in sorted { counts[Self.normalize(candidate.name), default: 0] += 1 }
        var labels: [UUID: String] = [:]
        for candidate in sorted {
            let shared = counts[Self.normalize(candidate.name), default: 0] > 1
            labels[candidate.id] = shared && !candidate.qualifier.isEmpty ? "\(candidate.name) (\(candidate.qualifier))" : candidate.name
        }
        labelByID = labels
    }

    /// The label a person picks and reads: the name, with the qualifier when another
    /// record has the same name.
    public func label(of id: UUID) -> String? { labelByID[id] }

    /// Every label, in name order, for the picker's list.
    public var labels: [String] { candidates.compactMap { labelByID[$0.id] } }

    /// Resolves what was typed or picked. Case, repeated spaces, accents and curly
    /// apostrophes do not matter; anything else must match a whole name or label.
    public func resolve(_ typed: String) -> ScopeMatch {
        let key = Self.normalize(typed)
        if key.isEmpty { return .empty }
        let byLabel = candidates.filter { Self.normalize(labelByID[$0.id] ?? $0.name) == key }
        if byLabel.count == 1 { return .found(byLabel[0].id) }
        let byName = candidates.filter { Self.normalize($0.name) == key }
        if byName.count == 1 { return .found(byName[0].id) }
        if byName.count > 1 { return .ambiguous(labels: byName.compactMap { labelByID[$0.id] }) }
        return .notFound(suggestions: suggestions(for: key))
    }

    /// The names sharing the most words with what was typed (a word counts when it starts a
    /// word of the name, or is one letter away from it), so "NAMI Dane Cnty" suggests
    /// "NAMI Dane County CIT/CIP".
    func suggestions(for key: String) -> [String] {
        let typedWords = Self.words(key)
        guard !typedWords.isEmpty else { return [] }
        let scored: [(score: Int, label: String)] = candidates.compactMap { candidate in
            let nameWords = Self.words(Self.normalize(candidate.name + " " + candidate.qualifier))
            let score = typedWords.filter { word in
                nameWords.contains { $0.hasPrefix(word) || (word.count >= 4 && Self.withinOneEdit(word, $0)) }
            }.count
            guard score > 0, let label = labelByID[candidate.id] else { return nil }
            return (score, label)
        }
        // Only the best-scoring names: one close name is clearer than three weak ones.
        let best = scored.map(\.score).max() ?? 0
        return scored.filter { $0.score == best }.sorted { $0.label < $1.label }.prefix(3).map(\.label)
    }

    /// Lowercased, without accents, curly quotes made straight, runs of spaces made one.
    public static func normalize(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US"))
            .replacingOccurrences(of: "\u{2019}", with: "'")
            .replacingOccurrences(of: "\u{2018}", with: "'")
            .split(whereSeparator: \.isWhitespace)
            .joined(separator: " ")
    }

    static func words(_ normalized: String) -> [String] {
        normalized.split { !($0.isLetter || $0.isNumber) }.map(String.init).filter { $0.count >= 2 }
    }

    /// Whether two words differ by at most one insertion, deletion or substitution.
    static func withinOneEdit(_ a: String, _ b: String) -> Bool {
        let x = Array(a), y = Array(b)
        if abs(x.count - y.count) > 1 { return false }
        var i = 0, j = 0, edits = 0
        while i < x.count && j < y.count {
            if x[i] == y[j] { i += 1; j += 1; continue }
            edits += 1
            if edits > 1 { return false }
            if x.count > y.count { i += 1 } else if y.count > x.count { j += 1 } else { i += 1; j += 1 }
        }
        return edits + (x.count - i) + (y.count - j) <= 1
    }
}
