import Foundation

// The encounter report is de-identified by design: every field is a date, a choice from a
// fixed list, or a yes/no. There is no field for a name, an address, a case number or a
// narrative, because a free-text box is where names end up, and a report that can never
// hold one can be shared with the county, the state and the public without a review.

/// When in the day the encounter happened, in four-hour blocks. An exact time, together
/// with the date and the county, can point to one person; a block cannot, and it still
/// shows whether CIT officers are on the shifts when crises happen.
public enum TimeBlock: String, CaseIterable, Codable, Sendable {
    case b00 = "00-04", b04 = "04-08", b08 = "08-12", b12 = "12-16", b16 = "16-20", b20 = "20-24"

    public var label: String {
        switch self {
        case .b00: "Midnight–4 AM"
        case .b04: "4 AM–8 AM"
        case .b08: "8 AM–Noon"
        case .b12: "Noon–4 PM"
        case .b16: "4 PM–8 PM"
        case .b20: "8 PM–Midnight"
        }
    }
}

/// How the call reached the officer; 988 transfers and mobile crisis requests are listed
/// on their own because programs are asked how many crises reach police at all.
public enum CallSource: String, CaseIterable, Codable, Sendable {
    case call911 = "911"
    case nonEmergency = "non_emergency"
    case officerInitiated = "officer_initiated"
    case transfer988 = "988_transfer"
    case mobileCrisis = "mobile_crisis"
    case other

    public var label: String {
        switch self {
        case .call911: "911 call"
        case .nonEmergency: "Non-emergency line"
        case .officerInitiated: "Officer-initiated"
        case .transfer988: "Transferred from 988"
        case .mobileCrisis: "Mobile crisis team request"
        case .other: "Other"
        }
    }
}

/// For facts the officer may not know on scene. "Unknown" is a real answer, so that an
/// officer who does not know is never pushed into guessing yes or no.
public enum YesNoUnknown: String, CaseIterable, Codable, Sendable {
    case yes, no, unknown

    public var label: String {
        switch self {
        case .yes: "Yes"
        case .no: "No"
        case .unknown: "Unknown"
        }
    }
}

/// The highest level of force used, in increasing order, so one choice describes the
/// encounter.
public enum ForceLevel: String, CaseIterable, Codable, Sendable {
    case none
    case physicalControl = "physical_control"
    case lessLethal = "less_lethal"
    case firearmDisplayed = "firearm_displayed"
    case deadlyForce = "deadly_force"

    public var label: String {
        switch self {
        case .none: "No force"
        case .physicalControl: "Physical control"
        case .lessLethal: "Less-lethal weapon"
        case .firearmDisplayed: "Firearm displayed or pointed"
        case .deadlyForce: "Deadly force"
        }
    }

    /// Whether this counts as force used. Displaying a firearm counts: many agencies'
    /// use-of-force policies make pointing a firearm at a person reportable force, and a
    /// person in crisis experiences it as force.
    public var isForce: Bool { self != .none }
}

/// Broad outcome a state's disposition maps to, so dashboards compare states.
public enum DispositionCategory: String, CaseIterable, Codable, Sendable, CodingKeyRepresentable {
    case resolvedOnScene = "resolved_on_scene"
    case referral
    case transport
    case detention
    case arrest
    case citation
    case noAction = "no_action"
    case other

    public var label: String {
        switch self {
        case .resolvedOnScene: "Resolved on scene"
        case .referral: "Referral"
        case .transport: "Transport"
        case .detention: "Detention"
        case .arrest: "Arrest"
        case .citation: "Citation"
        case .noAction: "No action"
        case .other: "Other"
        }
    }
}

/// One outcome on a state's list: the code stored in reports, the words the officer
/// picks from, and the broad category dashboards count it under.
public struct Disposition: Sendable, Equatable, Codable {
    public var code: String
    public var label: String
    public var category: DispositionCategory

    public init(code: String, label: String, category: DispositionCategory) {
        self.code = code
        self.label = label
        self.category = category
    }
}

