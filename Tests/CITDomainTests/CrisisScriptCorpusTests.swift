import Foundation
import Testing
import CITDomain

/// Realistic answers, at least 50 per free-text field, through the whole script and the
/// text-to-911 version. Every sentence of every output is checked against these rules:
///
/// - **R1 no doubled verb**: never "is is", "is He is", "is she's", "are is" (a verb of the
///   frame followed by a subject and verb of the answer).
/// - **R2 no dangling word**: the sentence that carries an answer ends with that answer and
///   a full stop (no frame word after it, as in "a hunting rifle weapons"); never a weapon
///   word followed by "weapons".
/// - **R3 no pronoun clash**: never a name or relation followed straight by a pronoun
///   ("my son Sam he is"), never "they he" / "he they".
/// - **R4 no "yes" in a slot**: never "access to yes", "is yes", ": yes"; and a weapons
///   answer that says no is never put after "has access to weapons:".
/// - **R5 no double punctuation made by the frame**: no mark right before the sentence's
///   last mark, and none right before or after the frame's colon ("::", ".:", ": .").
/// - **R6 every sentence ends with punctuation** (`.`, `!` or `?`).
/// - **R7 every sentence starts with a capital** (never a small ASCII letter).
/// - **R8 no doubled little word**: "my my", "to to", "about about", "from at", "from in".
/// - **R9 text messages** are at most 160 UTF-16 code units each.
///
/// A sample of 20 answer → output pairs is written to `/work/briefs/crisis-sample.txt`
/// when that folder exists (for the issue's closing note) and printed.
@Suite("Crisis script: a corpus of real answers reads right")
struct CrisisScriptCorpusTests {
    // MARK: the corpus

    static let names = [
        "Ana Ruiz", "ana ruiz", "ANA RUIZ", "My name is Ana Ruiz", "my name is ana", "I'm Ana", "This is Maria Lopez",
        "Ana.", "Ana Ruiz, his mother", "Dr. Jane Smith", "Tom O'Brien", "tom o'brien", "Mary-Beth Jones", "Jo",
        "Li Wei", "Nguyen Van An", "José García", "Zoë Müller", "Ahmed", "Pat", "Chris Johnson Jr.", "Denise",
        "Kevin Thao", "Pa Vang", "Rev. Michael Green", "Sarah (his sister)", "Maria", "Jamal Washington",
        "Latoya Brown", "Gary Olson", "Karen Schmidt", "Mike", "Beth Anne Miller", "Sue", "Rosa Hernandez",
        "Yer Xiong", "I am Susan", "Susan", "Bob Johnson", "Ashley", "Jennifer L.", "Tammy  Lee", "D'Andre",
        "Lars Nilsson", "Anne Marie", "Keisha", "Mohamed Ali", "Greg", "Linda K", "Emily Rose Carter",
    ]

    static let locations = [
        "412 Elm Street, Appleton", "412 elm st appleton wi", "412 ELM ST, APPLETON", "I'm at 412 Elm St", "at home",
        "home", "I am at my house, 22 Oak Ave, Madison", "we're at the Walmart parking lot on East Washington",
        "In the parking lot of the Kwik Trip on Main", "from my apartment, 3B, 1200 University Ave", "Apt 4B, 12 Main St, Kenosha WI 53140",
        "my house", "his apartment, 55 Lake St, Green Bay", "the corner of State and Gorham", "outside the library in Eau Claire",
        "1200 W. Johnson St., Madison", "Room 214, Super 8 Motel, Wausau", "N1234 County Road K, Sparta",
        "my parents' farm off Hwy 10", "we are at 88 Pine Ct", "at Grandma's, 9 Birch Ln, Stevens Point",
        "the park across from Lincoln Elementary", "412 Elm St.", "412 Elm St, Appleton.", "Currently at 1 River Rd",
        "In my car at the Mobil on 41", "Marshfield, 300 Central Ave", "work - 500 S Park St", "the bus station downtown",
        "I'm outside our house", "33 Spruce Ave Apt 2", "inside the house at 77 Maple Dr", "Oshkosh, 101 Main",
        "at the ER at St. Mary's", "Our house on Cedar Lane, La Crosse", "1600 Mifflin St #3, Madison, WI 53703",
        "Fond du Lac - 20 Sheboygan St", "my sister's house, 5 Fox Run", "the Culver's on Hwy 51", "rural Vilas county, fire number 4411",
        "the dorm, Sellery Hall room 912", "Behind the church on 3rd St", "We're at 14 Chestnut", "Apt. 6, 400 N. Broadway",
        "i am at 9 lake view dr", "near the water tower in Baraboo", "school parking lot, Memorial High", "Hwy 29 rest stop eastbound",
        "the Motel 6 in Janesville, room 118", "my mom's house: 40 Cherry St", "at 2020 E. Washington Ave!!",
    ]

