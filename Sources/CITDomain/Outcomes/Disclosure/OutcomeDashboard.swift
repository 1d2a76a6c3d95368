import Foundation

/// Where a dashboard's numbers come from: the published tables (the public) or exact
/// sums of the reports a signed-in person is responsible for.
public protocol OutcomeNumbers: Sendable {
    /// Quarters with numbers, oldest first.
    var quarters: [Quarter] { get }
    /// The sum of `measure` over `counties` (nil: everywhere) and `quarters`; nil when it
    /// may not be shown.
    func sum(_ measure: OutcomeMeasure, counties: Set<String>?, quarters: [Quarter]) -> Int?
    /// The quarters, of `range`, that outcome categories can be shown for.
    func categoryQuarters(counties: Set<String>?, in range: [Quarter]) -> [Quarter]
    /// A share of calls: nil when it would say too much about too few.
    func share(_ part: Int?, of calls: Int?) -> Double?
    /// Whether any number is hidden.
    var isSuppressed: Bool { get }
}

extension PublishedOutcomes: OutcomeNumbers {
    /// Outcomes by county are published for whole years only; for the state, by quarter.
    public func categoryQuarters(counties wanted: Set<String>?, in range: [Quarter]) -> [Quarter] {
        if wanted == nil || wanted == Set(counties) { return range }
        let asked = Set(range)
        return range.filter { quarter in
            years.contains(quarter.year) && (1...4).allSatisfy { asked.contains(Quarter(year: quarter.year, quarter: $0)) }
        }
    }

    public func share(_ part: Int?, of calls: Int?) -> Double? { Suppression.rate(part, of: calls, threshold: threshold) }

    public var isSuppressed: Bool { true }
}

/// Exact sums of reports, for people who may see them.
public struct ExactOutcomes: OutcomeNumbers {
    public let quarters: [Quarter]
    private let sources: [OutcomeSource]

    public init(sources: [OutcomeSource]) {
        self.sources = sources
        quarters = Set(sources.filter { $0.counts.calls > 0 }.map(\.quarter)).sorted()
    }

    public func sum(_ measure: OutcomeMeasure, counties: Set<String>?, quarters range: [Quarter]) -> Int? {
        let asked = Set(range)
        return sources.filter { asked.contains($0.quarter) && (counties?.contains($0.county) ?? true) }.reduce(0) { total, source in
            switch measure {
            case .calls: total + source.counts.calls
            case .flag(let flag): total + source.counts[keyPath: flag.keyPath]
            case .category(let category): total + (source.category == category ? source.counts.calls : 0)
            }
        }
    }

    public func categoryQuarters(counties: Set<String>?, in range: [Quarter]) -> [Quarter] { range }

    public func share(_ part: Int?, of calls: Int?) -> Double? {
        guard let part, let calls, calls > 0 else { return nil }
        return Double(part) / Double(calls)
    }

    public var isSuppressed: Bool { false }
}

/// One number on a dashboard with what it counts, so that a reader (or a test playing
/// one) knows exactly which reports it sums.
public struct OutcomeFigure: Sendable, Equatable {
    public var measure: OutcomeMeasure
    /// nil: the whole selection's place (every county when the selection is the state).
    public var counties: Set<String>?
    public var quarters: [Quarter]
    /// nil: suppressed (or not published for this combination).
    public var value: Int?
}

/// What a dashboard shows for one selection: a place (the state, a county, a
/// program's counties) and a range of quarters.
public struct OutcomeDashboard: Sendable {
    public struct TrendRow: Sendable {
        public var quarter: Quarter
        public var calls: OutcomeFigure
        public var requested: Double?, dispatched: Double?, arrived: Double?
        public var parts: [OutcomeFigure]
    }

    public struct CountyRow: Sendable {
        public var county: String
        public var cells: [OutcomeFigure]
        public var total: OutcomeFigure
    }

    public var quarters: [Quarter]
    public var summary: [(figure: OutcomeFigure, share: Double?)]
    public var categoryQuarters: [Quarter]
    public var dispositions: [OutcomeFigure]
    public var trend: [TrendRow]
    public var countyRows: [CountyRow]
    public var totalRow: [OutcomeFigure]
    public var total: OutcomeFigure

    /// Every number the dashboard shows (HTML, CSV and charts all draw from these).
    public var figures: [OutcomeFigure] {
        summary.map(\.figure) + dispositions + trend.flatMap { [$0.calls] + $0.parts }
            + countyRows.flatMap { $0.cells + [$0.total] } + totalRow + [total]
    }

    /// The dashboard of `numbers` for `counties` (nil: the state) between `from` and `to`.
    /// `countyList` is every county a row could be shown for.
    public init(_ numbers: some OutcomeNumbers, counties selected: Set<String>?, from: Quarter?, to: Quarter?, countyList: [String]) {
        let range = numbers.quarters.filter { quarter in (from.map { quarter >= $0 } ?? true) && (to.map { quarter <= $0 } ?? true) }
        quarters = range
        func figure(_ measure: OutcomeMeasure, _ place: Set<String>?, _ span: [Quarter]) -> OutcomeFigure {
            OutcomeFigure(
                measure: measure, counties: place, quarters: span,
                value: span.isEmpty ? 0 : numbers.sum(measure, counties: place, quarters: span))
        }
        let calls = figure(.calls, selected, range)
        total = calls
        summary =
            [(calls, nil)]
            + PublishedOutcomes.flags.map { flag in
                let part = figure(.flag(flag), selected, range)
                return (part, numbers.share(part.value, of: calls.value))
            }
        categoryQuarters = numbers.categoryQuarters(counties: selected, in: range)
        let categorySpan = categoryQuarters
        dispositions = categorySpan.isEmpty ? [] : PublishedOutcomes.categories.map { figure(.category($0), selected, categorySpan) }
        trend = range.map { quarter in
            let quarterCalls = figure(.calls, selected, [quarter])
            let parts = [OutcomeFlag.citRequested, .citDispatched, .citArrived].map { figure(.flag($0), selected, [quarter]) }
            return TrendRow(
                quarter: quarter, calls: quarterCalls,
                requested: numbers.share(parts[0].value, of: quarterCalls.value),
                dispatched: numbers.share(parts[1].value, of: quarterCalls.value),
                arrived: numbers.share(parts[2].value, of: quarterCalls.value), parts: parts)
        }
        let rowCounties = (selected.map { Array($0) } ?? countyList).sorted()
        countyRows = rowCounties.compactMap { county in
            let place: Set<String> = [county]
            let cells = range.map { figure(.calls, place, [$0]) }
            let rowTotal = figure(.calls, place, range)
            // A county with no calls at all in the range is left out (its row would be all zeros).
            if rowTotal.value == 0 { return nil }
            return CountyRow(county: county, cells: cells, total: rowTotal)
        }
        totalRow = range.map { figure(.calls, selected, [$0]) }
    }
}
