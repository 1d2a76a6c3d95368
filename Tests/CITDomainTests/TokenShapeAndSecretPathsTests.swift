import Testing
import CITDomain

@Suite struct TokenShapeTests {
    @Test func acceptsOnlyGeneratedShape() {
        #expect(TokenShape.isToken(String(repeating: "z", count: 43)))
        #expect(TokenShape.isToken("AbC_-0123456789abcdefghijklmnopqrstuvwxyzAB"))
        #expect(!TokenShape.isToken(String(repeating: "z", count: 42)), "too short")
        #expect(!TokenShape.isToken(String(repeating: "z", count: 44)), "too long")
        #expect(!TokenShape.isToken("\"><script>alert(1)</script>" + String(repeating: "a", count: 16)), "markup")
        #expect(!TokenShape.isToken(String(repeating: "a", count: 42) + "="), "padding is not in the alphabet")
        #expect(!TokenShape.isToken(String(repeating: "a", count: 42) + "+"), "plain base64 is not base64url")
        #expect(!TokenShape.isToken(String(repeating: "a", count: 41) + "é"), "non-ASCII")
        #expect(!TokenShape.isToken(""))
    }
}

@Suite struct SecretPathsTests {
    static let token = "Xy3_k9-QpL2mN8vR4tW6zA1bC5dE7fG0hJ2kL4nP6qS"

    @Test(arguments: [
        // known links: the segment after the prefix, whatever it looks like
        ("/invitation/\(token)", "/invitation/[redacted]"),
        ("/setup/\(token)", "/setup/[redacted]"),
        ("/password/reset/\(token)", "/password/reset/[redacted]"),
        ("/registrations/\(token)", "/registrations/[redacted]"),
        ("/registrations/\(token)/cancel", "/registrations/[redacted]/cancel"),
        ("/certificates/print/\(token)", "/certificates/print/[redacted]"),
        ("/invitation/short-guess", "/invitation/[redacted]"),
        ("/password/reset/%22%3E%3Cscript%3E", "/password/reset/[redacted]"),
        ("/registrations/\(token)?x=1", "/registrations/[redacted]?x=1"),
        // in a whole log message
        ("POST /invitation/\(token) refused", "POST /invitation/[redacted] refused"),
        ("uri: \"/setup/\(token)\", version", "uri: \"/setup/[redacted]\", version"),
        // an unknown kind of link: a segment shaped like a generated token
        ("/login/link/\(token)", "/login/link/[redacted]"),
        ("/confirm/\(token)/ok", "/confirm/[redacted]/ok"),
        // no secret: unchanged
        (
            "/classes/3f1e2d4c-5b6a-4789-9abc-def012345678/registrations/new",
            "/classes/3f1e2d4c-5b6a-4789-9abc-def012345678/registrations/new"
        ),
        ("/classes/3F1E2D4C-5B6A-4789-9ABC-DEF012345678", "/classes/3F1E2D4C-5B6A-4789-9ABC-DEF012345678"),
        ("/verify/7KQ2-9XRD-M4TB-1HZC", "/verify/7KQ2-9XRD-M4TB-1HZC"),
        ("/invitation", "/invitation"),
        ("/password/forgot", "/password/forgot"),
        ("/", "/"),
        ("request failed", "request failed"),
        ("/assets/site.css", "/assets/site.css"),
    ])
    func redacts(input: String, expected: String) {
        #expect(SecretPaths.redact(input) == expected)
        #expect(SecretPaths.holdsSecret(input) == (input != expected))
    }

    @Test func tokenNeverSurvives() {
        for path in ["/invitation/", "/setup/", "/password/reset/", "/registrations/", "/certificates/print/", "/anything/"] {
            let redacted = SecretPaths.redact("GET \(path)\(Self.token)/cancel?next=1")
            #expect(!redacted.contains(Self.token), "\(path): \(redacted)")
        }
    }
}
