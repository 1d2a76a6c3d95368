import Foundation
import Testing
@testable import CITDomain

@Suite("Place search: what people type")
struct PlaceQueryTests {
    @Test(
        "Madison is found however the state is written",
        arguments: [
            "madison wi", "Madison, WI", "madison wisconsin", "MADISON", "  Madison,  Wis. ", "Madison WI USA", "madison, wisc",
        ])
    func madison(typed: String) {
        #expect(PlaceQuery(typed, stateCode: "WI") == .name("madison"))
    }

    @Test(
        "a county with or without the word county", arguments: ["dane", "Dane County", "dane co.", "DANE CNTY", "Dane County, Wisconsin"])
    func dane(typed: String) {
        #expect(PlaceQuery(typed, stateCode: "WI") == .name("dane"))
    }

    @Test("a ZIP code anywhere in the text, ZIP+4 shortened")
    func zip() {
        #expect(PlaceQuery("53703", stateCode: "WI") == .zip("53703"))
        #expect(PlaceQuery("53703-1234", stateCode: "WI") == .zip("53703"))
        #expect(PlaceQuery("Madison, WI 53703", stateCode: "WI") == .zip("53703"))
        // Six digits are not a ZIP code.
        #expect(PlaceQuery("537031", stateCode: "WI") != .zip("53703"))
    }

    @Test("a state's own name is kept when it is all that was typed, and another state's code is not removed")
    func edges() {
        #expect(PlaceQuery("Wisconsin", stateCode: "WI") == .name("wisconsin"))
        #expect(PlaceQuery("Wisconsin Rapids, WI", stateCode: "WI") == .name("wisconsin rapids"))
        #expect(PlaceQuery("madison mn", stateCode: "WI") == .name("madison mn"))
        #expect(PlaceQuery("   ", stateCode: "WI") == .empty)
        #expect(PlaceQuery(",.;", stateCode: "WI") == .empty)
    }

    @Test("punctuation, accents and Saint: both sides normalise alike")
    func names() {
        #expect(PlaceQuery.normalise("St. Croix") == "st croix")
        #expect(PlaceQuery.normalise("Saint Croix") == "st croix")
        #expect(PlaceQuery.normalise("Fond-du-Lac") == "fond du lac")
        #expect(PlaceQuery.normalise("Lac du Flambeau") == "lac du flambeau")
        #expect(PlaceQuery.normalise("Mount Horeb") == PlaceQuery.normalise("Mt. Horeb"))
        #expect(PlaceQuery.normalise("Eau Clàire") == "eau claire")
        #expect(PlaceQuery("city of Eau Claire", stateCode: "WI") == .name("eau claire"))
    }
}

@Suite("Place search: the one-line answer")
struct CountyAnswerTests {
    static let chicago = TimeZone(identifier: "America/Chicago")!
    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test("a county with CIT: the program and the next class, as the issue words it")
    func citYes() {
        let answer = CountyAnswer(
            county: "Dane County", coverage: .cit, programs: ["NAMI Dane County CIT/CIP"],
            nextClass: .init(startsAt: Self.date("2027-03-15T14:00:00Z"), timeZone: Self.chicago, place: "Madison"), nearest: [])
        #expect(
            answer.line(now: Self.date("2027-01-10T12:00:00Z"))
                == "Dane County: CIT yes — NAMI Dane County CIT/CIP; next class 15 March, Madison")
        // Next year's class carries its year.
        #expect(answer.line(now: Self.date("2026-12-03T12:00:00Z")).hasSuffix("next class 15 March 2027, Madison"))
    }

    @Test("no CIT: says not yet and names the nearest programs; with nothing near, says so")
    func notYet() {
        let near = CountyAnswer(
            county: "Adams County", coverage: .none, programs: [], nextClass: nil,
            nearest: [.init(program: "Portage County CIT", county: "Portage County")])
        #expect(near.line() == "Adams County: CIT not yet — nearest: Portage County CIT (Portage County)")
        let alone = CountyAnswer(county: "Iron County", coverage: .none, programs: [], nextClass: nil, nearest: [])
        #expect(alone.line() == "Iron County: CIT not yet — no program is known nearby")
        let cip = CountyAnswer(
            county: "X County", coverage: .cipOnly, programs: ["X CIP"], nextClass: nil,
            nearest: [.init(program: "Y CIT", county: "Y County")])
        #expect(cip.line() == "X County: CIT not yet (CIP: X CIP); nearest CIT: Y CIT (Y County)")
    }

    @Test("three or more programs are summarised")
    func many() {
        let answer = CountyAnswer(county: "M County", coverage: .cit, programs: ["A", "B", "C", "D"], nextClass: nil, nearest: [])
        #expect(answer.line() == "M County: CIT yes — A, B and 2 more")
    }
}

@Suite("Counties near a county")
struct CountyNeighboursTests {
    static func wisconsin() throws -> CountyNeighbours {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/CITHub/Resources/reference/wi-counties.geojson")
        return try CountyNeighbours(boundaries: try CountyBoundaries.parse(geoJSON: Data(contentsOf: url)))
    }

