import Fluent
import SQLKit
import Vapor
import Plot
import CITDomain

/// Outcome dashboards: crisis calls and what happened, by program, county, agency and
/// quarter. Public views hide small counts so no one can be recognised; signed-in
/// views follow roles and show exact counts for what the person is responsible for.
enum OutcomesController {
    static func register(on routes: any RoutesBuilder) {
        routes.get("outcomes", use: dashboard)
    }

    /// Whether this person sees exact counts for this selection.
    static func exact(_ user: User?, _ filter: OutcomeFilter) -> Bool {
        guard let user else { return false }
        if user.can(.readStateReports) { return true }
        if let agency = filter.agency, user.holds(.agencyLiaison, for: agency) { return true }
        if let program = filter.program, user.holds(.programCoordinator, for: program) { return true }
        return false
    }

    /// The numbers of one dashboard, suppressed or exact.
    struct View {
        var exact: Bool
        var data: OutcomeData
        var countyNames: [String: String]
        var quarters: [Quarter]
        var summary: [(label: String, count: Int?, share: Double?)]
        var dispositions: SuppressedTable
        var countyQuarter: SuppressedTable
        var trend: [(quarter: Quarter, calls: Int?, requested: Double?, dispatched: Double?, arrived: Double?)]

        init(data: OutcomeData, exact: Bool, countyNames: [String: String]) {
            self.exact = exact
            self.data = data
            self.countyNames = countyNames
            quarters = data.quarters
            let threshold = exact ? 0 : Suppression.defaultThreshold
            func shown(_ n: Int) -> Int? { exact || n == 0 || n >= threshold ? n : nil }
            let total = data.total
            func row(_ label: String, _ n: Int, share: Bool = true) -> (String, Int?, Double?) {
                (label, shown(n), share ? (exact ? (total.calls == 0 ? nil : Double(n) / Double(total.calls)) : Suppression.rate(shown(n), of: shown(total.calls))) : nil)
            }
            summary = [
                row("Crisis calls reported", total.calls, share: false),
                row("A CIT officer was requested", total.citRequested),
                row("A CIT officer was dispatched", total.citDispatched),
                row("A CIT officer arrived", total.citArrived),
                row("A CIT-trained officer was on scene", total.citTrainedOnScene),
                row("Force was used", total.forceUsed),
                row("The person in crisis was injured", total.injuryPerson),
                row("An officer was injured", total.injuryOfficer),
                row("Someone else was injured", total.injuryOther),
            ]
            let categories = DispositionCategory.allCases
            let categoryTable = CountTable(rowLabels: ["All calls"], columnLabels: categories.map(\.label),
                                           cells: [categories.map { total.byCategory[$0] ?? 0 }])
            dispositions = exact ? Self.unsuppressed(categoryTable) : Suppression.apply(categoryTable)
            let counties = data.callsByCountyQuarter.keys.sorted { (countyNames[$0] ?? $0) < (countyNames[$1] ?? $1) }
            let quarterList = data.quarters
            let countyTable = CountTable(rowLabels: counties.map { countyNames[$0] ?? $0 }, columnLabels: quarterList.map(\.label),
                                         cells: counties.map { county in quarterList.map { data.callsByCountyQuarter[county]?[$0.key] ?? 0 } })
            let byCountyQuarter = exact ? Self.unsuppressed(countyTable) : Suppression.apply(countyTable)
            countyQuarter = byCountyQuarter
            trend = data.quarters.enumerated().map { index, quarter in
                let q = data.quarterTotal(quarter.key)
                let calls = byCountyQuarter.columnTotals.indices.contains(index) ? byCountyQuarter.columnTotals[index] : shown(q.calls)
                func share(_ n: Int) -> Double? { exact ? (q.calls == 0 ? nil : Double(n) / Double(q.calls)) : Suppression.rate(shown(n), of: calls) }
                return (quarter, calls, share(q.citRequested), share(q.citDispatched), share(q.citArrived))
            }
        }

        static func unsuppressed(_ table: CountTable) -> SuppressedTable {
            let rowTotals = table.cells.map { $0.reduce(0, +) }
            let columnTotals = table.columnLabels.indices.map { c in table.cells.reduce(0) { $0 + $1[c] } }
            return SuppressedTable(rowLabels: table.rowLabels, columnLabels: table.columnLabels, cells: table.cells.map { $0.map { Optional($0) } },
                                   rowTotals: rowTotals.map { Optional($0) }, columnTotals: columnTotals.map { Optional($0) }, grandTotal: rowTotals.reduce(0, +))
        }
    }

