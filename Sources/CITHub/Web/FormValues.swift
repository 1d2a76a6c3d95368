import Vapor

/// Text fields from a form, tolerant of anything a browser (or an attacker) sends:
/// missing fields are empty, NUL bytes are removed, overlong values are cut.
struct FormValues {
    private let values: [String: String]

    init(_ request: Request) {
        values = (try? request.content.decode([String: String].self)) ?? [:]
    }

    subscript(_ key: String) -> String {
        String((values[key] ?? "").replacingOccurrences(of: "\0", with: "").prefix(4000))
    }

    func trimmed(_ key: String) -> String { self[key].trimmingCharacters(in: .whitespacesAndNewlines) }
}
