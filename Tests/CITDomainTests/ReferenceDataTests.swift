import Foundation
import Testing
import CITDomain

/// The reference files the app loads at first start, read from the CITHub target's
/// resources so the tests check the very files that ship.
enum ReferenceFiles {
    static let folder: URL = URL(fileURLWithPath: #filePath)
        .resolvingSymlinksInPath()
        .deletingLastPathComponent()  // CITDomainTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Sources/CITHub/Resources/reference")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }
}

@Suite struct CountyFileTests {

    @Test func wisconsinHas72CountiesAndTheStatePopulation() throws {
        // MUT
        let counties = try CountyFile.parse(csv: ReferenceFiles.text("wi-counties.csv"), stateCode: "WI")
        // validate
        #expect(counties.count == 72)
        #expect(counties.map(\.population2020).reduce(0, +) == 5_893_718)
        #expect(counties.allSatisfy { $0.stateCode == "WI" && $0.fips.hasPrefix("55") })
        let menominee = try #require(counties.first { $0.fips == "55078" })
        #expect(menominee.name == "Menominee")
        #expect(menominee.population2020 == 4_255)
        let fondDuLac = try #require(counties.first { $0.name == "Fond du Lac" })
        #expect(fondDuLac.fullName == "Fond du Lac County")
        #expect(fondDuLac.landAreaM2 > 0)
    }

    @Test func badFIPSNamesTheLine() {
        let csv =
            "fips,name,name_full,population_2020,land_area_m2_2020\n55001,Adams,Adams County,20654,1672216054\n5503,Ashland,Ashland County,16027,2706458787\n"
        #expect(throws: ReferenceDataError(location: "line 3", reason: "FIPS code \"5503\" in column fips is not 5 digits.")) {
            try CountyFile.parse(csv: csv, stateCode: "WI")
        }
    }

    @Test func badNumbersAndDuplicatesNameTheLine() {
        let header = "fips,name,name_full,population_2020,land_area_m2_2020\n"
        #expect {
            try CountyFile.parse(csv: header + "55001,Adams,Adams County,20 654,1672216054\n", stateCode: "WI")
        } throws: { error in
            (error as? ReferenceDataError)?.location == "line 2"
        }
        #expect {
            try CountyFile.parse(csv: header + "55001,Adams,Adams County,20654,-1\n", stateCode: "WI")
        } throws: { error in
            (error as? ReferenceDataError)?.location == "line 2"
        }
        #expect {
            try CountyFile.parse(csv: header + "55001,Adams,Adams County,1,1\n55001,Adams,Adams County,1,1\n", stateCode: "WI")
        } throws: { error in
            (error as? ReferenceDataError)?.description == "line 3: FIPS code 55001 already appears on line 2."
        }
        #expect(throws: CSVTable.Problem.self) {
            try CountyFile.parse(csv: "fips,name\n55001,Adams\n", stateCode: "WI")
        }
        #expect(throws: ReferenceDataError.self) {
            try CountyFile.parse(csv: header, stateCode: "Wisconsin")
        }
    }
}

@Suite struct CountyBoundariesTests {

    @Test func seventyTwoBoundariesMatchingTheCountyFile() throws {
        // setup
        let counties = try CountyFile.parse(csv: ReferenceFiles.text("wi-counties.csv"), stateCode: "WI")
        let data = try Data(contentsOf: ReferenceFiles.folder.appendingPathComponent("wi-counties.geojson"))
        // MUT
        let geometries = try CountyBoundaries.parse(geoJSON: data)
        let boundaries = try CountyBoundaries.boundaries(geoJSON: data)
        // validate
        #expect(geometries.count == 72)
        #expect(Set(geometries.keys) == Set(counties.map(\.fips)))
        #expect(geometries["55078"]?.hasPrefix("{\"type\":\"Polygon\",\"coordinates\":[[[") == true)
        #expect(geometries["55029"]?.hasPrefix("{\"type\":\"MultiPolygon\"") == true)  // Door: islands
        let names = Dictionary(uniqueKeysWithValues: counties.map { ($0.fips, $0.name) })
        #expect(boundaries.allSatisfy { $0.name == names[$0.fips] })
    }

