import Vapor
import Fluent
import Plot

/// The public pages that are the same for everyone. They are rendered once and served
/// from `PageCache` (design/PERFORMANCE.md: rendering costs ten times sending).
enum PublicPagesController {
    static func register(on routes: any RoutesBuilder, cache: PageCache) {
        routes.get { req in try await cache.response(for: req, key: SiteURL.home) { home(chrome: req.publicChrome).render() } }
        routes.get("about") { req in try await cache.response(for: req, key: SiteURL.about) { about(chrome: req.publicChrome).render() } }
        routes.get("crisis") { req in try await cache.response(for: req, key: SiteURL.crisis) { crisisSteps(chrome: req.publicChrome).render() } }
        routes.get("classes") { req in try await cache.response(for: req, key: SiteURL.classes) { classes(chrome: req.publicChrome).render() } }
        routes.get("map") { req in
            try await cache.response(for: req, key: SiteURL.map) {
                let counties = try await County.query(on: req.db).filter(\.$stateCode == req.application.settings.stateCode).sort(\.$name).all()
                return map(chrome: req.publicChrome, state: req.application.settings.stateCode, counties: counties.map { ($0.id ?? "", $0.fullName, $0.population2020) }).render()
            }
        }
        routes.get("healthz", use: health)
    }

    struct Health: Content {
        var status: String
        var database: String
    }

