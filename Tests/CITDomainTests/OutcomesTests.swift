import Foundation
import Testing
@testable import CITDomain
#if canImport(FoundationXML)
    import FoundationXML
#endif

// Every suite here is named "Outcomes…" so that `swift test --filter Outcomes` runs them.

private let agencies: Set<String> = ["madison police dept", "dane county sheriff", "town of vienna, police"]
private let counties: Set<String> = ["55025", "55001", "01001"]
private let today = "2026-08-20"

/// A complete, valid report as a form would post it.
private func validValues() -> [String: String] {
    [
        "occurred_on": "2026-08-14",
        "time_block": "20-24",
        "agency": "madison police dept",
        "county_fips": "55025",
        "call_source": "911",
        "cit_requested": "yes",
        "cit_dispatched": "yes",
        "cit_arrived": "yes",
        "cit_trained_on_scene": "yes",
        "disposition": "emergency_detention",
        "force_level": "none",
        "injury_person": "no",
        "injury_officer": "no",
        "injury_other": "no",
        "weapon_involved": "unknown",
        "veteran": "yes",
        "substance_use": "no",
        "repeat_contact": "unknown",
    ]
}

private func validate(_ values: [String: String], catalog: DispositionCatalog = .wisconsin) -> Result<EncounterRecord, EncounterProblems> {
    EncounterFields.validate(values, agencies: agencies, counties: counties, catalog: catalog, today: today)
}

/// The problems of invalid values; an empty dictionary (failing the caller's check) if they were valid.
private func problems(_ values: [String: String]) -> [String: String] {
    if case .failure(let problems) = validate(values) { return problems.byField }
    return [:]
}

private func with(_ field: String, _ value: String?) -> [String: String] {
    var values = validValues()
    values[field] = value
    return values
}

// MARK: - Encounter validation

@Suite struct OutcomesEncounterTests {

    @Test func aCompleteReportValidates() throws {
        // MUT
        let record = try validate(validValues()).get()
        // validate
        #expect(record.occurredOn == "2026-08-14")
        #expect(record.timeBlock == .b20)
        #expect(record.agencyKey == "madison police dept")
        #expect(record.countyFIPS == "55025")
        #expect(record.callSource == .call911)
        #expect(record.citRequested && record.citDispatched && record.citArrived && record.citTrainedOnScene)
        #expect(record.dispositionCode == "emergency_detention")
        #expect(record.forceLevel == ForceLevel.none)
        #expect(!record.injuryPerson && !record.injuryOfficer && !record.injuryOther)
        #expect(
            record.weaponInvolved == .unknown && record.veteran == .yes && record.substanceUse == .no && record.repeatContact == .unknown)
        #expect(record.quarter == Quarter(year: 2026, quarter: 3))
    }

    @Test func fieldValuesValidateBackToTheSameRecord() throws {
        let record = try validate(validValues()).get()
        #expect(Set(record.fieldValues.keys) == Set(EncounterFields.all))
        #expect(try validate(record.fieldValues).get() == record)
    }

    @Test func jsonUsesTheFormFieldNames() throws {
        let record = try validate(validValues()).get()
        let data = try JSONEncoder().encode(record)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == Set(EncounterFields.all))
        #expect(object["county_fips"] as? String == "55025")
        #expect(try JSONDecoder().decode(EncounterRecord.self, from: data) == record)
    }

    @Test func fieldListIsInFormOrderAndEveryFieldHasALabel() {
        #expect(
            EncounterFields.all == [
                "occurred_on", "time_block", "agency", "county_fips", "call_source", "cit_requested",
                "cit_dispatched", "cit_arrived", "cit_trained_on_scene", "disposition", "force_level",
                "injury_person", "injury_officer", "injury_other", "weapon_involved", "veteran",
                "substance_use", "repeat_contact",
            ])
        #expect(EncounterFields.all.allSatisfy { EncounterFields.labels[$0]?.isEmpty == false })
    }

    @Test func everyFieldIsRequired() {
        for field in EncounterFields.all {
            // missing key and blank value are both refused, on that field only
            let missing = problems(with(field, nil))
            #expect(Array(missing.keys) == [field], "\(field) missing")
            let blank = problems(with(field, "   "))
            #expect(Array(blank.keys) == [field], "\(field) blank")
        }
    }

    @Test func booleansAcceptTheUsualSpellingsInAnyCase() throws {
        let spellings: [(String, Bool)] = [
            ("yes", true), ("YES", true), (" Yes ", true), ("true", true), ("TRUE", true), ("1", true),
            ("no", false), ("No", false), ("false", false), ("False", false), ("0", false),
        ]
        for (text, expected) in spellings {
            let record = try validate(with("injury_officer", text)).get()
            #expect(record.injuryOfficer == expected, "\(text)")
        }
        for text in ["y", "maybe", "2", "unknown"] {
            #expect(problems(with("injury_officer", text))["injury_officer"] == "Answer yes or no (yes/no, true/false or 1/0).", "\(text)")
        }
    }

    @Test func yesNoUnknownFields() throws {
        #expect(try validate(with("veteran", "Unknown")).get().veteran == .unknown)
        #expect(try validate(with("veteran", "no")).get().veteran == .no)
        #expect(try validate(with("veteran", "1")).get().veteran == .yes)
        #expect(problems(with("veteran", "perhaps"))["veteran"] == "Answer yes, no or unknown.")
    }

    @Test func dateMustBeARealPastDayFrom2000() throws {
        #expect(problems(with("occurred_on", "2026-8-14"))["occurred_on"] == "Enter the date as YYYY-MM-DD, for example 2026-08-14.")
        #expect(problems(with("occurred_on", "08/14/2026"))["occurred_on"] == "Enter the date as YYYY-MM-DD, for example 2026-08-14.")
        #expect(
            problems(with("occurred_on", "2026-02-30"))["occurred_on"]
                == "2026-02-30 is not a date on the calendar; check the month and day.")
        #expect(problems(with("occurred_on", "2025-02-29"))["occurred_on"] != nil)
        #expect(try validate(with("occurred_on", "2024-02-29")).get().occurredOn == "2024-02-29")
        // the future is refused; today is fine
        #expect(
            problems(with("occurred_on", "2026-08-21"))["occurred_on"] == "The date is in the future; enter the day the encounter happened."
        )
        #expect(try validate(with("occurred_on", today)).get().occurredOn == today)
        // before 2000 is a typo
        #expect(problems(with("occurred_on", "1999-12-31"))["occurred_on"] == "The date is before 2000-01-01; check the year.")
        #expect(try validate(with("occurred_on", "2000-01-01")).get().quarter == Quarter(year: 2000, quarter: 1))
    }

    @Test func arrivedWithoutDispatchedIsRefused() throws {
        // setup
        var values = validValues()
        values["cit_dispatched"] = "no"
        values["cit_arrived"] = "yes"
        // MUT + validate: the message sits on "arrived", the answer that cannot be
        #expect(problems(values) == ["cit_arrived": "A CIT officer can only arrive if one was dispatched."])
        // dispatched but not arrived is a real outcome
        values["cit_dispatched"] = "yes"
        values["cit_arrived"] = "no"
        #expect(try validate(values).get().citArrived == false)
        // requested and not dispatched too
        values["cit_requested"] = "yes"
        values["cit_dispatched"] = "no"
        #expect(try validate(values).get().citDispatched == false)
    }

    @Test func anUnknownFieldIsRefusedBecauseReportsHoldNoNames() {
        var values = validValues()
        values["subject_name"] = "Jane Doe"
        values["narrative"] = ""
        #expect(
            problems(values) == [
                "subject_name": "This column is not part of the report; reports hold no names.",
                "narrative": "This column is not part of the report; reports hold no names.",
            ])
    }

    @Test func agencyMustBeFromTheListButSpacingAndCaseDoNotMatter() throws {
        #expect(try validate(with("agency", "Madison  Police DEPT ")).get().agencyKey == "madison police dept")
        #expect(problems(with("agency", "Fitchburg PD"))["agency"] == "\"Fitchburg PD\" is not one of the agencies you can report for.")
        // two of the caller's agencies that differ only in spacing: neither is guessed
        let twins: Set<String> = ["Madison PD", "madison  pd"]
        let result = EncounterFields.validate(
            with("agency", "MADISON PD"), agencies: twins, counties: counties, catalog: .wisconsin, today: today)
        guard case .failure(let problems) = result else {
            Issue.record("an ambiguous agency was accepted")
            return
        }
        #expect(problems.byField["agency"]?.contains("more than one agency") == true)
        // an exact spelling still picks one
        let exact = EncounterFields.validate(
            with("agency", "madison  pd"), agencies: twins, counties: counties, catalog: .wisconsin, today: today)
        #expect(try exact.get().agencyKey == "madison  pd")
    }

    @Test func countyIsAFIPSCodeFromTheList() throws {
        #expect(try validate(with("county_fips", " 55001 ")).get().countyFIPS == "55001")
        #expect(problems(with("county_fips", "55003"))["county_fips"] == "County 55003 is not one of the counties this program covers.")
        #expect(
            problems(with("county_fips", "Dane"))["county_fips"]
                == "A county is given by its 5-digit FIPS code, such as 55025 for Dane County, Wisconsin.")
        #expect(problems(with("county_fips", "550250"))["county_fips"] != nil)
        // a spreadsheet dropped the leading zero of 01001
        #expect(try validate(with("county_fips", "1001")).get().countyFIPS == "01001")
    }

    @Test func choicesAreMatchedWithoutCaseAndListTheOptionsWhenWrong() throws {
        #expect(try validate(with("time_block", "04-08")).get().timeBlock == .b04)
        #expect(try validate(with("call_source", "988_TRANSFER")).get().callSource == .transfer988)
        #expect(try validate(with("force_level", "Less_Lethal")).get().forceLevel == .lessLethal)
        #expect(
            problems(with("time_block", "4-8"))["time_block"]
                == "Choose the time of day; \"4-8\" is not one of: 00-04, 04-08, 08-12, 12-16, 16-20, 20-24.")
        #expect(problems(with("force_level", "taser"))["force_level"]?.contains("less_lethal") == true)
        #expect(problems(with("call_source", "radio"))["call_source"]?.hasPrefix("Choose how the call came in;") == true)
    }

    @Test func dispositionComesFromTheStatesCatalog() throws {
        #expect(try validate(with("disposition", "Emergency_Detention")).get().dispositionCode == "emergency_detention")
        let message = try #require(problems(with("disposition", "jail"))["disposition"])
        #expect(message.hasPrefix("\"jail\" is not a disposition used in WI. Choose one of: resolved_on_scene"))
        // a state's own catalog is what counts
        let minnesota = DispositionCatalog(
            stateCode: "MN", dispositions: [Disposition(code: "hold_72", label: "72-hour hold", category: .detention)])
        #expect(try validate(with("disposition", "hold_72"), catalog: minnesota).get().dispositionCode == "hold_72")
        if case .success = validate(with("disposition", "emergency_detention"), catalog: minnesota) {
            Issue.record("a Wisconsin code was accepted for Minnesota")
        }
    }

    @Test func severalProblemsAreAllReported() {
        var values = validValues()
        values["occurred_on"] = "2030-01-01"
        values["agency"] = "nobody"
        values["veteran"] = "perhaps"
        #expect(Set(problems(values).keys) == ["occurred_on", "agency", "veteran"])
    }
}

