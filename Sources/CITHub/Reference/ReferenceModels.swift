import Fluent
import Vapor
import CITDomain

/// A county of the configured state. Keyed by its 5-digit FIPS code, which is stable and
/// what every data source uses; `state_code` lets one database hold any state.
final class County: Model, @unchecked Sendable {
    static let schema = "counties"

    @ID(custom: "fips", generatedBy: .user) var id: String?
    @Field(key: "state_code") var stateCode: String
    @Field(key: "name") var name: String
    @Field(key: "full_name") var fullName: String
    @Field(key: "population_2020") var population2020: Int
    @Field(key: "land_area_m2") var landAreaM2: Int64
    /// The boundary as GeoJSON geometry text (WGS84), unsimplified; maps simplify it once.
    @OptionalField(key: "boundary_geojson") var boundaryGeoJSON: String?
    @Field(key: "source") var source: String

    init() {}

    init(record: CountyRecord, boundary: String?, source: String) {
        self.id = record.fips
        self.stateCode = record.stateCode
        self.name = record.name
        self.fullName = record.fullName
        self.population2020 = record.population2020
        self.landAreaM2 = record.landAreaM2
        self.boundaryGeoJSON = boundary
        self.source = source
    }
}

/// A course of the catalog (CIT, CIP, CIT for dispatch, and those programs add).
final class Course: Model, @unchecked Sendable {
    static let schema = "courses"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "title") var title: String
    @Field(key: "required_hours") var requiredHours: Double
    @Field(key: "typical_days") var typicalDays: Int
    /// Audience raw values, comma-separated.
    @Field(key: "audiences") var audiences: String
    @Field(key: "summary") var summary: String
    @Field(key: "source") var source: String
    /// What completing the course takes, in words ("All 40 hours, every required module").
    @Field(key: "completion_rule") var completionRule: String

    init() {}

    /// The completion rule of the seeded courses (issue: training delivery computes it).
    static func defaultCompletionRule(code: String, hours: Double) -> String {
        switch code {
        case "CIT": "All 40 hours attended, including every required module and the role-plays."
        case "CIP": "Both days attended in full."
        default: "All \(hours == hours.rounded() ? String(Int(hours)) : String(hours)) hours attended."
        }
    }

    init(definition: CourseDefinition) {
        self.code = definition.code
        update(from: definition)
    }

    func update(from definition: CourseDefinition) {
        title = definition.title
        requiredHours = definition.requiredHours
        typicalDays = definition.typicalDays
        audiences = definition.audiences.map(\.rawValue).joined(separator: ",")
        summary = definition.summary
        source = definition.source
        completionRule = Course.defaultCompletionRule(code: definition.code, hours: definition.requiredHours)
    }

    var definition: CourseDefinition {
        CourseDefinition(
            code: code, title: title, requiredHours: requiredHours, typicalDays: typicalDays,
            audiences: audiences.split(separator: ",").compactMap { Audience(rawValue: String($0)) }, summary: summary, source: source)
    }
}

/// A curriculum topic area a class agenda is made of.
final class CurriculumTopicRecord: Model, @unchecked Sendable {
    static let schema = "curriculum_topics"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "title") var title: String
    @Field(key: "description") var description: String
    @Field(key: "source") var source: String

    init() {}

    init(topic: CurriculumTopic) {
        self.code = topic.code
        self.title = topic.title
        self.description = topic.description
        self.source = topic.source
    }
}

/// Loads counties, the course catalog and curriculum topics. Idempotent: rows that exist
/// are left as they are (courses and topics are matched by code), so it runs at every
/// start and after an upgrade adds a course.
enum ReferenceData {
    static let countySource =
        "US Census Bureau: cartographic boundary file cb_2016_us_county_500k; Vintage 2021 population estimates base (April 1, 2020). See Resources/reference/README.md."

    struct Summary: Equatable { var countiesAdded = 0; var coursesAdded = 0; var topicsAdded = 0 }

    static func load(on database: any Database, stateCode: String, logger: Logger) async throws -> Summary {
        var summary = Summary()
        let existingCounties = try await County.query(on: database).filter(\.$stateCode == stateCode).count()
        if existingCounties == 0 {
            guard
                let csvURL = Bundle.module.url(
                    forResource: "\(stateCode.lowercased())-counties", withExtension: "csv", subdirectory: "reference")
            else {
                logger.warning("no county file for state \(stateCode); the directory will have no counties")
                return try await loadCatalog(on: database, summary: summary)
            }
            let records = try CountyFile.parse(csv: String(contentsOf: csvURL, encoding: .utf8), stateCode: stateCode)
            let boundaries: [String: String] =
                try Bundle.module.url(
                    forResource: "\(stateCode.lowercased())-counties", withExtension: "geojson", subdirectory: "reference"
                )
                .map { try CountyBoundaries.parse(geoJSON: Data(contentsOf: $0)) } ?? [:]
            try await database.transaction { tx in
                for record in records {
                    try await County(record: record, boundary: boundaries[record.fips], source: countySource).create(on: tx)
                }
            }
            summary.countiesAdded = records.count
        }
        return try await loadCatalog(on: database, summary: summary)
    }

    private static func loadCatalog(on database: any Database, summary: Summary) async throws -> Summary {
        var summary = summary
        let courseCodes = Set(try await Course.query(on: database).all().map(\.code))
        let topicCodes = Set(try await CurriculumTopicRecord.query(on: database).all().map(\.code))
        let newCourses = CourseCatalog.courses.filter { !courseCodes.contains($0.code) }
        let newTopics = CourseCatalog.topics.filter { !topicCodes.contains($0.code) }
        try await database.transaction { tx in
            for definition in newCourses { try await Course(definition: definition).create(on: tx) }
            for topic in newTopics { try await CurriculumTopicRecord(topic: topic).create(on: tx) }
        }
        summary.coursesAdded = newCourses.count
        summary.topicsAdded = newTopics.count
        return summary
    }
}
