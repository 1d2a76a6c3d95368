import Fluent
import Vapor
import CITDomain

/// The JSON API: public read-only resources (counties with coverage, programs with
/// partners, upcoming classes with seats left) and, with a token, staff resources
/// (file encounter reports, read class rosters). Shapes are written out as dictionaries
/// so that every key the OpenAPI document promises is present, with null where empty.
enum APIController {
    static func register(on app: Application) {
        app.get(SiteURL.apiOpenAPI.pathComponents, use: openAPI)
        let v1 = app.grouped(APIGate())
        v1.get(SiteURL.apiCounties.pathComponents, use: counties)
        v1.get(SiteURL.apiCounty(.key).pathComponents, use: county)
        v1.get(SiteURL.apiPrograms.pathComponents, use: programs)
        v1.get(SiteURL.apiProgram(.key).pathComponents, use: program)
        v1.get(SiteURL.apiClasses.pathComponents, use: classes)
        v1.get(SiteURL.apiClassRoster(.key).pathComponents, use: roster)
        v1.post(SiteURL.apiEncounters.pathComponents, use: fileEncounter)
        // Methods the document does not list answer 405 with the ones it does, not 404.
        let allowed: [(SiteURL, [HTTPMethod])] = [
            (.apiCounties, [.GET]), (.apiCounty(.key), [.GET]), (.apiPrograms, [.GET]), (.apiProgram(.key), [.GET]),
            (.apiClasses, [.GET]), (.apiClassRoster(.key), [.GET]), (.apiEncounters, [.POST]),
        ]
        let every: [HTTPMethod] = [.GET, .POST, .PUT, .PATCH, .DELETE, .OPTIONS, .TRACE, .RAW(value: "QUERY")]
        for (url, methods) in allowed {
            for method in every where !methods.contains(method) {
                let allow = methods.map(\.rawValue).joined(separator: ", ")
                app.on(method, url.pathComponents) { req -> Response in
                    APIProblem.response(
                        .methodNotAllowed, detail: "This address answers \(allow) only.", instance: req.url.path, headers: ["Allow": allow])
                }
            }
        }
        for method in every where method != .GET {
            app.on(method, SiteURL.apiOpenAPI.pathComponents) { req -> Response in
                APIProblem.response(
                    .methodNotAllowed, detail: "This address answers GET only.", instance: req.url.path, headers: ["Allow": "GET"])
            }
        }
    }

    // MARK: helpers

    static func json(_ object: Any, status: HTTPResponseStatus = .ok) -> Response {
        let response = Response(status: status)
        response.body = .init(
            data: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8))
        response.headers.contentType = .json
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    static func nullable(_ value: Any?) -> Any { value ?? NSNull() }
    static func id(_ uuid: UUID) -> String { uuid.uuidString.lowercased() }

    static func iso(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    struct BadRequest: Error { var detail: String }

    /// `page` and `per_page`, or a 400 problem.
    static func paging(_ req: Request) throws -> (page: Int, size: Int) {
        func read(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
            guard let raw = req.query[String.self, at: name] else { return value }
            guard let number = Int(raw), range.contains(number) else {
                throw BadRequest(
                    detail:
                        "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound == Int.max ? "up" : String(range.upperBound))."
                )
            }
            return number
        }
        return (
            try read("page", default: OpenAPIDocument.Paging.defaultPage, range: 1...OpenAPIDocument.Paging.maxPage),
            try read("per_page", default: OpenAPIDocument.Paging.defaultPerPage, range: 1...OpenAPIDocument.Paging.maxPerPage)
        )
    }

    static func page(_ items: [[String: Any]], _ paging: (page: Int, size: Int)) -> [String: Any] {
        let start = min(items.count, (paging.page - 1) * paging.size)
        let slice = Array(items[start..<min(items.count, start + paging.size)])
        return [
            "data": slice,
            "page": [
                "number": paging.page, "size": paging.size, "total_items": items.count,
                "total_pages": (items.count + paging.size - 1) / paging.size,
            ],
        ]
    }

    static func fipsParameter(_ req: Request, _ name: String) throws -> String? {
        guard let raw = req.query[String.self, at: name] else { return nil }
        guard raw.count == 5, raw.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw BadRequest(detail: "\(name) must be a 5-digit county FIPS code.")
        }
        return raw
    }

    static func handle(_ req: Request, _ body: () async throws -> Response) async throws -> Response {
        do { return try await body() } catch let bad as BadRequest {
            return APIProblem.response(.badRequest, detail: bad.detail, instance: req.url.path)
        }
    }

    static func notFound(_ req: Request, _ what: String) -> Response {
        APIProblem.response(.notFound, detail: "There is no \(what) at this address.", instance: req.url.path)
    }

    // MARK: the document

    @Sendable static func openAPI(req: Request) async throws -> Response {
        let response = Response(status: .ok, body: .init(string: OpenAPIDocument.json(serverURL: req.application.settings.publicURL)))
        response.headers.contentType = .json
        return response
    }

    // MARK: counties