    static let relations = [
        "son", "Son", "SON", "my son", "My son", "daughter", "my daughter", "husband", "wife", "brother", "sister",
        "mom", "Mom", "mother", "dad", "father", "friend", "my friend", "a friend", "best friend", "boyfriend",
        "girlfriend", "partner", "roommate", "nephew", "niece", "grandson", "granddaughter", "cousin", "uncle",
        "aunt", "stepson", "step-daughter", "adult son", "19 year old son", "brother-in-law", "fiancé",
        "he is my son", "she's my daughter", "he's my brother", "they are my child", "I'm his mom",
        "I am her sister", "the son", "an old friend", "neighbor", "client", "tenant", "my husband.", "Son.",
        "grandma", "twin brother",
    ]

    static let lovedNames = [
        "Sam", "sam", "SAM", "Sam Ruiz", "Samuel", "my son Sam", "His name is Sam", "Sam (Samuel)", "Jo", "Alex",
        "Jordan Lee", "jordan", "Maria", "Tyler", "Jayden", "Emma", "Olivia", "Noah", "Liam", "Ava", "Kai",
        "Mateo", "Chloé", "Nhia", "Tou Vang", "DeShawn", "Aaliyah", "Brandon", "Kayla", "Dylan", "Hannah",
        "Luis", "Isabella", "Ethan", "Sophia", "Mason", "Mia", "Logan", "Grace", "Jack", "Lily", "Owen",
        "Zoe", "Carter", "Ella", "Wyatt", "Nora", "Eli", "Ruby", "Henry", "Sam.", "Mr. Ruiz",
    ]

    static let happenings = [
        "hearing voices and has not slept for three days", "He is screaming and throwing things",
        "he is screaming", "She's locked herself in the bathroom", "is pacing and talking to himself",
        "has not slept in 4 days", "won't come out of his room", "Screaming at the neighbors.",
        "yes, he is very agitated", "HE IS YELLING AND BREAKING THINGS", "talking about killing himself",
        "threatening to jump off the roof", "My son is having a psychotic episode", "Sam is hearing voices",
        "I think he took a bunch of pills", "she took all her pills an hour ago", "he's not breathing right",
        "cut himself and is bleeding", "paranoid, thinks the neighbors are spying on him", "manic, hasn't slept, spending money",
        "Having a panic attack and can't calm down", "very confused and wandering outside", "refuses to take his meds",
        "says the TV is talking to him", "barricaded in the garage", "kept saying he wants to die",
        "they are off their meds and scared", "crying and won't talk to anyone", "a psychotic episode",
        "in a manic state", "drunk and angry", "He hit me and then ran outside", "stopped taking his medication a week ago",
        "Suicidal.", "suicidal, has a plan", "hallucinating!!", "not making sense...", "wandering in the street at night",
        "sitting in the car with the engine running in the garage", "Standing on the bridge railing",
        "threatening me with a knife", "hasn't eaten in days and won't get out of bed", "talking to people who aren't there",
        "had a seizure and now is very confused", "is unresponsive on the floor", "She overdosed I think",
        "believes he is being followed by the FBI", "will not let anyone in the house", "yelling at me. I am scared",
        "out of control", "acting really strange, not himself", "idk, he's just not right",
    ]