@Suite struct OutcomesCatalogTests {

    @Test func wisconsinCatalogNamesChapter51() {
        let wisconsin = DispositionCatalog.wisconsin
        #expect(wisconsin.stateCode == "WI")
        #expect(wisconsin.dispositions.count == 8)
        #expect(wisconsin.disposition(code: "emergency_detention")?.label == "Emergency detention (Wis. Stat. 51.15)")
        #expect(wisconsin.disposition(code: "emergency_detention")?.category == .detention)
        #expect(wisconsin.disposition(code: "referral")?.label == "Referral to county crisis services or mobile crisis")
        #expect(wisconsin.disposition(code: "nope") == nil)
        // codes are unique, and every category is used
        #expect(Set(wisconsin.dispositions.map(\.code)).count == wisconsin.dispositions.count)
        #expect(Set(wisconsin.dispositions.map(\.category)) == Set(DispositionCategory.allCases))
    }

    @Test func otherStatesGetTheGenericListWithoutWisconsinLaw() {
        #expect(DispositionCatalog.forState(" wi ") == .wisconsin)
        let minnesota = DispositionCatalog.forState("mn")
        #expect(minnesota.stateCode == "MN")
        #expect(!minnesota.dispositions.contains { $0.label.contains("Wis.") || $0.label.contains("51.15") })
        #expect(minnesota.dispositions.map(\.category) == DispositionCatalog.wisconsin.dispositions.map(\.category))
        #expect(minnesota.dispositions.map(\.code) == DispositionCatalog.wisconsin.dispositions.map(\.code))
    }

    @Test func labelsAndForce() {
        #expect(TimeBlock.b00.label == "Midnight–4 AM")
        #expect(TimeBlock.allCases.map(\.rawValue) == ["00-04", "04-08", "08-12", "12-16", "16-20", "20-24"])
        for labels in [
            TimeBlock.allCases.map(\.label), CallSource.allCases.map(\.label), ForceLevel.allCases.map(\.label),
            DispositionCategory.allCases.map(\.label), YesNoUnknown.allCases.map(\.label),
        ] {
            #expect(Set(labels).count == labels.count && labels.allSatisfy { !$0.isEmpty })
        }
        #expect(ForceLevel.none.isForce == false)
        #expect(ForceLevel.allCases.filter(\.isForce) == [.physicalControl, .lessLethal, .firearmDisplayed, .deadlyForce])
        #expect(CallSource.transfer988.rawValue == "988_transfer")
    }
}

// MARK: - CSV import

private let header = EncounterFields.all.joined(separator: ",")

