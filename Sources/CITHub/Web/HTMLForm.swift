import Vapor

/// A form a browser posts, as a typed struct.
///
/// The struct's `CodingKeys` (its `Field`) are the only place an input's name is spelled:
/// decoding reads them, the view writes `name=` from them, and messages are keyed by them.
/// Text properties use `@FormText`, so a field the browser left out is empty rather than a
/// 400, and NUL bytes and overlong values never reach a rule.
///
/// Why not Vapor's `Validatable`: it checks the raw, untrimmed body with string keys and
/// answers a failure with a 400 in Vapor's words. People need the message beside the
/// field, in ours, with what they typed kept; `validate()` gives exactly that. Checks
/// that need the database (a duplicate code, an unknown program) are added by the handler.
protocol HTMLForm: Content {
    associatedtype Field: CodingKey & CaseIterable & Hashable & Sendable
    /// Messages beside the fields; empty when the form may be saved.
    func validate() -> FormErrors<Field>
}

extension HTMLForm {
    /// The input name of a field, for the view.
    static func name(_ field: Field) -> String { field.stringValue }
}

/// Messages by field, as a form's view shows them.
struct FormErrors<Field: CodingKey & Hashable>: Sendable, Equatable where Field: Sendable {
    private(set) var messages: [Field: String] = [:]

    init() {}

    subscript(_ field: Field) -> String? {
        get { messages[field] }
        set { messages[field] = newValue }
    }

    var isEmpty: Bool { messages.isEmpty }

    /// Messages by input name, the shape the field helpers in `Layout.swift` take.
    var byName: [String: String] {
        Dictionary(uniqueKeysWithValues: messages.map { ($0.key.stringValue, $0.value) })
    }

    static func == (a: Self, b: Self) -> Bool { a.byName == b.byName }
}

extension Request {
    /// The posted form. A body that is not a form at all is a 400 with a plain message,
    /// never a 500.
    func form<Form: HTMLForm>(_ type: Form.Type) throws -> Form {
        do {
            return try content.decode(Form.self)
        } catch {
            throw Abort(.badRequest, reason: "This form could not be read. Please go back and send it again.")
        }
    }
}

/// A text input: trimmed, NUL bytes removed, cut at 4,000 characters; empty when missing
/// or not text.
@propertyWrapper
struct FormText: Codable, Hashable, Sendable {
    var wrappedValue: String

    init(wrappedValue: String = "") { self.wrappedValue = FormText.clean(wrappedValue) }

    init(from decoder: any Decoder) throws {
        let raw = (try? decoder.singleValueContainer().decode(String.self)) ?? ""
        wrappedValue = FormText.clean(raw)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }

    static func clean(_ raw: String, trim: Bool = true) -> String {
        let cut = String(raw.replacingOccurrences(of: "\0", with: "").prefix(4000))
        return trim ? cut.trimmingCharacters(in: .whitespacesAndNewlines) : cut
    }
}

/// A password or token input: like `FormText` but not trimmed, since spaces may be part
/// of it.
@propertyWrapper
struct FormSecret: Codable, Hashable, Sendable {
    var wrappedValue: String

    init(wrappedValue: String = "") { self.wrappedValue = FormText.clean(wrappedValue, trim: false) }

    init(from decoder: any Decoder) throws {
        let raw = (try? decoder.singleValueContainer().decode(String.self)) ?? ""
        wrappedValue = FormText.clean(raw, trim: false)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

/// A checkbox: ticked when the browser sent it with any non-empty value.
@propertyWrapper
struct FormCheckbox: Codable, Hashable, Sendable {
    var wrappedValue: Bool

    init(wrappedValue: Bool = false) { self.wrappedValue = wrappedValue }

    init(from decoder: any Decoder) throws {
        let raw = (try? decoder.singleValueContainer().decode(String.self)) ?? ""
        wrappedValue = !raw.isEmpty
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue ? "on" : "")
    }
}

extension KeyedDecodingContainer {
    func decode(_ type: FormText.Type, forKey key: Key) throws -> FormText {
        try decodeIfPresent(type, forKey: key) ?? FormText()
    }

    func decode(_ type: FormSecret.Type, forKey key: Key) throws -> FormSecret {
        try decodeIfPresent(type, forKey: key) ?? FormSecret()
    }

    func decode(_ type: FormCheckbox.Type, forKey key: Key) throws -> FormCheckbox {
        try decodeIfPresent(type, forKey: key) ?? FormCheckbox()
    }
}
