import Foundation

/// Sums for one group (a county in a quarter, an agency, ...).
///
/// Dashboards and grant reports show these sums, never the reports themselves; sums
/// of groups can be added, so a county's year is the sum of its quarters.
public struct OutcomeCounts: Sendable, Equatable, Codable {
    public var calls = 0, citRequested = 0, citDispatched = 0, citArrived = 0, citTrainedOnScene = 0
    public var forceUsed = 0, injuryPerson = 0, injuryOfficer = 0, injuryOther = 0
    public var byCategory: [DispositionCategory: Int] = [:]

    public init() {}

    /// The sums of `records`, each counted under its disposition's category in `catalog`.
    public init(_ records: some Sequence<EncounterRecord>, catalog: DispositionCatalog) {
        for record in records { add(record, catalog: catalog) }
    }

    /// Counts one report. A disposition code no longer in the catalog (a state changed
    /// its list) is counted as "other" rather than dropped, so totals still add up.
    public mutating func add(_ record: EncounterRecord, catalog: DispositionCatalog) {
        calls += 1
        if record.citRequested { citRequested += 1 }
        if record.citDispatched { citDispatched += 1 }
        if record.citArrived { citArrived += 1 }
        if record.citTrainedOnScene { citTrainedOnScene += 1 }
        if record.forceLevel.isForce { forceUsed += 1 }
        if record.injuryPerson { injuryPerson += 1 }
        if record.injuryOfficer { injuryOfficer += 1 }
        if record.injuryOther { injuryOther += 1 }
        let category = catalog.disposition(code: record.dispositionCode)?.category ?? .other
        byCategory[category, default: 0] += 1
    }

    public static func + (a: Self, b: Self) -> Self {
        var sum = a
        sum.calls += b.calls
        sum.citRequested += b.citRequested
        sum.citDispatched += b.citDispatched
        sum.citArrived += b.citArrived
        sum.citTrainedOnScene += b.citTrainedOnScene
        sum.forceUsed += b.forceUsed
        sum.injuryPerson += b.injuryPerson
        sum.injuryOfficer += b.injuryOfficer
        sum.injuryOther += b.injuryOther
        sum.byCategory.merge(b.byCategory, uniquingKeysWith: +)
        return sum
    }

    /// Reports with a disposition in `category`.
    public func count(_ category: DispositionCategory) -> Int {
        byCategory[category] ?? 0
    }

    /// requested/calls etc. as 0...1, nil when calls == 0 (no share of no calls).
    /// Public views should use `Suppression.rate` on suppressed counts instead.
    public func share(_ keyPath: KeyPath<OutcomeCounts, Int>) -> Double? {
        guard calls > 0 else { return nil }
        return Double(self[keyPath: keyPath]) / Double(calls)
    }
}
