import Foundation
import OpenAPIKit
import CITDomain

/// The OpenAPI 3.1 description of CIT Hub's JSON API, built with OpenAPIKit from the same
/// enums the server uses, so a value added to `ProgramKind` or `CallSource` appears in the
/// document without anyone retyping a list.
///
/// The document is also the contract the server's tests check responses against (see
/// `JSONSchemaCheck` in CITTestSupport): every object lists all its properties as required
/// and allows no others, so a field added to a response without being documented fails a test.
enum OpenAPIDocument {
    /// The document. `serverURL` is the site's base URL ("https://cithub.example.org"),
    /// written into `servers`.
    static func openAPI(serverURL: String) -> OpenAPI.Document {
        OpenAPI.Document(
            openAPIVersion: .v3_1_0,
            info: info,
            servers: [OpenAPI.Server(urlTemplate: URLTemplate(rawValue: serverURL) ?? URLTemplate(url: URL(string: "/")!))],
            paths: paths,
            components: components,
            tags: tags
        )
    }

    /// The document as pretty-printed JSON with sorted keys (stable, so it diffs well).
    static func json(serverURL: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Built from values OpenAPIKit can always encode; "{}" only if that ever changes.
        let data = (try? encoder.encode(openAPI(serverURL: serverURL))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The document as JSONSerialization values, the form tests check responses against.
    static func document(serverURL: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(json(serverURL: serverURL).utf8))) as? [String: Any] ?? [:]
    }

    // MARK: - Names used by the server and tests

    /// Component schema names.
    enum Schema {
        static let problem = "Problem"
        static let validationProblem = "ValidationProblem"
        static let pageInfo = "PageInfo"
        static let county = "County"
        static let countyPage = "CountyPage"
        static let program = "Program"
        static let programPage = "ProgramPage"
        static let programCounty = "ProgramCounty"
        static let programPartner = "ProgramPartner"
        static let sourceCitation = "SourceCitation"
        static let classSession = "ClassSession"
        static let classSessionPage = "ClassSessionPage"
        static let courseSummary = "CourseSummary"
        static let venue = "Venue"
        static let roster = "Roster"
        static let rosterEntry = "RosterEntry"
        static let encounterInput = "EncounterInput"
        static let encounterCreated = "EncounterCreated"
    }

    /// Paging limits the document promises; the server reads them from here.
    enum Paging {
        static let defaultPage = 1
        static let defaultPerPage = 50
        static let maxPerPage = 100
        /// Pages past the last are empty, not errors; this bound only keeps the number readable.
        static let maxPage = 1_000_000
    }

    /// `^[0-9]{5}$`: a county FIPS code.
    static let fipsPattern = "^[0-9]{5}$"
    /// `^[0-9]{4}Q[1-4]$`: a quarter key such as "2026Q3" (`Quarter.key`).
    static let quarterPattern = "^[0-9]{4}Q[1-4]$"
    /// The content type of error responses (RFC 9457).
    static let problemContentType = "application/problem+json"

    // MARK: - Info and tags

    static var info: OpenAPI.Document.Info {
        .init(
            title: "CIT Hub API",
            description: """
                CIT Hub's JSON API for Crisis Intervention Team programs.

                Read-only public resources (counties, programs, classes and this document) need no \
                token. Staff resources (class rosters, encounter reports) take a per-user bearer \
                token (`Authorization: Bearer cithub_...`) that an administrator creates; a token \
                acts with its user's permissions.

                Errors are RFC 9457 problem documents (`application/problem+json`). Requests are \
                counted and rate-limited per token and per client IP; a request over the limit \
                gets `429 Too Many Requests` with a `Retry-After` header in seconds.

                Lists are paged with `page` and `per_page` and wrapped in `{"data": [...], "page": {...}}`.
                """, version: "1.0.0")
    }

