import Fluent
import Vapor
import Plot
import CITDomain

/// Certificates: the printable page (for the person and their coordinators), the public
/// check at `/verify/{code}`, and revocation by an administrator.
enum CertificatesController {
    static func register(public routes: any RoutesBuilder, protected: ProtectedRoutesBuilder) {
        routes.get(SiteURL.verifyForm.pathComponents, use: verifyForm)
        routes.get(SiteURL.verify(.key).pathComponents, use: verify)
        // The link in the certificate mail: no account needed, the token is the key.
        routes.get(SiteURL.certificatePrint(.key).pathComponents, use: printByLink)
        protected.get(SiteURL.certificate(.key), .useOwnAccount, use: printable)
        protected.post(SiteURL.certificateRevoke(.key), .revokeCertificates, use: revoke)
    }

    /// The certificate with this code, or nil. Malformed codes never reach the database,
    /// and the caller answers them exactly like unknown ones.
    static func find(_ raw: String, on db: any Database) async throws -> Certificate? {
        guard let code = VerificationCode.normalize(raw) else { return nil }
        return try await Certificate.query(on: db).filter(\.$code == code).first()
    }

    /// The certificate whose print link carries this token, or nil. Looked up by the
    /// token's hash, as registration links are; lengths a generated token never has are
    /// refused before the database is asked.
    static func find(printToken token: String, on db: any Database) async throws -> Certificate? {
        guard token.count >= 20, token.count <= 100 else { return nil }
        return try await Certificate.query(on: db).filter(\.$printTokenHash == AccountToken.hash(token)).first()
    }

    // MARK: what a certificate says, in words

    /// Everything a certificate or its verification shows, worded once for both.
    struct Wording {
        var personName: String
        var courseTitle: String
        var hours: String
        var dates: String
        var provider: String
        var issued: String
        var code: String
        var verifyURL: String
        var signerName: String?
        var signerTitle: String
        var revoked: (on: String, reason: String)?

        init(_ certificate: Certificate, site: String, zone: TimeZone) {
            personName = certificate.personName
            courseTitle = certificate.courseTitle
            hours = TrainingFormat.hours(certificate.hours)
            dates =
                CertificateDates.range(from: certificate.startDate, to: certificate.endDate)
                ?? "\(certificate.startDate) to \(certificate.endDate)"
            provider = certificate.provider
            issued = CertificateDates.day(certificate.issuedAt, timeZone: zone)
            code = certificate.code
            verifyURL = site + SiteURL.verify(.value(certificate.code)).path
            signerName = certificate.signerName.flatMap { $0.isEmpty ? nil : $0 }
            signerTitle = certificate.signerTitle.flatMap { $0.isEmpty ? nil : $0 } ?? "Program coordinator, \(certificate.provider)"
            revoked = certificate.revokedAt.map { (CertificateDates.day($0, timeZone: zone), certificate.revokedReason ?? "") }
        }
    }

    /// Dates print in the class's time zone (the issue day is the day at the venue).
    static func zone(of certificate: Certificate, on db: any Database) async throws -> TimeZone {
        try await ClassSession.find(certificate.$classSession.id, on: db)?.zone ?? TimeZone(identifier: "America/Chicago")!
    }

    // MARK: public verification

    static func verifyFormNodes(value: String = "") -> BodyNode {
        .element(
            named: "form",
            nodes: [
                .attribute(named: "method", value: "get"), .attribute(named: "action", value: SiteURL.verifyForm.path),
                .class("verify-form"),
                FormHTML.field(
                    .init(
                        name: "code", label: "Verification code", value: value,
                        hint: "16 characters, like 7KQ2-9XRD-M4TB-1HZC. Dashes and case do not matter.", autocomplete: "off")),
                FormHTML.submit("Check"),
            ])
    }

