import Vapor
import Fluent
import Plot
import CITDomain
import SQLKit

/// The public side of the directory: the map, county and program pages, search, exports
/// and the embeddable map. Everything but search is the same for everyone and cached.
enum DirectoryPagesController {
    static func register(on routes: any RoutesBuilder, cache: PageCache) {
        routes.cachedPage("map", cache: cache, key: SiteURL.map) { req in
            Page(title: "Find CIT near you", chrome: req.publicChrome, main: mapPage(try await MapModel.load(req))).render()
        }
        routes.get("embed", "map", use: embedMap)
        // A page in the cache exists and is current: answer at once, with no look-up.
        routes.get("counties", ":fips") { req -> EventLoopFuture<Response> in
            if let hit = cache.cached(for: req, key: SiteURL.county(req.parameters.get("fips") ?? "")) { return req.eventLoop.makeSucceededFuture(hit) }
            return req.eventLoop.makeFutureWithTask { try await county(req: req) }
        }
        routes.get("programs", ":id") { req -> EventLoopFuture<Response> in
            if let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let hit = cache.cached(for: req, key: SiteURL.program(id.uuidString)) {
                return req.eventLoop.makeSucceededFuture(hit)
            }
            return req.eventLoop.makeFutureWithTask { try await program(req: req) }
        }
        routes.get("search", use: search)
        routes.get("directory.csv", use: csv)
        routes.get("directory.geojson", use: geoJSON)
        routes.get("directory", "hsds.json", use: hsds)
    }

    // MARK: map

    @Sendable static func embedMap(req: Request) async throws -> Response {
        try await req.application.pageCache.response(for: req, key: SiteURL.embedMap, extraHeaders: [
            // Affiliates put this page in an iframe on their own sites.
            ("Content-Security-Policy", SecurityHeadersMiddleware.contentSecurityPolicy.replacingOccurrences(of: "frame-ancestors 'none'", with: "frame-ancestors *")),
            ("X-Frame-Options", "ALLOWALL"),
        ]) {
            let model = try await MapModel.load(req)
            let base = req.application.settings.publicURL
            let html = HTML(
                .lang(.english),
                .head(.encoding(.utf8), .viewport(.accordingToDevice), .element(named: "title", text: "CIT programs map"), .stylesheet("/assets/site.css")),
                .body(.class("embed"), .element(named: "main", nodes: [
                    .h1(.text("CIT and CIP programs by county")),
                    mapSVG(model, linkBase: base, target: "_top"),
                    legend(),
                    .p(.a(.href(base + SiteURL.map), .attribute(named: "target", value: "_top"), .text("Open the full directory")), .text(" · "), .text(model.updatedLine)),
                ]))
            )
            return html.render()
        }
    }

    struct MapModel {
        var state: String
        var coverage: [DirectoryQueries.CountyCoverage]
        var shapes: [CountyShape]
        var viewBox: String
        var lastVerified: Date?
        var reportedCount: Int

        var updatedLine: String {
            if let date = lastVerified { return "Map last updated: \(date.formatted(.dateTime.month(.wide).day().year())) (the newest verified record)." }
            return "No program record has been verified by a coordinator yet; \(reportedCount) program\(reportedCount == 1 ? " is" : "s are") shown as public sources reported them."
        }

