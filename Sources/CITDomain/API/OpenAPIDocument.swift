import Foundation

/// The OpenAPI 3.1 description of CIT Hub's JSON API, built from the same enums the
/// server uses, so a value added to `ProgramKind` or `CallSource` appears in the document
/// without anyone retyping a list.
///
/// The document is also the contract the server's tests check responses against (see
/// `JSONSchemaCheck`): every object lists all its properties as required and allows no
/// others, so a field added to a response without being documented fails a test.
public enum OpenAPIDocument {
    /// The document as JSONSerialization-ready values. `serverURL` is the site's base URL
    /// ("https://cithub.example.org"), written into `servers`.
    public static func document(serverURL: String) -> [String: Any] {
        [
            "openapi": "3.1.0",
            "info": info,
            "servers": [["url": serverURL]],
            "tags": tags,
            "paths": paths,
            "components": components,
        ]
    }

    /// The document as pretty-printed JSON with sorted keys (stable, so it diffs well).
    public static func json(serverURL: String) -> String {
        let object = document(serverURL: serverURL)
        // The document is built from strings, numbers, booleans, arrays and dictionaries
        // only, so serialization cannot fail.
        let data = (try? JSONSerialization.data(
            withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        )) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: - Names used by the server and tests

    /// Component schema names.
    public enum Schema {
        public static let problem = "Problem"
        public static let validationProblem = "ValidationProblem"
        public static let pageInfo = "PageInfo"
        public static let county = "County"
        public static let countyPage = "CountyPage"
        public static let program = "Program"
        public static let programPage = "ProgramPage"
        public static let programCounty = "ProgramCounty"
        public static let programPartner = "ProgramPartner"
        public static let sourceCitation = "SourceCitation"
        public static let classSession = "ClassSession"
        public static let classSessionPage = "ClassSessionPage"
        public static let courseSummary = "CourseSummary"
        public static let venue = "Venue"
        public static let roster = "Roster"
        public static let rosterEntry = "RosterEntry"
        public static let encounterInput = "EncounterInput"
        public static let encounterCreated = "EncounterCreated"
    }

    /// Paging limits the document promises; the server should read them from here.
    public enum Paging {
        public static let defaultPage = 1
        public static let defaultPerPage = 50
        public static let maxPerPage = 100
        /// Pages past the last are empty, not errors; this bound only keeps the number readable.
        public static let maxPage = 1_000_000
    }

    /// `^[0-9]{5}$`: a county FIPS code.
    public static let fipsPattern = "^[0-9]{5}$"
    /// `^[0-9]{4}Q[1-4]$`: a quarter key such as "2026Q3" (`Quarter.key`).
    public static let quarterPattern = "^[0-9]{4}Q[1-4]$"
    /// The content type of error responses (RFC 9457).
    public static let problemContentType = "application/problem+json"

    // MARK: - Info and tags

    static var info: [String: Any] { [
        "title": "CIT Hub API",
        "version": "1.0.0",
        "description": """
            CIT Hub's JSON API for Crisis Intervention Team programs.

            Read-only public resources (counties, programs, classes and this document) need no \
            token. Staff resources (class rosters, encounter reports) take a per-user bearer \
            token (`Authorization: Bearer cithub_...`) that an administrator creates; a token \
            acts with its user's permissions.

            Errors are RFC 9457 problem documents (`application/problem+json`). Requests are \
            counted and rate-limited per token and per client IP; a request over the limit \
            gets `429 Too Many Requests` with a `Retry-After` header in seconds.

            Lists are paged with `page` and `per_page` and wrapped in `{"data": [...], "page": {...}}`.
            """,
    ] }

    static var tags: [[String: Any]] { [
        ["name": "Directory", "description": "Counties and the CIT programs that serve them."],
        ["name": "Training", "description": "Scheduled classes and their rosters."],
        ["name": "Outcomes", "description": "De-identified encounter reports."],
        ["name": "Meta", "description": "This document."],
    ] }

    // MARK: - Schema helpers

    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }

    static func string(format: String? = nil, pattern: String? = nil, description: String? = nil) -> [String: Any] {
        var schema: [String: Any] = ["type": "string"]
        if let format { schema["format"] = format }
        if let pattern { schema["pattern"] = pattern }
        if let description { schema["description"] = description }
        return schema
    }

