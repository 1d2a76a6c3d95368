import Foundation
import Testing
import CITDomain

@Suite struct ForwardedForTests {
    @Test(arguments: [
        ("192.0.2.1", "192.0.2.1"),
        ("0.0.0.0", "0.0.0.0"),
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:db8:0:0:0:0:0:1", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("::1", "::1"),
        ("::", "::"),
        ("fe80::1%eth0", "fe80::1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"),
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
    ])
    func addressesAreReadAndWrittenOneWay(text: String, canonical: String) {
        #expect(IPAddress(text)?.description == canonical)
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "a.b.c.d", "1:2:3:4:5:6:7:8:9",
        "1::2::3", "12345::1", "g::1", "unknown", "1.2.3.4 ", " 1.2.3.4", "١.٢.٣.٤", ":::", "1:2:3:4:5:6:7::8:9",
    ])
    func garbageIsNotAnAddress(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func networksMatchTheirPrefixOnly() {
        let v4 = IPNetwork("10.1.0.0/16")!
        #expect(v4.contains(IPAddress("10.1.255.3")!))
        #expect(!v4.contains(IPAddress("10.2.0.1")!))
        #expect(!v4.contains(IPAddress("::ffff:10.2.0.1")!))
        #expect(v4.contains(IPAddress("::ffff:10.1.0.1")!))
        let odd = IPNetwork("192.0.2.128/25")!
        #expect(odd.contains(IPAddress("192.0.2.200")!))
        #expect(!odd.contains(IPAddress("192.0.2.127")!))
        let v6 = IPNetwork("2001:db8::/32")!
        #expect(v6.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(!v6.contains(IPAddress("2001:db9::1")!))
        #expect(!v6.contains(IPAddress("10.0.0.1")!))
        let single = IPNetwork("203.0.113.7")!
        #expect(single.prefixLength == 32)
        #expect(single.contains(IPAddress("203.0.113.7")!))
        #expect(!single.contains(IPAddress("203.0.113.8")!))
        #expect(IPNetwork("0.0.0.0/0")!.contains(IPAddress("198.51.100.1")!))
        #expect(IPNetwork("10.0.0.0/33") == nil)
        #expect(IPNetwork("10.0.0.0/") == nil)
        #expect(IPNetwork("10.0.0.0/-1") == nil)
        #expect(IPNetwork("::/129") == nil)
    }

    @Test func settingListKeepsWhatItCannotRead() {
        let proxies = TrustedProxies(parsing: " 10.0.0.1, 172.16.0.0/12 ,,2001:db8::/32, proxy.local, 10.0.0.0/99")
        #expect(proxies.networks.map(\.description) == ["10.0.0.1/32", "172.16.0.0/12", "2001:db8::/32"])
        #expect(proxies.invalidEntries == ["proxy.local", "10.0.0.0/99"])
        #expect(TrustedProxies(parsing: "").isEmpty)
    }

    /// (trusted proxies, peer, X-Forwarded-For headers, expected client)
    @Test(arguments: [
        // No trusted proxies: the header is never believed.
        ("", "198.51.100.7", ["203.0.113.9"], "198.51.100.7"),
        // The peer is not a trusted proxy: the header is the client's own words.
        ("10.0.0.1", "198.51.100.7", ["203.0.113.9"], "198.51.100.7"),
        // One trusted proxy: its entry is the client.
        ("10.0.0.1", "10.0.0.1", ["203.0.113.9"], "203.0.113.9"),
        // Spoofed entries on the left are the client's own words: the right-most wins.
        ("10.0.0.1", "10.0.0.1", ["1.1.1.1, 8.8.8.8, 203.0.113.9"], "203.0.113.9"),
        // Two headers count as one list, in order.
        ("10.0.0.1", "10.0.0.1", ["1.1.1.1", "203.0.113.9"], "203.0.113.9"),
        // A chain of trusted proxies is walked through.
        ("10.0.0.0/8", "10.0.0.1", ["203.0.113.9, 10.0.0.5, 10.0.0.6"], "203.0.113.9"),
        // Only trusted addresses in the list: the furthest of them.
        ("10.0.0.0/8", "10.0.0.1", ["10.0.0.5"], "10.0.0.5"),
        // Trusted peer but no header: the peer.
        ("10.0.0.1", "10.0.0.1", [], "10.0.0.1"),
        // Garbage written where our proxy should have written an address: the proxy stands in.
        ("10.0.0.1", "10.0.0.1", ["evil, unknown"], "10.0.0.1"),
        ("10.0.0.0/8", "10.0.0.1", ["203.0.113.9, ", "10.0.0.2"], "10.0.0.2"),
        // Ports and IPv6 in entries.
        ("10.0.0.1", "10.0.0.1", ["203.0.113.9:51515"], "203.0.113.9"),
        ("10.0.0.1", "10.0.0.1", ["[2001:DB8::7]:443"], "2001:db8::7"),
        ("::1", "::1", ["2001:db8:0:0::7"], "2001:db8::7"),
        // A peer reported as IPv4-mapped IPv6 matches an IPv4 proxy entry.
        ("127.0.0.1", "::ffff:127.0.0.1", ["203.0.113.9"], "203.0.113.9"),
    ])
    func clientIsTheRightMostEntryNotATrustedProxy(proxies: String, peer: String, forwardedFor: [String], client: String) {
        #expect(TrustedProxies(parsing: proxies).clientAddress(peer: peer, forwardedFor: forwardedFor) == client)
    }

    @Test func noPeerIsUnknown() {
        #expect(TrustedProxies(parsing: "10.0.0.1").clientAddress(peer: nil, forwardedFor: ["203.0.113.9"]) == nil)
    }
}