/// A CSV line for `values`, columns in `EncounterFields.all` order.
private func csvLine(_ values: [String: String]) -> String {
    CSV.line(EncounterFields.all.map { values[$0] ?? "" })
}

private func importCSV(_ text: String) -> Result<[EncounterRecord], [ImportRowProblem]> {
    EncounterImport.parse(text, agencies: agencies, counties: counties, catalog: .wisconsin, today: today)
}

private func importProblems(_ text: String) -> [ImportRowProblem] {
    if case .failure(let problems) = importCSV(text) { return problems }
    return []
}

@Suite struct OutcomesImportTests {

    @Test func validRowsInAnyColumnOrderAreImported() throws {
        // setup: columns reversed, header names with odd case and spaces
        let reversed = EncounterFields.all.reversed()
        let text =
            reversed.map { " \($0.uppercased()) " }.joined(separator: ",") + "\r\n"
            + CSV.line(reversed.map { validValues()[$0] ?? "" }) + "\r\n"
            + CSV.line(reversed.map { with("occurred_on", "2026-01-02")[$0] ?? "" }) + "\r\n"
        // MUT
        let records = try importCSV(text).get()
        // validate
        #expect(records.count == 2)
        #expect(records.map(\.occurredOn) == ["2026-08-14", "2026-01-02"])
        #expect(records.map(\.quarter.label) == ["2026 Q3", "2026 Q1"])
    }

    @Test func oneBadRowRejectsTheWholeFileWithLineNumbers() {
        // setup: line 2 fine, line 3 bad agency, line 4 fine, line 5 future date and arrived without dispatch
        var bad = with("cit_dispatched", "no")
        bad["occurred_on"] = "2027-01-01"
        let text = [header, csvLine(validValues()), csvLine(with("agency", "Fitchburg PD")), csvLine(validValues()), csvLine(bad)]
            .joined(separator: "\n")
        // MUT
        let problems = importProblems(text)
        // validate: nothing is imported; every problem is listed, in form order within a line
        #expect(
            problems == [
                ImportRowProblem(line: 3, field: "agency", message: "\"Fitchburg PD\" is not one of the agencies you can report for."),
                ImportRowProblem(
                    line: 5, field: "occurred_on", message: "The date is in the future; enter the day the encounter happened."),
                ImportRowProblem(line: 5, field: "cit_arrived", message: "A CIT officer can only arrive if one was dispatched."),
            ])
    }

    @Test func missingColumnsAreOneProblemOnLineOne() {
        let columns = EncounterFields.all.filter { $0 != "veteran" && $0 != "agency" }
        let text = columns.joined(separator: ",") + "\n" + CSV.line(columns.map { validValues()[$0] ?? "" }) + "\n"
        #expect(
            importProblems(text) == [
                ImportRowProblem(
                    line: 1, field: "",
                    message: "The file is missing these columns: agency, veteran. Every report field needs a column."
                )
            ])
    }

    @Test func anExtraColumnIsRefusedWithTheNoNamesMessage() {
        let text = header + ",subject_name\n" + csvLine(validValues()) + ",Jane Doe\n"
        // only the header problem: repeating it on every row would bury it
        #expect(
            importProblems(text) == [
                ImportRowProblem(
                    line: 1, field: "subject_name", message: "This column is not part of the report; reports hold no names."
                )
            ])
    }

    @Test func aRepeatedColumnIsRefused() {
        let text = header + ",veteran\n" + csvLine(validValues()) + ",no\n"
        #expect(importProblems(text) == [ImportRowProblem(line: 1, field: "veteran", message: "This column appears more than once.")])
    }

    @Test func quotedFieldsAndLineBreaksInsideThemKeepLineNumbersRight() throws {
        // setup: row 1 has a quoted agency with a comma; row 2 a quoted agency across two
        // lines (lines 3-4); row 3, on line 5, is wrong
        var commaAgency = validValues()
        commaAgency["agency"] = "Town of Vienna, Police"
        let lines = [
            header,
            csvLine(commaAgency),
            csvLine(with("agency", "madison\npolice dept")),
            csvLine(with("time_block", "\"late\"")),
        ]
        let text = lines.joined(separator: "\r\n") + "\r\n"
        #expect(lines[1].contains("\"Town of Vienna, Police\""))
        // MUT + validate
        let problems = importProblems(text)
        #expect(problems.map(\.line) == [5])
        #expect(problems.first?.field == "time_block")
        // without the bad row, both quoted rows import
        let records = try importCSV(lines.prefix(3).joined(separator: "\r\n")).get()
        #expect(records.map(\.agencyKey) == ["town of vienna, police", "madison police dept"])
    }

    @Test func anEmptyFileIsAProblem() {
        for text in ["", "\n\n", "\u{FEFF}"] {
            let problems = importProblems(text)
            #expect(problems.count == 1)
            #expect(problems.first?.line == 1)
            #expect(
                problems.first?.message.hasPrefix("The file is empty. Its first line must name the columns: occurred_on, time_block")
                    == true)
        }
    }

    @Test func aHeaderOnlyFileHoldsZeroRecords() throws {
        #expect(try importCSV(header).get() == [])
        #expect(try importCSV("\u{FEFF}" + header + "\r\n\r\n").get() == [])
        #expect(try importCSV(EncounterImport.document([])).get() == [])
    }

    @Test func aLineWithTheWrongNumberOfValues() {
        let text = header + "\n" + csvLine(validValues()) + ",extra\n2026-08-01,00-04\n"
        #expect(
            importProblems(text) == [
                ImportRowProblem(line: 2, field: "", message: "This line has 19 values; the first line names 18 columns."),
                ImportRowProblem(line: 3, field: "", message: "This line has 2 values; the first line names 18 columns."),
            ])
    }

    @Test func anUnclosedQuoteNamesItsLine() {
        let text = header + "\n" + csvLine(validValues()) + "\n\"2026-08-01,00-04\n"
        let problems = importProblems(text)
        #expect(problems.count == 1)
        #expect(problems.first?.line == 3)
        #expect(problems.first?.message.contains("never closed") == true)
    }

    @Test func problemsAreCappedAtTwoHundredWithASummary() throws {
        // setup: 250 rows (lines 2...251), each with one problem
        let bad = csvLine(with("veteran", "perhaps"))
        let text = header + "\n" + Array(repeating: bad, count: 250).joined(separator: "\n")
        // MUT
        let problems = importProblems(text)
        // validate
        #expect(problems.count == 201)
        #expect(problems[199] == ImportRowProblem(line: 201, field: "veteran", message: "Answer yes, no or unknown."))
        let summary = try #require(problems.last)
        #expect(summary.line == 202)
        #expect(summary.field == "")
        #expect(
            summary.message
                == "50 more problems from this line on are not listed. Fix the ones above and upload the file again to see the rest.")
    }

    @Test func moreThanTheMaximumRowsIsRefusedAtOnce() {
        let text = header + "\n" + String(repeating: "x\n", count: EncounterImport.maxRows + 1)
        let problems = importProblems(text)
        #expect(
            problems == [
                ImportRowProblem(
                    line: EncounterImport.maxRows + 2, field: "",
                    message: "The file has 50001 reports; at most 50000 can be imported at once. Split it into smaller files."
                )
            ])
    }

    @Test func anExportImportsBackUnchanged() throws {
        let first = try validate(validValues()).get()
        let second = try validate(with("agency", "Town of Vienna, Police")).get()
        let document = EncounterImport.document([first, second])
        #expect(document.hasPrefix(header + "\r\n"))
        #expect(try importCSV(document).get() == [first, second])
    }
}

