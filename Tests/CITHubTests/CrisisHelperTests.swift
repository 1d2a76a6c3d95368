import Foundation
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
import NIOConcurrencyHelpers
@testable import CITHub
import CITDomain

/// Keeps every log line a test's application writes, to show that nothing typed into the
/// crisis helper reaches the logs.
final class CapturedLog: Sendable {
    let lines = NIOLockedValueBox<[String]>([])

    struct Handler: LogHandler {
        let log: CapturedLog
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(
            level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String,
            function: String, line: UInt
        ) {
            let all = self.metadata.merging(explicit ?? [:]) { $1 }
            log.lines.withLockedValue { $0.append("\(level) \(message) \(all)") }
        }
    }

    /// Points the application's logger (which in-memory test requests use) here, at trace.
    func attach(to app: Application) {
        app.logger = Logger(label: "test") { _ in Handler(log: self) }
    }

    var text: String { lines.withLockedValue { $0.joined(separator: "\n") } }
}

@Suite("Crisis call helper: pages, privacy, assets")
struct CrisisHelperTests {
    static let minimal: [String: String] = [
        "name": "Ana Zebulon", "location": "412 Quillfeather Street, Appleton", "relation": "son",
        "lovedName": "Samwise", "happening": "hearing voices and has not slept for three days",
    ]