    static let onFileDetails = [
        "a crisis plan with the Outagamie County Sheriff", "Yes, a crisis plan", "yes", "yes - with Madison PD",
        "He has a crisis plan with the sheriff", "The police know him from last month", "Madison Police have a safety plan",
        "there is a CIT alert on his address", "prior 51.15 emergency detention in March", "no", "not sure", "I don't know",
        "a premise alert at our address", "A Crisis plan with Dane County Mobile Crisis", "Several past calls to this address",
        "the sheriff's office has his info", "YES THE SHERIFF KNOWS HIM", "He was detained last year", "she's been picked up before",
        "a notice about his autism", "an autism alert (Take Me Home program)", "info about his diagnosis with the PD",
        "They have his photo and plan", "past welfare checks", "a letter from his psychiatrist", "crisis plan.",
        "With Green Bay PD: history of psychosis", "His crisis plan is with county crisis", "file with Eau Claire County",
        "prior calls, no arrests", "Family safety plan with the police", "He's in their system", "a safety plan, 2023",
        "a mental health flag in dispatch", "CIT officer Jones knows him", "Officer Smith has worked with him before",
        "an emergency contact sheet", "Wausau PD - mental health note", "on file with Kenosha Sheriff",
        "the crisis team has a plan", "past EDs at this address", "yep, sheriff", "there's a file", "they know him",
        "a Chapter 51 commitment order", "a court order (ch 51 settlement)", "A vulnerable adult alert", "an IEP note, he's 17",
        "Her case manager filed a plan", "don't know exactly what", "the school resource officer knows him",
    ]

    static let weaponsAnswers = [
        "hunting", "a hunting rifle", "hunting rifle", "yes, a gun", "Yes - a handgun in his nightstand", "yes",
        "He has a gun in his truck", "guns in the basement safe", "kitchen knives", "a knife", "knives", "firearm",
        "firearms", "several weapons", "a shotgun and two rifles", "NO", "no", "none", "No weapons", "not that I know of",
        "I don't know", "not sure", "he has access to his dad's guns", "his father's pistol", "a baseball bat",
        "the gun safe, but we changed the code", "No, we removed all the guns last week", "not anymore",
        "Not anymore, the police took them", "we removed them", "used to, but they're gone now", "an axe in the garage",
        "a machete", "bb gun", "pellet gun", "a crossbow", "bow and arrows", "a sword collection", "pocket knife",
        "there are guns in the house", "She has a taser", "pepper spray", "my husband's hunting guns (locked)",
        "a 9mm", "AR-15", "he can get to the rifles at his grandpa's", "Yes. A rifle.", "YES A SHOTGUN",
        "maybe a knife", "i think he has a knife", "scissors", "Dont know",
    ]

    static let triggerOthers = [
        "uniforms", "Uniforms and flashing lights", "loud voices", "being touched", "He hates being touched",
        "people yelling at him", "sirens", "handcuffs", "being told what to do", "crowds", "too many people in the room",
        "when people talk about his dad", "yes, being cornered", "no", "none", "nothing else", "don't know",
        "she panics if you block the door", "dogs barking", "being called crazy", "TALKING ABOUT THE HOSPITAL",
        "mention of the hospital", "sudden movements", "flashlights in his face", "the word 'police'",
        "if you raise your voice he yells back", "being rushed", "lots of questions at once", "male officers",
        "his brother", "Touching his things.", "people standing behind him", "bright lights", "noise",
        "if you take his phone", "arguing with him about the voices", "threats of jail", "being laughed at",
        "lying to him", "sarcasm", "guns drawn", "when people whisper", "She gets worse if she can't see her kids",
        "cameras", "being filmed", "religious talk", "talking about his ex", "the K9", "tight spaces", "the dark",
        "being stared at",
    ]

    static let helpOthers = [
        "his dog Rex nearby", "music", "music?", "Talking about fishing", "let him smoke a cigarette", "give her space",
        "yes, calm voices", "no", "nothing", "don't know", "Offer him water", "talk about the Packers",
        "He calms down if you sit down", "sitting down at his level", "using his name", "call him Sammy",
        "her grandma on the phone", "letting him pace", "outside, in fresh air", "a blanket", "his weighted blanket",
        "SPEAKING SLOWLY", "giving choices", "asking simple questions", "being honest with him", "patience",
        "Let me talk to him first", "I can calm him down", "his headphones", "letting her hold her cat",
        "prayer", "a female officer", "one person talking at a time", "explaining what you are doing",
        "telling him he is not in trouble", "not touching him", "Cigarettes.", "Coffee", "his guitar",
        "video games", "talking about his daughter", "a quiet room", "his case worker Jenny", "dim lights",
        "humor", "Validate his feelings", "say you are there to help", "let him keep his phone", "walk with him",
        "Snacks!!", "deep breathing with him",
    ]

