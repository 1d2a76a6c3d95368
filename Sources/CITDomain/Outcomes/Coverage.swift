import Foundation

/// What "enough CIT officers" means for a program.
///
/// The Memphis Model asks for enough trained patrol officers that one can reach any
/// crisis call at any hour; a share of patrol alone could be met by a day shift full of
/// trained officers and a night shift with none, so shifts are checked too.
public struct CoverageTarget: Sendable, Equatable, Codable {
    /// The share of patrol officers to be CIT-trained, 0...1.
    public var share: Double
    /// Whether every shift must have at least one CIT-trained officer.
    public var everyShift: Bool

    public init(share: Double = 0.20, everyShift: Bool = true) {
        self.share = share
        self.everyShift = everyShift
    }

    /// The low end of the Memphis Model range, with CIT officers on every shift.
    public static let memphisModel = CoverageTarget(share: 0.20, everyShift: true)
    public static let source = "Memphis Model core elements: 20-25% of patrol officers CIT-trained, with CIT officers on every shift"
}

/// One shift as a liaison reports it.
public struct ShiftCount: Sendable, Equatable, Codable {
    public var name: String
    public var patrolOfficers: Int
    public var citTrained: Int

    public init(name: String, patrolOfficers: Int, citTrained: Int) {
        self.name = name
        self.patrolOfficers = patrolOfficers
        self.citTrained = citTrained
    }
}

/// An agency's counts as its liaison last reported them.
public struct AgencyCoverageInput: Sendable, Equatable {
    public var agencyKey: String
    public var patrolOfficers: Int
    public var citTrainedPatrol: Int
    /// Empty when the liaison has not broken the counts down by shift.
    public var shifts: [ShiftCount]

    public init(agencyKey: String, patrolOfficers: Int, citTrainedPatrol: Int, shifts: [ShiftCount] = []) {
        self.agencyKey = agencyKey
        self.patrolOfficers = patrolOfficers
        self.citTrainedPatrol = citTrainedPatrol
        self.shifts = shifts
    }
}

public struct CoverageResult: Sendable, Equatable {
    public var patrolOfficers: Int
    public var citTrained: Int
    /// nil when patrolOfficers == 0: there is no share of nobody.
    public var share: Double?
    public var meetsShare: Bool
    /// Shifts with patrol officers and no CIT-trained officer.
    public var uncoveredShifts: [String]
    /// Whether every agency counted reported its shifts; without them "a CIT officer on
    /// every shift" cannot be shown, so a target that asks for it is not met.
    public var shiftsReported: Bool
    public var meetsTarget: Bool
    /// More trained officers needed to reach the share (0 if met).
    public var neededForTarget: Int

    public init(
        patrolOfficers: Int, citTrained: Int, share: Double?, meetsShare: Bool,
        uncoveredShifts: [String], shiftsReported: Bool, meetsTarget: Bool, neededForTarget: Int
    ) {
        self.patrolOfficers = patrolOfficers
        self.citTrained = citTrained
        self.share = share
        self.meetsShare = meetsShare
        self.uncoveredShifts = uncoveredShifts
        self.shiftsReported = shiftsReported
        self.meetsTarget = meetsTarget
        self.neededForTarget = neededForTarget
    }
}

/// Form field names `CoverageRules.problems` reports under.
public enum CoverageFields {
    public static let patrolOfficers = "patrol_officers"
    public static let swornOfficers = "sworn_officers"
    public static let citTrainedPatrol = "cit_trained_patrol"
    /// Problems about the shifts as a whole: too many, or totals above the agency's.
    public static let shifts = "shifts"

    /// One shift's field, 0-based index as in the array: "shift_0_name",
    /// "shift_0_patrol", "shift_0_trained".
    public static func shift(_ index: Int, _ part: ShiftPart) -> String {
        "shift_\(index)_\(part.rawValue)"
    }

    public enum ShiftPart: String, Sendable { case name, patrol, trained }
}

public enum CoverageRules {
    public static let maxCount = 100_000
    public static let maxShifts = 12

    /// An agency against the target. With no patrol officers reported the share is nil
    /// and the target is not met: an agency that has not reported must not show as
    /// covered.
    public static func evaluate(_ input: AgencyCoverageInput, target: CoverageTarget) -> CoverageResult {
        result(
            patrol: input.patrolOfficers, trained: input.citTrainedPatrol,
            uncovered: uncovered(input.shifts).map(\.name),
            shiftsReported: !input.shifts.isEmpty, target: target
        )
    }

    /// County (or any group): sums officers and trained over agencies; uncovered shifts
    /// listed as "Agency: shift" using the given names (the key when a name is missing).
    /// The group meets the every-shift rule only if each of its agencies does.
    public static func combine(_ inputs: [AgencyCoverageInput], names: [String: String], target: CoverageTarget) -> CoverageResult {
        let uncoveredShifts = inputs.flatMap { input in
            uncovered(input.shifts).map { "\(names[input.agencyKey] ?? input.agencyKey): \($0.name)" }
        }
        return result(
            patrol: inputs.reduce(0) { $0 + $1.patrolOfficers },
            trained: inputs.reduce(0) { $0 + $1.citTrainedPatrol },
            uncovered: uncoveredShifts,
            shiftsReported: !inputs.isEmpty && inputs.allSatisfy { !$0.shifts.isEmpty },
            target: target
        )
    }