    /// Rows in every table, to show a request wrote nothing.
    static func rowCounts(_ app: Application) async throws -> [String: Int] {
        let sql = app.db as! any SQLDatabase
        struct Name: Decodable { var name: String }
        let names: [String]
        if sql.dialect.name == "sqlite" {
            names = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all(
                decoding: Name.self
            ).map(\.name)
        } else {
            names = try await sql.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()").all(
                decoding: Name.self
            ).map(\.name)
        }
        struct Count: Decodable { var n: Int }
        var counts: [String: Int] = [:]
        for name in names {
            counts[name] = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: name)").first(decoding: Count.self)?.n ?? -1
        }
        return counts
    }

    @Test("GET /crisis: the live form, cached for everyone, no cookie, no inline script or style")
    func helperPage() async throws {
        try await withCITHub { app in
            // MUT
            let browser = TestBrowser(app)
            let response = try await browser.get(SiteURL.crisis.path)
            // validate
            #expect(response.status == .ok)
            let html = response.text
            #expect(response.headers[.setCookie].isEmpty, "a cached page sets no cookie")
            let etag = try #require(response.headers.first(name: .eTag))
            let again = try await browser.get(SiteURL.crisis.path, headers: [HTTPHeaders.Name.ifNoneMatch.description: etag])
            #expect(again.status == .notModified)
            for field in CrisisForm.textFields + [
                "onFile", "quiet", "threatSelf", "threatYou", "threatOthers", "trigLoud", "trigOver", "trigClose", "helpSoft", "helpDirect",
                "helpTrusted", "selfCare", "substance", "keep",
            ] {
                #expect(html.contains("<label for=\"field-\(field)\""), "label for \(field)")
                #expect(html.contains("id=\"field-\(field)\""), "field \(field)")
            }
            #expect(html.contains("<script src=\"/assets/crisis.js\" defer></script>"))
            #expect(html.contains("<script src=\"/assets/offline.js\" defer></script>"), "installs the offline worker")
            #expect(!html.contains("sms:"), "no message to send before anything is typed")
            #expect(html.contains("href=\"/assets/crisis.css\""))
            #expect(!html.contains("<script>") && !html.contains("style=") && !html.contains("<style"), "CSP: nothing inline")
            #expect(html.contains("href=\"/crisis/plan\""), "the way in without JavaScript")
            #expect(html.contains("Anyone in danger now? Call 911."))
            #expect(html.contains("Call or text 988, the Suicide &amp; Crisis Lifeline."))
            #expect(html.contains("href=\"tel:911\"") && html.contains("href=\"tel:988\""))
            #expect(
                html.contains("<form method=\"get\" action=\"/search\" class=\"cit-lookup no-print\">"),
                "county or ZIP lookup in the directory")
            // The general script, for readers without JavaScript.
            #expect(html.contains("“If possible, I’d like an officer with CIT training to respond.”"))
            #expect(html.contains(CrisisPhrases.whileWaiting))
            // No phone number other than 911, 988 and the configured organisation's.
            let phones = html.components(separatedBy: "tel:").dropFirst().map { String($0.prefix { $0 != "\"" }) }
            #expect(Set(phones) == ["911", "988", "6082686000"])
            let csp = try #require(response.headers.first(name: "Content-Security-Policy"))
            #expect(csp.contains("script-src 'self'") && csp.contains("style-src 'self'") && !csp.contains("unsafe-inline"))
        }
    }

    @Test("GET /crisis/plan: the form for browsers without JavaScript, with a CSRF token, never cached")
    func formPage() async throws {
        try await withCITHub { app in
            let browser = TestBrowser(app)
            let response = try await browser.get(SiteURL.crisisPlan.path)
            #expect(response.status == .ok)
            #expect(response.headers.first(name: .cacheControl) == "no-store")
            let token = try #require(browser.cookies[CSRF.cookieName])
            #expect(response.text.contains("name=\"_csrf\" value=\"\(token)\""))
            #expect(response.text.contains("action=\"/crisis\""))
            #expect(!response.text.contains("crisis.js"), "no script on the no-JavaScript page")
            #expect(response.headers.first(name: "Content-Security-Policy") != nil)
        }
    }

    @Test("POST /crisis renders the script and forgets it: nothing stored, nothing logged, no-store")
    func postRendersAndForgets() async throws {
        try await withCITHub { app in
            // setup
            let log = CapturedLog()
            log.attach(to: app)
            let browser = TestBrowser(app)
            try await browser.get(SiteURL.crisisPlan.path)
            let before = try await Self.rowCounts(app)
            var form = Self.minimal
            form["weapons"] = "Xylophonic"
            form["threatSelf"] = "1"
            form["diagnosis"] = "Quokkaphobia"
            // MUT
            let response = try await browser.post(SiteURL.crisis.path, form)
            // validate
            #expect(response.status == .ok)
            #expect(response.headers.first(name: .cacheControl) == "no-store")
            let html = response.text
            #expect(html.contains("“I am calling because my loved one is having a mental health crisis.”"))
            #expect(html.contains("“My goal is for them to get help, not to be arrested or harmed.”"))
            #expect(
                html.contains("“My name is Ana Zebulon, and I am calling from 412 Quillfeather Street, Appleton about my son Samwise.”"))
            #expect(html.contains("“Here is what is happening: hearing voices and has not slept for three days.”"))
            #expect(html.contains("“If possible, I’d like an officer with CIT training to respond.”"))
            #expect(html.contains("“My loved one has access to weapons: Xylophonic.”"))
            #expect(html.contains("“My loved one has made direct threats of violence.”"))
            #expect(html.contains("“My loved one’s mental health diagnosis: Quokkaphobia.”"))
            #expect(html.contains("<li class=\"step step-weapons safety\"><p class=\"safety-tag\">Safety</p>"))
            // Order: the seed's.
            let order = [
                "step-call911", "step-crisis", "step-citOfficer", "step-weapons", "step-threats", "step-health", "step-officerArrives",
                "step-calm", "step-whileWaiting",
            ]
            let positions = order.map { html.range(of: "class=\"step \($0)")?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil })
            #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
            #expect(!html.contains("step-onFile") && !html.contains("step-quiet") && !html.contains("step-triggers"))
            #expect(html.contains("Crisis plan made on <span id=\"made-date\">\(CrisisHelperViews.madeDate(Date()))</span>."))
            #expect(html.contains("id=\"call-9\"") && !html.contains("id=\"call-10\""), "one call-mode screen per step")
            for message in TextTo911(
                CrisisForm(
                    name: form["name"], location: form["location"], relation: "son", lovedName: "Samwise", happening: form["happening"],
                    weapons: "Xylophonic", threatSelf: "1"
                ).answers
            ).messages {
                #expect(html.contains("<p class=\"msg\" id=\"text-") && html.contains("\">\(message)</p>"))
                #expect(html.contains("href=\"sms:911?&body=\(CrisisHelperViews.uriComponent(message))\""))
            }
            // Nothing stored, nothing logged.
            let after = try await Self.rowCounts(app)
            #expect(after == before)
            #expect(!before.isEmpty)
            for secret in ["Zebulon", "Quillfeather", "Samwise", "Xylophonic", "Quokkaphobia"] {
                #expect(!log.text.contains(secret), "\(secret) reached the log")
            }
            #expect(!log.text.isEmpty, "the capture works (request logging at trace)")
        }
    }

    @Test("missing answers: 422, the same form again with the answers kept and a message beside each field")
    func missingAnswers() async throws {
        try await withCITHub { app in
            let browser = TestBrowser(app)
            let before = try await Self.rowCounts(app)
            let response = try await browser.post(SiteURL.crisis.path, ["name": "Ana <Zebulon>", "weapons": "knives"])
            #expect(response.status == .unprocessableEntity)
            #expect(response.headers.first(name: .cacheControl) == "no-store")
            let html = response.text
            #expect(html.contains("Please check the form"))
            #expect(html.contains("value=\"Ana &lt;Zebulon&gt;\""), "answer kept, escaped")
            #expect(html.contains("value=\"knives\""))
            #expect(html.contains("id=\"field-location-error\">Please enter where you are, so help can find you.</p>"))
            #expect(html.contains("aria-describedby=\"field-location-error field-location-hint\""))
            #expect(html.contains("id=\"field-happening-error\""))
            #expect(!html.contains("field-name-error"))
            #expect(!html.contains("id=\"script\""))
            #expect(try await Self.rowCounts(app) == before)
        }
    }

    @Test(
        "bad input is a 4xx or the form again, never a 500",
        arguments: [
            ("overlong", 422), ("nul", 200), ("bad substance", 422), ("no csrf", 403), ("unreadable", 400), ("huge", 413),
        ])
    func badInput(kind: String, status: Int) async throws {
        try await withCITHub { app in
            let log = CapturedLog()
            log.attach(to: app)
            let browser = TestBrowser(app)
            try await browser.get(SiteURL.crisisPlan.path)
            var form = Self.minimal
            let response: TestingHTTPResponse
            switch kind {
            case "overlong":
                form["happening"] = String(repeating: "Zebulon ", count: 100)
                response = try await browser.post(SiteURL.crisis.path, form)
                #expect(response.text.contains("at most 500 characters (this has 800)"))
                #expect(response.text.contains(String(repeating: "Zebulon ", count: 100)), "kept for editing")
            case "nul":
                form["name"] = "Ana\u{0}Zebulon"
                response = try await browser.post(SiteURL.crisis.path, form)
                #expect(response.text.contains("My name is Ana Zebulon, and"))
                #expect(!response.text.contains("\u{0}"))
            case "bad substance":
                form["substance"] = "<nonsense>"
                response = try await browser.post(SiteURL.crisis.path, form)
                #expect(response.text.contains("Please choose one of the answers."))
            case "no csrf":
                response = try await browser.post(SiteURL.crisis.path, form, csrf: false)
            case "unreadable":
                var headers = HTTPHeaders()
                headers.contentType = .urlEncodedForm
                let token = try #require(browser.cookies[CSRF.cookieName])
                // A valid token followed by a field that is not URL-encoding at all.
                response = try await browser.send(
                    .POST, SiteURL.crisis.path, headers: headers,
                    body: ByteBuffer(string: "_csrf=\(token)&name[=Zebulon&name[][x]=1&name=%FF%FE"))
            default:  // more than the app accepts
                var headers = HTTPHeaders()
                headers.contentType = .urlEncodedForm
                response = try await browser.send(
                    .POST, SiteURL.crisis.path, headers: headers,
                    body: ByteBuffer(string: "name=" + String(repeating: "Zebulon", count: 60_000)))
            }
            if kind == "unreadable" || kind == "huge" {
                #expect(response.status.code >= 400 && response.status.code < 500, "\(response.status)")
            } else {
                #expect(response.status.code == UInt(status), "\(kind): \(response.status)")
            }
            #expect(response.status.code < 500)
            #expect(!log.text.contains("Zebulon"), "\(kind): input reached the log")
        }
    }

    @Test("HTML, emoji and right-to-left text are escaped and kept")
    func escaping() async throws {
        try await withCITHub { app in
            let browser = TestBrowser(app)
            var form = Self.minimal
            form["lovedName"] = "<script>alert(1)</script> 🧑🏽‍🦱 סאם"
            form["weapons"] = "\"kitchen\" & <b>"
            form["diagnosis"] = "&amp; &#60;"
            let html = try await browser.post(SiteURL.crisis.path, form).text
            #expect(html.contains("about my son &lt;script&gt;alert(1)&lt;/script&gt; 🧑🏽‍🦱 סאם.”"))
            #expect(html.contains("has access to weapons: \"kitchen\" &amp; &lt;b&gt;.”"))
            #expect(!html.contains("<script>alert(1)"))
            // Typed into a field and shown again for editing: escaped inside the attribute.
            #expect(html.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt; 🧑🏽‍🦱 סאם\""))
            #expect(html.contains("value=\"&quot;kitchen&quot; &amp; &lt;b&gt;\""))
            #expect(!html.contains("<b>"))
            // A literal entity is shown as typed, not decoded.
            #expect(html.contains("diagnosis: &amp;amp; &amp;#60."), "the trailing ; is punctuation, cleaned off")
        }
    }

    @Test("the helper's script, stylesheet and service worker: right types, ETags, the seed's sentences from Swift")
    func assets() async throws {
        try await withCITHub { app in
            let browser = TestBrowser(app)
            let js = try await browser.get(SiteURL.crisisScript.path)
            #expect(js.status == .ok)
            #expect(js.headers.contentType?.description.hasPrefix("text/javascript") == true)
            #expect(js.text.contains("\"citSay\":\"If possible, I’d like an officer with CIT training to respond.\""))
            #expect(!js.text.contains("/*@PHRASES@*/"))
            let etag = try #require(js.headers.first(name: .eTag))
            #expect(
                try await browser.get(SiteURL.crisisScript.path, headers: [HTTPHeaders.Name.ifNoneMatch.description: etag]).status
                    == .notModified)

            let css = try await browser.get(SiteURL.crisisStylesheet.path)
            #expect(css.status == .ok)
            #expect(css.headers.contentType?.description.hasPrefix("text/css") == true)
            #expect(css.text.contains("@media print"))
            #expect(css.text.contains(".call-step:target"))
            #expect(css.headers.first(name: .eTag) != nil)

            let sw = try await browser.get(SiteURL.crisisServiceWorker.path)
            #expect(sw.status == .ok)
            #expect(sw.headers.contentType?.description.hasPrefix("text/javascript") == true)
            #expect(sw.headers.first(name: .cacheControl) == "no-cache")
            #expect(sw.text.contains("\"crisis-\(CrisisHelperAssets.version)\""))
            #expect(sw.text.contains("var PAGES = [U.home, U.map, U.crisis];"), "home, map and helper offline (issue 12)")
            #expect(
                sw.text.contains(
                    "var URLS = PAGES.concat([U.siteStylesheet, U.crisisStylesheet, U.crisisScript, U.offlineScript, U.favicon]);"))
            // The addresses come from Swift (ScriptURLs), filled in at start-up.
            for pair in [
                "\"home\":\"/\"", "\"map\":\"/map\"", "\"crisis\":\"/crisis\"", "\"siteStylesheet\":\"/assets/site.css\"",
                "\"crisisStylesheet\":\"/assets/crisis.css\"", "\"crisisScript\":\"/assets/crisis.js\"",
                "\"offlineScript\":\"/assets/offline.js\"",
            ] {
                #expect(sw.text.contains(pair), "\(pair)")
            }
            #expect(!sw.text.contains("/*@"))
            #expect(!sw.text.contains("/crisis/plan"), "the worker never caches a page with answers")
            for response in [js, css, sw] {
                #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
            }
            // The framing rules' word lists come from Swift too, once.
            #expect(!js.text.contains("/*@RULES@*/"))
            #expect(js.text.contains("\"medicalPhrases\":[\"overdose\""))
            let offline = try await browser.get(SiteURL.crisisOfflineScript.path)
            #expect(offline.status == .ok)
            #expect(offline.text.contains("register(U.serviceWorker, { scope: U.home })"))
            #expect(offline.text.contains("\"serviceWorker\":\"/crisis-sw.js\""))
            #expect(!offline.text.contains("/*@"))
            // Every seed phrase the browser needs is in the script.
            for (key, phrase) in CrisisPhrases.all {
                #expect(js.text.contains("\"\(key)\":\"\(phrase)\""), "\(key)")
            }
        }
    }

    @Test("the result page renders from CrisisScript: every step, in order, quoted")
    func viewMatchesDomain() {
        var answers = CrisisAnswers(callerName: "A", location: "B", relationship: "C", lovedOneName: "D", happening: "E")
        answers.noLightsOrSirens = true
        let script = CrisisScript(answers)
        let html = CrisisHelperViews.plan(script, texts: TextTo911(answers), made: nil, title: "What to say").render()
        var cursor = html.startIndex
        for step in script.steps {
            let range = try! #require(html.range(of: "<p class=\"do\">\(step.instruction)</p>", range: cursor..<html.endIndex))
            cursor = range.upperBound
            for line in step.say { #expect(html.contains("<p>“\(line)”</p>")) }
        }
        #expect(html.contains("<p class=\"made\" hidden>"))
        // Each text message: selectable words, "Open in Messages" with the body as
        // encodeURIComponent writes it, and Copy (hidden until crisis.js runs).
        let first = TextTo911(answers).messages[0]
        #expect(html.contains("<p class=\"msg\" id=\"text-1\">\(first)</p>"))
        #expect(html.contains("href=\"sms:911?&body=1%2F2%20Mental%20health%20crisis%20at%20B.%20"))
        #expect(CrisisHelperViews.uriComponent("a b&c/d’é!*'()~") == "a%20b%26c%2Fd%E2%80%99%C3%A9!*'()~")
        #expect(html.contains("class=\"button secondary copy\" aria-describedby=\"text-1\" hidden>Copy</button>"))
        // Call mode's first step has the call itself.
        let call = CrisisHelperViews.callMode(script).render()
        #expect(call.contains("<section id=\"call-1\"") && call.contains("<a class=\"button danger big\" href=\"tel:911\">Call 911</a>"))
    }
}
