import Foundation

/// One thing counted about crisis calls: the calls themselves, calls where something
/// happened (a CIT officer arrived, force was used), or calls that ended one way.
public enum OutcomeMeasure: Hashable, Sendable, Comparable {
    case calls
    case flag(OutcomeFlag)
    case category(DispositionCategory)

    public var label: String {
        switch self {
        case .calls: "Crisis calls reported"
        case .flag(let flag): flag.label
        case .category(let category): category.label
        }
    }

    /// "calls", "force_used", "outcome:arrest": names in CSV and JSON.
    public var key: String {
        switch self {
        case .calls: "calls"
        case .flag(let flag): flag.rawValue
        case .category(let category): "outcome:\(category.rawValue)"
        }
    }

    private var order: Int {
        switch self {
        case .calls: 0
        case .flag(let flag): 1 + OutcomeFlag.allCases.firstIndex(of: flag)!
        case .category(let category): 100 + DispositionCategory.allCases.firstIndex(of: category)!
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.order < b.order }
}

/// The yes/no facts of a report that dashboards count.
public enum OutcomeFlag: String, CaseIterable, Sendable, Hashable {
    case citRequested = "cit_requested", citDispatched = "cit_dispatched", citArrived = "cit_arrived"
    case citTrainedOnScene = "cit_trained_on_scene", forceUsed = "force_used"
    case injuryPerson = "injury_person", injuryOfficer = "injury_officer", injuryOther = "injury_other"

    public var label: String {
        switch self {
        case .citRequested: "A CIT officer was requested"
        case .citDispatched: "A CIT officer was dispatched"
        case .citArrived: "A CIT officer arrived"
        case .citTrainedOnScene: "A CIT-trained officer was on scene"
        case .forceUsed: "Force was used"
        case .injuryPerson: "The person in crisis was injured"
        case .injuryOfficer: "An officer was injured"
        case .injuryOther: "Someone else was injured"
        }
    }

    public var keyPath: KeyPath<OutcomeCounts, Int> {
        switch self {
        case .citRequested: \.citRequested
        case .citDispatched: \.citDispatched
        case .citArrived: \.citArrived
        case .citTrainedOnScene: \.citTrainedOnScene
        case .forceUsed: \.forceUsed
        case .injuryPerson: \.injuryPerson
        case .injuryOfficer: \.injuryOfficer
        case .injuryOther: \.injuryOther
        }
    }
}

/// A period the public tables are published for: a quarter, or a whole year once all
/// four of its quarters are published.
public enum PublicPeriod: Hashable, Sendable {
    case quarter(Quarter)
    case year(Int)
}

/// One cell of the published tables. `county` nil is the whole state.
public struct PublicCell: Hashable, Sendable {
    public var period: PublicPeriod
    public var county: String?
    public var measure: OutcomeMeasure

    public init(_ period: PublicPeriod, _ county: String?, _ measure: OutcomeMeasure) {
        self.period = period
        self.county = county
        self.measure = measure
    }
}

/// Counts of one county in one quarter, by how the calls ended: what the published
/// tables are made from (the rollups, read as they were when the quarter was published).
public struct OutcomeSource: Sendable, Equatable {
    public var county: String
    public var quarter: Quarter
    public var category: DispositionCategory
    public var counts: OutcomeCounts

    public init(county: String, quarter: Quarter, category: DispositionCategory, counts: OutcomeCounts) {
        self.county = county
        self.quarter = quarter
        self.category = category
        self.counts = counts
    }
}

/// The only outcome numbers the public can see: one fixed set of tables, suppressed
/// together so that no hidden count can be worked out from any mix of them.
///
/// The tables (see docs/disclosure-control.md for why these):
/// - each published quarter: calls and each yes/no fact by county and for the state;
///   how calls ended (disposition category) for the state;
/// - each year whose four quarters are published: calls, each fact and how calls ended,
///   by county and for the state.
/// Every line of these tables is an equation a reader can use (counties add up to the
/// state, quarters to the year, outcomes to the calls), and each fact is at most the
/// calls. Quarters are suppressed one at a time, on their own numbers only, so that a
/// quarter's pattern never changes once published; a year is suppressed afterwards with
/// its quarters' pattern held fixed, hiding only year cells. Pages answer every filter by
/// choosing among these cells (and adding shown ones), never by counting reports again.
public struct PublishedOutcomes: Sendable {
    public let threshold: Int
    public let counties: [String]
    public let quarters: [Quarter]
    public let years: [Int]
    private var shown: [PublicCell: Int] = [:]
    private var hidden: Set<PublicCell> = []

    public static let flags = OutcomeFlag.allCases
    public static let categories = DispositionCategory.allCases

    /// The true count of every published cell, so that a later build can tell which
    /// quarters and years are unchanged.
    private var raw: [PublicCell: Int] = [:]

