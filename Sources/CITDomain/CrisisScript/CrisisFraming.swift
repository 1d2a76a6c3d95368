import Foundation

/// How a typed answer is framed so that the sentence around it reads right aloud and in a
/// text to 911, whatever was typed ("hunting rifle", "Yes, a gun", "He is screaming.",
/// "NO", "idk").
///
/// The rules, in the order they apply (crisis.js implements the same list, function by
/// function, and receives these word lists from here, so the lists exist once; the e2e
/// test compares the browser's script with the server's for a sample of answers):
///
/// 1. **Clean** (`CrisisText.clean`): control characters and runs of white space become one
///    space; trailing `. , ; : ! ?` go (the frame adds its own full stop); a run of
///    punctuation inside (`!!`, `?!`) keeps its first mark, `...` stays.
/// 2. **Leading clutter**: list marks and dashes at the start (`- `, `• `, `, `) go.
/// 3. **Leading yes**: "yes", "yeah", "yep", "yup" and the separator after it go ("yes, a
///    gun" → "a gun"). An answer that was only "yes" is *affirmative only*.
/// 4. **Capitals**: an answer in capitals (at least three ASCII capitals, no ASCII small
///    letter) is lowered; a lone "i" ("i think", "i'm") becomes "I". Names typed all in
///    small letters or all in capitals get a capital at the start of each word.
/// 5. **No / don't know**: an answer that as a whole means "no" (`negatives`) or "I don't
///    know" (`unknowns`) is not put in a frame: each field says what that means ("As far as
///    I know, my loved one does not have access to weapons.") or leaves its line out.
/// 6. **Frames that take any phrase**: the answer goes after a colon at the end of its
///    sentence ("Here is what is happening: …", "My loved one has access to weapons: …",
///    "Their current medications: …"), so a word, a list, a phrase or a whole sentence all
///    read right, and no word of the frame follows the answer ("rifle weapons").
/// 7. **A leading verb needs its subject**: "is screaming", "has not slept", "won't open
///    the door" after "what is happening:" get the loved one's name (or "my son") in front.
/// 8. **Names in their slots**: "My name is Ana" typed as the name, "at 12 Main St" as the
///    place, "my son" or "he is my son" as the relationship are reduced to what the seed's
///    sentence needs ("My name is ___", "calling from ___", "my ___ Sam"); a relationship
///    that is not a simple noun ("I'm his mom") is kept in brackets after the name.
public enum CrisisFraming {
    // MARK: word lists (sent to crisis.js as JSON; lower case, ASCII apostrophes)

    static let affirmatives = ["yes", "yeah", "yep", "yup"]
    /// Whole answers that mean "no" / "none".
    static let negatives = [
        "no", "nope", "nah", "none", "nothing", "n/a", "na", "no one", "nobody", "not applicable",
        "none that i know of", "not that i know of", "none known", "no weapons", "no guns",
        "no diagnosis", "no provider", "no medications", "no meds", "no medication", "none currently",
        "not anymore", "no not anymore", "no none", "no nothing",
    ]
    /// Whole answers that mean "I don't know".
    static let unknowns = [
        "i don't know", "i dont know", "don't know", "dont know", "idk", "not sure", "i'm not sure",
        "im not sure", "unknown", "unsure", "no idea", "i have no idea", "not known", "dunno",
    ]
    /// First words that need a subject in front of them (rule 7).
    static let leadingVerbs = [
        "is", "isn't", "was", "wasn't", "has", "hasn't", "had", "keeps", "kept", "won't", "will",
        "can't", "cannot", "couldn't", "doesn't", "does", "did", "didn't", "thinks", "believes",
        "says", "said", "refuses", "refused", "wants", "took", "threatened", "threatens",
        "started", "stopped", "locked", "ran", "left", "hit", "broke", "grabbed", "hears", "sees",
        "talks", "tried", "attempted", "got", "went", "barricaded", "punched", "attacked",
        "yelled", "screamed", "believes", "thought", "needs", "hasnt", "wont", "cant", "isnt",
        "doesnt", "didnt", "threw", "smashed", "pulled", "called", "texted", "keeps", "won't",
    ]
    /// Words that make a relationship answer a clause rather than a noun (rule 8).
    static let clauseWords = [
        "i", "i'm", "im", "am", "is", "are", "was", "he", "she", "they", "he's", "she's",
        "they're", "his", "her", "their", "him", "them", "who", "we", "me",
    ]
    /// A weapons answer starting with these says there are none (now): it is not put after
    /// "has access to weapons:".
    static let weaponsDenials = [
        "no", "not", "none", "never", "nothing", "nope", "don't", "dont", "doesn't", "doesnt",
        "we removed", "removed", "we took", "police took", "they took", "used to", "he used to",
        "she used to", "they used to", "we got rid", "got rid",
    ]
    /// Leading words dropped from the caller's and the loved one's names.
    static let nameLeads = [
        "my name is", "his name is", "her name is", "their name is", "name is", "this is",
        "i am", "i'm", "im", "name",
    ]
    /// Leading words dropped from the place ("calling from ___"), in two passes.
    static let locationLeads = ["i am", "i'm", "im", "we are", "we're", "were", "currently"]
    static let locationPrepositions = ["at", "in", "from"]
    /// Leading words dropped from the relationship ("my ___ Sam").
    static let relationLeads = ["my", "our", "a", "an", "the"]
    /// What is happening or what they took that means medical help is needed (see
    /// `CrisisScript.medical`). Phrases of whole words, matched in `key` form.
    static let medicalPhrases = [
        "overdose", "overdosed", "overdosing", "od", "od'd", "oded", "took pills",
        "took a bunch of pills", "took a lot of pills", "took too many", "took all his",
        "took all her", "took all their", "took all of his", "took all of her", "took his whole",
        "took her whole", "swallowed", "not breathing", "isn't breathing", "isnt breathing",
        "can't breathe", "cant breathe", "stopped breathing", "trouble breathing",
        "unconscious", "unresponsive", "passed out", "won't wake up", "wont wake up",
        "not waking up", "can't wake", "cant wake", "bleeding", "blood", "cut himself",
        "cut herself", "cut themselves", "cut his wrists", "cut her wrists", "slit", "injured",
        "injury", "hurt himself", "hurt herself", "hurt themselves", "hurt badly", "seizure",
        "seizures", "seizing", "choking", "hit his head", "hit her head", "hanging", "hanged",
        "stabbed", "shot himself", "shot herself", "poison", "poisoned", "bleach",
        "drank antifreeze", "collapsed", "turning blue", "lips are blue", "foaming",
    ]

