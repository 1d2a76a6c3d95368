import Foundation

/// A program as the directory shows and exports it: plain values, built by the web layer
/// from its records, so every export format is written (and tested) without a database.
public struct DirectoryProgram: Sendable, Equatable {
    public struct Partner: Sendable, Equatable {
        public var organizationID: UUID
        public var name: String
        public var kind: OrganizationKind
        public var role: PartnerRole
        public init(organizationID: UUID, name: String, kind: OrganizationKind, role: PartnerRole) {
            self.organizationID = organizationID; self.name = name; self.kind = kind; self.role = role
        }
    }

    public struct CountyRef: Sendable, Equatable {
        public var fips: String
        public var name: String
        public init(fips: String, name: String) { self.fips = fips; self.name = name }
    }

    public var id: UUID
    public var name: String
    public var kinds: [ProgramKind]
    public var status: ProgramStatus
    public var counties: [CountyRef]
    public var partners: [Partner]
    public var yearStarted: Int?
    public var citAccreditedOn: Date?
    public var cipAccreditedOn: Date?
    public var accreditationNote: String?
    public var website: String?
    public var email: String?
    public var phone: String?
    public var description: String
    public var lastVerifiedAt: Date?
    public var sourceURL: String?
    public var sourceDate: String?

    public init(
        id: UUID, name: String, kinds: [ProgramKind], status: ProgramStatus, counties: [CountyRef], partners: [Partner],
        yearStarted: Int? = nil, citAccreditedOn: Date? = nil, cipAccreditedOn: Date? = nil, accreditationNote: String? = nil,
        website: String? = nil, email: String? = nil, phone: String? = nil, description: String = "",
        lastVerifiedAt: Date? = nil, sourceURL: String? = nil, sourceDate: String? = nil
    ) {
        self.id = id; self.name = name; self.kinds = kinds; self.status = status; self.counties = counties; self.partners = partners
        self.yearStarted = yearStarted; self.citAccreditedOn = citAccreditedOn; self.cipAccreditedOn = cipAccreditedOn
        self.accreditationNote = accreditationNote; self.website = website; self.email = email; self.phone = phone
        self.description = description; self.lastVerifiedAt = lastVerifiedAt; self.sourceURL = sourceURL; self.sourceDate = sourceDate
    }

    /// "Verified on …" or "reported by <source> on <date>, not yet verified".
    public var provenance: String {
        if let verified = lastVerifiedAt {
            return "Verified on \(DirectoryExport.day(verified))."
        }
        let host = sourceURL.flatMap { URL(string: $0.components(separatedBy: " ; ").first ?? $0)?.host } ?? "a public source"
        let when = (sourceDate?.isEmpty == false) ? " on \(sourceDate!)" : " (undated)"
        return "Reported by \(host)\(when), not yet verified."
    }
}

/// The directory's export formats: CSV, GeoJSON (one feature per county), and Open
/// Referral HSDS 3 services.
public enum DirectoryExport {
    public static let csvHeader = [
        "program_id", "program", "kinds", "status", "county_fips", "counties", "partners",
        "year_started", "cit_accredited_on", "cip_accredited_on", "website", "email", "phone",
        "last_verified", "source_url", "source_date",
    ]

    public static func csv(_ programs: [DirectoryProgram]) -> String {
        CSV.document(
            header: csvHeader,
            rows: programs.map { p in
                [
                    p.id.uuidString.lowercased(), p.name, p.kinds.map(\.rawValue).joined(separator: ";"), p.status.rawValue,
                    p.counties.map(\.fips).joined(separator: ";"), p.counties.map(\.name).joined(separator: ";"),
                    p.partners.map { "\($0.name) (\($0.kind.title.lowercased()))" }.joined(separator: "; "),
                    p.yearStarted.map(String.init) ?? "", p.citAccreditedOn.map(day) ?? "", p.cipAccreditedOn.map(day) ?? "",
                    p.website ?? "", p.email ?? "", p.phone ?? "", p.lastVerifiedAt.map(day) ?? "", p.sourceURL ?? "", p.sourceDate ?? "",
                ]
            })
    }

