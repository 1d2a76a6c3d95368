import Logging
import Foundation
import Vapor
import CITDomain

/// One JSON object per line (time, level, label, message, metadata), for log collectors.
/// Chosen with CITHUB_LOG_FORMAT=json; the default stays Vapor's readable console format.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String, function: String,
        line: UInt
    ) {
        var object: [String: String] = [
            "time": Date().formatted(.iso8601),
            "level": level.rawValue,
            "label": label,
            "message": message.description,
        ]
        for (key, value) in self.metadata.merging(explicit ?? [:], uniquingKeysWith: { $1 }) {
            object[key] = value.description
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }
}

/// Wraps any log handler so that no line carries a one-time link's secret: every message
/// and metadata value passes through `SecretPaths.redact` (issue 13). Installed around
/// every handler at start-up, so it covers Vapor's and NIO's own lines too (the HTTP
/// decoder logs whole request heads at trace).
struct RedactingLogHandler: LogHandler {
    var inner: any LogHandler

    init(_ inner: any LogHandler) { self.inner = inner }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String, function: String,
        line: UInt
    ) {
        inner.log(
            level: level, message: "\(SecretPaths.redact(message.description))",
            metadata: explicit.map { $0.mapValues(Self.redact) }, source: source, file: file, function: function, line: line)
    }

    static func redact(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(SecretPaths.redact(text))
        case .stringConvertible(let thing): .string(SecretPaths.redact(thing.description))
        case .array(let values): .array(values.map(redact))
        case .dictionary(let values): .dictionary(values.mapValues(redact))
        }
    }
}

/// The request log (at debug, see configure): method and address, with secrets in the
/// address hidden. Replaces Vapor's RouteLoggingMiddleware, which logs the whole path.
struct RequestLogMiddleware: Middleware {
    let logLevel: Logger.Level

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        request.logger.log(level: logLevel, "\(request.method) \(SecretPaths.redact(request.url.path))")
        return next.respond(to: request)
    }
}