    static var tags: [OpenAPI.Tag] {
        [
            .init(name: "Directory", description: "Counties and the CIT programs that serve them."),
            .init(name: "Training", description: "Scheduled classes and their rosters."),
            .init(name: "Outcomes", description: "De-identified encounter reports."),
            .init(name: "Meta", description: "This document."),
        ]
    }

    // MARK: - Schema helpers

    static func ref(_ name: String) -> JSONSchema { .reference(.component(named: name)) }

    static func string(format: JSONTypeFormat.StringFormat = .unspecified, pattern: String? = nil, description: String? = nil) -> JSONSchema
    {
        .string(format: format, description: description, pattern: pattern)
    }

    static func nullableString(format: JSONTypeFormat.StringFormat = .unspecified, description: String? = nil) -> JSONSchema {
        .string(format: format, nullable: true, description: description)
    }

    static func integer(minimum: Int? = nil, description: String? = nil) -> JSONSchema {
        .integer(description: description, minimum: minimum.map { ($0, exclusive: false) })
    }

    static var boolean: JSONSchema { .boolean }
    static var uuid: JSONSchema { .string(format: .uuid) }
    static var fips: JSONSchema { .string(description: "5-digit county FIPS code.", pattern: fipsPattern) }

    static func array(_ items: JSONSchema) -> JSONSchema { .array(items: items) }

    /// A closed object: every property required, no others allowed.
    static func object(_ properties: [String: JSONSchema], description: String? = nil) -> JSONSchema {
        // Sorted, so `required` lists them in name order as the document always has.
        let ordered = OrderedDictionary(properties.sorted { $0.key < $1.key }, uniquingKeysWith: { first, _ in first })
        return .object(description: description, properties: ordered, additionalProperties: .a(false))
    }

    /// A string enum from a Swift enum's raw values, in declaration order.
    static func enumeration<T: RawRepresentable & CaseIterable>(_ type: T.Type, description: String) -> JSONSchema
    where T.RawValue == String {
        .string(description: description, allowedValues: T.allCases.map { AnyCodable($0.rawValue) })
    }

    /// The `data` + `page` envelope around a list of `item`.
    static func page(of item: String) -> JSONSchema {
        object(
            [
                "data": array(ref(item)),
                "page": ref(Schema.pageInfo),
            ], description: "One page of \(item) values.")
    }

    // MARK: - Components

