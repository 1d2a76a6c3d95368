import Foundation

/// One step of the call: what to do (the seed's words) and what to say (quoted).
public struct CrisisStep: Sendable, Equatable, Codable {
    /// Which step of the seed this is; also its HTML class, so views and tests can find it.
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        case call911, crisis, onFile, quiet, citOfficer, weapons, threats
        case triggers, prevention, health, officerArrives, calm, whileWaiting
    }

    public var kind: Kind
    /// What to do, in the seed's words.
    public var instruction: String
    /// What to say, sentence by sentence, blanks filled. Empty for steps that are only
    /// something to do.
    public var say: [String]
    /// Weapons and threats: the officer needs them for everyone's safety, so views show
    /// them marked and never fold them away.
    public var isSafety: Bool { kind == .weapons || kind == .threats }

    public init(kind: Kind, instruction: String, say: [String] = []) {
        self.kind = kind
        self.instruction = instruction
        self.say = say
    }
}

/// The seed page's words ("How can I request a CIT officer if my loved one is experiencing
/// a mental health crisis?"), kept exactly as written there, apostrophes included.
/// The browser script receives these same strings (see `CrisisHelperAssets`), so the
/// sentences exist once.
public enum CrisisPhrases {
    public static let call911 = "Call 911."
    public static let crisisInstruction =
        "State that the situation is a mental health crisis to the dispatcher. State your name and location, and describe in detail what is happening."
    public static let crisisCalling = "I am calling because my loved one is having a mental health crisis."
    public static let crisisGoal = "My goal is for them to get help, not to be arrested or harmed."
    public static let onFileInstruction = "Advise police if there is information on file with law enforcement about the person in crisis."
    public static let quietInstruction =
        "Ask if it is possible to arrive without lights or sirens if this would help de-escalate the situation."
    public static let quietSay = "Is it possible to arrive without lights or sirens? It would help de-escalate the situation."
    public static let citInstruction =
        "Request that a Crisis Intervention Team (CIT) or Mental Health officer respond to the situation. They may or may not be available, but it is beneficial to ask if they can respond."
    public static let citSay = "If possible, I’d like an officer with CIT training to respond."
    public static let weaponsInstruction = "Tell the officer if you know that your loved one has access to weapons, particularly firearms."
    public static let threatsInstruction =
        "Tell the officer if your loved one has made direct threats toward themselves (suicide), you, or others."
    public static let threatsSay = "My loved one has made direct threats of violence."
    public static let triggersInstruction =
        "If there is time, briefly point out triggers that you believe could escalate the situation (speaking loudly, standing over the person experiencing the crisis, getting too close.)"
    public static let triggersSay = "I want to make you aware of triggers that I believe will escalate this situation."
    public static let preventionInstruction =
        "If there is time, briefly point out things that may prevent escalation, such as speaking softly, addressing concerns directly, and having a trusted person nearby."
    public static let preventionSay = "I want to make you aware of a few ideas for preventing escalation."
    public static let healthInstruction =
        "If there is time, let the dispatcher know what the person’s mental health diagnosis is, who their mental healthcare provider is, if the person is intoxicated or has overdosed, any current medications, and if the person is unable to care for themselves."
    public static let officerInstruction =
        "When the officer arrives, state again that your loved one is experiencing a mental health crisis."
    public static let officerSay = "My loved one is experiencing a mental health crisis."
    public static let calmInstruction =
        "Be calm and cooperative with both the 911 dispatcher and law enforcement officers. Answer all questions completely and honestly. Give a written statement if requested."
    public static let whileWaiting =
        "While you are waiting for help to arrive, try to reduce the intensity of the situation as much as possible by speaking calmly, being genuine, asking simple questions, and offering options for ways to make them feel safe."

    /// The seed's examples of triggers and of what prevents escalation, as list items.
    public static let triggerSpeakingLoudly = "speaking loudly"
    public static let triggerStandingOver = "standing over the person"
    public static let triggerGettingTooClose = "getting too close"
    public static let helpSpeakingSoftly = "speaking softly"
    public static let helpAddressingConcerns = "addressing concerns directly"
    public static let helpTrustedPerson = "having a trusted person nearby"