    @Test func geometryTextIsTheFilesOwnTextUnchanged() throws {
        // setup: the shipped file is already compact, so re-writing must reproduce it
        let text = try ReferenceFiles.text("wi-counties.geojson")
        // MUT
        let geometries = try CountyBoundaries.parse(geoJSON: text)
        // validate
        #expect(geometries.values.allSatisfy { text.contains("\"geometry\":" + $0) })
    }

    @Test func boundingBoxesLieInWisconsin() throws {
        let data = try Data(contentsOf: ReferenceFiles.folder.appendingPathComponent("wi-counties.geojson"))
        let boxes = try CountyBoundaries.boundaries(geoJSON: data).compactMap(\.boundingBox)
        #expect(boxes.count == 72)
        let state = boxes.dropFirst().reduce(boxes[0]) { $0.union($1) }
        // the data README, which rounds to 4 decimals: every vertex lies in
        // lon -92.8881..-86.8054, lat 42.4920..47.0806
        func rounded(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
        #expect(rounded(state.minLon) == -92.8881)
        #expect(rounded(state.maxLon) == -86.8054)
        #expect(rounded(state.minLat) == 42.4920)
        #expect(rounded(state.maxLat) == 47.0806)
    }

    @Test func compactGeometryRoundTripsWithTheSameBox() throws {
        // setup
        let geoJSON = """
            {"type": "FeatureCollection", "features": [
              {"type": "Feature", "id": 1001, "properties": {"name": "Test"},
               "geometry": {"type": "Polygon", "coordinates": [[[-90.5, 44.25], [-90, 44.25], [-90, 45], [-90.5, 44.25]]]}}
            ]}
            """
        // MUT
        let geometries = try CountyBoundaries.parse(geoJSON: geoJSON)
        // validate: a numeric id gets its leading zero back; numbers in shortest form
        let text = try #require(geometries["01001"])
        #expect(text == "{\"type\":\"Polygon\",\"coordinates\":[[[-90.5,44.25],[-90.0,44.25],[-90.0,45.0],[-90.5,44.25]]]}")
        #expect(try BoundingBox.enclosing(geometryJSON: text) == BoundingBox(minLon: -90.5, minLat: 44.25, maxLon: -90, maxLat: 45))
        #expect(BoundingBox(minLon: -90.5, minLat: 44.25, maxLon: -90, maxLat: 45).contains(lon: -90.2, lat: 44.5))
    }

    @Test func featureWithoutFIPSIsAnError() {
        let geoJSON = """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","id":"55001","properties":{},"geometry":{"type":"Point","coordinates":[-90,44]}},
              {"type":"Feature","properties":{"name":"Nowhere"},"geometry":{"type":"Point","coordinates":[-90,44]}}
            ]}
            """
        #expect(
            throws: ReferenceDataError(location: "feature 2", reason: "has neither an id nor a properties.fips, so its county is unknown.")
        ) {
            try CountyBoundaries.parse(geoJSON: geoJSON)
        }
    }