        static func load(_ req: Request) async throws -> MapModel {
            let state = req.application.settings.stateCode
            let coverage = try await DirectoryQueries.coverage(on: req.db, stateCode: state)
            let (shapes, viewBox) = try await req.application.stateMapCache.shapes(on: req.db, stateCode: state)
            let programs = Dictionary(coverage.flatMap(\.programs).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }).values
            return MapModel(state: state, coverage: coverage, shapes: shapes, viewBox: viewBox,
                            lastVerified: DirectoryFreshness.lastUpdated(verifiedAt: programs.map(\.lastVerifiedAt)),
                            reportedCount: programs.filter { $0.lastVerifiedAt == nil }.count)
        }
    }

    static func mapSVG(_ model: MapModel, linkBase: String = "", target: String? = nil) -> BodyNode {
        let byFIPS = Dictionary(uniqueKeysWithValues: model.coverage.map { ($0.county.id!, $0) })
        return .element(named: "svg", nodes: [
            .attribute(named: "class", value: "state-map"),
            .attribute(named: "viewBox", value: model.viewBox),
            .attribute(named: "role", value: "group"),
            .attribute(named: "aria-label", value: "Map of counties coloured by CIT coverage. Each county links to its page."),
            .forEach(model.shapes) { shape in
                let info = byFIPS[shape.fips]
                let coverage = info?.coverage ?? .none
                let label = "\(info?.county.fullName ?? shape.name): \(coverage.title)"
                return .element(named: "a", nodes: [
                    .attribute(named: "href", value: linkBase + SiteURL.county(shape.fips)),
                    .attribute(named: "aria-label", value: label.attributeEscaped),
                    .unwrap(target) { .attribute(named: "target", value: $0) },
                    .element(named: "path", nodes: [
                        .attribute(named: "d", value: shape.path),
                        .attribute(named: "class", value: "county cov-\(coverage.rawValue)"),
                        .attribute(named: "data-fips", value: shape.fips),
                        .element(named: "title", text: label),
                    ]),
                ])
            },
        ])
    }

    static func legend() -> BodyNode {
        .ul(.class("legend"), .forEach(Coverage.allCases) { coverage in
            .li(.span(.class("swatch cov-\(coverage.rawValue)"), .attribute(named: "aria-hidden", value: "true")), .text(" " + coverage.title))
        })
    }

    static func mapPage(_ model: MapModel) -> [BodyNode] {
        let counts = Dictionary(grouping: model.coverage, by: \.coverage).mapValues(\.count)
        return [
            .h1(.text("Find CIT near you")),
            searchForm(query: ""),
            .p(.text(model.updatedLine)),
            .p(.text("\(counts[.cit] ?? 0) of \(model.coverage.count) counties have a known CIT program; \(counts[.cipOnly] ?? 0) have CIP only.")),
            .div(.class("map-wrap"), mapSVG(model)),
            legend(),
            .p(.class("no-print"), .text("Download: "), .a(.href(SiteURL.directoryCSV), .text("CSV")), .text(" · "),
               .a(.href(SiteURL.directoryGeoJSON), .text("GeoJSON")), .text(" · "), .a(.href(SiteURL.directoryHSDS), .text("Open Referral HSDS JSON"))),
            .h2(.text("Every county")),
            .div(.class("table-scroll"), .table(
                .caption(.text("Counties and the CIT programs known to serve them (the same as the map)")),
                .tr(.th(.attribute(named: "scope", value: "col"), .text("County")), .th(.attribute(named: "scope", value: "col"), .text("Coverage")), .th(.attribute(named: "scope", value: "col"), .text("Programs"))),
                .forEach(model.coverage) { row in
                    .tr(.th(.attribute(named: "scope", value: "row"), .a(.href(SiteURL.county(row.county.id!)), .text(row.county.fullName))),
                        .td(.text(row.coverage.title)),
                        .td(.text(row.programs.map { $0.name + ($0.lastVerifiedAt == nil ? " (reported)" : "") }.joined(separator: "; "))))
                }
            )),
        ]
    }

    static func searchForm(query: String, error: String? = nil) -> BodyNode {
        .element(named: "form", nodes: [
            .attribute(named: "method", value: "get"),
            .attribute(named: "action", value: SiteURL.search),
            .attribute(named: "role", value: "search"),
            .attribute(named: "class", value: "search-form"),
            .div(
                .class(error == nil ? "field" : "field has-error"),
                .label(.for("q"), .text("County, city or ZIP code")),
                .unwrap(error) { .p(.class("error"), .id("q-error"), .text($0)) },
                .selfClosedElement(named: "input", attributes: [
                    Attribute<HTML.InputContext>.attribute(named: "type", value: "search"),
                    .attribute(named: "id", value: "q"), .attribute(named: "name", value: "q"),
                    .attribute(named: "value", value: query.attributeEscaped), .attribute(named: "autocomplete", value: "postal-code"),
                    .attribute(named: "aria-describedby", value: error == nil ? nil : "q-error"),
                ])
            ),
            FormHTML.submit("Search"),
        ])
    }

    // MARK: county and program

    @Sendable static func county(req: Request) async throws -> Response {
        let fips = req.parameters.get("fips") ?? ""
        guard fips.count == 5, fips.allSatisfy(\.isNumber), let county = try await County.find(fips, on: req.db) else {
            throw Abort(.notFound, reason: "There is no county with the code \(String(fips.prefix(10))). County codes are 5-digit FIPS codes, like 55025 for Dane County.")
        }
        return try await req.application.pageCache.response(for: req, key: SiteURL.county(fips)) {
            let programs = try await DirectoryQueries.programs(on: req.db, countyFIPS: fips)
            let coverage = Coverage.classify(programs.map { (Set($0.kinds), $0.status) })
            return Page(title: county.fullName, chrome: req.publicChrome, main: countyPage(county, programs: programs, coverage: coverage)).render()
        }
    }

    static func countyPage(_ county: County, programs: [DirectoryProgram], coverage: Coverage) -> [BodyNode] {
        let statement: String = switch coverage {
        case .cit: "\(county.fullName) has a CIT program: officers here may have CIT training."
        case .cipOnly: "\(county.fullName) has CIP (non-law-enforcement) training, but no CIT program for officers is known."
        case .none: "No CIT program is known in \(county.fullName) yet."
        }
        return [
            .p(.a(.href(SiteURL.map), .text("← All counties"))),
            .h1(.text(county.fullName)),
            .p(.class("lead"), .text(statement)),
            .div(.class("card"),
                 .h2(.text("In a mental health crisis")),
                 .p(.text("Call 911, say it is a mental health crisis, and ask: “If possible, I’d like an officer with CIT training to respond.” They may or may not be available, but it is beneficial to ask.")),
                 .p(.a(.class("button"), .href(SiteURL.crisis), .text("Prepare what to say")))),
            .h2(.text("Programs serving \(county.fullName)")),
            .if(programs.isEmpty, .p(.text("None known. If you know of one, tell the state network."))),
            .ul(.class("cards"), .forEach(programs) { program in
                .li(.class("card"),
                    .h3(.a(.href(SiteURL.program(program.id.uuidString)), .text(program.name))),
                    .p(.text(program.kinds.map(\.rawValue).joined(separator: ", ") + " · " + program.status.title)),
                    .unwrap(program.partners.isEmpty ? nil : program.partners) { partners in .p(.text("Partners: " + partners.map(\.name).joined(separator: ", "))) },
                    .p(.class("provenance"), .text(program.provenance)))
            }),
            .p(.text("Population (2020 Census): \(county.population2020.formatted()). County code (FIPS): \(county.id ?? "").")),
        ]
    }

    @Sendable static func program(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let record = try await Program.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no program at this address.")
        }
        if let survivor = record.mergedInto { return req.redirect(to: SiteURL.program(survivor.uuidString), redirectType: .permanent) }
        return try await req.application.pageCache.response(for: req, key: SiteURL.program(id.uuidString)) {
            guard let program = try await DirectoryQueries.programs(on: req.db, ids: [id]).first else { throw Abort(.notFound) }
            let classes = try await ClassesPublicController.upcoming(on: req.db).filter { $0.$program.id == id }
                .map { (id: $0.id!, title: $0.title, when: ClassFormat.dates($0)) }
            return Page(title: program.name, chrome: req.publicChrome, main: programPage(program, classes: classes)).render()
        }
    }

    static func programPage(_ p: DirectoryProgram, classes: [(id: UUID, title: String, when: String)] = []) -> [BodyNode] {
        var facts: [(String, String)] = [("Offers", p.kinds.map(\.rawValue).joined(separator: ", ")), ("Status", p.status.title)]
        if let year = p.yearStarted { facts.append(("Started", String(year))) }
        if let date = p.citAccreditedOn { facts.append(("CIT accredited", DirectoryExport.day(date))) }
        if let date = p.cipAccreditedOn { facts.append(("CIP accredited", DirectoryExport.day(date))) }
        if let note = p.accreditationNote, p.citAccreditedOn == nil, p.cipAccreditedOn == nil { facts.append(("Accreditation (as reported)", note)) }
        let sources = (p.sourceURL ?? "").components(separatedBy: " ; ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("http") }
        return [
            .h1(.text(p.name)),
            .p(.class("provenance"), .text(p.provenance)),
            .element(named: "dl", nodes: [.attribute(named: "class", value: "facts"), .forEach(facts) { .group(.element(named: "dt", text: $0.0), .element(named: "dd", text: $0.1)) }]),
            .h2(.text("Counties served")),
            .ul(.forEach(p.counties) { .li(.a(.href(SiteURL.county($0.fips)), .text($0.name + " County"))) }),
            .h2(.text("Partners")),
            .if(p.partners.isEmpty, .p(.text("No partners recorded yet."))),
            .if(!p.partners.isEmpty, .div(.class("table-scroll"), .table(
                .tr(.th(.text("Organization")), .th(.text("Kind")), .th(.text("Role"))),
                .forEach(p.partners) { .tr(.td(.text($0.name)), .td(.text($0.kind.title)), .td(.text($0.role.title))) }
            ))),
            .unwrap(p.description.isEmpty ? nil : p.description) { .group(.h2(.text("What the record says")), .p(.text($0))) },
            .h2(.text("Contact")),
            .if(p.website == nil && p.email == nil && p.phone == nil, .p(.text("No public contact has been recorded for this program."))),
            .unwrap(p.website) { .p(.text("Website: "), .text($0)) },
            .unwrap(p.email) { .p(.text("Email: "), .a(.href(("mailto:" + $0).attributeEscaped), .text($0))) },
            .unwrap(p.phone) { .p(.text("Phone: "), .a(.href("tel:" + $0.filter { $0.isNumber || $0 == "+" }), .text($0))) },
            .h2(.text("Classes")),
            .if(classes.isEmpty, .p(.text("No upcoming classes of this program are listed in CIT Hub."))),
            .ul(.forEach(classes) { .li(.a(.href(ClassURL.classPage($0.id)), .text($0.title)), .text(" · " + $0.when)) }),
            .h2(.text("Sources")),
            .if(sources.isEmpty, .p(.text("Entered by a coordinator."))),
            .ul(.forEach(sources) { .li(.text($0)) }),
            .unwrap(p.sourceDate) { .p(.text("Source date: \($0)")) },
            .p(.class("no-print"), .a(.href(SiteURL.programEdit(p.id.uuidString)), .text("Coordinators: edit this program")), .text(" · "),
               .a(.href(ClassURL.newClass(programID: p.id.uuidString)), .text("add a class")), .text(" · "),
               .a(.href(SiteURL.programHistory(p.id.uuidString)), .text("history"))),
        ]
    }

    // MARK: search

    struct SearchResult {
        var counties: [(fips: String, fullName: String, note: String?)] = []
        var programs: [DirectoryProgram] = []
        var message: String?
    }

    @Sendable static func search(req: Request) async throws -> Response {
        let raw = (req.query[String.self, at: "q"] ?? "").replacingOccurrences(of: "\0", with: "")
        let query = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        var status = HTTPResponseStatus.ok
        var error: String?
        var result = SearchResult()
        if query.count > 100 {
            error = "Type at most 100 characters: a county, a city or a 5-digit ZIP code."
            status = .unprocessableEntity
        } else if query.allSatisfy({ $0.isNumber || $0 == "-" || $0 == " " }) && !query.isEmpty && !ZIPCode.isWellFormed(query) {
            // 53703-1234 is a ZIP+4: use its first five digits.
            let digits = query.filter(\.isNumber)
            if digits.count == 9 {
                result = try await find(String(digits.prefix(5)), req: req)
            } else {
                error = "A ZIP code has 5 digits, like 53703."
                status = .unprocessableEntity
            }
        } else if !query.isEmpty {
            result = try await find(query, req: req)
        }
        let page = Page(title: query.isEmpty ? "Search" : "Search: \(String(query.prefix(40)))", chrome: req.chrome(), main: [
            .h1(.text("Find CIT near you")),
            searchForm(query: String(query.prefix(100)), error: error),
            .unwrap(result.message) { .p(.text($0)) },
            .if(!result.counties.isEmpty, .group(
                .h2(.text(result.counties.count == 1 ? "County" : "Counties")),
                .ul(.forEach(result.counties) { item in
                    .li(.a(.href(SiteURL.county(item.fips)), .text(item.fullName)), .unwrap(item.note) { .text(" — " + $0) })
                })
            )),
            .if(!result.programs.isEmpty, .group(
                .h2(.text("Programs")),
                .ul(.forEach(result.programs) { .li(.a(.href(SiteURL.program($0.id.uuidString)), .text($0.name))) })
            )),
            .if(!query.isEmpty && error == nil && result.counties.isEmpty && result.programs.isEmpty,
                .p(.text("Nothing matched “\(String(query.prefix(100)))”. Try the county's name, a city or a 5-digit ZIP code, or "), .a(.href(SiteURL.map), .text("see every county")), .text("."))),
        ])
        return htmlResponse(page, status: status)
    }

    static func find(_ query: String, req: Request) async throws -> SearchResult {
        var result = SearchResult()
        let state = req.application.settings.stateCode
        let index = try await req.application.searchIndex.snapshot(on: req.db)
        let byFIPS = index.counties.filter { $0.value.state == state }
        if ZIPCode.isWellFormed(query) {
            let entries = (index.zips[query] ?? []).filter { byFIPS[$0.countyFIPS] != nil }
            if entries.isEmpty {
                result.message = "ZIP code \(query) is not in our list for this state."
            } else {
                let city = entries.first?.city ?? ""
                result.message = entries.count > 1
                    ? "ZIP code \(query) (\(city)) reaches into \(entries.count) counties. Choose yours:"
                    : "ZIP code \(query) is \(city)."
                result.counties = entries.sorted { ($0.landShare ?? 1) > ($1.landShare ?? 1) }.map { entry in
                    (entry.countyFIPS, byFIPS[entry.countyFIPS]!.fullName, entries.count > 1 ? entry.landShare.map { "\(Int(($0 * 100).rounded()))% of the ZIP's land" } : nil)
                }
            }
            return result
        }
        let needle = query.lowercased().replacingOccurrences(of: " county", with: "")
        var seen = Set<String>()
        for (fips, county) in byFIPS.sorted(by: { $0.value.name < $1.value.name }) where county.name.lowercased().hasPrefix(needle) {
            result.counties.append((fips, county.fullName, nil)); seen.insert(fips)
        }
        if let fipsSet = index.cities[query.lowercased()] {
            let city = index.cityNames[query.lowercased()] ?? query
            for fips in fipsSet.sorted() where !seen.contains(fips) {
                if let county = byFIPS[fips] { result.counties.append((fips, county.fullName, "includes \(city)")); seen.insert(fips) }
            }
        }
        if needle.count >= 3, let sql = req.db as? any SQLDatabase {
            // In the database, not in memory: a state network may list thousands.
            let escaped = needle.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            let ids = try await sql.raw("""
                SELECT id FROM programs WHERE merged_into IS NULL AND LOWER(name) LIKE \(bind: "%" + escaped + "%") ESCAPE '\\' ORDER BY name LIMIT 50
                """).all().map { try $0.decode(column: "id", as: UUID.self) }
            result.programs = ids.isEmpty ? [] : try await DirectoryQueries.programs(on: req.db, ids: ids)
        }
        return result
    }

    // MARK: exports

    @Sendable static func csv(req: Request) async throws -> Response {
        try await req.application.pageCache.response(for: req, key: SiteURL.directoryCSV,
            contentType: HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"]),
            extraHeaders: [("Content-Disposition", "attachment; filename=\"cit-directory.csv\"")]) {
            DirectoryExport.csv(try await DirectoryQueries.programs(on: req.db))
        }
    }

    @Sendable static func geoJSON(req: Request) async throws -> Response {
        try await req.application.pageCache.response(for: req, key: SiteURL.directoryGeoJSON, contentType: HTTPMediaType(type: "application", subType: "geo+json")) {
            let counties = try await County.query(on: req.db).filter(\.$stateCode == req.application.settings.stateCode).sort(\.$id).all()
            let data = try DirectoryExport.geoJSON(counties: counties.map { ($0.id!, $0.name, $0.boundaryGeoJSON) }, programs: try await DirectoryQueries.programs(on: req.db))
            return String(decoding: data, as: UTF8.self)
        }
    }

    @Sendable static func hsds(req: Request) async throws -> Response {
        try await req.application.pageCache.response(for: req, key: SiteURL.directoryHSDS, contentType: .json) {
            let counties = try await County.query(on: req.db).filter(\.$stateCode == req.application.settings.stateCode).all()
            let boundaries = Dictionary(uniqueKeysWithValues: counties.compactMap { c in c.boundaryGeoJSON.map { (c.id!, $0) } })
            return String(decoding: try DirectoryExport.hsds(try await DirectoryQueries.programs(on: req.db), boundaries: boundaries), as: UTF8.self)
        }
    }
}