    static func nullable(_ type: String, format: String? = nil, description: String? = nil) -> [String: Any] {
        var schema: [String: Any] = ["type": [type, "null"]]
        if let format { schema["format"] = format }
        if let description { schema["description"] = description }
        return schema
    }

    static func integer(minimum: Int? = nil, description: String? = nil) -> [String: Any] {
        var schema: [String: Any] = ["type": "integer"]
        if let minimum { schema["minimum"] = minimum }
        if let description { schema["description"] = description }
        return schema
    }

    static var boolean: [String: Any] { ["type": "boolean"] }
    static var uuid: [String: Any] { ["type": "string", "format": "uuid"] }
    static var fips: [String: Any] { ["type": "string", "pattern": fipsPattern, "description": "5-digit county FIPS code."] }

    static func array(_ items: [String: Any]) -> [String: Any] { ["type": "array", "items": items] }

    /// A closed object: every property required, no others allowed.
    static func object(_ properties: [String: [String: Any]], description: String? = nil) -> [String: Any] {
        var schema: [String: Any] = [
            "type": "object",
            "properties": properties,
            "required": properties.keys.sorted(),
            "additionalProperties": false,
        ]
        if let description { schema["description"] = description }
        return schema
    }

    /// A string enum from a Swift enum's raw values, in declaration order.
    static func enumeration<T: RawRepresentable & CaseIterable>(_ type: T.Type, description: String) -> [String: Any]
    where T.RawValue == String {
        ["type": "string", "enum": T.allCases.map(\.rawValue), "description": description]
    }

    /// The `data` + `page` envelope around a list of `item`.
    static func page(of item: String) -> [String: Any] {
        object([
            "data": array(ref(item)),
            "page": ref(Schema.pageInfo),
        ], description: "One page of \(item) values.")
    }

    // MARK: - Components

    /// The enum component schemas, keyed by component name; each comes from `allCases`.
    public static var enumSchemas: [String: [String]] {
        [
            "Coverage": Coverage.allCases.map(\.rawValue),
            "ProgramKind": ProgramKind.allCases.map(\.rawValue),
            "ProgramStatus": ProgramStatus.allCases.map(\.rawValue),
            "OrganizationKind": OrganizationKind.allCases.map(\.rawValue),
            "PartnerRole": PartnerRole.allCases.map(\.rawValue),
            "Audience": Audience.allCases.map(\.rawValue),
            "TimeBlock": TimeBlock.allCases.map(\.rawValue),
            "CallSource": CallSource.allCases.map(\.rawValue),
            "ForceLevel": ForceLevel.allCases.map(\.rawValue),
            "YesNoUnknown": YesNoUnknown.allCases.map(\.rawValue),
        ]
    }

