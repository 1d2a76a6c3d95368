import Foundation

/// Reads a GeoJSON FeatureCollection of county boundaries such as `wi-counties.geojson`.
///
/// The app stores each county's geometry as compact GeoJSON text next to the county,
/// so the map, the HSDS export (service areas carry GeoJSON extents) and the SVG
/// projection can use it without the whole collection in memory.
public enum CountyBoundaries {

    /// FIPS code → the county's geometry as compact GeoJSON text.
    /// - Throws: `ReferenceDataError` naming the feature.
    public static func parse(geoJSON: Data) throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try boundaries(geoJSON: geoJSON).map { ($0.fips, $0.geometryJSON) })
    }

    /// FIPS code → the county's geometry as compact GeoJSON text.
    /// - Throws: `ReferenceDataError` naming the feature.
    public static func parse(geoJSON: String) throws -> [String: String] {
        try parse(geoJSON: Data(geoJSON.utf8))
    }

    /// Every county of the collection, in file order, with its name and bounding box.
    ///
    /// The FIPS code is the feature's `id` or its `properties.fips`; if both are given
    /// they must agree. A numeric `id` is zero-padded to 5 digits, because FIPS codes
    /// written as numbers lose their leading zero (1001 for 01001).
    ///
    /// - Throws: `ReferenceDataError` for anything that is not a FeatureCollection of
    ///   features with a FIPS code and a valid geometry, or for a FIPS code used twice.
    public static func boundaries(geoJSON: Data) throws -> [CountyBoundary] {
        let collection: FeatureCollectionDocument
        do {
            collection = try JSONDecoder().decode(FeatureCollectionDocument.self, from: geoJSON)
        } catch let error as DecodingError {
            throw ReferenceDataError(decoding: error)
        } catch {
            throw ReferenceDataError(location: "GeoJSON", reason: "is not valid JSON (\(error.localizedDescription)).")
        }
        guard collection.type == "FeatureCollection" else {
            throw ReferenceDataError(location: "GeoJSON", reason: "has type \"\(collection.type)\"; expected a FeatureCollection.")
        }
        var seen: [String: Int] = [:]
        return try collection.features.enumerated().map { index, feature in
            let number = index + 1
            let location = "feature \(number)"
            guard feature.type == "Feature" else {
                throw ReferenceDataError(location: location, reason: "has type \"\(feature.type)\"; expected a Feature.")
            }
            let fromID = feature.id?.fipsText
            let fromProperties = feature.properties?.fips
            guard let fips = fromID ?? fromProperties else {
                throw ReferenceDataError(location: location, reason: "has neither an id nor a properties.fips, so its county is unknown.")
            }
            if let fromID, let fromProperties, fromID != fromProperties {
                throw ReferenceDataError(location: location, reason: "has id \(fromID) but properties.fips \(fromProperties).")
            }
            guard ReferenceField.isDigits(fips, count: 5) else {
                throw ReferenceDataError(location: location, reason: "FIPS code \"\(fips)\" is not 5 digits.")
            }
            if let earlier = seen[fips] {
                throw ReferenceDataError(location: "\(location) (\(fips))", reason: "FIPS code already used by feature \(earlier).")
            }
            seen[fips] = number
            guard let geometry = feature.geometry else {
                throw ReferenceDataError(location: "\(location) (\(fips))", reason: "has no geometry.")
            }
            do {
                try geometry.validate()
            } catch let problem as GeoJSONGeometry.Problem {
                throw ReferenceDataError(location: "\(location) (\(fips))", reason: problem.reason)
            }
            return CountyBoundary(
                fips: fips,
                name: feature.properties?.name,
                geometryJSON: geometry.compactJSON,
                boundingBox: geometry.boundingBox
            )
        }
    }
}

/// One county's outline from a boundary file.
public struct CountyBoundary: Sendable, Equatable {
    /// Five-digit county FIPS code.
    public var fips: String
    /// The name in the feature's properties, if it has one; the county file is the
    /// authority for names, this is for cross-checking.
    public var name: String?
    /// The geometry (Polygon or MultiPolygon for counties) as compact GeoJSON text.
    public var geometryJSON: String
    /// The smallest box around the geometry; `nil` only for an empty geometry.
    public var boundingBox: BoundingBox?