/// A state's list. Configurable per state; CIT Hub starts with Wisconsin's.
///
/// States name their outcomes after their own law (an emergency detention in Wisconsin
/// is a 72-hour hold elsewhere), so officers choose from their state's words and the
/// category makes the counts comparable.
public struct DispositionCatalog: Sendable, Equatable, Codable {
    public var stateCode: String
    public var dispositions: [Disposition]

    public init(stateCode: String, dispositions: [Disposition]) {
        self.stateCode = stateCode
        self.dispositions = dispositions
    }

    /// The disposition with this code; case and surrounding spaces are ignored because
    /// codes also come from hand-made CSV files.
    public func disposition(code: String) -> Disposition? {
        let wanted = code.trimmingCharacters(in: .whitespaces).lowercased()
        return dispositions.first { $0.code.lowercased() == wanted }
    }

    /// Wisconsin default: resolved on scene; referral to county crisis services or mobile
    /// crisis; voluntary transport to hospital or crisis center; emergency detention
    /// (Wis. Stat. 51.15); arrest; citation; no action possible; other.
    public static let wisconsin = DispositionCatalog(
        stateCode: "WI",
        dispositions: [
            Disposition(code: "resolved_on_scene", label: "Resolved on scene", category: .resolvedOnScene),
            Disposition(code: "referral", label: "Referral to county crisis services or mobile crisis", category: .referral),
            Disposition(code: "voluntary_transport", label: "Voluntary transport to hospital or crisis center", category: .transport),
            Disposition(code: "emergency_detention", label: "Emergency detention (Wis. Stat. 51.15)", category: .detention),
            Disposition(code: "arrest", label: "Arrest", category: .arrest),
            Disposition(code: "citation", label: "Citation", category: .citation),
            Disposition(code: "no_action", label: "No action possible", category: .noAction),
            Disposition(code: "other", label: "Other", category: .other),
        ])

    /// The same outcomes in words that name no statute, for states whose list has not
    /// been entered yet. The codes match Wisconsin's so a CSV template works everywhere.
    static func generic(stateCode: String) -> DispositionCatalog {
        DispositionCatalog(
            stateCode: stateCode,
            dispositions: [
                Disposition(code: "resolved_on_scene", label: "Resolved on scene", category: .resolvedOnScene),
                Disposition(code: "referral", label: "Referral to crisis services or mobile crisis", category: .referral),
                Disposition(code: "voluntary_transport", label: "Voluntary transport to hospital or crisis center", category: .transport),
                Disposition(code: "emergency_detention", label: "Emergency detention or involuntary hold", category: .detention),
                Disposition(code: "arrest", label: "Arrest", category: .arrest),
                Disposition(code: "citation", label: "Citation", category: .citation),
                Disposition(code: "no_action", label: "No action possible", category: .noAction),
                Disposition(code: "other", label: "Other", category: .other),
            ])
    }

    /// The catalog for a state code ("WI", any case); other states get a generic list
    /// with the same categories (no Wisconsin statute named).
    public static func forState(_ code: String) -> DispositionCatalog {
        let normalized = code.trimmingCharacters(in: .whitespaces).uppercased()
        return normalized == "WI" ? wisconsin : generic(stateCode: normalized)
    }
}

/// A validated report.
public struct EncounterRecord: Sendable, Equatable, Codable {
    /// yyyy-MM-dd
    public var occurredOn: String
    public var timeBlock: TimeBlock
    /// An agency id string chosen from a list the caller gives.
    public var agencyKey: String
    /// 5 digits, from a list the caller gives.
    public var countyFIPS: String
    public var callSource: CallSource
    public var citRequested: Bool
    public var citDispatched: Bool
    public var citArrived: Bool
    /// Whether any officer on scene was CIT-trained, dispatched as CIT or not.
    public var citTrainedOnScene: Bool
    public var dispositionCode: String
    public var forceLevel: ForceLevel
    public var injuryPerson: Bool
    public var injuryOfficer: Bool
    public var injuryOther: Bool
    public var weaponInvolved: YesNoUnknown
    public var veteran: YesNoUnknown
    public var substanceUse: YesNoUnknown
    public var repeatContact: YesNoUnknown

