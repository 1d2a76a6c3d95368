import Foundation

/// One completed course in the shape state training-standards boards ask for.
///
/// Flat strings and a number, not domain types, because this is what goes into a
/// spreadsheet a coordinator uploads to the state: the app fills it from its records,
/// and nothing here needs to know about classes or accounts.
public struct CompletedTrainingRow: Sendable, Equatable {
    public var personName: String
    public var email: String
    public var courseTitle: String
    public var courseCode: String
    /// yyyy-MM-dd
    public var startDate: String
    /// yyyy-MM-dd
    public var endDate: String
    /// Hours attended and credited.
    public var hours: Double
    /// e.g. `TrainingRecordExport.defaultCategory`, "Crisis intervention".
    public var category: String
    /// The host program.
    public var provider: String
    /// The certificate's verification code, so the board can check it.
    public var certificateCode: String

    public init(
        personName: String, email: String, courseTitle: String, courseCode: String,
        startDate: String, endDate: String, hours: Double,
        category: String = TrainingRecordExport.defaultCategory,
        provider: String, certificateCode: String
    ) {
        self.personName = personName
        self.email = email
        self.courseTitle = courseTitle
        self.courseCode = courseCode
        self.startDate = startDate
        self.endDate = endDate
        self.hours = hours
        self.category = category
        self.provider = provider
        self.certificateCode = certificateCode
    }
}

/// The CSV of completed training a coordinator sends to a state training-standards board.
public enum TrainingRecordExport {

    /// The category CIT courses are filed under when a board asks for one.
    public static let defaultCategory = "Crisis intervention"

    /// Snake-case column names, the form boards' import tools expect.
    public static let header: [String] = [
        "person_name", "email", "course_title", "course_code", "start_date", "end_date",
        "hours", "category", "provider", "certificate_code",
    ]

    /// The whole file: header, one line per row, CRLF line ends, quoting and formula
    /// protection from `CSV`. Hours print like "40" or "39.5", with a dot whatever the
    /// server's locale, because a comma would split the column.
    public static func csv(_ rows: [CompletedTrainingRow]) -> String {
        CSV.document(header: header, rows: rows.map(fields))
    }

    static func fields(_ row: CompletedTrainingRow) -> [String] {
        [
            row.personName, row.email, row.courseTitle, row.courseCode,
            row.startDate, row.endDate, AgendaProblem.number(row.hours),
            row.category, row.provider, row.certificateCode,
        ]
    }
}
