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
    public static let crisisInstruction = "State that the situation is a mental health crisis to the dispatcher. State your name and location, and describe in detail what is happening."
    public static let crisisCalling = "I am calling because my loved one is having a mental health crisis."
    public static let crisisGoal = "My goal is for them to get help, not to be arrested or harmed."
    public static let onFileInstruction = "Advise police if there is information on file with law enforcement about the person in crisis."
    public static let quietInstruction = "Ask if it is possible to arrive without lights or sirens if this would help de-escalate the situation."
    public static let quietSay = "Is it possible to arrive without lights or sirens? It would help de-escalate the situation."
    public static let citInstruction = "Request that a Crisis Intervention Team (CIT) or Mental Health officer respond to the situation. They may or may not be available, but it is beneficial to ask if they can respond."
    public static let citSay = "If possible, I’d like an officer with CIT training to respond."
    public static let weaponsInstruction = "Tell the officer if you know that your loved one has access to weapons, particularly firearms."
    public static let threatsInstruction = "Tell the officer if your loved one has made direct threats toward themselves (suicide), you, or others."
    public static let threatsSay = "My loved one has made direct threats of violence."
    public static let triggersInstruction = "If there is time, briefly point out triggers that you believe could escalate the situation (speaking loudly, standing over the person experiencing the crisis, getting too close.)"
    public static let triggersSay = "I want to make you aware of triggers that I believe will escalate this situation."
    public static let preventionInstruction = "If there is time, briefly point out things that may prevent escalation, such as speaking softly, addressing concerns directly, and having a trusted person nearby."
    public static let preventionSay = "I want to make you aware of a few ideas for preventing escalation."
    public static let healthInstruction = "If there is time, let the dispatcher know what the person’s mental health diagnosis is, who their mental healthcare provider is, if the person is intoxicated or has overdosed, any current medications, and if the person is unable to care for themselves."
    public static let officerInstruction = "When the officer arrives, state again that your loved one is experiencing a mental health crisis."
    public static let officerSay = "My loved one is experiencing a mental health crisis."
    public static let calmInstruction = "Be calm and cooperative with both the 911 dispatcher and law enforcement officers. Answer all questions completely and honestly. Give a written statement if requested."
    public static let whileWaiting = "While you are waiting for help to arrive, try to reduce the intensity of the situation as much as possible by speaking calmly, being genuine, asking simple questions, and offering options for ways to make them feel safe."

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

/// Turns a family's answers into their 911 script: the seed's steps in the seed's order,
/// with the seed's sentences, the blanks filled in and the steps that do not apply left
/// out. The same answers always give the same script, so the server's page (no
/// JavaScript) and the browser's live preview can be checked against each other.
public struct CrisisScript: Sendable, Equatable {
    public var steps: [CrisisStep]

    public init(_ answers: CrisisAnswers) {
        let a = answers
        let P = CrisisPhrases.self
        var steps: [CrisisStep] = [CrisisStep(kind: .call911, instruction: P.call911)]

        steps.append(CrisisStep(kind: .crisis, instruction: P.crisisInstruction,
                                say: [P.crisisCalling, P.crisisGoal] + [Self.introduction(a)].compactMap { $0 }))

        let detail = CrisisText.clean(a.infoOnFileDetail)
        if a.infoOnFile || !detail.isEmpty {
            let about = CrisisText.clean(a.lovedOneName).isEmpty ? "my loved one" : CrisisText.clean(a.lovedOneName)
            let line = "There is information on file with law enforcement about \(about)" + (detail.isEmpty ? "." : ": \(detail).")
            steps.append(CrisisStep(kind: .onFile, instruction: P.onFileInstruction, say: [line]))
        }
        if a.noLightsOrSirens {
            steps.append(CrisisStep(kind: .quiet, instruction: P.quietInstruction, say: [P.quietSay]))
        }
        steps.append(CrisisStep(kind: .citOfficer, instruction: P.citInstruction, say: [P.citSay]))

        if let weapons = Self.weaponsSentence(a) {
            steps.append(CrisisStep(kind: .weapons, instruction: P.weaponsInstruction, say: [weapons]))
        }
        let targets = Self.threatTargets(a)
        if !targets.isEmpty {
            steps.append(CrisisStep(kind: .threats, instruction: P.threatsInstruction,
                                    say: [P.threatsSay, "The threats were toward \(CrisisText.list(targets))."]))
        }

        var triggers: [String] = []
        if a.triggerSpeakingLoudly { triggers.append(P.triggerSpeakingLoudly) }
        if a.triggerStandingOver { triggers.append(P.triggerStandingOver) }
        if a.triggerGettingTooClose { triggers.append(P.triggerGettingTooClose) }
        if case let other = CrisisText.clean(a.triggerOther), !other.isEmpty { triggers.append(other) }
        if !triggers.isEmpty {
            steps.append(CrisisStep(kind: .triggers, instruction: P.triggersInstruction,
                                    say: [P.triggersSay, "These make it worse: \(CrisisText.list(triggers))."]))
        }

        var helps: [String] = []
        if a.helpSpeakingSoftly { helps.append(P.helpSpeakingSoftly) }
        if a.helpAddressingConcerns { helps.append(P.helpAddressingConcerns) }
        if a.helpTrustedPerson { helps.append(P.helpTrustedPerson) }
        if case let other = CrisisText.clean(a.helpOther), !other.isEmpty { helps.append(other) }
        if !helps.isEmpty {
            steps.append(CrisisStep(kind: .prevention, instruction: P.preventionInstruction,
                                    say: [P.preventionSay, "These help: \(CrisisText.list(helps))."]))
        }

        let health = Self.healthSentences(a, apostrophe: "’")
        if !health.isEmpty {
            steps.append(CrisisStep(kind: .health, instruction: P.healthInstruction, say: health))
        }

        steps.append(CrisisStep(kind: .officerArrives, instruction: P.officerInstruction, say: [P.officerSay]))
        steps.append(CrisisStep(kind: .calm, instruction: P.calmInstruction))
        steps.append(CrisisStep(kind: .whileWaiting, instruction: P.whileWaiting))
        self.steps = steps
    }