    static var schemas: [String: Any] {
        [
            // Enums
            "Coverage": enumeration(Coverage.self, description: "A county's CIT coverage: a CIT program, CIP-only programs, or none known."),
            "ProgramKind": enumeration(ProgramKind.self, description: "What a program offers."),
            "ProgramStatus": enumeration(ProgramStatus.self, description: "Whether a program is running."),
            "OrganizationKind": enumeration(OrganizationKind.self, description: "The kind of a partner organization."),
            "PartnerRole": enumeration(PartnerRole.self, description: "An organization's part in a program."),
            "Audience": enumeration(Audience.self, description: "Who a person is, for a course's audience."),
            "TimeBlock": enumeration(TimeBlock.self, description: "When in the day, in four-hour blocks."),
            "CallSource": enumeration(CallSource.self, description: "How the call reached the officer."),
            "ForceLevel": enumeration(ForceLevel.self, description: "The highest level of force used."),
            "YesNoUnknown": enumeration(YesNoUnknown.self, description: "A fact the officer may not know on scene."),

            // Errors
            Schema.problem: [
                "type": "object",
                "description": "An RFC 9457 problem document.",
                "properties": [
                    "type": string(description: "A URI reference naming the problem type; \"about:blank\" when it is only the status."),
                    "title": string(description: "A short summary of the problem type."),
                    "status": integer(description: "The HTTP status code."),
                    "detail": string(description: "What went wrong with this request, in words."),
                    "instance": string(description: "The request path."),
                    "errors": [
                        "type": "object",
                        "description": "Field name → what is wrong with it.",
                        "additionalProperties": ["type": "string"],
                    ] as [String: Any],
                ] as [String: Any],
                "required": ["type", "title", "status"],
                "additionalProperties": false,
            ] as [String: Any],
            Schema.validationProblem: [
                "description": "A problem document whose `errors` names each field that was refused and why.",
                "allOf": [ref(Schema.problem)],
                "required": ["errors"],
            ] as [String: Any],

            // Paging
            Schema.pageInfo: object([
                "number": integer(minimum: 1, description: "This page's number, from 1."),
                "size": integer(minimum: 1, description: "Items per page (the `per_page` asked for)."),
                "total_items": integer(minimum: 0, description: "Items on all pages."),
                "total_pages": integer(minimum: 0, description: "Number of pages."),
            ]),

            // Directory
            Schema.county: object([
                "fips": fips,
                "name": string(description: "\"Dane\""),
                "full_name": string(description: "\"Dane County\""),
                "state": string(description: "Two-letter state code."),
                "population_2020": integer(minimum: 0),
                "coverage": ref("Coverage"),
                "program_ids": array(uuid),
                "url": string(description: "This county's API URL."),
            ]),
            Schema.countyPage: page(of: Schema.county),
            Schema.programCounty: object([
                "fips": fips,
                "name": string(),
            ]),
            Schema.programPartner: object([
                "organization_id": uuid,
                "name": string(),
                "kind": ref("OrganizationKind"),
                "role": ref("PartnerRole"),
            ]),
            Schema.sourceCitation: object([
                "url": nullable("string", description: "Where the program's details were found."),
                "date": nullable("string", description: "When the source was read or published."),
            ]),
            Schema.program: object([
                "id": uuid,
                "name": string(),
                "kinds": array(ref("ProgramKind")),
                "status": ref("ProgramStatus"),
                "year_started": nullable("integer"),
                "counties": array(ref(Schema.programCounty)),
                "partners": array(ref(Schema.programPartner)),
                "website": nullable("string"),
                "public_phone": nullable("string"),
                "public_email": nullable("string"),
                "verified": boolean,
                "last_verified_at": nullable("string", format: "date-time"),
                "source": ref(Schema.sourceCitation),
                "url": string(description: "This program's API URL."),
            ]),
            Schema.programPage: page(of: Schema.program),

            // Training
            Schema.courseSummary: object([
                "code": string(),
                "title": string(),
                "hours": ["type": "number", "minimum": 0],
            ]),
            Schema.venue: object([
                "name": string(),
                "address": string(),
                "zip": string(),
            ]),
            Schema.classSession: object([
                "id": uuid,
                "title": string(),
                "course": ref(Schema.courseSummary),
                "program_id": uuid,
                "program_name": string(),
                "county_fips": fips,
                "venue": ref(Schema.venue),
                "starts_at": string(format: "date-time"),
                "ends_at": string(format: "date-time"),
                "time_zone": string(description: "IANA time zone of the venue, such as America/Chicago."),
                "capacity": integer(minimum: 0),
                "seats_left": integer(minimum: 0),
                "waitlist": integer(minimum: 0, description: "People on the waitlist."),
                "registration_open": boolean,
                "url": string(description: "The class's public page."),
            ]),
            Schema.classSessionPage: page(of: Schema.classSession),
            Schema.rosterEntry: object([
                "registration_id": uuid,
                "name": string(),
                "email": string(),
                "phone": string(),
                "organization": string(),
                "role": ref("Audience"),
                "position": ["type": ["integer", "null"], "minimum": 1,
                             "description": "Place on the waitlist, from 1; null for a confirmed seat."] as [String: Any],
            ]),
            Schema.roster: object([
                "class_id": uuid,
                "confirmed": array(ref(Schema.rosterEntry)),
                "waitlist": array(ref(Schema.rosterEntry)),
            ]),

            // Outcomes
            Schema.encounterInput: object(encounterProperties, description: """
                A de-identified encounter report. Every field is required; there is no field \
                for a name, an address, a case number or a narrative, and unknown fields are refused.
                """),
            Schema.encounterCreated: object([
                "id": uuid,
                "quarter": string(pattern: quarterPattern, description: "The quarter the encounter is counted in, such as 2026Q3."),
            ]),
        ]
    }

    /// `EncounterInput` properties, keyed exactly by `EncounterFields.all`.
    static var encounterProperties: [String: [String: Any]] {
        var properties: [String: [String: Any]] = [:]
        for field in EncounterFields.all {
            properties[field] = encounterFieldSchema(field)
        }
        return properties
    }

