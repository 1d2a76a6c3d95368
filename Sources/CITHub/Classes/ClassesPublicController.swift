import Vapor
import Fluent
import Plot
import CITDomain

/// The public side of classes: the list with filters, a class with its agenda, the
/// registration form, a person's own registration behind their link, the calendar feed.
enum ClassesPublicController {
    /// The list and the feed: no sessions, so the cached list costs no database look-up.
    static func registerCached(on routes: any RoutesBuilder, cache: PageCache) {
        routes.get(SiteURL.classes.pathComponents) { req -> EventLoopFuture<Response> in
            // The unfiltered list is the same for everyone and comes from the cache.
            if (req.url.query ?? "").isEmpty, let hit = cache.cached(for: req, key: SiteURL.classes.path) {
                return req.eventLoop.makeSucceededFuture(hit)
            }
            return req.eventLoop.makeFutureWithTask { try await list(req: req) }
        }
        routes.get(SiteURL.classesFeed.pathComponents, use: feed)
        // The agenda rows' script is a real file in Resources/assets, served like the stylesheet.
        Assets.serve(
            AssetFiles.text("agenda-rows.js"), at: .agendaRowsScript,
            type: HTTPMediaType(type: "text", subType: "javascript", parameters: ["charset": "utf-8"]), on: routes)
    }

    static func register(on routes: any RoutesBuilder) {
        routes.get(SiteURL.classPage(.key).pathComponents, use: show)
        routes.post(SiteURL.classRegister(.key).pathComponents, use: registerSeat)
        routes.get(SiteURL.registration(.key).pathComponents, use: registration)
        routes.get(SiteURL.registrationCancel(.key).pathComponents, use: confirmCancel)
        routes.post(SiteURL.registrationCancel(.key).pathComponents, use: cancel)
        routes.get(SiteURL.registrationConfirm(.key).pathComponents, use: confirmPage)
        routes.post(SiteURL.registrationConfirm(.key).pathComponents, use: confirm)
    }

    typealias Listing = ClassQueries.Listing

    static func seatsText(_ listing: Listing) -> String {
        if listing.seatsLeft > 0 { return "\(listing.seatsLeft) of \(listing.session.capacity) seats left" }
        return "Full: join the waitlist" + (listing.waiting > 0 ? " (\(listing.waiting) waiting)" : "")
    }

    // MARK: list

    struct Filters {
        var course = "", county = "", zip = "", miles = "50", month = ""
        var isEmpty: Bool { course.isEmpty && county.isEmpty && zip.isEmpty && month.isEmpty }
    }