    /// The lists as crisis.js receives them.
    public static let rules: [String: [String]] = [
        "affirmatives": affirmatives, "negatives": negatives, "unknowns": unknowns, "leadingVerbs": leadingVerbs,
        "clauseWords": clauseWords, "nameLeads": nameLeads, "locationLeads": locationLeads,
        "locationPrepositions": locationPrepositions, "weaponsDenials": weaponsDenials, "relationLeads": relationLeads,
        "medicalPhrases": medicalPhrases,
    ]

    // MARK: what an answer means

    /// What an answer amounts to once cleaned (rules 1–5).
    public enum Answer: Equatable, Sendable {
        /// Nothing typed.
        case empty
        /// Only "yes".
        case yes
        /// "no", "none" and the like.
        case no
        /// "I don't know" and the like.
        case unknown
        /// Anything else, ready to follow a colon.
        case text(String)
    }

    /// Rules 1–4: the answer cleaned, without a leading "yes", capitals mended; and whether
    /// a "yes" was dropped.
    static func prepared(_ raw: String?) -> (text: String, hadYes: Bool) {
        let s = stripLeadingClutter(CrisisText.clean(raw))
        if s.isEmpty { return ("", false) }
        let (rest, hadYes) = stripLead(s, affirmatives)
        return (capitals(rest), hadYes)
    }

    /// Rules 1–5 for a free-text answer.
    public static func answer(_ raw: String?) -> Answer {
        let (s, hadYes) = prepared(raw)
        if s.isEmpty { return hadYes ? .yes : .empty }
        let folded = fold(s)
        if negatives.contains(folded) { return .no }
        if unknowns.contains(folded) { return .unknown }
        return .text(s)
    }

    /// The text of an answer, or "" when it is not plain text.
    public static func text(_ raw: String?) -> String {
        if case let .text(s) = answer(raw) { return s }
        return ""
    }

    // MARK: the slots of the seed's sentence

    /// "My name is ___": the caller's name without "My name is" typed again.
    public static func callerName(_ raw: String?) -> String {
        name(raw)
    }

    /// The loved one's name, without a leading "my son" when that repeats the relationship.
    public static func lovedName(_ raw: String?, relation rawRelation: String?) -> String {
        var s = stripLeadingClutter(CrisisText.clean(raw))
        let relation = fold(CrisisText.clean(rawRelation))
        for lead in ["my " + relation, relation] where !relation.isEmpty {
            let (rest, hit) = stripLead(s, [lead])
            if hit && !rest.isEmpty { s = rest; break }
        }
        return name(s)
    }

    static func name(_ raw: String?) -> String {
        var s = stripLeadingClutter(CrisisText.clean(raw))
        let (rest, hit) = stripLead(s, nameLeads)
        if hit && !rest.isEmpty { s = rest }
        return titleCaseIfCaseless(s)
    }