    public init(fips: String, name: String?, geometryJSON: String, boundingBox: BoundingBox?) {
        self.fips = fips
        self.name = name
        self.geometryJSON = geometryJSON
        self.boundingBox = boundingBox
    }
}

/// The smallest longitude/latitude rectangle around a geometry (WGS84 degrees).
///
/// Used to fit a map to the counties shown and to find candidate counties for a point
/// before the exact polygon test. It takes longitudes as numbers, so a shape crossing
/// the 180° meridian (the Aleutians) gets a box round the world; no Wisconsin shape does.
public struct BoundingBox: Sendable, Equatable, Hashable, Codable {
    public var minLon: Double
    public var minLat: Double
    public var maxLon: Double
    public var maxLat: Double

    public init(minLon: Double, minLat: Double, maxLon: Double, maxLat: Double) {
        self.minLon = minLon
        self.minLat = minLat
        self.maxLon = maxLon
        self.maxLat = maxLat
    }

    /// The box around a GeoJSON geometry given as text (as the app stores it);
    /// `nil` for an empty geometry.
    /// - Throws: `ReferenceDataError` if the text is not a valid GeoJSON geometry.
    public static func enclosing(geometryJSON: String) throws -> BoundingBox? {
        let geometry: GeoJSONGeometry
        do {
            geometry = try JSONDecoder().decode(GeoJSONGeometry.self, from: Data(geometryJSON.utf8))
            try geometry.validate()
        } catch let error as DecodingError {
            throw ReferenceDataError(decoding: error)
        } catch let problem as GeoJSONGeometry.Problem {
            throw ReferenceDataError(location: "geometry", reason: problem.reason)
        }
        return geometry.boundingBox
    }

    /// The box around both boxes: the extent of several counties.
    public func union(_ other: BoundingBox) -> BoundingBox {
        BoundingBox(
            minLon: min(minLon, other.minLon), minLat: min(minLat, other.minLat),
            maxLon: max(maxLon, other.maxLon), maxLat: max(maxLat, other.maxLat)
        )
    }

    /// Whether the point lies inside the box or on its edge.
    public func contains(lon: Double, lat: Double) -> Bool {
        (minLon...maxLon).contains(lon) && (minLat...maxLat).contains(lat)
    }
}

// MARK: - GeoJSON decoding

private struct FeatureCollectionDocument: Decodable {
    var type: String
    var features: [FeatureDocument]
}

private struct FeatureDocument: Decodable {
    var type: String
    var id: FeatureID?
    var properties: Properties?
    var geometry: GeoJSONGeometry?

    struct Properties: Decodable {
        var fips: String?
        var name: String?
    }
}

/// RFC 7946 allows a feature id to be a string or a number.
private enum FeatureID: Decodable {
    case text(String)
    case number(Double)

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .number(try container.decode(Double.self))
        }
    }

    var fipsText: String {
        switch self {
        case let .text(text):
            return text
        case let .number(number):
            guard number >= 0, number < 100_000, number == number.rounded() else { return String(number) }
            let digits = String(Int(number))
            return String(repeating: "0", count: 5 - digits.count) + digits
        }
    }
}

/// A GeoJSON geometry kept as numbers, so it can be checked, measured and written back
/// compactly (the source files are already rounded; nothing is lost by re-writing).
struct GeoJSONGeometry: Decodable, Equatable {
    var type: String
    var coordinates: Coordinates?
    var geometries: [GeoJSONGeometry]?

    /// Nested arrays of numbers: a position is `[lon, lat]` (or with elevation).
    indirect enum Coordinates: Decodable, Equatable {
        case position([Double])
        case list([Coordinates])

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let numbers = try? container.decode([Double].self), !numbers.isEmpty {
                self = .position(numbers)
            } else {
                self = .list(try container.decode([Coordinates].self))
            }
        }

        /// How deep the arrays of positions go: 0 for a position, 1 for a ring, ...
        /// `nil` when the nesting is uneven.
        var depth: Int? {
            switch self {
            case .position:
                return 0
            case let .list(items):
                guard let first = items.first else { return 1 }
                guard let inner = first.depth, items.dropFirst().allSatisfy({ $0.depth == inner }) else { return nil }
                return inner + 1
            }
        }

        func forEachPosition(_ body: ([Double]) -> Void) {
            switch self {
            case let .position(numbers): body(numbers)
            case let .list(items): items.forEach { $0.forEachPosition(body) }
            }
        }

