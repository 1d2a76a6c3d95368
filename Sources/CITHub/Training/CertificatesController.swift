import Fluent
import Vapor
import Plot
import CITDomain

/// Certificates: the printable page (for the person and their coordinators), the public
/// check at `/verify/{code}`, and revocation by an administrator.
enum CertificatesController {
    static func register(public routes: any RoutesBuilder, protected: ProtectedRoutesBuilder) {
        routes.get("verify", use: verifyForm)
        routes.get("verify", ":code", use: verify)
        protected.get("/certificates/:code", .useOwnAccount, use: printable)
        protected.post("/certificates/:code/revoke", .revokeCertificates, use: revoke)
    }

    /// The certificate with this code, or nil. Malformed codes never reach the database,
    /// and the caller answers them exactly like unknown ones.
    static func find(_ raw: String, on db: any Database) async throws -> Certificate? {
        guard let code = VerificationCode.normalize(raw) else { return nil }
        return try await Certificate.query(on: db).filter(\.$code == code).first()
    }

    // MARK: public verification

    @Sendable static func verifyForm(req: Request) async throws -> Response {
        if let typed = req.query[String.self, at: "code"]?.trimmingCharacters(in: .whitespaces), !typed.isEmpty {
            let target = VerificationCode.normalize(typed) ?? String(typed.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }.prefix(40))
            return req.redirect(to: TrainingURL.verify(target.isEmpty ? "unknown" : target), redirectType: .normal)
        }
        let page = Page(title: "Check a certificate", chrome: req.chrome(), main: [
            .h1(.text("Check a CIT Hub certificate")),
            .p(.text("Every certificate CIT Hub issues carries a verification code. Type it to see whether the certificate is valid and what it certifies.")),
            .element(named: "form", nodes: [
                .attribute(named: "method", value: "get"), .attribute(named: "action", value: TrainingURL.verifyForm),
                FormHTML.field(.init(name: "code", label: "Verification code", hint: "16 characters, like 7KQ2-9XRD-M4TB-1HZC. Dashes and case do not matter.", autocomplete: "off")),
                FormHTML.submit("Check"),
            ]),
        ])
        return htmlResponse(page)
    }

    @Sendable static func verify(req: Request) async throws -> Response {
        let raw = req.parameters.get("code") ?? ""
        guard let certificate = try await find(raw, on: req.db) else {
            // The same answer for a malformed, mistyped or guessed code: nothing to learn.
            let page = Page(title: "Certificate not found", chrome: req.chrome(), main: [
                .h1(.text("No certificate has this code")),
                .p(.text("Check the code for typing mistakes. If it is right, the certificate was not issued by CIT Hub.")),
                .p(.a(.href(TrainingURL.verifyForm), .text("Check another code"))),
            ])
            return htmlResponse(page, status: .notFound)
        }
        let revoked = certificate.isRevoked
        let page = Page(title: revoked ? "Certificate revoked" : "Valid certificate", chrome: req.chrome(), main: [
            .div(.class(revoked ? "verify revoked" : "verify valid"),
                 .h1(.text(revoked ? "This certificate was revoked" : "This certificate is valid")),
                 .if(revoked, .p(.strong(.text("Revoked on \(TrainingFormat.day(certificate.revokedAt ?? Date(), TimeZone(identifier: "UTC")!)): ")), .text(certificate.revokedReason ?? ""))),
                 .element(named: "dl", nodes: [
                    .element(named: "dt", text: "Certifies that"), .element(named: "dd", text: certificate.personName),
                    .element(named: "dt", text: "Completed"), .element(named: "dd", text: certificate.courseTitle),
                    .element(named: "dt", text: "Hours"), .element(named: "dd", text: TrainingFormat.hours(certificate.hours)),
                    .element(named: "dt", text: "Dates"), .element(named: "dd", text: "\(certificate.startDate) to \(certificate.endDate)"),
                    .element(named: "dt", text: "Hosted by"), .element(named: "dd", text: certificate.provider),
                    .element(named: "dt", text: "Code"), .element(named: "dd", text: certificate.code),
                 ])),
        ])
        return htmlResponse(page)
    }

    // MARK: printable certificate

    static func mayView(_ user: User, _ certificate: Certificate) -> Bool {
        user.email == certificate.email || ClassesStaffController.mayManage(user, programID: certificate.programID)
    }

    @Sendable static func printable(req: Request) async throws -> Response {
        guard let certificate = try await find(req.parameters.get("code") ?? "", on: req.db) else {
            throw Abort(.notFound, reason: "There is no certificate at this address.")
        }
        let user = try req.auth.require(User.self)
        guard mayView(user, certificate) else { throw Abort(.forbidden, reason: "You can open your own certificates, and those of the programs you coordinate.") }
        let site = req.application.settings.publicURL
        let page = Page(title: "Certificate: \(certificate.personName)", chrome: req.chrome(), main: [
            .div(.class("no-print"),
                 .p(.text("Print this page (landscape, one Letter page). The certificate carries its own verification code.")),
                 .if(certificate.isRevoked, .p(.class("error"), .text("This certificate was revoked: \(certificate.revokedReason ?? "").")))),
            .element(named: "article", nodes: [
                .class("certificate"),
                .p(.class("cert-org"), .text(req.application.settings.organization.name)),
                .h1(.text("Certificate of completion")),
                .p(.class("cert-line"), .text("This certifies that")),
                .p(.class("cert-name"), .text(certificate.personName)),
                .p(.class("cert-line"), .text("completed")),
                .p(.class("cert-course"), .text(certificate.courseTitle)),
                .p(.class("cert-line"), .text("\(TrainingFormat.hours(certificate.hours)) hours, \(certificate.startDate) to \(certificate.endDate), hosted by \(certificate.provider)")),
                .if(certificate.isRevoked, .p(.class("cert-revoked"), .text("REVOKED"))),
                .p(.class("cert-verify"), .text("Verification code \(certificate.code) · check at \(site)\(TrainingURL.verify(certificate.code))")),
            ]),
            .if(user.can(.revokeCertificates) && !certificate.isRevoked, .div(.class("no-print"),
                .h2(.text("Revoke this certificate")),
                FormHTML.form(action: TrainingURL.revoke(certificate.code), csrf: req.csrfToken, [
                    FormHTML.field(.init(name: "reason", label: "Reason", hint: "Shown on the public verification page.")),
                    FormHTML.submit("Revoke certificate", secondary: true),
                ]))),
        ], stylesheets: [CertificateAssets.stylesheetPath], bodyClass: "certificate-page")
        return htmlResponse(page)
    }

    @Sendable static func revoke(req: Request) async throws -> Response {
        guard let certificate = try await find(req.parameters.get("code") ?? "", on: req.db) else {
            throw Abort(.notFound, reason: "There is no certificate at this address.")
        }
        let reason = FormValues(req).trimmed("reason")
        let problem = reason.isEmpty ? "Give the reason; it is shown on the public verification page." : TrainingFormat.plainText(reason, limit: 300)
        if let problem {
            let page = Page(title: "Revoke certificate", chrome: req.chrome(), main: [
                .h1(.text("Revoke certificate \(certificate.code)")),
                FormHTML.form(action: TrainingURL.revoke(certificate.code), csrf: req.csrfToken, [
                    FormHTML.field(.init(name: "reason", label: "Reason", value: reason, error: problem, hint: "Shown on the public verification page.")),
                    FormHTML.submit("Revoke certificate", secondary: true),
                ]),
            ])
            return htmlResponse(page, status: .unprocessableEntity)
        }
        guard !certificate.isRevoked else { return req.redirect(to: TrainingURL.verify(certificate.code), redirectType: .normal) }
        let user = try req.auth.require(User.self)
        try await req.db.transaction { tx in
            certificate.revokedAt = Date()
            certificate.revokedReason = reason
            certificate.revokedBy = user.email
            try await certificate.update(on: tx)
            try await req.audit.record("certificate.revoked", entityType: "certificate", entityID: certificate.code, details: reason, on: tx)
        }
        return req.redirect(to: TrainingURL.verify(certificate.code), redirectType: .normal)
    }
}