    @Test("Dane County borders exactly its seven neighbours; Door County only Kewaunee (water elsewhere)")
    func dane() throws {
        let wi = try Self.wisconsin()
        // Columbia, Dodge, Green, Iowa, Jefferson, Rock, Sauk.
        #expect(wi.neighbours["55025"] == ["55021", "55027", "55045", "55049", "55055", "55105", "55111"])
        #expect(wi.neighbours["55029"] == ["55061"])
        // Symmetric.
        for (a, list) in wi.neighbours { for b in list { #expect(wi.neighbours[b]?.contains(a) == true, "\(a)–\(b)") } }
        #expect(wi.area(around: "55025").count == 8)
    }

    @Test("a class in a bordering county or run by a program serving the area is near; far away is not")
    func nearness() throws {
        let wi = try Self.wisconsin()
        #expect(ClassNearness(county: "55025", venueCounty: "55025", programCounties: [], neighbours: wi) == .inCounty)
        #expect(ClassNearness(county: "55025", venueCounty: "55055", programCounties: ["55055"], neighbours: wi) == .near)
        // Held in Milwaukee (55079) by a program that also serves Dane: near Dane.
        #expect(ClassNearness(county: "55025", venueCounty: "55079", programCounties: ["55079", "55025"], neighbours: wi) == .near)
        // Held in Douglas County (55031) by a program serving only the north-west: not near.
        #expect(ClassNearness(county: "55025", venueCounty: "55031", programCounties: ["55031"], neighbours: wi) == .elsewhere)
    }

    @Test("the nearest programs are ranked by the distance to the closest county they serve")
    func nearest() throws {
        let wi = try Self.wisconsin()
        let ranked = NearestPrograms.rank(
            to: "55001",
            candidates: [
                .init(name: "Far", counties: [(fips: "55059", name: "Kenosha")]),
                .init(name: "Near", counties: [(fips: "55097", name: "Portage")]),
                .init(name: "Middle", counties: [(fips: "55025", name: "Dane")]),
            ], neighbours: wi)
        #expect(ranked.map(\.program) == ["Near", "Middle"])
        #expect(ranked.first?.county == "Portage County")
    }
}

@Suite("Map labels")
struct MapLabelTests {
    typealias P = MapLabels.Point

    @Test("the label point of an L shape is inside it, where the box middle is not")
    func lShape() {
        // An L: the middle of its box (50, 50) is in the missing corner.
        let ring = [P(x: 0, y: 0), P(x: 100, y: 0), P(x: 100, y: 30), P(x: 30, y: 30), P(x: 30, y: 100), P(x: 0, y: 100), P(x: 0, y: 0)]
        #expect(!MapLabels.contains(P(x: 50, y: 50), [ring]))
        let pole = MapLabels.poleOfInaccessibility([ring])
        #expect(MapLabels.contains(pole, [ring]))
        #expect(MapLabels.distanceToEdge(pole, [ring]) > 12)
    }

    @Test("a name fits a wide county and not a narrow one")
    func fits() {
        let wide = [P(x: 0, y: 0), P(x: 200, y: 0), P(x: 200, y: 60), P(x: 0, y: 60), P(x: 0, y: 0)]
        let narrow = [P(x: 0, y: 0), P(x: 40, y: 0), P(x: 40, y: 200), P(x: 0, y: 200), P(x: 0, y: 0)]
        #expect(MapLabels.fits(text: "Marathon", fontSize: 16, at: MapLabels.poleOfInaccessibility([wide]), in: [wide]))
        #expect(!MapLabels.fits(text: "Marathon", fontSize: 16, at: MapLabels.poleOfInaccessibility([narrow]), in: [narrow]))
        #expect(MapLabels.fits(text: "Ox", fontSize: 16, at: MapLabels.poleOfInaccessibility([narrow]), in: [narrow]))
    }

    @Test("Wisconsin: most counties are named and the small ones are left unlabelled")
    func wisconsin() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/CITHub/Resources/reference/wi-counties.geojson")
        let counties = try CountyBoundaries.boundaries(geoJSON: Data(contentsOf: url)).map {
            ($0.fips, $0.name ?? $0.fips, $0.geometryJSON)
        }
        let (shapes, _) = try #require(try StateMap.shapes(counties: counties))
        let labelled = shapes.filter { $0.label != nil }
        #expect(labelled.count > 40, "\(labelled.count) labels")
        #expect(labelled.count < 72)
        // Milwaukee County is small at this scale: its name does not fit.
        #expect(shapes.first { $0.fips == "55079" }?.label == nil)
        // Marathon, the largest county, is named.
        #expect(shapes.first { $0.fips == "55073" }?.label != nil)
        // 12 px on a map drawn 768 px wide.
        #expect(labelled.allSatisfy { $0.label!.fontSize == 15.6 })
    }
}