        func write(into text: inout String) {
            switch self {
            case let .position(numbers):
                text += "["
                for (index, number) in numbers.enumerated() {
                    if index > 0 { text += "," }
                    text += GeoJSONGeometry.jsonNumber(number)
                }
                text += "]"
            case let .list(items):
                text += "["
                for (index, item) in items.enumerated() {
                    if index > 0 { text += "," }
                    item.write(into: &text)
                }
                text += "]"
            }
        }
    }

    /// Why a geometry is not valid GeoJSON.
    struct Problem: Error {
        var reason: String
    }

    /// Array depth of `coordinates` each geometry type requires (RFC 7946 section 3.1).
    private static let depths: [String: Int] = [
        "Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3,
    ]

    func validate() throws {
        if type == "GeometryCollection" {
            guard let geometries else { throw Problem(reason: "a GeometryCollection needs \"geometries\".") }
            try geometries.forEach { try $0.validate() }
            return
        }
        guard let expected = Self.depths[type] else {
            throw Problem(reason: "geometry type \"\(type)\" is not a GeoJSON geometry type.")
        }
        guard let coordinates else { throw Problem(reason: "a \(type) needs \"coordinates\".") }
        let isEmpty: Bool = { if case let .list(items) = coordinates { return items.isEmpty } else { return false } }()
        guard isEmpty || coordinates.depth == expected else {
            throw Problem(reason: "the coordinates of a \(type) are not nested as GeoJSON requires.")
        }
        var bad: [Double]?
        coordinates.forEachPosition { position in
            guard bad == nil else { return }
            if position.count < 2 || position.count > 3 || !(-180...180).contains(position[0]) || !(-90...90).contains(position[1]) {
                bad = position
            }
        }
        if let bad {
            throw Problem(reason: "position \(bad) is not a longitude and latitude in degrees.")
        }
    }

    var boundingBox: BoundingBox? {
        var box: BoundingBox?
        visitPositions { position in
            let lon = position[0], lat = position[1]
            if let current = box {
                box = BoundingBox(
                    minLon: min(current.minLon, lon), minLat: min(current.minLat, lat),
                    maxLon: max(current.maxLon, lon), maxLat: max(current.maxLat, lat)
                )
            } else {
                box = BoundingBox(minLon: lon, minLat: lat, maxLon: lon, maxLat: lat)
            }
        }
        return box
    }

    private func visitPositions(_ body: ([Double]) -> Void) {
        coordinates?.forEachPosition { if $0.count >= 2 { body($0) } }
        geometries?.forEach { $0.visitPositions(body) }
    }

    /// The geometry as GeoJSON text without spaces, members in the usual order.
    var compactJSON: String {
        var text = ""
        write(into: &text)
        return text
    }

    private func write(into text: inout String) {
        text += "{\"type\":\"\(type)\""
        if let coordinates {
            text += ",\"coordinates\":"
            coordinates.write(into: &text)
        }
        if let geometries {
            text += ",\"geometries\":["
            for (index, geometry) in geometries.enumerated() {
                if index > 0 { text += "," }
                geometry.write(into: &text)
            }
            text += "]"
        }
        text += "}"
    }

    /// Swift's shortest round-trip form ("-90.02595", "43.0"): the same digits Python's
    /// json module wrote into the reference files, so re-writing changes nothing.
    static func jsonNumber(_ number: Double) -> String {
        "\(number)"
    }
}

extension ReferenceDataError {
    /// Turns a decoder's error into one that says where in the document it happened.
    init(decoding error: DecodingError) {
        func path(_ codingPath: [CodingKey]) -> String {
            let parts = codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
            let joined = parts.joined()
            return joined.isEmpty ? "GeoJSON" : "GeoJSON " + (joined.hasPrefix(".") ? String(joined.dropFirst()) : joined)
        }
        switch error {
        case let .keyNotFound(key, context):
            self.init(location: path(context.codingPath), reason: "missing \"\(key.stringValue)\".")
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            self.init(location: path(context.codingPath), reason: "has the wrong kind of value (\(context.debugDescription)).")
        case let .dataCorrupted(context):
            self.init(location: path(context.codingPath), reason: "is not valid JSON (\(context.debugDescription)).")
        @unknown default:
            self.init(location: "GeoJSON", reason: "could not be read (\(error)).")
        }
    }
}
