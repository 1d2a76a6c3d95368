import Vapor

/// A CSV download: the right type, a file name, never cached.
func csvResponse(_ text: String, filename: String) -> Response {
    let response = Response(status: .ok, body: .init(string: text))
    response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
    response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(filename)\"")
    response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
    return response
}
