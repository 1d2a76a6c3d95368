import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
@testable import CITHub
import CITDomain

/// A client on a real socket, for what only shows on the wire: whether the server
/// answers before a body has arrived, and what it answers to a request line or header
/// block too large to parse.
struct RawHTTPClient {
    let port: Int

    /// Sends `head` (and then `body`, in pieces, as long as the server reads), then returns
    /// whatever the server answered within `timeout` seconds ("" if nothing). The socket
    /// calls block, so they run on a thread of their own: on the tasks' shared threads
    /// (two on a two-core machine) they would stop the server under test from answering.
    func exchange(_ head: String, body: [UInt8] = [], timeout: Int = 5) async -> String {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: blockingExchange(head, body: body, timeout: timeout)) }
        }
    }

    private func blockingExchange(_ head: String, body: [UInt8], timeout: Int) -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return "" }
        var wait = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var sendWait = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendWait, socklen_t(MemoryLayout<timeval>.size))
        var noSignal: Int32 = 1
        #if canImport(Darwin)
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &noSignal, socklen_t(MemoryLayout<Int32>.size))
        #endif
        _ = noSignal
        let bytes = Array(head.utf8) + body
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, min($0.count, 64 * 1024), Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }  // the server stopped reading (or closed): read its answer
            sent += n
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            answer += buffer[0..<n]
            if let text = String(bytes: answer, encoding: .utf8), Self.isComplete(text) { break }
        }
        return String(decoding: answer, as: UTF8.self)
    }

    /// A whole response: head and a body as long as its Content-Length.
    static func isComplete(_ text: String) -> Bool {
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<end.lowerBound].lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { return true }
        return text.utf8.count - text[..<end.upperBound].utf8.count >= length
    }

    static func status(_ response: String) -> Int? {
        guard response.hasPrefix("HTTP/1.1 ") else { return nil }
        return Int(response.dropFirst(9).prefix(3))
    }
}

/// Runs `body` with the application listening on a free port of 127.0.0.1.
func withRunningCITHub(
    configure adjust: (inout Settings) -> Void = { _ in },
    _ body: (Application, RawHTTPClient) async throws -> Void
) async throws {
    try await withCITHub(configure: adjust) { app in
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 0
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(app.http.server.shared.localAddress?.port)
        do {
            try await body(app, RawHTTPClient(port: port))
        } catch {
            await app.server.shutdown()
            throw error
        }
        await app.server.shutdown()
    }
}

@Suite("Request hardening (issue 13, part 5)")
struct RequestHardeningTests {
    // MARK: 1. a large body is not read before the sender is known

