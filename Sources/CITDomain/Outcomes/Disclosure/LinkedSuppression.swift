import Foundation

/// Small-count suppression for a set of linked tables: cells, the totals that tie them
/// together, and the order facts a reader knows (force used ≤ calls).
///
/// The rule (written out with its reasons in docs/disclosure-control.md):
/// 1. Primary: a count from 1 to `threshold - 1` is hidden. Zero is shown.
/// 2. Secondary, line by line until nothing changes: in every line (a total and the
///    parts that add up to it) the hidden entries must not be a single one, and when the
///    total is shown the hidden parts together must come to at least `threshold`, so a
///    reader who subtracts learns only "these together are 5 or more". The complement
///    chosen is the smallest shown part that makes the group large enough (else the
///    smallest shown part, else the total); a zero is never hidden, so a hidden count is
///    always at least 1 and hidden and zero cannot be confused into a smaller range.
/// 3. Audit: a linear programme per small hidden count finds the range a reader could
///    work out from every shown number, every line and every order fact together. A
///    count whose range holds one whole number gets one more complement in one of its
///    lines, and the rule runs again.
/// Cells whose status an earlier publication fixed (`fixed`) are never changed: numbers
/// already shown cannot be taken back, and numbers hidden stay hidden.
public struct LinkedTables: Sendable {
    public struct Line: Sendable, Equatable {
        public var total: Int
        public var parts: [Int]
        public init(total: Int, parts: [Int]) { self.total = total; self.parts = parts }
    }

    /// The true counts, one per cell.
    public var values: [Int]
    public var lines: [Line] = []
    /// `(small, large)`: the count in `small` can never exceed the count in `large`.
    public var orders: [(small: Int, large: Int)] = []
    /// Cells whose published status is already decided: true = hidden, false = shown.
    public var fixed: [Int: Bool] = [:]

    public init(values: [Int]) { self.values = values }

    public mutating func addCell(_ value: Int) -> Int {
        values.append(max(0, value))
        return values.count - 1
    }

    /// Which cells to hide.
    public func suppress(threshold: Int = Suppression.defaultThreshold) -> [Bool] {
        var hidden = values.indices.map { fixed[$0] ?? (values[$0] >= 1 && values[$0] < threshold) }
        guard threshold > 1 else { return hidden }
        // Audits of groups of hidden cells already found safe: a group's equations depend
        // only on which cells are in it, so an unchanged group need not be solved again.
        var safeGroups: Set<[Int]> = []
        while true {
            secondary(&hidden, threshold: threshold)
            var pinned: [Int] = []
            for group in auditUnits(hidden: hidden) where !safeGroups.contains(group) {
                let found = pinnedCells(in: group, hidden: hidden, threshold: threshold)
                if found.isEmpty { safeGroups.insert(group) } else { pinned += found }
            }
            if pinned.isEmpty { return hidden }
            var grew = false
            for cell in pinned {
                if let extra = widen(cell, hidden: hidden, threshold: threshold) {
                    hidden[extra] = true
                    grew = true
                }
            }
            // Nothing left to hide next to a pinned count: hide every free shown nonzero
            // cell of every line that holds one; when there is none left, stop (hidden
            // only grows, so this ends).
            if !grew {
                for cell in pinned {
                    for line in lines where line.total == cell || line.parts.contains(cell) {
                        for entry in line.parts + [line.total] where !hidden[entry] && fixed[entry] == nil && values[entry] > 0 {
                            hidden[entry] = true
                            grew = true
                        }
                    }
                }
                if !grew { return hidden }
            }
        }
    }

    /// Step 2: complements until every line is protected.
    private func secondary(_ hidden: inout [Bool], threshold: Int) {
        var changed = true
        while changed {
            changed = false
            for line in lines {
                let entries = line.parts + [line.total]
                let hiddenEntries = entries.filter { hidden[$0] }
                guard !hiddenEntries.isEmpty else { continue }
                let totalShown = !hidden[line.total]
                let hiddenSum = line.parts.filter { hidden[$0] }.reduce(0) { $0 + values[$1] }
                let needsMore = hiddenEntries.count == 1 || (totalShown && hiddenSum < threshold)
                guard needsMore else { continue }
                let candidates = line.parts.filter { !hidden[$0] && fixed[$0] == nil && values[$0] > 0 }
                let missing = threshold - hiddenSum
                let choice =
                    candidates.filter { values[$0] >= missing }.min { values[$0] < values[$1] }
                    ?? candidates.min { values[$0] < values[$1] }
                    ?? (totalShown && fixed[line.total] == nil && values[line.total] > 0 ? line.total : nil)
                if let choice {
                    hidden[choice] = true
                    changed = true
                }
            }
        }
    }

    /// A shown free cell to hide next to a pinned one: the smallest nonzero part of one
    /// of its lines, or that line's total.
    private func widen(_ cell: Int, hidden: [Bool], threshold: Int) -> Int? {
        for line in lines where line.total == cell || line.parts.contains(cell) {
            let free = (line.parts + [line.total]).filter { !hidden[$0] && fixed[$0] == nil && values[$0] > 0 }
            if let choice = free.min(by: { values[$0] < values[$1] }) { return choice }
        }
        return nil
    }

    /// Hidden cells holding 1 to `threshold - 1` that a reader can work out exactly.
    public static func pinned(in tables: LinkedTables, hidden: [Bool], threshold: Int) -> [Int] {
        Array(Set(tables.auditUnits(hidden: hidden).flatMap { tables.pinnedCells(in: $0, hidden: hidden, threshold: threshold) })).sorted()
    }