    /// Every phrase by name, for the browser script.
    public static let all: [String: String] = [
        "call911": call911, "crisisInstruction": crisisInstruction, "crisisCalling": crisisCalling,
        "crisisGoal": crisisGoal, "onFileInstruction": onFileInstruction,
        "quietInstruction": quietInstruction, "quietSay": quietSay, "citInstruction": citInstruction,
        "citSay": citSay, "weaponsInstruction": weaponsInstruction,
        "threatsInstruction": threatsInstruction, "threatsSay": threatsSay,
        "triggersInstruction": triggersInstruction, "triggersSay": triggersSay,
        "preventionInstruction": preventionInstruction, "preventionSay": preventionSay,
        "healthInstruction": healthInstruction, "officerInstruction": officerInstruction,
        "officerSay": officerSay, "calmInstruction": calmInstruction, "whileWaiting": whileWaiting,
        "triggerSpeakingLoudly": triggerSpeakingLoudly, "triggerStandingOver": triggerStandingOver,
        "triggerGettingTooClose": triggerGettingTooClose, "helpSpeakingSoftly": helpSpeakingSoftly,
        "helpAddressingConcerns": helpAddressingConcerns, "helpTrustedPerson": helpTrustedPerson,
    ]
}

/// The sentences each part of the form adds to the script, before they are put in the
/// seed's steps. The live preview shows them beside their fields; `CrisisScript` puts them
/// in order. crisis.js builds the same parts with the same rules (`CrisisFraming`).
public struct CrisisParts: Sendable, Equatable {
    /// "My name is ___, and I am calling from ___ about my son Sam."
    public var introduction: String?
    /// "Here is what is happening: ___."
    public var happening: String?
    /// Said in the first step when medical help is needed (see `CrisisScript.medical`).
    public var medical: [String]
    public var onFile: String?
    public var weapons: String?
    public var threats: [String]
    public var triggers: [String]
    public var prevention: [String]
    public var diagnosis: String?
    public var provider: String?
    public var substance: [String]
    public var medications: String?
    public var selfCare: String?

    public init(_ a: CrisisAnswers, apostrophe: String = "’") {
        let F = CrisisFraming.self
        let P = CrisisPhrases.self
        let name = F.lovedName(a.lovedOneName, relation: a.relationship)
        let who = F.who(relation: a.relationship, lovedName: a.lovedOneName)
        introduction = CrisisScript.introduction(a)
        happening = F.happening(a.happening, subject: name.isEmpty ? who : name).map { "Here is what is happening: \($0)." }
        medical = CrisisScript.medical(a)

        let about = name.isEmpty ? "my loved one" : name
        switch F.answer(a.infoOnFileDetail) {
        case .text(let detail): onFile = "There is information on file with law enforcement about \(about): \(detail)."
        case .yes: onFile = "There is information on file with law enforcement about \(about)."
        default: onFile = a.infoOnFile ? "There is information on file with law enforcement about \(about)." : nil
        }

        weapons = CrisisScript.weaponsSentence(a)
        let targets = CrisisScript.threatTargets(a)
        threats = targets.isEmpty ? [] : [P.threatsSay, "The threats were toward \(CrisisText.list(targets))."]

        var worse: [String] = []
        if a.triggerSpeakingLoudly { worse.append(P.triggerSpeakingLoudly) }
        if a.triggerStandingOver { worse.append(P.triggerStandingOver) }
        if a.triggerGettingTooClose { worse.append(P.triggerGettingTooClose) }
        triggers = Self.group(P.triggersSay, "These make it worse", "What makes it worse", worse, F.text(a.triggerOther))

        var helps: [String] = []
        if a.helpSpeakingSoftly { helps.append(P.helpSpeakingSoftly) }
        if a.helpAddressingConcerns { helps.append(P.helpAddressingConcerns) }
        if a.helpTrustedPerson { helps.append(P.helpTrustedPerson) }
        prevention = Self.group(P.preventionSay, "These help", "What helps", helps, F.text(a.helpOther))

        switch F.answer(a.diagnosis) {
        case .text(let d): diagnosis = "My loved one\(apostrophe)s mental health diagnosis: \(d)."
        case .no: diagnosis = "My loved one has no mental health diagnosis that I know of."
        default: diagnosis = nil
        }
        switch F.answer(a.provider) {
        case .text(let p): provider = "Their mental health care provider: \(p)."
        case .no: provider = "They have no mental health care provider that I know of."
        default: provider = nil
        }
        substance = CrisisScript.substanceSentences(a)
        switch F.answer(a.medications) {
        case .text(let m): medications = "Their current medications: \(m)."
        case .no: medications = "They take no medications that I know of."
        default: medications = nil
        }
        selfCare = a.unableToCareForSelf ? "They are unable to care for themselves." : nil
    }

