import Fluent
import Vapor
import Plot
import CITDomain

/// Role-play scenarios (set per course by a program) and trainers' score sheets.
enum EvaluationsController {
    static func register(on protected: ProtectedRoutesBuilder) {
        protected.get(SiteURL.scenarios(.key), .manageOwnClasses, use: scenarios)
        protected.post(SiteURL.scenarios(.key), .manageOwnClasses, use: addScenario)
        protected.get(SiteURL.evaluations(.key), .teachOwnClasses, use: overview)
        protected.get(SiteURL.evaluationSheet(.key, .key, .key), .teachOwnClasses, use: sheet)
        protected.post(SiteURL.evaluationSheet(.key, .key, .key), .teachOwnClasses, use: saveSheet)
    }

    // MARK: scenarios

    struct ScenarioInput { var course = "CIT", title = "", details = "" }

    @Sendable static func scenarios(req: Request) async throws -> Response {
        let program = try await ClassQueries.managedProgram(req)
        return try await scenariosPage(req, program: program, input: ScenarioInput(), errors: [:], status: .ok)
    }

    static func scenariosPage(_ req: Request, program: Program, input: ScenarioInput, errors: [String: String], status: HTTPResponseStatus)
        async throws -> Response
    {
        let existing = try await Scenario.query(on: req.db).filter(\.$program.$id == program.id!).with(\.$course).sort(\.$createdAt).all()
        let courses = try await Course.query(on: req.db).sort(\.$requiredHours, .descending).all()
        let labels = ["course": "Course", "title": "Scenario title", "details": "What the role-player is told"]
        let rubric = Rubric.deEscalationDefault
        let page = Page(
            title: "Role-play scenarios", chrome: req.chrome(),
            main: [
                .p(.a(.href(SiteURL.program(.value(program.id!.uuidString)).path), .text("← \(program.name)"))),
                .h1(.text("Role-play scenarios of \(program.name)")),
                .if(existing.isEmpty, .p(.text("No scenarios yet. Trainers score trainees on the scenarios of the class's course."))),
                .ul(
                    .forEach(existing) { scenario in
                        .li(.strong(.text(scenario.title)), .text(" (\(scenario.course.code)): \(scenario.details)"))
                    }),
                .h2(.text("Add a scenario")),
                FormHTML.errorSummary(errors, order: ["course", "title", "details"], labels: labels),
                FormHTML.form(
                    action: SiteURL.scenarios(.value(program.id!)).path, csrf: req.csrfToken,
                    [
                        FormHTML.select(
                            name: "course", label: labels["course"]!, options: courses.map { ($0.code, $0.title) }, selected: input.course,
                            error: errors["course"]),
                        FormHTML.field(
                            .init(
                                name: "title", label: labels["title"]!, value: input.title, error: errors["title"],
                                hint: "E.g. “A veteran on a bridge, talking about ending his life”.")),
                        FormHTML.textarea(
                            name: "details", label: labels["details"]!, value: input.details, error: errors["details"],
                            hint: "The situation, as the trainer reads it out. No real person's name."),
                        FormHTML.submit("Add scenario"),
                    ]),
                .h2(.text("The rubric trainers score")),
                .p(.text("Each criterion is scored \(rubric.levels.map { "\($0.score) (\($0.label))" }.joined(separator: ", ")).")),
                .ul(.forEach(rubric.criteria) { .li(.strong(.text($0.title)), .text(": \($0.description)")) }),
            ])
        return htmlResponse(page, status: status)
    }

