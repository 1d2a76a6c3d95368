import Testing
@testable import CITDomain

@Suite struct CSVParseTests {

    @Test func plainFieldsWithLFAndCRLF() throws {
        #expect(try CSV.parse("a,b\n1,2\n") == [["a", "b"], ["1", "2"]])
        #expect(try CSV.parse("a,b\r\n1,2\r\n") == [["a", "b"], ["1", "2"]])
    }

    @Test func finalLineBreakIsOptional() throws {
        #expect(try CSV.parse("a,b\n1,2") == [["a", "b"], ["1", "2"]])
    }

    @Test func emptyTextHasNoRecords() throws {
        #expect(try CSV.parse("") == [])
    }

    @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() throws {
        let text = "name,note\r\n\"Smith, Jo\",\"said \"\"hi\"\"\nthen left\"\r\n"
        #expect(try CSV.parse(text) == [["name", "note"], ["Smith, Jo", "said \"hi\"\nthen left"]])
    }

    @Test func emptyFieldsAndEmptyQuotedField() throws {
        #expect(try CSV.parse("a,,\"\"\n") == [["a", "", ""]])
        #expect(try CSV.parse(",\n") == [["", ""]])
    }

    @Test func byteOrderMarkIsStripped() throws {
        #expect(try CSV.parse("\u{FEFF}fips,name\n55001,Adams\n") == [["fips", "name"], ["55001", "Adams"]])
    }

    @Test func blankLineIsOneEmptyField() throws {
        #expect(try CSV.parse("a\n\nb\n") == [["a"], [""], ["b"]])
    }

    @Test func quoteInsideUnquotedFieldIsKept() throws {
        #expect(try CSV.parse("5\" pipe,x\n") == [["5\" pipe", "x"]])
    }

    @Test func unterminatedQuoteNamesTheLineItStartsOn() {
        // setup: a quoted line break spans lines 2-3; the quote left open is on line 4
        let text = "a,b\n\"x\ny\",2\n3,\"never closed\n4,5\n"
        // MUT + validate
        #expect(throws: CSV.ParseError(line: 4, reason: "a quoted field starts here and is never closed.")) {
            try CSV.parse(text)
        }
        let error = CSV.ParseError(line: 4, reason: "a quoted field starts here and is never closed.")
        #expect(error.description == "CSV line 4: a quoted field starts here and is never closed.")
    }

    @Test func textAfterClosingQuoteIsAnError() {
        #expect {
            try CSV.parse("a\n\"ab\"c\n")
        } throws: { error in
            (error as? CSV.ParseError)?.line == 2
        }
    }

    @Test func lineNumbersCountCRLFOnce() {
        #expect {
            try CSV.parse("a\r\nb\r\n\"c")
        } throws: { error in
            (error as? CSV.ParseError)?.line == 3
        }
    }
}

@Suite struct CSVWriteTests {

    @Test func plainFieldsAreNotQuoted() {
        #expect(CSV.line(["Adams", "55001", ""]) == "Adams,55001,")
    }

    @Test func fieldsWithSeparatorsAreQuoted() {
        #expect(
            CSV.line(["Smith, Jo", "5\" pipe", "two\nlines", "cr\rhere"])
                == "\"Smith, Jo\",\"5\"\" pipe\",\"two\nlines\",\"cr\rhere\"")
    }

    @Test(arguments: ["=HYPERLINK(\"http://x\")", "+1 608 268 6000", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\tx", "\rx"])
    func formulaTriggersGetAnApostrophe(field: String) throws {
        // MUT
        let written = CSV.line([field])
        // validate: reads back as the field with an apostrophe in front
        #expect(try CSV.parse(written) == [["'" + field]])
    }

    @Test(arguments: ["-88.4862", "+5", "-12", "0.25"])
    func plainNumbersStayNumbers(field: String) {
        #expect(CSV.line([field]) == field)
    }

    @Test func documentEndsEveryLineWithCRLFAndRoundTrips() throws {
        // setup
        let rows = [["Fond du Lac", "a \"quoted\" word"], ["St. Croix", "line\nbreak"]]
        // MUT
        let text = CSV.document(header: ["name", "note"], rows: rows)
        // validate
        #expect(text.hasPrefix("name,note\r\n"))
        #expect(text.hasSuffix("\r\n"))
        #expect(try CSV.parse(text) == [["name", "note"]] + rows)
    }
}

@Suite struct CSVTableTests {

    @Test func rowsByColumnName() throws {
        // MUT
        let table = try CSVTable(parsing: "fips,name\n55001,Adams\n\n55078,Menominee\n")
        // validate
        #expect(table.header == ["fips", "name"])
        #expect(table.dictionaries == [["fips": "55001", "name": "Adams"], ["fips": "55078", "name": "Menominee"]])
        #expect(try table.rows[1].value("name") == "Menominee")
        #expect(table.rows[1].line == 4)
    }

    @Test func missingColumnIsNamed() throws {
        let table = try CSVTable(parsing: "fips,name\n55001,Adams\n")
        #expect(throws: CSVTable.Problem.missingColumn("population_2020", available: ["fips", "name"])) {
            try table.requireColumns(["fips", "population_2020"])
        }
        #expect(throws: CSVTable.Problem.self) {
            try table.rows[0].value("population_2020")
        }
        let message = CSVTable.Problem.missingColumn("population_2020", available: ["fips", "name"]).description
        #expect(message == "The CSV file has no column \"population_2020\". Its columns are: fips, name.")
    }

    @Test func rowWithWrongFieldCountNamesItsLine() {
        #expect(throws: CSVTable.Problem.wrongFieldCount(line: 3, expected: 2, found: 3)) {
            try CSVTable(parsing: "fips,name\n55001,Adams\n55003,Ashland,extra\n")
        }
    }

    @Test func duplicateAndEmpty() {
        #expect(throws: CSVTable.Problem.duplicateColumn("fips")) {
            try CSVTable(parsing: "fips,fips\n1,2\n")
        }
        #expect(throws: CSVTable.Problem.empty) {
            try CSVTable(parsing: "")
        }
    }
}
