import Foundation

/// Which counties border which, and how far apart they are, from the county boundaries.
///
/// "Near" a county means sharing a stretch of boundary with it: two counties are
/// neighbours when their boundaries have at least two points in common (after rounding to
/// 1e-4°, about 10 m). One shared point alone is a corner touch, which is not counted.
/// County files from the Census Bureau draw a shared border with the same points on both
/// sides, so this needs no geometry beyond comparing points. Distances (for "the nearest
/// programs") are between the middles of the counties' bounding boxes, in miles.
public struct CountyNeighbours: Sendable {
    public let neighbours: [String: Set<String>]
    /// Middle of each county's bounding box: (lon, lat).
    public let middles: [String: (lon: Double, lat: Double)]

    public init(neighbours: [String: Set<String>], middles: [String: (lon: Double, lat: Double)]) {
        self.neighbours = neighbours
        self.middles = middles
    }

    /// - Parameter boundaries: FIPS → the county's GeoJSON geometry text.
    public init(boundaries: [String: String]) throws {
        struct Key: Hashable { var lon: Int32; var lat: Int32 }
        var owners: [Key: Set<String>] = [:]
        var middles: [String: (lon: Double, lat: Double)] = [:]
        for (fips, geometry) in boundaries {
            let rings = try GeoShape.polygons(geometryJSON: geometry).flatMap { $0 }
            var keys = Set<Key>()
            var box: (minLon: Double, maxLon: Double, minLat: Double, maxLat: Double)?
            for ring in rings {
                for c in ring {
                    keys.insert(Key(lon: Int32((c.lon * 10_000).rounded()), lat: Int32((c.lat * 10_000).rounded())))
                    box =
                        box.map { (min($0.minLon, c.lon), max($0.maxLon, c.lon), min($0.minLat, c.lat), max($0.maxLat, c.lat)) } ?? (
                            c.lon, c.lon, c.lat, c.lat
                        )
                }
            }
            for key in keys { owners[key, default: []].insert(fips) }
            if let box { middles[fips] = ((box.minLon + box.maxLon) / 2, (box.minLat + box.maxLat) / 2) }
        }
        var shared: [String: [String: Int]] = [:]
        for (_, counties) in owners where counties.count > 1 {
            for a in counties { for b in counties where a != b { shared[a, default: [:]][b, default: 0] += 1 } }
        }
        var neighbours: [String: Set<String>] = [:]
        for fips in boundaries.keys { neighbours[fips] = Set((shared[fips] ?? [:]).filter { $0.value >= 2 }.keys) }
        self.init(neighbours: neighbours, middles: middles)
    }

    /// The county itself and the counties bordering it.
    public func area(around fips: String) -> Set<String> {
        (neighbours[fips] ?? []).union([fips])
    }

    /// Great-circle distance in miles between two counties' middles; nil if either is unknown.
    public func miles(from a: String, to b: String) -> Double? {
        guard let p = middles[a], let q = middles[b] else { return nil }
        return Self.miles(p, q)
    }

    static func miles(_ p: (lon: Double, lat: Double), _ q: (lon: Double, lat: Double)) -> Double {
        let r = 3958.8, rad = Double.pi / 180
        let dLat = (q.lat - p.lat) * rad, dLon = (q.lon - p.lon) * rad
        let h = sin(dLat / 2) * sin(dLat / 2) + cos(p.lat * rad) * cos(q.lat * rad) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * r * asin(min(1, h.squareRoot()))
    }
}
