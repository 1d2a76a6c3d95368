import Foundation

/// What a person typed into "County, city or ZIP code", reduced to what place names are
/// compared by. "Madison, WI", "madison wi", "madison wisconsin" and "MADISON" all become
/// "madison"; "Dane County", "dane co." and "dane" become "dane"; "53703-1234" and
/// "Madison, WI 53703" are the ZIP code 53703. Place names from the reference data go
/// through the same `normalise`, so "St. Croix" and "Saint Croix" meet at "st croix".
public enum PlaceQuery: Equatable, Sendable {
    case empty
    case zip(String)
    /// A normalised name: lower case, no punctuation, no state, no "county".
    case name(String)

    public init(_ text: String, stateCode: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        // A ZIP code anywhere ("Madison, WI 53703", "53703-1234") is the most exact thing typed.
        if let match = trimmed.range(of: #"(?<![0-9])[0-9]{5}(-[0-9]{4})?(?![0-9])"#, options: .regularExpression) {
            self = .zip(String(trimmed[match].prefix(5)))
            return
        }
        var words = Self.normalise(trimmed).split(separator: " ").map(String.init)
        // The state, written any common way, at the end: "wi", "wis", "wisconsin", "usa".
        let stateWords = USState.spellings(of: stateCode)
        var changed = true
        while changed, words.count > 1 {
            changed = false
            if ["usa", "us"].contains(words.last!) { words.removeLast(); changed = true; continue }
            for spelling in stateWords where words.count > spelling.count && Array(words.suffix(spelling.count)) == spelling {
                words.removeLast(spelling.count)
                changed = true
                break
            }
        }
        if words.count > 1, ["county", "co", "cty", "cnty"].contains(words.last!) { words.removeLast() }
        if words.count > 2, words.prefix(2) == ["city", "of"] { words.removeFirst(2) }
        self = words.isEmpty ? .empty : .name(words.joined(separator: " "))
    }

    /// Lower case without accents; punctuation becomes space ("fond-du-lac", "st.croix");
    /// apostrophes vanish ("o'neil"); "saint", "mount" and "fort" are shortened as
    /// addresses shorten them; spaces collapse.
    public static func normalise(_ text: String) -> String {
        let folded = text.folding(
            options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US")
        ).lowercased()
        var cleaned = ""
        for scalar in folded.unicodeScalars {
            if scalar == "'" || scalar == "\u{2019}" { continue }
            cleaned.unicodeScalars.append(CharacterSet.alphanumerics.contains(scalar) ? scalar : " ")
        }
        let short = ["saint": "st", "mount": "mt", "fort": "ft"]
        return cleaned.split(separator: " ").map { short[String($0)] ?? String($0) }.joined(separator: " ")
    }
}

/// US states and territories by postal code, for reading "Madison, Wisconsin".
public enum USState {
    public static let names: [String: String] = [
        "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
        "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
        "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
        "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
        "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
        "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
        "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
        "OR": "Oregon", "PA": "Pennsylvania", "PR": "Puerto Rico", "RI": "Rhode Island", "SC": "South Carolina",
        "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
        "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    ]

    /// Older abbreviations people still write ("Wis.", "Minn.").
    static let traditional: [String: [String]] = [
        "WI": ["wis", "wisc"], "MN": ["minn"], "IL": ["ill"], "MI": ["mich"], "IA": ["ia"], "CA": ["calif"],
        "PA": ["penn", "penna"], "MA": ["mass"], "WA": ["wash"], "OR": ["ore"], "TX": ["tex"], "FL": ["fla"],
    ]

    /// The ways the state is written, as normalised words, longest first.
    public static func spellings(of code: String) -> [[String]] {
        let upper = code.uppercased()
        var all: [String] = [upper.lowercased()] + (traditional[upper] ?? [])
        if let name = names[upper] { all.append(PlaceQuery.normalise(name)) }
        return all.map { $0.split(separator: " ").map(String.init) }.sorted { $0.count > $1.count }
    }
}

/// The one-line answer to "is there CIT here?" for a county, as search shows it:
/// "Dane County: CIT yes — NAMI Dane County CIT/CIP; next class 15 March, Madison".
public struct CountyAnswer: Sendable, Equatable {
    public struct NextClass: Sendable, Equatable {
        public var startsAt: Date
        public var timeZone: TimeZone
        /// Where it is held, as a person would say it: the venue's city.
        public var place: String
        public init(startsAt: Date, timeZone: TimeZone, place: String) {
            self.startsAt = startsAt; self.timeZone = timeZone; self.place = place
        }
    }