    /// A GeoJSON FeatureCollection: one feature per county with its coverage and the ids
    /// and names of the programs serving it.
    public static func geoJSON(counties: [(fips: String, name: String, geometryJSON: String?)], programs: [DirectoryProgram]) throws -> Data
    {
        var features: [[String: Any]] = []
        for county in counties {
            let serving = programs.filter { $0.counties.contains { $0.fips == county.fips } }
            let coverage = Coverage.classify(serving.map { (Set($0.kinds), $0.status) })
            let geometry: Any = try county.geometryJSON.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) } ?? NSNull()
            features.append([
                "type": "Feature",
                "id": county.fips,
                "geometry": geometry,
                "properties": [
                    "fips": county.fips,
                    "name": county.name,
                    "coverage": coverage.rawValue,
                    "programs": serving.map {
                        [
                            "id": $0.id.uuidString.lowercased(), "name": $0.name, "kinds": $0.kinds.map(\.rawValue),
                            "verified": $0.lastVerifiedAt != nil,
                        ]
                    },
                ] as [String: Any],
            ])
        }
        return try JSONSerialization.data(withJSONObject: ["type": "FeatureCollection", "features": features], options: [.sortedKeys])
    }

    /// Open Referral HSDS 3: each program is a service (its partnership the organization),
    /// each county it serves a service area with the county's GeoJSON as extent. Wrapped
    /// in HSDS's paginated list shape (all on one page).
    public static func hsds(_ programs: [DirectoryProgram], boundaries: [String: String], lastModified: Date = Date()) throws -> Data {
        let services: [[String: Any]] = programs.map { p in
            let organizationID = StableUUID.make("organization:" + p.id.uuidString)
            var service: [String: Any] = [
                "id": p.id.uuidString.lowercased(),
                "organization_id": organizationID,
                "name": p.name,
                "description": p.description.isEmpty
                    ? "\(p.kinds.map(\.rawValue).joined(separator: ", ")) training and crisis response partnership." : p.description,
                "status": hsdsStatus(p.status),
                "organization": [
                    "id": organizationID,
                    "name": p.name,
                    "description": "Local Crisis Intervention Team partnership"
                        + (p.partners.isEmpty ? "." : " of " + p.partners.map(\.name).joined(separator: ", ") + "."),
                ] as [String: Any],
                "service_areas": p.counties.map { county -> [String: Any] in
                    var area: [String: Any] = [
                        "id": StableUUID.make("area:\(p.id.uuidString):\(county.fips)"), "service_id": p.id.uuidString.lowercased(),
                        "name": county.name + " County",
                    ]
                    if let extent = boundaries[county.fips] { area["extent"] = extent; area["extent_type"] = "geojson" }
                    return area
                },
                "last_modified": ISO8601DateFormatter().string(from: p.lastVerifiedAt ?? lastModified),
            ]
            if let website = p.website, !website.isEmpty { service["url"] = website }
            if let email = p.email, !email.isEmpty { service["email"] = email }
            if let phone = p.phone, !phone.isEmpty {
                service["phones"] = [
                    ["id": StableUUID.make("phone:" + p.id.uuidString), "service_id": p.id.uuidString.lowercased(), "number": phone]
                ]
            }
            var accreditations: [String] = []
            if let date = p.citAccreditedOn { accreditations.append("CIT accredited \(day(date))") }
            if let date = p.cipAccreditedOn { accreditations.append("CIP accredited \(day(date))") }
            if let note = p.accreditationNote, !note.isEmpty, accreditations.isEmpty { accreditations.append(note) }
            if !accreditations.isEmpty { service["accreditations"] = accreditations.joined(separator: "; ") }
            return service
        }
        let list: [String: Any] = [
            "total_items": services.count, "total_pages": 1, "page_number": 1, "size": services.count,
            "first_page": true, "last_page": true, "empty": services.isEmpty, "contents": services,
        ]
        return try JSONSerialization.data(withJSONObject: list, options: [.sortedKeys])
    }

    static func hsdsStatus(_ status: ProgramStatus) -> String {
        switch status {
        case .active: "active"
        case .forming: "inactive"
        case .inactive: "defunct"
        }
    }

    public static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}

/// A UUID derived from a name (FNV-1a over the bytes, two 64-bit halves), so exports give
/// the same ids every time without storing them.
public enum StableUUID {
    public static func make(_ name: String) -> String {
        func fnv(_ seed: UInt64) -> UInt64 {
            var hash: UInt64 = 0xcbf29ce484222325 ^ seed
            for byte in name.utf8 { hash ^= UInt64(byte); hash = hash &* 0x100000001b3 }
            return hash
        }
        var bytes = withUnsafeBytes(of: fnv(1).bigEndian, Array.init) + withUnsafeBytes(of: fnv(2).bigEndian, Array.init)
        bytes[6] = (bytes[6] & 0x0f) | 0x80  // version 8: custom
        bytes[8] = (bytes[8] & 0x3f) | 0x80  // RFC 4122 variant
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [
            hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20),
        ]
        return parts.joined(separator: "-")
    }
}