    static let diagnoses = [
        "schizophrenia", "Schizophrenia.", "bipolar disorder", "bipolar 1", "Bipolar I with psychotic features",
        "PTSD", "ptsd and depression", "major depression", "depression and anxiety", "schizoaffective disorder",
        "He has bipolar disorder", "She was diagnosed with borderline personality disorder", "autism",
        "autism and ADHD", "none", "no", "not diagnosed", "not diagnosed yet", "I don't know", "not sure", "yes",
        "yes, schizophrenia", "BIPOLAR", "OCD", "psychosis", "first episode psychosis", "dementia",
        "Alzheimer's", "traumatic brain injury", "TBI and PTSD", "substance use disorder", "alcohol use disorder",
        "eating disorder", "anorexia", "postpartum psychosis", "paranoid schizophrenia", "bi polar", "skitzophrenia",
        "schizo affective", "depresion", "generalized anxiety", "intellectual disability", "Down syndrome",
        "FASD", "they think it's bipolar", "possibly schizophrenia", "multiple: PTSD, depression, anxiety",
        "Dual diagnosis (bipolar + alcohol)", "unknown", "no diagnosis", "no formal diagnosis",
    ]

    static let providers = [
        "Dr. Lee at Catalpa Health", "Journey Mental Health", "dr lee", "Dr. Patel", "He sees Dr. Patel at UW Health",
        "his therapist, Jenny at Catholic Charities", "None", "no", "none right now", "I don't know", "not sure",
        "yes", "yes, Dr. Smith", "the VA", "VA clinic in Tomah", "Prairie Ridge", "county crisis", "Dane County Mental Health",
        "Rogers Behavioral Health", "Bellin Psychiatric", "Aurora Psychiatric Hospital", "Mendota", "Winnebago Mental Health Institute",
        "his case manager", "her case worker Maria", "school counselor", "Dr. Nguyen (psychiatrist)", "Dr. Nguyen, psychiatrist",
        "Ascension", "Marshfield Clinic", "Gundersen", "Mayo in Eau Claire", "ThedaCare", "Froedtert", "Sauk County Human Services",
        "NAMI peer support", "DR. JONES", "dr. jones", "Family doctor, Dr. Brown", "She sees a counselor at school",
        "telehealth psychiatrist (don't know name)", "Dr. Kim, 608-555-0100", "CCS program through the county",
        "Comprehensive Community Services", "ACT team", "Tellurian", "his primary care doctor", "UW Health psychiatry",
        "Mental Health America", "not anymore", "they stopped seeing him",
    ]

    static let substanceDetails = [
        "about 20 sleeping pills", "alcohol", "Alcohol.", "beer", "a whole bottle of vodka", "weed", "marijuana",
        "meth", "methamphetamine", "cocaine", "heroin", "fentanyl", "I think fentanyl", "he took pills",
        "He took all his lithium", "she swallowed a bottle of Tylenol", "Tylenol", "ibuprofen, maybe 30",
        "his seroquel", "Xanax", "xanax and alcohol", "not sure", "don't know", "no", "nothing", "yes",
        "yes, alcohol", "some pills, I don't know what", "sleeping pills", "unknown pills", "benadryl",
        "a lot of benadryl", "Adderall", "mushrooms", "LSD", "K2/spice", "spice", "kratom", "huffing",
        "whippets", "cough syrup", "opioids", "oxy", "his mom's oxycodone", "insulin", "antifreeze",
        "BOTTLE OF PILLS", "maybe 10 klonopin", "edibles", "energy drinks and pills", "pills.",
    ]

    static let medicationLists = [
        "clozapine", "lithium", "Lithium 300mg twice a day", "seroquel", "Seroquel and Zoloft", "zoloft, abilify",
        "He takes lithium", "She's on Depakote", "none", "no", "not on any", "I don't know", "not sure", "yes",
        "yes, risperdal", "Risperdal", "Invega shot monthly", "Abilify Maintena", "Haldol", "prozac", "Lexapro",
        "Wellbutrin", "Lamictal", "lamotrigine 200mg", "Adderall", "Concerta", "Xanax as needed", "klonopin",
        "Ativan", "trazodone at night", "Buspar", "insulin", "metformin", "Stopped taking his meds a week ago",
        "He's supposed to take lithium but stopped", "off meds", "NONE", "SEROQUEL", "clozaril", "zyprexa",
        "olanzapine", "latuda", "vraylar", "paxil", "Effexor", "celexa", "gabapentin", "propranolol", "suboxone",
        "methadone", "none currently", "meds are in the kitchen",
    ]

