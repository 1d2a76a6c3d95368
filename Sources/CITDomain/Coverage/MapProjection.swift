import Foundation

/// A polygon ring in longitude/latitude degrees.
public typealias Ring = [(lon: Double, lat: Double)]

/// County shapes, read from GeoJSON geometry text.
public enum GeoShape {
    /// The polygons of a Polygon or MultiPolygon geometry: each polygon is its rings
    /// (exterior first, then holes).
    public static func polygons(geometryJSON: String) throws -> [[Ring]] {
        guard let object = try JSONSerialization.jsonObject(with: Data(geometryJSON.utf8)) as? [String: Any],
            let type = object["type"] as? String
        else {
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

    static func perpendicularDistance(_ p: (lon: Double, lat: Double), _ a: (lon: Double, lat: Double), _ b: (lon: Double, lat: Double))
        -> Double
    {
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
    /// The label point (pole of inaccessibility of the largest part), in SVG units.
    public var centroid: (x: Double, y: Double)
    /// The name drawn on the map, when it fits inside the county at the label size.
    public var label: MapLabel?

    public static func == (a: CountyShape, b: CountyShape) -> Bool { a.fips == b.fips && a.path == b.path && a.label == b.label }
}

/// A county name drawn on the map: its middle point and size, in SVG units.
public struct MapLabel: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var fontSize: Double
}

/// Turns county boundaries into SVG shapes once (at load, not per request): 0.002°
/// simplification keeps Wisconsin's map near 34 KB (bench/pages.sh measures the pages that carry it).
public enum StateMap {
    /// - Parameters:
    ///   - renderedWidth: the widest the map is drawn on a page, in CSS pixels; with
    ///     `labelPixels` it sets the label size in SVG units, so a name is drawn only where
    ///     it can be read at that size (12 px on a 768 px wide map is 15.6 units of 1000).
    public static func shapes(
        counties: [(fips: String, name: String, geometryJSON: String)], width: Double = 1000, tolerance: Double = 0.002,
        renderedWidth: Double = 768, labelPixels: Double = 12
    ) throws -> (shapes: [CountyShape], projection: MapProjection)? {
        var parsed: [(String, String, [[Ring]])] = []
        var bounds: BoundingBox?
        for county in counties {
            let polygons = try GeoShape.polygons(geometryJSON: county.geometryJSON).map {
                $0.map { GeoShape.simplify($0, tolerance: tolerance) }
            }
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
        let fontSize = (labelPixels * width / renderedWidth * 10).rounded() / 10
        let shapes = parsed.map { fips, name, polygons -> CountyShape in
            // The label goes in the largest part (by area): a county with islands is named
            // on its mainland.
            let projected: [[[MapLabels.Point]]] = polygons.map { polygon in
                polygon.map { ring in
                    ring.map { c in
                        let p = projection.point(lon: c.lon, lat: c.lat); return MapLabels.Point(x: p.x, y: p.y)
                    }
                }
            }
            let largest = projected.max { abs(MapLabels.area($0.first ?? [])) < abs(MapLabels.area($1.first ?? [])) } ?? []
            let pole = MapLabels.poleOfInaccessibility(largest)
            let fits = MapLabels.fits(text: name, fontSize: fontSize, at: pole, in: largest)
            return CountyShape(
                fips: fips, name: name, path: projection.path(polygons), centroid: (pole.x, pole.y),
                label: fits ? MapLabel(x: (pole.x * 10).rounded() / 10, y: (pole.y * 10).rounded() / 10, fontSize: fontSize) : nil)
        }
        return (shapes, projection)
    }
}

/// Where a name goes inside a shape, and whether it fits there.
///
/// The label point is the pole of inaccessibility (the inside point farthest from the
/// edge), not the centroid or the middle of the box: for an L-shaped or crescent county
/// those can fall outside it or on its edge. Found by a grid search refined around the best
/// cell, which is exact enough at map scale and cheap for county-sized rings.
public enum MapLabels {
    public struct Point: Sendable, Equatable {
        public var x: Double, y: Double
        public init(x: Double, y: Double) { self.x = x; self.y = y }
    }

    /// Rough width of a name in the map's sans-serif at `fontSize` (SVG cannot measure text
    /// on the server); errs wide, so a label that "fits" really does.
    public static func textWidth(_ text: String, fontSize: Double) -> Double {
        Double(text.count) * fontSize * 0.6
    }

    /// Signed area (shoelace); the sign depends on the ring's direction.
    public static func area(_ ring: [Point]) -> Double {
        guard ring.count > 2 else { return 0 }
        var sum = 0.0
        for i in ring.indices {
            let a = ring[i], b = ring[(i + 1) % ring.count]
            sum += a.x * b.y - b.x * a.y
        }
        return sum / 2
    }

    /// Even-odd rule over every ring, so holes are outside.
    public static func contains(_ point: Point, _ polygon: [[Point]]) -> Bool {
        var inside = false
        for ring in polygon where ring.count > 2 {
            var j = ring.count - 1
            for i in ring.indices {
                let a = ring[i], b = ring[j]
                if (a.y > point.y) != (b.y > point.y), point.x < (b.x - a.x) * (point.y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
                j = i
            }
        }
        return inside
    }

    /// Distance from the point to the nearest edge of any ring.
    public static func distanceToEdge(_ point: Point, _ polygon: [[Point]]) -> Double {
        var best = Double.infinity
        for ring in polygon where ring.count > 1 {
            for i in ring.indices {
                best = min(best, segmentDistance(point, ring[i], ring[(i + 1) % ring.count]))
            }
        }
        return best
    }

    static func segmentDistance(_ p: Point, _ a: Point, _ b: Point) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        let lengthSquared = dx * dx + dy * dy
        let t = lengthSquared == 0 ? 0 : max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared))
        let cx = a.x + t * dx - p.x, cy = a.y + t * dy - p.y
        return (cx * cx + cy * cy).squareRoot()
    }

    /// The inside point farthest from every edge (to within a hundredth of the shape's size).
    public static func poleOfInaccessibility(_ polygon: [[Point]]) -> Point {
        let outer = polygon.first ?? []
        guard let minX = outer.map(\.x).min(), let maxX = outer.map(\.x).max(),
            let minY = outer.map(\.y).min(), let maxY = outer.map(\.y).max()
        else { return Point(x: 0, y: 0) }
        var best = Point(x: (minX + maxX) / 2, y: (minY + maxY) / 2)
        var bestDistance = contains(best, polygon) ? distanceToEdge(best, polygon) : -1
        var (x0, x1, y0, y1) = (minX, maxX, minY, maxY)
        let steps = 16
        for _ in 0..<4 {
            let stepX = (x1 - x0) / Double(steps), stepY = (y1 - y0) / Double(steps)
            for i in 0...steps {
                for j in 0...steps {
                    let p = Point(x: x0 + Double(i) * stepX, y: y0 + Double(j) * stepY)
                    guard contains(p, polygon) else { continue }
                    let d = distanceToEdge(p, polygon)
                    if d > bestDistance { best = p; bestDistance = d }
                }
            }
            // Zoom in on the best point: two cells either way.
            (x0, x1, y0, y1) = (best.x - 2 * stepX, best.x + 2 * stepX, best.y - 2 * stepY, best.y + 2 * stepY)
        }
        return best
    }

    /// Whether a one-line label centred at `point` lies wholly inside the shape: its box
    /// (with a little room) is inside and no edge crosses it.
    public static func fits(text: String, fontSize: Double, at point: Point, in polygon: [[Point]]) -> Bool {
        let halfWidth = textWidth(text, fontSize: fontSize) / 2 + fontSize * 0.15
        let halfHeight = fontSize * 0.65
        let box = (minX: point.x - halfWidth, maxX: point.x + halfWidth, minY: point.y - halfHeight, maxY: point.y + halfHeight)
        guard contains(point, polygon) else { return false }
        for ring in polygon where ring.count > 1 {
            for i in ring.indices where segmentCrossesBox(ring[i], ring[(i + 1) % ring.count], box) { return false }
        }
        return true
    }

    /// Liang–Barsky: whether any part of the segment lies in the box.
    static func segmentCrossesBox(_ a: Point, _ b: Point, _ box: (minX: Double, maxX: Double, minY: Double, maxY: Double)) -> Bool {
        var t0 = 0.0, t1 = 1.0
        let dx = b.x - a.x, dy = b.y - a.y
        for (p, q) in [(-dx, a.x - box.minX), (dx, box.maxX - a.x), (-dy, a.y - box.minY), (dy, box.maxY - a.y)] {
            if p == 0 {
                if q < 0 { return false }
            } else {
                let r = q / p
                if p < 0 { if r > t1 { return false }; t0 = max(t0, r) } else { if r < t0 { return false }; t1 = min(t1, r) }
            }
        }
        return true
    }
}
