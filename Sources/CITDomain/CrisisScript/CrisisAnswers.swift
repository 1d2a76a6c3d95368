import Foundation

/// What a family member tells the crisis call helper, in the order the call goes.
///
/// The first group (who is calling, where, who the loved one is and what is happening) is
/// what every call needs; the no-JavaScript form requires it. Every other field is
/// optional: `nil`, empty and whitespace-only text all mean "not answered", and an
/// unanswered field leaves its line out of the script rather than a blank.
///
/// Nothing here is stored by the server: the answers live in one request (the form post)
/// or in the person's own browser.
public struct CrisisAnswers: Sendable, Equatable, Codable {
    /// Substances: the seed asks to tell the dispatcher "if the person is intoxicated or
    /// has overdosed".
    public enum Substance: String, Sendable, Equatable, Codable, CaseIterable {
        case none = ""
        case intoxicated
        case overdose
    }

    // First group: required by the form.
    /// The caller's name: "My name is ___".
    public var callerName: String
    /// Where the caller is (an address): "I am calling from ___".
    public var location: String
    /// Who the loved one is to the caller ("son", "friend").
    public var relationship: String
    /// The loved one's name.
    public var lovedOneName: String
    /// What is happening, finishing "because my son Sam is ___".
    public var happening: String

    // Optional groups, in the seed's order.
    /// Law enforcement has information on file about the person in crisis.
    public var infoOnFile: Bool
    /// What is on file and where ("a crisis plan with the county sheriff").
    public var infoOnFileDetail: String?
    /// Arriving without lights or sirens would help de-escalate.
    public var noLightsOrSirens: Bool
    /// Which weapons the loved one can get to, finishing "has access to ___ weapons".
    public var weapons: String?
    /// Direct threats toward themselves (suicide).
    public var threatsToSelf: Bool
    /// Direct threats toward the caller.
    public var threatsToCaller: Bool
    /// Direct threats toward others.
    public var threatsToOthers: Bool
    /// The seed's example triggers: speaking loudly, standing over the person, getting too close.
    public var triggerSpeakingLoudly: Bool
    public var triggerStandingOver: Bool
    public var triggerGettingTooClose: Bool
    /// Any other trigger, in the caller's words.
    public var triggerOther: String?
    /// The seed's examples of what prevents escalation.
    public var helpSpeakingSoftly: Bool
    public var helpAddressingConcerns: Bool
    public var helpTrustedPerson: Bool
    /// Anything else that helps, in the caller's words.
    public var helpOther: String?
    /// Mental health diagnosis.
    public var diagnosis: String?
    /// Mental health care provider.
    public var provider: String?
    /// Intoxicated, may have overdosed, or neither / not known.
    public var substance: Substance
    /// What they took, if known.
    public var substanceDetail: String?
    /// Current medications.
    public var medications: String?
    /// The person is unable to care for themselves.
    public var unableToCareForSelf: Bool