enum CertificateAssets {
    static let stylesheetPath = "/assets/certificate.css"

    static func register(on app: Application) {
        Assets.serve(stylesheet, at: stylesheetPath, type: HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"]), on: app)
    }

    static let stylesheet = #"""
.certificate { border: 6px double #3b2a7a; padding: 2.5rem 3rem; text-align: center; margin: 1rem 0; background: #fff; }
.certificate h1 { font-size: 2.4rem; margin: .5rem 0 1.25rem; letter-spacing: .02em; }
.cert-org { font-size: 1.1rem; margin: 0; }
.cert-line { margin: .35rem 0; font-size: 1.1rem; }
.cert-name { font-size: 2rem; font-weight: 700; margin: .5rem 0; }
.cert-course { font-size: 1.5rem; font-weight: 600; margin: .5rem 0; }
.cert-verify { margin-top: 2rem; font-size: .95rem; }
.cert-revoked { font-size: 2rem; font-weight: 700; color: #a00000; }
.verify { border-left: 8px solid var(--ok); padding: .5rem 1.25rem; }
.verify.revoked { border-left-color: var(--danger); }
.verify dt { font-weight: 700; margin-top: .5rem; }
.verify dd { margin: 0; }
@page { size: letter landscape; margin: 0.5in; }
@media print {
  body.certificate-page .site-header, body.certificate-page .site-footer, body.certificate-page .no-print, body.certificate-page .skip-link { display: none !important; }
  body.certificate-page main { padding: 0; max-width: none; }
  .certificate { margin: 0; height: 7.2in; box-sizing: border-box; display: flex; flex-direction: column; justify-content: space-evenly; page-break-inside: avoid; break-inside: avoid; }
  .certificate p, .certificate h1 { margin: 0; }
}
"""#
}
