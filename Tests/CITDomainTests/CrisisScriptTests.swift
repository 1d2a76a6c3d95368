import Foundation
import Testing
import CITDomain

@Suite("Crisis script: the seed's steps, sentences and order")
struct CrisisScriptTests {
    /// The minimal form: only the first group.
    static let minimal = CrisisAnswers(
        callerName: "Ana Ruiz", location: "412 Elm Street, Appleton",
        relationship: "son", lovedOneName: "Sam",
        happening: "hearing voices and has not slept for three days")

    /// Every optional group answered.
    static var full: CrisisAnswers {
        var a = minimal
        a.infoOnFile = true
        a.infoOnFileDetail = "a crisis plan with the Outagamie County Sheriff"
        a.noLightsOrSirens = true
        a.weapons = "a hunting rifle"
        a.threatsToSelf = true; a.threatsToCaller = true; a.threatsToOthers = true
        a.triggerSpeakingLoudly = true; a.triggerStandingOver = true; a.triggerGettingTooClose = true
        a.triggerOther = "uniforms"
        a.helpSpeakingSoftly = true; a.helpAddressingConcerns = true; a.helpTrustedPerson = true
        a.helpOther = "his dog Rex nearby"
        a.diagnosis = "schizophrenia"
        a.provider = "Dr. Lee at Catalpa Health"
        a.substance = .overdose
        a.substanceDetail = "about 20 sleeping pills"
        a.medications = "clozapine"
        a.unableToCareForSelf = true
        return a
    }

    func kinds(_ a: CrisisAnswers) -> [CrisisStep.Kind] { CrisisScript(a).steps.map(\.kind) }
    func step(_ a: CrisisAnswers, _ kind: CrisisStep.Kind) -> CrisisStep? { CrisisScript(a).steps.first { $0.kind == kind } }