// MARK: - Quarters

@Suite struct OutcomesQuarterTests {

    @Test func quarterOfADay() {
        #expect(Quarter.of(day: "2026-08-14") == Quarter(year: 2026, quarter: 3))
        #expect(Quarter.of(day: "2026-01-01")?.quarter == 1)
        #expect(Quarter.of(day: "2026-03-31")?.quarter == 1)
        #expect(Quarter.of(day: "2026-04-01")?.quarter == 2)
        #expect(Quarter.of(day: "2026-12-31")?.quarter == 4)
        #expect(Quarter.of(day: "2026-13-01") == nil)
        #expect(Quarter.of(day: "2026-02-30") == nil)
        #expect(Quarter.of(day: "August 2026") == nil)
    }

    @Test func labelAndKey() {
        let quarter = Quarter(year: 2026, quarter: 3)
        #expect(quarter.label == "2026 Q3")
        #expect(quarter.key == "2026Q3")
        #expect(Quarter(key: "2026Q3") == quarter)
        #expect(Quarter(key: "2026q3") == quarter)
        for bad in ["2026Q5", "2026Q0", "26Q1", "2026-Q1", "2026", "Q3", "2026Q3x", "２０２６Q1"] {
            #expect(Quarter(key: bad) == nil, "\(bad)")
        }
    }

    @Test func nextAndPreviousCrossYears() {
        #expect(Quarter(year: 2026, quarter: 4).next() == Quarter(year: 2027, quarter: 1))
        #expect(Quarter(year: 2026, quarter: 1).next() == Quarter(year: 2026, quarter: 2))
        #expect(Quarter(year: 2027, quarter: 1).previous() == Quarter(year: 2026, quarter: 4))
        // quarter numbers out of range carry into the year
        #expect(Quarter(year: 2026, quarter: 5) == Quarter(year: 2027, quarter: 1))
        #expect(Quarter(year: 2026, quarter: 0) == Quarter(year: 2025, quarter: 4))
        #expect(Quarter(year: 2026, quarter: -4) == Quarter(year: 2024, quarter: 4))
    }

    @Test func orderAndKeysSortAlike() {
        let quarters = [
            Quarter(year: 2026, quarter: 1), Quarter(year: 2025, quarter: 4), Quarter(year: 2026, quarter: 3),
            Quarter(year: 2025, quarter: 2),
        ]
        let sorted = quarters.sorted()
        #expect(sorted.map(\.label) == ["2025 Q2", "2025 Q4", "2026 Q1", "2026 Q3"])
        #expect(quarters.map(\.key).sorted() == sorted.map(\.key))
        #expect(Quarter(year: 2025, quarter: 4) < Quarter(year: 2026, quarter: 1))
    }

    @Test func daysAndRanges() {
        #expect(Quarter(year: 2026, quarter: 3).firstDay == "2026-07-01")
        #expect(Quarter(year: 2026, quarter: 3).lastDay == "2026-09-30")
        #expect(Quarter(year: 2026, quarter: 1).lastDay == "2026-03-31")
        #expect(Quarter(year: 2026, quarter: 4).lastDay == "2026-12-31")
        let range = Quarter.range(from: Quarter(year: 2025, quarter: 3), to: Quarter(year: 2026, quarter: 2))
        #expect(range.map(\.key) == ["2025Q3", "2025Q4", "2026Q1", "2026Q2"])
        #expect(Quarter.range(from: Quarter(year: 2026, quarter: 2), to: Quarter(year: 2026, quarter: 1)).isEmpty)
    }

    @Test func codableRefusesAQuarterThatDoesNotExist() throws {
        let quarter = Quarter(year: 2026, quarter: 2)
        #expect(try JSONDecoder().decode(Quarter.self, from: JSONEncoder().encode(quarter)) == quarter)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Quarter.self, from: Data(#"{"year":2026,"quarter":7}"#.utf8))
        }
    }
}

// MARK: - Coverage

@Suite struct OutcomesCoverageTests {

    private let shifts = [
        ShiftCount(name: "Days", patrolOfficers: 40, citTrained: 10),
        ShiftCount(name: "Evenings", patrolOfficers: 35, citTrained: 7),
        ShiftCount(name: "Nights", patrolOfficers: 25, citTrained: 3),
    ]

    @Test func nineteenPercentFallsShortAndTwentyMeetsTheShare() {
        // setup: 100 patrol officers, shifts all covered
        let nineteen = AgencyCoverageInput(agencyKey: "mpd", patrolOfficers: 100, citTrainedPatrol: 19, shifts: shifts)
        // MUT
        let short = CoverageRules.evaluate(nineteen, target: .memphisModel)
        var twenty = nineteen
        twenty.citTrainedPatrol = 20
        let met = CoverageRules.evaluate(twenty, target: .memphisModel)
        // validate
        #expect(short.share == 0.19)
        #expect(!short.meetsShare && !short.meetsTarget)
        #expect(short.neededForTarget == 1)
        #expect(met.share == 0.20)
        #expect(met.meetsShare && met.meetsTarget)
        #expect(met.neededForTarget == 0)
    }

    @Test func theShareRoundsUpToWholeOfficers() {
        #expect(CoverageRules.required(patrolOfficers: 12, target: .memphisModel) == 3)
        #expect(CoverageRules.required(patrolOfficers: 10, target: .memphisModel) == 2)
        #expect(CoverageRules.required(patrolOfficers: 1, target: .memphisModel) == 1)
        #expect(CoverageRules.required(patrolOfficers: 7, target: CoverageTarget(share: 0.25)) == 2)
        let small = CoverageRules.evaluate(
            AgencyCoverageInput(
                agencyKey: "v", patrolOfficers: 12, citTrainedPatrol: 2,
                shifts: [ShiftCount(name: "All", patrolOfficers: 12, citTrained: 2)]), target: .memphisModel)
        #expect(!small.meetsShare && small.neededForTarget == 1)
    }

    @Test func zeroPatrolOfficersHasNoShareAndDoesNotMeetTheTarget() {
        let result = CoverageRules.evaluate(
            AgencyCoverageInput(agencyKey: "x", patrolOfficers: 0, citTrainedPatrol: 0, shifts: []), target: .memphisModel)
        #expect(result.share == nil)
        #expect(!result.meetsShare && !result.meetsTarget)
        #expect(result.neededForTarget == 0)
    }