    public struct Nearby: Sendable, Equatable {
        public var program: String
        public var county: String
        public init(program: String, county: String) { self.program = program; self.county = county }
    }

    public var county: String
    public var coverage: Coverage
    /// Live programs serving the county, CIT ones first.
    public var programs: [String]
    public var nextClass: NextClass?
    /// When the county has no CIT: the nearest CIT programs and a county each serves.
    public var nearest: [Nearby]

    public init(county: String, coverage: Coverage, programs: [String], nextClass: NextClass?, nearest: [Nearby]) {
        self.county = county
        self.coverage = coverage
        self.programs = programs
        self.nextClass = nextClass
        self.nearest = nearest
    }

    public func line(now: Date = Date()) -> String {
        var text = county + ": "
        switch coverage {
        case .cit:
            text += "CIT yes — " + Self.list(programs)
        case .cipOnly:
            text += "CIT not yet (CIP: \(Self.list(programs)))"
            text += nearest.isEmpty ? "" : "; nearest CIT: " + Self.nearbyList(nearest)
        case .none:
            text += "CIT not yet"
            text += nearest.isEmpty ? " — no program is known nearby" : " — nearest: " + Self.nearbyList(nearest)
        }
        if let next = nextClass {
            text += "; next class \(Self.day(next.startsAt, in: next.timeZone, now: now)), \(next.place)"
        }
        return text
    }

    /// "15 March", with the year when it is not this year.
    public static func day(_ date: Date, in zone: TimeZone, now: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.day, .month, .year], from: date)
        // Spelled out here: the system's month names depend on its locale data (plain
        // "M03" on a Linux server without it).
        let months = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
        ]
        let month = months[max(0, min(11, (parts.month ?? 1) - 1))]
        let sameYear = calendar.component(.year, from: now) == parts.year
        return "\(parts.day ?? 1) \(month)" + (sameYear ? "" : " \(parts.year ?? 0)")
    }

    static func list(_ names: [String]) -> String {
        switch names.count {
        case 0: return "no program named"
        case 1: return names[0]
        case 2: return names[0] + " and " + names[1]
        default: return names[0] + ", " + names[1] + " and \(names.count - 2) more"
        }
    }

    static func nearbyList(_ nearby: [Nearby]) -> String {
        nearby.map { "\($0.program) (\($0.county))" }.joined(separator: "; ")
    }
}

/// Which programs are nearest a county, by the distance to the closest county each serves.
public enum NearestPrograms {
    public struct Candidate: Sendable {
        public var name: String
        public var counties: [(fips: String, name: String)]
        public init(name: String, counties: [(fips: String, name: String)]) { self.name = name; self.counties = counties }
    }

    public static func rank(to fips: String, candidates: [Candidate], neighbours: CountyNeighbours, limit: Int = 2) -> [CountyAnswer.Nearby]
    {
        let ranked = candidates.compactMap { candidate -> (Double, CountyAnswer.Nearby)? in
            let closest = candidate.counties.compactMap { c in neighbours.miles(from: fips, to: c.fips).map { ($0, c.name) } }.min {
                $0.0 < $1.0
            }
            return closest.map { ($0.0, CountyAnswer.Nearby(program: candidate.name, county: $0.1 + " County")) }
        }
        return ranked.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1.program < $1.1.program }.prefix(limit).map(\.1)
    }
}

/// Whether an upcoming class belongs on a county's page and in its search answer.
///
/// A class is *in* the county when its venue is there, and *near* it when its venue is in
/// a bordering county (`CountyNeighbours`) or the program running it serves the county or
/// a bordering county.
public enum ClassNearness: Equatable, Sendable {
    case inCounty, near, elsewhere

    public init(county fips: String, venueCounty: String, programCounties: Set<String>, neighbours: CountyNeighbours) {
        let area = neighbours.area(around: fips)
        if venueCounty == fips {
            self = .inCounty
        } else if area.contains(venueCounty) || !programCounties.isDisjoint(with: area) {
            self = .near
        } else {
            self = .elsewhere
        }
    }
}
