import Foundation

/// A small JSON Schema (2020-12) validator for the keywords `OpenAPIDocument` uses, so
/// tests can check every API response against the published document.
///
/// Supported: `$ref` (JSON pointers into the document), `type` (a name or an array of
/// names), `properties`, `required`, `additionalProperties` (false or a schema), `items`,
/// `enum`, `const`, `pattern`, `minimum`, `maximum`, `exclusiveMinimum`,
/// `exclusiveMaximum`, `minLength`, `maxLength`, `minItems`, `maxItems`, `format`
/// (`uuid`, `date`, `date-time`; others are ignored), `oneOf`, `anyOf`, `allOf`. Other
/// keywords are ignored, as JSON Schema ignores unknown keywords.
public enum JSONSchemaCheck {
    /// Problems with `value` (a JSONSerialization result: NSNumber/Bool/String/NSNull/
    /// [Any]/[String: Any], or the same built from Swift values) against `schema`,
    /// resolving "$ref": "#/components/schemas/X" in `document`. Each problem names the
    /// JSON path, e.g. `$.data[3].coverage: "x" is not one of cit, cip_only, none`.
    /// Empty when the value conforms.
    public static func problems(_ value: Any, schema: [String: Any], document: [String: Any]) -> [String] {
        var checker = Checker(document: document)
        checker.check(value, schema, path: "$", depth: 0)
        return checker.problems
    }

    /// The schema of a response in the document: `path` is the template as written in
    /// the document ("/api/v1/programs/{id}"), method lowercase, status as a string key
    /// ("200"), then a range key ("4XX"), then "default"; a response given as a `$ref`
    /// (to `#/components/responses/...`) is followed. Nil when the document has none.
    public static func responseSchema(
        in document: [String: Any], path: String, method: String, status: Int, contentType: String
    ) -> [String: Any]? {
        guard let paths = document["paths"] as? [String: Any],
            let item = paths[path] as? [String: Any],
            let operation = item[method.lowercased()] as? [String: Any],
            let responses = operation["responses"] as? [String: Any]
        else { return nil }
        let keys = [String(status), "\(status / 100)XX", "\(status / 100)xx", "default"]
        guard var response = keys.lazy.compactMap({ responses[$0] as? [String: Any] }).first else { return nil }
        var hops = 0
        while let target = response["$ref"] as? String, hops < 16 {
            guard let resolved = resolve(target, in: document) as? [String: Any] else { return nil }
            response = resolved
            hops += 1
        }
        // Media types are case-insensitive and may carry parameters ("; charset=utf-8").
        let wanted = mediaType(contentType)
        guard let content = response["content"] as? [String: Any],
            let media = content.first(where: { mediaType($0.key) == wanted })?.value as? [String: Any]
        else { return nil }
        return media["schema"] as? [String: Any]
    }