    /// The small hidden cells of one group that a reader can work out. The true counts
    /// are one solution of the reader's equations (`LinearSystem.pinned`).
    func pinnedCells(in group: [Int], hidden: [Bool], threshold: Int) -> [Int] {
        let small = group.filter { values[$0] >= 1 && values[$0] < threshold }
        guard !small.isEmpty else { return [] }
        let (system, index) = equations(for: group, hidden: hidden)
        guard let pinned = system.pinned(small.map { [index[$0]!: 1] }, truths: small.map { Double(values[$0]) }) else { return small }
        return zip(small, pinned).filter(\.1).map(\.0)
    }

    /// Hidden cells joined by a line, each group sorted. Order facts do not join groups
    /// (that would make one programme of every table); see `equations`.
    func groups(hidden: [Bool]) -> [[Int]] {
        let hiddenCells = values.indices.filter { hidden[$0] }
        var parent = Dictionary(uniqueKeysWithValues: hiddenCells.map { ($0, $0) })
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x]! != x { parent[x] = parent[parent[x]!]!; x = parent[x]! }
            return x
        }
        func union(_ group: [Int]) {
            guard let first = group.first else { return }
            for other in group.dropFirst() { parent[find(other)] = find(first) }
        }
        for line in lines { union((line.parts + [line.total]).filter { hidden[$0] }) }
        var groups: [Int: [Int]] = [:]
        for cell in hiddenCells { groups[find(cell), default: []].append(cell) }
        return groups.values.map { $0.sorted() }.sorted { $0[0] < $1[0] }
    }

    /// The groups audited together: each group on the small side of order facts (a
    /// yes/no fact's cells) with the groups its order facts reach (the calls), and every
    /// other group on its own. Auditing one fact with the calls at a time keeps the
    /// programmes small; the other facts enter only as "at least 1" (hidden) or their
    /// shown value, a slightly weaker reader than one with every table at once, which
    /// the attacker test (all tables jointly, from the pages) checks.
    func auditUnits(hidden: [Bool]) -> [[Int]] {
        let all = groups(hidden: hidden)
        var groupOf: [Int: Int] = [:]
        for (index, group) in all.enumerated() { for cell in group { groupOf[cell] = index } }
        var reaches: [Int: Set<Int>] = [:]
        for order in orders where hidden[order.small] && hidden[order.large] {
            reaches[groupOf[order.small]!, default: []].insert(groupOf[order.large]!)
        }
        var covered: Set<Int> = []
        var units: [[Int]] = []
        for (index, group) in all.enumerated() {
            guard let large = reaches[index] else { continue }
            units.append((group + large.flatMap { all[$0] }).sorted())
            covered.insert(index)
            covered.formUnion(large)
        }
        for (index, group) in all.enumerated() where !covered.contains(index) { units.append(group) }
        return units
    }

    /// What a reader knows about one set of hidden cells: each line through it as an
    /// equation, every hidden cell at least 1, each order fact between two of its cells
    /// as an inequality, and with a shown cell as a bound.
    func equations(for members: [Int], hidden: [Bool]) -> (LinearSystem, [Int: Int]) {
        let index = Dictionary(uniqueKeysWithValues: members.enumerated().map { ($1, $0) })
        var system = LinearSystem(count: members.count, lowerBound: 1)
        for line in lines {
            let entries = line.parts + [line.total]
            guard entries.contains(where: { index[$0] != nil }) else { continue }
            // A line through these cells and a hidden cell outside them (a cell of another
            // yes/no fact cannot be; a fact's lines hold only that fact) is left out.
            guard !entries.contains(where: { hidden[$0] && index[$0] == nil }) else { continue }
            var terms: [Int: Double] = [:]
            var constant = 0.0
            for part in line.parts {
                if let variable = index[part] { terms[variable, default: 0] += 1 } else { constant -= Double(values[part]) }
            }
            if let variable = index[line.total] { terms[variable, default: 0] -= 1 } else { constant += Double(values[line.total]) }
            system.equal(terms, constant)
        }
        for order in orders {
            switch (index[order.small], index[order.large]) {
            case let (small?, large?): system.atMost([small: 1, large: -1], 0)
            case let (small?, nil): if !hidden[order.large] { system.atMost([small: 1], Double(values[order.large])) }
            case let (nil, large?):
                if !hidden[order.small] { system.lowerBounds[large] = max(system.lowerBounds[large], Double(values[order.small])) }
            case (nil, nil): break
            }
        }
        return (system, index)
    }

    /// The whole-number range a reader can work out for each listed hidden cell from
    /// everything shown: the attacker's view, one group of hidden cells at a time.
    public func ranges(hidden: [Bool], of cells: [Int]) -> [Int: (min: Int, max: Int?)] {
        let wanted = Set(cells.filter { hidden[$0] })
        var result: [Int: (min: Int, max: Int?)] = [:]
        for group in auditUnits(hidden: hidden) {
            let targets = group.filter { wanted.contains($0) && result[$0] == nil }
            guard !targets.isEmpty else { continue }
            let (system, index) = equations(for: group, hidden: hidden)
            guard let bounds = system.integerBounds(of: targets.map { index[$0]! }) else { continue }
            for (target, bound) in zip(targets, bounds) { result[target] = bound }
        }
        return result
    }
}