    @Sendable static func list(req: Request) async throws -> Response {
        var filters = Filters()
        filters.course = String((req.query[String.self, at: "course"] ?? "").prefix(20))
        filters.county = String((req.query[String.self, at: "county"] ?? "").prefix(5))
        filters.zip = String((req.query[String.self, at: "zip"] ?? "").trimmingCharacters(in: .whitespaces).prefix(10))
        filters.miles = String((req.query[String.self, at: "miles"] ?? "50").prefix(4))
        filters.month = String((req.query[String.self, at: "month"] ?? "").prefix(7))
        if filters.isEmpty {
            // Seats held for people confirming their address free themselves when the hold
            // runs out, with no write to invalidate the page: the copy goes stale then.
            return try await req.application.pageCache.response(for: req, key: SiteURL.classes.path, anonymousOnly: false) {
                (try await listPage(req, filters: filters, errors: [:]).render(), try await RegistrationService.nextHoldEnd(on: req.db))
            }
        }
        var errors: [String: String] = [:]
        if !filters.zip.isEmpty && !ZIPCode.isWellFormed(filters.zip) { errors["zip"] = "A ZIP code has 5 digits, like 53703." }
        if Double(filters.miles).map({ $0 <= 0 || $0 > 1000 }) ?? true { errors["miles"] = "A distance from 1 to 1000 miles." }
        if !filters.month.isEmpty && filters.month.range(of: #"^\d{4}-\d{2}$"#, options: .regularExpression) == nil {
            errors["month"] = "A month like 2027-03."
        }
        return htmlResponse(try await listPage(req, filters: filters, errors: errors), status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    static func listPage(_ req: Request, filters: Filters, errors: [String: String]) async throws -> Page {
        var listings = try await ClassQueries.listings(try await ClassQueries.upcoming(on: req.db), on: req.db)
        let courses = try await Course.query(on: req.db).sort(\.$requiredHours, .descending).all()
        let counties = try await DirectoryQueries.withoutBoundaries(County.query(on: req.db)).filter(
            \.$stateCode == req.application.settings.stateCode
        ).sort(\.$name).all()
        var note: String?
        if errors.isEmpty {
            if !filters.course.isEmpty { listings = listings.filter { $0.session.course.code == filters.course } }
            if !filters.county.isEmpty { listings = listings.filter { $0.session.countyFIPS == filters.county } }
            if !filters.month.isEmpty {
                listings = listings.filter {
                    ClassTimes.dayAndTime($0.session.startsAt, timeZone: $0.session.zone).day.hasPrefix(filters.month)
                }
            }
            if !filters.zip.isEmpty, let miles = Double(filters.miles) {
                let index = try await req.application.searchIndex.snapshot(on: req.db)
                if let origin = index.zips[filters.zip]?.first, let lat = origin.lat, let lon = origin.lon {
                    listings = listings.compactMap { listing in
                        guard let venue = index.zips[listing.session.venueZIP]?.first, let vlat = venue.lat, let vlon = venue.lon else {
                            return nil
                        }
                        var copy = listing
                        copy.distanceMiles = Geo.miles(lat, lon, vlat, vlon)
                        return copy.distanceMiles! <= miles ? copy : nil
                    }.sorted { ($0.distanceMiles ?? 0) < ($1.distanceMiles ?? 0) }
                    note = "Classes within \(Int(miles)) miles of \(filters.zip) (straight-line distance between ZIP code centres)."
                } else {
                    note = "We have no location for ZIP code \(filters.zip), so distance was not used."
                }
            }
        }
        return Page(
            title: "Classes", chrome: req.publicChrome,
            main: [
                .h1(.text("CIT and CIP classes")),
                .p(
                    .text(
                        "CIT is 40 hours for law enforcement; CIP is 2 days for non-law-enforcement staff such as social workers, teachers, emergency room staff, security, corrections and group home staff; CIT for dispatch is 8 hours for 911 telecommunicators."
                    )),
                .element(
                    named: "form",
                    nodes: [
                        .attribute(named: "method", value: "get"), .attribute(named: "action", value: SiteURL.classes.path),
                        .attribute(named: "class", value: "filters"),
                        FormHTML.select(
                            name: "course", label: "Course", options: [("", "Any course")] + courses.map { ($0.code, $0.title) },
                            selected: filters.course),
                        FormHTML.select(
                            name: "county", label: "County", options: [("", "Any county")] + counties.map { ($0.id!, $0.fullName) },
                            selected: filters.county),
                        FormHTML.field(
                            .init(
                                name: "zip", label: "Near ZIP code", type: "text", value: filters.zip, error: errors["zip"],
                                autocomplete: "postal-code", required: false)),
                        FormHTML.field(
                            .init(
                                name: "miles", label: "Within miles", type: "number", value: filters.miles, error: errors["miles"],
                                required: false)),
                        FormHTML.field(
                            .init(
                                name: "month", label: "Month", type: "month", value: filters.month, error: errors["month"],
                                hint: "For example 2027-03", required: false)),
                        FormHTML.submit("Show classes"),
                    ]),
                .unwrap(note) { .p(.text($0)) },
                .if(
                    listings.isEmpty,
                    .p(
                        .text(
                            filters.isEmpty
                                ? "No classes are scheduled yet. Local programs publish their classes here."
                                : "No upcoming class matches. Try fewer filters."))),
                .ul(
                    .class("cards"),
                    .forEach(listings) { listing in
                        .li(
                            .class("card"),
                            .h2(.a(.href(SiteURL.classPage(.value(listing.session.id!)).path), .text(listing.session.title))),
                            .p(.text("\(listing.session.course.title) · \(ClassFormat.dates(listing.session))")),
                            .p(
                                .text(
                                    "\(listing.session.venueName), \(listing.countyName)"
                                        + (listing.distanceMiles.map { " · about \(Int($0.rounded())) miles" } ?? ""))),
                            .p(.strong(.text(seatsText(listing)))),
                            .p(.text("Hosted by \(listing.session.program.name)")))
                    }),
                .p(
                    .a(.href(SiteURL.classesFeed.path), .text("Subscribe to the class calendar (iCalendar)")), .text(" · "),
                    .a(.href(SiteURL.courses.path), .text("About the courses"))),
            ])
    }

    // MARK: one class

    struct RegistrationInput { var name = "", email = "", phone = "", organization = "", audience = "" }

    @Sendable static func show(req: Request) async throws -> Response {
        let session = try await ClassQueries.findClass(req)
        return try await classPage(req, session: session, input: RegistrationInput(), errors: [:], status: .ok)
    }

    /// The links a signed-in person gets on a class page for their work in it. Coordinators
    /// of the class's program and administrators run the class; its assigned trainers
    /// teach it; everyone else, and every signed-out visitor, gets none.
    static func staffLinks(for user: User?, session: ClassSession, trainerIDs: [UUID]) -> [(title: String, href: String)] {
        guard let user, let classID = session.id else { return [] }
        if user.may(.manage, .program(session.$program.id)).isAllowed {
            return [
                ("Manage this class", SiteURL.classRoster(.value(classID)).path), ("Attendance", SiteURL.attendance(.value(classID)).path),
                ("Role-play scores", SiteURL.evaluations(.value(classID)).path),
                ("Scenarios", SiteURL.scenarios(.value(session.$program.id)).path),
                ("Completion", SiteURL.completion(.value(classID)).path), ("Edit", SiteURL.classEdit(.value(classID)).path),
            ]
        }
        if user.may(.teach, .classSession(programID: session.$program.id, trainerIDs: Set(trainerIDs))).isAllowed {
            return [
                ("Attendance", SiteURL.attendance(.value(classID)).path), ("Role-play scores", SiteURL.evaluations(.value(classID)).path),
            ]
        }
        return []
    }

    /// The trainer accounts assigned to a class (the roster assigns them), by name.
    static func trainers(of classID: UUID, on db: any Database) async throws -> [User] {
        try await ClassTrainer.query(on: db).filter(\.$classSession.$id == classID).with(\.$user).all().map(\.user)
            .filter { !$0.isDisabled }.sorted { $0.name < $1.name }
    }

    static func classPage(
        _ req: Request, session: ClassSession, input: RegistrationInput, errors: [String: String], eligibility: String? = nil,
        status: HTTPResponseStatus
    ) async throws -> Response {
        let listing = try await ClassQueries.listings([session], on: req.db)[0]
        let trainers = try await trainers(of: session.id!, on: req.db)
        let staff = staffLinks(for: req.auth.get(User.self), session: session, trainerIDs: trainers.compactMap(\.id))
        let audiences = session.course.audiences.split(separator: ",").compactMap { Audience(rawValue: String($0)) }
        let open = session.status == .scheduled && session.startsAt > Date()
        let labels = [
            "name": "Your name", "email": "Email address", "phone": "Phone", "organization": "Agency or organization",
            "audience": "Your role",
        ]
        let page = Page(
            title: session.title, chrome: req.chrome(),
            main: [
                .p(.a(.href(SiteURL.classes.path), .text("← All classes"))),
                .h1(.text(session.title)),
                .if(
                    !staff.isEmpty,
                    .nav(
                        .class("staff-links"), .ariaLabel("Your work in this class"),
                        .ul(.forEach(staff) { link in .li(.a(.class("button secondary"), .href(link.href), .text(link.title))) }))),
                .p(
                    .class("lead"),
                    .text("\(session.course.title): \(ClassMail.hours(session.course.requiredHours)) hours. \(session.course.summary)")),
                .element(
                    named: "dl",
                    nodes: [
                        .attribute(named: "class", value: "facts"),
                        .element(named: "dt", text: "When"), .element(named: "dd", text: ClassFormat.dates(session)),
                        .element(named: "dt", text: "Where"),
                        .element(named: "dd", text: "\(session.venueName), \(session.venueAddress) (\(listing.countyName))"),
                        .element(named: "dt", text: "Who it is for"),
                        .element(named: "dd", text: audiences.map(\.label).joined(separator: ", ")),
                        .element(named: "dt", text: "Host"),
                        .element(
                            named: "dd",
                            nodes: [.a(.href(SiteURL.program(.value(session.$program.id.uuidString)).path), .text(session.program.name))]),
                        // Names only: the assigned accounts' email addresses are not for the public.
                        .element(named: "dt", text: "Trainers"),
                        .element(named: "dd", text: trainers.isEmpty ? "To be announced" : trainers.map(\.name).joined(separator: ", ")),
                        .element(named: "dt", text: "Seats"),
                        .element(named: "dd", text: session.status == .cancelled ? "This class was cancelled." : seatsText(listing)),
                    ]),
                .h2(.text("Agenda")),
                .forEach(ClassFormat.days(session.agenda, session.zone)) { day in
                    .group(
                        .h3(.text(ClassFormat.day(day.start, session.zone))),
                        .div(
                            .class("table-scroll"),
                            .table(
                                .tr(
                                    .th(.attribute(named: "scope", value: "col"), .text("Time")),
                                    .th(.attribute(named: "scope", value: "col"), .text("Session"))),
                                .forEach(day.blocks) { block in
                                    .tr(
                                        .td(
                                            .text(
                                                "\(ClassFormat.time(block.start, session.zone)) – \(ClassFormat.time(block.end, session.zone))"
                                            )), .td(.text(block.title)))
                                })))
                },
                .p(.text("Times are local (\(session.zone.identifier)).")),
                .h2(.id("register"), .text(listing.seatsLeft > 0 ? "Register" : "Join the waitlist")),
                .if(!open, .p(.text("Registration is closed for this class."))),
                // A refused registration opens on its summary: it takes the focus (and so the
                // scroll) instead of leaving the person at the top of a long agenda.
                .unwrap(eligibility) {
                    .div(
                        .class("error-summary"), .id("error-summary"), .attribute(named: "role", value: "alert"),
                        .attribute(named: "tabindex", value: "-1"), .attribute(named: "autofocus"), .p(.text($0)))
                },
                .if(
                    open,
                    .group(
                        registrationSummary(errors, labels: labels),
                        FormHTML.form(
                            action: SiteURL.classRegister(.value(session.id!)).path, csrf: req.csrfToken,
                            [
                                FormHTML.field(
                                    .init(
                                        name: "name", label: labels["name"]!, value: input.name, error: errors["name"], autocomplete: "name"
                                    )),
                                FormHTML.field(
                                    .init(
                                        name: "email", label: labels["email"]!, type: "email", value: input.email, error: errors["email"],
                                        hint: "We email you a link to confirm your place; the calendar entry follows.",
                                        autocomplete: "email")),
                                FormHTML.field(
                                    .init(
                                        name: "phone", label: labels["phone"]!, type: "tel", value: input.phone, error: errors["phone"],
                                        autocomplete: "tel")),
                                FormHTML.field(
                                    .init(
                                        name: "organization", label: labels["organization"]!, value: input.organization,
                                        error: errors["organization"], autocomplete: "organization")),
                                FormHTML.select(
                                    name: "audience", label: labels["audience"]!,
                                    options: [("", "Choose your role")] + Audience.allCases.map { ($0.rawValue, $0.label) },
                                    selected: input.audience, error: errors["audience"]),
                                FormHTML.submit(listing.seatsLeft > 0 ? "Register" : "Join the waitlist"),
                            ])
                    )),
            ])
        return htmlResponse(page, status: status)
    }

    /// The registration form's error summary: first in the form area, focused on load.
    static func registrationSummary(_ errors: [String: String], labels: [String: String]) -> BodyNode {
        let ordered = ["name", "email", "phone", "organization", "audience"].filter { errors[$0] != nil }
        return .if(
            !ordered.isEmpty,
            .div(
                .class("error-summary"), .id("error-summary"), .attribute(named: "role", value: "alert"),
                .attribute(named: "tabindex", value: "-1"), .attribute(named: "autofocus"),
                .h2(.text(ordered.count == 1 ? "Please check 1 answer" : "Please check \(ordered.count) answers")),
                .ul(.forEach(ordered) { key in .li(.a(.href("#field-\(key)"), .text("\(labels[key] ?? key): \(errors[key] ?? "")"))) })
            ))
    }

    /// The registration fields, read and checked: the public form and the roster's
    /// "Add a person" use the same rules.
    /// `prefix` names the fields on a page that has another "email" field (the roster).
    static func readRegistration(_ form: FormValues, prefix: String = "") -> (RegistrationInput, [String: String], Audience?) {
        let input = RegistrationInput(
            name: form.trimmed(prefix + "name"), email: User.normalize(email: form[prefix + "email"]),
            phone: form.trimmed(prefix + "phone"),
            organization: form.trimmed(prefix + "organization"), audience: form[prefix + "audience"])
        var errors: [String: String] = [:]
        if let error = AccountService.nameError(input.name) { errors["name"] = error }
        if let error = AccountService.emailError(input.email) { errors["email"] = error }
        if input.phone.isEmpty || input.phone.count > 30 || !input.phone.allSatisfy({ $0.isNumber || " ()-+.".contains($0) })
            || input.phone.filter(\.isNumber).count < 10
        {
            errors["phone"] = "A phone number with area code, like (608) 555-0100."
        }
        if input.organization.isEmpty {
            errors["organization"] = "Enter your agency or organization."
        } else if input.organization.count > 200 {
            errors["organization"] = "At most 200 characters."
        }
        let audience = Audience(rawValue: input.audience)
        if audience == nil { errors["audience"] = "Choose your role." }
        return (input, errors, audience)
    }

    @Sendable static func registerSeat(req: Request) async throws -> Response {
        let session = try await ClassQueries.findClass(req)
        let (input, errors, audience) = readRegistration(FormValues(req))
        guard errors.isEmpty, let audience else {
            return try await classPage(req, session: session, input: input, errors: errors, status: .unprocessableEntity)
        }

        let catalog = try await Course.query(on: req.db).all().map(\.definition)
        if case .notEligible(let reason, let suggestion) = Eligibility.check(
            course: session.course.definition, audience: audience, catalog: catalog)
        {
            var message = reason
            if let suggestion { message += " Look for a \(suggestion) class on the classes page." }
            return try await classPage(req, session: session, input: input, errors: [:], eligibility: message, status: .unprocessableEntity)
        }
        if let exceeded = try await RateLimitStore(database: req.db).hit(
            registrationLimits(email: input.email, address: req.rateLimitAddress))
        {
            let seconds = exceeded.retryAfter(Date()), minutes = max(1, seconds / 60)
            let response = try await classPage(
                req, session: session, input: input,
                errors: [
                    "email":
                        "Too many registrations from here or for this email address. Please try again in \(minutes) minute\(minutes == 1 ? "" : "s")."
                ], status: .tooManyRequests)
            response.headers.replaceOrAdd(name: .retryAfter, value: String(seconds))
            return response
        }
        do {
            _ = try await RegistrationService.requestPlace(
                classID: session.id!,
                applicant: .init(
                    name: input.name, email: input.email, phone: input.phone, organization: input.organization, audience: audience),
                request: req)
        } catch let refusal as RegistrationService.Refusal {
            // Only `closed` comes from the public form: its reason is the class's, the same
            // for every address.
            guard case .closed(let why) = refusal else { throw refusal }
            return try await classPage(req, session: session, input: input, errors: ["email": why], status: .unprocessableEntity)
        }
        req.application.pageCache.invalidate(prefix: SiteURL.classes.path)
        return sentPage(req, session: session, email: input.email)
    }

    /// The answer to the public form, the same whatever the address (issue 13): new, with a
    /// place already, waiting, or for a full class. Not a redirect: the address is shown so
    /// a typo can be seen, and it must not go into a URL. Nothing on it depends on seats.
    static func sentPage(_ req: Request, session: ClassSession, email: String) -> Response {
        let minutes = Int(SeatHold.lifetime / 60), hours = Int(SeatHold.linkLifetime / 3600)
        let page = Page(
            title: "Check your email", chrome: req.chrome(),
            main: [
                .h1(.text("Check your email")),
                .p(
                    .class("lead"), .text("We sent a message about \(session.title) (\(ClassFormat.dates(session))) to "),
                    .strong(.text(email)), .text(".")),
                .p(
                    .text(
                        "To finish registering, open the link in it and press “Confirm my place”. If a seat was free, it is held for you for \(minutes) minutes. The link works for \(hours) hours; after the \(minutes) minutes you get a seat if one is still free, otherwise a place on the waitlist."
                    )),
                .p(
                    .text(
                        "If this address already has a place in this class, the message says so instead and has a link to your registration."
                    )),
                .p(
                    .text(
                        "No message after a few minutes? Look in your spam or junk folder. If the address above is wrong, send the form again with the right one."
                    )),
                .p(.a(.href(SiteURL.classPage(.value(session.id!)).path), .text("Back to the class"))),
            ])
        return htmlResponse(page)
    }

    /// Per email address and per client address (see `RateLimit` for why these numbers).
    static func registrationLimits(email: String, address: String?) -> [(RateLimit, String)] {
        var checks = [(RateLimit.registrationPerEmail, RateLimit.registrationPerEmail.key("email", email))]
        if let address { checks.append((RateLimit.registrationPerAddress, RateLimit.registrationPerAddress.key("address", address))) }
        return checks
    }

    // MARK: a person's registration

    static func findRegistration(_ req: Request) async throws -> (Registration, ClassSession, String) {
        let token = req.parameters.get("token") ?? ""
        guard token.count >= 20, token.count <= 100,
            let registration = try await Registration.query(on: req.db).filter(\.$manageTokenHash == AccountToken.hash(token)).first(),
            let session = try await ClassSession.query(on: req.db).filter(\.$id == registration.$classSession.id).with(\.$course).with(
                \.$program
            ).first()
        else {
            throw Abort(
                .notFound,
                reason: "This registration link is not valid. If you were moved off the waitlist, use the link in the newest email.")
        }
        // The link is a key to the person's place: it stops working when the class is over,
        // so old mail (and the outbox, and backups) hold no key that still opens anything.
        guard session.endsAt > Date() else {
            throw Abort(
                .gone,
                reason:
                    "This class has ended, so its registration link no longer works. For a certificate or your training record, contact the class's host program."
            )
        }
        return (registration, session, token)
    }

    @Sendable static func registration(req: Request) async throws -> Response {
        let (registration, session, token) = try await findRegistration(req)
        let position = try await RegistrationService.position(of: registration, on: req.db)
        let headline: String =
            switch registration.status {
            case .confirmed: "You are confirmed"
            case .waitlisted: "You are number \(position ?? 0) on the waitlist"
            case .cancelled: "Your place is cancelled"
            // Unreachable in practice: a pending registration's manage link was never sent.
            case .pending: "Your place is not confirmed yet"
            }
        let page = Page(
            title: headline, chrome: req.chrome(),
            main: [
                .h1(.text(headline)),
                .p(.text("\(session.title), \(ClassFormat.dates(session)), at \(session.venueName).")),
                .p(
                    .text(
                        registration.status == .confirmed
                            ? "We emailed a confirmation with a calendar file to \(registration.email)."
                            : registration.status == .waitlisted
                                ? "If a seat opens for you, we confirm you automatically and email \(registration.email)." : "")),
                .p(.a(.href(SiteURL.classPage(.value(session.id!)).path), .text("Class details and agenda"))),
                .if(
                    registration.status != .cancelled,
                    .group(
                        .h2(.text(registration.status == .confirmed ? "Can't come?" : "Leave the waitlist")),
                        .p(.text("Cancelling gives your place to the next person on the waitlist.")),
                        // A link, not the cancellation itself: the next page asks once to confirm.
                        .p(
                            .a(
                                .class("button secondary"), .href(SiteURL.registrationCancel(.value(token)).path),
                                .text(registration.status == .confirmed ? "Cancel my place" : "Leave the waitlist")))
                    )),
            ])
        let response = htmlResponse(page)
        // The link is a secret: keep it out of Referer headers.
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        return response
    }

    /// "Cancel my place" asks once: this page says what happens, then the POST cancels.
    /// Works without JavaScript. A place already cancelled goes back to the registration.
    @Sendable static func confirmCancel(req: Request) async throws -> Response {
        let (registration, session, token) = try await findRegistration(req)
        guard registration.status != .cancelled else {
            return req.redirect(to: SiteURL.registration(.value(token)).path, redirectType: .normal)
        }
        let confirmed = registration.status == .confirmed
        let question = confirmed ? "Cancel your place?" : "Leave the waitlist?"
        let page = Page(
            title: question, chrome: req.chrome(),
            main: [
                .h1(.text(question)),
                .p(.text("\(session.title), \(ClassFormat.dates(session)), at \(session.venueName).")),
                .p(
                    .text(
                        confirmed
                            ? "Your seat goes to the next person on the waitlist. If you change your mind later, you can register again while seats remain."
                            : "You lose your place in the queue. If you change your mind later, you join the waitlist again at the end.")),
                FormHTML.form(
                    action: SiteURL.registrationCancel(.value(token)).path, csrf: req.csrfToken,
                    [
                        FormHTML.submit(confirmed ? "Yes, cancel my place" : "Yes, leave the waitlist")
                    ]),
                .p(
                    .a(.href(SiteURL.registration(.value(token)).path), .text(confirmed ? "No, keep my place" : "No, stay on the waitlist"))
                ),
            ])
        let response = htmlResponse(page)
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        return response
    }

    @Sendable static func cancel(req: Request) async throws -> Response {
        let (registration, _, token) = try await findRegistration(req)
        try await RegistrationService.cancel(registrationID: registration.id!, by: "registrant", request: req)
        req.application.pageCache.invalidate(prefix: SiteURL.classes.path)
        return req.redirect(to: SiteURL.registration(.value(token)).path, redirectType: .normal)
    }

    // MARK: confirming the address

    /// The link from the mail opens a page with a button, not the confirmation itself: mail
    /// scanners and link previews open links, and must not take a seat for anyone.
    @Sendable static func confirmPage(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard let registration = try await RegistrationService.pendingRegistration(confirmToken: token, on: req.db),
            let session = try await ClassSession.query(on: req.db).filter(\.$id == registration.$classSession.id).with(\.$course).with(
                \.$program
            ).first()
        else { return linkProblem(req, .notFound) }
        guard registration.status == .pending else {
            return linkProblem(
                req, .alreadyUsed(registration, session, position: try await RegistrationService.position(of: registration, on: req.db)))
        }
        let now = Date()
        guard let expires = registration.confirmExpiresAt, expires > now else { return linkProblem(req, .expired(session)) }
        if let why = RegistrationService.closedReason(session, now: now, byCoordinator: false) {
            return linkProblem(req, .closed(session, why))
        }
        let zone = session.zone
        let seat: String =
            if let until = registration.holdUntil, until > now {
                "A seat is held for you until \(ClassFormat.time(until, zone)) (\(zone.identifier) time)."
            } else {
                "No seat is held for you now: when you confirm, you get a seat if one is free, otherwise a place on the waitlist."
            }
        let page = Page(
            title: "Confirm your place", chrome: req.chrome(),
            main: [
                .h1(.text("Confirm your place")),
                .p(.class("lead"), .text("\(session.title), \(ClassFormat.dates(session)), at \(session.venueName).")),
                .element(
                    named: "dl",
                    nodes: [
                        .attribute(named: "class", value: "facts"),
                        .element(named: "dt", text: "Name"), .element(named: "dd", text: registration.name),
                        .element(named: "dt", text: "Email"), .element(named: "dd", text: registration.email),
                        .element(named: "dt", text: "Organization"), .element(named: "dd", text: registration.organization),
                        .element(named: "dt", text: "Role"), .element(named: "dd", text: registration.audience.label),
                    ]),
                .p(.text(seat)),
                FormHTML.form(
                    action: SiteURL.registrationConfirm(.value(token)).path, csrf: req.csrfToken, [FormHTML.submit("Confirm my place")]),
                .p(
                    .class("hint"),
                    .text(
                        "If you did not ask for a place in this class, close this page: nothing happens, and we will not email you about it again."
                    )),
                .p(.a(.href(SiteURL.classPage(.value(session.id!)).path), .text("Class details and agenda"))),
            ])
        return secret(htmlResponse(page))
    }

    @Sendable static func confirm(req: Request) async throws -> Response {
        let result = try await RegistrationService.confirm(token: req.parameters.get("token") ?? "", request: req)
        guard case .placed(let outcome) = result else { return linkProblem(req, result) }
        req.application.pageCache.invalidate(prefix: SiteURL.classes.path)
        return req.redirect(to: SiteURL.registration(.value(outcome.manageToken)).path, redirectType: .normal)
    }

    /// A confirmation link that cannot confirm: said plainly, with the way on.
    static func linkProblem(_ req: Request, _ result: RegistrationService.Confirmation) -> Response {
        let again = "To register again, send the form on the class page."
        let (status, title, lines, classID): (HTTPResponseStatus, String, [String], UUID?) =
            switch result {
            case .placed: (.ok, "Registered", [], nil)
            case .notFound:
                (
                    .notFound, "This link does not work",
                    [
                        "It may be from an older email (if you sent the form twice, only the newest link works), or it ran out and was removed.",
                        "To register, find the class on the classes page and send its form again.",
                    ], nil
                )
            case .expired(let session):
                (
                    .gone, "This link has expired",
                    [
                        "Links to confirm a place work for \(Int(SeatHold.linkLifetime / 3600)) hours, and only until registration closes.",
                        again,
                    ], session.id
                )
            case .closed(let session, let why):
                (.gone, "Registration is closed", [why], session.id)
            case .alreadyUsed(let registration, let session, let position):
                (
                    .ok, "This link was already used",
                    [
                        registration.status == .confirmed
                            ? "Your place in \(session.title) is confirmed."
                            : registration.status == .waitlisted
                                ? "You are number \(position ?? 0) on the waitlist for \(session.title)."
                                : "Your place in \(session.title) was cancelled.",
                        registration.status == .cancelled
                            ? again
                            : "The email we sent when you confirmed has the link to see or cancel your place. Lost it? Send the form on the class page again with the same address, and we email you a new link.",
                    ], session.id
                )
            }
        let page = Page(
            title: title, chrome: req.chrome(),
            main: [
                .h1(.text(title)),
                .forEach(lines) { .p(.text($0)) },
                .p(
                    .a(
                        .href(classID.map { SiteURL.classPage(.value($0)).path } ?? SiteURL.classes.path),
                        .text(classID == nil ? "All classes" : "Go to the class page"))),
            ])
        return secret(htmlResponse(page, status: status))
    }

    /// The link is a secret: keep it out of Referer headers.
    static func secret(_ response: Response) -> Response {
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        return response
    }

    // MARK: feed

    @Sendable static func feed(req: Request) async throws -> Response {
        try await req.application.pageCache.response(
            for: req, key: SiteURL.classesFeed.path,
            contentType: HTTPMediaType(type: "text", subType: "calendar", parameters: ["charset": "utf-8"])
        ) {
            let sessions = try await ClassQueries.upcoming(on: req.db)
            let zone = sessions.first?.zone ?? TimeZone(identifier: "America/Chicago")!
            return ICalendar.calendar(
                events: sessions.flatMap { ClassMail.events($0, publicURL: req.application.settings.publicURL) }, timeZone: zone,
                method: "PUBLISH", name: "CIT and CIP classes")
        }
    }
}

/// Great-circle distance, for "classes near me".
enum Geo {
    static func miles(_ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double) -> Double {
        let r = 3958.8, p = Double.pi / 180
        let dLat = (lat2 - lat1) * p, dLon = (lon2 - lon1) * p
        let a = sin(dLat / 2) * sin(dLat / 2) + cos(lat1 * p) * cos(lat2 * p) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * r * asin(min(1, a.squareRoot()))
    }
}