    @Sendable static func addScenario(req: Request) async throws -> Response {
        let program = try await ClassQueries.managedProgram(req)
        let form = FormValues(req)
        let input = ScenarioInput(course: form.trimmed("course"), title: form.trimmed("title"), details: form.trimmed("details"))
        var errors: [String: String] = [:]
        let course = try await Course.query(on: req.db).filter(\.$code == input.course).first()
        if course == nil { errors["course"] = "Choose a course." }
        if input.title.isEmpty {
            errors["title"] = "Enter a title."
        } else if let problem = TrainingFormat.plainText(input.title, limit: 200) {
            errors["title"] = problem
        }
        if input.details.isEmpty {
            errors["details"] = "Describe the scenario."
        } else if let problem = TrainingFormat.plainText(input.details, limit: 2000) {
            errors["details"] = problem
        }
        guard errors.isEmpty, let course else {
            return try await scenariosPage(req, program: program, input: input, errors: errors, status: .unprocessableEntity)
        }
        let scenario = Scenario()
        scenario.$program.id = program.id!
        scenario.$course.id = course.id!
        scenario.title = input.title
        scenario.details = input.details
        scenario.rubricJSON = String(decoding: try JSONEncoder().encode(Rubric.deEscalationDefault), as: UTF8.self)
        try await req.db.transaction { tx in
            try await scenario.create(on: tx)
            try await req.audit.record(
                "scenario.created", entityType: "program", entityID: program.id?.uuidString, details: "\(course.code): \(scenario.title)",
                on: tx)
        }
        return req.redirect(to: SiteURL.scenarios(.value(program.id!)).path, redirectType: .normal)
    }

    // MARK: scoring

    static func classScenarios(_ session: ClassSession, on db: any Database) async throws -> [Scenario] {
        try await Scenario.query(on: db).filter(\.$program.$id == session.$program.id).filter(\.$course.$id == session.$course.id).sort(
            \.$createdAt
        ).all()
    }

    @Sendable static func overview(req: Request) async throws -> Response {
        let session = try await TrainingAccess.taughtClass(req)
        let user = try req.auth.require(User.self)
        let scenarios = try await classScenarios(session, on: req.db)
        let roster = try await AttendanceController.confirmedRoster(session, on: req.db)
        let sheets = try await Evaluation.query(on: req.db).filter(\.$classSession.$id == session.id!).all()
        func cell(_ registration: Registration, _ scenario: Scenario) -> Node<HTML.TableRowContext> {
            let mine = sheets.contains {
                $0.$registration.id == registration.id && $0.$scenario.id == scenario.id && $0.trainerID == user.id
            }
            let count = sheets.filter { $0.$registration.id == registration.id && $0.$scenario.id == scenario.id }.count
            return .td(
                .a(
                    .href(SiteURL.evaluationSheet(.value(session.id!), .value(registration.id!), .value(scenario.id!)).path),
                    .text(mine ? "Change your scores" : "Score"),
                    .span(.class("visually-hidden"), .text(" \(registration.name), \(scenario.title)"))),
                .if(count > 0, .text(" (\(count) sheet\(count == 1 ? "" : "s"))")))
        }
        let page = Page(
            title: "Role-play scores: \(session.title)", chrome: req.chrome(),
            main: [
                .p(.a(.href(SiteURL.classPage(.value(session.id!)).path), .text("← \(session.title)"))),
                .h1(.text("Role-play scores")),
                .if(
                    scenarios.isEmpty,
                    .p(
                        .text(
                            "This program has no role-play scenarios for \(session.course.code) yet. A coordinator adds them on the program's scenarios page."
                        ))),
                .if(
                    !scenarios.isEmpty && !roster.isEmpty,
                    .div(
                        .class("table-scroll"), .attribute(named: "tabindex", value: "0"), .attribute(named: "role", value: "region"),
                        .attribute(named: "aria-label", value: "Trainees and scenarios"),
                        .table(
                            .caption(.text("Trainees and scenarios")),
                            .tr(
                                .th(.text("Trainee")),
                                .forEach(scenarios) { .th(.attribute(named: "scope", value: "col"), .text($0.title)) }),
                            .forEach(roster) { registration in
                                .tr(
                                    .th(.attribute(named: "scope", value: "row"), .text(registration.name)),
                                    .forEach(scenarios) { cell(registration, $0) })
                            }))),
            ], stylesheets: [TrainingAssets.stylesheetPath])
        return htmlResponse(page)
    }