    public init(
        occurredOn: String, timeBlock: TimeBlock, agencyKey: String, countyFIPS: String,
        callSource: CallSource, citRequested: Bool, citDispatched: Bool, citArrived: Bool,
        citTrainedOnScene: Bool, dispositionCode: String, forceLevel: ForceLevel,
        injuryPerson: Bool, injuryOfficer: Bool, injuryOther: Bool,
        weaponInvolved: YesNoUnknown, veteran: YesNoUnknown, substanceUse: YesNoUnknown,
        repeatContact: YesNoUnknown
    ) {
        self.occurredOn = occurredOn
        self.timeBlock = timeBlock
        self.agencyKey = agencyKey
        self.countyFIPS = countyFIPS
        self.callSource = callSource
        self.citRequested = citRequested
        self.citDispatched = citDispatched
        self.citArrived = citArrived
        self.citTrainedOnScene = citTrainedOnScene
        self.dispositionCode = dispositionCode
        self.forceLevel = forceLevel
        self.injuryPerson = injuryPerson
        self.injuryOfficer = injuryOfficer
        self.injuryOther = injuryOther
        self.weaponInvolved = weaponInvolved
        self.veteran = veteran
        self.substanceUse = substanceUse
        self.repeatContact = repeatContact
    }

    /// The quarter of `occurredOn`. Records from `EncounterFields.validate` always have a
    /// real date; one built by hand with a malformed date falls in year 0 rather than
    /// stopping the server.
    public var quarter: Quarter {
        Quarter.of(day: occurredOn) ?? Quarter(year: 0, quarter: 1)
    }

    /// The record as the raw values `EncounterFields.validate` reads, keyed by field name:
    /// what a form is refilled with and what a CSV export writes, so an export can be
    /// imported again unchanged.
    public var fieldValues: [String: String] {
        func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }
        return [
            EncounterFields.occurredOn: occurredOn,
            EncounterFields.timeBlock: timeBlock.rawValue,
            EncounterFields.agency: agencyKey,
            EncounterFields.countyFIPS: countyFIPS,
            EncounterFields.callSource: callSource.rawValue,
            EncounterFields.citRequested: yesNo(citRequested),
            EncounterFields.citDispatched: yesNo(citDispatched),
            EncounterFields.citArrived: yesNo(citArrived),
            EncounterFields.citTrainedOnScene: yesNo(citTrainedOnScene),
            EncounterFields.disposition: dispositionCode,
            EncounterFields.forceLevel: forceLevel.rawValue,
            EncounterFields.injuryPerson: yesNo(injuryPerson),
            EncounterFields.injuryOfficer: yesNo(injuryOfficer),
            EncounterFields.injuryOther: yesNo(injuryOther),
            EncounterFields.weaponInvolved: weaponInvolved.rawValue,
            EncounterFields.veteran: veteran.rawValue,
            EncounterFields.substanceUse: substanceUse.rawValue,
            EncounterFields.repeatContact: repeatContact.rawValue,
        ]
    }

    /// JSON uses the same field names as forms and CSV headers.
    private enum CodingKeys: String, CodingKey {
        case occurredOn = "occurred_on", timeBlock = "time_block", agencyKey = "agency"
        case countyFIPS = "county_fips", callSource = "call_source"
        case citRequested = "cit_requested", citDispatched = "cit_dispatched", citArrived = "cit_arrived"
        case citTrainedOnScene = "cit_trained_on_scene", dispositionCode = "disposition"
        case forceLevel = "force_level", injuryPerson = "injury_person", injuryOfficer = "injury_officer"
        case injuryOther = "injury_other", weaponInvolved = "weapon_involved", veteran
        case substanceUse = "substance_use", repeatContact = "repeat_contact"
    }
}

