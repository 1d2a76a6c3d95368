import Foundation

/// A polygon ring in longitude/latitude degrees.
public typealias Ring = [(lon: Double, lat: Double)]

/// County shapes, read from GeoJSON geometry text.
public enum GeoShape {
    /// The polygons of a Polygon or MultiPolygon geometry: each polygon is its rings
    /// (exterior first, then holes).
    public static func polygons(geometryJSON: String) throws -> [[Ring]] {
        guard let object = try JSONSerialization.jsonObject(with: Data(geometryJSON.utf8)) as? [String: Any],
              let type = object["type"] as? String else {
            throw ReferenceDataError(location: "geometry", reason: "not a GeoJSON geometry object")
        }
        func ring(_ value: Any) -> Ring {
            ((value as? [[Double]]) ?? []).compactMap { $0.count >= 2 ? (lon: $0[0], lat: $0[1]) : nil }
        }
        switch type {
        case "Polygon":
            return [((object["coordinates"] as? [Any]) ?? []).map(ring)]
        case "MultiPolygon":
            return ((object["coordinates"] as? [Any]) ?? []).map { (($0 as? [Any]) ?? []).map(ring) }
        default:
            throw ReferenceDataError(location: "geometry", reason: "unsupported geometry type \(type)")
        }
    }

    /// Douglas-Peucker simplification; keeps the first and last point (rings stay closed)
    /// and never returns fewer than 4 points for a ring that had them.
    public static func simplify(_ ring: Ring, tolerance: Double) -> Ring {
        guard ring.count > 4, tolerance > 0 else { return ring }
        var keep = [Bool](repeating: false, count: ring.count)
        keep[0] = true
        keep[ring.count - 1] = true
        var stack = [(0, ring.count - 1)]
        while let (first, last) = stack.popLast() {
            guard last > first + 1 else { continue }
            var maxDistance = 0.0
            var index = first
            for i in (first + 1)..<last {
                let d = perpendicularDistance(ring[i], ring[first], ring[last])
                if d > maxDistance { maxDistance = d; index = i }
            }
            if maxDistance > tolerance {
                keep[index] = true
                stack.append((first, index))
                stack.append((index, last))
            }
        }
        let simplified = zip(ring, keep).filter(\.1).map(\.0)
        return simplified.count >= 4 ? simplified : ring
    }

    static func perpendicularDistance(_ p: (lon: Double, lat: Double), _ a: (lon: Double, lat: Double), _ b: (lon: Double, lat: Double)) -> Double {
        let dx = b.lon - a.lon, dy = b.lat - a.lat
        let length = (dx * dx + dy * dy).squareRoot()
        if length == 0 { return ((p.lon - a.lon) * (p.lon - a.lon) + (p.lat - a.lat) * (p.lat - a.lat)).squareRoot() }
        return abs(dy * p.lon - dx * p.lat + b.lon * a.lat - b.lat * a.lon) / length
    }
}

/// Projects longitude/latitude onto an SVG canvas: equirectangular with the longitude
/// scaled by the cosine of the middle latitude (good enough for a state, and simple to
/// check), north up, fitted into `width` with a margin.
public struct MapProjection: Sendable {
    public let minLon: Double, maxLon: Double, minLat: Double, maxLat: Double
    public let width: Double
    public let height: Double
    public let margin: Double
    let scale: Double
    let lonFactor: Double

    public init(bounds: BoundingBox, width: Double = 1000, margin: Double = 4) {
        minLon = bounds.minLon; maxLon = bounds.maxLon; minLat = bounds.minLat; maxLat = bounds.maxLat
        self.width = width
        self.margin = margin
        lonFactor = cos((bounds.minLat + bounds.maxLat) / 2 * .pi / 180)
        let spanX = max((bounds.maxLon - bounds.minLon) * lonFactor, 1e-9)
        let spanY = max(bounds.maxLat - bounds.minLat, 1e-9)
        scale = (width - 2 * margin) / spanX
        height = (spanY * scale + 2 * margin).rounded(.up)
    }

    /// SVG coordinates: x grows east, y grows south (so north is up).
    public func point(lon: Double, lat: Double) -> (x: Double, y: Double) {
        (margin + (lon - minLon) * lonFactor * scale, margin + (maxLat - lat) * scale)
    }

    public var viewBox: String { "0 0 \(Int(width)) \(Int(height))" }

    /// An SVG path for the polygons, one decimal place (a tenth of a pixel).
    public func path(_ polygons: [[Ring]]) -> String {
        var d = ""
        for polygon in polygons {
            for ring in polygon where ring.count >= 3 {
                for (i, coordinate) in ring.enumerated() {
                    let p = point(lon: coordinate.lon, lat: coordinate.lat)
                    d += (i == 0 ? "M" : "L") + Self.format(p.x) + " " + Self.format(p.y)
                }
                d += "Z"
            }
        }
        return d
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }
}

/// A county ready to draw: its simplified SVG path and where to put its label.
public struct CountyShape: Sendable, Equatable {
    public var fips: String
    public var name: String
    public var path: String
    public var centroid: (x: Double, y: Double)

    public static func == (a: CountyShape, b: CountyShape) -> Bool { a.fips == b.fips && a.path == b.path }
}

/// Turns county boundaries into SVG shapes once (at load, not per request): 0.002°
/// simplification keeps Wisconsin's map near 34 KB (design/PERFORMANCE.md).
public enum StateMap {
    public static func shapes(counties: [(fips: String, name: String, geometryJSON: String)], width: Double = 1000, tolerance: Double = 0.002) throws -> (shapes: [CountyShape], projection: MapProjection)? {
        var parsed: [(String, String, [[Ring]])] = []
        var bounds: BoundingBox?
        for county in counties {
            let polygons = try GeoShape.polygons(geometryJSON: county.geometryJSON).map { $0.map { GeoShape.simplify($0, tolerance: tolerance) } }
            for ring in polygons.flatMap({ $0 }) {
                for c in ring {
                    let box = BoundingBox(minLon: c.lon, minLat: c.lat, maxLon: c.lon, maxLat: c.lat)
                    bounds = bounds.map { $0.union(box) } ?? box
                }
            }
            parsed.append((county.fips, county.name, polygons))
        }
        guard let bounds else { return nil }
        let projection = MapProjection(bounds: bounds, width: width)
        let shapes = parsed.map { fips, name, polygons -> CountyShape in
            // Label at the middle of the largest exterior ring's box: cheap and inside for
            // nearly every county shape.
            let largest = polygons.map { $0.first ?? [] }.max { $0.count < $1.count } ?? []
            let xs = largest.map { projection.point(lon: $0.lon, lat: $0.lat).x }
            let ys = largest.map { projection.point(lon: $0.lon, lat: $0.lat).y }
            let centroid = ((xs.min() ?? 0) + (xs.max() ?? 0)) / 2
            let middle = ((ys.min() ?? 0) + (ys.max() ?? 0)) / 2
            return CountyShape(fips: fips, name: name, path: projection.path(polygons), centroid: (centroid, middle))
        }
        return (shapes, projection)
    }
}