    @Test func anUncoveredShiftFailsTheTargetButNotTheShare() {
        var uncovered = shifts
        uncovered[2].citTrained = 0
        let input = AgencyCoverageInput(agencyKey: "mpd", patrolOfficers: 100, citTrainedPatrol: 25, shifts: uncovered)
        let result = CoverageRules.evaluate(input, target: .memphisModel)
        #expect(result.meetsShare)
        #expect(result.uncoveredShifts == ["Nights"])
        #expect(!result.meetsTarget)
        // a program that only counts the share
        #expect(CoverageRules.evaluate(input, target: CoverageTarget(share: 0.2, everyShift: false)).meetsTarget)
        // a shift with no officers at all has nobody to cover
        var withEmpty = shifts
        withEmpty.append(ShiftCount(name: "Reserve", patrolOfficers: 0, citTrained: 0))
        #expect(
            CoverageRules.evaluate(
                AgencyCoverageInput(agencyKey: "mpd", patrolOfficers: 100, citTrainedPatrol: 20, shifts: withEmpty), target: .memphisModel
            ).uncoveredShifts.isEmpty)
    }

    @Test func withoutShiftsEveryShiftCannotBeShown() {
        let result = CoverageRules.evaluate(
            AgencyCoverageInput(agencyKey: "mpd", patrolOfficers: 100, citTrainedPatrol: 30), target: .memphisModel)
        #expect(result.meetsShare)
        #expect(!result.shiftsReported)
        #expect(!result.meetsTarget)
    }

    @Test func combineSumsAgenciesAndNamesTheirUncoveredShifts() {
        // setup: Madison 20 of 100 all shifts covered; Vienna 0 of 8 with one shift; an unnamed agency
        let madison = AgencyCoverageInput(agencyKey: "mpd", patrolOfficers: 100, citTrainedPatrol: 20, shifts: shifts)
        let vienna = AgencyCoverageInput(
            agencyKey: "vpd", patrolOfficers: 8, citTrainedPatrol: 0, shifts: [ShiftCount(name: "Nights", patrolOfficers: 4, citTrained: 0)]
        )
        let other = AgencyCoverageInput(
            agencyKey: "opd", patrolOfficers: 2, citTrainedPatrol: 1, shifts: [ShiftCount(name: "Days", patrolOfficers: 2, citTrained: 0)])
        // MUT
        let county = CoverageRules.combine(
            [madison, vienna, other], names: ["mpd": "Madison PD", "vpd": "Vienna PD"], target: .memphisModel)
        // validate: 21 of 110 is 19.1%; 22 are needed
        #expect(county.patrolOfficers == 110)
        #expect(county.citTrained == 21)
        #expect(county.share == 21.0 / 110.0)
        #expect(!county.meetsShare)
        #expect(county.neededForTarget == 1)
        #expect(county.uncoveredShifts == ["Vienna PD: Nights", "opd: Days"])
        #expect(!county.meetsTarget)
        // an empty county has no share
        #expect(CoverageRules.combine([], names: [:], target: .memphisModel).share == nil)
    }

    @Test func theTargetNamesItsSource() {
        #expect(CoverageTarget.memphisModel == CoverageTarget())
        #expect(CoverageTarget.memphisModel.share == 0.20 && CoverageTarget.memphisModel.everyShift)
        #expect(CoverageTarget.source.contains("20-25%"))
    }

    @Test func aSoundFormHasNoProblems() {
        #expect(CoverageRules.problems(patrolOfficers: 100, swornOfficers: 120, shifts: shifts).isEmpty)
        #expect(CoverageRules.problems(patrolOfficers: 100, swornOfficers: 120, shifts: shifts, citTrainedPatrol: 20).isEmpty)
        #expect(CoverageRules.problems(patrolOfficers: 0, swornOfficers: 0, shifts: []).isEmpty)
    }

    @Test func formProblemsSitOnTheirFields() {
        #expect(
            CoverageRules.problems(patrolOfficers: -1, swornOfficers: 100_001, shifts: []) == [
                "patrol_officers": "Enter a number from 0 to 100000.",
                "sworn_officers": "Enter a number from 0 to 100000.",
            ])
        #expect(
            CoverageRules.problems(patrolOfficers: 130, swornOfficers: 120, shifts: [])["patrol_officers"]?.contains(
                "more patrol officers (130) than sworn officers (120)") == true)
        #expect(
            CoverageRules.problems(patrolOfficers: 100, swornOfficers: 120, shifts: [], citTrainedPatrol: 101)["cit_trained_patrol"]
                == "CIT-trained patrol officers cannot be more than the 100 patrol officers.")
        // shifts add up to more than the agency has
        #expect(
            CoverageRules.problems(patrolOfficers: 90, swornOfficers: 120, shifts: shifts)["shifts"]
                == "The shifts add up to 100 patrol officers, more than the 90 patrol officers entered above.")
        #expect(
            CoverageRules.problems(patrolOfficers: 100, swornOfficers: 120, shifts: shifts, citTrainedPatrol: 15)["shifts"]
                == "The shifts add up to 20 CIT-trained officers, more than the 15 entered above.")
        // one shift's own numbers and names
        let bad = [
            ShiftCount(name: " ", patrolOfficers: 5, citTrained: 1),
            ShiftCount(name: "Nights", patrolOfficers: 5, citTrained: 6),
            ShiftCount(name: "nights", patrolOfficers: -2, citTrained: 0),
        ]
        let problems = CoverageRules.problems(patrolOfficers: 100, swornOfficers: 120, shifts: bad)
        #expect(
            problems == [
                "shift_0_name": "Give the shift a name, such as \"Nights\".",
                "shift_1_trained": "CIT-trained officers on this shift cannot be more than its 5 patrol officers.",
                "shift_2_name": "Another shift already has this name; give each shift its own.",
                "shift_2_patrol": "Enter a number from 0 to 100000.",
            ])
        #expect(CoverageFields.shift(1, .trained) == "shift_1_trained")
        // at most 12 shifts
        let thirteen = (1...13).map { ShiftCount(name: "Shift \($0)", patrolOfficers: 1, citTrained: 0) }
        #expect(
            CoverageRules.problems(patrolOfficers: 100, swornOfficers: 120, shifts: thirteen)["shifts"]
                == "List at most 12 shifts; combine shifts that overlap.")
        #expect(CoverageRules.problems(patrolOfficers: 100, swornOfficers: 120, shifts: Array(thirteen.prefix(12))).isEmpty)
    }
}

// MARK: - Suppression

