import Fluent
import Vapor
import NIOConcurrencyHelpers
import CITDomain

/// The state's county shapes, projected and simplified once per process (they change
/// only with the reference data).
final class StateMapCache: Sendable {
    private let box = NIOLockedValueBox<(shapes: [CountyShape], viewBox: String)?>(nil)

    func shapes(on db: any Database, stateCode: String) async throws -> (shapes: [CountyShape], viewBox: String) {
        if let cached = box.withLockedValue({ $0 }) { return cached }
        let counties = try await County.query(on: db).filter(\.$stateCode == stateCode).all()
        let input = counties.compactMap { c in c.boundaryGeoJSON.map { (fips: c.id!, name: c.name, geometryJSON: $0) } }
        guard let (shapes, projection) = try StateMap.shapes(counties: input) else { return ([], "0 0 1000 1000") }
        let result = (shapes, projection.viewBox)
        box.withLockedValue { $0 = result }
        return result
    }
}

extension Application {
    private struct StateMapCacheKey: StorageKey { typealias Value = StateMapCache }
    var stateMapCache: StateMapCache {
        if let existing = storage[StateMapCacheKey.self] { return existing }
        let new = StateMapCache()
        storage[StateMapCacheKey.self] = new
        return new
    }
}

/// Which of the state's counties border which (`CountyNeighbours`), worked out once per
/// process from the boundaries: they change only with the reference data.
final class CountyNeighboursCache: Sendable {
    private let box = NIOLockedValueBox<CountyNeighbours?>(nil)

    func neighbours(on db: any Database, stateCode: String) async throws -> CountyNeighbours {
        if let cached = box.withLockedValue({ $0 }) { return cached }
        let counties = try await County.query(on: db).filter(\.$stateCode == stateCode).all()
        let result = try CountyNeighbours(
            boundaries: Dictionary(uniqueKeysWithValues: counties.compactMap { c in c.boundaryGeoJSON.map { (c.id!, $0) } }))
        box.withLockedValue { $0 = result }
        return result
    }
}

extension Application {
    private struct CountyNeighboursCacheKey: StorageKey { typealias Value = CountyNeighboursCache }
    var countyNeighbours: CountyNeighboursCache {
        if let existing = storage[CountyNeighboursCacheKey.self] { return existing }
        let new = CountyNeighboursCache()
        storage[CountyNeighboursCacheKey.self] = new
        return new
    }
}
