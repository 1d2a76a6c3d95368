import Foundation
import Testing
@testable import CITDomain

@Suite("Map projection")
struct MapProjectionTests {
    static func wisconsin() throws -> [(fips: String, name: String, geometryJSON: String)] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/CITHub/Resources/reference/wi-counties.geojson")
        let geometries = try CountyBoundaries.parse(geoJSON: Data(contentsOf: url))
        return geometries.sorted { $0.key < $1.key }.map { ($0.key, $0.key, $0.value) }
    }

    @Test("every Wisconsin county lands inside the viewBox, north up and west left")
    func insideAndNotMirrored() throws {
        let (shapes, projection) = try #require(try StateMap.shapes(counties: Self.wisconsin()))
        #expect(shapes.count == 72)
        #expect(projection.width == 1000)
        for shape in shapes {
            let numbers = shape.path.split(whereSeparator: { "MLZ ".contains($0) }).compactMap { Double($0) }
            let xs = stride(from: 0, to: numbers.count, by: 2).map { numbers[$0] }
            let ys = stride(from: 1, to: numbers.count, by: 2).map { numbers[$0] }
            #expect(xs.allSatisfy { $0 >= 0 && $0 <= projection.width }, "\(shape.fips) x outside")
            #expect(ys.allSatisfy { $0 >= 0 && $0 <= projection.height }, "\(shape.fips) y outside")
        }
        // Douglas County (55031) is in the far north-west, Kenosha (55059) in the south-east.
        let douglas = try #require(shapes.first { $0.fips == "55031" })
        let kenosha = try #require(shapes.first { $0.fips == "55059" })
        #expect(douglas.centroid.x < kenosha.centroid.x, "west is left")
        #expect(douglas.centroid.y < kenosha.centroid.y, "north is up")
        // Wisconsin is a bit taller than wide once longitude is scaled by cos(latitude).
        #expect(projection.height > 900 && projection.height < 1200)
    }

    @Test("simplification at 0.002° keeps Wisconsin's map small")
    func simplifiedSize() throws {
        let (shapes, _) = try #require(try StateMap.shapes(counties: Self.wisconsin()))
        let bytes = shapes.map(\.path.utf8.count).reduce(0, +)
        #expect(bytes < 60_000, "paths are \(bytes) bytes")
        #expect(bytes > 10_000)
    }

    @Test("a point maps to the corners of the canvas")
    func corners() {
        let projection = MapProjection(bounds: BoundingBox(minLon: -90, minLat: 40, maxLon: -80, maxLat: 50), width: 1000, margin: 0)
        let northWest = projection.point(lon: -90, lat: 50)
        let southEast = projection.point(lon: -80, lat: 40)
        #expect(northWest.x == 0 && northWest.y == 0)
        #expect(abs(southEast.x - 1000) < 1e-9)
        #expect(abs(southEast.y - projection.height) < 1)
    }

    @Test("Douglas-Peucker keeps the ends and drops collinear points")
    func simplify() {
        let ring: Ring = [(0, 0), (1, 0.0001), (2, 0), (2, 2), (1, 2.0001), (0, 2), (0, 0)]
        let simplified = GeoShape.simplify(ring, tolerance: 0.01)
        #expect(simplified.count == 5)
        #expect(simplified.first! == (0, 0) && simplified.last! == (0, 0))
    }
}

@Suite("Coverage and freshness")
struct CoverageTests {
    @Test("CIT beats CIP; inactive programs do not count; nothing known is none")
    func classify() {
        #expect(Coverage.classify([]) == .none)
        #expect(Coverage.classify([([.cip], .active)]) == .cipOnly)
        #expect(Coverage.classify([([.cip], .active), ([.cit], .forming)]) == .cit)
        #expect(Coverage.classify([([.cit, .cip], .inactive)]) == .none)
        #expect(Coverage.classify([([.citDispatch], .active)]) == .cipOnly)
    }

    @Test("last updated is the newest verification, nil when nothing is verified")
    func lastUpdated() {
        let a = Date(timeIntervalSince1970: 1_700_000_000), b = Date(timeIntervalSince1970: 1_750_000_000)
        #expect(DirectoryFreshness.lastUpdated(verifiedAt: [a, nil, b]) == b)
        #expect(DirectoryFreshness.lastUpdated(verifiedAt: [nil, nil]) == nil)
    }

    @Test("partners as sources write them")
    func partners() {
        let partners = ReportedPartner.parseList(
            "Appleton Police Department (law enforcement); NAMI Fox Valley (NAMI affiliate); Catalpa Health (mental health provider, CIP training venue)"
        )
        #expect(partners.map(\.name) == ["Appleton Police Department", "NAMI Fox Valley", "Catalpa Health"])
        #expect(partners.map(\.kind) == [.lawEnforcement, .namiAffiliate, .mentalHealthProvider])
        #expect(partners[2].role == .trainingHost)
        #expect(ZIPCode.isWellFormed("53703"))
        #expect(!ZIPCode.isWellFormed("5370"))
        #expect(!ZIPCode.isWellFormed("53７03"))
    }
}

@Suite("Directory exports")
struct DirectoryExportTests {
    static let program = DirectoryProgram(
        id: UUID(uuidString: "6F1C2B9E-1111-4C3B-9A00-000000000001")!, name: "Test \"Quoted\", Program", kinds: [.cit, .cip],
        status: .active,
        counties: [.init(fips: "55087", name: "Outagamie")],
        partners: [.init(organizationID: UUID(), name: "Appleton Police Department", kind: .lawEnforcement, role: .steering)],
        yearStarted: 2004, website: "https://example.org", description: "A description.", sourceURL: "https://www.appleton.org/x",
        sourceDate: "")

    @Test("HSDS: a service with a UUID, name, status, organization and a GeoJSON service area")
    func hsds() throws {
        let data = try DirectoryExport.hsds([Self.program], boundaries: ["55087": #"{"type":"Polygon","coordinates":[]}"#])
        let list = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(list["total_items"] as? Int == 1)
        let service = try #require((list["contents"] as? [[String: Any]])?.first)
        #expect(service["id"] as? String == "6f1c2b9e-1111-4c3b-9a00-000000000001")
        #expect(service["status"] as? String == "active")
        #expect(UUID(uuidString: service["organization_id"] as! String) != nil)
        let area = try #require((service["service_areas"] as? [[String: Any]])?.first)
        #expect(area["extent_type"] as? String == "geojson")
        #expect(UUID(uuidString: area["id"] as! String) != nil)
        #expect(StableUUID.make("a") == StableUUID.make("a"))
        #expect(StableUUID.make("a") != StableUUID.make("b"))
    }

    @Test("CSV round-trips through the parser")
    func csvRoundTrip() throws {
        let text = DirectoryExport.csv([Self.program])
        let rows = try CSV.parse(text)
        #expect(rows.count == 2)
        #expect(rows[0] == DirectoryExport.csvHeader)
        #expect(rows[1][1] == "Test \"Quoted\", Program")
        #expect(rows[1][2] == "CIT;CIP")
    }

    @Test("provenance says who reported an unverified program")
    func provenance() {
        #expect(Self.program.provenance == "Reported by www.appleton.org (undated), not yet verified.")
        var verified = Self.program
        verified.lastVerifiedAt = Date(timeIntervalSince1970: 1_790_000_000)
        #expect(verified.provenance.hasPrefix("Verified on 2026-"))
    }
}
