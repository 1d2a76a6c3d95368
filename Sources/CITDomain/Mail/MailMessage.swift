import Foundation

/// An email as CIT Hub sends it: plain text, optionally with attachments (an iCalendar
/// invitation, a certificate). `rfc5322()` renders the bytes handed to SMTP, so the
/// format is tested without a network.
public struct MailMessage: Sendable, Equatable {
    /// A file sent with the message.
    public struct Attachment: Sendable, Equatable {
        public var filename: String
        public var contentType: String
        public var data: Data
        public init(filename: String, contentType: String, data: Data) {
            self.filename = filename
            self.contentType = contentType
            self.data = data
        }
    }

    public var from: String
    public var to: String
    public var subject: String
    public var text: String
    public var attachments: [Attachment]

    public init(from: String, to: String, subject: String, text: String, attachments: [Attachment] = []) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.attachments = attachments
    }

    /// The message in Internet Message Format with CRLF line ends. Header values are
    /// stripped of CR/LF so that nothing a user typed can add a header.
    public func rfc5322(messageID: String, date: Date) -> String {
        var lines: [String] = [
            "Date: \(Self.rfc5322Date(date))",
            "From: \(Self.headerSafe(from))",
            "To: \(Self.headerSafe(to))",
            "Subject: \(Self.encodedWord(Self.headerSafe(subject)))",
            "Message-ID: <\(Self.headerSafe(messageID))>",
            "MIME-Version: 1.0",
        ]
        let textPart = [
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            Self.quotedPrintable(text),
        ]
        if attachments.isEmpty {
            lines += textPart
        } else {
            let boundary = "=_cithub_\(messageID.hashValue.magnitude)"
            lines.append("Content-Type: multipart/mixed; boundary=\"\(boundary)\"")
            lines.append("")
            lines.append("This is a message in MIME format.")
            lines.append("--\(boundary)")
            lines += textPart
            for attachment in attachments {
                lines.append("--\(boundary)")
                let name = Self.headerSafe(attachment.filename).replacingOccurrences(of: "\"", with: "")
                lines.append("Content-Type: \(Self.headerSafe(attachment.contentType)); name=\"\(name)\"")
                lines.append("Content-Disposition: attachment; filename=\"\(name)\"")
                lines.append("Content-Transfer-Encoding: base64")
                lines.append("")
                lines.append(
                    attachment.data.base64EncodedString(options: [
                        .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
                    ]))
            }
            lines.append("--\(boundary)--")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func headerSafe(_ value: String) -> String {
        value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
    }

    /// RFC 2047 encoded-word for non-ASCII subjects.
    static func encodedWord(_ value: String) -> String {
        if value.unicodeScalars.allSatisfy({ $0.isASCII }) { return value }
        return "=?utf-8?B?\(Data(value.utf8).base64EncodedString())?="
    }

    /// Quoted-printable (RFC 2045) keeps every line under SMTP's 998-octet limit and
    /// carries UTF-8 safely through servers that do not speak 8BITMIME.
    public static func quotedPrintable(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var out: [String] = []
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            let bytes = Array(line.utf8)
            var current = ""
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                var piece: String
                if (byte >= 33 && byte <= 126 && byte != 61) || ((byte == 32 || byte == 9) && !isLast) {
                    piece = String(UnicodeScalar(byte))
                } else {
                    piece = String(format: "=%02X", byte)
                }
                if current.utf8.count + piece.utf8.count > 75 {
                    out.append(current + "=")
                    current = ""
                }
                current += piece
            }
            out.append(current)
        }
        return out.joined(separator: "\r\n")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}

/// When a message that failed to send is tried again: exponential backoff from 30 s,
/// capped at an hour, given up after `maxAttempts` so a bad address does not retry forever.
public struct MailRetryPolicy: Sendable {
    public var base: TimeInterval = 30
    public var cap: TimeInterval = 3600
    public var maxAttempts = 8
    public init() {}

    /// The delay before attempt `attempts + 1`, or nil when the message should be given up.
    public func delay(afterFailedAttempts attempts: Int) -> TimeInterval? {
        guard attempts < maxAttempts else { return nil }
        return min(cap, base * pow(2, Double(max(0, attempts - 1))))
    }
}
