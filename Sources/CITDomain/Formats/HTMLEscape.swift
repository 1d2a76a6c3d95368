/// Escaping for text written into HTML (or SVG) by hand, in one place. Plot escapes the
/// text it is given but writes attribute values as they are, and leaves anything that
/// looks like an entity alone; the web shell's attributes, the crisis helper's answers
/// and the outcome charts' SVG all come through here instead.
///
/// It works on Unicode scalars, not characters: a `"` followed by a combining mark is
/// one `Character` that is not `"`, yet the browser still reads a quote.
public enum HTMLEscape {
    /// For an attribute value (in either kind of quotes), or text anywhere:
    /// `& " ' < >` become entities.
    public static func attribute(_ value: String) -> String {
        escape(value, quotes: true)
    }

    /// For the text of an element, shown exactly as typed (as the browser's
    /// `textContent` would be): `& < >` become entities, quotes stay.
    public static func text(_ value: String) -> String {
        escape(value, quotes: false)
    }

    static func escape(_ value: String, quotes: Bool) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where quotes: out += "&quot;"
            case "'" where quotes: out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