    /// The document's path template matching a concrete path ("/api/v1/programs/3f2..."
    /// → "/api/v1/programs/{id}"), or nil. A query string is ignored. When several
    /// templates match, the one with the most literal segments wins, so
    /// "/api/v1/programs/mine" would prefer a literal "/api/v1/programs/mine" template.
    public static func template(for concretePath: String, in document: [String: Any]) -> String? {
        guard let paths = document["paths"] as? [String: Any] else { return nil }
        var path = concretePath
        if let query = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<query]) }
        if paths[path] != nil { return path }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        var best: (template: String, literals: Int)?
        for template in paths.keys.sorted() {
            let parts = template.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == segments.count else { continue }
            var literals = 0
            var matches = true
            for (part, segment) in zip(parts, segments) {
                if part.hasPrefix("{") && part.hasSuffix("}") && part.count > 2 {
                    if segment.isEmpty { matches = false; break }
                } else if part == segment {
                    literals += 1
                } else {
                    matches = false
                    break
                }
            }
            if matches, literals > (best?.literals ?? -1) {
                best = (template, literals)
            }
        }
        return best?.template
    }

    /// Every (method, path template) in the document, sorted by path then method, so
    /// tests can check each is exercised. Methods are lowercase.
    public static func operations(in document: [String: Any]) -> [(method: String, path: String)] {
        guard let paths = document["paths"] as? [String: Any] else { return [] }
        let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        var result: [(method: String, path: String)] = []
        for path in paths.keys.sorted() {
            guard let item = paths[path] as? [String: Any] else { continue }
            for method in methods where item[method] is [String: Any] {
                result.append((method, path))
            }
        }
        return result
    }

    // MARK: - Values

    /// The JSON type of a value, telling booleans from numbers even where Foundation
    /// bridges them (on Linux `NSNumber(value: 1) is Bool` is true).
    enum Kind: Equatable {
        case null, boolean, integer, number, string, array, object, unknown

        var name: String {
            switch self {
            case .null: "null"
            case .boolean: "boolean"
            case .integer: "integer"
            case .number: "number"
            case .string: "string"
            case .array: "array"
            case .object: "object"
            case .unknown: "unsupported value"
            }
        }
    }

    /// The class Foundation uses for JSON booleans (`__NSCFBoolean` on both Darwin and
    /// Linux), found at run time rather than named.
    static let booleanClass = ObjectIdentifier(type(of: NSNumber(value: true)))

    static func kind(of value: Any) -> Kind {
        if value is NSNull { return .null }
        let t = type(of: value)
        // Native Swift values first: `is` would bridge them across kinds.
        if t == Bool.self { return .boolean }
        if t == String.self { return .string }
        if t == Int.self || t == Int8.self || t == Int16.self || t == Int32.self || t == Int64.self
            || t == UInt.self || t == UInt8.self || t == UInt16.self || t == UInt32.self || t == UInt64.self
        {
            return .integer
        }
        if t == Double.self || t == Float.self {
            return isIntegral(number(value) ?? .nan) ? .integer : .number
        }
        if let n = value as? NSNumber {
            if ObjectIdentifier(type(of: n)) == booleanClass { return .boolean }
            return isIntegral(n.doubleValue) ? .integer : .number
        }
        if value is String { return .string }  // NSString
        if value is [Any] { return .array }
        if value is [String: Any] { return .object }
        return .unknown
    }

    /// JSON Schema counts 2.0 as an integer.
    static func isIntegral(_ d: Double) -> Bool { d.isFinite && d.rounded(.towardZero) == d }

    static func number(_ value: Any) -> Double? {
        switch value {
        case let v as Double where type(of: value) == Double.self: return v
        case let v as Float where type(of: value) == Float.self: return Double(v)
        case let v as Int where type(of: value) == Int.self: return Double(v)
        default: break
        }
        if let n = value as? NSNumber { return n.doubleValue }
        if let i = value as? any BinaryInteger { return Double(i) }
        return nil
    }

    /// A short rendering of a value for messages.
    static func describe(_ value: Any) -> String {
        switch kind(of: value) {
        case .null: return "null"
        case .boolean: return (value as? Bool ?? false) ? "true" : "false"
        case .integer:
            if let d = number(value), abs(d) < 1e15 { return String(Int64(d)) }
            return "\(value)"
        case .number: return number(value).map { "\($0)" } ?? "\(value)"
        case .string:
            let s = value as? String ?? ""
            let short = s.count > 60 ? String(s.prefix(57)) + "..." : s
            let escaped = short.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\""
        case .array: return "an array"
        case .object: return "an object"
        case .unknown: return "a \(type(of: value)) value"
        }
    }

    /// An enum option as listed in messages: strings bare ("cit, cip_only, none").
    static func option(_ value: Any) -> String {
        kind(of: value) == .string ? (value as? String ?? "") : describe(value)
    }

    /// JSON equality, for `enum` and `const`: numbers by value, booleans never equal to numbers.
    static func equal(_ a: Any, _ b: Any) -> Bool {
        let ka = kind(of: a), kb = kind(of: b)
        switch (ka, kb) {
        case (.integer, .integer), (.number, .number), (.integer, .number), (.number, .integer):
            return number(a) == number(b)
        default:
            guard ka == kb else { return false }
        }
        switch ka {
        case .null: return true
        case .boolean: return (a as? Bool) == (b as? Bool)
        case .string: return (a as? String) == (b as? String)
        case .array:
            let x = a as? [Any] ?? [], y = b as? [Any] ?? []
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case .object:
            let x = a as? [String: Any] ?? [:], y = b as? [String: Any] ?? [:]
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        default: return false
        }
    }

    // MARK: - References

    /// Resolves a local JSON pointer reference ("#/components/schemas/County").
    public static func resolve(_ reference: String, in document: [String: Any]) -> Any? {
        guard reference.hasPrefix("#") else { return nil }
        var pointer = String(reference.dropFirst())
        if let decoded = pointer.removingPercentEncoding { pointer = decoded }
        if pointer.isEmpty { return document }
        guard pointer.hasPrefix("/") else { return nil }
        var current: Any = document
        for raw in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let token = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let object = current as? [String: Any], let next = object[token] {
                current = next
            } else if let array = current as? [Any], let index = Int(token), array.indices.contains(index) {
                current = array[index]
            } else {
                return nil
            }
        }
        return current
    }

    static func mediaType(_ contentType: String) -> String {
        (contentType.split(separator: ";").first.map(String.init) ?? contentType)
            .trimmingCharacters(in: .whitespaces).lowercased()
    }

    // MARK: - Formats

    static let uuidPattern = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
    static let datePattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
    static let dateTimePattern =
        "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"

    static func matches(_ text: String, pattern: String) -> Bool? {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return nil }
        let range = NSRange(text.startIndex..., in: text)
        return regex.firstMatch(in: text, range: range) != nil
    }

    // MARK: - Checking

    struct Checker {
        let document: [String: Any]
        var problems: [String] = []

        init(document: [String: Any]) { self.document = document }

        /// Path of a property: `$.name`, or `$["odd key"]` for keys that are not identifiers.
        static func child(_ path: String, _ key: String) -> String {
            let simple =
                !key.isEmpty && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
                && !(key.first?.isNumber ?? true)
            if simple { return path + "." + key }
            let escaped = key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return path + "[\"" + escaped + "\"]"
        }

        mutating func add(_ path: String, _ message: String) {
            problems.append("\(path): \(message)")
        }

        /// Problems from checking against a subschema, without recording them here.
        func trial(_ value: Any, _ schema: Any, path: String, depth: Int) -> [String] {
            var sub = Checker(document: document)
            sub.check(value, schema, path: path, depth: depth)
            return sub.problems
        }

        mutating func check(_ value: Any, _ rawSchema: Any, path: String, depth: Int) {
            // Boolean schemas: true allows anything, false nothing.
            if JSONSchemaCheck.kind(of: rawSchema) == .boolean {
                if rawSchema as? Bool != true { add(path, "no value is allowed here") }
                return
            }
            guard let schema = rawSchema as? [String: Any] else {
                add(path, "the schema is not an object")
                return
            }
            guard depth < 64 else {
                add(path, "schema nesting is too deep (a $ref cycle?)")
                return
            }

            if let reference = schema["$ref"] as? String {
                if let target = JSONSchemaCheck.resolve(reference, in: document) {
                    check(value, target, path: path, depth: depth + 1)
                } else {
                    add(path, "cannot resolve $ref \(reference)")
                }
            }

            let kind = JSONSchemaCheck.kind(of: value)

            if let typeSpec = schema["type"] {
                let allowed: [String] = (typeSpec as? [String]) ?? ((typeSpec as? String).map { [$0] } ?? [])
                let ok = allowed.contains { name in
                    switch name {
                    case "number": kind == .number || kind == .integer
                    default: name == kind.name
                    }
                }
                if !ok {
                    let expected = allowed.count == 1 ? allowed[0] : allowed.joined(separator: " or ")
                    let got: String
                    switch kind {
                    case .null, .array, .object, .unknown: got = JSONSchemaCheck.describe(value)
                    default: got = "\(kind.name) \(JSONSchemaCheck.describe(value))"
                    }
                    add(path, "expected \(expected), got \(got)")
                    // Further keywords would only repeat the mismatch.
                    return
                }
            }

            if let options = schema["enum"] as? [Any], !options.contains(where: { JSONSchemaCheck.equal($0, value) }) {
                let list = options.map(JSONSchemaCheck.option).joined(separator: ", ")
                add(path, "\(JSONSchemaCheck.describe(value)) is not one of \(list)")
            }
            if let constant = schema["const"], !JSONSchemaCheck.equal(constant, value) {
                add(path, "\(JSONSchemaCheck.describe(value)) is not \(JSONSchemaCheck.describe(constant))")
            }

            switch kind {
            case .string: checkString(value as? String ?? "", schema, path: path)
            case .integer, .number: checkNumber(JSONSchemaCheck.number(value) ?? .nan, value, schema, path: path)
            case .array: checkArray(value as? [Any] ?? [], schema, path: path, depth: depth)
            case .object: checkObject(value as? [String: Any] ?? [:], schema, path: path, depth: depth)
            default: break
            }

            if let all = schema["allOf"] as? [Any] {
                for sub in all { check(value, sub, path: path, depth: depth + 1) }
            }
            if let any = schema["anyOf"] as? [Any] {
                let results = any.map { trial(value, $0, path: path, depth: depth + 1) }
                if !results.contains(where: \.isEmpty) {
                    let reasons = results.map { $0.first ?? "" }.joined(separator: "; ")
                    add(path, "matches none of the anyOf schemas (\(reasons))")
                }
            }
            if let one = schema["oneOf"] as? [Any] {
                let results = one.map { trial(value, $0, path: path, depth: depth + 1) }
                let passing = results.filter(\.isEmpty).count
                if passing == 0 {
                    let reasons = results.map { $0.first ?? "" }.joined(separator: "; ")
                    add(path, "matches none of the oneOf schemas (\(reasons))")
                } else if passing > 1 {
                    add(path, "matches \(passing) of the oneOf schemas; exactly one must match")
                }
            }
        }

        mutating func checkString(_ text: String, _ schema: [String: Any], path: String) {
            // JSON Schema counts length in code points.
            let length = text.unicodeScalars.count
            if let min = JSONSchemaCheck.number(schema["minLength"] as Any), Double(length) < min {
                add(path, "\(JSONSchemaCheck.describe(text)) is shorter than \(Int(min)) characters")
            }
            if let max = JSONSchemaCheck.number(schema["maxLength"] as Any), Double(length) > max {
                add(path, "\(JSONSchemaCheck.describe(text)) is longer than \(Int(max)) characters")
            }
            if let pattern = schema["pattern"] as? String {
                switch JSONSchemaCheck.matches(text, pattern: pattern) {
                case false?: add(path, "\(JSONSchemaCheck.describe(text)) does not match \(pattern)")
                case nil: add(path, "the schema's pattern \(pattern) is not a valid regular expression")
                case true?: break
                }
            }
            if let format = schema["format"] as? String {
                let pattern: String?
                switch format {
                case "uuid": pattern = JSONSchemaCheck.uuidPattern
                case "date": pattern = JSONSchemaCheck.datePattern
                case "date-time": pattern = JSONSchemaCheck.dateTimePattern
                default: pattern = nil
                }
                if let pattern, JSONSchemaCheck.matches(text, pattern: pattern) != true {
                    add(path, "\(JSONSchemaCheck.describe(text)) is not a valid \(format)")
                }
            }
        }

        mutating func checkNumber(_ number: Double, _ value: Any, _ schema: [String: Any], path: String) {
            let shown = JSONSchemaCheck.describe(value)
            if let min = JSONSchemaCheck.number(schema["minimum"] as Any), number < min {
                add(path, "\(shown) is less than the minimum \(JSONSchemaCheck.describe(schema["minimum"]!))")
            }
            if let max = JSONSchemaCheck.number(schema["maximum"] as Any), number > max {
                add(path, "\(shown) is more than the maximum \(JSONSchemaCheck.describe(schema["maximum"]!))")
            }
            if let min = JSONSchemaCheck.number(schema["exclusiveMinimum"] as Any), number <= min {
                add(path, "\(shown) is not more than \(JSONSchemaCheck.describe(schema["exclusiveMinimum"]!))")
            }
            if let max = JSONSchemaCheck.number(schema["exclusiveMaximum"] as Any), number >= max {
                add(path, "\(shown) is not less than \(JSONSchemaCheck.describe(schema["exclusiveMaximum"]!))")
            }
        }

        mutating func checkArray(_ items: [Any], _ schema: [String: Any], path: String, depth: Int) {
            if let min = JSONSchemaCheck.number(schema["minItems"] as Any), Double(items.count) < min {
                add(path, "has \(items.count) items, fewer than \(Int(min))")
            }
            if let max = JSONSchemaCheck.number(schema["maxItems"] as Any), Double(items.count) > max {
                add(path, "has \(items.count) items, more than \(Int(max))")
            }
            if let itemSchema = schema["items"] {
                for (index, item) in items.enumerated() {
                    check(item, itemSchema, path: "\(path)[\(index)]", depth: depth + 1)
                }
            }
        }

        mutating func checkObject(_ object: [String: Any], _ schema: [String: Any], path: String, depth: Int) {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            if let required = schema["required"] as? [String] {
                for name in required where object[name] == nil {
                    add(Self.child(path, name), "is required but missing")
                }
            }
            for name in object.keys.sorted() {
                let value = object[name]!
                let childPath = Self.child(path, name)
                if let propertySchema = properties[name] {
                    check(value, propertySchema, path: childPath, depth: depth + 1)
                } else if let additional = schema["additionalProperties"] {
                    if JSONSchemaCheck.kind(of: additional) == .boolean {
                        if additional as? Bool == false { add(childPath, "is not an allowed property") }
                    } else {
                        check(value, additional, path: childPath, depth: depth + 1)
                    }
                }
            }
        }
    }
}
