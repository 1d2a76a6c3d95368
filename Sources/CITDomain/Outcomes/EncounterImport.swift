import Foundation

/// One thing wrong in an uploaded file, placed where the coordinator can find it.
public struct ImportRowProblem: Sendable, Equatable {
    /// 1-based line in the file, header is line 1 (lines inside quoted fields count, as a
    /// text editor counts them).
    public var line: Int
    /// The column the problem is about, or "" when it is about the whole line or file.
    public var field: String
    public var message: String

    public init(line: Int, field: String, message: String) {
        self.line = line
        self.field = field
        self.message = message
    }
}

/// A list of import problems is the failure of `EncounterImport.parse`, so that callers
/// read it as the plain array it is (`for problem in problems`). `Result` needs its
/// failure to be an `Error`, and an array is not one, hence this conformance; it is
/// limited to arrays of `ImportRowProblem`, a type of this module.
extension Array: @retroactive Error where Element == ImportRowProblem {}

/// Bulk upload of encounter reports from an agency's own records system.
///
/// All rows or none: a partly imported file leaves the coordinator unsure which rows are
/// in, and uploading the corrected file again would count the rest twice. So a file is
/// either accepted whole or returned with everything wrong in it.
public enum EncounterImport {
    public static let maxRows = 50_000
    /// More problems than this are summarised: a file wrong in every row needs one fix,
    /// not 50,000 messages.
    public static let maxProblems = 200

    /// Parses a CSV: a header row of `EncounterFields` names in any order (case and
    /// surrounding spaces ignored), then one report per line; blank lines are skipped.
    /// A header naming columns that are missing, repeated or not part of the report is
    /// reported on its own, since every row would repeat it. Returns every record only
    /// if there are no problems at all; otherwise every problem (at most 200, then one
    /// summary problem saying how many more). A file with a header and no rows is valid
    /// and holds no records.
    public static func parse(
        _ text: String, agencies: Set<String>, counties: Set<String>,
        catalog: DispositionCatalog, today: String
    ) -> Result<[EncounterRecord], [ImportRowProblem]> {
        let records: [CSV.Record]
        do {
            records = try CSV.parseRecords(text).filter { $0.fields != [""] }
        } catch let error as CSV.ParseError {
            return .failure([ImportRowProblem(line: error.line, field: "", message: "The file cannot be read here: \(error.reason)")])
        } catch {
            return .failure([ImportRowProblem(line: 1, field: "", message: "The file cannot be read as CSV.")])
        }

        guard let headerRecord = records.first else {
            return .failure([
                ImportRowProblem(
                    line: 1, field: "",
                    message: "The file is empty. Its first line must name the columns: \(EncounterFields.all.joined(separator: ", "))."
                )
            ])
        }
        let header = headerRecord.fields.map { $0.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }
        let headerProblems = problems(inHeader: header, line: headerRecord.line)
        guard headerProblems.isEmpty else { return .failure(headerProblems) }

        let rows = records.dropFirst()
        guard rows.count <= maxRows else {
            let firstOver = rows[rows.startIndex + maxRows]
            return .failure([
                ImportRowProblem(
                    line: firstOver.line, field: "",
                    message: "The file has \(rows.count) reports; at most \(maxRows) can be imported at once. Split it into smaller files."
                )
            ])
        }

        let validator = EncounterValidator(agencies: agencies, counties: counties, catalog: catalog, today: today)
        let order = Dictionary(uniqueKeysWithValues: EncounterFields.all.enumerated().map { ($1, $0) })
        var found: [ImportRowProblem] = []
        var valid: [EncounterRecord] = []
        valid.reserveCapacity(rows.count)
        for row in rows {
            guard row.fields.count == header.count else {
                found.append(
                    ImportRowProblem(
                        line: row.line, field: "",
                        message: "This line has \(row.fields.count) values; the first line names \(header.count) columns."
                    ))
                continue
            }
            switch validator.validate(Dictionary(uniqueKeysWithValues: zip(header, row.fields))) {
            case .success(let record):
                valid.append(record)
            case .failure(let problems):
                let fields = problems.byField.keys.sorted { (order[$0] ?? Int.max, $0) < (order[$1] ?? Int.max, $1) }
                found += fields.map { ImportRowProblem(line: row.line, field: $0, message: problems.byField[$0] ?? "") }
            }
        }
        guard found.isEmpty else { return .failure(capped(found)) }
        return .success(valid)
    }

    /// The header's own problems: repeated, unknown and missing columns.
    static func problems(inHeader header: [String], line: Int) -> [ImportRowProblem] {
        var problems: [ImportRowProblem] = []
        var seen = Set<String>()
        let known = Set(EncounterFields.all)
        for name in header {
            if name.isEmpty {
                problems.append(ImportRowProblem(line: line, field: "", message: "A column has no name; name it or delete it."))
            } else if !seen.insert(name).inserted {
                problems.append(ImportRowProblem(line: line, field: name, message: "This column appears more than once."))
            } else if !known.contains(name) {
                problems.append(ImportRowProblem(line: line, field: name, message: EncounterFields.unknownFieldMessage))
            }
        }
        let missing = EncounterFields.all.filter { !seen.contains($0) }
        if !missing.isEmpty {
            let noun = missing.count == 1 ? "this column" : "these columns"
            problems.append(
                ImportRowProblem(
                    line: line, field: "",
                    message: "The file is missing \(noun): \(missing.joined(separator: ", ")). Every report field needs a column."
                ))
        }
        return problems
    }

    /// The first `maxProblems`, then one summary naming how many more and where they start.
    static func capped(_ problems: [ImportRowProblem]) -> [ImportRowProblem] {
        guard problems.count > maxProblems else { return problems }
        let rest = problems.count - maxProblems
        let firstHidden = problems[maxProblems]
        return Array(problems.prefix(maxProblems)) + [
            ImportRowProblem(
                line: firstHidden.line, field: "",
                message:
                    "\(rest) more \(rest == 1 ? "problem" : "problems") from this line on \(rest == 1 ? "is" : "are") not listed. Fix the ones above and upload the file again to see the rest."
            )
        ]
    }

    /// A CSV document of `records` with the import header, so an export can be corrected
    /// in a spreadsheet and imported again. With no records it is the blank template.
    public static func document(_ records: [EncounterRecord]) -> String {
        CSV.document(
            header: EncounterFields.all,
            rows: records.map { record in
                let values = record.fieldValues
                return EncounterFields.all.map { values[$0] ?? "" }
            }
        )
    }
}
