import Foundation

/// What a reader can work out about unknown counts from published numbers: the smallest
/// and largest value each unknown can take, given linear facts about them.
///
/// This is the attacker of statistical disclosure control (the "audit" of τ-ARGUS and
/// sdcTable): every published total is an equation over the hidden counts, every count is
/// at least zero (a hidden one at least one, because CIT Hub never hides a zero), and some
/// counts can be no larger than others (force used ≤ calls). Solving a linear programme
/// per unknown gives its range; a range holding a single whole number means the unknown
/// has been worked out.
///
/// The solver is a dense two-phase simplex with Bland's rule (no cycling), exact enough
/// here because every coefficient is 0, 1 or -1 and every constant a whole count.
public struct LinearSystem: Sendable {
    /// `Σ coefficient × x[variable] (= | ≤) constant`.
    public struct Constraint: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case equal, atMost }
        public var terms: [Int: Double]
        public var kind: Kind
        public var constant: Double

        public init(terms: [Int: Double], kind: Kind, constant: Double) {
            self.terms = terms
            self.kind = kind
            self.constant = constant
        }
    }

    /// Number of unknowns, `x[0] ..< x[count]`.
    public var count: Int
    /// Lower bound of each unknown (0 unless raised).
    public var lowerBounds: [Double]
    public var constraints: [Constraint] = []

    public init(count: Int, lowerBound: Double = 0) {
        self.count = count
        lowerBounds = [Double](repeating: lowerBound, count: count)
    }

    public mutating func equal(_ terms: [Int: Double], _ constant: Double) {
        constraints.append(Constraint(terms: terms, kind: .equal, constant: constant))
    }

    public mutating func atMost(_ terms: [Int: Double], _ constant: Double) {
        constraints.append(Constraint(terms: terms, kind: .atMost, constant: constant))
    }

    /// The range of each listed expression over every solution: `(min, max)`, max nil
    /// when unbounded; nil for the whole answer when the facts contradict each other.
    public func bounds(of objectives: [[Int: Double]]) -> [(min: Double, max: Double?)]? {
        guard let solver = Simplex(self) else { return nil }
        return objectives.map { objective in
            let low = solver.optimum(of: objective.mapValues { -$0 }).map { -$0 } ?? -Double.infinity
            let high = solver.optimum(of: objective)
            return (low, high)
        }
    }

    /// Which expressions a reader can pin to one whole number, given one known solution
    /// (`truths`: each expression's value in it, as the true counts give). An expression
    /// is free when some solution gives it a value at least 1 away from its truth. A few
    /// programmes over many expressions at once (raise all, lower all, mixed signs) free
    /// most of them; each one still held gets its own maximum, then minimum. Nil when the
    /// facts contradict each other.
    public func pinned(_ expressions: [[Int: Double]], truths: [Double]) -> [Bool]? {
        guard let solver = Simplex(self) else { return nil }
        var open = Set(expressions.indices)
        func value(_ expression: [Int: Double], _ solution: [Double]) -> Double {
            expression.reduce(0) { $0 + $1.value * solution[$1.key] }
        }
        var signs: UInt64 = 0x2545F4914F6CDD1D
        for round in 0..<8 where open.count > 2 {
            var objective: [Int: Double] = [:]
            for index in open.sorted() {
                signs = signs &* 6364136223846793005 &+ 1442695040888963407
                let sign: Double = round == 0 ? 1 : round == 1 ? -1 : ((signs >> 33) & 1 == 0 ? 1 : -1)
                for (variable, coefficient) in expressions[index] { objective[variable, default: 0] += sign * coefficient }
            }
            guard let solution = solver.solution(maximising: objective) else { continue }
            open = open.filter { abs(value(expressions[$0], solution) - truths[$0]) < 0.5 }
        }
        var result = [Bool](repeating: false, count: expressions.count)
        for index in open {
            let truth = truths[index]
            // No maximum (unbounded) or one at least 1 above the truth: free.
            guard let high = solver.optimum(of: expressions[index]), high < truth + 1 - 1e-6 else { continue }
            let low = solver.optimum(of: expressions[index].mapValues { -$0 }).map { -$0 } ?? -Double.infinity
            result[index] = low > truth - 1 + 1e-6
        }
        return result
    }

    /// The whole numbers each unknown can take, as a closed range (upper nil when
    /// unbounded); nil when the facts contradict each other.
    public func integerBounds(of variables: [Int]) -> [(min: Int, max: Int?)]? {
        bounds(of: variables.map { [$0: 1] })?.map { range in
            let low = Int((range.min - 1e-6).rounded(.up))
            let high = range.max.map { Int(($0 + 1e-6).rounded(.down)) }
            return (low, high)
        }
    }
}

/// A feasible simplex tableau for `LinearSystem`, kept after phase one so that each
/// objective starts from a feasible basis. Stored flat, row by row, with the constant
/// last in each row.
struct Simplex {
    private var table: [Double]
    private var width: Int
    private var rowCount: Int
    private var basis: [Int]
    /// Each unknown's lower bound: the tableau holds `x - lower`.
    private let shift: [Double]
    private var realColumns: Int
    private static let eps = 1e-9

