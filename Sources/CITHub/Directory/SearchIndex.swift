import Fluent
import Vapor
import NIOConcurrencyHelpers
import CITDomain

/// ZIP codes and city names to counties, read once from the reference table (it changes
/// only with the reference data), so a search costs no database round trip for them.
final class SearchIndex: Sendable {
    struct ZipEntry: Sendable {
        var countyFIPS: String; var city: String; var isPrimary: Bool; var landShare: Double?; var lat: Double?; var lon: Double?
    }
    struct Snapshot: Sendable {
        var zips: [String: [ZipEntry]] = [:]
        var cities: [String: Set<String>] = [:]
        var cityNames: [String: String] = [:]
        /// City → county → how many of the city's ZIP codes are there: the county with most
        /// comes first ("Madison" is 34 ZIP codes in Dane County, one in Waukesha County).
        var cityZIPCounts: [String: [String: Int]] = [:]
        /// Every county of every state, without boundaries: fips → (state, name, full name).
        var counties: [String: (state: String, name: String, fullName: String)] = [:]
    }

    private let box = NIOLockedValueBox<Snapshot?>(nil)

    func snapshot(on db: any Database) async throws -> Snapshot {
        if let cached = box.withLockedValue({ $0 }) { return cached }
        var snapshot = Snapshot()
        for county in try await County.query(on: db).field(\.$id).field(\.$stateCode).field(\.$name).field(\.$fullName).all() {
            snapshot.counties[county.id!] = (county.stateCode, county.name, county.fullName)
        }
        let rows = try await ZipCounty.query(on: db).all()
        // A city is where its ZIP codes with land are (the Census's ZIP areas). A PO box or
        // one organisation's ZIP has no land share, and its recorded county can be far from
        // the city ("Madison" 53702, one office, is filed under Waukesha County): such ZIPs
        // place a city only when it has no other.
        let citiesWithLand = Set(rows.filter { $0.landShare != nil }.map { PlaceQuery.normalise($0.city) })
        for row in rows {
            snapshot.zips[row.zip, default: []].append(
                ZipEntry(
                    countyFIPS: row.countyFIPS, city: row.city, isPrimary: row.isPrimary, landShare: row.landShare, lat: row.lat,
                    lon: row.lon))
            // Keyed as search reads what people type (PlaceQuery): "st croix falls".
            let key = PlaceQuery.normalise(row.city)
            if row.landShare == nil && citiesWithLand.contains(key) { continue }
            snapshot.cities[key, default: []].insert(row.countyFIPS)
            snapshot.cityNames[key] = row.city
            snapshot.cityZIPCounts[key, default: [:]][row.countyFIPS, default: 0] += 1
        }
        box.withLockedValue { $0 = snapshot }
        return snapshot
    }

    func invalidate() { box.withLockedValue { $0 = nil } }
}

extension Application {
    private struct SearchIndexKey: StorageKey { typealias Value = SearchIndex }
    var searchIndex: SearchIndex {
        if let existing = storage[SearchIndexKey.self] { return existing }
        let new = SearchIndex()
        storage[SearchIndexKey.self] = new
        return new
    }
}
