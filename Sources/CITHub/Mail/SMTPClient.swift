import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Logging
import CITDomain

/// A small SMTP client (RFC 5321) for the outbox: `smtp://` (plain, for a relay on the
/// same host or the test server) and `smtps://` (implicit TLS, port 465), with optional
/// `AUTH PLAIN` from the URL's user and password. STARTTLS is not implemented: use
/// `smtps://` or a local relay. One connection per batch of messages.
struct SMTPClient: Sendable {
    struct Endpoint: Sendable, Equatable {
        var host: String
        var port: Int
        var implicitTLS: Bool
        var username: String?
        var password: String?
    }

    enum SMTPError: Error, CustomStringConvertible {
        case badURL(String)
        case unexpectedReply(command: String, reply: String)
        case connectionClosed
        case timeout

        var description: String {
            switch self {
            case .badURL(let url): "SMTP_URL is not a usable smtp:// or smtps:// address: \(url)"
            case .unexpectedReply(let command, let reply): "SMTP server answered \(command) with: \(reply)"
            case .connectionClosed: "SMTP server closed the connection"
            case .timeout: "SMTP server did not answer in time"
            }
        }

        /// 5xx replies are permanent (bad address, refused); everything else is retried.
        var isPermanent: Bool {
            if case .unexpectedReply(_, let reply) = self { return reply.hasPrefix("5") }
            return false
        }
    }

    let endpoint: Endpoint
    let heloName: String
    let timeout: TimeAmount

    init(url: String, heloName: String = "cithub.localhost", timeout: TimeAmount = .seconds(30)) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "smtp" || scheme == "smtps", let host = components.host, !host.isEmpty
        else { throw SMTPError.badURL(url) }
        let tls = scheme == "smtps"
        endpoint = Endpoint(
            host: host, port: components.port ?? (tls ? 465 : 25), implicitTLS: tls,
            username: components.user?.removingPercentEncoding, password: components.password?.removingPercentEncoding)
        self.heloName = heloName
        self.timeout = timeout
    }

    /// Sends each message on one connection. Returns, per message, nil or the error for it.
    func send(_ messages: [(message: MailMessage, id: String)], date: Date = Date()) async throws -> [(any Error)?] {
        // The whole conversation is bounded: a server that stops answering must not hold
        // the delivery loop forever.
        let limit = timeout
        return try await withThrowingTaskGroup(of: [(any Error)?].self) { group in
            group.addTask { try await self.converse(messages, date: date) }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(limit.nanoseconds))
                throw SMTPError.timeout
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    private func converse(_ messages: [(message: MailMessage, id: String)], date: Date) async throws -> [(any Error)?] {
        let channel = try await connect()
        return try await channel.executeThenClose { inbound, outbound in
            var reader = ReplyReader(iterator: inbound.makeAsyncIterator())
            func command(_ line: String, expect: Set<Character>, label: String? = nil) async throws -> String {
                try await outbound.write(ByteBuffer(string: line + "\r\n"))
                let reply = try await reader.reply()
                guard let first = reply.first, expect.contains(first) else {
                    throw SMTPError.unexpectedReply(command: label ?? line, reply: reply)
                }
                return reply
            }
            let greeting = try await reader.reply()
            guard greeting.hasPrefix("2") else { throw SMTPError.unexpectedReply(command: "greeting", reply: greeting) }
            _ = try await command("EHLO \(heloName)", expect: ["2"])
            if let user = endpoint.username {
                let token = Data("\0\(user)\0\(endpoint.password ?? "")".utf8).base64EncodedString()
                _ = try await command("AUTH PLAIN \(token)", expect: ["2"], label: "AUTH PLAIN")
            }
            var results: [(any Error)?] = []
            for (message, id) in messages {
                do {
                    _ = try await command("MAIL FROM:<\(Self.address(message.from))>", expect: ["2"])
                    _ = try await command("RCPT TO:<\(Self.address(message.to))>", expect: ["2"])
                    _ = try await command("DATA", expect: ["3"])
                    let body = Self.dotStuffed(message.rfc5322(messageID: id, date: date))
                    _ = try await command(body + ".", expect: ["2"], label: "end of DATA")
                    results.append(nil)
                } catch let error as SMTPError where error.isPermanent {
                    results.append(error)
                    _ = try? await command("RSET", expect: ["2"])
                }
            }
            _ = try? await command("QUIT", expect: ["2"])
            return results
        }
    }

    private func connect() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let endpoint = self.endpoint
        let sslContext = endpoint.implicitTLS ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .connect(host: endpoint.host, port: endpoint.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: endpoint.host)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// "CIT Hub <no-reply@x>" → "no-reply@x".
    static func address(_ mailbox: String) -> String {
        if let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close {
            return String(mailbox[mailbox.index(after: open)..<close])
        }
        return mailbox.trimmingCharacters(in: .whitespaces)
    }

    /// A line that starts with "." gets another, so it cannot end the DATA section early.
    static func dotStuffed(_ text: String) -> String {
        text.components(separatedBy: "\r\n").map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n")
    }

    /// Reads complete (possibly multi-line) SMTP replies from the byte stream.
    struct ReplyReader {
        var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        var buffer = ""

        mutating func reply() async throws -> String {
            var lines: [String] = []
            while true {
                let line = try await nextLine()
                lines.append(line)
                // "250-..." continues, "250 ..." ends a reply.
                if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" { break }
            }
            return lines.joined(separator: "\n")
        }

        mutating func nextLine() async throws -> String {
            while true {
                if let range = buffer.range(of: "\r\n") {
                    let line = String(buffer[..<range.lowerBound])
                    buffer.removeSubrange(..<range.upperBound)
                    return line
                }
                guard let chunk = try await iterator.next() else { throw SMTPError.connectionClosed }
                buffer += String(buffer: chunk)
            }
        }
    }
}