    /// Trained officers the share asks for: the share of patrol, rounded up (20% of 12
    /// officers is 3, since 2 is less than 20%). A hair is taken off before rounding so
    /// that 0.2 × 100, which is not exactly 20 in floating point, asks for 20.
    public static func required(patrolOfficers: Int, target: CoverageTarget) -> Int {
        guard patrolOfficers > 0 else { return 0 }
        let exact = max(0, target.share) * Double(patrolOfficers)
        return Int((exact - 1e-9).rounded(.up))
    }

    static func uncovered(_ shifts: [ShiftCount]) -> [ShiftCount] {
        shifts.filter { $0.patrolOfficers > 0 && $0.citTrained <= 0 }
    }

    static func result(patrol: Int, trained: Int, uncovered: [String], shiftsReported: Bool, target: CoverageTarget) -> CoverageResult {
        let needed = required(patrolOfficers: patrol, target: target)
        let meetsShare = patrol > 0 && trained >= needed
        let shiftsOK = !target.everyShift || (shiftsReported && uncovered.isEmpty)
        return CoverageResult(
            patrolOfficers: patrol,
            citTrained: trained,
            share: patrol > 0 ? Double(trained) / Double(patrol) : nil,
            meetsShare: meetsShare,
            uncoveredShifts: uncovered,
            shiftsReported: shiftsReported,
            meetsTarget: meetsShare && shiftsOK,
            neededForTarget: max(0, needed - trained)
        )
    }

    /// Validation for a liaison's form: counts 0...100_000, patrol <= sworn,
    /// trained <= patrol (when `citTrainedPatrol` is given), shift patrol sum <= total
    /// patrol, shift trained sum <= total trained, shift trained <= shift patrol, shift
    /// names non-empty and distinct (they name the gaps on the dashboard), at most 12
    /// shifts. Field (see `CoverageFields`) → message; empty when the form is fine.
    public static func problems(
        patrolOfficers: Int, swornOfficers: Int, shifts: [ShiftCount], citTrainedPatrol: Int? = nil
    ) -> [String: String] {
        var problems: [String: String] = [:]
        func add(_ field: String, _ message: String) {
            if problems[field] == nil { problems[field] = message }
        }
        func inRange(_ value: Int, _ field: String) -> Bool {
            guard (0...maxCount).contains(value) else {
                add(field, "Enter a number from 0 to \(maxCount).")
                return false
            }
            return true
        }

        let patrolOK = inRange(patrolOfficers, CoverageFields.patrolOfficers)
        let swornOK = inRange(swornOfficers, CoverageFields.swornOfficers)
        if patrolOK, swornOK, patrolOfficers > swornOfficers {
            add(
                CoverageFields.patrolOfficers,
                "Patrol officers are sworn officers too, so there cannot be more patrol officers (\(patrolOfficers)) than sworn officers (\(swornOfficers))."
            )
        }
        var trainedOK = false
        if let trained = citTrainedPatrol, inRange(trained, CoverageFields.citTrainedPatrol) {
            trainedOK = true
            if patrolOK, trained > patrolOfficers {
                add(
                    CoverageFields.citTrainedPatrol,
                    "CIT-trained patrol officers cannot be more than the \(patrolOfficers) patrol officers.")
            }
        }

        if shifts.count > maxShifts {
            add(CoverageFields.shifts, "List at most \(maxShifts) shifts; combine shifts that overlap.")
        }
        var names = Set<String>()
        var shiftCountsOK = true
        for (index, shift) in shifts.enumerated() {
            let name = shift.name.trimmingCharacters(in: .whitespacesAndNewlines)
            if name.isEmpty {
                add(CoverageFields.shift(index, .name), "Give the shift a name, such as \"Nights\".")
            } else if !names.insert(name.lowercased()).inserted {
                add(CoverageFields.shift(index, .name), "Another shift already has this name; give each shift its own.")
            }
            let shiftPatrolOK = inRange(shift.patrolOfficers, CoverageFields.shift(index, .patrol))
            let shiftTrainedOK = inRange(shift.citTrained, CoverageFields.shift(index, .trained))
            shiftCountsOK = shiftCountsOK && shiftPatrolOK && shiftTrainedOK
            if shiftPatrolOK, shiftTrainedOK, shift.citTrained > shift.patrolOfficers {
                add(
                    CoverageFields.shift(index, .trained),
                    "CIT-trained officers on this shift cannot be more than its \(shift.patrolOfficers) patrol officers.")
            }
        }
        if shiftCountsOK {
            let shiftPatrol = shifts.reduce(0) { $0 + $1.patrolOfficers }
            let shiftTrained = shifts.reduce(0) { $0 + $1.citTrained }
            if patrolOK, shiftPatrol > patrolOfficers {
                add(
                    CoverageFields.shifts,
                    "The shifts add up to \(shiftPatrol) patrol officers, more than the \(patrolOfficers) patrol officers entered above.")
            }
            if trainedOK, let trained = citTrainedPatrol, shiftTrained > trained {
                add(
                    CoverageFields.shifts,
                    "The shifts add up to \(shiftTrained) CIT-trained officers, more than the \(trained) entered above.")
            }
        }
        return problems
    }
}