    /// Builds and suppresses the tables for `quarters` (the published ones) over
    /// `counties` (every county of the state, so that the list itself says nothing).
    /// A quarter or year whose cells all hold the same counts as in `previous` keeps the
    /// pattern `previous` chose (the same counts give the same pattern), so only what
    /// changed is solved again: a new quarter, or demo reports added.
    public init(
        sources: [OutcomeSource], counties: [String], quarters: [Quarter], threshold: Int = Suppression.defaultThreshold,
        reusing previous: PublishedOutcomes? = nil
    ) {
        self.threshold = threshold
        self.counties = counties.sorted()
        let published = Set(quarters)
        self.quarters = published.sorted()
        years = Set(published.map(\.year)).filter { year in (1...4).allSatisfy { published.contains(Quarter(year: year, quarter: $0)) } }
            .sorted()

        var raw: [PublicCell: Int] = [:]
        for source in sources where published.contains(source.quarter) {
            for county in [source.county, nil] as [String?] {
                let cell = { (measure: OutcomeMeasure) in PublicCell(.quarter(source.quarter), county, measure) }
                raw[cell(.calls), default: 0] += source.counts.calls
                for flag in Self.flags { raw[cell(.flag(flag)), default: 0] += source.counts[keyPath: flag.keyPath] }
                if county == nil { raw[cell(.category(source.category)), default: 0] += source.counts.calls }
            }
            for county in [source.county, nil] as [String?] {
                let year = source.quarter.year
                let cell = { (measure: OutcomeMeasure) in PublicCell(.year(year), county, measure) }
                raw[cell(.calls), default: 0] += source.counts.calls
                for flag in Self.flags { raw[cell(.flag(flag)), default: 0] += source.counts[keyPath: flag.keyPath] }
                raw[cell(.category(source.category)), default: 0] += source.counts.calls
            }
        }

        let reusable = previous.flatMap { $0.threshold == threshold && $0.counties == self.counties ? $0 : nil }
        for quarter in self.quarters {
            var layer = Layer(raw: raw)
            layer.addQuarter(quarter, counties: self.counties)
            for (cell, isHidden) in layer.solve(threshold: threshold, reusing: reusable) { record(cell, hidden: isHidden, raw: raw) }
        }
        for year in years {
            var layer = Layer(raw: raw)
            let decided = self
            for quarter in 1...4 {
                layer.addQuarter(Quarter(year: year, quarter: quarter), counties: self.counties, fixed: { decided.status($0) })
            }
            layer.addYear(year, counties: self.counties)
            for (cell, isHidden) in layer.solve(threshold: threshold, reusing: reusable) { record(cell, hidden: isHidden, raw: raw) }
        }
    }

    private mutating func record(_ cell: PublicCell, hidden isHidden: Bool, raw all: [PublicCell: Int]) {
        if isHidden { hidden.insert(cell); shown[cell] = nil } else { shown[cell] = all[cell] ?? 0; hidden.remove(cell) }
        raw[cell] = all[cell] ?? 0
    }

    /// The pattern this build chose for `cells` if each was published holding `counts`.
    fileprivate func statuses(of cells: [PublicCell], counts: (PublicCell) -> Int) -> [Bool]? {
        var result: [Bool] = []
        result.reserveCapacity(cells.count)
        for cell in cells {
            guard let count = raw[cell], count == counts(cell), let status = status(cell) else { return nil }
            result.append(status)
        }
        return result
    }

    private func status(_ cell: PublicCell) -> Bool? {
        if hidden.contains(cell) { return true }
        return shown[cell] != nil ? false : nil
    }

    /// Whether the cell is one of the published tables' cells.
    public func isPublished(_ cell: PublicCell) -> Bool { shown[cell] != nil || hidden.contains(cell) }

    /// The shown value of a published cell; nil when it is suppressed or not published.
    public func value(_ cell: PublicCell) -> Int? { shown[cell] }

    /// Every published cell with its value (nil = suppressed), in a stable order.
    public var cells: [(cell: PublicCell, value: Int?)] {
        let all = Array(shown.keys) + Array(hidden)
        return all.sorted { a, b in
            let pa = Self.periodOrder(a.period), pb = Self.periodOrder(b.period)
            if pa != pb { return pa < pb }
            if a.county != b.county { return (a.county ?? "") < (b.county ?? "") }
            return a.measure < b.measure
        }.map { ($0, shown[$0]) }
    }

    static func periodOrder(_ period: PublicPeriod) -> String {
        switch period {
        case .quarter(let q): "\(q.key)"
        case .year(let y): String(format: "%04dY", y)
        }
    }

    // MARK: sums a page may show

