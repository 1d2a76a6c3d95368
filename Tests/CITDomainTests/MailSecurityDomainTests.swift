import Foundation
import Testing
import CITDomain

@Suite struct LinkRedactionTests {
    let token = "Zk3_9aQ-" + String(repeating: "x", count: 35)  // 43 characters, like a real one

    @Test func secretLinksAreReplacedAndOthersKept() {
        let classLink = "http://127.0.0.1:8080/classes/8c1a5a8e-2f7b-4b8e-9a55-0e2f6c1d3b7a"
        let text = """
            Open this link: http://127.0.0.1:8080/password/reset/\(token)
            Class page: \(classLink)
            Cancel: https://cit.example.org/registrations/\(token)/cancel.
            """
        #expect(LinkRedaction.containsSecretLink(text))
        let redacted = LinkRedaction.redact(text)
        #expect(!redacted.contains(token))
        #expect(redacted.contains(classLink), "a UUID is not a secret")
        #expect(redacted.components(separatedBy: LinkRedaction.removedAfterDelivery).count == 3)
        #expect(!LinkRedaction.containsSecretLink(redacted))
    }

    @Test func textWithoutSecretsIsUnchanged() {
        let text = "Hello,\nsee http://example.org/classes and https://x.example/a/short-token\nhttp"
        #expect(!LinkRedaction.containsSecretLink(text))
        #expect(LinkRedaction.redact(text) == text)
    }

    @Test func secretInQueryIsNotAPathButSecretPathWithQueryIs() {
        #expect(LinkRedaction.containsSecretLink("https://a.example/invitation/\(token)?x=1"))
        #expect(!LinkRedaction.containsSecretLink("https://a.example/search?q=\(token)"))
    }
}

@Suite struct RateLimitTests {
    let limit = RateLimit(action: "registration", limit: 5, window: 3600)

    @Test func windowsAreOnAnHourGrid() {
        let date = Date(timeIntervalSince1970: 3600 * 100 + 1234)
        #expect(limit.windowStart(date) == Date(timeIntervalSince1970: 3600 * 100))
        #expect(limit.retryAfter(date) == 3600 - 1234)
        #expect(limit.windowStart(Date(timeIntervalSince1970: 3600 * 101)) == Date(timeIntervalSince1970: 3600 * 101))
    }

    @Test func theLimitItselfIsAllowedOneMoreIsNot() {
        #expect(limit.allows(count: 1))
        #expect(limit.allows(count: 5))
        #expect(!limit.allows(count: 6))
    }

    @Test func keysSeparateActionsKindsAndCase() {
        #expect(limit.key("email", "A@Example.org") == "registration:email:a@example.org")
        #expect(RateLimit.passwordResetPerEmail.key("email", "a@example.org") != limit.key("email", "a@example.org"))
        #expect(RateLimit.registrationPerEmail.limit < RateLimit.registrationPerAddress.limit)
    }
}