/// What a reader of a published table can work out by subtraction: every row and column
/// of the table with its totals adds up, so a line with one hidden entry gives it away,
/// and each entry found can open another line. Returns the positions (in the grid with
/// totals: row `rows` = column totals, column `columns` = row totals) the reader recovers,
/// with the value they get.
private func derivable(_ table: SuppressedTable) -> [String: Int] {
    let rows = table.rowLabels.count, columns = table.columnLabels.count
    var grid = [[Int?]](repeating: [Int?](repeating: nil, count: columns + 1), count: rows + 1)
    for row in 0..<rows {
        for column in 0..<columns { grid[row][column] = table.cells[row][column] }
        grid[row][columns] = table.rowTotals[row]
    }
    for column in 0..<columns { grid[rows][column] = table.columnTotals[column] }
    grid[rows][columns] = table.grandTotal

    var lines: [[(Int, Int)]] = []
    for row in 0...rows { lines.append((0...columns).map { (row, $0) }) }
    for column in 0...columns { lines.append((0...rows).map { ($0, column) }) }

    var recovered: [String: Int] = [:]
    var progress = true
    while progress {
        progress = false
        for line in lines {
            let unknown = line.filter { grid[$0.0][$0.1] == nil }
            guard unknown.count == 1, let (row, column) = unknown.first else { continue }
            let parts = line.dropLast()
            let total = line[line.count - 1]
            let value: Int
            if (row, column) == total {
                value = parts.reduce(0) { $0 + (grid[$1.0][$1.1] ?? 0) }
            } else {
                value = (grid[total.0][total.1] ?? 0) - parts.reduce(0) { $0 + (grid[$1.0][$1.1] ?? 0) }
            }
            grid[row][column] = value
            recovered["\(row),\(column)"] = value
            progress = true
        }
    }
    return recovered
}