    /// The steps to show prominently: weapons and threats.
    public var safetySteps: [CrisisStep] { steps.filter(\.isSafety) }

    /// "son Sam", "son", "loved one Sam", "loved one". A leading "my" is dropped because
    /// the sentence says "my" already.
    static func who(_ a: CrisisAnswers) -> String {
        var relation = CrisisText.clean(a.relationship)
        if relation.lowercased().hasPrefix("my ") { relation = String(relation.dropFirst(3)) }
        if relation.isEmpty { relation = "loved one" }
        let name = CrisisText.clean(a.lovedOneName)
        return name.isEmpty ? relation : "\(relation) \(name)"
    }

    /// The seed's third sentence, "My name is ___, and I am calling from [your location]
    /// because my [family member/friend + name] is ___.", with whatever parts are known;
    /// `nil` when none is.
    static func introduction(_ a: CrisisAnswers) -> String? {
        let name = CrisisText.clean(a.callerName)
        let location = CrisisText.clean(a.location)
        let happening = CrisisText.clean(a.happening)
        var tail: String? = nil
        let because = happening.isEmpty ? nil : "because my \(who(a)) is \(happening)"
        if !location.isEmpty {
            tail = "I am calling from \(location)" + (because.map { " " + $0 } ?? "")
        } else if let because {
            tail = "I am calling " + because
        }
        switch (name.isEmpty, tail) {
        case (false, let tail?): return "My name is \(name), and \(tail)."
        case (false, nil): return "My name is \(name)."
        case (true, let tail?): return "\(tail)."
        case (true, nil): return nil
        }
    }

    /// "My loved one has access to ___ weapons", unless the answer already ends in
    /// "weapon(s)", which would then be said twice.
    static func weaponsSentence(_ a: CrisisAnswers) -> String? {
        let weapons = CrisisText.clean(a.weapons)
        guard !weapons.isEmpty else { return nil }
        let lower = weapons.lowercased()
        let endsInWeapons = lower == "weapons" || lower == "weapon" || lower.hasSuffix(" weapons") || lower.hasSuffix(" weapon")
        return "My loved one has access to \(weapons)" + (endsInWeapons ? "." : " weapons.")
    }

    static func threatTargets(_ a: CrisisAnswers) -> [String] {
        var targets: [String] = []
        if a.threatsToSelf { targets.append("themselves (suicide)") }
        if a.threatsToCaller { targets.append("me") }
        if a.threatsToOthers { targets.append("others") }
        return targets
    }

    /// Diagnosis, provider, intoxication or overdose, medications, self-care.
    static func healthSentences(_ a: CrisisAnswers, apostrophe: String) -> [String] {
        var lines: [String] = []
        let diagnosis = CrisisText.clean(a.diagnosis)
        if !diagnosis.isEmpty { lines.append("My loved one\(apostrophe)s mental health diagnosis is \(diagnosis).") }
        let provider = CrisisText.clean(a.provider)
        if !provider.isEmpty { lines.append("Their mental health care provider is \(provider).") }
        lines += substanceSentences(a)
        let medications = CrisisText.clean(a.medications)
        if !medications.isEmpty { lines.append("Their current medications are \(medications).") }
        if a.unableToCareForSelf { lines.append("They are unable to care for themselves.") }
        return lines
    }

    static func substanceSentences(_ a: CrisisAnswers) -> [String] {
        let took = CrisisText.clean(a.substanceDetail)
        switch a.substance {
        case .none: return []
        case .intoxicated: return ["They are intoxicated."] + (took.isEmpty ? [] : ["They took \(took)."])
        case .overdose: return ["They may have overdosed."] + (took.isEmpty ? [] : ["They took \(took)."])
        }
    }
}