    /// The enum component schemas, keyed by component name; each comes from `allCases`.
    static var enumSchemas: [String: [String]] {
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

    static var schemas: [(String, JSONSchema)] {
        [
            // Enums
            (
                "Coverage",
                enumeration(Coverage.self, description: "A county's CIT coverage: a CIT program, CIP-only programs, or none known.")
            ),
            ("ProgramKind", enumeration(ProgramKind.self, description: "What a program offers.")),
            ("ProgramStatus", enumeration(ProgramStatus.self, description: "Whether a program is running.")),
            ("OrganizationKind", enumeration(OrganizationKind.self, description: "The kind of a partner organization.")),
            ("PartnerRole", enumeration(PartnerRole.self, description: "An organization's part in a program.")),
            ("Audience", enumeration(Audience.self, description: "Who a person is, for a course's audience.")),
            ("TimeBlock", enumeration(TimeBlock.self, description: "When in the day, in four-hour blocks.")),
            ("CallSource", enumeration(CallSource.self, description: "How the call reached the officer.")),
            ("ForceLevel", enumeration(ForceLevel.self, description: "The highest level of force used.")),
            ("YesNoUnknown", enumeration(YesNoUnknown.self, description: "A fact the officer may not know on scene.")),

            // Errors
            (
                Schema.problem,
                .object(
                    description: "An RFC 9457 problem document.",
                    properties: [
                        "type": string(description: "A URI reference naming the problem type; \"about:blank\" when it is only the status."),
                        "title": string(description: "A short summary of the problem type."),
                        "status": integer(description: "The HTTP status code."),
                        "detail": string(description: "What went wrong with this request, in words.").optionalSchemaObject(),
                        "instance": string(description: "The request path.").optionalSchemaObject(),
                        "errors": JSONSchema.object(
                            required: false,
                            description: "Field name → what is wrong with it.",
                            additionalProperties: .b(.string)
                        ),
                    ],
                    additionalProperties: .a(false)
                )
            ),
            // OpenAPIKit has no `required` beside `allOf` in one schema object, so the
            // requirement is the second member of the `allOf`: the same constraint.
            (
                Schema.validationProblem,
                .all(
                    of: ref(Schema.problem),
                    .object(properties: ["errors": .fragment(required: true)]),
                    description: "A problem document whose `errors` names each field that was refused and why."
                )
            ),

            // Paging
            (
                Schema.pageInfo,
                object([
                    "number": integer(minimum: 1, description: "This page's number, from 1."),
                    "size": integer(minimum: 1, description: "Items per page (the `per_page` asked for)."),
                    "total_items": integer(minimum: 0, description: "Items on all pages."),
                    "total_pages": integer(minimum: 0, description: "Number of pages."),
                ])
            ),

            // Directory
            (
                Schema.county,
                object([
                    "fips": fips,
                    "name": string(description: "\"Dane\""),
                    "full_name": string(description: "\"Dane County\""),
                    "state": string(description: "Two-letter state code."),
                    "population_2020": integer(minimum: 0),
                    "coverage": ref("Coverage"),
                    "program_ids": array(uuid),
                    "url": string(description: "This county's API URL."),
                ])
            ),
            (Schema.countyPage, page(of: Schema.county)),
            (
                Schema.programCounty,
                object([
                    "fips": fips,
                    "name": string(),
                ])
            ),
            (
                Schema.programPartner,
                object([
                    "organization_id": uuid,
                    "name": string(),
                    "kind": ref("OrganizationKind"),
                    "role": ref("PartnerRole"),
                ])
            ),
            (
                Schema.sourceCitation,
                object([
                    "url": nullableString(description: "Where the program's details were found."),
                    "date": nullableString(description: "When the source was read or published."),
                ])
            ),
            (
                Schema.program,
                object([
                    "id": uuid,
                    "name": string(),
                    "kinds": array(ref("ProgramKind")),
                    "status": ref("ProgramStatus"),
                    "year_started": .integer(nullable: true),
                    "counties": array(ref(Schema.programCounty)),
                    "partners": array(ref(Schema.programPartner)),
                    "website": nullableString(),
                    "public_phone": nullableString(),
                    "public_email": nullableString(),
                    "verified": boolean,
                    "last_verified_at": nullableString(format: .dateTime),
                    "source": ref(Schema.sourceCitation),
                    "url": string(description: "This program's API URL."),
                ])
            ),
            (Schema.programPage, page(of: Schema.program)),

            // Training
            (
                Schema.courseSummary,
                object([
                    "code": string(),
                    "title": string(),
                    "hours": .number(minimum: (0, exclusive: false)),
                ])
            ),
            (
                Schema.venue,
                object([
                    "name": string(),
                    "address": string(),
                    "zip": string(),
                ])
            ),
            (
                Schema.classSession,
                object([
                    "id": uuid,
                    "title": string(),
                    "course": ref(Schema.courseSummary),
                    "program_id": uuid,
                    "program_name": string(),
                    "county_fips": fips,
                    "venue": ref(Schema.venue),
                    "starts_at": string(format: .dateTime),
                    "ends_at": string(format: .dateTime),
                    "time_zone": string(description: "IANA time zone of the venue, such as America/Chicago."),
                    "capacity": integer(minimum: 0),
                    "seats_left": integer(minimum: 0),
                    "waitlist": integer(minimum: 0, description: "People on the waitlist."),
                    "registration_open": boolean,
                    "url": string(description: "The class's public page."),
                ])
            ),
            (Schema.classSessionPage, page(of: Schema.classSession)),
            (
                Schema.rosterEntry,
                object([
                    "registration_id": uuid,
                    "name": string(),
                    "email": string(),
                    "phone": string(),
                    "organization": string(),
                    "role": ref("Audience"),
                    "position": .integer(
                        nullable: true, description: "Place on the waitlist, from 1; null for a confirmed seat.",
                        minimum: (1, exclusive: false)),
                ])
            ),
            (
                Schema.roster,
                object([
                    "class_id": uuid,
                    "confirmed": array(ref(Schema.rosterEntry)),
                    "waitlist": array(ref(Schema.rosterEntry)),
                ])
            ),

            // Outcomes
            (
                Schema.encounterInput,
                object(
                    encounterProperties,
                    description: """
                        A de-identified encounter report. Every field is required; there is no field \
                        for a name, an address, a case number or a narrative, and unknown fields are refused.
                        """)
            ),
            (
                Schema.encounterCreated,
                object([
                    "id": uuid,
                    "quarter": string(pattern: quarterPattern, description: "The quarter the encounter is counted in, such as 2026Q3."),
                ])
            ),
        ]
    }

    /// `EncounterInput` properties, keyed exactly by `EncounterFields.all`.
    static var encounterProperties: [String: JSONSchema] {
        var properties: [String: JSONSchema] = [:]
        for field in EncounterFields.all {
            properties[field] = encounterFieldSchema(field)
        }
        return properties
    }

    static func encounterFieldSchema(_ field: String) -> JSONSchema {
        let label = EncounterFields.labels[field]
        switch field {
        case EncounterFields.occurredOn: return string(format: .date, description: label)
        case EncounterFields.timeBlock: return .reference(.component(named: "TimeBlock"), description: label)
        case EncounterFields.agency: return .string(format: .uuid, description: label)
        case EncounterFields.countyFIPS: return .string(description: label ?? "5-digit county FIPS code.", pattern: fipsPattern)
        case EncounterFields.callSource: return .reference(.component(named: "CallSource"), description: label)
        case EncounterFields.disposition:
            return string(description: label ?? "A disposition code from the reporting state's list, such as emergency_detention.")
        case EncounterFields.forceLevel: return .reference(.component(named: "ForceLevel"), description: label)
        case EncounterFields.citRequested, EncounterFields.citDispatched, EncounterFields.citArrived,
            EncounterFields.citTrainedOnScene, EncounterFields.injuryPerson, EncounterFields.injuryOfficer,
            EncounterFields.injuryOther:
            return .boolean(description: label)
        default:
            // weapon_involved, veteran, substance_use, repeat_contact
            return .reference(.component(named: "YesNoUnknown"), description: label)
        }
    }

    static var problemContent: OpenAPI.ContentType { OpenAPI.ContentType(rawValue: problemContentType)! }

    static var components: OpenAPI.Components {
        OpenAPI.Components(
            schemas: OpenAPI.ComponentDictionary(
                schemas.map { (OpenAPI.ComponentKey(stringLiteral: $0.0), $0.1) }, uniquingKeysWith: { first, _ in first }),
            responses: [
                "BadRequest": .b(problemResponse("The request's parameters or body could not be read.")),
                "Unauthorized": .b(problemResponse("No valid bearer token was given.")),
                "Forbidden": .b(problemResponse("The token's user may not do this.")),
                "NotFound": .b(problemResponse("Nothing has this identifier.")),
                "UnprocessableContent": .b(
                    problemResponse(
                        "The report was read but refused; `errors` names each field and what is wrong.",
                        schema: Schema.validationProblem
                    )),
                "TooManyRequests": .b(
                    OpenAPI.Response(
                        description: "Too many requests for this token or IP; wait `Retry-After` seconds.",
                        headers: ["Retry-After": .reference(.component(named: "Retry-After"))],
                        content: [problemContent: .b(OpenAPI.Content(schema: ref(Schema.problem)))]
                    )),
            ],
            parameters: [
                "page": .b(
                    .query(
                        name: "page",
                        schema: .integer(
                            maximum: (Paging.maxPage, exclusive: false), minimum: (1, exclusive: false),
                            defaultValue: AnyCodable(Paging.defaultPage)),
                        description: "Page number, from 1."
                    )),
                "per_page": .b(
                    .query(
                        name: "per_page",
                        schema: .integer(
                            maximum: (Paging.maxPerPage, exclusive: false), minimum: (1, exclusive: false),
                            defaultValue: AnyCodable(Paging.defaultPerPage)),
                        description: "Items per page, at most \(Paging.maxPerPage)."
                    )),
            ],
            headers: [
                "Retry-After": .b(
                    OpenAPI.Header(
                        schema: .integer(minimum: (1, exclusive: false)),
                        description: "Seconds to wait before trying again."
                    ))
            ],
            securitySchemes: [
                "bearer": .b(.http(scheme: "bearer", description: "A per-user API token (`cithub_...`) an administrator creates."))
            ]
        )
    }

    static func problemResponse(_ description: String, schema: String = Schema.problem) -> OpenAPI.Response {
        OpenAPI.Response(description: description, content: [problemContent: .b(OpenAPI.Content(schema: ref(schema)))])
    }

    // MARK: - Paths

    typealias ResponseEntry = Either<OpenAPI.Reference<OpenAPI.Response>, OpenAPI.Response>

    static func responseRef(_ name: String) -> ResponseEntry { .reference(.component(named: name)) }

    static func json(_ description: String, _ schema: JSONSchema) -> ResponseEntry {
        .b(OpenAPI.Response(description: description, content: [.json: .b(OpenAPI.Content(schema: schema))]))
    }

    static var pagingParameters: OpenAPI.Parameter.Array {
        [
            .reference(.component(named: "page")),
            .reference(.component(named: "per_page")),
        ]
    }

    static func query(_ name: String, _ schema: JSONSchema, _ description: String) -> Either<
        OpenAPI.Reference<OpenAPI.Parameter>, OpenAPI.Parameter
    > {
        .b(.query(name: name, schema: schema, description: description))
    }

    static func pathParameter(_ name: String, _ schema: JSONSchema, _ description: String) -> Either<
        OpenAPI.Reference<OpenAPI.Parameter>, OpenAPI.Parameter
    > {
        .b(.path(name: name, schema: schema, description: description))
    }

    static func operation(
        id: String, summary: String, tag: String, description: String? = nil,
        parameters: OpenAPI.Parameter.Array = [], secured: Bool = false,
        requestBody: OpenAPI.Request? = nil, responses: [(OpenAPI.Response.StatusCode, ResponseEntry)]
    ) -> OpenAPI.Operation {
        var all = OpenAPI.Response.Map(responses, uniquingKeysWith: { first, _ in first })
        all[429] = responseRef("TooManyRequests")
        return OpenAPI.Operation(
            tags: [tag], summary: summary, description: description, operationId: id,
            parameters: parameters, requestBody: requestBody, responses: all,
            security: secured ? [[.component(named: "bearer"): []]] : nil
        )
    }

    static var uuidPathID: Either<OpenAPI.Reference<OpenAPI.Parameter>, OpenAPI.Parameter> {
        pathParameter("id", uuid, "The identifier (a UUID).")
    }

    /// A path of the document, from its route (so the document cannot drift from SiteURL).
    static func path(_ url: SiteURL) -> OpenAPI.Path { OpenAPI.Path(rawValue: url.openAPIPath) }

    static var paths: OpenAPI.PathItem.Map {
        [
            path(.apiCounties): .b(
                OpenAPI.PathItem(
                    get: operation(
                        id: "listCounties", summary: "List counties with their CIT coverage", tag: "Directory",
                        parameters: [query("coverage", ref("Coverage"), "Only counties with this coverage.")] + pagingParameters,
                        responses: [
                            (200, json("A page of counties.", ref(Schema.countyPage))),
                            (400, responseRef("BadRequest")),
                        ]
                    ))),
            path(.apiCounty(.key)): .b(
                OpenAPI.PathItem(
                    get: operation(
                        id: "getCounty", summary: "Get one county", tag: "Directory",
                        parameters: [pathParameter("fips", fips, "The county's 5-digit FIPS code.")],
                        responses: [
                            (200, json("The county.", ref(Schema.county))),
                            (404, responseRef("NotFound")),
                        ]
                    ))),
            path(.apiPrograms): .b(
                OpenAPI.PathItem(
                    get: operation(
                        id: "listPrograms", summary: "List CIT programs", tag: "Directory",
                        parameters: [
                            query("county", fips, "Only programs serving this county (5-digit FIPS)."),
                            query("kind", ref("ProgramKind"), "Only programs offering this kind of training."),
                            query("status", ref("ProgramStatus"), "Only programs with this status."),
                        ] + pagingParameters,
                        responses: [
                            (200, json("A page of programs.", ref(Schema.programPage))),
                            (400, responseRef("BadRequest")),
                        ]
                    ))),
            path(.apiProgram(.key)): .b(
                OpenAPI.PathItem(
                    get: operation(
                        id: "getProgram", summary: "Get one program", tag: "Directory",
                        parameters: [uuidPathID],
                        responses: [
                            (200, json("The program.", ref(Schema.program))),
                            (404, responseRef("NotFound")),
                        ]
                    ))),
            path(.apiClasses): .b(
                OpenAPI.PathItem(
                    get: operation(
                        id: "listClasses", summary: "List upcoming public classes", tag: "Training",
                        parameters: [
                            query("course", .string, "Only classes of this course code."),
                            query("county", fips, "Only classes held in this county (5-digit FIPS)."),
                        ] + pagingParameters,
                        responses: [
                            (200, json("A page of classes.", ref(Schema.classSessionPage))),
                            (400, responseRef("BadRequest")),
                        ]
                    ))),
            path(.apiClassRoster(.key)): .b(
                OpenAPI.PathItem(
                    get: operation(
                        id: "getClassRoster", summary: "Get a class's roster", tag: "Training",
                        description:
                            "Confirmed registrations and the waitlist in order. Needs a token whose user may see the class's roster.",
                        parameters: [uuidPathID], secured: true,
                        responses: [
                            (200, json("The roster.", ref(Schema.roster))),
                            (401, responseRef("Unauthorized")),
                            (403, responseRef("Forbidden")),
                            (404, responseRef("NotFound")),
                        ]
                    ))),
            path(.apiEncounters): .b(
                OpenAPI.PathItem(
                    post: operation(
                        id: "createEncounter", summary: "Report an encounter", tag: "Outcomes",
                        description: "Records one de-identified encounter report for an agency the token's user reports for.",
                        secured: true,
                        requestBody: OpenAPI.Request(
                            content: [.json: .b(OpenAPI.Content(schema: ref(Schema.encounterInput)))], required: true),
                        responses: [
                            (
                                201,
                                .b(
                                    OpenAPI.Response(
                                        description: "The report was recorded.",
                                        headers: ["Location": .b(OpenAPI.Header(schema: .string, description: "The new report's URL."))],
                                        content: [.json: .b(OpenAPI.Content(schema: ref(Schema.encounterCreated)))]
                                    ))
                            ),
                            (400, responseRef("BadRequest")),
                            (401, responseRef("Unauthorized")),
                            (403, responseRef("Forbidden")),
                            (422, responseRef("UnprocessableContent")),
                        ]
                    ))),
            path(.apiOpenAPI): .b(
                OpenAPI.PathItem(
                    get: operation(
                        id: "getOpenAPIDocument", summary: "This OpenAPI document", tag: "Meta",
                        responses: [
                            (200, json("The OpenAPI 3.1 document.", .object))
                        ]
                    ))),
        ]
    }
}