/// Why raw values are not a valid report: field name → message for the person who
/// filled it in, shown next to that field (or that CSV column).
public struct EncounterProblems: Error, Sendable, Equatable {
    public var byField: [String: String]

    public init(byField: [String: String]) {
        self.byField = byField
    }
}

public enum EncounterFields {
    public static let occurredOn = "occurred_on"
    public static let timeBlock = "time_block"
    public static let agency = "agency"
    public static let countyFIPS = "county_fips"
    public static let callSource = "call_source"
    public static let citRequested = "cit_requested"
    public static let citDispatched = "cit_dispatched"
    public static let citArrived = "cit_arrived"
    public static let citTrainedOnScene = "cit_trained_on_scene"
    public static let disposition = "disposition"
    public static let forceLevel = "force_level"
    public static let injuryPerson = "injury_person"
    public static let injuryOfficer = "injury_officer"
    public static let injuryOther = "injury_other"
    public static let weaponInvolved = "weapon_involved"
    public static let veteran = "veteran"
    public static let substanceUse = "substance_use"
    public static let repeatContact = "repeat_contact"

    /// Field names as used in forms, CSV headers and JSON, in form order. Every one is
    /// required: a missing answer is "unknown" or "no", chosen by the officer, never
    /// assumed by the server.
    public static let all: [String] = [
        occurredOn, timeBlock, agency, countyFIPS, callSource, citRequested, citDispatched,
        citArrived, citTrainedOnScene, disposition, forceLevel, injuryPerson, injuryOfficer,
        injuryOther, weaponInvolved, veteran, substanceUse, repeatContact,
    ]

    /// The question each field asks, for form labels and for naming a CSV column in words.
    public static let labels: [String: String] = [
        occurredOn: "Date of the encounter",
        timeBlock: "Time of day",
        agency: "Agency",
        countyFIPS: "County",
        callSource: "How the call came in",
        citRequested: "CIT officer requested",
        citDispatched: "CIT officer dispatched",
        citArrived: "CIT officer arrived",
        citTrainedOnScene: "CIT-trained officer on scene",
        disposition: "Disposition",
        forceLevel: "Highest force used",
        injuryPerson: "Person in crisis injured",
        injuryOfficer: "Officer injured",
        injuryOther: "Someone else injured",
        weaponInvolved: "Weapon involved",
        veteran: "Person is a veteran",
        substanceUse: "Substance use involved",
        repeatContact: "Repeat contact with this person",
    ]

    /// The earliest date a report may carry; earlier years are typing mistakes.
    public static let earliestDay = "2000-01-01"

    /// Validates raw string values (from a form, a CSV row or JSON).
    ///
    /// Booleans accept yes/no/true/false/1/0 (case-insensitive); the date must be a real
    /// date, not in the future (relative to `today`, yyyy-MM-dd), not before 2000-01-01;
    /// "arrived" without "dispatched" is refused; an unknown field name in `values` is
    /// refused, so a CSV column like "subject_name" cannot smuggle a name in. Leading and
    /// trailing spaces are ignored everywhere. Returns the record or field → message.
    public static func validate(
        _ values: [String: String], agencies: Set<String>, counties: Set<String>,
        catalog: DispositionCatalog, today: String
    ) -> Result<EncounterRecord, EncounterProblems> {
        EncounterValidator(agencies: agencies, counties: counties, catalog: catalog, today: today).validate(values)
    }

    static let unknownFieldMessage = "This column is not part of the report; reports hold no names."
    static let arrivedWithoutDispatchMessage = "A CIT officer can only arrive if one was dispatched."
}

/// The validation rules with the caller's lists prepared once, so a 50,000-row import
/// does not rebuild the agency lookup for every row.
struct EncounterValidator {
    let agencies: Set<String>
    let counties: Set<String>
    let catalog: DispositionCatalog
    let today: String
    /// Normalized agency name → the caller's spelling; nil value when two of the caller's
    /// agencies normalize alike, so neither is guessed.
    private let agenciesByNormalizedKey: [String: String?]

