import Foundation
import Testing
@testable import CITHub

/// The served document against `Snapshots/openapi.json`, first written from the
/// hand-built dictionary document that OpenAPIKit replaced (issue 14): the same paths,
/// operations, parameters, schemas, security and responses. When the API changes on
/// purpose, write the new snapshot (`CITHUB_OPENAPI_OUT=Tests/CITHubTests/Snapshots/openapi.json
/// swift test --filter jsonParsesAndIsOpenAPI31`) and review its diff.
@Suite struct OpenAPISnapshotTests {
    static var snapshotURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/openapi.json")
    }

    /// `ValidationProblem` as the dictionary document wrote it: `required` beside `allOf`,
    /// which OpenAPIKit cannot express in one schema object.
    static var dictionaryValidationProblem: [String: Any] {
        [
            "description": "A problem document whose `errors` names each field that was refused and why.",
            "allOf": [["$ref": "#/components/schemas/Problem"]],
            "required": ["errors"],
        ]
    }
    /// The same constraint as OpenAPIKit writes it: the requirement is a second `allOf` member.
    static var kitValidationProblem: [String: Any] {
        [
            "description": "A problem document whose `errors` names each field that was refused and why.",
            "allOf": [
                ["$ref": "#/components/schemas/Problem"],
                ["type": "object", "properties": ["errors": [String: Any]()], "required": ["errors"]],
            ],
        ]
    }

    @Test("the served document describes the same API as the snapshot")
    func sameAsSnapshot() throws {
        // setup
        let snapshot = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.snapshotURL)) as? [String: Any])

        // MUT
        let document = OpenAPIDocument.document(serverURL: "https://cithub.example.org")

        // validate
        var differences: [String] = []
        Self.compare(Self.normalized(snapshot), Self.normalized(document), path: "$", into: &differences)
        #expect(differences.isEmpty, "the OpenAPI document differs from Snapshots/openapi.json:\n\(differences.joined(separator: "\n"))")
        // The pieces the conformance run and the API's clients rely on, spelled out.
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        #expect(
            Set(paths.flatMap { path, item in item.keys.map { "\($0.uppercased()) \(path)" } }) == [
                "GET /api/openapi.json", "GET /api/v1/classes", "GET /api/v1/classes/{id}/roster", "GET /api/v1/counties",
                "GET /api/v1/counties/{fips}", "POST /api/v1/encounters", "GET /api/v1/programs", "GET /api/v1/programs/{id}",
            ])
        #expect(document["openapi"] as? String == "3.1.0")
    }

    /// What is written differently but means the same: `required: false` on a parameter
    /// (the default), the order of a `required` list, and `ValidationProblem`'s form.
    static func normalized(_ value: Any, key: String? = nil) -> Any {
        if let object = value as? [String: Any] {
            if canonical(object) == canonical(dictionaryValidationProblem) { return normalized(kitValidationProblem) }
            var result: [String: Any] = [:]
            for (k, v) in object {
                if k == "required", let flag = v as? Bool, flag == false, object["in"] != nil { continue }
                result[k] = normalized(v, key: k)
            }
            return result
        }
        if let array = value as? [Any] {
            if key == "required", let names = array as? [String] { return names.sorted() }
            return array.map { normalized($0) }
        }
        return value
    }

    static func canonical(_ value: Any) -> Data? {
        try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
    }

    static func compare(_ expected: Any, _ actual: Any, path: String, into differences: inout [String]) {
        switch (expected, actual) {
        case let (e as [String: Any], a as [String: Any]):
            for key in Set(e.keys).union(a.keys).sorted() {
                switch (e[key], a[key]) {
                case let (ev?, av?): compare(ev, av, path: "\(path).\(key)", into: &differences)
                case (_?, nil): differences.append("\(path).\(key): missing")
                case (nil, _?): differences.append("\(path).\(key): not in the snapshot")
                default: break
                }
            }
        case let (e as [Any], a as [Any]):
            if e.count != a.count { differences.append("\(path): \(e.count) items in the snapshot, \(a.count) now"); return }
            for (index, pair) in zip(e, a).enumerated() { compare(pair.0, pair.1, path: "\(path)[\(index)]", into: &differences) }
        default:
            // Both sides come from JSON text, so equal values print alike.
            if String(describing: expected) != String(describing: actual) {
                differences.append("\(path): \(expected) in the snapshot, \(actual) now")
            }
        }
    }
}