/// Checks a suppressed table against its source: shown values are true, every small
/// count is hidden, and nothing hidden can be recovered by subtraction.
private func checkSafe(
    _ source: CountTable, _ result: SuppressedTable, threshold: Int = 5, sourceLocation: SourceLocation = #_sourceLocation
) {
    let rows = source.rowLabels.count, columns = source.columnLabels.count
    func small(_ value: Int) -> Bool { value > 0 && value < threshold }
    for row in 0..<rows {
        for column in 0..<columns {
            let count = source.count(row: row, column: column)
            if let shown = result.cells[row][column] {
                #expect(shown == count, sourceLocation: sourceLocation)
            }
            if small(count) { #expect(result.cells[row][column] == nil, sourceLocation: sourceLocation) }
        }
        let total = (0..<columns).reduce(0) { $0 + source.count(row: row, column: $1) }
        if let shown = result.rowTotals[row] { #expect(shown == total, sourceLocation: sourceLocation) }
        if small(total) { #expect(result.rowTotals[row] == nil, sourceLocation: sourceLocation) }
    }
    for column in 0..<columns {
        let total = (0..<rows).reduce(0) { $0 + source.count(row: $1, column: column) }
        if let shown = result.columnTotals[column] { #expect(shown == total, sourceLocation: sourceLocation) }
        if small(total) { #expect(result.columnTotals[column] == nil, sourceLocation: sourceLocation) }
    }
    #expect(derivable(result).isEmpty, "recoverable: \(derivable(result))", sourceLocation: sourceLocation)
}

@Suite struct OutcomesSuppressionTests {

    @Test func fourIsSuppressedAndFiveIsShown() {
        let four = Suppression.apply(CountTable(rowLabels: ["Dane"], columnLabels: ["Arrest"], cells: [[4]]))
        #expect(four.cells == [[nil]])
        #expect(four.rowTotals == [nil] && four.columnTotals == [nil] && four.grandTotal == nil)
        let five = Suppression.apply(CountTable(rowLabels: ["Dane"], columnLabels: ["Arrest"], cells: [[5]]))
        #expect(five.cells == [[5]])
        #expect(five.rowTotals == [5] && five.columnTotals == [5] && five.grandTotal == 5)
        #expect(five.display(five.cells[0][0]) == "5")
        #expect(four.display(four.cells[0][0]) == "<5")
    }

    @Test func zeroIsShown() {
        let source = CountTable(rowLabels: ["Dane", "Adams"], columnLabels: ["Arrest", "Referral"], cells: [[0, 12], [0, 30]])
        let result = Suppression.apply(source)
        #expect(result.cells == [[0, 12], [0, 30]])
        #expect(result.rowTotals == [12, 30])
        #expect(result.columnTotals == [0, 42])
        #expect(result.grandTotal == 42)
    }

    @Test func aRowWithOneSuppressedCellAndAShownTotalLosesItsNextSmallestCell() {
        // setup: 3 is hidden; the row total 31 would give it away as 31 - 8 - 20
        let source = CountTable(rowLabels: ["Dane"], columnLabels: ["Arrest", "Referral", "Resolved"], cells: [[3, 8, 20]])
        // MUT
        let result = Suppression.apply(source)
        // validate: 8, the smallest shown nonzero cell, is hidden too; 20 stays
        #expect(result.cells == [[nil, nil, 20]])
        #expect(result.rowTotals == [31])
        checkSafe(source, result)
    }

    @Test func theSmallestNonzeroCellIsTheComplementNotAZero() {
        let source = CountTable(
            rowLabels: ["Dane", "Adams"], columnLabels: ["A", "B", "C", "D"], cells: [[2, 0, 9, 30], [40, 0, 50, 60]])
        let result = Suppression.apply(source)
        #expect(result.cells[0] == [nil, 0, nil, 30])
        checkSafe(source, result)
    }

    @Test func aColumnWithOneSuppressedCellLosesItsNextSmallestCell() {
        let source = CountTable(rowLabels: ["Dane", "Adams", "Sauk"], columnLabels: ["Detention"], cells: [[3], [8], [20]])
        let result = Suppression.apply(source)
        #expect(result.cells == [[nil], [nil], [20]])
        #expect(result.columnTotals == [31])
        checkSafe(source, result)
    }

    @Test func totalsBelowTheThresholdAreSuppressed() {
        // setup: Adams has 3 encounters in all
        let source = CountTable(rowLabels: ["Dane", "Adams"], columnLabels: ["Arrest", "Referral"], cells: [[10, 10], [2, 1]])
        // MUT
        let result = Suppression.apply(source)
        // validate
        #expect(result.rowTotals[1] == nil)
        #expect(result.cells[1] == [nil, nil])
        checkSafe(source, result)
        // and a grand total below the threshold
        let tiny = Suppression.apply(CountTable(rowLabels: ["a", "b"], columnLabels: ["x", "y"], cells: [[1, 1], [1, 0]]))
        #expect(tiny.grandTotal == nil)
        #expect(tiny.cells == [[nil, nil], [nil, 0]])
        #expect(tiny.rowTotals == [nil, nil] && tiny.columnTotals == [nil, nil])
    }

    @Test func theCheckerCatchesPrimarySuppressionAlone() {
        // setup: only the small cell hidden, as a naive table would publish it
        let naive = SuppressedTable(
            rowLabels: ["Dane"], columnLabels: ["A", "B"], cells: [[nil, 9]], rowTotals: [12], columnTotals: [nil, 9], grandTotal: 12)
        // validate: the reader gets 3 back, so the checker below means something
        #expect(derivable(naive)["0,0"] == 3)
    }

    @Test func noSuppressedCellCanBeRecoveredInManyTables() {
        // setup: deterministic pseudo-random tables with many small counts
        var seed: UInt64 = 0x5EED
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        for _ in 0..<300 {
            let rows = 1 + next(6), columns = 1 + next(6)
            let cells = (0..<rows).map { _ in
                (0..<columns).map { _ in
                    switch next(4) {
                    case 0: 0
                    case 1: 1 + next(4)
                    default: next(60)
                    }
                }
            }
            let source = CountTable(rowLabels: (0..<rows).map { "r\($0)" }, columnLabels: (0..<columns).map { "c\($0)" }, cells: cells)
            // MUT + validate
            checkSafe(source, Suppression.apply(source))
            checkSafe(source, Suppression.apply(source, threshold: 11), threshold: 11)
        }
    }

    @Test func raggedAndEmptyTablesDoNotStopThePage() {
        let ragged = Suppression.apply(CountTable(rowLabels: ["a", "b"], columnLabels: ["x", "y"], cells: [[10]]))
        #expect(ragged.cells == [[10, 0], [0, 0]])
        let empty = Suppression.apply(CountTable(rowLabels: [], columnLabels: [], cells: []))
        #expect(empty.cells.isEmpty && empty.grandTotal == 0)
    }

    @Test func ratesNeedShownCountsAndADenominatorAtTheThreshold() {
        #expect(Suppression.rate(3, of: 10) == 0.3)
        #expect(Suppression.rate(0, of: 5) == 0)
        #expect(Suppression.rate(nil, of: 10) == nil)
        #expect(Suppression.rate(3, of: nil) == nil)
        #expect(Suppression.rate(2, of: 4) == nil)
        #expect(Suppression.rate(0, of: 0) == nil)
        #expect(Suppression.rate(2, of: 8, threshold: 10) == nil)
    }

    @Test func theSuppressedLabel() {
        #expect(Suppression.label() == "suppressed")
        #expect(Suppression.label(threshold: 10) == "suppressed")
        #expect(SuppressedTable.marker == "<5")
        #expect(SuppressedTable.marker(threshold: 11) == "<11")
    }
}

// MARK: - Charts

/// The parts of an SVG document a test looks at, read with Foundation's XML parser so
/// that a chart a browser would refuse fails here.
private final class SVGReader: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text = ""
    }
    var elements: [Element] = []
    private var open: [Int] = []

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        elements.append(Element(name: elementName, attributes: attributeDict))
        open.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        for index in open { elements[index].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        _ = open.popLast()
    }

    /// Parses `svg`; nil if it is not well-formed XML.
    static func read(_ svg: String) -> SVGReader? {
        let reader = SVGReader()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = reader
        return parser.parse() ? reader : nil
    }

    func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }
}

private func percent(_ value: Double) -> String { "\(Int((value * 100).rounded()))%" }

@Suite struct OutcomesChartTests {

    private let quarters = ["2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4"]

    @Test func lineChartIsWellFormedAndLabelledForScreenReaders() throws {
        // MUT
        let svg = SVGChart.line(
            title: "Share of calls with a CIT officer", labels: quarters,
            series: [
                ChartSeries(name: "Dane County", values: [0.1, 0.2, 0.3, 0.4]),
                ChartSeries(name: "Wisconsin", values: [0.2, 0.2, 0.25, 0.3]),
            ],
            valueFormat: percent, idPrefix: "cit-share"
        )
        // validate
        let reader = try #require(SVGReader.read(svg))
        let root = try #require(reader.elements.first)
        #expect(root.name == "svg")
        #expect(root.attributes["role"] == "img")
        #expect(root.attributes["viewBox"]?.hasPrefix("0 0 640.0 ") == true)
        #expect(root.attributes["aria-labelledby"] == "cit-share-title cit-share-desc")
        let title = try #require(reader.all("title").first)
        #expect(title.attributes["id"] == "cit-share-title")
        #expect(title.text == "Share of calls with a CIT officer")
        let desc = try #require(reader.all("desc").first)
        #expect(desc.attributes["id"] == "cit-share-desc")
        #expect(desc.text.contains("Dane County: from 10% in 2025 Q1 to 40% in 2025 Q4."))
        #expect(desc.text.contains("Wisconsin: from 20% in 2025 Q1 to 30% in 2025 Q4."))
        // x labels and y ticks
        #expect(reader.all("text").filter { $0.attributes["class"] == "x-label" }.map(\.text) == quarters)
        let tickTexts = reader.all("text").map(\.text)
        #expect(tickTexts.contains("0%") && tickTexts.contains("40%"))
        // a legend entry per series, told apart by dash pattern, not colour alone
        #expect(tickTexts.contains("Dane County") && tickTexts.contains("Wisconsin"))
        let lines = reader.all("path").filter { $0.attributes["class"] == "series-line" }
        #expect(lines.count == 2)
        #expect(Set(lines.map { $0.attributes["stroke-dasharray"] ?? "solid" }).count == 2)
    }

    @Test func sevenSeriesHaveSevenDashPatterns() throws {
        let series = (0..<7).map { ChartSeries(name: "S\($0)", values: [1, 2]) }
        let svg = SVGChart.line(title: "t", labels: ["a", "b"], series: series, valueFormat: { "\($0)" }, idPrefix: "seven")
        let lines = try #require(SVGReader.read(svg)).all("path").filter { $0.attributes["class"] == "series-line" }
        #expect(Set(lines.map { $0.attributes["stroke-dasharray"] ?? "solid" }).count == 7)
    }

    @Test func markupInLabelsIsEscaped() throws {
        // setup
        let title = "Calls <&> \"County\" 'Q'"
        let svg = SVGChart.line(
            title: title, labels: ["Q<1>", "R&D"],
            series: [ChartSeries(name: "A&B <script>", values: [1, 2])],
            valueFormat: { "\(Int($0))<" }, idPrefix: "esc"
        )
        // validate: parses, and reads back as the original text
        #expect(!svg.contains("<script>"))
        let reader = try #require(SVGReader.read(svg))
        #expect(reader.all("title").first?.text == title)
        let texts = reader.all("text").map(\.text)
        #expect(texts.contains("Q<1>") && texts.contains("R&D") && texts.contains("A&B <script>"))
        #expect(texts.contains("2<"))
        // a control character that XML forbids does not break the chart
        #expect(
            SVGReader.read(SVGChart.line(title: "bell\u{07}", labels: ["a"], series: [], valueFormat: { "\($0)" }, idPrefix: "x")) != nil)
    }

    @Test func nilValuesAreGapsNotLinesThrough() throws {
        // setup: Q2 is suppressed
        let svg = SVGChart.line(
            title: "Force used", labels: quarters,
            series: [ChartSeries(name: "Dane", values: [5, nil, 7, 9]), ChartSeries(name: "Adams", values: [nil, nil, nil, nil])],
            valueFormat: { "\(Int($0))" }, idPrefix: "force"
        )
        let reader = try #require(SVGReader.read(svg))
        // validate: the Dane line is two pieces (two "M" moves), Adams has no line at all
        let lines = reader.all("path").filter { $0.attributes["class"] == "series-line" }
        #expect(lines.count == 1)
        let d = try #require(lines.first?.attributes["d"])
        #expect(d.filter { $0 == "M" }.count == 2)
        #expect(d.filter { $0 == "L" }.count == 1)
        #expect(reader.all("circle").count == 3)
        let desc = try #require(reader.all("desc").first?.text)
        #expect(desc.contains("Dane: from 5 in 2025 Q1 to 9 in 2025 Q4."))
        #expect(desc.contains("Adams: no values to show."))
        #expect(desc.contains("Breaks in a line"))
        // a single point between gaps is still drawn
        let lonely = try #require(
            SVGReader.read(
                SVGChart.line(
                    title: "t", labels: quarters, series: [ChartSeries(name: "x", values: [nil, 3, nil])], valueFormat: { "\($0)" },
                    idPrefix: "p")))
        #expect(lonely.all("circle").count == 1)
    }

    @Test func idsFromAnyPrefixAreValid() throws {
        let svg = SVGChart.line(title: "t", labels: [], series: [], valueFormat: { "\($0)" }, idPrefix: "1 \"bad\" id")
        let root = try #require(SVGReader.read(svg)?.elements.first)
        #expect(root.attributes["aria-labelledby"] == "chart-1badid-title chart-1badid-desc")
    }

    @Test func barChartPrintsValuesAndSaysFewerThanFiveForNil() throws {
        // MUT
        let svg = SVGChart.bars(
            title: "Dispositions, 2026 Q3",
            items: [
                (label: "Resolved on scene", value: 40), (label: "Emergency detention (Wis. Stat. 51.15) & <transport>", value: 12),
                (label: "Arrest", value: nil),
            ],
            valueFormat: { "\(Int($0))" }, idPrefix: "dispositions"
        )
        // validate
        let reader = try #require(SVGReader.read(svg))
        let root = try #require(reader.elements.first)
        #expect(root.attributes["role"] == "img")
        #expect(root.attributes["aria-labelledby"] == "dispositions-title dispositions-desc")
        #expect(root.attributes["viewBox"]?.hasPrefix("0 0 640.0 ") == true)
        let values = reader.all("text").filter { ($0.attributes["class"] ?? "").hasPrefix("value") }.map(\.text)
        #expect(values == ["40", "12", "suppressed"])
        let bars = reader.all("rect")
        #expect(bars.count == 2)
        let widths = bars.compactMap { $0.attributes["width"].flatMap(Double.init) }
        #expect(widths.count == 2 && widths[0] > widths[1] * 3 && widths[0] < widths[1] * 4)
        // the long label wraps onto two lines; its full text is in the bar's title
        #expect(
            reader.all("text").filter { $0.attributes["class"] == "label" }.map(\.text)
                == ["Resolved on scene", "Emergency detention (Wis. Stat.51.15) & <transport>", "Arrest"])
        #expect(reader.all("tspan").count == 4)
        #expect(reader.all("title").map(\.text).contains("Emergency detention (Wis. Stat. 51.15) & <transport>: 12"))
        let desc = try #require(reader.all("desc").first?.text)
        #expect(desc.contains("Resolved on scene: 40.") && desc.contains("Arrest: suppressed."))
        #expect(desc.contains("Emergency detention (Wis. Stat. 51.15) & <transport>: 12."))
    }

    @Test func longLabelsWrapOntoTwoLinesThenShorten() {
        #expect(SVGChart.wrapped("Arrest", width: 32, lines: 2) == ["Arrest"])
        #expect(
            SVGChart.wrapped("Referral to county crisis services or mobile crisis", width: 32, lines: 2)
                == ["Referral to county crisis", "services or mobile crisis"])
        #expect(SVGChart.wrapped("one two three four five six", width: 9, lines: 2) == ["one two", "three…"])
        #expect(SVGChart.wrapped("Supercalifragilistic", width: 8, lines: 2) == ["Supercal", "ifragil…"])
        #expect(SVGChart.wrapped("", width: 8, lines: 2) == [""])
    }

    @Test func axisTicksAreRoundNumbers() {
        #expect(SVGChart.axisScale(min: 0, max: 0.4).ticks == [0, 0.1, 0.2, 0.30000000000000004, 0.4])
        #expect(SVGChart.axisScale(min: 0, max: 37).ticks == [0, 10, 20, 30, 40])
        #expect(SVGChart.axisScale(min: 0, max: 0).ticks == [0, 1])
    }
}