    static func count(_ n: Int?) -> String { n.map(String.init) ?? Suppression.label() }
    static func percent(_ share: Double?) -> String { share.map { String(format: "%.0f%%", $0 * 100) } ?? "—" }

    // MARK: the page and its CSV

    @Sendable static func dashboard(req: Request) async throws -> Response {
        let filter = OutcomeFilter(query: req.query)
        let user = req.auth.get(User.self)
        let data = try await OutcomeQueries.load(filter, on: req.db)
        let names = try await DirectoryQueries.countyNames(on: req.db)
        let view = View(data: data, exact: exact(user, filter), countyNames: names)
        if req.query[String.self, at: "format"] == "csv" {
            return csv(view, which: req.query[String.self, at: "view"] ?? "county-quarter")
        }
        let agencies = try await EncounterService.agencies(on: req.db)
        let programs = try await Program.query(on: req.db).filter(\.$mergedInto == nil).sort(\.$name).all()
        let allQuarters = try await availableQuarters(on: req.db)
        let counties = try await EncounterService.counties(on: req.db, stateCode: req.application.settings.stateCode)
        let csvBase = "/outcomes?" + (filter.queryString.isEmpty ? "" : filter.queryString + "&") + "format=csv&view="
        let selection = describe(filter, counties: names, agencies: agencies, programs: programs)
        let trendLabels = view.trend.map { $0.quarter.label }
        let page = Page(title: "Crisis call outcomes", chrome: req.chrome(), main: [
            .h1(.text("Crisis call outcomes")),
            .p(.text("From de-identified CIT encounter reports that agencies file after mental-health crisis calls. \(selection)")),
            .if(view.data.demoCalls > 0, .p(.class("demo-banner"), .strong(.text("Demo data: ")), .text("\(view.data.demoCalls) of these reports are fictional, generated for testing. They are not real calls."))),
            .p(.class("suppression-note"), .text(view.exact
                ? "You are signed in with access to this selection: counts are exact."
                : "Public view: any count under \(Suppression.defaultThreshold), and any number that would let one be worked out, shows as “\(Suppression.label())” so that no one can be recognised.")),
            filterForm(filter, counties: counties, agencies: agencies, programs: programs, quarters: allQuarters),
            .if(view.data.total.calls == 0, .p(.text("No encounter reports match this selection yet."))),
            .if(view.data.total.calls > 0, .group(
                .h2(.text("Summary")),
                TableHTML.scrollRegion(label: "Summary: calls and what happened", .table(
                    .caption(.text("Calls and what happened")),
                    .tr(.th(.attribute(named: "scope", value: "col"), .text("Measure")), .th(.attribute(named: "scope", value: "col"), .text("Calls")), .th(.attribute(named: "scope", value: "col"), .text("Share of calls"))),
                    .forEach(view.summary) { row in
                        .tr(.th(.attribute(named: "scope", value: "row"), .text(row.label)), .td(.text(count(row.count))), .td(.text(row.label.hasPrefix("Crisis calls") ? "" : percent(row.share))))
                    })),
                .p(.a(.href(csvBase + "summary"), .text("Summary as CSV"))),
                .h2(.text("Outcomes")),
                .raw(SVGChart.bars(title: "How crisis calls ended", items: view.dispositions.columnLabels.enumerated().map { ($0.element, view.dispositions.cells[0][$0.offset].map(Double.init)) },
                                   valueFormat: { String(Int($0)) }, idPrefix: "dispositions", allHiddenMessage: view.exact ? nil : SVGChart.allHiddenText())),
                TableHTML.scrollRegion(label: "Outcomes by disposition category", .table(
                    .caption(.text("Outcome (disposition category)")),
                    .tr(.th(.attribute(named: "scope", value: "col"), .text("Outcome")), .th(.attribute(named: "scope", value: "col"), .text("Calls"))),
                    .forEach(Array(view.dispositions.columnLabels.enumerated())) { index, label in
                        .tr(.th(.attribute(named: "scope", value: "row"), .text(label)), .td(.text(count(view.dispositions.cells[0][index]))))
                    })),
                .p(.a(.href(csvBase + "dispositions"), .text("Outcomes as CSV"))),
                .h2(.text("Trend by quarter")),
                .raw(SVGChart.line(title: "Crisis calls reported per quarter", labels: trendLabels,
                                   series: [ChartSeries(name: "Calls", values: view.trend.map { $0.calls.map(Double.init) })],
                                   valueFormat: { $0 == $0.rounded() ? String(Int($0)) : String(format: "%.1f", $0) }, idPrefix: "calls",
                                   allHiddenMessage: view.exact ? nil : SVGChart.allHiddenText())),
                .raw(SVGChart.line(title: "Share of calls where a CIT officer was requested, dispatched and arrived", labels: trendLabels,
                                   series: [ChartSeries(name: "Requested", values: view.trend.map(\.requested)),
                                            ChartSeries(name: "Dispatched", values: view.trend.map(\.dispatched)),
                                            ChartSeries(name: "Arrived", values: view.trend.map(\.arrived))],
                                   valueFormat: { String(format: "%.0f%%", $0 * 100) }, idPrefix: "shares",
                                   allHiddenMessage: view.exact ? nil : SVGChart.allHiddenText())),
                TableHTML.scrollRegion(label: "Trend by quarter", .table(
                    .caption(.text("By quarter")),
                    .tr(.th(.attribute(named: "scope", value: "col"), .text("Quarter")), .th(.attribute(named: "scope", value: "col"), .text("Calls")),
                        .th(.attribute(named: "scope", value: "col"), .text("CIT requested")), .th(.attribute(named: "scope", value: "col"), .text("CIT dispatched")),
                        .th(.attribute(named: "scope", value: "col"), .text("CIT arrived"))),
                    .forEach(view.trend) { t in
                        .tr(.th(.attribute(named: "scope", value: "row"), .text(t.quarter.label)), .td(.text(count(t.calls))),
                            .td(.text(percent(t.requested))), .td(.text(percent(t.dispatched))), .td(.text(percent(t.arrived))))
                    })),
                .p(.a(.href(csvBase + "trend"), .text("Trend as CSV"))),
                .h2(.text("Calls by county and quarter")),
                TableHTML.scrollRegion(label: "Crisis calls by county and quarter", .table(
                    .caption(.text("Crisis calls by county and quarter")),
                    .tr(.th(.attribute(named: "scope", value: "col"), .text("County")),
                        .forEach(view.countyQuarter.columnLabels) { .th(.attribute(named: "scope", value: "col"), .text($0)) },
                        .th(.attribute(named: "scope", value: "col"), .text("Total"))),
                    .forEach(Array(view.countyQuarter.rowLabels.enumerated())) { index, label in
                        .tr(.th(.attribute(named: "scope", value: "row"), .text(label)),
                            .forEach(view.countyQuarter.cells[index]) { .td(.text(count($0))) },
                            .td(.text(count(view.countyQuarter.rowTotals[index]))))
                    },
                    .tr(.th(.attribute(named: "scope", value: "row"), .text("Total")),
                        .forEach(view.countyQuarter.columnTotals) { .td(.text(count($0))) },
                        .td(.text(count(view.countyQuarter.grandTotal)))))),
                .p(.a(.href(csvBase + "county-quarter"), .text("County by quarter as CSV")))
            )),
        ], stylesheets: [OutcomeAssets.stylesheetPath])
        return htmlResponse(page)
    }

