import Fluent
import Vapor
import CITDomain

/// What the rest of the application asks about classes: upcoming classes and their seats,
/// a class or program at an address, and the one the signed-in person may manage. Other
/// features (directory, training, API) use these instead of reaching into the class
/// controllers, which stay the edge for the class pages only.
enum ClassQueries {
    /// An upcoming class with its seats, as lists show it.
    struct Listing {
        var session: ClassSession
        var seatsLeft: Int
        var waiting: Int
        var countyName: String
        var distanceMiles: Double?
    }

    static func upcoming(on db: any Database, now: Date = Date()) async throws -> [ClassSession] {
        try await ClassSession.query(on: db).filter(\.$status == .scheduled).filter(\.$startsAt > now)
            .with(\.$course).with(\.$program).sort(\.$startsAt).all()
    }

    static func listings(_ sessions: [ClassSession], on db: any Database) async throws -> [Listing] {
        guard !sessions.isEmpty else { return [] }
        let ids = sessions.compactMap(\.id)
        let registrations = try await Registration.query(on: db).filter(\.$classSession.$id ~~ ids).filter(\.$status != .cancelled).all()
        let counties = Dictionary(
            uniqueKeysWithValues: try await DirectoryQueries.withoutBoundaries(County.query(on: db)).filter(
                \.$id ~~ sessions.map(\.countyFIPS)
            ).all().map { ($0.id!, $0.fullName) })
        let now = Date()
        return sessions.map { session in
            let mine = registrations.filter { $0.$classSession.id == session.id }
            // Seats held for people confirming their address are taken too: the page never
            // offers a seat that someone confirming in time will get.
            let taken = mine.filter { $0.status == .confirmed || $0.holdsSeat(at: now) }.count
            return Listing(
                session: session, seatsLeft: max(0, session.capacity - taken), waiting: mine.filter { $0.status == .waitlisted }.count,
                countyName: counties[session.countyFIPS] ?? session.countyFIPS)
        }
    }

    static func findClass(_ req: Request) async throws -> ClassSession {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
            let session = try await ClassSession.query(on: req.db).filter(\.$id == id).with(\.$course).with(\.$program).first()
        else { throw Abort(.notFound, reason: "There is no class at this address.") }
        return session
    }

    static func managedProgram(_ req: Request) async throws -> Program {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let program = try await Program.find(id, on: req.db),
            program.mergedInto == nil
        else { throw Abort(.notFound, reason: "There is no program at this address.") }
        guard try req.auth.require(User.self).may(.manage, .program(id)).isAllowed else {
            throw Abort(.forbidden, reason: "You can add classes only to the programs you coordinate.")
        }
        return program
    }

    static func managedClass(_ req: Request) async throws -> ClassSession {
        let session = try await findClass(req)
        guard try req.auth.require(User.self).may(.manage, .program(session.$program.id)).isAllowed else {
            throw Abort(.forbidden, reason: "You can see the rosters of your own programs' classes only.")
        }
        return session
    }
}