// MARK: - Counts

@Suite struct OutcomesCountTests {

    private func record(_ changes: [String: String]) throws -> EncounterRecord {
        var values = validValues()
        values.merge(changes) { $1 }
        return try validate(values).get()
    }

    @Test func countsAddUpReports() throws {
        // setup
        let detained = try record([:])
        let resolvedWithForce = try record([
            "disposition": "resolved_on_scene", "force_level": "physical_control", "injury_person": "yes", "cit_arrived": "no",
            "cit_dispatched": "no",
        ])
        let arrest = try record([
            "disposition": "arrest", "cit_requested": "no", "injury_officer": "1", "injury_other": "true", "cit_trained_on_scene": "no",
        ])
        // MUT
        var counts = OutcomeCounts()
        for r in [detained, resolvedWithForce, arrest] { counts.add(r, catalog: .wisconsin) }
        // validate
        #expect(counts.calls == 3)
        #expect(counts.citRequested == 2)
        #expect(counts.citDispatched == 2)
        #expect(counts.citArrived == 2)
        #expect(counts.citTrainedOnScene == 2)
        #expect(counts.forceUsed == 1)
        #expect(counts.injuryPerson == 1 && counts.injuryOfficer == 1 && counts.injuryOther == 1)
        #expect(counts.byCategory == [.detention: 1, .resolvedOnScene: 1, .arrest: 1])
        #expect(OutcomeCounts([detained, resolvedWithForce, arrest], catalog: .wisconsin) == counts)
        #expect(counts.share(\.citRequested) == 2.0 / 3.0)
        #expect(counts.share(\.forceUsed) == 1.0 / 3.0)
    }

    @Test func aDispositionNoLongerInTheCatalogCountsAsOther() throws {
        var counts = OutcomeCounts()
        var record = try record([:])
        record.dispositionCode = "retired_code"
        counts.add(record, catalog: .wisconsin)
        #expect(counts.count(.other) == 1)
        #expect(counts.count(.detention) == 0)
    }

    @Test func sumsOfGroupsAreTheGroupOfAll() throws {
        let a = OutcomeCounts([try record([:]), try record(["disposition": "referral"])], catalog: .wisconsin)
        let b = OutcomeCounts([try record(["disposition": "referral", "force_level": "less_lethal"])], catalog: .wisconsin)
        let sum = a + b
        #expect(sum.calls == 3)
        #expect(sum.forceUsed == 1)
        #expect(sum.byCategory == [.detention: 1, .referral: 2])
        #expect(sum + OutcomeCounts() == sum)
    }

    @Test func noCallsHaveNoShare() {
        #expect(OutcomeCounts().share(\.citArrived) == nil)
    }

    @Test func jsonKeepsCategoriesAsNames() throws {
        let counts = OutcomeCounts([try record(["disposition": "no_action"])], catalog: .wisconsin)
        let data = try JSONEncoder().encode(counts)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((object["byCategory"] as? [String: Int]) == ["no_action": 1])
        #expect(try JSONDecoder().decode(OutcomeCounts.self, from: data) == counts)
    }
}