    static func encounterFieldSchema(_ field: String) -> [String: Any] {
        var schema: [String: Any]
        switch field {
        case EncounterFields.occurredOn: schema = string(format: "date")
        case EncounterFields.timeBlock: schema = ref("TimeBlock")
        case EncounterFields.agency: schema = uuid
        case EncounterFields.countyFIPS: schema = fips
        case EncounterFields.callSource: schema = ref("CallSource")
        case EncounterFields.disposition:
            schema = string(description: "A disposition code from the reporting state's list, such as emergency_detention.")
        case EncounterFields.forceLevel: schema = ref("ForceLevel")
        case EncounterFields.citRequested, EncounterFields.citDispatched, EncounterFields.citArrived,
             EncounterFields.citTrainedOnScene, EncounterFields.injuryPerson, EncounterFields.injuryOfficer,
             EncounterFields.injuryOther:
            schema = boolean
        default:
            // weapon_involved, veteran, substance_use, repeat_contact
            schema = ref("YesNoUnknown")
        }
        if let label = EncounterFields.labels[field] {
            schema["description"] = label
        }
        return schema
    }

    static var components: [String: Any] {
        [
            "schemas": schemas,
            "securitySchemes": [
                "bearer": [
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A per-user API token (`cithub_...`) an administrator creates.",
                ] as [String: Any],
            ] as [String: Any],
            "parameters": [
                "page": [
                    "name": "page", "in": "query", "required": false,
                    "description": "Page number, from 1.",
                    "schema": ["type": "integer", "minimum": 1, "maximum": Paging.maxPage, "default": Paging.defaultPage] as [String: Any],
                ] as [String: Any],
                "per_page": [
                    "name": "per_page", "in": "query", "required": false,
                    "description": "Items per page, at most \(Paging.maxPerPage).",
                    "schema": ["type": "integer", "minimum": 1, "maximum": Paging.maxPerPage, "default": Paging.defaultPerPage] as [String: Any],
                ] as [String: Any],
            ] as [String: Any],
            "headers": [
                "Retry-After": [
                    "description": "Seconds to wait before trying again.",
                    "schema": ["type": "integer", "minimum": 1] as [String: Any],
                ] as [String: Any],
            ] as [String: Any],
            "responses": [
                "BadRequest": problemResponse("The request's parameters or body could not be read."),
                "Unauthorized": problemResponse("No valid bearer token was given."),
                "Forbidden": problemResponse("The token's user may not do this."),
                "NotFound": problemResponse("Nothing has this identifier."),
                "UnprocessableContent": problemResponse(
                    "The report was read but refused; `errors` names each field and what is wrong.",
                    schema: Schema.validationProblem
                ),
                "TooManyRequests": [
                    "description": "Too many requests for this token or IP; wait `Retry-After` seconds.",
                    "headers": ["Retry-After": ["$ref": "#/components/headers/Retry-After"]],
                    "content": [problemContentType: ["schema": ref(Schema.problem)]],
                ] as [String: Any],
            ] as [String: Any],
        ]
    }

    static func problemResponse(_ description: String, schema: String = Schema.problem) -> [String: Any] {
        ["description": description, "content": [problemContentType: ["schema": ref(schema)]]]
    }

    // MARK: - Paths

    static func responseRef(_ name: String) -> [String: Any] { ["$ref": "#/components/responses/\(name)"] }

    static func json(_ description: String, _ schema: [String: Any]) -> [String: Any] {
        ["description": description, "content": ["application/json": ["schema": schema]]]
    }

    static var pagingParameters: [[String: Any]] { [
        ["$ref": "#/components/parameters/page"],
        ["$ref": "#/components/parameters/per_page"],
    ] }

    static func query(_ name: String, _ schema: [String: Any], _ description: String) -> [String: Any] {
        ["name": name, "in": "query", "required": false, "description": description, "schema": schema]
    }

    static func pathParameter(_ name: String, _ schema: [String: Any], _ description: String) -> [String: Any] {
        ["name": name, "in": "path", "required": true, "description": description, "schema": schema]
    }

    static func operation(
        id: String, summary: String, tag: String, description: String? = nil,
        parameters: [[String: Any]] = [], secured: Bool = false,
        requestBody: [String: Any]? = nil, responses: [String: Any]
    ) -> [String: Any] {
        var op: [String: Any] = ["operationId": id, "summary": summary, "tags": [tag]]
        if let description { op["description"] = description }
        if !parameters.isEmpty { op["parameters"] = parameters }
        if secured { op["security"] = [["bearer": [String]()]] }
        if let requestBody { op["requestBody"] = requestBody }
        var all = responses
        all["429"] = responseRef("TooManyRequests")
        op["responses"] = all
        return op
    }

