import Foundation

/// The site's stylesheets, browser scripts and icon are real files in
/// `Resources/assets/` (so editors, linters and diffs see CSS and JavaScript, not Swift
/// strings). They are read from the bundle once, when the server starts: `configure`
/// calls `load()` before any route is registered, so a file missing from a deployment
/// stops start-up with its name instead of a page losing its styles later. The files
/// have no final newline: the bytes served, and so their ETags, are those the Swift
/// strings they came from served.
///
/// Values the Swift side owns (the crisis script's phrases, the site's addresses in
/// `ScriptURLs`, the worker's version) are filled in once, at load, by `fill`: a file
/// marks each place with a `/*@NAME@*/` comment, replaced by JSON or plain text.
enum AssetFiles {
    /// Every file served from the folder. A test checks that the folder holds these and
    /// no others, and that each is served with its content type.
    static let names = [
        "site.css", "favicon.svg",
        "crisis.css", "crisis.js", "offline.js", "crisis-sw.js",
        "agenda-rows.js",
        "attendance.css", "attendance.js",
        "training.css", "certificate.css",
        "outcomes.css",
    ]

    enum LoadError: Error, CustomStringConvertible {
        case missing(String)
        case notUTF8(String)

        var description: String {
            switch self {
            case .missing(let name):
                "The asset file Resources/assets/\(name) is missing from the app's resource bundle; the site cannot be served without it."
            case .notUTF8(let name): "The asset file Resources/assets/\(name) is not UTF-8 text."
            }
        }
    }

    /// Read on first use, which `load()` makes the start of `configure`.
    private static let files: Result<[String: String], any Error> = Result {
        var files: [String: String] = [:]
        for name in names {
            let base = (name as NSString).deletingPathExtension, ext = (name as NSString).pathExtension
            guard let url = Bundle.module.url(forResource: base, withExtension: ext, subdirectory: "assets"),
                let data = try? Data(contentsOf: url)
            else { throw LoadError.missing(name) }
            guard let text = String(data: data, encoding: .utf8) else { throw LoadError.notUTF8(name) }
            files[name] = text
        }
        return files
    }

    /// Reads every file, or throws naming the first one missing.
    static func load() throws {
        _ = try files.get()
    }

    /// A file's text, as read at start-up.
    static func text(_ name: String) -> String {
        switch files {
        case .success(let files):
            guard let text = files[name] else { preconditionFailure("\(name) is not listed in AssetFiles.names") }
            return text
        case .failure(let error):
            // `configure` has already stopped start-up with this error; only code run
            // without `configure` gets here.
            fatalError(String(describing: error))
        }
    }

    /// Replaces each `/*@NAME@*/` in a file's text with `values["NAME"]`. Every value must
    /// have its place and every place its value: a file and its Swift side that disagree
    /// stop start-up rather than serve a script with a hole in it.
    static func fill(_ name: String, _ values: [String: String]) -> String {
        var text = self.text(name)
        for (key, value) in values {
            let mark = "/*@\(key)@*/"
            precondition(text.contains(mark), "Resources/assets/\(name) has no \(mark) to fill")
            text = text.replacingOccurrences(of: mark, with: value)
        }
        precondition(!text.contains("/*@"), "Resources/assets/\(name) has a /*@…@*/ place with no value")
        return text
    }

    /// JSON for a script: sorted keys (the bytes, and so the ETag, stay the same from one
    /// start to the next) and slashes as they are.
    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
