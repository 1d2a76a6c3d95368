import Fluent
import Vapor
import Plot
import CITDomain

/// The state network's report for a period, for grant funders and the network itself:
/// counties covered, people trained, classes held, encounter outcomes. A printable
/// page and one CSV.
enum StateReportController {
    static func register(on protected: ProtectedRoutesBuilder) {
        protected.get(SiteURL.stateReport, .readStateReports, use: report)
    }

    struct Line { var section: String; var group: String; var value: String; var published: String? = nil }

    static func firstDay(_ q: Quarter) -> String { String(format: "%04d-%02d-01", q.year, (q.quarter - 1) * 3 + 1) }
    static func lastDay(_ q: Quarter) -> String {
        let month = q.quarter * 3
        let days =
            [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            + (month == 2 && q.year % 4 == 0 && (q.year % 100 != 0 || q.year % 400 == 0) ? 1 : 0)
        return String(format: "%04d-%02d-%02d", q.year, month, days)
    }

    @Sendable static func report(req: Request) async throws -> Response {
        let settings = req.application.settings
        let zone = TimeZone(identifier: settings.timeZone) ?? TimeZone(identifier: "America/Chicago")!
        let today = EncounterService.today(settings)
        let current = Quarter.of(day: today) ?? Quarter(year: 2026, quarter: 1)
        let from = req.query[String.self, at: "from"].flatMap(Quarter.init(key:)) ?? Quarter(year: current.year, quarter: 1)
        var to = req.query[String.self, at: "to"].flatMap(Quarter.init(key:)) ?? current
        if to < from { to = from }
        let start = firstDay(from), end = lastDay(to)
        var lines: [Line] = []

        // Counties covered, from the directory.
        let coverage = try await DirectoryQueries.coverage(on: req.db, stateCode: settings.stateCode)
        let withCIT = coverage.filter { row in row.programs.contains { $0.status == .active && $0.kinds.contains(.cit) } }.count
        let withCIP = coverage.filter { row in row.programs.contains { $0.status == .active && $0.kinds.contains(.cip) } }.count
        lines.append(Line(section: "Counties", group: "Counties in the state", value: String(coverage.count)))
        lines.append(Line(section: "Counties", group: "With an active CIT program", value: String(withCIT)))
        lines.append(Line(section: "Counties", group: "With an active CIP program", value: String(withCIP)))

        // People trained: valid certificates whose class ended in the period.
        let certificates = try await Certificate.query(on: req.db).filter(\.$revokedAt == nil)
            .filter(\.$endDate >= start).filter(\.$endDate <= end).with(\.$registration).all()
        func tally(_ section: String, _ key: (Certificate) -> String) {
            for (group, count) in Dictionary(grouping: certificates, by: key).mapValues(\.count).sorted(by: { $0.key < $1.key }) {
                lines.append(Line(section: section, group: group, value: String(count)))
            }
        }
        lines.append(Line(section: "People trained", group: "All courses", value: String(certificates.count)))
        tally("People trained by course") { $0.courseTitle }
        tally("People trained by role") { $0.registration.audience.label }
        tally("People trained by agency") { $0.organization.isEmpty ? "(none given)" : $0.organization }
        tally("People trained by year") { String($0.endDate.prefix(4)) }

        // Classes held: scheduled classes whose last block ended in the period.
        let classes = try await ClassSession.query(on: req.db).filter(\.$status == .scheduled).with(\.$course).all()
            .filter {
                let day = TrainingFormat.day($0.endsAt.addingTimeInterval(-1), zone);
                return day >= start && day <= end && $0.endsAt <= Date()
            }
        lines.append(Line(section: "Classes held", group: "All courses", value: String(classes.count)))
        for (course, count) in Dictionary(grouping: classes, by: { $0.course.title }).mapValues(\.count).sorted(by: { $0.key < $1.key }) {
            lines.append(Line(section: "Classes held", group: course, value: String(count)))
        }

        // Encounter outcomes, exact (this report is for the state administrator), each with
        // the figure the public tables publish for the same period beside it, so the
        // report's public parts follow the same suppression as the dashboard.
        let (sources, demoCalls) = try await OutcomeSources.exact(agencies: nil, on: req.db)
        let range = Quarter.range(from: from, to: to)
        let exact = OutcomeDashboard(ExactOutcomes(sources: sources), counties: nil, from: from, to: to, countyList: [])
        let tables = try await req.application.publishedOutcomes.current(req.application).published?.tables
        func published(_ measure: OutcomeMeasure) -> String {
            guard let tables else { return "being prepared" }
            let asked = range.filter { tables.quarters.contains($0) }
            guard asked.count == range.count else { return "not published yet" }
            return tables.sum(measure, counties: nil, quarters: asked).map(String.init) ?? Suppression.label()
        }
        for row in exact.summary {
            lines.append(
                Line(
                    section: "Encounter reports", group: row.figure.measure.label,
                    value: String(row.figure.value ?? 0) + (row.share.map { String(format: " (%.0f%%)", $0 * 100) } ?? ""),
                    published: published(row.figure.measure)))
        }
        for figure in exact.dispositions {
            lines.append(
                Line(
                    section: "Encounter outcomes", group: figure.measure.label, value: String(figure.value ?? 0),
                    published: published(figure.measure)))
        }

        let period = from == to ? from.label : "\(from.label) to \(to.label)"
        if req.query[String.self, at: "format"] == "csv" {
            return csvResponse(
                CSV.document(
                    header: ["period", "section", "group", "value", "public_value"],
                    rows: lines.map { [period, $0.section, $0.group, $0.value, $0.published ?? ""] }),
                filename: "cithub-state-report-\(from.key)-\(to.key).csv")
        }
        let quarters = (0..<12).reversed().reduce(into: [Quarter]()) { list, _ in
            list.append(list.last?.next() ?? Quarter(year: current.year - 2, quarter: current.quarter))
        }
        let sections = lines.reduce(into: [(String, [Line])]()) { result, line in
            if result.last?.0 == line.section { result[result.count - 1].1.append(line) } else { result.append((line.section, [line])) }
        }
        let page = Page(
            title: "State report \(period)", chrome: req.chrome(),
            main: [
                .h1(.text("\(settings.organization.name): CIT report, \(period)")),
                .p(
                    .text(
                        "Made \(today) from CIT Hub: the program directory, completed training (certificates), classes and de-identified encounter reports. Counts are exact and for the administrator only. For encounter outcomes, the “Published” column is the number the public tables show for the period (“\(Suppression.label())” where a count is hidden); quote that one in anything public."
                    )),
                .if(
                    demoCalls > 0,
                    .p(
                        .class("demo-banner"), .strong(.text("Demo data: ")),
                        .text(
                            "\(demoCalls) encounter reports in CIT Hub are fictional test data; the numbers below may include some of them."
                        ))),
                .element(
                    named: "form",
                    nodes: [
                        .attribute(named: "method", value: "get"), .attribute(named: "action", value: SiteURL.stateReport.path),
                        .class("filters no-print"),
                        FormHTML.select(
                            name: "from", label: "From quarter", options: quarters.map { ($0.key, $0.label) }, selected: from.key),
                        FormHTML.select(name: "to", label: "To quarter", options: quarters.map { ($0.key, $0.label) }, selected: to.key),
                        FormHTML.submit("Show", secondary: true),
                    ]),
                .p(
                    .class("no-print"),
                    .a(.href(SiteURL.stateReport.path + "?from=\(from.key)&to=\(to.key)&format=csv"), .text("Download as CSV"))),
                .forEach(sections) { section in
                    .group(
                        .h2(.text(section.0)),
                        TableHTML.scrollRegion(
                            label: section.0,
                            .table(
                                .tr(
                                    .th(.attribute(named: "scope", value: "col"), .text(section.0)),
                                    .th(.attribute(named: "scope", value: "col"), .text("Number")),
                                    .if(
                                        section.1.contains { $0.published != nil },
                                        .th(.attribute(named: "scope", value: "col"), .text("Published")))),
                                .forEach(section.1) { line in
                                    .tr(
                                        .th(.attribute(named: "scope", value: "row"), .text(line.group)), .td(.text(line.value)),
                                        .unwrap(line.published) { .td(.text($0)) })
                                })))
                },
            ], stylesheets: [OutcomeAssets.stylesheetPath])
        return htmlResponse(page)
    }
}
