import Vapor

/// `cithub bench-reference DIR [--port N]`: Vapor with nothing of CIT Hub in it, serving
/// the files of DIR (read once, at start) as HTML at `/<file name>`: no middleware, no
/// database, no request logging. `bench/pages.sh` loads it next to nginx and next to CIT Hub so each run shows
/// where the time goes: what the framework itself costs on this machine, and what CIT Hub
/// adds on top (docs/decisions.md: the three numbers side by side).
/// Not a user command; it is not listed in `cithub --help`.
enum BenchReference {
    static let command = "bench-reference"

    static func run(_ app: Application) async throws {
        let arguments = Array(CommandLine.arguments.dropFirst(2))
        guard let directory = arguments.first, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            FileHandle.standardError.write(Data("usage: cithub bench-reference DIR [--port N]\n".utf8))
            try await app.asyncShutdown()
            throw Abort(.badRequest, reason: "bench-reference needs a readable folder")
        }
        var files: [String: ByteBuffer] = [:]
        for name in names {
            if let data = FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent(name)) {
                files[name] = ByteBuffer(data: data)
            }
        }
        let port = Settings.argument("--port", in: arguments).flatMap(Int.init) ?? 8183
        app.logger.logLevel = .warning
        app.middleware = Middlewares()
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = port
        app.http.server.configuration.serverName = nil
        var headers = HTTPHeaders()
        headers.contentType = .html
        let page = headers, pages = files
        app.get(SiteURL.benchReferencePage(.key).pathComponents) { request -> Response in
            guard let body = request.parameters.get("name").flatMap({ pages[$0] }) else { return Response(status: .notFound) }
            return Response(status: .ok, headers: page, body: .init(buffer: body))
        }
        // Only `serve` from here on: the reference ignores every other argument.
        app.environment.arguments = [CommandLine.arguments[0], "serve"]
        do {
            try await app.execute()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}