    static let fields: [(String, [String])] = [
        ("name", names), ("location", locations), ("relation", relations), ("lovedName", lovedNames),
        ("happening", happenings), ("onFileDetail", onFileDetails), ("weapons", weaponsAnswers),
        ("trigOther", triggerOthers), ("helpOther", helpOthers), ("diagnosis", diagnoses), ("provider", providers),
        ("substanceDetail", substanceDetails), ("medications", medicationLists),
    ]

    /// The minimal answers with one field replaced.
    static func answers(_ field: Int, _ value: String) -> CrisisAnswers {
        var a = CrisisScriptTests.minimal
        switch fields[field].0 {
        case "name": a.callerName = value
        case "location": a.location = value
        case "relation": a.relationship = value
        case "lovedName": a.lovedOneName = value
        case "happening": a.happening = value
        case "onFileDetail": a.infoOnFileDetail = value
        case "weapons": a.weapons = value
        case "trigOther": a.triggerOther = value; a.triggerSpeakingLoudly = value.count % 2 == 0
        case "helpOther": a.helpOther = value; a.helpSpeakingSoftly = value.count % 2 == 0
        case "diagnosis": a.diagnosis = value
        case "provider": a.provider = value
        case "substanceDetail": a.substanceDetail = value; a.substance = .intoxicated
        default: a.medications = value
        }
        return a
    }

    // MARK: the rules

    static func matches(_ pattern: String, _ text: String) -> Bool {
        text.range(of: pattern, options: [.regularExpression, .caseInsensitive]) != nil
    }