    static func availableQuarters(on db: any Database) async throws -> [Quarter] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let rows = try await sql.select().distinct().column("quarter").from(EncounterRollup.schema).all()
        return rows.compactMap { try? $0.decode(column: "quarter", as: String.self) }.compactMap(Quarter.init(key:)).sorted()
    }

    static func describe(_ filter: OutcomeFilter, counties: [String: String], agencies: [Organization], programs: [Program]) -> String {
        var parts: [String] = []
        if let county = filter.county { parts.append("\(counties[county] ?? county) County") }
        if let agency = filter.agency { parts.append(agencies.first { $0.id == agency }?.name ?? "one agency") }
        if let program = filter.program { parts.append("counties served by \(programs.first { $0.id == program }?.name ?? "one program")") }
        if let from = filter.from { parts.append("from \(from.label)") }
        if let to = filter.to { parts.append("to \(to.label)") }
        return parts.isEmpty ? "Showing: the whole state, every quarter." : "Showing: " + parts.joined(separator: ", ") + "."
    }

    static func filterForm(_ filter: OutcomeFilter, counties: [County], agencies: [Organization], programs: [Program], quarters: [Quarter]) -> BodyNode {
        .element(named: "form", nodes: [
            .attribute(named: "method", value: "get"), .attribute(named: "action", value: "/outcomes"), .class("filters"),
            FormHTML.select(name: "county", label: "County", options: [("", "Every county")] + counties.map { ($0.id!, $0.name) }, selected: filter.county ?? ""),
            FormHTML.select(name: "agency", label: "Agency", options: [("", "Every agency")] + agencies.map { (EncounterService.key($0.id!), $0.name) }, selected: filter.agency.map(EncounterService.key) ?? ""),
            FormHTML.select(name: "program", label: "Program", options: [("", "Every program")] + programs.map { (EncounterService.key($0.id!), $0.name) }, selected: filter.program.map(EncounterService.key) ?? ""),
            FormHTML.select(name: "from", label: "From quarter", options: [("", "Earliest")] + quarters.map { ($0.key, $0.label) }, selected: filter.from?.key ?? ""),
            FormHTML.select(name: "to", label: "To quarter", options: [("", "Latest")] + quarters.map { ($0.key, $0.label) }, selected: filter.to?.key ?? ""),
            FormHTML.submit("Show", secondary: true),
        ])
    }

    static func csv(_ view: View, which: String) -> Response {
        let marker = Suppression.label()
        func cell(_ n: Int?) -> String { n.map(String.init) ?? marker }
        func share(_ s: Double?) -> String { s.map { String(format: "%.4f", $0) } ?? "" }
        switch which {
        case "summary":
            return csvResponse(CSV.document(header: ["measure", "calls", "share_of_calls"], rows: view.summary.map { [$0.label, cell($0.count), share($0.share)] }), filename: "cithub-outcomes-summary.csv")
        case "dispositions":
            return csvResponse(CSV.document(header: ["outcome", "calls"], rows: view.dispositions.columnLabels.enumerated().map { [$0.element, cell(view.dispositions.cells[0][$0.offset])] }), filename: "cithub-outcomes-dispositions.csv")
        case "trend":
            return csvResponse(CSV.document(header: ["quarter", "calls", "cit_requested_share", "cit_dispatched_share", "cit_arrived_share"],
                                            rows: view.trend.map { [$0.quarter.key, cell($0.calls), share($0.requested), share($0.dispatched), share($0.arrived)] }), filename: "cithub-outcomes-trend.csv")
        default:
            let table = view.countyQuarter
            var rows = table.rowLabels.enumerated().map { index, label in [label] + table.cells[index].map(cell) + [cell(table.rowTotals[index])] }
            rows.append(["Total"] + table.columnTotals.map(cell) + [cell(table.grandTotal)])
            return csvResponse(CSV.document(header: ["county"] + view.quarters.map(\.key) + ["total"], rows: rows), filename: "cithub-outcomes-county-quarter.csv")
        }
    }
}