    /// The sum of `measure` over `counties` (nil: the state) and `quarters`, from
    /// published cells only: the state's cell when every county is asked for, a year's
    /// cell (or its four shown quarters) when the whole year is asked for. Nil when any
    /// part is suppressed or not published, so a filter never makes a new total.
    public func sum(_ measure: OutcomeMeasure, counties wanted: Set<String>?, quarters range: [Quarter]) -> Int? {
        let geography: [String?] = (wanted == nil || wanted == Set(counties)) ? [nil] : wanted!.sorted().map { Optional($0) }
        let asked = Set(range)
        var total = 0
        for year in Set(range.map(\.year)).sorted() {
            let yearQuarters = (1...4).map { Quarter(year: year, quarter: $0) }
            let whole = yearQuarters.allSatisfy { asked.contains($0) } && years.contains(year)
            for county in geography {
                if whole, let value = value(PublicCell(.year(year), county, measure)) {
                    total += value
                    continue
                }
                for quarter in yearQuarters where asked.contains(quarter) {
                    guard let value = value(PublicCell(.quarter(quarter), county, measure)) else { return nil }
                    total += value
                }
            }
        }
        return total
    }
}

/// The cells, lines and order facts of one suppression step (a quarter, or a year with
/// its quarters fixed).
private struct Layer {
    let raw: [PublicCell: Int]
    var index: [PublicCell: Int] = [:]
    var cells: [PublicCell] = []
    var tables = LinkedTables(values: [])

    init(raw: [PublicCell: Int]) { self.raw = raw }

    mutating func cell(_ cell: PublicCell, fixed: Bool? = nil) -> Int {
        if let existing = index[cell] { return existing }
        let id = tables.addCell(raw[cell] ?? 0)
        index[cell] = id
        cells.append(cell)
        if let fixed { tables.fixed[id] = fixed }
        return id
    }

    mutating func line(_ total: PublicCell, _ parts: [PublicCell], fixed: (PublicCell) -> Bool? = { _ in nil }) {
        let totalID = cell(total, fixed: fixed(total))
        let partIDs = parts.map { cell($0, fixed: fixed($0)) }
        tables.lines.append(.init(total: totalID, parts: partIDs))
    }

    mutating func order(_ small: PublicCell, atMost large: PublicCell, fixed: (PublicCell) -> Bool? = { _ in nil }) {
        tables.orders.append((cell(small, fixed: fixed(small)), cell(large, fixed: fixed(large))))
    }

    mutating func addQuarter(_ quarter: Quarter, counties: [String], fixed: (PublicCell) -> Bool? = { _ in nil }) {
        let period = PublicPeriod.quarter(quarter)
        for measure in [OutcomeMeasure.calls] + PublishedOutcomes.flags.map(OutcomeMeasure.flag) {
            line(PublicCell(period, nil, measure), counties.map { PublicCell(period, $0, measure) }, fixed: fixed)
        }
        line(PublicCell(period, nil, .calls), PublishedOutcomes.categories.map { PublicCell(period, nil, .category($0)) }, fixed: fixed)
        for county in counties.map(Optional.some) + [nil] {
            for flag in PublishedOutcomes.flags {
                order(PublicCell(period, county, .flag(flag)), atMost: PublicCell(period, county, .calls), fixed: fixed)
            }
        }
    }

    mutating func addYear(_ year: Int, counties: [String]) {
        let period = PublicPeriod.year(year)
        let quarters = (1...4).map { PublicPeriod.quarter(Quarter(year: year, quarter: $0)) }
        let places = counties.map(Optional.some) + [nil]
        let measures = [OutcomeMeasure.calls] + PublishedOutcomes.flags.map(OutcomeMeasure.flag)
        for measure in measures {
            for place in places { line(PublicCell(period, place, measure), quarters.map { PublicCell($0, place, measure) }) }
            line(PublicCell(period, nil, measure), counties.map { PublicCell(period, $0, measure) })
        }
        for category in PublishedOutcomes.categories {
            let measure = OutcomeMeasure.category(category)
            line(PublicCell(period, nil, measure), quarters.map { PublicCell($0, nil, measure) })
            line(PublicCell(period, nil, measure), counties.map { PublicCell(period, $0, measure) })
        }
        for place in places {
            line(PublicCell(period, place, .calls), PublishedOutcomes.categories.map { PublicCell(period, place, .category($0)) })
            for flag in PublishedOutcomes.flags {
                order(PublicCell(period, place, .flag(flag)), atMost: PublicCell(period, place, .calls))
            }
        }
    }

    /// The hidden status of every cell this layer decides (cells fixed before are left out).
    func solve(threshold: Int, reusing previous: PublishedOutcomes?) -> [(PublicCell, Bool)] {
        let hidden = previous?.statuses(of: cells, counts: { raw[$0] ?? 0 }) ?? tables.suppress(threshold: threshold)
        return cells.enumerated().compactMap { id, cell in tables.fixed[id] == nil ? (cell, hidden[id]) : nil }
    }
}