    @Test func minimalAnswersGiveTheSeedsAlwaysStepsInOrder() {
        // MUT
        let script = CrisisScript(Self.minimal)
        // validate
        #expect(script.steps.map(\.kind) == [.call911, .crisis, .citOfficer, .officerArrives, .calm, .whileWaiting])
        #expect(script.steps[0].instruction == "Call 911.")
        #expect(
            script.steps[1].say == [
                "I am calling because my loved one is having a mental health crisis.",
                "My goal is for them to get help, not to be arrested or harmed.",
                "My name is Ana Ruiz, and I am calling from 412 Elm Street, Appleton about my son Sam.",
                "Here is what is happening: hearing voices and has not slept for three days.",
            ])
        #expect(script.steps[2].say == ["If possible, I’d like an officer with CIT training to respond."])
        #expect(
            script.steps[2].instruction
                == "Request that a Crisis Intervention Team (CIT) or Mental Health officer respond to the situation. They may or may not be available, but it is beneficial to ask if they can respond."
        )
        #expect(
            script.steps[3].instruction
                == "When the officer arrives, state again that your loved one is experiencing a mental health crisis.")
        #expect(
            script.steps[4].instruction
                == "Be calm and cooperative with both the 911 dispatcher and law enforcement officers. Answer all questions completely and honestly. Give a written statement if requested."
        )
        #expect(
            script.steps[5].instruction
                == "While you are waiting for help to arrive, try to reduce the intensity of the situation as much as possible by speaking calmly, being genuine, asking simple questions, and offering options for ways to make them feel safe."
        )
        #expect(script.safetySteps.isEmpty)
    }

    @Test func everyGroupAnsweredGivesEveryStepInTheSeedsOrder() {
        #expect(kinds(Self.full) == CrisisStep.Kind.allCases)
        #expect(
            kinds(Self.full) == [
                .call911, .crisis, .onFile, .quiet, .citOfficer, .weapons, .threats,
                .triggers, .prevention, .health, .officerArrives, .calm, .whileWaiting,
            ])
    }

    @Test func theSeedsQuotedSentencesAreExact() {
        let a = Self.full
        #expect(step(a, .weapons)?.say == ["My loved one has access to weapons: a hunting rifle."])
        #expect(
            step(a, .threats)?.say == [
                "My loved one has made direct threats of violence.",
                "The threats were toward themselves (suicide), me and others.",
            ])
        #expect(
            step(a, .triggers)?.say == [
                "I want to make you aware of triggers that I believe will escalate this situation.",
                "These make it worse: speaking loudly, standing over the person and getting too close.",
                "Also: uniforms.",
            ])
        #expect(
            step(a, .prevention)?.say == [
                "I want to make you aware of a few ideas for preventing escalation.",
                "These help: speaking softly, addressing concerns directly and having a trusted person nearby.",
                "Also: his dog Rex nearby.",
            ])
        #expect(
            step(a, .onFile)?.say == [
                "There is information on file with law enforcement about Sam: a crisis plan with the Outagamie County Sheriff."
            ])
        #expect(step(a, .quiet)?.say == ["Is it possible to arrive without lights or sirens? It would help de-escalate the situation."])
        #expect(
            step(a, .health)?.say == [
                "My loved one’s mental health diagnosis: schizophrenia.",
                "Their mental health care provider: Dr. Lee at Catalpa Health.",
                "They may have overdosed.",
                "What they took: about 20 sleeping pills.",
                "Their current medications: clozapine.",
                "They are unable to care for themselves.",
            ])
        #expect(step(a, .officerArrives)?.say == ["My loved one is experiencing a mental health crisis."])
        #expect(
            step(a, .triggers)?.instruction
                == "If there is time, briefly point out triggers that you believe could escalate the situation (speaking loudly, standing over the person experiencing the crisis, getting too close.)"
        )
        #expect(
            step(a, .prevention)?.instruction
                == "If there is time, briefly point out things that may prevent escalation, such as speaking softly, addressing concerns directly, and having a trusted person nearby."
        )
        #expect(
            step(a, .health)?.instruction
                == "If there is time, let the dispatcher know what the person’s mental health diagnosis is, who their mental healthcare provider is, if the person is intoxicated or has overdosed, any current medications, and if the person is unable to care for themselves."
        )
    }

    @Test func weaponsAndThreatsAreSafetySteps() {
        let script = CrisisScript(Self.full)
        #expect(script.safetySteps.map(\.kind) == [.weapons, .threats])
        #expect(script.steps.filter(\.isSafety).count == 2)
    }

    @Test(
        "each optional group on its own adds exactly its step",
        arguments: [
            (\CrisisAnswers.infoOnFile, CrisisStep.Kind.onFile),
            (\CrisisAnswers.noLightsOrSirens, .quiet),
            (\CrisisAnswers.threatsToSelf, .threats),
            (\CrisisAnswers.threatsToCaller, .threats),
            (\CrisisAnswers.threatsToOthers, .threats),
            (\CrisisAnswers.triggerSpeakingLoudly, .triggers),
            (\CrisisAnswers.triggerStandingOver, .triggers),
            (\CrisisAnswers.triggerGettingTooClose, .triggers),
            (\CrisisAnswers.helpSpeakingSoftly, .prevention),
            (\CrisisAnswers.helpAddressingConcerns, .prevention),
            (\CrisisAnswers.helpTrustedPerson, .prevention),
            (\CrisisAnswers.unableToCareForSelf, .health),
        ] as [(any WritableKeyPath<CrisisAnswers, Bool> & Sendable, CrisisStep.Kind)])
    func toggles(path: any WritableKeyPath<CrisisAnswers, Bool> & Sendable, kind: CrisisStep.Kind) {
        var a = Self.minimal
        a[keyPath: path] = true
        var expected: [CrisisStep.Kind] = [.call911, .crisis, .citOfficer, .officerArrives, .calm, .whileWaiting]
        let order = CrisisStep.Kind.allCases
        expected.append(kind)
        expected.sort { order.firstIndex(of: $0)! < order.firstIndex(of: $1)! }
        #expect(kinds(a) == expected)
    }

    @Test(
        "each optional text on its own adds exactly its step",
        arguments: [
            (\CrisisAnswers.infoOnFileDetail, CrisisStep.Kind.onFile),
            (\CrisisAnswers.weapons, .weapons),
            (\CrisisAnswers.triggerOther, .triggers),
            (\CrisisAnswers.helpOther, .prevention),
            (\CrisisAnswers.diagnosis, .health),
            (\CrisisAnswers.provider, .health),
            (\CrisisAnswers.medications, .health),
        ] as [(any WritableKeyPath<CrisisAnswers, String?> & Sendable, CrisisStep.Kind)])
    func texts(path: any WritableKeyPath<CrisisAnswers, String?> & Sendable, kind: CrisisStep.Kind) {
        var a = Self.minimal
        a[keyPath: path] = "  something\n"
        #expect(kinds(a).contains(kind))
        #expect(kinds(a).count == 7)
        // whitespace only is not an answer
        a[keyPath: path] = " \t\n "
        #expect(!kinds(a).contains(kind))
        a[keyPath: path] = nil
        #expect(!kinds(a).contains(kind))
    }

    @Test func substanceSentences() {
        var a = Self.minimal
        a.substance = .intoxicated
        #expect(step(a, .health)?.say == ["They are intoxicated."])
        a.substanceDetail = "alcohol."
        #expect(step(a, .health)?.say == ["They are intoxicated.", "What they took: alcohol."])
        a.substance = .none
        #expect(step(a, .health) == nil, "what they took without intoxication or overdose says nothing")
    }

    @Test func infoOnFileWithoutDetailOrName() {
        var a = Self.minimal
        a.infoOnFile = true
        #expect(step(a, .onFile)?.say == ["There is information on file with law enforcement about Sam."])
        a.lovedOneName = "  "
        #expect(step(a, .onFile)?.say == ["There is information on file with law enforcement about my loved one."])
    }

    @Test("the weapons answer follows a colon, so no word of the frame comes after it")
    func weaponsAnswerEndsTheSentence() {
        var a = Self.minimal
        a.weapons = "several Weapons"
        #expect(step(a, .weapons)?.say == ["My loved one has access to weapons: several Weapons."])
        a.weapons = "firearm"
        #expect(step(a, .weapons)?.say == ["My loved one has access to weapons: firearm."])
        a.weapons = "Yes"
        #expect(step(a, .weapons)?.say == ["My loved one has access to weapons."])
        a.weapons = "i don’t know"
        #expect(step(a, .weapons)?.say == ["I do not know whether my loved one has access to weapons."])
    }

    @Test func onlySomeThreatTargets() {
        var a = Self.minimal
        a.threatsToSelf = true
        #expect(step(a, .threats)?.say.last == "The threats were toward themselves (suicide).")
        a.threatsToOthers = true
        #expect(step(a, .threats)?.say.last == "The threats were toward themselves (suicide) and others.")
    }

    @Test("missing first-group answers never leave a dangling blank")
    func introductionWithMissingParts() {
        func intro(_ a: CrisisAnswers) -> String? { CrisisScript(a).steps[1].say.dropFirst(2).first }
        var a = Self.minimal
        a.location = "   "
        #expect(intro(a) == "My name is Ana Ruiz, and I am calling about my son Sam.")
        a = Self.minimal; a.happening = "\n"
        #expect(intro(a) == "My name is Ana Ruiz, and I am calling from 412 Elm Street, Appleton about my son Sam.")
        #expect(CrisisScript(a).steps[1].say.count == 3, "no 'what is happening' line without an answer")
        a = Self.minimal; a.callerName = ""
        #expect(intro(a) == "I am calling from 412 Elm Street, Appleton about my son Sam.")
        a = Self.minimal; a.relationship = ""
        #expect(intro(a)?.hasSuffix("about my loved one Sam.") == true)
        a = Self.minimal; a.relationship = "My daughter"; a.lovedOneName = ""
        #expect(intro(a)?.hasSuffix("about my daughter.") == true)
        #expect(CrisisScript(a).steps[1].say[3] == "Here is what is happening: hearing voices and has not slept for three days.")
        a = Self.minimal; a.location = ""; a.relationship = ""; a.lovedOneName = ""
        #expect(intro(a) == "My name is Ana Ruiz.")
        let empty = CrisisScript(CrisisAnswers())
        #expect(empty.steps[1].say.count == 2, "no third sentence at all when nothing is known")
        for step in empty.steps {
            for line in step.say + [step.instruction] {
                #expect(!line.contains("__") && !line.contains("[") && !line.contains("  ") && !line.contains(" ."), "\(line)")
            }
        }
        #expect(CrisisAnswers().missingRequired == ["name", "location", "relation", "lovedName", "happening"])
        #expect(Self.minimal.missingRequired.isEmpty)
    }

    @Test func cleaningFoldsSpacesControlsAndTrailingPunctuation() {
        #expect(CrisisText.clean("  a\u{0}b \n\n c\t.  ") == "a b c")
        #expect(CrisisText.clean("yelling!!!") == "yelling")
        #expect(CrisisText.clean("Dr. Lee") == "Dr. Lee")
        #expect(CrisisText.clean("\u{00A0}x\u{2028}y\u{FEFF}") == "x y")
        #expect(CrisisText.clean(nil) == "")
        var a = Self.minimal
        a.happening = "shouting.\u{0}"
        #expect(CrisisScript(a).steps[1].say[3] == "Here is what is happening: shouting.")
        #expect(CrisisText.clean("what?!  ok...  then,, no") == "what? ok... then, no")
    }

    @Test("HTML, emoji and right-to-left text are kept as typed (views escape them)")
    func anyCharactersAreKept() {
        var a = Self.minimal
        a.lovedOneName = "<script>alert(1)</script> 🧑🏽‍🦱 סאם"
        a.weapons = "\"kitchen\" & <b>"
        let script = CrisisScript(a)
        #expect(script.steps[1].say[2].hasSuffix("about my son <script>alert(1)</script> 🧑🏽‍🦱 סאם."))
        #expect(step(a, .weapons)?.say == ["My loved one has access to weapons: \"kitchen\" & <b>."])
    }

    @Test func veryLongAnswersAreKeptWhole() {
        var a = Self.minimal
        a.happening = String(repeating: "pacing and shouting ", count: 400)
        let line = CrisisScript(a).steps[1].say[3]
        #expect(line.hasSuffix("pacing and shouting."))
        #expect(line.count > 7_000)
    }
}