    static var uuidPathID: [String: Any] { pathParameter("id", uuid, "The identifier (a UUID).") }

    static var paths: [String: Any] {
        [
            "/api/v1/counties": [
                "get": operation(
                    id: "listCounties", summary: "List counties with their CIT coverage", tag: "Directory",
                    parameters: [query("coverage", ref("Coverage"), "Only counties with this coverage.")] + pagingParameters,
                    responses: [
                        "200": json("A page of counties.", ref(Schema.countyPage)),
                        "400": responseRef("BadRequest"),
                    ]
                ),
            ],
            "/api/v1/counties/{fips}": [
                "get": operation(
                    id: "getCounty", summary: "Get one county", tag: "Directory",
                    parameters: [pathParameter("fips", fips, "The county's 5-digit FIPS code.")],
                    responses: [
                        "200": json("The county.", ref(Schema.county)),
                        "404": responseRef("NotFound"),
                    ]
                ),
            ],
            "/api/v1/programs": [
                "get": operation(
                    id: "listPrograms", summary: "List CIT programs", tag: "Directory",
                    parameters: [
                        query("county", fips, "Only programs serving this county (5-digit FIPS)."),
                        query("kind", ref("ProgramKind"), "Only programs offering this kind of training."),
                        query("status", ref("ProgramStatus"), "Only programs with this status."),
                    ] + pagingParameters,
                    responses: [
                        "200": json("A page of programs.", ref(Schema.programPage)),
                        "400": responseRef("BadRequest"),
                    ]
                ),
            ],
            "/api/v1/programs/{id}": [
                "get": operation(
                    id: "getProgram", summary: "Get one program", tag: "Directory",
                    parameters: [uuidPathID],
                    responses: [
                        "200": json("The program.", ref(Schema.program)),
                        "404": responseRef("NotFound"),
                    ]
                ),
            ],
            "/api/v1/classes": [
                "get": operation(
                    id: "listClasses", summary: "List upcoming public classes", tag: "Training",
                    parameters: [
                        query("course", ["type": "string"], "Only classes of this course code."),
                        query("county", fips, "Only classes held in this county (5-digit FIPS)."),
                    ] + pagingParameters,
                    responses: [
                        "200": json("A page of classes.", ref(Schema.classSessionPage)),
                        "400": responseRef("BadRequest"),
                    ]
                ),
            ],
            "/api/v1/classes/{id}/roster": [
                "get": operation(
                    id: "getClassRoster", summary: "Get a class's roster", tag: "Training",
                    description: "Confirmed registrations and the waitlist in order. Needs a token whose user may see the class's roster.",
                    parameters: [uuidPathID], secured: true,
                    responses: [
                        "200": json("The roster.", ref(Schema.roster)),
                        "401": responseRef("Unauthorized"),
                        "403": responseRef("Forbidden"),
                        "404": responseRef("NotFound"),
                    ]
                ),
            ],
            "/api/v1/encounters": [
                "post": operation(
                    id: "createEncounter", summary: "Report an encounter", tag: "Outcomes",
                    description: "Records one de-identified encounter report for an agency the token's user reports for.",
                    secured: true,
                    requestBody: [
                        "required": true,
                        "content": ["application/json": ["schema": ref(Schema.encounterInput)]],
                    ],
                    responses: [
                        "201": [
                            "description": "The report was recorded.",
                            "headers": [
                                "Location": [
                                    "description": "The new report's URL.",
                                    "schema": ["type": "string"],
                                ] as [String: Any],
                            ] as [String: Any],
                            "content": ["application/json": ["schema": ref(Schema.encounterCreated)]],
                        ] as [String: Any],
                        "400": responseRef("BadRequest"),
                        "401": responseRef("Unauthorized"),
                        "403": responseRef("Forbidden"),
                        "422": responseRef("UnprocessableContent"),
                    ]
                ),
            ],
            "/api/openapi.json": [
                "get": operation(
                    id: "getOpenAPIDocument", summary: "This OpenAPI document", tag: "Meta",
                    responses: [
                        "200": json("The OpenAPI 3.1 document.", ["type": "object"]),
                    ]
                ),
            ],
        ]
    }
}
