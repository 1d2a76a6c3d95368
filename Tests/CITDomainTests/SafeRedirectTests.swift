import Foundation
import Testing
import CITDomain

@Suite struct SafeRedirectTests {
    @Test(arguments: [
        ("/account", "/account"),
        ("/classes", "/classes"),
        ("/admin/users/1f0c", "/admin/users/1f0c"),
        ("/outcomes?view=summary&county=55025", "/outcomes?view=summary&county=55025"),
        ("/classes/abc#register", "/classes/abc"),
        ("/a/b%2Fc", "/a/b%2Fc"),
        ("/programs/x?q=a%20b", "/programs/x?q=a%20b"),
    ])
    func pathsOnThisSiteAreKept(next: String, expected: String) {
        #expect(SafeRedirect.path(next) == expected)
    }

    @Test(arguments: [
        // The reported case: Chromium strips the tab and opens http://evil.example/.
        "/%09/evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r/evil.example",
        "/%0a/evil.example",
        "/%0A/evil.example",
        "/%0d/evil.example",
        "/%0D%0A/evil.example",
        "/%20/evil.example",
        "/ /evil.example",
        "/%2509/evil.example",
        "/%00/evil.example",
        "/%7F/evil.example",
        "/%E2%80%A8/evil.example",
        "/%C2%A0/evil.example",
        "/%E2%80%8B/evil.example",
        // Protocol-relative and its disguises.
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "/%2F/evil.example",
        "/%2fevil.example",
        "/%5Cevil.example",
        "/%5cevil.example",
        "/%252F/evil.example",
        "/path\\..\\..\\evil",
        // Schemes and hosts.
        "https://evil.example",
        "http:evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,hi",
        "evil.example",
        "account",
        "",
        "/bad%zzpercent",
        "/\u{3000}/evil.example",
        "/é",
    ])
    func anythingThatCouldLeaveTheSiteGoesToTheAccountPage(next: String) {
        #expect(SafeRedirect.path(next) == "/account")
    }

    @Test func missingOrOverlongGoesToTheFallback() {
        #expect(SafeRedirect.path(nil) == "/account")
        #expect(SafeRedirect.path("/" + String(repeating: "a", count: 2001)) == "/account")
        #expect(SafeRedirect.path(nil, fallback: "/") == "/")
    }
}
