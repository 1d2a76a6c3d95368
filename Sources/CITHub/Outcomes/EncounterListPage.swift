import Fluent
import Plot
import Vapor
import CITDomain

/// What a liaison (or an administrator) sees at `/encounters`: their agencies' reports,
/// newest first, a page at a time. Read by `query`; `EncounterListView` renders it without
/// touching the database.
struct EncounterListModel {
    struct Report {
        /// The report's key in its correction link.
        var key: String
        /// "2026-11-30 · Evening (16–24) · Dane County"
        var call: String
        /// Shown when the person reports for more than one agency.
        var agencyName: String?
        var disposition: String
        var citOnScene: Bool
        /// "Nov 30"
        var filed: String
        /// The last day it may be corrected, or nil once it is read-only.
        var correctableUntil: String?
    }

    var title: String
    /// False when the account is not linked to any agency yet.
    var hasAgency: Bool
    var total: Int
    var page: Int
    var pages: Int
    var reports: [Report]

    static func query(
        user: User, page: Int, pageSize: Int, settings: Settings, on db: any Database, now: Date = Date()
    ) async throws -> EncounterListModel {
        let zone = TimeZone(identifier: settings.timeZone) ?? .gmt
        let agencies = try await EncounterService.agencies(for: user, on: db)
        let agencyNames = Dictionary(agencies.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        let query = EncounterReport.query(on: db).filter(\.$agencyID ~~ Array(agencyNames.keys))
        let total = try await query.count()
        let reports = try await query.sort(\.$createdAt, .descending).sort(\.$id).range((page - 1) * pageSize..<page * pageSize).all()
        let counties = try await ScopeDirectory.countyNames(on: db)
        let catalog = EncounterService.catalog(settings)
        let title =
            user.can(.editAllPrograms)
            ? "Encounter reports filed" : (agencies.count == 1 ? "Reports of \(agencies[0].name)" : "Your agencies' reports")
        return EncounterListModel(
            title: title, hasAgency: !agencies.isEmpty, total: total, page: page, pages: max(1, (total + pageSize - 1) / pageSize),
            reports: reports.map { report in
                let filed = report.createdAt ?? now
                let open = CorrectionWindow.standard.isOpen(filedAt: filed, now: now)
                return Report(
                    key: EncounterService.key(report.id!),
                    call:
                        "\(report.occurredOn) · \(TimeBlock(rawValue: report.timeBlock)?.label ?? report.timeBlock) · \(counties[report.countyFIPS] ?? report.countyFIPS)",
                    agencyName: agencies.count > 1 ? agencyNames[report.agencyID] ?? "" : nil,
                    disposition: catalog.disposition(code: report.disposition)?.label ?? report.disposition,
                    citOnScene: report.citOnScene, filed: ClassFormat.shortDay(filed, zone),
                    correctableUntil: open ? ClassFormat.shortDay(CorrectionWindow.standard.closes(filedAt: filed), zone) : nil)
            })
    }
}

/// The reports page, from an `EncounterListModel`.
enum EncounterListView {
    static func page(_ model: EncounterListModel, chrome: PageChrome) -> Page {
        let (total, page, pages) = (model.total, model.page, model.pages)
        return Page(
            title: model.title, chrome: chrome,
            main: [
                .h1(.text(model.title)),
                .p(
                    .text(
                        "Newest first. A report can be corrected for \(CorrectionWindow.standard.days) days after it was filed; after that it is read-only."
                    )),
                .p(
                    .class("class-actions"), .a(.class("button"), .href(SiteURL.encounterNew.path), .text("File a report")), .text(" "),
                    .a(.class("button secondary"), .href(SiteURL.encounterImport.path), .text("Import from a CSV file"))),
                .if(
                    !model.hasAgency,
                    .p(
                        .class("error"),
                        .text("Your account is not linked to an agency yet. Ask the state administrator to set your agency."))),
                .if(total == 0 && model.hasAgency, .p(.text("No reports yet."))),
                // Cards rather than a table: a liaison reads this on a phone, without scrolling sideways.
                .if(total > 0, .h2(.text("\(total) report\(total == 1 ? "" : "s")" + (pages > 1 ? ", page \(page) of \(pages)" : "")))),
                .ul(
                    .class("reports"),
                    .forEach(model.reports) { report in
                        .li(
                            .h3(.text(report.call)),
                            .unwrap(report.agencyName) { .p(.text($0)) },
                            .p(
                                .text(report.disposition),
                                .text(" · CIT-trained officer on scene: \(report.citOnScene ? "yes" : "no")")),
                            .p(
                                .class("meta"), .text("Filed \(report.filed). "),
                                report.correctableUntil.map { until in
                                    .group(
                                        .a(
                                            .href(SiteURL.encounterCorrect(.value(report.key)).path),
                                            .attribute(named: "aria-label", value: "Correct the report of \(report.call)"), .text("Correct")
                                        ),
                                        .text(" until \(until)."))
                                }
                                    ?? .group(
                                        .text("Read-only: "),
                                        .a(
                                            .href(SiteURL.encounterCorrect(.value(report.key)).path),
                                            .attribute(named: "aria-label", value: "See the report of \(report.call)"),
                                            .text("see the answers"))))
                        )
                    }),
                .if(
                    pages > 1,
                    .nav(
                        .class("pager"), .attribute(named: "aria-label", value: "Pages"),
                        .if(page > 1, .a(.href(SiteURL.encounters.path + "?page=\(page - 1)"), .text("← Newer"))), .text(" "),
                        .if(page < pages, .a(.href(SiteURL.encounters.path + "?page=\(page + 1)"), .text("Older →"))))),
            ])
    }
}
