import Foundation

/// Reading and writing comma-separated values as RFC 4180 describes them.
///
/// CIT Hub reads CSV (the reference data it loads at first start, rosters a coordinator
/// uploads) and writes it (directory, training and grant exports, which people open in
/// spreadsheets). Both directions live here so that what we write we can read back.
public enum CSV {

    /// A CSV text that cannot be read, with the line where the problem is so that the
    /// person who made the file can find it.
    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        /// The 1-based physical line of the file (counting line breaks inside quoted
        /// fields too, as a text editor would).
        public let line: Int
        /// What is wrong, in plain words.
        public let reason: String

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }

        public var description: String { "CSV line \(line): \(reason)" }
    }

    /// Parses CSV text into records of fields.
    ///
    /// Accepts what spreadsheets and scripts actually produce: CRLF or LF line endings
    /// (a lone CR too), with or without a final line break, and a UTF-8 byte-order mark
    /// at the start (Excel writes one). A quoted field may hold commas, line breaks and
    /// doubled quotes. A blank line is a record with one empty field, as in RFC 4180;
    /// `CSVTable` skips those.
    ///
    /// - Throws: `CSV.ParseError` for a quoted field that is never closed, or for text
    ///   after a closing quote (`"ab"c`), because guessing there could shift every
    ///   following column.
    public static func parse(_ text: String) throws -> [[String]] {
        try parseRecords(text).map(\.fields)
    }

    /// One record and the line it starts on, so callers can name the line in errors.
    struct Record {
        var fields: [String]
        var line: Int
    }

    static func parseRecords(_ text: String) throws -> [Record] {
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }

        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var quoteOpenedOnLine = 0
        var afterClosingQuote = false
        // True once anything of the current record has been read, so that text ending
        // without a line break still yields its last record.
        var recordStarted = false

        func endField() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            afterClosingQuote = false
        }
        func endRecord() {
            endField()
            records.append(Record(fields: fields, line: recordLine))
            fields = []
            recordStarted = false
        }

        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            index = scalars.index(after: index)

            if inQuotes {
                if scalar == "\"" {
                    if index < scalars.endIndex, scalars[index] == "\"" {
                        field.append("\"")
                        index = scalars.index(after: index)
                    } else {
                        inQuotes = false
                        afterClosingQuote = true
                    }
                } else {
                    if scalar == "\n" || (scalar == "\r" && (index == scalars.endIndex || scalars[index] != "\n")) {
                        line += 1
                    }
                    field.append(scalar)
                }
                continue
            }

            switch scalar {
            case ",":
                recordStarted = true
                endField()
            case "\r", "\n":
                if scalar == "\r", index < scalars.endIndex, scalars[index] == "\n" {
                    index = scalars.index(after: index)
                }
                // Every line break ends a record: after a blank line that record is
                // one empty field; a final line break is followed by nothing, so it
                // adds no record.
                endRecord()
                line += 1
                recordLine = line
            case "\"" where field.isEmpty && !afterClosingQuote:
                recordStarted = true
                inQuotes = true
                quoteOpenedOnLine = line
            default:
                if afterClosingQuote {
                    throw ParseError(
                        line: line,
                        reason: "text after the closing quote of a field; a quote inside a quoted field must be doubled (\"\")."
                    )
                }
                // A quote in the middle of an unquoted field (5" pipe) is not RFC 4180,
                // but it is unambiguous and common in hand-made files: keep it as text.
                recordStarted = true
                field.append(scalar)
            }
        }

        if inQuotes {
            throw ParseError(
                line: quoteOpenedOnLine,
                reason: "a quoted field starts here and is never closed."
            )
        }
        if recordStarted || !fields.isEmpty || !field.isEmpty || afterClosingQuote {
            endRecord()
        }
        return records
    }

    // MARK: Writing

    /// Formats one record as a CSV line, without a line break.
    ///
    /// Fields holding a comma, a quote or a line break are quoted, quotes doubled.
    ///
    /// A field that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
    /// leading apostrophe. Spreadsheets run such a cell as a formula, so a name or a
    /// comment typed into a public form could run commands or leak data on the computer
    /// of the coordinator who opens the export ("CSV injection", OWASP). The apostrophe
    /// makes the spreadsheet show the text as typed. A field that is only a number
    /// (`-88.4862`, `+5`) is left alone: it cannot be a formula, and coordinates and
    /// counts must stay numbers.
    public static func line(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",")
    }

    /// Formats a whole CSV document: the header, then each row, every line ending in
    /// CRLF as RFC 4180 asks (Excel and LibreOffice read it everywhere).
    public static func document(header: [String], rows: [[String]]) -> String {
        var text = line(header) + "\r\n"
        for row in rows {
            text += line(row) + "\r\n"
        }
        return text
    }

    static func escape(_ field: String) -> String {
        var value = field
        if let first = value.unicodeScalars.first,
            formulaTriggers.contains(first),
            !isPlainNumber(value)
        {
            value = "'" + value
        }
        if value.unicodeScalars.contains(where: { quoteTriggers.contains($0) }) {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }

    private static let formulaTriggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
    private static let quoteTriggers: Set<Unicode.Scalar> = [",", "\"", "\r", "\n"]

    /// `-12`, `+3.5`, `-88.4862`: a sign, digits, at most one decimal point, digits.
    static func isPlainNumber(_ text: String) -> Bool {
        var scalars = text.unicodeScalars[...]
        if let first = scalars.first, first == "-" || first == "+" { scalars = scalars.dropFirst() }
        var digits = 0
        var points = 0
        for scalar in scalars {
            if ("0"..."9").contains(scalar) {
                digits += 1
            } else if scalar == "." {
                points += 1
            } else {
                return false
            }
        }
        return digits > 0 && points <= 1
    }
}

