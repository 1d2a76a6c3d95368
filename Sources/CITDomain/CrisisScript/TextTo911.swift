import Foundation

/// The script as short text messages, for places whose 911 centers accept texts.
///
/// Where and what first (the location and that it is a mental health crisis), then safety
/// (weapons, threats, overdose), then the rest. Each message is at most `limit`
/// characters (UTF-16 code units, as phones count them); when more than one is needed
/// each starts with "1/3 " so the dispatcher can put them in order. The fixed words use a
/// plain apostrophe: a curly one would switch the whole message to an encoding that
/// allows only 70 characters.
public struct TextTo911: Sendable, Equatable {
    public static let limit = 160
    public var messages: [String]

    public init(_ answers: CrisisAnswers) {
        self.init(sentences: Self.sentences(answers))
    }

    /// Packs sentences into messages; exposed for tests of the packing itself.
    public init(sentences: [String]) {
        // Room for the "12/12 " prefix; more if there are a hundred messages or more.
        var room = 6
        var packed = Self.pack(sentences, limit: Self.limit - room)
        while packed.count > 1 && 2 * String(packed.count).count + 2 > room {
            room = 2 * String(packed.count).count + 2
            packed = Self.pack(sentences, limit: Self.limit - room)
        }
        messages = packed.count <= 1 ? packed : packed.enumerated().map { "\($0.offset + 1)/\(packed.count) \($0.element)" }
    }

    /// Where, medical help, who and what, safety, then the rest; the same framing rules as
    /// the spoken script (`CrisisFraming`).
    public static func sentences(_ a: CrisisAnswers) -> [String] {
        let F = CrisisFraming.self
        var out: [String] = []
        let location = F.location(a.location)
        out.append(location.isEmpty ? "Mental health crisis." : "Mental health crisis at \(location).")
        out += CrisisScript.medical(a)
        let name = F.lovedName(a.lovedOneName, relation: a.relationship)
        let who = F.who(relation: a.relationship, lovedName: a.lovedOneName)
        if let happening = F.happening(a.happening, subject: name.isEmpty ? who : name) {
            out.append("\(F.sentenceStart(who)): \(happening).")
        }
        if let weapons = CrisisScript.weaponsSentence(a) { out.append(weapons) }
        let targets = CrisisScript.threatTargets(a)
        if !targets.isEmpty { out.append("My loved one has made direct threats of violence toward \(CrisisText.list(targets)).") }
        // The overdose is already said with the ambulance, second.
        out += CrisisScript.substanceSentences(a).filter { $0 != "They may have overdosed." }
        out.append("If possible, I'd like an officer with CIT training to respond.")
        if a.noLightsOrSirens { out.append("Please arrive without lights or sirens if possible.") }
        let caller = F.callerName(a.callerName)
        if !caller.isEmpty { out.append("My name is \(caller).") }
        return out
    }

    /// Greedy: as many whole sentences per message as fit; a sentence longer than a
    /// message is cut between words, and a word longer than a message between characters
    /// (Unicode scalars, so no half of a surrogate pair).
    static func pack(_ sentences: [String], limit: Int) -> [String] {
        var pieces: [String] = []
        for sentence in sentences {
            if CrisisText.length(sentence) <= limit { pieces.append(sentence); continue }
            var current = ""
            for word in sentence.split(separator: " ").map(String.init) {
                for chunk in hardSplit(word, limit: limit) {
                    let joined = current.isEmpty ? chunk : current + " " + chunk
                    if CrisisText.length(joined) <= limit {
                        current = joined
                    } else {
                        pieces.append(current)
                        current = chunk
                    }
                }
            }
            if !current.isEmpty { pieces.append(current) }
        }
        var messages: [String] = []
        var current = ""
        for piece in pieces {
            let joined = current.isEmpty ? piece : current + " " + piece
            if CrisisText.length(joined) <= limit {
                current = joined
            } else {
                messages.append(current)
                current = piece
            }
        }
        if !current.isEmpty { messages.append(current) }
        return messages
    }

    static func hardSplit(_ word: String, limit: Int) -> [String] {
        guard CrisisText.length(word) > limit else { return [word] }
        var chunks: [String] = []
        var current = String.UnicodeScalarView()
        var length = 0
        for scalar in word.unicodeScalars {
            let size = scalar.utf16.count
            if length + size > limit {
                chunks.append(String(current))
                current = String.UnicodeScalarView()
                length = 0
            }
            current.append(scalar)
            length += size
        }
        if !current.isEmpty { chunks.append(String(current)) }
        return chunks
    }
}