    static func loadSheetTarget(_ req: Request) async throws -> (ClassSession, Registration, Scenario) {
        let session = try await TrainingAccess.taughtClass(req)
        guard let registrationID = req.parameters.get("registration").flatMap(UUID.init(uuidString:)),
            let registration = try await Registration.find(registrationID, on: req.db),
            registration.$classSession.id == session.id, registration.status == .confirmed,
            let scenarioID = req.parameters.get("scenario").flatMap(UUID.init(uuidString:)),
            let scenario = try await Scenario.find(scenarioID, on: req.db),
            scenario.$program.id == session.$program.id, scenario.$course.id == session.$course.id
        else { throw Abort(.notFound, reason: "That trainee or scenario is not in this class.") }
        return (session, registration, scenario)
    }

    @Sendable static func sheet(req: Request) async throws -> Response {
        let (session, registration, scenario) = try await loadSheetTarget(req)
        let user = try req.auth.require(User.self)
        let mine = try await Evaluation.query(on: req.db).filter(\.$registration.$id == registration.id!)
            .filter(\.$scenario.$id == scenario.id!).filter(\.$trainerID == user.id!).first()
        return try await sheetPage(
            req, session: session, registration: registration, scenario: scenario,
            scores: mine?.scores ?? [:], feedback: mine?.feedback ?? "", errors: [:], status: .ok)
    }

    static func sheetPage(
        _ req: Request, session: ClassSession, registration: Registration, scenario: Scenario,
        scores: [String: Int], feedback: String, errors: [String: String], status: HTTPResponseStatus
    ) async throws -> Response {
        let rubric = scenario.rubric
        var labels = ["feedback": "Written feedback"]
        for criterion in rubric.criteria { labels["score-\(criterion.code)"] = criterion.title }
        let order = rubric.criteria.map { "score-\($0.code)" } + ["feedback"]
        let page = Page(
            title: "Score: \(registration.name)", chrome: req.chrome(),
            main: [
                .p(.a(.href(SiteURL.evaluations(.value(session.id!)).path), .text("← Role-play scores"))),
                .h1(.text("\(registration.name): \(scenario.title)")),
                .p(.text(scenario.details)),
                FormHTML.errorSummary(errors, order: order, labels: labels),
                FormHTML.form(
                    action: SiteURL.evaluationSheet(.value(session.id!), .value(registration.id!), .value(scenario.id!)).path,
                    csrf: req.csrfToken,
                    [
                        .forEach(rubric.criteria) {
                            criterionFieldset($0, rubric: rubric, scores: scores, error: errors["score-\($0.code)"])
                        },
                        FormHTML.textarea(
                            name: "feedback", label: labels["feedback"]!, value: feedback, error: errors["feedback"],
                            hint: "What went well and what to practise. The trainee reads this after the class, signed in."),
                        FormHTML.submit("Save scores"),
                    ]),
            ], stylesheets: [TrainingAssets.stylesheetPath], bodyClass: "score-sheet")
        return htmlResponse(page, status: status)
    }