    @Test func disagreeingOrDuplicateFIPSAndBadGeometryAreErrors() {
        func collection(_ features: String) -> String { "{\"type\":\"FeatureCollection\",\"features\":[\(features)]}" }
        let point = "\"geometry\":{\"type\":\"Point\",\"coordinates\":[-90,44]}"
        #expect(throws: ReferenceDataError.self) {
            try CountyBoundaries.parse(
                geoJSON: collection("{\"type\":\"Feature\",\"id\":\"55001\",\"properties\":{\"fips\":\"55003\"},\(point)}"))
        }
        #expect(throws: ReferenceDataError.self) {
            try CountyBoundaries.parse(
                geoJSON: collection("{\"type\":\"Feature\",\"id\":\"55001\",\(point)},{\"type\":\"Feature\",\"id\":\"55001\",\(point)}"))
        }
        // a Polygon whose coordinates are nested one level too shallow
        #expect {
            try CountyBoundaries.parse(
                geoJSON: collection(
                    "{\"type\":\"Feature\",\"id\":\"55001\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[-90,44],[-89,44],[-90,44]]}}"
                ))
        } throws: { error in
            (error as? ReferenceDataError)?.location == "feature 1 (55001)"
        }
        #expect(throws: ReferenceDataError.self) {
            try CountyBoundaries.parse(geoJSON: "{\"type\":\"FeatureCollection\"}")
        }
        #expect(throws: ReferenceDataError.self) {
            try BoundingBox.enclosing(geometryJSON: "{\"type\":\"Point\",\"coordinates\":[-200,44]}")
        }
    }
}

@Suite struct ZipCountyFileTests {

    @Test func wisconsinZipCodes() throws {
        // MUT
        let records = try ZipCountyFile.parse(csv: ReferenceFiles.text("wi-zip-county.csv"))
        // validate
        #expect(records.count == 1_318)
        let byZip = Dictionary(grouping: records, by: \.zip)
        #expect(byZip.count == 898)
        #expect(byZip.values.allSatisfy { $0.filter(\.isPrimary).count == 1 })
        #expect(Set(records.map(\.countyFips)).filter { $0.hasPrefix("55") }.count == 72)
    }

    @Test func oconomowocSpansFourCounties() throws {
        let records = try ZipCountyFile.parse(csv: ReferenceFiles.text("wi-zip-county.csv"))
        let oconomowoc = records.filter { $0.zip == "53066" }
        #expect(oconomowoc.count == 4)
        #expect(Set(oconomowoc.map(\.countyName)) == ["Waukesha County", "Dodge County", "Jefferson County", "Washington County"])
        let primary = try #require(oconomowoc.first { $0.isPrimary })
        #expect(primary.countyFips == "55133")
        #expect(primary.landShare == 0.6894)
        #expect(primary.city == "Oconomowoc")
        #expect(primary.active)
        #expect(primary.lat == 43.1095 && primary.lon == -88.4862)
    }

    @Test func menomineeAndTheMichiganSliver() throws {
        let records = try ZipCountyFile.parse(csv: ReferenceFiles.text("wi-zip-county.csv"))
        #expect(records.contains { $0.countyFips == "55078" })
        #expect(records.contains { $0.zip == "54540" && $0.state == "MI" && $0.countyFips == "26053" })
        #expect(records.contains { $0.landShare == nil && $0.zipType != "STANDARD" })
        #expect(records.contains { !$0.active })
    }

    @Test func zipWithoutOrWithTwoPrimariesIsAnError() {
        let header = "zip,county_fips,county_name,county_state,land_share,is_primary,city,zip_type,active,lat,lon,point_county_fips\n"
        let twoPrimaries =
            header
            + "53002,55131,Washington County,WI,0.9793,1,Allenton,STANDARD,true,43.4681,-88.3539,55131\n"
            + "53002,55027,Dodge County,WI,0.0207,1,Allenton,STANDARD,true,43.4681,-88.3539,55131\n"
        #expect(
            throws: ReferenceDataError(
                location: "ZIP 53002", reason: "has 2 primary counties; each ZIP needs exactly one row with is_primary 1.")
        ) {
            try ZipCountyFile.parse(csv: twoPrimaries)
        }
        let badShare = header + "53002,55131,Washington County,WI,1.5,1,Allenton,STANDARD,true,43.4681,-88.3539,55131\n"
        #expect {
            try ZipCountyFile.parse(csv: badShare)
        } throws: { error in
            (error as? ReferenceDataError)?.location == "line 2"
        }
    }
}