enum OutcomeAssets {
    static let stylesheetPath = "/assets/outcomes.css"

    static func register(on app: Application) {
        Assets.serve(stylesheet, at: stylesheetPath, type: HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"]), on: app)
    }

    static let stylesheet = #"""
.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; margin: 1rem 0; }
.filters .field { margin: 0; }
.demo-banner { border-left: 6px solid #b35c00; background: #fff4e5; padding: .5rem 1rem; }
.suppression-note { color: #3d3750; }
svg.chart { width: 100%; max-width: 40rem; height: auto; display: block; margin: 1rem 0; }
fieldset.choices { border: 0; padding: 0; margin: 0 0 1rem; }
fieldset.choices legend { font-weight: 700; margin-bottom: .25rem; }
fieldset.choices .choice { display: inline-flex; align-items: center; gap: .35rem; margin: 0 1.25rem .25rem 0; }
fieldset.choices input[type=radio] { width: 1.6rem; height: 1.6rem; }
fieldset.choices label { padding: .4rem 0; }
.coverage-table td.meets { font-weight: 700; }
.cov-share-0 { fill: #e9e6f2; } .cov-share-1 { fill: #c9bfe8; } .cov-share-2 { fill: #8f7cc9; } .cov-share-3 { fill: #3b2a7a; }
.swatch.cov-share-0 { background: #e9e6f2; } .swatch.cov-share-1 { background: #c9bfe8; } .swatch.cov-share-2 { background: #8f7cc9; } .swatch.cov-share-3 { background: #3b2a7a; }
"""#
}