    /// An anonymous upload of 15 MB to the one route that takes large bodies: before, the
    /// CSRF check read the whole body first; now the answer comes before the body does.
    @Test("an anonymous 15 MB POST to the upload route is refused before its body is read")
    func anonymousLargeUploadRefusedEarly() async throws {
        try await withRunningCITHub { app, client in
            let cookie = "\(CSRF.cookieName)=\(String(repeating: "c", count: 43)); cithub_session=forged"
            let length = 15 * 1024 * 1024
            let head =
                "POST \(SiteURL.encounterImport.path) HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: \(cookie)\r\n"
                + "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: \(length)\r\n\r\n"
            // Only 64 KB of the 15 MB are ever sent: a server that waits for the rest answers nothing.
            let answer = await client.exchange(head, body: [UInt8](repeating: UInt8(ascii: "a"), count: 64 * 1024), timeout: 4)
            let status = RawHTTPClient.status(answer)
            #expect(status == 303 || status == 401 || status == 403 || status == 413, "answer: \(answer.prefix(200))")
            if status == 303 { #expect(answer.contains("location: /login"), "\(answer.prefix(300))") }
        }
    }

    @Test("a signed-in user without the permission is refused before a large body is read")
    func unpermittedLargeUploadRefusedEarly() async throws {
        try await withRunningCITHub { app, client in
            let (browser, _) = try await Fixtures.signedIn(app, role: .trainer)
            let cookie = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            let head =
                "POST \(SiteURL.encounterImport.path) HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: \(cookie)\r\n"
                + "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: \(15 * 1024 * 1024)\r\n\r\n"
            let answer = await client.exchange(head, body: [UInt8](repeating: UInt8(ascii: "a"), count: 64 * 1024), timeout: 4)
            #expect(RawHTTPClient.status(answer) == 403, "answer: \(answer.prefix(200))")
        }
    }

    @Test("an ordinary form over a real socket still works (CSRF pair, body read)")
    func ordinaryFormStillWorks() async throws {
        try await withRunningCITHub { app, client in
            let token = String(repeating: "k", count: 43)
            let form = "_csrf=\(token)&name=Ana"
            let head =
                "POST \(SiteURL.crisis.path) HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: \(CSRF.cookieName)=\(token)\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\nConnection: close\r\n\r\n"
            let answer = await client.exchange(head, body: Array(form.utf8))
            // Missing answers: the form again with messages (422), not a CSRF refusal (403).
            #expect(RawHTTPClient.status(answer) == 422, "answer: \(answer.prefix(200))")
        }
    }

    // MARK: 2. the CSRF token: escaped, and only of the shape CIT Hub makes

    @Test(
        "a CSRF cookie holding markup is never reflected: the page gets a fresh token",
        arguments: [
            "\"><script>alert(1)</script>" + String(repeating: "a", count: 20),
            String(repeating: "a", count: 40) + "\"/>",
            String(repeating: "b", count: 50),
        ])
    func markupCookieNotReflected(cookie: String) async throws {
        try await withCITHub { app in
            let browser = TestBrowser(app)
            browser.cookies[CSRF.cookieName] = cookie
            let response = try await browser.get(SiteURL.crisisPlan.path)
            #expect(response.status == .ok)
            #expect(!response.text.contains(cookie), "the cookie's value is in the page")
            #expect(!response.text.contains("<script>alert"))
            let fresh = try #require(browser.cookies[CSRF.cookieName])
            #expect(fresh != cookie)
            #expect(TokenShape.isToken(fresh))
            #expect(response.text.contains("name=\"_csrf\" value=\"\(fresh)\""))
        }
    }

    @Test("a POST whose cookie and field match but are not token-shaped is refused")
    func wrongShapeRefused() async throws {
        try await withCITHub { app in
            let browser = TestBrowser(app)
            let odd = String(repeating: "x", count: 40) + "<b>"
            browser.cookies[CSRF.cookieName] = odd
            let response = try await browser.post(
                SiteURL.crisis.path, CrisisHelperTests.minimal.merging([CSRF.fieldName: odd]) { $1 }, csrf: false)
            #expect(response.status == .forbidden)
        }
    }

    // MARK: 4. no one-time link's secret in any log line

    static let token = "Xy3_k9-QpL2mN8vR4tW6zA1bC5dE7fG0hJ2kL4nP6qS"
    static let secretPaths = [
        SiteURL.invitation(.value(token)).path, SiteURL.setup(.value(token)).path, SiteURL.resetPassword(.value(token)).path,
        "/registrations/\(token)", "/registrations/\(token)/cancel", SiteURL.certificatePrint(.value(token)).path,
        "/some/future/link/\(token)",
    ]

    @Test("requests to every address holding a token, refused or failing with a 5xx, log no token at any level")
    func tokensNeverLogged() async throws {
        try await withCITHub(configure: { $0.logLevel = .debug }) { app in
            let log = CapturedLog()
            log.attach(to: app)
            let browser = TestBrowser(app)
            for path in Self.secretPaths {
                try await browser.get(path)
                try await browser.post(path, ["password": "x"])
            }
            // A CSRF refusal logs the address too.
            try await browser.post(SiteURL.invitation(.value(Self.token)).path, [:], csrf: false)
            // A 5xx on such an address: its table is gone.
            let sql = app.db as! any SQLDatabase
            try await sql.raw("ALTER TABLE registrations RENAME TO registrations_gone").run()
            try await sql.raw("ALTER TABLE account_tokens RENAME TO account_tokens_gone").run()
            let failed = try await browser.get("/registrations/\(Self.token)")
            #expect(failed.status.code >= 500)
            try await browser.get(SiteURL.invitation(.value(Self.token)).path)
            let text = log.text
            #expect(text.contains("request failed"), "the 5xx was logged")
            #expect(text.contains("/registrations/[redacted]"), "the request log names the address without its secret")
            #expect(!text.contains(Self.token), "a token reached the log:\n\(text.prefix(2000))")
        }
    }

    @Test("the handler installed around every log handler hides secrets in messages and metadata")
    func redactingHandler() {
        let log = CapturedLog()
        let logger = Logger(label: "test") { _ in RedactingLogHandler(CapturedLog.Handler(log: log)) }
        logger.trace("Decoded HTTP part: head(HTTPRequestHead { method: GET, uri: /invitation/\(Self.token), version: HTTP/1.1 })")
        logger.error(
            "request failed",
            metadata: [
                "path": .string("/certificates/print/\(Self.token)"),
                "nested": .dictionary(["a": .array([.string("/setup/\(Self.token)")])]),
            ])
        logger.info("GET /map", metadata: ["id": .stringConvertible(42)])
        #expect(!log.text.contains(Self.token), "\(log.text)")
        #expect(log.text.contains("uri: /invitation/[redacted]"))
        #expect(log.text.contains("GET /map"))
    }

    // MARK: 3. reads and taps of personal data are audited

    static func auditRows(_ app: Application, _ action: String) async throws -> [AuditEvent] {
        try await AuditEvent.query(on: app.db).filter(\.$action == action).all()
    }

    @Test("every attendance tap that is stored writes one audit row; a resend of the same tap writes none")
    func attendanceTapsAudited() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (session, coordinator, registrations) = try await TrainingFixtures.pastClass(app, trainees: 1)
            let (trainer, trainerUser) = try await TrainingFixtures.assignedTrainer(app, session: session, coordinator: coordinator)
            let blocks = session.agenda.indices.filter { !session.agenda[$0].isBreak }
            let entries = blocks.prefix(2).map {
                TrainingFixtures.Entry(
                    registration: registrations[0].id!.uuidString, block: $0, kind: "present",
                    at: TrainingFixtures.iso(session.agenda[$0].start))
            }
            // MUT: two taps sent by the sheet's script, then the same two again
            let (status, _) = try await TrainingFixtures.sync(trainer, session, entries)
            #expect(status == .ok)
            _ = try await TrainingFixtures.sync(trainer, session, entries)
            var rows = try await Self.auditRows(app, "attendance.recorded")
            #expect(rows.count == 2)
            #expect(rows.allSatisfy { $0.actorID == trainerUser.id && $0.entityID == session.id!.uuidString })
            #expect(rows.allSatisfy { $0.details.contains(registrations[0].id!.uuidString) })
            // MUT: one tap on the plain form
            let marked = try await trainer.post(
                SiteURL.attendanceMark(.value(session.id!)).path,
                [
                    "registration": registrations[0].id!.uuidString, "block": String(blocks[2]), "kind": "absent",
                    "entry_id": UUID().uuidString,
                ])
            #expect(marked.status == .seeOther)
            rows = try await Self.auditRows(app, "attendance.recorded")
            #expect(rows.count == 3)
        }
    }

    @Test("a download of the training records CSV writes one audit row")
    func recordsCSVAudited() async throws {
        try await withCITHub { app in
            let (admin, adminUser) = try await Fixtures.signedIn(app, role: .stateAdministrator)
            #expect(try await Self.auditRows(app, "training_records.csv_downloaded").isEmpty)
            let csv = try await admin.get(SiteURL.trainingRecordsCSV.path + "?email=someone%40example.org")
            #expect(csv.status == .ok)
            let rows = try await Self.auditRows(app, "training_records.csv_downloaded")
            #expect(rows.count == 1)
            #expect(rows.first?.actorID == adminUser.id)
            #expect(rows.first?.details.contains("someone@example.org") == true, "the filter is recorded")
            // The page itself is not a download.
            _ = try await admin.get(SiteURL.trainingRecords.path)
            #expect(try await Self.auditRows(app, "training_records.csv_downloaded").count == 1)
        }
    }

    @Test("an API roster read writes one audit row; a refused read writes none")
    func apiRosterAudited() async throws {
        try await withCITHub { app in
            try await loadDirectory(app)
            let (classID, _) = try await ClassFixtures.createClass(app)
            _ = try await ClassFixtures.register(app, classID, ClassFixtures.registrant(1))
            let admin = try await Fixtures.user(app, email: "api-admin@example.org", role: .stateAdministrator)
            let trainee = try await Fixtures.user(app, email: "api-trainee@example.org", role: .trainee)
            let adminToken = try await APIRouteTests.token(app, for: admin)
            let traineeToken = try await APIRouteTests.token(app, for: trainee)
            let path = "/api/v1/classes/\(classID.uuidString)/roster"
            let refused = try await app.testing().sendRequest(.GET, path, headers: ["Authorization": "Bearer \(traineeToken)"])
            #expect(refused.status == .forbidden)
            #expect(try await Self.auditRows(app, "api.roster_read").isEmpty)
            let read = try await app.testing().sendRequest(.GET, path, headers: ["Authorization": "Bearer \(adminToken)"])
            #expect(read.status == .ok)
            let rows = try await Self.auditRows(app, "api.roster_read")
            #expect(rows.count == 1)
            #expect(rows.first?.actorID == admin.id)
            #expect(rows.first?.entityID == classID.uuidString)
        }
    }

    // MARK: 5. a request line or header block too large gets an answer

    @Test("a 20 KB query string gets 414 and a 40 KB header gets 431, each with a short page, on a real socket")
    func oversizedHeadsAnswered() async throws {
        try await withRunningCITHub { app, client in
            let query = String(repeating: "a", count: 20 * 1024)
            let long = await client.exchange("GET /search?q=\(query) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(RawHTTPClient.status(long) == 414, "answer: \(long.prefix(200))")
            #expect(long.contains("That address is too long"))
            let header = String(repeating: "b", count: 40 * 1024)
            let big = await client.exchange("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: \(header)\r\n\r\n")
            #expect(RawHTTPClient.status(big) == 431, "answer: \(big.prefix(200))")
            #expect(big.contains("Too much was sent"))
            // An ordinary request still gets its page.
            let ok = await client.exchange("GET /about HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(RawHTTPClient.status(ok) == 200)
        }
    }

    @Test("a 100 KB query string: NIO's decoder refuses it before Vapor and the connection closes without an answer")
    func hugeQueryString() async throws {
        try await withRunningCITHub { app, client in
            let query = String(repeating: "a", count: 100 * 1024)
            let answer = await client.exchange("GET /search?q=\(query) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            // Not solved: Vapor 4 builds its HTTP/1 pipeline with no hook for a handler that
            // could answer NIO's HTTPParserError.headerOverflow (80 KB) before the close.
            withKnownIssue("no 414 for heads over NIO's 80 KB limit") {
                #expect(RawHTTPClient.status(answer) == 414, "answer: \(answer.prefix(200))")
            }
        }
    }
}
