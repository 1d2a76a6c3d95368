import Logging
import Foundation

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

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
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