    /// "I am calling from ___": the place without "I'm at" or "at" typed before it.
    public static func location(_ raw: String?) -> String {
        var s = stripLeadingClutter(CrisisText.clean(raw))
        for list in [locationLeads, locationPrepositions] {
            let (rest, hit) = stripLead(s, list)
            if hit && !rest.isEmpty { s = rest }
        }
        return s
    }

    /// "my ___ Sam": "son", "my son", "Son", "he is my son" → "son"; anything that is not a
    /// simple noun is returned as `clause` to go in brackets.
    public static func relation(_ raw: String?, lovedName: String) -> (noun: String, clause: String) {
        var s = stripLeadingClutter(CrisisText.clean(raw))
        if s.isEmpty { return ("", "") }
        s = lowerIfShouting(s)
        let words = fold(s).split(separator: " ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ",;:()")) }
        if words.contains(where: { clauseWords.contains($0) }) {
            // "he is my son", "she's my daughter": the words after the last " my ".
            let scalars = Array(s.unicodeScalars), folded = Array(fold(s).unicodeScalars)
            let my = Array(" my ".unicodeScalars)
            var i = folded.count - my.count
            while i >= 0 && Array(folded[i..<(i + my.count)]) != my { i -= 1 }
            if i >= 0 {
                let after = String(String.UnicodeScalarView(scalars[(i + my.count)...]))
                let afterWords = fold(after).split(separator: " ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ",;:()")) }
                if !after.isEmpty && !afterWords.contains(where: { clauseWords.contains($0) }) {
                    return (relationNoun(after, lovedName: lovedName), "")
                }
            }
            return ("", capitals(s))
        }
        return (relationNoun(s, lovedName: lovedName), "")
    }

    static func relationNoun(_ text: String, lovedName: String) -> String {
        var s = text
        let (rest, hit) = stripLead(s, relationLeads)
        if hit && !rest.isEmpty { s = rest }
        // "Son", "Mom": a common noun inside the sentence starts small.
        let scalars = Array(s.unicodeScalars)
        if scalars.count >= 2, isUpper(scalars[0]), isLower(scalars[1]) {
            s = String(Character(Unicode.Scalar(scalars[0].value + 32)!)) + String(String.UnicodeScalarView(scalars.dropFirst()))
        }
        // "son Sam" with the name Sam: the name is said once.
        if !lovedName.isEmpty {
            let suffix = " " + fold(lovedName)
            let folded = fold(s)
            if folded.hasSuffix(suffix) && folded.count > suffix.count {
                s = String(s.unicodeScalars.prefix(s.unicodeScalars.count - lovedName.unicodeScalars.count - 1).map(Character.init))
            }
        }
        return s
    }

    /// Who the loved one is, as said after "about": "my son Sam", "my son", "Sam (I'm his
    /// mom)", "my loved one".
    public static func who(relation rawRelation: String?, lovedName rawName: String?) -> String {
        let name = lovedName(rawName, relation: rawRelation)
        let (noun, clause) = relation(rawRelation, lovedName: name)
        if !clause.isEmpty {
            return (name.isEmpty ? "my loved one" : name) + " (\(clause))"
        }
        let r = noun.isEmpty ? "loved one" : noun
        return name.isEmpty ? "my \(r)" : "my \(r) \(name)"
    }

    /// What is happening, ready to follow "Here is what is happening:"; an answer that
    /// starts with a verb gets its subject (rule 7). `nil` when nothing usable was typed.
    public static func happening(_ raw: String?, subject: String) -> String? {
        let s = prepared(raw).text
        if s.isEmpty { return nil }
        let first = fold(String(s.prefix { $0 != " " })).trimmingCharacters(in: CharacterSet(charactersIn: ",;:"))
        return leadingVerbs.contains(first) ? subject + " " + lowerFirst(s) : s
    }

    /// Medical help: does what was typed name an emergency of the body? Whole words and
    /// phrases from `medicalPhrases`, in `key` form.
    public static func mentionsMedicalEmergency(_ texts: [String?]) -> Bool {
        for raw in texts {
            let k = " " + key(raw ?? "") + " "
            if k.count < 3 { continue }
            for phrase in medicalPhrases where k.contains(" " + phrase + " ") { return true }
        }
        return false
    }

    // MARK: the small steps (mirrored in crisis.js)

    /// ASCII letters lowered, curly apostrophes straight; nothing else changes.
    static func fold(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            if scalar.value == 0x2019 {
                out.append("'")
            } else if isUpper(scalar) {
                out.append(Unicode.Scalar(scalar.value + 32)!)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// `fold`, then every run of characters other than a-z, 0-9 and the apostrophe as one
    /// space: what phrase lists are matched against.
    static func key(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var space = false
        for scalar in fold(s).unicodeScalars {
            let v = scalar.value
            if (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) || v == 0x27 {
                if space && !out.isEmpty { out.append(" ") }
                space = false
                out.append(scalar)
            } else {
                space = true
            }
        }
        return String(out)
    }

    static func asciiLower(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { isUpper($0) ? Unicode.Scalar($0.value + 32)! : $0 }))
    }

    static func isUpper(_ c: Unicode.Scalar) -> Bool { c.value >= 0x41 && c.value <= 0x5A }
    static func isLower(_ c: Unicode.Scalar) -> Bool { c.value >= 0x61 && c.value <= 0x7A }
    static func isAlnum(_ c: Unicode.Scalar) -> Bool {
        isUpper(c) || isLower(c) || (c.value >= 0x30 && c.value <= 0x39)
    }

    /// Separators that may follow a dropped leading word.
    static let separators: Set<UInt32> = [0x20, 0x2C, 0x2E, 0x3B, 0x3A, 0x21, 0x2D, 0x2013, 0x2014]  // space , . ; : ! - – —
    /// List marks at the very start.
    static let clutter: Set<UInt32> = [0x20, 0x2C, 0x2E, 0x3B, 0x3A, 0x2D, 0x2013, 0x2014, 0x2A, 0x2022]  // + * •

    static func stripLeadingClutter(_ s: String) -> String {
        var scalars = Substring(s).unicodeScalars[...]
        while let first = scalars.first, clutter.contains(first.value) { scalars = scalars.dropFirst() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// Drops the first phrase of `leads` that starts `s` as whole words (ASCII case and
    /// curly apostrophes ignored), with the separators after it.
    static func stripLead(_ s: String, _ leads: [String]) -> (String, Bool) {
        let scalars = Array(s.unicodeScalars)
        let folded = Array(fold(s).unicodeScalars)
        for lead in leads {
            let l = Array(lead.unicodeScalars)
            guard !l.isEmpty, l.count <= folded.count, Array(folded[0..<l.count]) == l else { continue }
            if l.count < scalars.count && isAlnum(scalars[l.count]) { continue }
            var i = l.count
            while i < scalars.count && separators.contains(scalars[i].value) { i += 1 }
            return (String(String.UnicodeScalarView(scalars[i...])), true)
        }
        return (s, false)
    }

    /// Rule 4 for free text: capitals lowered when the whole answer is in capitals; a lone
    /// "i" made "I".
    static func capitals(_ s: String) -> String {
        let scalars = Array(lowerIfShouting(s).unicodeScalars)
        var out = String.UnicodeScalarView()
        for (i, c) in scalars.enumerated() {
            let before = i == 0 || !isAlnum(scalars[i - 1])
            let after = i + 1 == scalars.count || !isAlnum(scalars[i + 1])
            out.append(c == "i" && before && after ? "I" : c)
        }
        return String(out)
    }

    static func lowerIfShouting(_ s: String) -> String {
        let upper = s.unicodeScalars.filter(isUpper).count
        let lower = s.unicodeScalars.contains(where: isLower)
        return upper >= 3 && !lower ? asciiLower(s) : s
    }

    /// "ana ruiz" and "ANA RUIZ" → "Ana Ruiz"; a name typed with both cases stays.
    static func titleCaseIfCaseless(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        let hasUpper = scalars.contains(where: isUpper), hasLower = scalars.contains(where: isLower)
        guard hasUpper != hasLower else { return s }
        var out = String.UnicodeScalarView()
        for (i, c) in scalars.enumerated() {
            let start = i == 0 || [" ", "-", "'", "\u{2019}", "("].contains(scalars[i - 1])
            if start && isLower(c) {
                out.append(Unicode.Scalar(c.value - 32)!)
            } else if !start && isUpper(c) {
                out.append(Unicode.Scalar(c.value + 32)!)
            } else {
                out.append(c)
            }
        }
        return String(out)
    }

    /// "my son Sam" → "My son Sam" at the start of a sentence.
    public static func sentenceStart(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        guard let first = scalars.first, isLower(first) else { return s }
        return String(Character(Unicode.Scalar(first.value - 32)!)) + String(String.UnicodeScalarView(scalars.dropFirst()))
    }

    /// "Is screaming" → "is screaming" (the subject goes in front); "I" stays.
    static func lowerFirst(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        guard let first = scalars.first, isUpper(first), scalars.count > 1, isAlnum(scalars[1]) else { return s }
        return String(Character(Unicode.Scalar(first.value + 32)!)) + String(String.UnicodeScalarView(scalars.dropFirst()))
    }
}