    init(agencies: Set<String>, counties: Set<String>, catalog: DispositionCatalog, today: String) {
        self.agencies = agencies
        self.counties = counties
        self.catalog = catalog
        self.today = today
        var byKey: [String: String?] = [:]
        for agency in agencies {
            let key = SeatPolicy.agencyKey(agency)
            if byKey[key] != nil {
                byKey[key] = .some(nil)
            } else {
                byKey[key] = .some(agency)
            }
        }
        agenciesByNormalizedKey = byKey
    }

    func validate(_ values: [String: String]) -> Result<EncounterRecord, EncounterProblems> {
        var problems: [String: String] = [:]
        let known = Set(EncounterFields.all)
        for name in values.keys where !known.contains(name) {
            problems[name] = EncounterFields.unknownFieldMessage
        }

        /// The trimmed value, or a "required" problem when it is missing or blank.
        func required(_ field: String, _ message: String) -> String? {
            let value = values[field]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if value.isEmpty {
                problems[field] = message
                return nil
            }
            return value
        }
        func yesNo(_ field: String) -> Bool? {
            guard let value = required(field, "Answer yes or no.") else { return nil }
            guard let answer = Self.bool(value) else {
                problems[field] = "Answer yes or no (yes/no, true/false or 1/0)."
                return nil
            }
            return answer
        }
        func yesNoUnknown(_ field: String) -> YesNoUnknown? {
            guard let value = required(field, "Answer yes, no or unknown.") else { return nil }
            if value.lowercased() == "unknown" { return .unknown }
            guard let answer = Self.bool(value) else {
                problems[field] = "Answer yes, no or unknown."
                return nil
            }
            return answer ? .yes : .no
        }
        func choice<T: RawRepresentable & CaseIterable>(_ field: String, _ type: T.Type, _ what: String) -> T?
        where T.RawValue == String {
            guard let value = required(field, "Choose \(what).") else { return nil }
            if let match = T.allCases.first(where: { $0.rawValue.lowercased() == value.lowercased() }) {
                return match
            }
            let options = T.allCases.map(\.rawValue).joined(separator: ", ")
            problems[field] = "Choose \(what); \"\(value)\" is not one of: \(options)."
            return nil
        }

        let occurredOn = day(values[EncounterFields.occurredOn], problems: &problems)
        let timeBlock = choice(EncounterFields.timeBlock, TimeBlock.self, "the time of day")
        let agency = agency(values[EncounterFields.agency], problems: &problems)
        let county = county(values[EncounterFields.countyFIPS], problems: &problems)
        let callSource = choice(EncounterFields.callSource, CallSource.self, "how the call came in")
        let citRequested = yesNo(EncounterFields.citRequested)
        let citDispatched = yesNo(EncounterFields.citDispatched)
        let citArrived = yesNo(EncounterFields.citArrived)
        let citTrainedOnScene = yesNo(EncounterFields.citTrainedOnScene)
        var dispositionCode: String?
        if let value = required(EncounterFields.disposition, "Choose a disposition.") {
            if let disposition = catalog.disposition(code: value) {
                dispositionCode = disposition.code
            } else {
                let codes = catalog.dispositions.map(\.code).joined(separator: ", ")
                problems[EncounterFields.disposition] =
                    "\"\(value)\" is not a disposition used in \(catalog.stateCode). Choose one of: \(codes)."
            }
        }
        let forceLevel = choice(EncounterFields.forceLevel, ForceLevel.self, "the highest force used")
        let injuryPerson = yesNo(EncounterFields.injuryPerson)
        let injuryOfficer = yesNo(EncounterFields.injuryOfficer)
        let injuryOther = yesNo(EncounterFields.injuryOther)
        let weaponInvolved = yesNoUnknown(EncounterFields.weaponInvolved)
        let veteran = yesNoUnknown(EncounterFields.veteran)
        let substanceUse = yesNoUnknown(EncounterFields.substanceUse)
        let repeatContact = yesNoUnknown(EncounterFields.repeatContact)

        if citArrived == true, citDispatched == false {
            problems[EncounterFields.citArrived] = EncounterFields.arrivedWithoutDispatchMessage
        }

        guard problems.isEmpty,
            let occurredOn, let timeBlock, let agency, let county, let callSource,
            let citRequested, let citDispatched, let citArrived, let citTrainedOnScene,
            let dispositionCode, let forceLevel, let injuryPerson, let injuryOfficer,
            let injuryOther, let weaponInvolved, let veteran, let substanceUse, let repeatContact
        else {
            return .failure(EncounterProblems(byField: problems))
        }
        return .success(
            EncounterRecord(
                occurredOn: occurredOn, timeBlock: timeBlock, agencyKey: agency, countyFIPS: county,
                callSource: callSource, citRequested: citRequested, citDispatched: citDispatched,
                citArrived: citArrived, citTrainedOnScene: citTrainedOnScene, dispositionCode: dispositionCode,
                forceLevel: forceLevel, injuryPerson: injuryPerson, injuryOfficer: injuryOfficer,
                injuryOther: injuryOther, weaponInvolved: weaponInvolved, veteran: veteran,
                substanceUse: substanceUse, repeatContact: repeatContact
            ))
    }

