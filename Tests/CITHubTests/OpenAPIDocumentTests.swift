import Foundation
import Testing
@testable import CITHub
import CITDomain
@testable import CITTestSupport

/// Parses JSON text the way the server's tests will see responses: through
/// JSONSerialization, so numbers and booleans arrive as NSNumber.
private func parse(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
}

private let serverURL = "https://cithub.example.org"

// MARK: - The document

@Suite struct APIDocumentTests {
    let document = OpenAPIDocument.document(serverURL: serverURL)

    func schema(_ name: String) -> [String: Any] {
        ((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?[name] as? [String: Any] ?? [:]
    }

    func operation(_ method: String, _ path: String) -> [String: Any] {
        ((document["paths"] as? [String: Any])?[path] as? [String: Any])?[method] as? [String: Any] ?? [:]
    }

    @Test func jsonParsesAndIsOpenAPI31() throws {
        let text = OpenAPIDocument.json(serverURL: serverURL)
        let parsed = try #require(try parse(text) as? [String: Any])
        #expect(parsed["openapi"] as? String == "3.1.0")
        let info = try #require(parsed["info"] as? [String: Any])
        #expect(info["title"] as? String == "CIT Hub API")
        #expect(info["version"] as? String == "1.0.0")
        let description = try #require(info["description"] as? String)
        #expect(description.contains("RFC 9457"))
        #expect(description.contains("token"))
        #expect(description.contains("per token and per client IP"))
        let servers = try #require(parsed["servers"] as? [[String: Any]])
        #expect(servers.first?["url"] as? String == serverURL)
        // Pretty and sorted: stable text.
        #expect(text.contains("\n"))
        #expect(text == OpenAPIDocument.json(serverURL: serverURL))
        #expect(!text.contains("\\/"))

        // Optional: write the document out for an external validator.
        if let out = ProcessInfo.processInfo.environment["CITHUB_OPENAPI_OUT"] {
            try text.write(toFile: out, atomically: true, encoding: .utf8)
        }
    }

    @Test func exactlyTheDocumentedOperations() {
        let operations = JSONSchemaCheck.operations(in: document).map { "\($0.method.uppercased()) \($0.path)" }
        #expect(
            operations == [
                "GET /api/openapi.json",
                "GET /api/v1/classes",
                "GET /api/v1/classes/{id}/roster",
                "GET /api/v1/counties",
                "GET /api/v1/counties/{fips}",
                "POST /api/v1/encounters",
                "GET /api/v1/programs",
                "GET /api/v1/programs/{id}",
            ])
    }

    @Test func everyOperationHasIdSummaryTagsA429AndProblemResponses() throws {
        var ids: Set<String> = []
        let declaredTags = Set((document["tags"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
        for (method, path) in JSONSchemaCheck.operations(in: document) {
            let op = operation(method, path)
            let id = try #require(op["operationId"] as? String, "\(method) \(path)")
            #expect(!ids.contains(id), "duplicate operationId \(id)")
            ids.insert(id)
            #expect((op["summary"] as? String)?.isEmpty == false, "\(id) summary")
            let tags = op["tags"] as? [String] ?? []
            #expect(!tags.isEmpty && tags.allSatisfy(declaredTags.contains), "\(id) tags")

            let problem = JSONSchemaCheck.responseSchema(
                in: document, path: path, method: method, status: 429, contentType: "application/problem+json")
            #expect(problem?["$ref"] as? String == "#/components/schemas/Problem", "\(id) 429")
            let responses = try #require(op["responses"] as? [String: Any])
            let tooMany = try #require(responses["429"] as? [String: Any])
            let resolved = try #require(JSONSchemaCheck.resolve(tooMany["$ref"] as? String ?? "", in: document) as? [String: Any])
            let headers = try #require(resolved["headers"] as? [String: Any])
            let retryAfter = try #require(headers["Retry-After"] as? [String: Any])
            let header = try #require(JSONSchemaCheck.resolve(retryAfter["$ref"] as? String ?? "", in: document) as? [String: Any])
            #expect((header["schema"] as? [String: Any])?["type"] as? String == "integer")

            // Every non-2xx response is a problem document.
            for status in responses.keys where !status.hasPrefix("2") {
                let schema = JSONSchemaCheck.responseSchema(
                    in: document, path: path, method: method, status: Int(status) ?? 0,
                    contentType: "application/problem+json")
                #expect(schema != nil, "\(id) \(status) has no problem+json schema")
            }
        }
    }

    @Test func statusCodesPerOperation() throws {
        func statuses(_ method: String, _ path: String) -> Set<String> {
            Set((operation(method, path)["responses"] as? [String: Any] ?? [:]).keys)
        }
        #expect(statuses("get", "/api/v1/counties") == ["200", "400", "429"])
        #expect(statuses("get", "/api/v1/counties/{fips}") == ["200", "404", "429"])
        #expect(statuses("get", "/api/v1/programs") == ["200", "400", "429"])
        #expect(statuses("get", "/api/v1/programs/{id}") == ["200", "404", "429"])
        #expect(statuses("get", "/api/v1/classes") == ["200", "400", "429"])
        #expect(statuses("get", "/api/v1/classes/{id}/roster") == ["200", "401", "403", "404", "429"])
        #expect(statuses("post", "/api/v1/encounters") == ["201", "400", "401", "403", "422", "429"])
        #expect(statuses("get", "/api/openapi.json") == ["200", "429"])

        let created = try #require((operation("post", "/api/v1/encounters")["responses"] as? [String: Any])?["201"] as? [String: Any])
        #expect((created["headers"] as? [String: Any])?["Location"] != nil)
        let unprocessable = JSONSchemaCheck.responseSchema(
            in: document, path: "/api/v1/encounters", method: "post", status: 422, contentType: "application/problem+json")
        #expect(unprocessable?["$ref"] as? String == "#/components/schemas/ValidationProblem")
    }

    @Test func staffOperationsNeedBearerAndPublicOnesDoNot() throws {
        let schemes = (document["components"] as? [String: Any])?["securitySchemes"] as? [String: Any]
        let bearer = try #require(schemes?["bearer"] as? [String: Any])
        #expect(bearer["type"] as? String == "http")
        #expect(bearer["scheme"] as? String == "bearer")
        #expect(document["security"] == nil)
        for (method, path) in JSONSchemaCheck.operations(in: document) {
            let security = operation(method, path)["security"] as? [[String: [String]]]
            let staff = path.hasSuffix("/roster") || path == "/api/v1/encounters"
            if staff {
                #expect(security?.first?["bearer"] == [], "\(path)")
            } else {
                #expect(security == nil, "\(path)")
            }
        }
    }

    @Test func enumsMatchTheCode() {
        func values(_ name: String) -> [String] { schema(name)["enum"] as? [String] ?? [] }
        #expect(values("Coverage") == Coverage.allCases.map(\.rawValue))
        #expect(values("ProgramKind") == ProgramKind.allCases.map(\.rawValue))
        #expect(values("ProgramStatus") == ProgramStatus.allCases.map(\.rawValue))
        #expect(values("OrganizationKind") == OrganizationKind.allCases.map(\.rawValue))
        #expect(values("PartnerRole") == PartnerRole.allCases.map(\.rawValue))
        #expect(values("Audience") == Audience.allCases.map(\.rawValue))
        #expect(values("TimeBlock") == TimeBlock.allCases.map(\.rawValue))
        #expect(values("CallSource") == CallSource.allCases.map(\.rawValue))
        #expect(values("ForceLevel") == ForceLevel.allCases.map(\.rawValue))
        #expect(values("YesNoUnknown") == YesNoUnknown.allCases.map(\.rawValue))
        // Spot checks that the raw values are the stored ones, not case names.
        #expect(values("ProgramKind").contains("CIT for Dispatch"))
        #expect(values("Coverage").contains("cip_only"))
        for (name, expected) in OpenAPIDocument.enumSchemas {
            #expect(values(name) == expected, "\(name)")
        }
    }

    @Test func queryParametersUseTheEnumsAndPaging() throws {
        func parameters(_ path: String) -> [[String: Any]] {
            (operation("get", path)["parameters"] as? [[String: Any]] ?? []).map { parameter in
                (parameter["$ref"] as? String).flatMap { JSONSchemaCheck.resolve($0, in: document) as? [String: Any] } ?? parameter
            }
        }
        func names(_ path: String) -> [String] { parameters(path).compactMap { $0["name"] as? String } }
        #expect(names("/api/v1/counties") == ["coverage", "page", "per_page"])
        #expect(names("/api/v1/programs") == ["county", "kind", "status", "page", "per_page"])
        #expect(names("/api/v1/classes") == ["course", "county", "page", "per_page"])
        #expect(names("/api/v1/counties/{fips}") == ["fips"])
        #expect(names("/api/v1/programs/{id}") == ["id"])
        #expect(names("/api/v1/classes/{id}/roster") == ["id"])

        let perPage = try #require(parameters("/api/v1/counties").first { $0["name"] as? String == "per_page" })
        let perPageSchema = try #require(perPage["schema"] as? [String: Any])
        #expect(perPageSchema["minimum"] as? Int == 1)
        #expect(perPageSchema["maximum"] as? Int == 100)
        #expect(perPageSchema["default"] as? Int == 50)
        let page = try #require(parameters("/api/v1/programs").first { $0["name"] as? String == "page" })
        #expect((page["schema"] as? [String: Any])?["default"] as? Int == 1)
        #expect(page["in"] as? String == "query")

        let kind = try #require(parameters("/api/v1/programs").first { $0["name"] as? String == "kind" })
        #expect(JSONSchemaCheck.problems("Youth CIT", schema: kind["schema"] as? [String: Any] ?? [:], document: document).isEmpty)
        #expect(!JSONSchemaCheck.problems("youth", schema: kind["schema"] as? [String: Any] ?? [:], document: document).isEmpty)
        let id = try #require(parameters("/api/v1/programs/{id}").first)
        #expect(id["in"] as? String == "path")
        #expect(id["required"] as? Bool == true)
    }

    @Test func encounterInputIsExactlyTheReportFields() throws {
        let input = schema("EncounterInput")
        let properties = try #require(input["properties"] as? [String: Any])
        #expect(Set(properties.keys) == Set(EncounterFields.all))
        #expect(Set(input["required"] as? [String] ?? []) == Set(EncounterFields.all))
        #expect(input["additionalProperties"] as? Bool == false)
        let agency = try #require(properties["agency"] as? [String: Any])
        #expect(agency["format"] as? String == "uuid")
        let veteran = try #require(properties["veteran"] as? [String: Any])
        #expect(veteran["$ref"] as? String == "#/components/schemas/YesNoUnknown")
    }

    /// Every object schema with properties requires all of them and allows no others;
    /// Problem is the one exception for `required` (only type, title, status), and
    /// ValidationProblem's second `allOf` member only adds that `errors` is required to
    /// Problem (closing it would refuse Problem's own properties).
    @Test func objectSchemasAreClosed() {
        var checked = 0
        func walk(_ node: Any, _ where_: String) {
            if let object = node as? [String: Any] {
                if object["type"] as? String == "object", let properties = object["properties"] as? [String: Any],
                    !where_.hasSuffix("schemas.ValidationProblem.allOf[1]")
                {
                    checked += 1
                    #expect(object["additionalProperties"] as? Bool == false, "\(where_)")
                    let required = Set(object["required"] as? [String] ?? [])
                    if where_.hasSuffix("schemas.Problem") {
                        #expect(required == ["type", "title", "status"])
                    } else {
                        #expect(required == Set(properties.keys), "\(where_)")
                    }
                }
                for (key, value) in object { walk(value, "\(where_).\(key)") }
            } else if let array = node as? [Any] {
                for (index, value) in array.enumerated() { walk(value, "\(where_)[\(index)]") }
            }
        }
        walk(document, "$")
        #expect(checked >= 15)
    }

    @Test func everyReferenceResolves() {
        var refs: [String] = []
        func walk(_ node: Any) {
            if let object = node as? [String: Any] {
                if let ref = object["$ref"] as? String { refs.append(ref) }
                object.values.forEach(walk)
            } else if let array = node as? [Any] {
                array.forEach(walk)
            }
        }
        walk(document)
        #expect(refs.count > 20)
        for ref in refs {
            #expect(JSONSchemaCheck.resolve(ref, in: document) != nil, "\(ref)")
        }
    }

    // MARK: Sample responses against the document

    let programID = "3f2b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"

    var countyJSON: String {
        """
        {"fips": "55025", "name": "Dane", "full_name": "Dane County", "state": "WI",
         "population_2020": 561504, "coverage": "cit", "program_ids": ["\(programID)"],
         "url": "https://cithub.example.org/api/v1/counties/55025"}
        """
    }

    var programJSON: String {
        """
        {"id": "\(programID)", "name": "Dane County CIT", "kinds": ["CIT", "CIP"], "status": "active",
         "year_started": 2008, "counties": [{"fips": "55025", "name": "Dane"}],
         "partners": [{"organization_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "name": "NAMI Dane County",
                       "kind": "nami_affiliate", "role": "partner"}],
         "website": null, "public_phone": "608-555-0100", "public_email": null, "verified": true,
         "last_verified_at": "2026-03-01T15:00:00Z", "source": {"url": null, "date": "2025-11"},
         "url": "https://cithub.example.org/api/v1/programs/\(programID)"}
        """
    }

    func check(
        _ json: String, _ path: String, _ method: String = "get", status: Int = 200,
        contentType: String = "application/json"
    ) throws -> [String] {
        let schema = try #require(
            JSONSchemaCheck.responseSchema(
                in: document, path: path, method: method, status: status, contentType: contentType))
        return JSONSchemaCheck.problems(try parse(json), schema: schema, document: document)
    }

    @Test func sampleResponsesConform() throws {
        #expect(try check(countyJSON, "/api/v1/counties/{fips}") == [])
        #expect(try check(programJSON, "/api/v1/programs/{id}") == [])
        let countyPage = """
            {"data": [\(countyJSON)], "page": {"number": 1, "size": 50, "total_items": 1, "total_pages": 1}}
            """
        #expect(try check(countyPage, "/api/v1/counties") == [])
        #expect(
            try check(
                """
                {"data": [\(programJSON)], "page": {"number": 1, "size": 50, "total_items": 1, "total_pages": 1}}
                """, "/api/v1/programs") == [])
        let session = """
            {"id": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "title": "CIT Basic, August", 
             "course": {"code": "CIT-40", "title": "CIT Basic", "hours": 40},
             "program_id": "\(programID)", "program_name": "Dane County CIT", "county_fips": "55025",
             "venue": {"name": "Training Center", "address": "1 Main St, Madison", "zip": "53703"},
             "starts_at": "2026-08-10T13:00:00Z", "ends_at": "2026-08-14T22:00:00Z",
             "time_zone": "America/Chicago", "capacity": 25, "seats_left": 3, "waitlist": 0,
             "registration_open": true, "url": "https://cithub.example.org/classes/0b1c"}
            """
        #expect(
            try check(
                """
                {"data": [\(session)], "page": {"number": 1, "size": 10, "total_items": 1, "total_pages": 1}}
                """, "/api/v1/classes") == [])
        let entry = """
            {"registration_id": "1b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "name": "Pat Lee", "email": "pat@example.org",
             "phone": "", "organization": "Madison PD", "role": "sworn_law_enforcement", "position": null}
            """
        let waiting = entry.replacingOccurrences(of: "\"position\": null", with: "\"position\": 1")
        #expect(
            try check(
                """
                {"class_id": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "confirmed": [\(entry)], "waitlist": [\(waiting)]}
                """, "/api/v1/classes/{id}/roster") == [])
        #expect(
            try check(
                """
                {"id": "2b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "quarter": "2026Q3"}
                """, "/api/v1/encounters", "post", status: 201) == [])
        #expect(try check(OpenAPIDocument.json(serverURL: serverURL), "/api/openapi.json") == [])
    }

    @Test func problemResponsesConform() throws {
        let notFound = """
            {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "No county has FIPS 55999.",
             "instance": "/api/v1/counties/55999"}
            """
        #expect(try check(notFound, "/api/v1/counties/{fips}", status: 404, contentType: "application/problem+json") == [])
        let invalid = """
            {"type": "about:blank", "title": "Unprocessable Content", "status": 422,
             "errors": {"occurred_on": "The date is in the future; enter the day the encounter happened."}}
            """
        #expect(try check(invalid, "/api/v1/encounters", "post", status: 422, contentType: "application/problem+json") == [])
        // A 422 must say which fields; a problem without `errors` is refused.
        let bare = #"{"type": "about:blank", "title": "Unprocessable Content", "status": 422}"#
        #expect(
            try check(bare, "/api/v1/encounters", "post", status: 422, contentType: "application/problem+json")
                == ["$.errors: is required but missing"])
        let wrong = #"{"type": "about:blank", "title": "Too Many Requests", "status": "429", "errors": {"a": 1}}"#
        #expect(
            try check(wrong, "/api/v1/programs", status: 429, contentType: "application/problem+json; charset=utf-8") == [
                "$.errors.a: expected string, got integer 1",
                "$.status: expected integer, got string \"429\"",
            ])
    }

    @Test func sampleResponsesThatDriftAreCaught() throws {
        // An undocumented field, a missing one, a wrong enum and a null where none is allowed.
        let drifted =
            programJSON
            .replacingOccurrences(of: "\"verified\": true,", with: "\"verified\": true, \"notes\": \"x\",")
            .replacingOccurrences(of: "\"status\": \"active\",", with: "\"status\": \"Active\",")
            .replacingOccurrences(of: "\"year_started\": 2008,", with: "")
            .replacingOccurrences(of: "\"name\": \"Dane County CIT\"", with: "\"name\": null")
        #expect(
            try check(drifted, "/api/v1/programs/{id}") == [
                "$.year_started: is required but missing",
                "$.name: expected string, got null",
                "$.notes: is not an allowed property",
                "$.status: \"Active\" is not one of active, forming, inactive",
            ])
        let page = """
            {"data": [\(countyJSON), \(countyJSON.replacingOccurrences(of: "\"cit\"", with: "\"x\""))],
             "page": {"number": 1, "size": 50, "total_items": 2, "total_pages": 1}}
            """
        #expect(try check(page, "/api/v1/counties") == [#"$.data[1].coverage: "x" is not one of cit, cip_only, none"#])
    }

    @Test func encounterInputSampleConforms() throws {
        let schema: [String: Any] = ["$ref": "#/components/schemas/EncounterInput"]
        var report: [String: Any] = [
            "occurred_on": "2026-08-14", "time_block": "16-20", "agency": programID, "county_fips": "55025",
            "call_source": "988_transfer", "cit_requested": true, "cit_dispatched": true, "cit_arrived": true,
            "cit_trained_on_scene": true, "disposition": "referral", "force_level": "none",
            "injury_person": false, "injury_officer": false, "injury_other": false,
            "weapon_involved": "unknown", "veteran": "no", "substance_use": "yes", "repeat_contact": "unknown",
        ]
        #expect(Set(report.keys) == Set(EncounterFields.all))
        let text = String(decoding: try JSONSerialization.data(withJSONObject: report), as: UTF8.self)
        #expect(JSONSchemaCheck.problems(try parse(text), schema: schema, document: document) == [])
        #expect(JSONSchemaCheck.problems(report, schema: schema, document: document) == [])

        report["subject_name"] = "Jane Doe"
        report["cit_arrived"] = "yes"
        report["occurred_on"] = "08/14/2026"
        #expect(
            JSONSchemaCheck.problems(report, schema: schema, document: document) == [
                "$.cit_arrived: expected boolean, got string \"yes\"",
                "$.occurred_on: \"08/14/2026\" is not a valid date",
                "$.subject_name: is not an allowed property",
            ])
    }
}

