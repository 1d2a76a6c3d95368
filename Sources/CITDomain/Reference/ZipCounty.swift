import Foundation

/// One (ZIP code, county) pair: how the directory answers "which county am I in?"
/// for a ZIP code.
///
/// A ZIP code can span several counties (53066 Oconomowoc spans four), so a ZIP has
/// one record per county, and exactly one of them is marked primary. Primary means the
/// largest share of the ZIP's **land**, not of its people: for a multi-county ZIP the
/// app should show every county and let the person pick.
public struct ZipCountyRecord: Sendable, Equatable, Hashable, Codable {
    /// Five-digit ZIP code (the Census ZCTA code where there is one).
    public var zip: String
    /// Five-digit FIPS code of the county.
    public var countyFips: String
    /// "Dane County".
    public var countyName: String
    /// Postal code of the county's state: "WI", or "MI" for the sliver of 54540 (Land
    /// O' Lakes) in Gogebic County, Michigan.
    public var state: String
    /// Fraction (0...1) of the ZIP's land in this county; `nil` for ZIPs that are not
    /// Census ZCTAs (PO-box-only and single-organisation ZIPs), which have no area.
    public var landShare: Double?
    /// The county with the largest land share, or the only county.
    public var isPrimary: Bool
    /// USPS preferred city name: "Oconomowoc".
    public var city: String
    /// `STANDARD`, `PO BOX` or `UNIQUE` (a ZIP of one organisation).
    public var zipType: String
    /// `false` for retired ZIP codes, kept so old addresses still resolve.
    public var active: Bool
    /// Centre point of the ZIP (GeoNames, CC BY 4.0: attribute GeoNames where shown).
    public var lat: Double?
    /// Centre point of the ZIP (GeoNames, CC BY 4.0: attribute GeoNames where shown).
    public var lon: Double?
    /// County whose boundary contains the centre point, when that differs from the
    /// listed county it is a reason to check; `nil` if the point is in Lake Michigan.
    public var pointCountyFips: String?

    public init(
        zip: String, countyFips: String, countyName: String, state: String, landShare: Double?,
        isPrimary: Bool, city: String, zipType: String, active: Bool, lat: Double?, lon: Double?,
        pointCountyFips: String?
    ) {
        self.zip = zip
        self.countyFips = countyFips
        self.countyName = countyName
        self.state = state
        self.landShare = landShare
        self.isPrimary = isPrimary
        self.city = city
        self.zipType = zipType
        self.active = active
        self.lat = lat
        self.lon = lon
        self.pointCountyFips = pointCountyFips
    }
}

/// Reads `wi-zip-county.csv` (see the reference data README for its columns).
public enum ZipCountyFile {

    /// The columns the file must have; others (`county_count`, `county_source`) are
    /// derivable or provenance and are ignored.
    public static let columns = [
        "zip", "county_fips", "county_name", "county_state", "land_share", "is_primary",
        "city", "zip_type", "active", "lat", "lon", "point_county_fips",
    ]

    /// Parses and checks every row, then checks that each ZIP has exactly one primary
    /// county and no county twice, because the ZIP search relies on both.
    /// - Throws: `ReferenceDataError` naming the line (or the ZIP), `CSVTable.Problem`
    ///   or `CSV.ParseError`.
    public static func parse(csv: String) throws -> [ZipCountyRecord] {
        let table = try CSVTable(parsing: csv)
        try table.requireColumns(columns)
        let records = try table.rows.map(record(from:))

        var primaries: [String: Int] = [:]
        var pairs = Set<[String]>()
        for (record, row) in zip(records, table.rows) {
            guard pairs.insert([record.zip, record.countyFips]).inserted else {
                throw ReferenceDataError.line(row.line, "ZIP \(record.zip) lists county \(record.countyFips) twice.")
            }
            primaries[record.zip, default: 0] += record.isPrimary ? 1 : 0
        }
        if let (zip, count) = primaries.sorted(by: { $0.key < $1.key }).first(where: { $0.value != 1 }) {
            throw ReferenceDataError(
                location: "ZIP \(zip)",
                reason: "has \(count) primary counties; each ZIP needs exactly one row with is_primary 1."
            )
        }
        return records
    }

    private static func record(from row: CSVTable.Row) throws -> ZipCountyRecord {
        let zip = try ReferenceField.digits(row, "zip", count: 5, what: "ZIP code")
        let countyFips = try ReferenceField.digits(row, "county_fips", count: 5, what: "FIPS code")
        let state = try ReferenceField.text(row, "county_state")
        guard state.count == 2, state.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw ReferenceDataError.line(row.line, "county_state \"\(state)\" is not a two-letter postal code.")
        }
        let primaryText = try row.value("is_primary")
        guard primaryText == "0" || primaryText == "1" else {
            throw ReferenceDataError.line(row.line, "is_primary \"\(primaryText)\" is neither 0 nor 1.")
        }
        let activeText = try row.value("active").lowercased()
        guard activeText == "true" || activeText == "false" else {
            throw ReferenceDataError.line(row.line, "active \"\(activeText)\" is neither true nor false.")
        }
        let pointText = try row.value("point_county_fips")
        guard pointText.isEmpty || ReferenceField.isDigits(pointText, count: 5) else {
            throw ReferenceDataError.line(row.line, "point_county_fips \"\(pointText)\" is not 5 digits.")
        }
        let lat = try ReferenceField.optionalDouble(row, "lat", in: -90...90)
        let lon = try ReferenceField.optionalDouble(row, "lon", in: -180...180)
        guard (lat == nil) == (lon == nil) else {
            throw ReferenceDataError.line(row.line, "ZIP \(zip) has only one of lat and lon.")
        }
        return ZipCountyRecord(
            zip: zip,
            countyFips: countyFips,
            countyName: try ReferenceField.text(row, "county_name"),
            state: state,
            landShare: try ReferenceField.optionalDouble(row, "land_share", in: 0...1),
            isPrimary: primaryText == "1",
            city: try row.value("city"),
            zipType: try row.value("zip_type"),
            active: activeText == "true",
            lat: lat,
            lon: lon,
            pointCountyFips: pointText.isEmpty ? nil : pointText
        )
    }
}
