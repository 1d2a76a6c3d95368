import Foundation

/// One point on a rubric's scale, with the behaviour that earns it.
///
/// The anchor is what lets two trainers give the same score for the same role-play:
/// they score what they saw, not how they felt about it.
public struct RubricLevel: Sendable, Equatable, Codable {
    public var score: Int
    /// Short name, e.g. "Competent".
    public var label: String
    /// One sentence describing what the trainer saw at this level.
    public var anchor: String

    public init(score: Int, label: String, anchor: String) {
        self.score = score
        self.label = label
        self.anchor = anchor
    }
}

/// One skill a rubric scores.
public struct RubricCriterion: Sendable, Equatable, Codable {
    /// Stable short code, the key in a score sheet.
    public var code: String
    public var title: String
    /// What the trainer watches for.
    public var description: String

    public init(code: String, title: String, description: String) {
        self.code = code
        self.title = title
        self.description = description
    }
}

/// A scoring sheet for role-plays: criteria scored on a shared scale.
///
/// Score sheets are plain `[criterion code: score]` dictionaries so a form posts them
/// as they are and several trainers' sheets for the same trainee can be averaged.
public struct Rubric: Sendable, Equatable, Codable {
    public var criteria: [RubricCriterion]
    /// Levels ascending by score.
    public var levels: [RubricLevel]

    public init(criteria: [RubricCriterion], levels: [RubricLevel]) {
        self.criteria = criteria
        self.levels = levels
    }

    /// Default de-escalation role-play rubric: seven criteria on a 1–4 scale (1 Not yet
    /// shown, 2 Developing, 3 Competent, 4 Strong), each level with a one-sentence
    /// behavioural anchor.
    ///
    /// The criteria follow what CIT role-plays practise; the scale has no middle, so a
    /// trainer must decide whether the skill was there. Programs can edit their copy.
    public static let deEscalationDefault = Rubric(
        criteria: [
            RubricCriterion(
                code: "introduces-self",
                title: "Introduces self and purpose",
                description: "Gives their name and says why they are there, in words the person can follow."
            ),
            RubricCriterion(
                code: "calm-voice-posture",
                title: "Calm voice and posture",
                description: "Keeps a slow, low voice, an open stance and a safe distance."
            ),
            RubricCriterion(
                code: "active-listening",
                title: "Active listening",
                description: "Lets the person talk, reflects back what they said and names the feeling heard."
            ),
            RubricCriterion(
                code: "safety-weapons",
                title: "Asks about safety and weapons",
                description: "Asks directly about thoughts of suicide or harm and about weapons or means."
            ),
            RubricCriterion(
                code: "offers-choices",
                title: "Offers choices",
                description: "Gives the person real choices, so they keep some control over what happens next."
            ),
            RubricCriterion(
                code: "avoids-triggers",
                title: "Avoids escalating triggers",
                description: "Avoids commands, threats, arguing, sudden movement and crowding the person."
            ),
            RubricCriterion(
                code: "connects-resources",
                title: "Connects to resources",
                description: "Links the person to crisis services, treatment or supports instead of ending with no plan."
            ),
        ],
        levels: [
            RubricLevel(
                score: 1, label: "Not yet shown",
                anchor: "The trainee did not show this skill during the role-play, or what they did worked against it."),
            RubricLevel(
                score: 2, label: "Developing",
                anchor: "The trainee tried the skill but only briefly or unevenly, and it did not yet shape the encounter."),
            RubricLevel(
                score: 3, label: "Competent", anchor: "The trainee used the skill clearly and at the right moments, with only small slips."),
            RubricLevel(
                score: 4, label: "Strong",
                anchor: "The trainee used the skill naturally throughout and adapted it as the person's reactions changed."),
        ]
    )

    /// Scores on the scale, lowest first.
    public var scale: ClosedRange<Int>? {
        guard let low = levels.map(\.score).min(), let high = levels.map(\.score).max() else { return nil }
        return low...high
    }

    /// Problems with a submitted score sheet: unknown criterion, score not on the scale,
    /// missing criterion. Empty = valid.
    ///
    /// Criteria in rubric order, then unknown codes alphabetically, so the trainer reads
    /// the messages in the order of the form.
    public func problems(scores: [String: Int]) -> [String] {
        let allowed = Set(levels.map(\.score))
        let range = scaleText
        var problems: [String] = []
        for criterion in criteria {
            guard let score = scores[criterion.code] else {
                problems.append("“\(criterion.title)” has no score. Give every criterion a score from \(range).")
                continue
            }
            if !allowed.contains(score) {
                problems.append("\(score) for “\(criterion.title)” is not on the scale; use a score from \(range).")
            }
        }
        let known = Set(criteria.map(\.code))
        for code in scores.keys.sorted() where !known.contains(code) {
            problems.append("“\(code)” is not a criterion on this rubric. Reload the score sheet and score again.")
        }
        return problems
    }

    /// Mean score per criterion code across several trainers' sheets (criteria nobody
    /// scored omitted).
    ///
    /// Only criteria on this rubric and scores on its scale count: a stray 7 on a 1–4
    /// scale would otherwise lift an average past the top of the scale.
    public func averages(_ sheets: [[String: Int]]) -> [String: Double] {
        let allowed = Set(levels.map(\.score))
        var result: [String: Double] = [:]
        for criterion in criteria {
            let scores = sheets.compactMap { $0[criterion.code] }.filter(allowed.contains)
            guard !scores.isEmpty else { continue }
            result[criterion.code] = Double(scores.reduce(0, +)) / Double(scores.count)
        }
        return result
    }

    /// "1 to 4", or a list if the scores have gaps.
    var scaleText: String {
        let scores = levels.map(\.score).sorted()
        guard let low = scores.first, let high = scores.last else { return "the scale" }
        if scores == Array(low...high) { return "\(low) to \(high)" }
        return CompletionPolicy.list(scores.map(String.init)).replacingOccurrences(of: " and ", with: " or ")
    }
}
