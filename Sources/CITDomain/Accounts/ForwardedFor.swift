import Foundation

/// An IPv4 or IPv6 address as its bytes (4 or 16), so that two spellings of one address
/// (`2001:DB8::1`, `2001:db8:0:0::1`, `::ffff:192.0.2.1`) key a throttle the same way.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6. An IPv4-mapped IPv6 address is stored as IPv4: a
    /// server listening on `::` reports IPv4 clients that way.
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
            self.bytes = Array(bytes[12...])
        } else {
            self.bytes = bytes
        }
    }

    /// Parses `192.0.2.1`, `2001:db8::1`, `[2001:db8::1]`, `fe80::1%eth0` (the zone is
    /// dropped). Anything else, including leading zeros in IPv4 parts (which some parsers
    /// read as octal), is nil.
    public init?(_ text: some StringProtocol) {
        var s = Substring(text)
        if s.hasPrefix("["), s.hasSuffix("]") { s = s.dropFirst().dropLast() }
        if let percent = s.firstIndex(of: "%") { s = s[..<percent] }
        guard !s.isEmpty, s.count <= 45 else { return nil }
        if s.contains(":") {
            guard let bytes = Self.parseIPv6(s) else { return nil }
            self.init(bytes: bytes)
        } else {
            guard let bytes = Self.parseIPv4(s) else { return nil }
            self.init(bytes: bytes)
        }
    }

    public var isIPv4: Bool { bytes.count == 4 }

    /// Dotted quads for IPv4; RFC 5952 text for IPv6 (lower case, the longest run of two
    /// or more zero groups written `::`).
    public var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        var bestStart = -1, bestLength = 0, runStart = -1
        for (index, group) in groups.enumerated() {
            if group == 0 {
                if runStart < 0 { runStart = index }
                let length = index - runStart + 1
                if length > bestLength { bestStart = runStart; bestLength = length }
            } else {
                runStart = -1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestLength >= 2 else { return hex.joined(separator: ":") }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }

    static func parseIPv4(_ s: Substring) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part == "0" || !part.hasPrefix("0"), let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func parseIPv6(_ s: Substring) -> [UInt8]? {
        // At most one "::"; the groups before and after it, the last may be dotted IPv4.
        let halves = s.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ text: String, allowIPv4Tail: Bool) -> [UInt8]? {
            if text.isEmpty { return [] }
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            var bytes: [UInt8] = []
            for (index, part) in parts.enumerated() {
                if index == parts.count - 1, allowIPv4Tail, part.contains(".") {
                    guard let v4 = parseIPv4(part) else { return nil }
                    bytes += v4
                    continue
                }
                guard !part.isEmpty, part.count <= 4, part.allSatisfy(\.isHexDigit), part.allSatisfy(\.isASCII),
                    let value = UInt16(part, radix: 16)
                else { return nil }
                bytes += [UInt8(value >> 8), UInt8(value & 0xff)]
            }
            return bytes
        }
        if halves.count == 1 {
            guard let bytes = groups(halves[0], allowIPv4Tail: true), bytes.count == 16 else { return nil }
            return bytes
        }
        guard let head = groups(halves[0], allowIPv4Tail: false),
            let tail = groups(halves[1], allowIPv4Tail: true),
            head.count + tail.count <= 14
        else { return nil }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

/// A network written as an address or in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`).
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    public init?(_ text: some StringProtocol) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let maxLength = address.bytes.count * 8
        var length = maxLength
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                let value = Int(parts[1])
            else { return nil }
            // An IPv4-mapped IPv6 network is stored as IPv4, so its prefix shrinks by 96.
            let written = parts[0].contains(":") && address.isIPv4 ? value - 96 : value
            guard written >= 0, written <= maxLength else { return nil }
            length = written
        }
        self.address = address
        self.prefixLength = length
    }

    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for (a, b) in zip(address.bytes, candidate.bytes) {
            guard remaining > 0 else { return true }
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            if a & mask != b & mask { return false }
            remaining -= bits
        }
        return true
    }

    public var description: String { "\(address)/\(prefixLength)" }
}

/// Which client a request came from, when it may have passed through reverse proxies.
///
/// `X-Forwarded-For` is a list anyone can write to: each proxy appends the address it
/// received the request from, so only the entries appended by proxies we trust are true.
/// Walking from the right, every entry written by a trusted proxy is believed, and the
/// first address that is not itself a trusted proxy is the client. Entries further left
/// were written by the client (or its own proxies) and are never believed, so a client
/// cannot choose its own address by sending `X-Forwarded-For: 1.2.3.4`. With no trusted
/// proxies (the default) the header is ignored altogether.
public struct TrustedProxies: Sendable, Equatable {
    public let networks: [IPNetwork]
    /// Entries of the setting that are neither an address nor a network.
    public let invalidEntries: [String]

    public static let none = TrustedProxies(networks: [])

    public init(networks: [IPNetwork]) {
        self.networks = networks
        self.invalidEntries = []
    }

    /// Reads a comma-separated list of addresses and CIDR networks (`CITHUB_TRUSTED_PROXIES`).
    public init(parsing list: String) {
        var networks: [IPNetwork] = []
        var invalid: [String] = []
        for entry in list.split(separator: ",") {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            if let network = IPNetwork(trimmed) { networks.append(network) } else { invalid.append(trimmed) }
        }
        self.networks = networks
        self.invalidEntries = invalid
    }

    public var isEmpty: Bool { networks.isEmpty }

    public func trusts(_ address: IPAddress) -> Bool {
        networks.contains { $0.contains(address) }
    }

    /// The client's address as text, or nil when the peer is unknown.
    ///
    /// - Parameters:
    ///   - peer: the address of the connection's other end, as the socket reports it.
    ///   - forwardedFor: every `X-Forwarded-For` header value, in the order received.
    public func clientAddress(peer: String?, forwardedFor: [String]) -> String? {
        guard let peer else { return nil }
        guard let peerAddress = IPAddress(peer) else { return peer }
        guard trusts(peerAddress) else { return peerAddress.description }
        let entries = forwardedFor.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        // The nearest address we believe so far: the peer, then each trusted hop.
        var believed = peerAddress
        for entry in entries.reversed() {
            // A trusted proxy writes a well-formed address; anything else means the chain
            // cannot be followed further, so the last trusted hop stands for the client
            // (it lumps clients together rather than letting one pick its own address).
            guard let address = Self.parseEntry(entry) else { return believed.description }
            if !trusts(address) { return address.description }
            believed = address
        }
        return believed.description
    }

    /// One `X-Forwarded-For` entry: an address, optionally with a port (`192.0.2.1:4711`,
    /// `[2001:db8::1]:4711`).
    static func parseEntry(_ entry: String) -> IPAddress? {
        guard !entry.isEmpty, entry.count <= 64 else { return nil }
        if let address = IPAddress(entry) { return address }
        if entry.hasPrefix("["), let close = entry.firstIndex(of: "]") {
            let rest = entry[entry.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }) else { return nil }
            return IPAddress(entry[...close])
        }
        let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2, !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) {
            return IPAddress(parts[0]).flatMap { $0.isIPv4 ? $0 : nil }
        }
        return nil
    }
}