    /// The seed's sentence, the ticked examples as a list, and the person's own words
    /// after a colon in a sentence of their own (so a phrase or a whole sentence fits).
    static func group(_ seed: String, _ these: String, _ what: String, _ ticked: [String], _ other: String) -> [String] {
        if ticked.isEmpty && other.isEmpty { return [] }
        var lines = [seed]
        if !ticked.isEmpty { lines.append("\(these): \(CrisisText.list(ticked)).") }
        if !other.isEmpty { lines.append(ticked.isEmpty ? "\(what): \(other)." : "Also: \(other).") }
        return lines
    }

    /// Diagnosis, provider, intoxication or overdose, medications, self-care.
    public var health: [String] {
        [diagnosis, provider].compactMap { $0 } + substance + [medications, selfCare].compactMap { $0 }
    }
}

/// Turns a family's answers into their 911 script: the seed's steps in the seed's order,
/// with the seed's sentences, the blanks filled in and the steps that do not apply left
/// out. The same answers always give the same script, so the server's page (no
/// JavaScript) and the browser's live preview can be checked against each other.
public struct CrisisScript: Sendable, Equatable {
    public var steps: [CrisisStep]

    public init(_ answers: CrisisAnswers) {
        let P = CrisisPhrases.self
        let parts = CrisisParts(answers)
        var steps: [CrisisStep] = [CrisisStep(kind: .call911, instruction: P.call911)]

        // Medical help comes straight after "I am calling because…": see `medical`.
        steps.append(
            CrisisStep(
                kind: .crisis, instruction: P.crisisInstruction,
                say: [P.crisisCalling] + parts.medical + [P.crisisGoal]
                    + [parts.introduction, parts.happening].compactMap { $0 }))
        if let onFile = parts.onFile {
            steps.append(CrisisStep(kind: .onFile, instruction: P.onFileInstruction, say: [onFile]))
        }
        if answers.noLightsOrSirens {
            steps.append(CrisisStep(kind: .quiet, instruction: P.quietInstruction, say: [P.quietSay]))
        }
        steps.append(CrisisStep(kind: .citOfficer, instruction: P.citInstruction, say: [P.citSay]))
        if let weapons = parts.weapons {
            steps.append(CrisisStep(kind: .weapons, instruction: P.weaponsInstruction, say: [weapons]))
        }
        if !parts.threats.isEmpty {
            steps.append(CrisisStep(kind: .threats, instruction: P.threatsInstruction, say: parts.threats))
        }
        if !parts.triggers.isEmpty {
            steps.append(CrisisStep(kind: .triggers, instruction: P.triggersInstruction, say: parts.triggers))
        }
        if !parts.prevention.isEmpty {
            steps.append(CrisisStep(kind: .prevention, instruction: P.preventionInstruction, say: parts.prevention))
        }
        if !parts.health.isEmpty {
            steps.append(CrisisStep(kind: .health, instruction: P.healthInstruction, say: parts.health))
        }
        steps.append(CrisisStep(kind: .officerArrives, instruction: P.officerInstruction, say: [P.officerSay]))
        steps.append(CrisisStep(kind: .calm, instruction: P.calmInstruction))
        steps.append(CrisisStep(kind: .whileWaiting, instruction: P.whileWaiting))
        self.steps = steps
    }