/// A CSV file with a header line, read as rows addressed by column name.
///
/// Reference files and uploads are read by column name rather than position so that a
/// reordered or extended file still loads, and a missing column is reported by name
/// instead of silently reading the wrong one.
public struct CSVTable: Sendable {

    /// Why a CSV file does not have the shape a reader needs.
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        /// The file has no header line.
        case empty
        /// A column the reader needs is not in the header.
        case missingColumn(String, available: [String])
        /// The header names the same column twice, so a lookup by name would be ambiguous.
        case duplicateColumn(String)
        /// A data line has more or fewer fields than the header.
        case wrongFieldCount(line: Int, expected: Int, found: Int)

        public var description: String {
            switch self {
            case .empty:
                return "The CSV file is empty; it needs a header line."
            case let .missingColumn(name, available):
                return "The CSV file has no column \"\(name)\". Its columns are: \(available.joined(separator: ", "))."
            case let .duplicateColumn(name):
                return "The CSV header names the column \"\(name)\" more than once."
            case let .wrongFieldCount(line, expected, found):
                return "CSV line \(line) has \(found) fields; the header has \(expected)."
            }
        }
    }

    /// One data row. `line` is where it starts in the file, for error messages.
    public struct Row: Sendable {
        /// The 1-based line of the file where this row starts.
        public let line: Int
        /// The row's values by column name.
        public let values: [String: String]

        /// The value in `column`.
        /// - Throws: `CSVTable.Problem.missingColumn` if the file has no such column.
        public func value(_ column: String) throws -> String {
            guard let value = values[column] else {
                throw Problem.missingColumn(column, available: values.keys.sorted())
            }
            return value
        }
    }

    /// The column names, in file order.
    public let header: [String]
    /// The data rows, in file order; blank lines are skipped.
    public let rows: [Row]

    /// Parses `text`, taking its first line as the header.
    /// - Throws: `CSV.ParseError`, or `CSVTable.Problem` for an empty file, a repeated
    ///   column name or a row whose field count differs from the header's.
    public init(parsing text: String) throws {
        let records = try CSV.parseRecords(text).filter { $0.fields != [""] }
        guard let headerRecord = records.first else { throw Problem.empty }
        var seen = Set<String>()
        for name in headerRecord.fields where !seen.insert(name).inserted {
            throw Problem.duplicateColumn(name)
        }
        header = headerRecord.fields
        rows = try records.dropFirst().map { record in
            guard record.fields.count == headerRecord.fields.count else {
                throw Problem.wrongFieldCount(
                    line: record.line, expected: headerRecord.fields.count, found: record.fields.count
                )
            }
            return Row(
                line: record.line,
                values: Dictionary(uniqueKeysWithValues: zip(headerRecord.fields, record.fields))
            )
        }
    }

    /// The rows as plain dictionaries keyed by column name.
    public var dictionaries: [[String: String]] { rows.map(\.values) }

    /// Checks up front that every column a reader needs is present, so an incomplete
    /// file fails once with the column's name instead of on its first row.
    /// - Throws: `CSVTable.Problem.missingColumn` for the first column not in the header.
    public func requireColumns(_ columns: [String]) throws {
        for column in columns where !header.contains(column) {
            throw Problem.missingColumn(column, available: header)
        }
    }
}