    /// yes/no/true/false/1/0, any case: what forms, spreadsheets and scripts write.
    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "yes", "true", "1": true
        case "no", "false", "0": false
        default: nil
        }
    }

    private func day(_ raw: String?, problems: inout [String: String]) -> String? {
        let field = EncounterFields.occurredOn
        let value = raw?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !value.isEmpty else {
            problems[field] = "Enter the date of the encounter."
            return nil
        }
        guard ClassTimes.parseDay(value) != nil else {
            problems[field] = "Enter the date as YYYY-MM-DD, for example 2026-08-14."
            return nil
        }
        guard CalendarDay.parse(value) != nil else {
            problems[field] = "\(value) is not a date on the calendar; check the month and day."
            return nil
        }
        // Both are strict yyyy-MM-dd, so comparing the text compares the days.
        guard value >= EncounterFields.earliestDay else {
            problems[field] = "The date is before \(EncounterFields.earliestDay); check the year."
            return nil
        }
        guard value <= today else {
            problems[field] = "The date is in the future; enter the day the encounter happened."
            return nil
        }
        return value
    }

    /// The caller's spelling of the agency. An exact match is taken first; otherwise the
    /// name is compared normalized (`SeatPolicy.agencyKey`), so "Madison  Police Dept" in a
    /// spreadsheet finds "madison police dept".
    private func agency(_ raw: String?, problems: inout [String: String]) -> String? {
        let field = EncounterFields.agency
        let value = raw?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !value.isEmpty else {
            problems[field] = "Choose the agency."
            return nil
        }
        if agencies.contains(value) { return value }
        switch agenciesByNormalizedKey[SeatPolicy.agencyKey(value)] {
        case .some(.some(let match)):
            return match
        case .some(.none):
            problems[field] = "\"\(value)\" matches more than one agency; use the agency's exact name from the list."
        case .none:
            problems[field] = "\"\(value)\" is not one of the agencies you can report for."
        }
        return nil
    }

    /// A 5-digit FIPS code from the caller's list. A 4-digit code gets its leading zero
    /// back: spreadsheets drop it from codes like 01001 (Autauga County, Alabama).
    private func county(_ raw: String?, problems: inout [String: String]) -> String? {
        let field = EncounterFields.countyFIPS
        var value = raw?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !value.isEmpty else {
            problems[field] = "Choose the county."
            return nil
        }
        guard value.allSatisfy({ $0.isASCII && $0.isNumber }), value.count == 4 || value.count == 5 else {
            problems[field] = "A county is given by its 5-digit FIPS code, such as 55025 for Dane County, Wisconsin."
            return nil
        }
        if value.count == 4 { value = "0" + value }
        guard counties.contains(value) else {
            problems[field] = "County \(value) is not one of the counties this program covers."
            return nil
        }
        return value
    }
}