    /// Healthy when the database answers a query. Load balancers and the fault scripts
    /// poll it.
    @Sendable static func health(req: Request) async throws -> Response {
        var health = Health(status: "ok", database: "ok")
        var status = HTTPResponseStatus.ok
        do {
            _ = try await County.query(on: req.db).limit(1).count()
        } catch {
            req.logger.warning("health check: database unavailable", metadata: ["error": .string(String(describing: error))])
            health = Health(status: "unavailable", database: "unavailable")
            status = .serviceUnavailable
        }
        let response = Response(status: status)
        try response.content.encode(health)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    static func home(chrome: PageChrome) -> Page {
        Page(title: "CIT Hub", chrome: chrome, main: [
            .h1(.text("Crisis Intervention Teams: help in a mental health crisis")),
            .p(.class("lead"), .text("Crisis Intervention Team training is a community initiative designed to improve the outcomes of police interactions with people living with mental illnesses.")),
            .ul(
                .class("cards"),
                .li(.class("card"),
                    .h2(.text("Someone you love is in a mental health crisis")),
                    .p(.text("Know what to say when you call 911, and ask for an officer with CIT training.")),
                    .p(.a(.class("button"), .href(SiteURL.crisis), .text("Get help now")))),
                .li(.class("card"),
                    .h2(.text("Is there CIT where you live?")),
                    .p(.text("Crisis Intervention Teams can be found across the state. Look up your county.")),
                    .p(.a(.class("button secondary"), .href(SiteURL.map), .text("Find CIT near you")))),
                .li(.class("card"),
                    .h2(.text("Take a class")),
                    .p(.text("CIT for law enforcement, CIP for everyone else who works with people living with mental illness.")),
                    .p(.a(.class("button secondary"), .href(SiteURL.classes), .text("See classes"))))
            ),
            .h2(.text("What is a CIT-trained officer?")),
            .p(.text("CIT programs are local partnerships between law enforcement, mental health providers, local NAMI chapters, and other community stakeholders. CIT programs provide 40 hours of training for law enforcement on how to better respond to people experiencing a mental health crisis.")),
            .p(.text("CIT is not just a training. Effective CIT programs are based on strong relationships between law enforcement, mental health care providers, families, and people living with mental illness. CIT is a long-lasting, evolving partnership based on mutual goals.")),
            .h2(.text("Crisis Intervention Partners (CIP)")),
            .p(.text("CIP training is a 2-day educational class for non-law enforcement personnel. CIP training is encouraged for anyone who works with individuals with a mental illness, i.e. social workers, teachers, emergency room staff, security personnel, correctional officers and group home staff.")),
            .p(.a(.href(SiteURL.about), .text("More about CIT and CIP"))),
        ])
    }

    static func about(chrome: PageChrome) -> Page {
        Page(title: "About CIT", chrome: chrome, main: [
            .h1(.text("About CIT and CIP")),
            .p(.text("Crisis Intervention Team training is a community initiative designed to improve the outcomes of police interactions with people living with mental illnesses. CIT programs provide 40 hours of training for law enforcement on how to better respond to people experiencing a mental health crisis.")),
            .h2(.text("What CIT trains officers in")),
            .ul(
                .li(.text("Overview of various mental illnesses (symptoms, treatments, myths, and facts)")),
                .li(.text("Presentations and discussion with family members and people living with mental illness")),
                .li(.text("Education on de-escalating mental health crises safely and effectively")),
                .li(.text("Interactive role-plays on crisis de-escalation with feedback from trainers")),
                .li(.text("Other activities might include: auditory hallucination (hearing voices) simulations, site visits, ride-alongs with community social workers, and more"))
            ),
            .p(.text("NAMI National also states that not only can CIT programs bring community leaders together, they can also help keep people with mental illness out of jail and in treatment, on the road to recovery. That’s because diversion programs like CIT reduce arrests of people with mental illness while simultaneously increasing the likelihood that individuals will receive mental health services.")),
            .h2(.text("Crisis Intervention Partners (CIP)")),
            .p(.text("CIP training is a 2-day educational class for non-law enforcement personnel: social workers, teachers, emergency room staff, security personnel, correctional officers and group home staff, and anyone who works with individuals with a mental illness.")),
            .h2(.text("CIT in Wisconsin")),
            .p(.text("NAMI Fox Valley and the Appleton Police Department brought CIT to Wisconsin in 2004. Since then, hundreds of officers have attended trainings and many communities have formed their own local CIT programs.")),
        ])
    }

    /// The seed page's steps as they stand. The personal script builder replaces this
    /// page (issue: crisis call helper); until then the steps themselves are the help.
    static func crisisSteps(chrome: PageChrome) -> Page {
        Page(title: "Get help now", chrome: chrome, main: [
            .h1(.text("How to request a CIT officer")),
            .p(.class("lead"), .strong(.text("If anyone is in danger now, call 911.")), .text(" If no one is in immediate danger and you need support, call or text 988.")),
            .ol(
                .class("steps"),
                .li(.strong(.text("Call 911."))),
                .li(.text("State that the situation is a mental health crisis to the dispatcher. State your name and location, and describe in detail what is happening. Advise police if there is information on file with law enforcement about the person in crisis. Ask if it is possible to arrive without lights or sirens if this would help de-escalate the situation."),
                    .element(named: "blockquote", nodes: [.attribute(named: "class", value: "say"), .text("“I am calling because my loved one is having a mental health crisis. My goal is for them to get help, not to be arrested or harmed. My name is _______, and I am calling from [your location] because my [family member/friend + name] is ________.”")])),
                .li(.text("Request that a Crisis Intervention Team (CIT) or Mental Health officer respond to the situation. They may or may not be available, but it is beneficial to ask if they can respond."),
                    .element(named: "blockquote", nodes: [.attribute(named: "class", value: "say"), .text("“If possible, I’d like an officer with CIT training to respond.”")])),
                .li(.text("If applicable, tell the officer if you know that your loved one has access to weapons, particularly firearms."),
                    .element(named: "blockquote", nodes: [.attribute(named: "class", value: "say"), .text("“My loved one has access to ___ weapons”")])),
                .li(.text("If applicable, tell the officer if your loved one has made direct threats toward themselves (suicide), you, or others."),
                    .element(named: "blockquote", nodes: [.attribute(named: "class", value: "say"), .text("“My loved one has made direct threats of violence.”")])),
                .li(.text("If there is time, briefly point out triggers that you believe could escalate the situation (speaking loudly, standing over the person experiencing the crisis, getting too close.)"),
                    .element(named: "blockquote", nodes: [.attribute(named: "class", value: "say"), .text("“I want to make you aware of triggers that I believe will escalate this situation.”")])),
                .li(.text("If there is time, briefly point out things that may prevent escalation, such as speaking softly, addressing concerns directly, and having a trusted person nearby."),
                    .element(named: "blockquote", nodes: [.attribute(named: "class", value: "say"), .text("“I want to make you aware of a few ideas for preventing escalation.”")])),
                .li(.text("If there is time, let the dispatcher know what the person’s mental health diagnosis is, who their mental healthcare provider is, if the person is intoxicated or has overdosed, any current medications, and if the person is unable to care for themselves.")),
                .li(.text("When the officer arrives, state again that your loved one is experiencing a mental health crisis.")),
                .li(.text("Be calm and cooperative with both the 911 dispatcher and law enforcement officers. Answer all questions completely and honestly. Give a written statement if requested."))
            ),
            .h2(.text("While you are waiting")),
            .p(.text("While you are waiting for help to arrive, try to reduce the intensity of the situation as much as possible by speaking calmly, being genuine, asking simple questions, and offering options for ways to make them feel safe.")),
        ])
    }

    static func classes(chrome: PageChrome) -> Page {
        Page(title: "Classes", chrome: chrome, main: [
            .h1(.text("CIT and CIP classes")),
            .p(.text("No classes are listed in CIT Hub yet. Local programs will publish their CIT (40 hours, for law enforcement), CIP (2 days, for non-law-enforcement staff) and CIT for dispatch classes here.")),
            .p(.text("Until then, ask \(chrome.organization.name) about upcoming classes near you.")),
        ])
    }

    static func map(chrome: PageChrome, state: String, counties: [(fips: String, name: String, population: Int)]) -> Page {
        Page(title: "Find CIT near you", chrome: chrome, main: [
            .h1(.text("Find CIT near you")),
            .p(.text("The directory of local CIT and CIP programs is being built from sourced records. Until a county's programs are listed here, ask \(chrome.organization.name), and when you call 911 in a mental health crisis, ask for an officer with CIT training.")),
            .h2(.text("Counties (\(counties.count))")),
            .div(.class("table-scroll"), .table(
                .caption(.text("Counties of \(state) with their 2020 population (US Census Bureau)")),
                .tr(.th(.attribute(named: "scope", value: "col"), .text("County")), .th(.attribute(named: "scope", value: "col"), .text("FIPS")), .th(.attribute(named: "scope", value: "col"), .text("Population (2020)"))),
                .forEach(counties) { county in
                    .tr(.td(.text(county.name)), .td(.text(county.fips)), .td(.text(county.population.formatted())))
                }
            )),
        ])
    }
}

extension Request {
    /// Chrome for pages that are the same for everyone (cached): nobody is signed in.
    var publicChrome: PageChrome {
        PageChrome(organization: application.settings.organization, signedInAs: nil, notice: nil)
    }

    /// Chrome for per-request pages: the signed-in user and an optional notice.
    func chrome(notice: String? = nil) -> PageChrome {
        PageChrome(organization: application.settings.organization, signedInAs: auth.get(User.self)?.email, notice: notice)
    }
}