    init?(_ system: LinearSystem) {
        let n = system.count
        shift = system.lowerBounds
        let slacks = system.constraints.filter { $0.kind == .atMost }.count
        let m = system.constraints.count
        let real = n + slacks
        let columns = real + m  // one artificial per row
        width = columns + 1
        rowCount = m
        table = [Double](repeating: 0, count: m * width)
        var slack = n
        for (row, constraint) in system.constraints.enumerated() {
            let base = row * width
            var constant = constraint.constant
            for (variable, coefficient) in constraint.terms {
                table[base + variable] += coefficient
                constant -= coefficient * system.lowerBounds[variable]
            }
            if constraint.kind == .atMost { table[base + slack] = 1; slack += 1 }
            if constant < 0 {
                for column in 0..<real { table[base + column] = -table[base + column] }
                constant = -constant
            }
            table[base + real + row] = 1
            table[base + columns] = constant
        }
        basis = (0..<m).map { real + $0 }
        realColumns = columns

        // Phase one: minimise the artificials (maximise their negated sum).
        var phaseOne = [Double](repeating: 0, count: columns)
        for column in real..<columns { phaseOne[column] = -1 }
        guard let value = Self.maximise(&table, &basis, width: width, rows: rowCount, objective: phaseOne, allowed: columns) else {
            return nil
        }
        if value < -1e-7 { return nil }
        // Drive artificials out of the basis; a row where that is impossible is redundant.
        var keep: [Int] = []
        for row in 0..<rowCount {
            if basis[row] >= real {
                guard let column = (0..<real).first(where: { abs(table[row * width + $0]) > 1e-7 }) else { continue }
                Self.pivot(&table, &basis, width: width, rows: rowCount, row: row, column: column)
            }
            keep.append(row)
        }
        // Drop the artificial columns and redundant rows.
        var compact = [Double](repeating: 0, count: keep.count * (real + 1))
        for (newRow, row) in keep.enumerated() {
            for column in 0..<real { compact[newRow * (real + 1) + column] = table[row * width + column] }
            compact[newRow * (real + 1) + real] = table[row * width + columns]
        }
        basis = keep.map { basis[$0] }
        table = compact
        width = real + 1
        rowCount = keep.count
        realColumns = real
    }

    /// A solution maximising `Σ c × x`: the unknowns' values; nil when unbounded.
    func solution(maximising objective: [Int: Double]) -> [Double]? {
        var c = [Double](repeating: 0, count: realColumns)
        for (variable, coefficient) in objective { c[variable] = coefficient }
        var working = table, workingBasis = basis
        guard Self.maximise(&working, &workingBasis, width: width, rows: rowCount, objective: c, allowed: realColumns) != nil else {
            return nil
        }
        var values = shift
        for (row, column) in workingBasis.enumerated() where column < shift.count {
            values[column] += working[row * width + width - 1]
        }
        return values
    }

    /// The largest value of `Σ c × x` (unknowns, not slacks); nil when unbounded.
    func optimum(of objective: [Int: Double]) -> Double? {
        var c = [Double](repeating: 0, count: realColumns)
        var offset = 0.0
        for (variable, coefficient) in objective {
            c[variable] = coefficient
            offset += coefficient * shift[variable]
        }
        var working = table, workingBasis = basis
        guard let value = Self.maximise(&working, &workingBasis, width: width, rows: rowCount, objective: c, allowed: realColumns) else {
            return nil
        }
        return value + offset
    }

    /// Maximises `objective · y` from a feasible canonical tableau. Enters the column of
    /// largest reduced cost (Dantzig), and after many steps that gain nothing, the first
    /// improving column (Bland), which cannot cycle. Returns nil when unbounded.
    private static func maximise(_ table: inout [Double], _ basis: inout [Int], width: Int, rows: Int, objective: [Double], allowed: Int)
        -> Double?
    {
        let last = width - 1
        // Reduced costs r_j = c_j - c_B · column j, kept up to date through pivots.
        var reduced = [Double](repeating: 0, count: width)
        for column in 0..<allowed { reduced[column] = objective[column] }
        for row in 0..<rows where objective[basis[row]] != 0 {
            let weight = objective[basis[row]], base = row * width
            for column in 0...last { reduced[column] -= weight * table[base + column] }
        }
        var stalled = 0
        while true {
            var entering = -1
            if stalled < 50 {
                var best = eps
                for column in 0..<allowed where reduced[column] > best { best = reduced[column]; entering = column }
            } else {
                for column in 0..<allowed where reduced[column] > eps { entering = column; break }
            }
            guard entering >= 0 else {
                var value = 0.0
                for row in 0..<rows { value += objective[basis[row]] * table[row * width + last] }
                return value
            }
            var leaving = -1
            var best = Double.infinity
            for row in 0..<rows {
                let coefficient = table[row * width + entering]
                guard coefficient > eps else { continue }
                let ratio = table[row * width + last] / coefficient
                if ratio < best - eps || (abs(ratio - best) <= eps && basis[row] < basis[leaving]) {
                    best = ratio
                    leaving = row
                }
            }
            guard leaving >= 0 else { return nil }
            stalled = best <= eps ? stalled + 1 : 0
            let factor = reduced[entering]
            pivot(&table, &basis, width: width, rows: rows, row: leaving, column: entering)
            let base = leaving * width
            for column in 0...last where table[base + column] != 0 { reduced[column] -= factor * table[base + column] }
            reduced[entering] = 0
        }
    }

    private static func pivot(_ table: inout [Double], _ basis: inout [Int], width: Int, rows: Int, row: Int, column: Int) {
        let base = row * width
        let factor = table[base + column]
        var nonzero: [Int] = []
        for index in 0..<width where table[base + index] != 0 {
            table[base + index] /= factor
            nonzero.append(index)
        }
        table.withUnsafeMutableBufferPointer { t in
            for other in 0..<rows where other != row {
                let otherBase = other * width
                let multiple = t[otherBase + column]
                guard multiple != 0 else { continue }
                for index in nonzero { t[otherBase + index] -= multiple * t[base + index] }
                t[otherBase + column] = 0
            }
        }
        basis[row] = column
    }
}