@Suite("Text to 911: short messages, where and what first")
struct TextTo911Tests {
    @Test func minimalAnswersFitInOneMessageWithLocationFirst() {
        let text = TextTo911(
            CrisisAnswers(
                callerName: "Ana", location: "412 Elm St, Appleton", relationship: "son",
                lovedOneName: "Sam", happening: "hearing voices"))
        #expect(
            text.messages == [
                "Mental health crisis at 412 Elm St, Appleton. My son Sam: hearing voices. If possible, I'd like an officer with CIT training to respond. My name is Ana."
            ])
        #expect(text.messages.joined(separator: " ").contains("If possible, I'd like an officer with CIT training to respond."))
        #expect(text.messages.last!.hasSuffix("My name is Ana."))
        #expect(text.messages.allSatisfy { $0.utf16.count <= 160 })
    }

    @Test func safetyComesRightAfterWhereAndWhat() {
        let all = TextTo911.sentences(CrisisScriptTests.full)
        #expect(all[0] == "Mental health crisis at 412 Elm Street, Appleton.")
        // An overdose asks for the ambulance straight after where.
        #expect(all[1] == "They may have overdosed.")
        #expect(all[2] == "Please send an ambulance as well.")
        #expect(all[3] == "My son Sam: hearing voices and has not slept for three days.")
        #expect(all[4] == "My loved one has access to weapons: a hunting rifle.")
        #expect(all[5] == "My loved one has made direct threats of violence toward themselves (suicide), me and others.")
        #expect(all[6] == "What they took: about 20 sleeping pills.")
        #expect(all.filter { $0 == "They may have overdosed." }.count == 1, "said once")
        #expect(all.contains("Please arrive without lights or sirens if possible."))
        #expect(all.allSatisfy { $0.unicodeScalars.allSatisfy { $0.value != 0x2019 } }, "plain apostrophes only")
    }

    @Test func oneShortMessageHasNoNumber() {
        let text = TextTo911(sentences: ["Mental health crisis at 1 Main St."])
        #expect(text.messages == ["Mental health crisis at 1 Main St."])
    }

    @Test("no message is ever longer than 160, however long the answers", arguments: [1, 10, 200, 5_000, 60_000])
    func neverOver160(length: Int) {
        var a = CrisisScriptTests.full
        a.location = String(repeating: "Apt 4B ", count: length / 7 + 1)
        a.happening = String(repeating: "x", count: length)  // one enormous word
        a.lovedOneName = String(repeating: "🧑🏽‍🦱", count: length / 10 + 1)  // surrogate pairs and joiners
        a.weapons = String(repeating: "ש", count: length)
        let text = TextTo911(a)
        #expect(!text.messages.isEmpty)
        for message in text.messages {
            #expect(message.utf16.count <= 160, "\(message.utf16.count)")
            #expect(!message.isEmpty)
            // No lone surrogate: the message round-trips through UTF-8.
            #expect(String(decoding: Array(message.utf8), as: UTF8.self) == message)
        }
        #expect(text.messages[0].contains("Mental health crisis at Apt 4B"))
        // Nothing is lost: the pieces, without their numbers, hold every character.
        let body = text.messages.map { text.messages.count > 1 ? String($0.drop { $0 != " " }.dropFirst()) : $0 }.joined()
        #expect(body.filter { $0 == "x" }.count == length)
        if text.messages.count > 1 {
            #expect(text.messages[0].hasPrefix("1/\(text.messages.count) "))
            #expect(text.messages.last!.hasPrefix("\(text.messages.count)/\(text.messages.count) "))
        }
    }

    @Test func longSentenceIsCutBetweenWords() {
        let sentence = Array(repeating: "word", count: 60).joined(separator: " ") + "."
        let text = TextTo911(sentences: [sentence])
        #expect(text.messages.count == 2)
        #expect(text.messages.allSatisfy { $0.utf16.count <= 160 })
        #expect(text.messages[0].hasSuffix("word"))
        #expect(!text.messages[1].contains("  "))
    }
}
