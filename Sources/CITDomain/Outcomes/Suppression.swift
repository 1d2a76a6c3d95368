import Foundation

/// A table of counts as collected, before anything is hidden: rows (say, counties) by
/// columns (say, dispositions).
public struct CountTable: Sendable, Equatable {
    public var rowLabels: [String]
    public var columnLabels: [String]
    /// `cells[row][column]`. A missing cell (a short row) counts as 0; negative counts
    /// are treated as 0.
    public var cells: [[Int]]

    public init(rowLabels: [String], columnLabels: [String], cells: [[Int]]) {
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.cells = cells
    }

    /// The count at a position; 0 outside the stored cells, so a ragged table cannot
    /// stop the page that shows it.
    public func count(row: Int, column: Int) -> Int {
        guard cells.indices.contains(row), cells[row].indices.contains(column) else { return 0 }
        return max(0, cells[row][column])
    }
}

/// A table of counts with row and column totals, as shown publicly. nil = suppressed.
public struct SuppressedTable: Sendable, Equatable {
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var cells: [[Int?]]
    public var rowTotals: [Int?]
    public var columnTotals: [Int?]
    public var grandTotal: Int?
    /// The threshold used, so the page can say what a hidden cell means.
    public var threshold: Int

    public init(
        rowLabels: [String], columnLabels: [String], cells: [[Int?]], rowTotals: [Int?],
        columnTotals: [Int?], grandTotal: Int?, threshold: Int = Suppression.defaultThreshold
    ) {
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.cells = cells
        self.rowTotals = rowTotals
        self.columnTotals = columnTotals
        self.grandTotal = grandTotal
        self.threshold = threshold
    }

    /// The short mark for a suppressed cell in a dense table ("<5"), explained on the page
    /// with `Suppression.label`.
    public static let marker = "<\(Suppression.defaultThreshold)"

    /// The short mark for a suppressed cell at another threshold.
    public static func marker(threshold: Int) -> String { "<\(threshold)" }

    /// How a value is shown: the number, or the marker for this table's threshold.
    public func display(_ value: Int?) -> String {
        value.map(String.init) ?? Self.marker(threshold: threshold)
    }
}

/// Small-cell suppression for public views.
///
/// A count of 1 to 4 encounters in one county and one quarter can point to a person the
/// neighbours know (the one veteran taken into emergency detention in a small county).
/// Public pages and exports therefore hide small counts, and also any count that could
/// be worked back from a total: hiding one cell in a row while showing the row total
/// hides nothing.
public enum Suppression {
    /// Counts below 5 are hidden, the common rule in public health reporting.
    public static let defaultThreshold = 5

    /// Suppresses a table for publication.
    ///
    /// Cells from 1 to threshold - 1 are hidden; zero is shown (it identifies no one).
    /// Row, column and grand totals below the threshold are hidden the same way. Then
    /// complementary suppression, repeated until nothing changes: the table with its
    /// totals is a grid in which every row and every column is "entries that add up to a
    /// total", and any such line with exactly one hidden entry lets a reader subtract to
    /// recover it. In that line the smallest shown nonzero entry other than the total is
    /// hidden too (the least information lost); only if there is none is the total (or
    /// lastly a zero) hidden. A line with one hidden entry always has a shown one, so
    /// the loop ends with every line holding no hidden entry or at least two.
    public static func apply(_ table: CountTable, threshold: Int = defaultThreshold) -> SuppressedTable {
        let rows = table.rowLabels.count
        let columns = table.columnLabels.count

        // The grid with totals: row `rows` holds column totals, column `columns` holds row
        // totals, and the corner the grand total.
        var grid = [[Int]](repeating: [Int](repeating: 0, count: columns + 1), count: rows + 1)
        for row in 0..<rows {
            for column in 0..<columns {
                let count = table.count(row: row, column: column)
                grid[row][column] = count
                grid[row][columns] += count
                grid[rows][column] += count
                grid[rows][columns] += count
            }
        }

        func isSmall(_ count: Int) -> Bool { count >= 1 && count < threshold }
        var hidden = grid.map { $0.map(isSmall) }

        // Every line of the grid: its entries, the last being its total.
        typealias Position = (row: Int, column: Int)
        var lines: [[Position]] = []
        for row in 0...rows {
            lines.append((0...columns).map { (row, $0) })
        }
        for column in 0...columns {
            lines.append((0...rows).map { ($0, column) })
        }

        var changed = threshold > 1
        while changed {
            changed = false
            for line in lines {
                let hiddenCount = line.reduce(0) { $0 + (hidden[$1.row][$1.column] ? 1 : 0) }
                guard hiddenCount == 1 else { continue }
                guard let partner = complement(in: line, grid: grid, hidden: hidden) else { continue }
                hidden[partner.row][partner.column] = true
                changed = true
            }
        }

        func shown(_ row: Int, _ column: Int) -> Int? {
            hidden[row][column] ? nil : grid[row][column]
        }
        return SuppressedTable(
            rowLabels: table.rowLabels,
            columnLabels: table.columnLabels,
            cells: (0..<rows).map { row in (0..<columns).map { shown(row, $0) } },
            rowTotals: (0..<rows).map { shown($0, columns) },
            columnTotals: (0..<columns).map { shown(rows, $0) },
            grandTotal: shown(rows, columns),
            threshold: threshold
        )
    }

    /// The entry to hide next to a line's single hidden one: the smallest shown nonzero
    /// entry that is not the total (first in the line on a tie), else the total, else a
    /// shown zero.
    private static func complement(
        in line: [(row: Int, column: Int)], grid: [[Int]], hidden: [[Bool]]
    ) -> (row: Int, column: Int)? {
        guard let total = line.last else { return nil }
        let shown = line.filter { !hidden[$0.row][$0.column] }
        let nonzeroParts = shown.dropLast(hidden[total.row][total.column] ? 0 : 1).filter { grid[$0.row][$0.column] > 0 }
        if let smallest = nonzeroParts.min(by: { grid[$0.row][$0.column] < grid[$1.row][$1.column] }) {
            return smallest
        }
        if !hidden[total.row][total.column] { return total }
        return shown.first
    }

    /// A rate whose numerator or denominator is suppressed, or whose denominator is below
    /// the threshold, is nil: a share of 3 encounters says too much about too few.
    public static func rate(_ numerator: Int?, of denominator: Int?, threshold: Int = defaultThreshold) -> Double? {
        guard let numerator, let denominator, denominator >= max(threshold, 1) else { return nil }
        return Double(numerator) / Double(denominator)
    }

    /// What a suppressed cell shows: "suppressed". Not "fewer than 5": a cell hidden to
    /// protect a small one can hold any count, and labelling the two kinds differently
    /// would tell a reader which hidden cells are the small ones.
    public static func label(threshold: Int = defaultThreshold) -> String {
        "suppressed"
    }
}