    /// Every rule broken by one sentence, by name.
    static func broken(_ sentence: String) -> [String] {
        var out: [String] = []
        let s = sentence.replacingOccurrences(of: "...", with: "…")
        if matches(#"\b(is|are|was|am|has)\s+(is|are|was|am|has)\b"#, s)
            || matches(#"\b(is|are|was)\s+(he|she|they|i|it)\s+(is|are|was|am|has)\b"#, s)
            || matches(#"\b(is|are|was)\s+(he|she|they|it)['’](s|re)\b"#, s)
        {
            out.append("R1 doubled verb")
        }
        if matches(#"\b(rifles?|guns?|knife|knives|pistols?|shotguns?|firearms?|handguns?|bat|axe|machete|weapons?|ammo)\s+weapons\b"#, s) {
            out.append("R2 dangling word")
        }
        if matches(#"\bmy (loved one|[a-z-]+)( [A-Z][a-z]+)? (he|she|they|he's|she's|they're)\b"#, s)
            || matches(#"\b(they|he|she) (they|he|she)\b"#, s)
            || matches(#"\b(\w+) (he|she|they) \1\b"#, s)
        {
            out.append("R3 pronoun clash")
        }
        if matches(#"(access to|\bis|\bare|\babout|\bfrom|\btook|:)\s+(yes|yeah|yep|yup)\b"#, s)
            || matches(#"access to weapons:\s+(no|none|not|nope|never)\b"#, s)
        {
            out.append("R4 yes or no in a slot")
        }
        if matches(#"[.,;:!?]\s*[.!?]$"#, s) || matches(#"[.,;:!?]\s*:"#, s) || matches(#":\s*[.,;:!?]"#, s) || matches(#"\s[.,;:!?]$"#, s)
        {
            out.append("R5 double punctuation")
        }
        if !matches(#"[.!?]$"#, s) { out.append("R6 no end punctuation") }
        if let first = s.unicodeScalars.first, first.value >= 0x61 && first.value <= 0x7A { out.append("R7 small first letter") }
        if matches(#"\b(my|to|about|is|from) \1\b"#, s) || matches(#"\bfrom (at|in|from)\b"#, s) { out.append("R8 doubled word") }
        return out
    }

    /// Every spoken sentence and every text message for some answers, with broken rules.
    static func problems(_ a: CrisisAnswers) -> [String] {
        var out: [String] = []
        for step in CrisisScript(a).steps {
            for line in step.say { for rule in broken(line) { out.append("\(rule): \(line)") } }
        }
        for sentence in TextTo911.sentences(a) { for rule in broken(sentence) { out.append("\(rule): \(sentence)") } }
        for message in TextTo911(a).messages where message.utf16.count > 160 { out.append("R9 message over 160: \(message)") }
        return out
    }

    // MARK: tests

    @Test("at least 50 realistic answers for every free-text field")
    func corpusIsBigEnough() {
        for (name, corpus) in Self.fields {
            #expect(corpus.count >= 50, "\(name) has \(corpus.count)")
        }
    }

    @Test("every output of every corpus answer keeps every rule (R1–R9)")
    func everyAnswerReadsRight() {
        for index in Self.fields.indices {
            for value in Self.fields[index].1 {
                let found = Self.problems(Self.answers(index, value))
                #expect(found.isEmpty, "\(Self.fields[index].0) = \(value.debugDescription):\n\(found.joined(separator: "\n"))")
            }
        }
    }

    @Test("the rules catch the sentences the issue found")
    func rulesCatchTheOldMistakes() {
        #expect(Self.broken("My name is Ana, and I am calling because my son Sam is He is screaming.").contains("R1 doubled verb"))
        #expect(Self.broken("My loved one has access to a hunting rifle weapons.").contains("R2 dangling word"))
        #expect(Self.broken("My loved one has access to yes, a gun weapons.").contains("R4 yes or no in a slot"))
        #expect(Self.broken("They took he took pills.").contains("R3 pronoun clash"))
        #expect(Self.broken("Their current medications are lithium..").contains("R5 double punctuation"))
        #expect(Self.broken("what is happening: x") == ["R6 no end punctuation", "R7 small first letter"])
        #expect(Self.broken("I am calling from at home.").contains("R8 doubled word"))
        #expect(Self.broken("My loved one has access to weapons: no guns.").contains("R4 yes or no in a slot"))
    }

    @Test("a typed answer ends its sentence: no frame word after it (R2)")
    func answersEndTheirSentences() {
        for (index, field) in Self.fields.enumerated() {
            for value in field.1 {
                let a = Self.answers(index, value)
                let parts = CrisisParts(a)
                guard case let .text(text) = CrisisFraming.answer(value) else { continue }
                let sentence: String? =
                    switch field.0 {
                    case "onFileDetail": parts.onFile
                    case "weapons": parts.weapons
                    case "trigOther": parts.triggers.last
                    case "helpOther": parts.prevention.last
                    case "diagnosis": parts.diagnosis
                    case "provider": parts.provider
                    case "substanceDetail": parts.substance.last
                    case "medications": parts.medications
                    default: nil
                    }
                guard let sentence else {
                    if ["name", "location", "relation", "lovedName", "happening"].contains(field.0) { continue }
                    Issue.record("\(field.0) = \(value): no sentence"); continue
                }
                #expect(sentence.hasSuffix(": " + text + "."), "\(field.0) = \(value.debugDescription): \(sentence)")
            }
        }
    }

    @Test("the sentences the issue quoted now read right")
    func theIssuesExamples() {
        var a = CrisisScriptTests.minimal
        a.happening = "He is screaming"
        #expect(CrisisParts(a).happening == "Here is what is happening: He is screaming.")
        a.happening = "is screaming"
        #expect(CrisisParts(a).happening == "Here is what is happening: Sam is screaming.")
        a.weapons = "a hunting rifle"
        #expect(CrisisParts(a).weapons == "My loved one has access to weapons: a hunting rifle.")
        a.weapons = "yes, a gun"
        #expect(CrisisParts(a).weapons == "My loved one has access to weapons: a gun.")
        a.weapons = "No."
        #expect(CrisisParts(a).weapons == "As far as I know, my loved one does not have access to weapons.")
        a.weapons = "not anymore, the police took them"
        #expect(CrisisParts(a).weapons == "About weapons: not anymore, the police took them.")
        a.relationship = "he is my son"; a.lovedOneName = "sam"
        #expect(CrisisParts(a).introduction == "My name is Ana Ruiz, and I am calling from 412 Elm Street, Appleton about my son Sam.")
        a.relationship = "I'm his mom"
        #expect(
            CrisisParts(a).introduction == "My name is Ana Ruiz, and I am calling from 412 Elm Street, Appleton about Sam (I'm his mom).")
        a.callerName = "my name is ana ruiz"; a.location = "I'm at home"; a.relationship = "My son"; a.lovedOneName = "my son Sam"
        #expect(CrisisParts(a).introduction == "My name is Ana Ruiz, and I am calling from home about my son Sam.")
    }

    @Test("overdose, pills, not breathing, injury: the first thing said asks for an ambulance")
    func medicalHelpFirst() {
        var a = CrisisScriptTests.minimal
        a.substance = .overdose
        let first = CrisisScript(a).steps[1].say
        #expect(
            Array(first.prefix(3)) == [
                "I am calling because my loved one is having a mental health crisis.",
                "They may have overdosed.", "Please send an ambulance as well.",
            ])
        #expect(
            TextTo911.sentences(a).prefix(3) == [
                "Mental health crisis at 412 Elm Street, Appleton.", "They may have overdosed.", "Please send an ambulance as well.",
            ])
        for happening in [
            "I think he took a bunch of pills", "he's not breathing right", "cut himself and is bleeding",
            "is unresponsive on the floor", "had a seizure", "She OD'd", "injured his hand punching a wall",
        ] {
            a = CrisisScriptTests.minimal
            a.happening = happening
            #expect(
                CrisisScript(a).steps[1].say[1...2] == ["They may need medical help.", "Please send an ambulance as well."], "\(happening)")
        }
        for happening in ["refuses to take his pills", "hearing voices", "odd behaviour", "is bleeding-heart liberal"]
        where !happening.contains("bleeding") {
            a = CrisisScriptTests.minimal
            a.happening = happening
            #expect(!CrisisScript(a).steps[1].say.contains("Please send an ambulance as well."), "\(happening)")
        }
        a = CrisisScriptTests.minimal
        a.substance = .intoxicated
        #expect(!CrisisScript(a).steps[1].say.contains("Please send an ambulance as well."), "drunk alone is not a medical emergency here")
    }

    @Test("a sample of 20 answers and what the script says, for the closing note")
    func sample() throws {
        let picks: [(Int, String)] = [
            (4, "He is screaming and throwing things"), (4, "is pacing and talking to himself"), (4, "has not slept in 4 days"),
            (4, "HE IS YELLING AND BREAKING THINGS"), (4, "I think he took a bunch of pills"), (4, "yes, he is very agitated"),
            (6, "a hunting rifle"), (6, "yes, a gun"), (6, "No, we removed all the guns last week"), (6, "NO"), (6, "not sure"),
            (2, "he is my son"), (2, "I'm his mom"), (0, "my name is ana"), (1, "I'm at 412 Elm St"),
            (9, "He has bipolar disorder"), (10, "None"), (12, "Stopped taking his meds a week ago"),
            (7, "He hates being touched"), (11, "she swallowed a bottle of Tylenol"),
        ]
        var lines: [String] = []
        for (index, value) in picks {
            let a = Self.answers(index, value)
            let parts = CrisisParts(a)
            let said: [String] =
                switch Self.fields[index].0 {
                case "happening": parts.medical + [parts.happening].compactMap { $0 }
                case "weapons": [parts.weapons].compactMap { $0 }
                case "relation", "name", "location", "lovedName": [parts.introduction].compactMap { $0 }
                case "diagnosis": [parts.diagnosis].compactMap { $0 }
                case "provider": [parts.provider].compactMap { $0 }
                case "medications": [parts.medications].compactMap { $0 }
                case "trigOther": parts.triggers
                default: parts.medical + parts.substance
                }
            lines.append("\(Self.fields[index].0): \(value.debugDescription)\n  → \(said.joined(separator: " "))")
        }
        #expect(lines.count == 20)
        let text = lines.joined(separator: "\n") + "\n"
        print(text)
        let folder = URL(fileURLWithPath: "/work/briefs")
        if FileManager.default.fileExists(atPath: folder.path) {
            try? text.write(to: folder.appendingPathComponent("crisis-sample.txt"), atomically: true, encoding: .utf8)
        }
    }
}