    /// The steps to show prominently: weapons and threats.
    public var safetySteps: [CrisisStep] { steps.filter(\.isSafety) }

    /// The seed's third sentence, "My name is ___, and I am calling from [your location]
    /// because my [family member/friend + name] is ___.", with "about my son Sam" for the
    /// "because …" part: what is happening follows in a sentence of its own
    /// ("Here is what is happening: …"), so it may be a word, a phrase or sentences.
    /// `nil` when nothing is known.
    static func introduction(_ a: CrisisAnswers) -> String? {
        let F = CrisisFraming.self
        let name = F.callerName(a.callerName)
        let location = F.location(a.location)
        let known = !CrisisText.clean(a.relationship).isEmpty || !CrisisText.clean(a.lovedOneName).isEmpty
        let about = known ? "about " + F.who(relation: a.relationship, lovedName: a.lovedOneName) : nil
        var tail: String? = nil
        if !location.isEmpty {
            tail = "I am calling from \(location)" + (about.map { " " + $0 } ?? "")
        } else if let about {
            tail = "I am calling " + about
        }
        switch (name.isEmpty, tail) {
        case (false, let tail?): return "My name is \(name), and \(tail)."
        case (false, nil): return "My name is \(name)."
        case (true, let tail?): return "\(tail)."
        case (true, nil): return nil
        }
    }

    /// Medical help first. The seed asks about overdose only in its "if there is time"
    /// step, but 911 sends an ambulance only when asked, and an overdose, a wound or a
    /// person who is not breathing can kill before the crisis is over; dispatchers triage
    /// the medical emergency first. So when "They may have overdosed" is chosen, or what is
    /// happening or what they took names a medical emergency (`CrisisFraming.medicalPhrases`:
    /// overdosed, took pills, not breathing, unconscious, bleeding, injured, seizure …), the
    /// first thing said asks for an ambulance. A needless ambulance costs one sentence; a
    /// missing one may cost a life, so the list errs towards asking.
    static func medical(_ a: CrisisAnswers) -> [String] {
        if a.substance == .overdose { return ["They may have overdosed.", "Please send an ambulance as well."] }
        if CrisisFraming.mentionsMedicalEmergency([a.happening, a.substanceDetail]) {
            return ["They may need medical help.", "Please send an ambulance as well."]
        }
        return []
    }

    /// The seed's "My loved one has access to ___ weapons", with the answer after a colon
    /// so any phrase fits ("weapons: a hunting rifle in the garage"); "yes", "no", "I don't
    /// know" and answers that start by saying no ("not anymore, we removed them") get
    /// sentences of their own, so the script never says they have access when the answer
    /// says they do not.
    static func weaponsSentence(_ a: CrisisAnswers) -> String? {
        switch CrisisFraming.answer(a.weapons) {
        case .empty: return nil
        case .yes: return "My loved one has access to weapons."
        case .no: return "As far as I know, my loved one does not have access to weapons."
        case .unknown: return "I do not know whether my loved one has access to weapons."
        case .text(let w):
            if CrisisFraming.stripLead(w, CrisisFraming.weaponsDenials).1 { return "About weapons: \(w)." }
            return "My loved one has access to weapons: \(w)."
        }
    }

    static func threatTargets(_ a: CrisisAnswers) -> [String] {
        var targets: [String] = []
        if a.threatsToSelf { targets.append("themselves (suicide)") }
        if a.threatsToCaller { targets.append("me") }
        if a.threatsToOthers { targets.append("others") }
        return targets
    }

    static func substanceSentences(_ a: CrisisAnswers) -> [String] {
        let took = CrisisFraming.text(a.substanceDetail)
        // What they took, without intoxication or overdose chosen, is left out (the
        // choice says "No, or I don't know"); it still counts for medical help.
        if a.substance == .none { return [] }
        let first: [String] =
            switch a.substance {
            case .none: []
            case .intoxicated: ["They are intoxicated."]
            case .overdose: ["They may have overdosed."]
            }
        return first + (took.isEmpty ? [] : ["What they took: \(took)."])
    }
}