    public init(
        callerName: String = "", location: String = "", relationship: String = "",
        lovedOneName: String = "", happening: String = "",
        infoOnFile: Bool = false, infoOnFileDetail: String? = nil, noLightsOrSirens: Bool = false,
        weapons: String? = nil,
        threatsToSelf: Bool = false, threatsToCaller: Bool = false, threatsToOthers: Bool = false,
        triggerSpeakingLoudly: Bool = false, triggerStandingOver: Bool = false,
        triggerGettingTooClose: Bool = false, triggerOther: String? = nil,
        helpSpeakingSoftly: Bool = false, helpAddressingConcerns: Bool = false,
        helpTrustedPerson: Bool = false, helpOther: String? = nil,
        diagnosis: String? = nil, provider: String? = nil,
        substance: Substance = .none, substanceDetail: String? = nil,
        medications: String? = nil, unableToCareForSelf: Bool = false
    ) {
        self.callerName = callerName
        self.location = location
        self.relationship = relationship
        self.lovedOneName = lovedOneName
        self.happening = happening
        self.infoOnFile = infoOnFile
        self.infoOnFileDetail = infoOnFileDetail
        self.noLightsOrSirens = noLightsOrSirens
        self.weapons = weapons
        self.threatsToSelf = threatsToSelf
        self.threatsToCaller = threatsToCaller
        self.threatsToOthers = threatsToOthers
        self.triggerSpeakingLoudly = triggerSpeakingLoudly
        self.triggerStandingOver = triggerStandingOver
        self.triggerGettingTooClose = triggerGettingTooClose
        self.triggerOther = triggerOther
        self.helpSpeakingSoftly = helpSpeakingSoftly
        self.helpAddressingConcerns = helpAddressingConcerns
        self.helpTrustedPerson = helpTrustedPerson
        self.helpOther = helpOther
        self.diagnosis = diagnosis
        self.provider = provider
        self.substance = substance
        self.substanceDetail = substanceDetail
        self.medications = medications
        self.unableToCareForSelf = unableToCareForSelf
    }

    /// The first-group fields that are still empty after cleaning, by form field name
    /// (see `CrisisForm`). Empty means the no-JavaScript form asks again.
    public var missingRequired: [String] {
        var missing: [String] = []
        if CrisisText.clean(callerName).isEmpty { missing.append("name") }
        if CrisisText.clean(location).isEmpty { missing.append("location") }
        if CrisisText.clean(relationship).isEmpty { missing.append("relation") }
        if CrisisText.clean(lovedOneName).isEmpty { missing.append("lovedName") }
        if CrisisText.clean(happening).isEmpty { missing.append("happening") }
        return missing
    }
}

/// How typed answers become safe to put in a sentence. The browser's script (crisis.js)
/// does exactly the same; the e2e equivalence test keeps the two in step.
public enum CrisisText {
    /// White space as JavaScript's `\s` knows it, so both sides fold the same characters.
    static let spaces: Set<UInt32> = [
        0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680,
        0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A,
        0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF,
    ]
    static let trailing: Set<UInt32> = [0x2E, 0x2C, 0x3B, 0x3A, 0x21, 0x3F]  // . , ; : ! ?

    /// Control characters (NUL included) and runs of white space become one space; the
    /// ends are trimmed, with any trailing sentence punctuation, so the script adds its
    /// own full stop and never a double one; a run of marks inside keeps its first mark
    /// ("!!" → "!"), except "..." (three or more dots). Everything else (HTML, emoji, right-to-left
    /// text) is kept as typed: the views escape it.
    public static func clean(_ text: String?) -> String {
        guard let text else { return "" }
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x20 || (v >= 0x7F && v <= 0x9F) || spaces.contains(v) {
                pendingSpace = true
                continue
            }
            if pendingSpace && !out.isEmpty { out.append(" ") }
            pendingSpace = false
            out.append(scalar)
        }
        // A run of marks inside ("!!", "?!", ",.") keeps its first; "..." stays "...".
        var collapsed = String.UnicodeScalarView()
        var run: [Unicode.Scalar] = []
        func flush() {
            if run.count >= 3 && run.allSatisfy({ $0 == "." }) {
                collapsed.append(contentsOf: "...".unicodeScalars)
            } else if let first = run.first {
                collapsed.append(first)
            }
            run = []
        }
        for scalar in out {
            if trailing.contains(scalar.value) { run.append(scalar); continue }
            flush()
            collapsed.append(scalar)
        }
        flush()
        while let last = collapsed.last, trailing.contains(last.value) || spaces.contains(last.value) {
            collapsed.removeLast()
        }
        return String(collapsed)
    }

    /// "a", "a and b", "a, b and c".
    public static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
        }
    }

    /// Length as text messages and JavaScript count it (UTF-16 code units).
    public static func length(_ text: String) -> Int { text.utf16.count }
}