    static func countyObject(_ row: DirectoryQueries.CountyCoverage, publicURL: String) -> [String: Any] {
        [
            "fips": row.county.id!, "name": row.county.name, "full_name": row.county.fullName, "state": row.county.stateCode,
            "population_2020": row.county.population2020, "coverage": row.coverage.rawValue,
            "program_ids": row.programs.map { id($0.id) }, "url": publicURL + SiteURL.county(.value(row.county.id!)).path,
        ]
    }

    @Sendable static func counties(req: Request) async throws -> Response {
        try await handle(req) {
            let paging = try paging(req)
            var coverage: Coverage?
            if let raw = req.query[String.self, at: "coverage"] {
                guard let value = Coverage(rawValue: raw) else {
                    throw BadRequest(detail: "coverage must be one of \(Coverage.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                coverage = value
            }
            let rows = try await DirectoryQueries.coverage(on: req.db, stateCode: req.application.settings.stateCode)
                .filter { coverage == nil || $0.coverage == coverage }
            return json(page(rows.map { countyObject($0, publicURL: req.application.settings.publicURL) }, paging))
        }
    }

    @Sendable static func county(req: Request) async throws -> Response {
        let fips = req.parameters.get("fips") ?? ""
        let rows = try await DirectoryQueries.coverage(on: req.db, stateCode: req.application.settings.stateCode)
        guard let row = rows.first(where: { $0.county.id == fips }) else { return notFound(req, "county") }
        return json(countyObject(row, publicURL: req.application.settings.publicURL))
    }

    // MARK: programs

    static func programObject(_ p: DirectoryProgram, publicURL: String) -> [String: Any] {
        [
            "id": id(p.id), "name": p.name, "kinds": p.kinds.map(\.rawValue), "status": p.status.rawValue,
            "year_started": nullable(p.yearStarted),
            "counties": p.counties.map { ["fips": $0.fips, "name": $0.name] },
            "partners": p.partners.map {
                ["organization_id": id($0.organizationID), "name": $0.name, "kind": $0.kind.rawValue, "role": $0.role.rawValue]
            },
            "website": nullable(p.website), "public_phone": nullable(p.phone), "public_email": nullable(p.email),
            "verified": p.lastVerifiedAt != nil, "last_verified_at": nullable(p.lastVerifiedAt.map(iso)),
            "source": ["url": nullable(p.sourceURL), "date": nullable(p.sourceDate)],
            "url": publicURL + SiteURL.program(.value(id(p.id))).path,
        ]
    }

    @Sendable static func programs(req: Request) async throws -> Response {
        try await handle(req) {
            let paging = try paging(req)
            let county = try fipsParameter(req, "county")
            var kind: ProgramKind?
            if let raw = req.query[String.self, at: "kind"] {
                guard let value = ProgramKind(rawValue: raw) else {
                    throw BadRequest(detail: "kind must be one of \(ProgramKind.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                kind = value
            }
            var status: ProgramStatus?
            if let raw = req.query[String.self, at: "status"] {
                guard let value = ProgramStatus(rawValue: raw) else {
                    throw BadRequest(detail: "status must be one of \(ProgramStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                status = value
            }
            let all = try await DirectoryQueries.programs(on: req.db).filter { p in
                (county == nil || p.counties.contains { $0.fips == county }) && (kind == nil || p.kinds.contains(kind!))
                    && (status == nil || p.status == status)
            }
            return json(page(all.map { programObject($0, publicURL: req.application.settings.publicURL) }, paging))
        }
    }

    @Sendable static func program(req: Request) async throws -> Response {
        guard let uuid = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
            let program = try await DirectoryQueries.programs(on: req.db, ids: [uuid]).first
        else { return notFound(req, "program") }
        return json(programObject(program, publicURL: req.application.settings.publicURL))
    }

    // MARK: classes

    @Sendable static func classes(req: Request) async throws -> Response {
        try await handle(req) {
            let paging = try paging(req)
            let county = try fipsParameter(req, "county")
            let course = req.query[String.self, at: "course"]
            let now = Date()
            let sessions = try await ClassQueries.upcoming(on: req.db, now: now)
                .filter { (county == nil || $0.countyFIPS == county) && (course == nil || $0.course.code == course) }
            let listings = try await ClassQueries.listings(sessions, on: req.db)
            let publicURL = req.application.settings.publicURL
            let items: [[String: Any]] = listings.map { listing in
                let s = listing.session
                let open =
                    (s.registrationOpensAt.map { $0 <= now } ?? true) && (s.registrationClosesAt.map { $0 > now } ?? true)
                    && s.startsAt > now
                return [
                    "id": id(s.id!), "title": s.title,
                    "course": ["code": s.course.code, "title": s.course.title, "hours": s.course.requiredHours],
                    "program_id": id(s.$program.id), "program_name": s.program.name, "county_fips": s.countyFIPS,
                    "venue": ["name": s.venueName, "address": s.venueAddress, "zip": s.venueZIP],
                    "starts_at": iso(s.startsAt), "ends_at": iso(s.endsAt), "time_zone": s.timeZone, "capacity": s.capacity,
                    "seats_left": listing.seatsLeft, "waitlist": listing.waiting, "registration_open": open,
                    "url": publicURL + SiteURL.classPage(.value(s.id!)).path,
                ]
            }
            return json(page(items, paging))
        }
    }

    // MARK: staff resources (token)

    @Sendable static func roster(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else {
            return APIProblem.response(
                .unauthorized, detail: "Send an API token: Authorization: Bearer <token>.", instance: req.url.path,
                headers: ["WWW-Authenticate": "Bearer"])
        }
        guard user.can(.manageOwnClasses) else {
            return APIProblem.response(.forbidden, detail: "This token's owner cannot read class rosters.", instance: req.url.path)
        }
        guard let classID = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
            let session = try await ClassSession.find(classID, on: req.db)
        else {
            return notFound(req, "class")
        }
        guard user.may(.manage, .program(session.$program.id)).isAllowed else {
            return APIProblem.response(
                .forbidden, detail: "This token's owner can read the rosters of their own programs' classes only.", instance: req.url.path)
        }
        let registrations = try await Registration.query(on: req.db).filter(\.$classSession.$id == classID).sort(\.$sequence).all()
        let waiting = try await RegistrationService.waitlist(classID: classID, on: req.db)
        func entry(_ r: Registration, position: Int?) -> [String: Any] {
            [
                "registration_id": id(r.id!), "name": r.name, "email": r.email, "phone": r.phone, "organization": r.organization,
                "role": r.audience.rawValue, "position": nullable(position),
            ]
        }
        req.logger.info("api roster read", metadata: ["class": .string(classID.uuidString), "user": .string(user.email)])
        // Names, emails and phones left the system: in the audit log (issue 13).
        try await req.audit.record(
            "api.roster_read", entityType: "class", entityID: classID.uuidString,
            details: "\(registrations.count) registrations", actor: user)
        return json([
            "class_id": id(classID),
            "confirmed": registrations.filter { $0.status == .confirmed }.map { entry($0, position: nil) },
            "waitlist": waiting.enumerated().map { entry($0.element, position: $0.offset + 1) },
        ])
    }

    @Sendable static func fileEncounter(req: Request) async throws -> Response {
        guard let user = req.auth.get(User.self) else {
            return APIProblem.response(
                .unauthorized, detail: "Send an API token: Authorization: Bearer <token>.", instance: req.url.path,
                headers: ["WWW-Authenticate": "Bearer"])
        }
        guard user.can(.reportForOwnAgency) else {
            return APIProblem.response(.forbidden, detail: "This token's owner cannot file encounter reports.", instance: req.url.path)
        }
        guard let data = req.body.data, let object = try? JSONDecoder().decode([String: JSONScalar].self, from: Data(buffer: data)) else {
            return APIProblem.response(.badRequest, detail: "Send the report as a JSON object.", instance: req.url.path)
        }
        var values: [String: String] = [:]
        var typeErrors: [String: String] = [:]
        for (key, value) in object {
            switch value {
            case let .bool(flag): values[key] = flag ? "yes" : "no"
            case let .string(text): values[key] = text
            case .number, .null, .other:
                typeErrors[key] = "Must be a string (or true/false for yes/no questions)."
                values[key] = ""
            }
        }
        let settings = req.application.settings
        let agencies = try await EncounterService.agencies(for: user, on: req.db)
        let counties = try await EncounterService.counties(on: req.db, stateCode: settings.stateCode)
        let catalog = EncounterService.catalog(settings)
        switch EncounterFields.validate(
            values, agencies: Set(agencies.map { EncounterService.key($0.id!) }), counties: Set(counties.compactMap(\.id)),
            catalog: catalog, today: EncounterService.today(settings))
        {
        case let .failure(problems):
            let errors = problems.byField.merging(typeErrors) { _, type in type }
            return APIProblem.response(
                .unprocessableEntity,
                detail: "The report was not filed: \(errors.count == 1 ? "one field needs" : "\(errors.count) fields need") fixing.",
                errors: errors, instance: req.url.path)
        case let .success(record):
            guard typeErrors.isEmpty else {
                return APIProblem.response(
                    .unprocessableEntity, detail: "The report was not filed.", errors: typeErrors, instance: req.url.path)
            }
            let ids = try await req.db.transaction { tx in
                let ids = try await EncounterService.store([record], catalog: catalog, source: "api", filedBy: user.id, on: tx)
                try await req.audit.record(
                    "encounter.filed", entityType: "encounter", entityID: ids.first?.uuidString, details: "API, agency \(record.agencyKey)",
                    on: tx)
                return ids
            }
            req.application.publishedOutcomes.invalidate()
            return json(["id": id(ids[0]), "quarter": record.quarter.key], status: .created)
        }
    }
}

/// One JSON value as the API reads a report: true/false are told apart from numbers, so
/// 1 is not taken for "yes".
enum JSONScalar: Decodable {
    case bool(Bool), string(String), number(Double), null, other

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else {
            self = .other
        }
    }
}
