import Foundation

/// A county as the directory, the map and the coverage figures know it.
///
/// FIPS is a string because codes keep their leading zeros (01001 is Autauga County,
/// Alabama); Wisconsin's are 55001-55141 plus 55078, Menominee County.
public struct CountyRecord: Sendable, Equatable, Hashable, Codable {
    /// Two-letter postal code of the state, "WI".
    public var stateCode: String
    /// Five-digit county FIPS code: two for the state, three for the county.
    public var fips: String
    /// Short name as the Census Bureau writes it: "Fond du Lac", "St. Croix".
    public var name: String
    /// Name with its kind: "Fond du Lac County".
    public var fullName: String
    /// Residents on 1 April 2020 (2020 Census count), for per-capita figures.
    public var population2020: Int
    /// Land area in square metres (2020 Census), for density; water excluded.
    public var landAreaM2: Int64

    public init(stateCode: String, fips: String, name: String, fullName: String, population2020: Int, landAreaM2: Int64) {
        self.stateCode = stateCode
        self.fips = fips
        self.name = name
        self.fullName = fullName
        self.population2020 = population2020
        self.landAreaM2 = landAreaM2
    }
}

/// Reads a county reference file such as `wi-counties.csv`
/// (columns `fips,name,name_full,population_2020,land_area_m2_2020`).
public enum CountyFile {

    /// The columns the file must have; others are ignored.
    public static let columns = ["fips", "name", "name_full", "population_2020", "land_area_m2_2020"]

    /// Parses and checks every row: 5-digit FIPS codes of one state, no code twice,
    /// names present, a whole non-negative population and a positive land area.
    ///
    /// - Parameters:
    ///   - csv: the file's text.
    ///   - stateCode: the state the file describes ("WI"); the file itself does not say.
    /// - Throws: `ReferenceDataError` naming the line, `CSVTable.Problem` or `CSV.ParseError`.
    public static func parse(csv: String, stateCode: String) throws -> [CountyRecord] {
        guard stateCode.count == 2, stateCode.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw ReferenceDataError(location: "state code", reason: "\"\(stateCode)\" is not a two-letter postal code such as WI.")
        }
        let table = try CSVTable(parsing: csv)
        try table.requireColumns(columns)
        var seen: [String: Int] = [:]
        var statePrefix: String?
        return try table.rows.map { row in
            let fips = try ReferenceField.digits(row, "fips", count: 5, what: "FIPS code")
            if let earlier = seen[fips] {
                throw ReferenceDataError.line(row.line, "FIPS code \(fips) already appears on line \(earlier).")
            }
            seen[fips] = row.line
            let prefix = String(fips.prefix(2))
            if let statePrefix, statePrefix != prefix {
                throw ReferenceDataError.line(
                    row.line, "FIPS code \(fips) is in state \(prefix), but earlier rows are in state \(statePrefix)."
                )
            }
            statePrefix = prefix

            let populationText = try row.value("population_2020")
            guard let population = Int(populationText), population >= 0 else {
                throw ReferenceDataError.line(
                    row.line, "population_2020 \"\(populationText)\" of \(fips) is not a whole number of people."
                )
            }
            let areaText = try row.value("land_area_m2_2020")
            guard let area = Int64(areaText), area > 0 else {
                throw ReferenceDataError.line(
                    row.line, "land_area_m2_2020 \"\(areaText)\" of \(fips) is not a positive whole number of square metres."
                )
            }
            return CountyRecord(
                stateCode: stateCode,
                fips: fips,
                name: try ReferenceField.text(row, "name"),
                fullName: try ReferenceField.text(row, "name_full"),
                population2020: population,
                landAreaM2: area
            )
        }
    }
}