// MARK: - The validator

@Suite struct APISchemaCheckTests {
    let document: [String: Any] = [
        "components": [
            "schemas": [
                "Coverage": ["type": "string", "enum": ["cit", "cip_only", "none"]],
                "Row": [
                    "type": "object",
                    "properties": ["coverage": ["$ref": "#/components/schemas/Coverage"], "n": ["type": "integer"]],
                    "required": ["coverage", "n"],
                    "additionalProperties": false,
                ],
                "Loop": ["$ref": "#/components/schemas/Loop"],
            ]
        ]
    ]

    func problems(_ value: Any, _ schema: [String: Any]) -> [String] {
        JSONSchemaCheck.problems(value, schema: schema, document: document)
    }

    func problems(json: String, _ schema: [String: Any]) throws -> [String] {
        JSONSchemaCheck.problems(try parse(json), schema: schema, document: document)
    }

    @Test func kindsOfParsedValues() throws {
        let values = try #require(try parse(#"[true, false, 1, 0, 1.5, 2.0, "s", null, [], {}, 12345678901234]"#) as? [Any])
        #expect(
            values.map { JSONSchemaCheck.kind(of: $0) } == [
                .boolean, .boolean, .integer, .integer, .number, .integer, .string, .null, .array, .object, .integer,
            ])
        #expect(JSONSchemaCheck.kind(of: true) == .boolean)
        #expect(JSONSchemaCheck.kind(of: 1) == .integer)
        #expect(JSONSchemaCheck.kind(of: 0) == .integer)
        #expect(JSONSchemaCheck.kind(of: 1.5) == .number)
        #expect(JSONSchemaCheck.kind(of: NSNumber(value: 1)) == .integer)
        #expect(JSONSchemaCheck.kind(of: NSNumber(value: false)) == .boolean)
        #expect(JSONSchemaCheck.kind(of: NSNull()) == .null)
        #expect(JSONSchemaCheck.kind(of: "x" as NSString) == .string)
    }

    @Test func booleansAreNotIntegersAndIntegersAreNotBooleans() throws {
        let integer: [String: Any] = ["type": "integer"]
        let number: [String: Any] = ["type": "number"]
        let boolean: [String: Any] = ["type": "boolean"]
        #expect(try problems(json: "true", integer) == ["$: expected integer, got boolean true"])
        #expect(try problems(json: "false", number) == ["$: expected number, got boolean false"])
        #expect(try problems(json: "1", boolean) == ["$: expected boolean, got integer 1"])
        #expect(try problems(json: "0", boolean) == ["$: expected boolean, got integer 0"])
        #expect(problems(true, integer) == ["$: expected integer, got boolean true"])
        #expect(problems(1, boolean) == ["$: expected boolean, got integer 1"])
        #expect(try problems(json: "1", integer) == [])
        #expect(try problems(json: "true", boolean) == [])
        #expect(try problems(json: "false", boolean) == [])
        #expect(problems(false, boolean) == [])
        // Booleans never equal 1 or 0 in enum/const either.
        #expect(try problems(json: "true", ["enum": [1, "a"]]) == ["$: true is not one of 1, a"])
        #expect(try problems(json: "1", ["const": true]) == ["$: 1 is not true"])
    }

    @Test func integerAndNumber() throws {
        let integer: [String: Any] = ["type": "integer"]
        #expect(try problems(json: "2.0", integer) == [])
        #expect(try problems(json: "2.5", integer) == ["$: expected integer, got number 2.5"])
        #expect(problems(2.5, integer) == ["$: expected integer, got number 2.5"])
        #expect(try problems(json: "7", ["type": "number"]) == [])
        #expect(try problems(json: "7.25", ["type": "number"]) == [])
        #expect(try problems(json: "\"7\"", ["type": "number"]) == ["$: expected number, got string \"7\""])
    }

    @Test func typeArraysAllowNull() throws {
        let nullableString: [String: Any] = ["type": ["string", "null"], "format": "date-time"]
        #expect(try problems(json: "null", nullableString) == [])
        #expect(try problems(json: "\"2026-08-14T09:30:00-05:00\"", nullableString) == [])
        #expect(try problems(json: "3", nullableString) == ["$: expected string or null, got integer 3"])
        #expect(try problems(json: "null", ["type": "string"]) == ["$: expected string, got null"])
        let nullableInteger: [String: Any] = ["type": ["integer", "null"], "minimum": 1]
        #expect(try problems(json: "null", nullableInteger) == [])
        #expect(try problems(json: "0", nullableInteger) == ["$: 0 is less than the minimum 1"])
        #expect(try problems(json: "true", nullableInteger) == ["$: expected integer or null, got boolean true"])
    }

    @Test func propertiesRequiredAndAdditionalProperties() throws {
        let closed: [String: Any] = [
            "type": "object",
            "properties": ["a": ["type": "string"], "odd key": ["type": "integer"]],
            "required": ["a", "odd key"],
            "additionalProperties": false,
        ]
        #expect(try problems(json: #"{"a": "x", "odd key": 1}"#, closed) == [])
        #expect(
            try problems(json: #"{"a": 1, "b": 2}"#, closed) == [
                #"$["odd key"]: is required but missing"#,
                "$.a: expected string, got integer 1",
                "$.b: is not an allowed property",
            ])
        let mapOfStrings: [String: Any] = ["type": "object", "additionalProperties": ["type": "string"]]
        #expect(try problems(json: #"{"x": "ok", "y": 2}"#, mapOfStrings) == ["$.y: expected string, got integer 2"])
        let open: [String: Any] = ["type": "object", "properties": ["a": ["type": "string"]]]
        #expect(try problems(json: #"{"a": "x", "extra": [1]}"#, open) == [])
        #expect(try problems(json: "[]", open) == ["$: expected object, got an array"])
    }

    @Test func refsResolveAndNestPaths() throws {
        let page: [String: Any] = [
            "type": "object",
            "properties": ["data": ["type": "array", "items": ["$ref": "#/components/schemas/Row"]]],
        ]
        let json =
            #"{"data": [{"coverage": "cit", "n": 1}, {"coverage": "cip_only", "n": 2}, {"coverage": "none", "n": 3}, {"coverage": "x", "n": 4}]}"#
        #expect(try problems(json: json, page) == [#"$.data[3].coverage: "x" is not one of cit, cip_only, none"#])
        #expect(try problems(json: #"{"coverage": "cit"}"#, ["$ref": "#/components/schemas/Row"]) == ["$.n: is required but missing"])
        #expect(problems("x", ["$ref": "#/components/schemas/Missing"]) == ["$: cannot resolve $ref #/components/schemas/Missing"])
        // A reference cycle ends with a problem instead of recursing forever.
        let loop = problems("x", ["$ref": "#/components/schemas/Loop"])
        #expect(loop.count == 1 && loop[0].contains("too deep"))
    }

    @Test func enumAndConst() throws {
        let kinds: [String: Any] = ["type": "string", "enum": ProgramKind.allCases.map(\.rawValue)]
        #expect(problems("CIT for Dispatch", kinds) == [])
        #expect(problems("cit", kinds) == [#"$: "cit" is not one of CIT, CIP, CIT for Dispatch, Youth CIT, In-service"#])
        #expect(problems("v1", ["const": "v1"]) == [])
        #expect(problems("v2", ["const": "v1"]) == [#"$: "v2" is not "v1""#])
        #expect(try problems(json: "2.0", ["enum": [2]]) == [])
    }

    @Test func patternAndLengths() throws {
        let fips: [String: Any] = ["type": "string", "pattern": "^[0-9]{5}$"]
        #expect(problems("55025", fips) == [])
        #expect(problems("5502", fips) == [#"$: "5502" does not match ^[0-9]{5}$"#])
        #expect(problems("550251", fips) == [#"$: "550251" does not match ^[0-9]{5}$"#])
        // Unanchored patterns match anywhere, as in JSON Schema.
        #expect(problems("abc2026Q3", ["pattern": "[0-9]{4}Q[1-4]"]) == [])
        #expect(problems("x", ["pattern": "("]).first?.contains("not a valid regular expression") == true)
        let short: [String: Any] = ["type": "string", "minLength": 2, "maxLength": 3]
        #expect(problems("ab", short) == [])
        #expect(problems("é", short) == [#"$: "é" is shorter than 2 characters"#])
        #expect(problems("abcd", short) == [#"$: "abcd" is longer than 3 characters"#])
    }

    @Test func minimumMaximumAndItems() throws {
        let perPage: [String: Any] = ["type": "integer", "minimum": 1, "maximum": 100]
        #expect(problems(1, perPage) == [])
        #expect(problems(100, perPage) == [])
        #expect(problems(0, perPage) == ["$: 0 is less than the minimum 1"])
        #expect(try problems(json: "101", perPage) == ["$: 101 is more than the maximum 100"])
        #expect(problems(0.5, ["type": "number", "exclusiveMinimum": 0.5]) == ["$: 0.5 is not more than 0.5"])
        let list: [String: Any] = ["type": "array", "minItems": 1, "items": ["type": "string", "format": "uuid"]]
        #expect(problems([Any](), list) == ["$: has 0 items, fewer than 1"])
        #expect(problems(["3F2B8A4E-1C2D-4E5F-8A9B-0C1D2E3F4A5B", "nope"], list) == [#"$[1]: "nope" is not a valid uuid"#])
        #expect(problems("not an array", list) == [#"$: expected array, got string "not an array""#])
    }

    @Test func formats() {
        let dateTime: [String: Any] = ["type": "string", "format": "date-time"]
        for good in ["2026-08-14T09:30:00Z", "2026-08-14T09:30:00.123Z", "2026-08-14T09:30:00+02:00", "2026-08-14t09:30:00z"] {
            #expect(problems(good, dateTime) == [], "\(good)")
        }
        for bad in [
            "2026-08-14", "2026-08-14 09:30:00Z", "2026-08-14T09:30:00", "2026-13-01T00:00:00Z", "2026-08-14T25:00:00Z", "yesterday",
        ] {
            #expect(problems(bad, dateTime) == ["$: \"\(bad)\" is not a valid date-time"], "\(bad)")
        }
        let date: [String: Any] = ["type": "string", "format": "date"]
        #expect(problems("2026-08-14", date) == [])
        #expect(problems("2026-8-14", date) == [#"$: "2026-8-14" is not a valid date"#])
        #expect(problems("2026-08-14T00:00:00Z", date) == [#"$: "2026-08-14T00:00:00Z" is not a valid date"#])
        let uuid: [String: Any] = ["type": "string", "format": "uuid"]
        #expect(problems(UUID().uuidString, uuid) == [])
        #expect(problems(UUID().uuidString.lowercased(), uuid) == [])
        #expect(problems("3f2b8a4e1c2d4e5f8a9b0c1d2e3f4a5b", uuid).count == 1)
        // Unknown formats are annotations only; formats ignore non-strings.
        #expect(problems("anything", ["format": "email-ish"]) == [])
        #expect(problems(5, ["format": "uuid"]) == [])
    }

    @Test func combinators() throws {
        let oneOf: [String: Any] = ["oneOf": [["type": "integer"], ["type": "number", "minimum": 10]]]
        #expect(problems(3, oneOf) == [])
        #expect(problems(10.5, oneOf) == [])
        #expect(problems(12, oneOf) == ["$: matches 2 of the oneOf schemas; exactly one must match"])
        #expect(problems("x", oneOf).first?.hasPrefix("$: matches none of the oneOf schemas") == true)
        let anyOf: [String: Any] = ["anyOf": [["type": "string"], ["type": "null"]]]
        #expect(try problems(json: "null", anyOf) == [])
        #expect(problems("s", anyOf) == [])
        #expect(
            problems(true, anyOf) == [
                "$: matches none of the anyOf schemas ($: expected string, got boolean true; $: expected null, got boolean true)"
            ])
        let allOf: [String: Any] = ["allOf": [["$ref": "#/components/schemas/Row"]], "required": ["extra"]]
        #expect(try problems(json: #"{"coverage": "cit", "n": 1}"#, allOf) == ["$.extra: is required but missing"])
        #expect(try problems(json: #"{"coverage": "cit"}"#, allOf) == ["$.extra: is required but missing", "$.n: is required but missing"])
        #expect(problems("anything", [:]) == [])
    }

    // MARK: Looking things up in a document

    let api = OpenAPIDocument.document(serverURL: serverURL)

    @Test func templates() {
        #expect(JSONSchemaCheck.template(for: "/api/v1/programs/3f2b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", in: api) == "/api/v1/programs/{id}")
        #expect(JSONSchemaCheck.template(for: "/api/v1/programs", in: api) == "/api/v1/programs")
        #expect(JSONSchemaCheck.template(for: "/api/v1/programs?county=55025&page=2", in: api) == "/api/v1/programs")
        #expect(JSONSchemaCheck.template(for: "/api/v1/counties/55025", in: api) == "/api/v1/counties/{fips}")
        #expect(JSONSchemaCheck.template(for: "/api/v1/classes/abc/roster", in: api) == "/api/v1/classes/{id}/roster")
        #expect(JSONSchemaCheck.template(for: "/api/openapi.json", in: api) == "/api/openapi.json")
        #expect(JSONSchemaCheck.template(for: "/api/v1/classes/abc", in: api) == nil)
        #expect(JSONSchemaCheck.template(for: "/api/v1/programs/", in: api) == nil)
        #expect(JSONSchemaCheck.template(for: "/api/v2/programs", in: api) == nil)
        #expect(JSONSchemaCheck.template(for: "/api/v1/classes/abc/roster/extra", in: api) == nil)
        // A literal template beats a parameter at the same place.
        let doc: [String: Any] = ["paths": ["/a/{id}": [:] as [String: Any], "/a/mine": [:] as [String: Any]]]
        #expect(JSONSchemaCheck.template(for: "/a/mine", in: doc) == "/a/mine")
        #expect(JSONSchemaCheck.template(for: "/a/7", in: doc) == "/a/{id}")
    }

    @Test func responseSchemas() throws {
        let county = JSONSchemaCheck.responseSchema(
            in: api, path: "/api/v1/counties/{fips}", method: "GET", status: 200, contentType: "application/json")
        #expect(county?["$ref"] as? String == "#/components/schemas/County")
        let charset = JSONSchemaCheck.responseSchema(
            in: api, path: "/api/v1/counties/{fips}", method: "get", status: 200, contentType: "application/json; charset=utf-8")
        #expect(charset?["$ref"] as? String == "#/components/schemas/County")
        // Through components/responses.
        let notFound = JSONSchemaCheck.responseSchema(
            in: api, path: "/api/v1/counties/{fips}", method: "get", status: 404, contentType: "application/problem+json")
        #expect(notFound?["$ref"] as? String == "#/components/schemas/Problem")
        // Undocumented status, wrong content type, unknown path or method: nil.
        #expect(
            JSONSchemaCheck.responseSchema(
                in: api, path: "/api/v1/counties/{fips}", method: "get", status: 500, contentType: "application/problem+json") == nil)
        #expect(
            JSONSchemaCheck.responseSchema(in: api, path: "/api/v1/counties/{fips}", method: "get", status: 200, contentType: "text/html")
                == nil)
        #expect(
            JSONSchemaCheck.responseSchema(in: api, path: "/api/v1/nothing", method: "get", status: 200, contentType: "application/json")
                == nil)
        #expect(
            JSONSchemaCheck.responseSchema(in: api, path: "/api/v1/counties", method: "post", status: 200, contentType: "application/json")
                == nil)
        // "default" and range keys are fallbacks.
        let doc: [String: Any] = [
            "paths": [
                "/x": [
                    "get": [
                        "responses": [
                            "200": ["description": "ok", "content": ["application/json": ["schema": ["type": "string"]]]],
                            "4XX": ["description": "client", "content": ["application/problem+json": ["schema": ["type": "integer"]]]],
                            "default": ["description": "other", "content": ["application/problem+json": ["schema": ["type": "object"]]]],
                        ]
                    ]
                ]
            ]
        ]
        #expect(
            JSONSchemaCheck.responseSchema(in: doc, path: "/x", method: "get", status: 200, contentType: "application/json")?["type"]
                as? String == "string")
        #expect(
            JSONSchemaCheck.responseSchema(in: doc, path: "/x", method: "get", status: 404, contentType: "application/problem+json")?[
                "type"] as? String == "integer")
        #expect(
            JSONSchemaCheck.responseSchema(in: doc, path: "/x", method: "get", status: 503, contentType: "application/problem+json")?[
                "type"] as? String == "object")
    }

    @Test func operationsList() {
        let doc: [String: Any] = [
            "paths": [
                "/b": ["post": [:] as [String: Any], "get": [:] as [String: Any], "parameters": [Any]()] as [String: Any],
                "/a": ["delete": [:] as [String: Any]],
            ]
        ]
        let operations = JSONSchemaCheck.operations(in: doc)
        #expect(operations.map(\.method) == ["delete", "get", "post"])
        #expect(operations.map(\.path) == ["/a", "/b", "/b"])
        #expect(JSONSchemaCheck.operations(in: [:]).isEmpty)
    }
}