    @Sendable static func verifyForm(req: Request) async throws -> Response {
        if let typed = req.query[String.self, at: "code"]?.trimmingCharacters(in: .whitespaces), !typed.isEmpty {
            let target =
                VerificationCode.normalize(typed)
                ?? String(typed.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }.prefix(40))
            return req.redirect(to: SiteURL.verify(.value(target.isEmpty ? "unknown" : target)).path, redirectType: .normal)
        }
        let page = Page(
            title: "Check a certificate", chrome: req.chrome(),
            main: [
                .h1(.text("Check a CIT Hub certificate")),
                .p(
                    .text(
                        "Every certificate CIT Hub issues carries a verification code. Type it to see whether the certificate is valid and what it certifies."
                    )),
                verifyFormNodes(),
            ], stylesheets: [TrainingAssets.stylesheetPath])
        return htmlResponse(page)
    }

    @Sendable static func verify(req: Request) async throws -> Response {
        let raw = req.parameters.get("code") ?? ""
        guard let certificate = try await find(raw, on: req.db) else {
            // The same answer for a malformed, mistyped or guessed code: nothing to learn.
            // The form is empty rather than holding what was typed, so no two answers differ.
            let page = Page(
                title: "Certificate not found", chrome: req.chrome(),
                main: [
                    .h1(.text("No certificate has this code")),
                    .p(.text("Check the code for typing mistakes. If it is right, the certificate was not issued by CIT Hub.")),
                    .h2(.text("Check another code")),
                    verifyFormNodes(),
                ], stylesheets: [TrainingAssets.stylesheetPath])
            return htmlResponse(page, status: .notFound)
        }
        let wording = Wording(certificate, site: req.application.settings.publicURL, zone: try await zone(of: certificate, on: req.db))
        let page = Page(
            title: wording.revoked == nil ? "Valid certificate" : "Certificate revoked", chrome: req.chrome(),
            main: [
                verifyPanel(wording),
                .h2(.text("Check another code")),
                verifyFormNodes(),
            ], stylesheets: [TrainingAssets.stylesheetPath])
        return htmlResponse(page)
    }

    /// "Valid" or "Revoked" in words and a sign, then what the certificate certifies.
    /// The colour repeats what the words say; it never says it alone.
    static func verifyPanel(_ wording: Wording) -> BodyNode {
        let revoked = wording.revoked
        return .element(
            named: "section",
            nodes: [
                .class(revoked == nil ? "verify valid" : "verify revoked"),
                .attribute(named: "aria-labelledby", value: "verify-heading"),
                .h1(
                    .id("verify-heading"),
                    .span(.class("mark"), .attribute(named: "aria-hidden", value: "true"), .text(revoked == nil ? "✓" : "✕")),
                    .text(revoked == nil ? "This certificate is valid" : "This certificate was revoked")),
                .unwrap(
                    revoked,
                    { revoked in
                        .p(.class("verdict"), .text("Revoked on \(revoked.on). Reason: "), .span(.text(revoked.reason)))
                    }, else: .p(.class("verdict"), .text("Valid: issued by CIT Hub on \(wording.issued) and not revoked."))),
                .element(
                    named: "dl",
                    nodes: [
                        .element(named: "dt", text: "Certifies that"), .element(named: "dd", text: wording.personName),
                        .element(named: "dt", text: "Completed"), .element(named: "dd", text: wording.courseTitle),
                        .element(named: "dt", text: "Hours"), .element(named: "dd", text: wording.hours),
                        .element(named: "dt", text: "Dates"), .element(named: "dd", text: wording.dates),
                        .element(named: "dt", text: "Hosted by"), .element(named: "dd", text: wording.provider),
                        .element(named: "dt", text: "Issued"), .element(named: "dd", text: wording.issued),
                        .element(named: "dt", text: "Code"), .element(named: "dd", nodes: [.code(.text(wording.code))]),
                    ]),
            ])
    }

    // MARK: printable certificate

    static func mayView(_ user: User, _ certificate: Certificate) -> Bool {
        user.may(.view, .certificate(ownerEmail: certificate.email, programID: certificate.programID)).isAllowed
    }

    /// The certificate itself: what an employer or a board sees on paper. One Letter
    /// landscape page; the verification code and address let anyone check it.
    static func certificateArticle(_ wording: Wording, organization: String) -> BodyNode {
        .element(
            named: "article",
            nodes: [
                .class("certificate"),
                .attribute(named: "aria-label", value: "Certificate of completion"),
                .div(
                    .class("cert-head"),
                    .p(.class("cert-org"), .text(organization)),
                    .p(.class("cert-host"), .text(wording.provider))),
                .h1(.text("Certificate of completion")),
                .p(.class("cert-line"), .text("This certifies that")),
                .p(.class("cert-name"), .text(wording.personName)),
                .p(.class("cert-line"), .text("has completed")),
                .p(.class("cert-course"), .text(wording.courseTitle)),
                .p(.class("cert-detail"), .strong(.text("\(wording.hours) hours")), .text(" · \(wording.dates)")),
                .p(.class("cert-line"), .text("hosted by \(wording.provider)")),
                .unwrap(wording.revoked) { revoked in .p(.class("cert-revoked"), .text("REVOKED on \(revoked.on)")) },
                .div(
                    .class("cert-foot"),
                    .div(
                        .class("cert-sign"),
                        .div(.class("sign-line"), .attribute(named: "aria-hidden", value: "true")),
                        .p(.class("sign-name"), .text(wording.signerName ?? "Signature")),
                        .p(.class("sign-title"), .text(wording.signerTitle))),
                    .div(
                        .class("cert-sign"),
                        .p(.class("sign-date"), .text(wording.issued)),
                        .div(.class("sign-line"), .attribute(named: "aria-hidden", value: "true")),
                        .p(.class("sign-name"), .text("Date issued"))),
                    .div(
                        .class("cert-verify"),
                        .p(.text("Verification code")),
                        .p(.class("cert-code"), .text(wording.code)),
                        .p(.text("Check at ")), .p(.class("cert-url"), .text(wording.verifyURL)))),
            ])
    }

    static func certificatePage(_ req: Request, _ certificate: Certificate, extra: [BodyNode]) async throws -> Page {
        let wording = Wording(certificate, site: req.application.settings.publicURL, zone: try await zone(of: certificate, on: req.db))
        return Page(
            title: "Certificate: \(certificate.personName)", chrome: req.chrome(),
            main: [
                .div(
                    .class("no-print"),
                    .p(.text("Print this page (landscape, one Letter page). The certificate carries its own verification code.")),
                    .if(
                        certificate.isRevoked,
                        .p(.class("error"), .text("This certificate was revoked: \(certificate.revokedReason ?? "").")))),
                certificateArticle(wording, organization: req.application.settings.organization.name),
            ] + extra, stylesheets: [CertificateAssets.stylesheetPath], bodyClass: "certificate-page")
    }

    @Sendable static func printable(req: Request) async throws -> Response {
        guard let certificate = try await find(req.parameters.get("code") ?? "", on: req.db) else {
            throw Abort(.notFound, reason: "There is no certificate at this address.")
        }
        let user = try req.auth.require(User.self)
        guard mayView(user, certificate) else {
            throw Abort(.forbidden, reason: "You can open your own certificates, and those of the programs you coordinate.")
        }
        let page = try await certificatePage(
            req, certificate,
            extra: [
                .if(
                    user.can(.revokeCertificates) && !certificate.isRevoked,
                    .div(
                        .class("no-print"),
                        .h2(.text("Revoke this certificate")),
                        FormHTML.form(
                            action: SiteURL.certificateRevoke(.value(certificate.code)).path, csrf: req.csrfToken,
                            [
                                FormHTML.field(.init(name: "reason", label: "Reason", hint: "Shown on the public verification page.")),
                                FormHTML.submit("Revoke certificate", secondary: true),
                            ])))
            ])
        return htmlResponse(page)
    }

    /// The printable certificate for whoever holds the mail's link, signed in or not.
    /// A wrong, shortened or altered token gets the same 404 as an unknown one, and the
    /// page is not cached or indexed: the address is the key.
    @Sendable static func printByLink(req: Request) async throws -> Response {
        guard let certificate = try await find(printToken: req.parameters.get("token") ?? "", on: req.db) else {
            throw Abort(.notFound, reason: "There is no certificate at this address.")
        }
        let response = htmlResponse(try await certificatePage(req, certificate, extra: []))
        response.headers.replaceOrAdd(name: "X-Robots-Tag", value: "noindex, nofollow")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        return response
    }

    @Sendable static func revoke(req: Request) async throws -> Response {
        guard let certificate = try await find(req.parameters.get("code") ?? "", on: req.db) else {
            throw Abort(.notFound, reason: "There is no certificate at this address.")
        }
        let reason = FormValues(req).trimmed("reason")
        let problem =
            reason.isEmpty ? "Give the reason; it is shown on the public verification page." : TrainingFormat.plainText(reason, limit: 300)
        if let problem {
            let page = Page(
                title: "Revoke certificate", chrome: req.chrome(),
                main: [
                    .h1(.text("Revoke certificate \(certificate.code)")),
                    FormHTML.form(
                        action: SiteURL.certificateRevoke(.value(certificate.code)).path, csrf: req.csrfToken,
                        [
                            FormHTML.field(
                                .init(
                                    name: "reason", label: "Reason", value: reason, error: problem,
                                    hint: "Shown on the public verification page.")),
                            FormHTML.submit("Revoke certificate", secondary: true),
                        ]),
                ])
            return htmlResponse(page, status: .unprocessableEntity)
        }
        guard !certificate.isRevoked else { return req.redirect(to: SiteURL.verify(.value(certificate.code)).path, redirectType: .normal) }
        let user = try req.auth.require(User.self)
        try await req.db.transaction { tx in
            certificate.revokedAt = Date()
            certificate.revokedReason = reason
            certificate.revokedBy = user.email
            try await certificate.update(on: tx)
            try await req.audit.record(
                "certificate.revoked", entityType: "certificate", entityID: certificate.code, details: reason, on: tx)
        }
        return req.redirect(to: SiteURL.verify(.value(certificate.code)).path, redirectType: .normal)
    }
}

enum CertificateAssets {
    static let stylesheetPath = SiteURL.certificateStylesheet.path

    static func register(on app: Application) {
        TrainingAssets.register(on: app)
        Assets.serve(
            stylesheet, at: .certificateStylesheet, type: HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"]),
            on: app)
    }

    static let stylesheet = AssetFiles.text("certificate.css")
}