    /// One criterion: the criterion is the legend, the four levels are four large radio
    /// "buttons" side by side (each radio inside its own label, so which label belongs to
    /// which radio is never in doubt), and what each level means is one tap away in a
    /// `<details>`, so seven criteria fit on a tablet screen instead of 5,000 px.
    ///
    /// The error belongs to the group: the fieldset is described by it and every radio
    /// is marked invalid, so a screen reader hears it on whichever radio it lands on.
    static func criterionFieldset(_ criterion: RubricCriterion, rubric: Rubric, scores: [String: Int], error: String?) -> BodyNode {
        let name = "score-\(criterion.code)"
        let hintID = "\(name)-hint"
        let errorID = "\(name)-error"
        let choices: [BodyNode] = rubric.levels.map { level in
            let id = "\(name)-\(level.score)"
            var attributes: [Attribute<HTML.InputContext>] = [
                .attribute(named: "type", value: "radio"), .attribute(named: "id", value: id),
                .attribute(named: "name", value: name), .attribute(named: "value", value: String(level.score)),
            ]
            if scores[criterion.code] == level.score { attributes.append(.attribute(named: "checked", value: "checked")) }
            if error != nil { attributes.append(.attribute(named: "aria-invalid", value: "true")) }
            return .label(
                .class("level"), .for(id),
                .selfClosedElement(named: "input", attributes: attributes),
                .span(.class("level-score"), .text(String(level.score))),
                .span(.class("level-label"), .text(level.label)))
        }
        return .element(
            named: "fieldset",
            nodes: [
                .class(error == nil ? "rubric-criterion" : "rubric-criterion has-error"),
                .id("field-\(name)"),
                .attribute(named: "aria-describedby", value: error == nil ? hintID : "\(errorID) \(hintID)"),
                .element(named: "legend", text: criterion.title),
                .p(.class("hint"), .id(hintID), .text(criterion.description)),
                .unwrap(error) { .p(.class("error"), .id(errorID), .text($0)) },
                .div(.class("scale"), .group(choices)),
                .element(
                    named: "details",
                    nodes: [
                        .class("levels"),
                        .element(
                            named: "summary",
                            nodes: [.text("What the scores mean"), .span(.class("visually-hidden"), .text(" for “\(criterion.title)”"))]),
                        .element(
                            named: "dl",
                            nodes: [
                                .forEach(rubric.levels) { level in
                                    .group(
                                        .element(named: "dt", text: "\(level.score) \(level.label)"),
                                        .element(named: "dd", text: level.anchor))
                                }
                            ]),
                    ]),
            ])
    }

    @Sendable static func saveSheet(req: Request) async throws -> Response {
        let (session, registration, scenario) = try await loadSheetTarget(req)
        let user = try req.auth.require(User.self)
        let form = FormValues(req)
        let rubric = scenario.rubric
        var scores: [String: Int] = [:]
        var errors: [String: String] = [:]
        for criterion in rubric.criteria {
            let raw = form.trimmed("score-\(criterion.code)")
            if raw.isEmpty {
                errors["score-\(criterion.code)"] = "Choose a score."
            } else if let value = Int(raw), rubric.levels.contains(where: { $0.score == value }) {
                scores[criterion.code] = value
            } else {
                errors["score-\(criterion.code)"] = "Choose one of the scores shown."
            }
        }
        let feedback = form.trimmed("feedback")
        if let problem = TrainingFormat.plainText(feedback, limit: 4000) { errors["feedback"] = problem }
        if errors.isEmpty, let problem = rubric.problems(scores: scores).first { errors["feedback"] = problem }
        guard errors.isEmpty else {
            return try await sheetPage(
                req, session: session, registration: registration, scenario: scenario, scores: scores, feedback: feedback, errors: errors,
                status: .unprocessableEntity)
        }
        let json = String(decoding: try JSONEncoder().encode(scores), as: UTF8.self)
        try await req.db.transaction { tx in
            if let existing = try await Evaluation.query(on: tx).filter(\.$registration.$id == registration.id!)
                .filter(\.$scenario.$id == scenario.id!).filter(\.$trainerID == user.id!).first()
            {
                existing.scoresJSON = json
                existing.feedback = feedback
                try await existing.update(on: tx)
            } else {
                let sheet = Evaluation()
                sheet.$classSession.id = session.id!
                sheet.$registration.id = registration.id!
                sheet.$scenario.id = scenario.id!
                sheet.trainerID = user.id!
                sheet.trainerName = user.name.isEmpty ? user.email : user.name
                sheet.scoresJSON = json
                sheet.feedback = feedback
                try await sheet.create(on: tx)
            }
            try await req.audit.record(
                "evaluation.saved", entityType: "class", entityID: session.id?.uuidString,
                details: "\(scenario.title), registration \(registration.id!.uuidString)", on: tx)
        }
        return req.redirect(to: SiteURL.evaluations(.value(session.id!)).path, redirectType: .normal)
    }
}
