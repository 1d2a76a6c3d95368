import Foundation

/// A reference file (counties, boundaries, ZIP codes) that does not hold what CIT Hub
/// expects, with the line or record where the problem is.
///
/// The app loads these files at first start; a bad value must stop the load with a
/// message someone can act on, rather than put a wrong county on the public map.
public struct ReferenceDataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Where the problem is: "line 14", "feature 3 (55025)".
    public let location: String
    /// What is wrong, in plain words.
    public let reason: String

    public init(location: String, reason: String) {
        self.location = location
        self.reason = reason
    }

    public var description: String { "\(location): \(reason)" }
}

extension ReferenceDataError {
    static func line(_ line: Int, _ reason: String) -> ReferenceDataError {
        ReferenceDataError(location: "line \(line)", reason: reason)
    }
}

/// Small field checks shared by the reference file readers.
enum ReferenceField {
    /// Exactly `count` ASCII digits: FIPS and ZIP codes keep their leading zeros, so they
    /// are strings, but they are never anything but digits.
    static func isDigits(_ text: String, count: Int) -> Bool {
        text.utf8.count == count && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    static func digits(_ row: CSVTable.Row, _ column: String, count: Int, what: String) throws -> String {
        let value = try row.value(column)
        guard isDigits(value, count: count) else {
            throw ReferenceDataError.line(row.line, "\(what) \"\(value)\" in column \(column) is not \(count) digits.")
        }
        return value
    }

    static func text(_ row: CSVTable.Row, _ column: String) throws -> String {
        let value = try row.value(column).trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else {
            throw ReferenceDataError.line(row.line, "column \(column) is empty.")
        }
        return value
    }

    static func optionalDouble(_ row: CSVTable.Row, _ column: String, in range: ClosedRange<Double>) throws -> Double? {
        let value = try row.value(column)
        if value.isEmpty { return nil }
        guard let number = Double(value), number.isFinite, range.contains(number) else {
            throw ReferenceDataError.line(
                row.line, "\(column) \"\(value)\" is not a number from \(range.lowerBound) to \(range.upperBound)."
            )
        }
        return number
    }
}
