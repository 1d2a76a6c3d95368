import Vapor
import Fluent
import Plot

/// The public pages that are the same for everyone. They are rendered once and served
/// from `PageCache` (docs/decisions.md: rendering costs ten times sending).
enum PublicPagesController {
    static func register(on routes: any RoutesBuilder, cache: PageCache) {
        routes.cachedPage(.home, cache: cache) { req in home(chrome: req.publicChrome).render() }
        routes.cachedPage(.about, cache: cache) { req in about(chrome: req.publicChrome).render() }
        routes.get(SiteURL.healthz.pathComponents, use: health)
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
        Page(
            title: "CIT Hub", chrome: chrome,
            main: [
                .h1(.text("Crisis Intervention Teams: help in a mental health crisis")),
                .p(
                    .class("lead"),
                    .text(
                        "Crisis Intervention Team training is a community initiative designed to improve the outcomes of police interactions with people living with mental illnesses."
                    )),
                .ul(
                    .class("cards"),
                    .li(
                        .class("card"),
                        .h2(.text("Someone you love is in a mental health crisis")),
                        .p(.text("Know what to say when you call 911, and ask for an officer with CIT training.")),
                        .p(.a(.class("button"), .href(SiteURL.crisis.path), .text("Get help now")))),
                    .li(
                        .class("card"),
                        .h2(.text("Is there CIT where you live?")),
                        .p(.text("Crisis Intervention Teams can be found across the state. Look up your county.")),
                        .p(.a(.class("button secondary"), .href(SiteURL.map.path), .text("Find CIT near you")))),
                    .li(
                        .class("card"),
                        .h2(.text("Take a class")),
                        .p(.text("CIT for law enforcement, CIP for everyone else who works with people living with mental illness.")),
                        .p(.a(.class("button secondary"), .href(SiteURL.classes.path), .text("See classes"))))
                ),
                .h2(.text("What is a CIT-trained officer?")),
                .p(
                    .text(
                        "CIT programs are local partnerships between law enforcement, mental health providers, local NAMI chapters, and other community stakeholders. CIT programs provide 40 hours of training for law enforcement on how to better respond to people experiencing a mental health crisis."
                    )),
                .p(
                    .text(
                        "CIT is not just a training. Effective CIT programs are based on strong relationships between law enforcement, mental health care providers, families, and people living with mental illness. CIT is a long-lasting, evolving partnership based on mutual goals."
                    )),
                .h2(.text("Crisis Intervention Partners (CIP)")),
                .p(
                    .text(
                        "CIP training is a 2-day educational class for non-law enforcement personnel. CIP training is encouraged for anyone who works with individuals with a mental illness, i.e. social workers, teachers, emergency room staff, security personnel, correctional officers and group home staff."
                    )),
                .p(.a(.href(SiteURL.about.path), .text("More about CIT and CIP"))),
            ])
    }

    static func about(chrome: PageChrome) -> Page {
        Page(
            title: "About CIT", chrome: chrome,
            main: [
                .h1(.text("About CIT and CIP")),
                .p(
                    .text(
                        "Crisis Intervention Team training is a community initiative designed to improve the outcomes of police interactions with people living with mental illnesses. CIT programs provide 40 hours of training for law enforcement on how to better respond to people experiencing a mental health crisis."
                    )),
                .h2(.text("What CIT trains officers in")),
                .ul(
                    .li(.text("Overview of various mental illnesses (symptoms, treatments, myths, and facts)")),
                    .li(.text("Presentations and discussion with family members and people living with mental illness")),
                    .li(.text("Education on de-escalating mental health crises safely and effectively")),
                    .li(.text("Interactive role-plays on crisis de-escalation with feedback from trainers")),
                    .li(
                        .text(
                            "Other activities might include: auditory hallucination (hearing voices) simulations, site visits, ride-alongs with community social workers, and more"
                        ))
                ),
                .p(
                    .text(
                        "NAMI National also states that not only can CIT programs bring community leaders together, they can also help keep people with mental illness out of jail and in treatment, on the road to recovery. That’s because diversion programs like CIT reduce arrests of people with mental illness while simultaneously increasing the likelihood that individuals will receive mental health services."
                    )),
                .h2(.text("Crisis Intervention Partners (CIP)")),
                .p(
                    .text(
                        "CIP training is a 2-day educational class for non-law enforcement personnel: social workers, teachers, emergency room staff, security personnel, correctional officers and group home staff, and anyone who works with individuals with a mental illness."
                    )),
                .h2(.text("CIT in Wisconsin")),
                .p(
                    .text(
                        "NAMI Fox Valley and the Appleton Police Department brought CIT to Wisconsin in 2004. Since then, hundreds of officers have attended trainings and many communities have formed their own local CIT programs."
                    )),
            ])
    }
}
