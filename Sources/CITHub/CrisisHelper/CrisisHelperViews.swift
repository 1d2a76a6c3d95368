import Foundation
import Plot
import CITDomain

/// The helper's pages. The plan's markup (`plan`, `callMode`) is mirrored exactly by
/// crisis.js, which builds the same elements in the browser; the e2e equivalence test
/// compares the two.
enum CrisisHelperViews {
    enum FormMode {
        /// The cached page: the browser script reads the form; it is never posted.
        case live
        /// Rendered per request with a CSRF token: posted without JavaScript.
        case post(csrf: String)
    }

    // MARK: pages

    /// `/crisis`: the same for everyone (cached). Without JavaScript it shows the seed's
    /// general script and a link to the form that works by posting.
    static func helperPage(chrome: PageChrome) -> Page {
        let generic = CrisisScript(CrisisAnswers())
        return Page(
            title: "Get help now", chrome: chrome,
            main: [
                .h1(.text("Get help now: what to say when you call 911")),
                whichNumber(),
                .p(
                    .class("intro"),
                    .text(
                        "Answer a few questions and this page writes what to say to 911, in the order of the call. What you type stays in this browser: it is not sent anywhere."
                    )),
                .element(
                    named: "noscript",
                    nodes: [
                        .p(
                            .class("notice"), .text("This page needs JavaScript to fill in your script as you type. "),
                            .a(.href(SiteURL.crisisPlan.path), .text("Fill in your details on a page that works without JavaScript")),
                            .text("."))
                    ]),
                .a(.class("skip-to-plan"), .href("#plan"), .text("Skip the questions and see the script")),
                .div(.id("form-box"), .attribute(named: "hidden"), form(CrisisForm(), errors: [:], mode: .live)),
                // No "Open in Messages" until there is something of theirs to send: crisis.js adds it.
                plan(generic, texts: TextTo911(CrisisAnswers()), made: nil, title: "What to say", messageActions: false),
                callMode(generic),
            ], scripts: [SiteURL.crisisScript.path], stylesheets: [SiteURL.crisisStylesheet.path], bodyClass: "crisis")
    }

    /// `/crisis/plan` (GET) and a POST with mistakes: the form that works without JavaScript.
    static func formPage(chrome: PageChrome, form values: CrisisForm, errors: [String: String], csrf: String) -> Page {
        Page(
            title: errors.isEmpty ? "Make your crisis plan" : "Please check your answers", chrome: chrome,
            main: [
                .h1(.text("Make your crisis plan")),
                // What to fix comes first, before the 911 box, so it is seen without scrolling.
                FormHTML.errorSummary(
                    errors,
                    order: CrisisForm.requiredFields + CrisisForm.textFields.filter { !CrisisForm.requiredFields.contains($0) } + [
                        "substance"
                    ], labels: CrisisFormText.labels),
                whichNumber(),
                .p(
                    .class("intro"),
                    .text(
                        "Answer the first questions; the rest are optional. Your answers are used once to make your script and are not kept."
                    )),
                form(values, errors: errors, mode: .post(csrf: csrf)),
            ], stylesheets: [SiteURL.crisisStylesheet.path], bodyClass: "crisis")
    }

    /// A successful POST: the script, call mode, text version, and the form to change it.
    static func resultPage(chrome: PageChrome, form values: CrisisForm, csrf: String, made: Date) -> Page {
        let answers = values.answers
        let script = CrisisScript(answers)
        return Page(
            title: "Your crisis plan", chrome: chrome,
            main: [
                .h1(.text("Your crisis plan")),
                whichNumber(),
                .p(.class("intro no-print"), .text("This page is not kept anywhere. Print it, or keep it open. Leaving it forgets it.")),
                plan(script, texts: TextTo911(answers), made: made, title: "What to say"),
                callMode(script),
                .h2(.class("no-print"), .text("Change your answers")),
                form(values, errors: [:], mode: .post(csrf: csrf)),
            ], stylesheets: [SiteURL.crisisStylesheet.path], bodyClass: "crisis")
    }

    // MARK: parts

    static func whichNumber() -> BodyNode {
        .section(
            .class("which"), .ariaLabel("Which number to call"),
            .p(
                .strong(.text("Anyone in danger now? Call 911.")),
                .text(" Ask for an officer with CIT training.")),
            .p(.text("No one in immediate danger, but you need support? Call or text 988, the Suicide & Crisis Lifeline.")),
            .p(
                .class("call-now no-print"),
                .a(.class("button danger big"), .href("tel:911"), .text("Call 911")),
                .a(.class("button secondary big"), .href("tel:988"), .text("Call 988"))),
            // A separate GET form to the directory's search: it answers whether the
            // directory knows of a CIT program in that county, with its sources. Only the
            // county or ZIP is sent, and only when the person asks.
            .element(
                named: "form",
                nodes: [
                    .attribute(named: "method", value: "get"), .attribute(named: "action", value: SiteURL.search.path),
                    .class("cit-lookup no-print"),
                    .label(.for("cit-q"), .text("Is there CIT where you live? Your county or ZIP code")),
                    .div(
                        .class("lookup-row"),
                        .selfClosedElement(
                            named: "input",
                            attributes: [
                                Attribute<HTML.InputContext>.attribute(named: "type", value: "search"),
                                .attribute(named: "id", value: "cit-q"), .attribute(named: "name", value: "q"),
                                .attribute(named: "maxlength", value: "100"), .attribute(named: "autocomplete", value: "postal-code"),
                            ]),
                        .button(.type(.submit), .class("button secondary"), .text("Look up"))),
                ])
        )
    }

    /// "May 3, 2026", the same on every server and in every browser (crisis.js uses
    /// the browser's own date and this format).
    static func madeDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        let months = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
        ]
        return "\(months[(c.month ?? 1) - 1]) \(c.day ?? 1), \(c.year ?? 2000)"
    }

    /// The script, the text-message version and the print header. crisis.js rebuilds
    /// `#script`, `#texts`, `#made-date` and `#call` with the same markup.
    static func plan(_ script: CrisisScript, texts: TextTo911, made: Date?, title: String, messageActions: Bool = true) -> BodyNode {
        .section(
            .id("plan"), .class("plan"), .attribute(named: "aria-labelledby", value: "plan-title"),
            .attribute(named: "tabindex", value: "-1"),
            .h2(.id("plan-title"), .text(title)),
            .p(
                .class("made"), .if(made == nil, .attribute(named: "hidden")),
                .text("Crisis plan made on "), .span(.id("made-date"), .text(made.map(madeDate) ?? "")), .text(".")),
            .p(
                .class("plan-actions no-print"),
                .a(.class("button danger big"), .href("tel:911"), .text("Call 911")),
                .a(.class("button big"), .href("#call-1"), .text("Start “on the call” mode")),
                .button(
                    .type(.button), .id("print-plan"), .class("button secondary big"), .attribute(named: "hidden"), .text("Print this plan")
                )),
            .p(.id("plan-status"), .class("visually-hidden"), .attribute(named: "role", value: "status")),
            .ol(.id("script"), .class("script"), .forEach(script.steps) { step($0) }),
            .section(
                .class("texts"), .attribute(named: "aria-labelledby", value: "texts-title"),
                .h3(.id("texts-title"), .text("Text to 911")),
                .p(.text("Only where 911 takes texts; calling is better when you can. Send these in order:")),
                .ol(
                    .id("texts"),
                    .forEach(Array(texts.messages.enumerated())) { index, text in
                        message(text, number: index + 1, actions: messageActions)
                    })
            )
        )
    }

    /// One text message: the words (selectable with one tap, `user-select: all`, which is
    /// the copy that works without JavaScript), "Open in Messages" and "Copy" (crisis.js
    /// makes it work; hidden without it).
    ///
    /// `sms:911?&body=`: RFC 5724's form is `sms:911?body=`, which Android's Messages
    /// reads; iOS 8 and later read the body only after `&` (`sms:911&body=`). With `?&body=`
    /// Android sees a query whose `body` parameter follows an empty one, and iOS finds
    /// `&body=`, so one link fills in the message on both.
    static func message(_ text: String, number: Int, actions: Bool) -> Node<HTML.ListContext> {
        let id = "text-\(number)"
        return .li(
            .p(.class("msg"), .id(id), .raw(textEscaped(text))),
            .if(
                actions,
                .p(
                    .class("msg-actions no-print"),
                    .a(
                        .class("button secondary"), .href("sms:911?&body=" + uriComponent(text)),
                        .attribute(named: "aria-describedby", value: id), .text("Open in Messages")),
                    .text(" "),
                    .button(
                        .type(.button), .class("button secondary copy"), .attribute(named: "aria-describedby", value: id),
                        .attribute(named: "hidden"), .text("Copy"))))
        )
    }

    /// JavaScript's `encodeURIComponent`: everything but `A–Z a–z 0–9 - _ . ! ~ * ' ( )`
    /// as UTF-8 bytes in `%XX`, so the server's link and the browser's are the same.
    static func uriComponent(_ text: String) -> String {
        let keep = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()".utf8)
        var out = ""
        for byte in text.utf8 {
            if keep.contains(byte) { out.unicodeScalars.append(Unicode.Scalar(byte)) } else { out += String(format: "%%%02X", byte) }
        }
        return out
    }

    static func step(_ step: CrisisStep) -> Node<HTML.ListContext> {
        .li(
            .class("step step-\(step.kind.rawValue)" + (step.isSafety ? " safety" : "")),
            .if(step.isSafety, .p(.class("safety-tag"), .text("Safety"))),
            .p(.class("do"), .text(step.instruction)),
            .if(
                !step.say.isEmpty,
                .element(
                    named: "blockquote",
                    nodes: [
                        .class("say"),
                        .forEach(step.say) { .p(.raw(textEscaped("“\($0)”"))) },
                    ]))
        )
    }

    /// One step per screen, shown with CSS `:target`, so Next and Back are plain links
    /// that work without JavaScript and without a network.
    static func callMode(_ script: CrisisScript) -> BodyNode {
        let count = script.steps.count
        return .div(
            .id("call"), .class("call-steps"),
            .forEach(Array(script.steps.enumerated())) { index, step in
                let number = index + 1
                return .section(
                    .id("call-\(number)"), .class("call-step" + (step.isSafety ? " safety" : "")),
                    .attribute(named: "aria-labelledby", value: "call-\(number)-title"), .attribute(named: "tabindex", value: "-1"),
                    .h2(.id("call-\(number)-title"), .text("Step \(number) of \(count)")),
                    .if(step.isSafety, .p(.class("safety-tag"), .text("Safety"))),
                    .p(.class("do"), .text(step.instruction)),
                    // The call itself is one tap from the first step.
                    .if(
                        step.kind == .call911, .p(.class("call-line"), .a(.class("button danger big"), .href("tel:911"), .text("Call 911")))
                    ),
                    .if(
                        !step.say.isEmpty,
                        .element(
                            named: "blockquote",
                            nodes: [
                                .class("say"),
                                .forEach(step.say) { .p(.raw(textEscaped("“\($0)”"))) },
                            ])),
                    .nav(
                        .class("call-nav"), .ariaLabel("Steps"),
                        .a(
                            .class("button secondary"), .href(number == 1 ? "#plan" : "#call-\(number - 1)"),
                            .text(number == 1 ? "Leave" : "Back")),
                        .a(
                            .class("button"), .href(number == count ? "#plan" : "#call-\(number + 1)"),
                            .text(number == count ? "Done" : "Next")))
                )
            })
    }

    // MARK: the form

    static func form(_ values: CrisisForm, errors: [String: String], mode: FormMode) -> BodyNode {
        var head: [BodyNode] = [
            .id("crisis-form"), .attribute(named: "novalidate"), .attribute(named: "method", value: "post"),
            .attribute(named: "action", value: SiteURL.crisis.path),
        ]
        if case let .post(csrf) = mode { head.append(.input(.type(.hidden), .name(CSRF.fieldName), .value(csrf.attributeEscaped))) }
        func text(_ name: String, hint: String? = nil, required: Bool = false, autocomplete: String? = nil, area: Bool = false) -> BodyNode
        {
            field(
                name: name, label: CrisisFormText.labels[name] ?? name, value: values.text(name), error: errors[name],
                hint: hint, required: required, autocomplete: autocomplete, area: area)
        }
        func check(_ name: String, _ label: String) -> BodyNode {
            checkbox(id: "field-\(name)", name: name, checked: values.isChecked(name), label: label)
        }
        let body: [BodyNode] = [
            fieldset(
                "1. The call: who, where, what",
                .p(.class("hint"), .text("These five fill in the first thing you say.")),
                text("name", required: true, autocomplete: "name"),
                text(
                    "location", hint: "Street address, apartment, city. The dispatcher needs it first.", required: true,
                    autocomplete: "street-address"),
                text("relation", hint: "For example: son, sister, friend.", required: true),
                text("lovedName", required: true),
                text(
                    "happening", hint: "In your own words. For example: hearing voices and has not slept for three days.", required: true,
                    area: true)
            ),
            fieldset(
                "2. For the dispatcher",
                check("onFile", "Law enforcement has information on file about them"),
                text("onFileDetail", hint: "For example: a crisis plan with the county sheriff."),
                check("quiet", "Arriving without lights or sirens would help")
            ),
            fieldset(
                "3. Safety: weapons and threats", class: "safety-fields",
                text("weapons", hint: "For example: a hunting rifle in the garage, kitchen knives, or none."),
                .p(.class("group-label"), .text("They have made direct threats toward:")),
                check("threatSelf", "themselves (suicide)"),
                check("threatYou", "me"),
                check("threatOthers", "others")
            ),
            fieldset(
                "4. If there is time: what makes it worse, what helps",
                .p(.class("group-label"), .text("What makes it worse:")),
                check("trigLoud", "speaking loudly"),
                check("trigOver", "standing over the person"),
                check("trigClose", "getting too close"),
                text("trigOther"),
                .p(.class("group-label"), .text("What helps:")),
                check("helpSoft", "speaking softly"),
                check("helpDirect", "addressing concerns directly"),
                check("helpTrusted", "having a trusted person nearby"),
                text("helpOther")
            ),
            fieldset(
                "5. If there is time: health",
                text("diagnosis"),
                text("provider", hint: "A doctor, clinic or case worker."),
                select(name: "substance", value: values.substance ?? "", error: errors["substance"]),
                text("substanceDetail", hint: "If you know: what and how much."),
                text("medications"),
                check("selfCare", "They are unable to care for themselves")
            ),
        ]
        var tail: [BodyNode] = []
        switch mode {
        case .live:
            tail = [
                fieldset(
                    "6. Keep it on this device?",
                    .p(
                        .class("hint"),
                        .text(
                            "Off unless you tick it. Your answers are then kept only in this browser, so the plan is here next time, even without a connection. Nothing is sent to CIT Hub."
                        )),
                    checkbox(id: "field-keep", name: nil, checked: false, label: "Keep my answers on this device"),
                    .p(.button(.type(.button), .id("forget"), .class("button secondary"), .text("Forget my answers"))),
                    .p(.id("keep-status"), .attribute(named: "role", value: "status"))
                ),
                .p(.a(.class("button big"), .href("#plan"), .text("See my script"))),
            ]
        case .post:
            tail = [.p(.button(.type(.submit), .class("button big"), .text("Make my script")))]
        }
        return .element(named: "form", nodes: head + body + tail)
    }

    /// Plot writes attribute values as given, so a typed `"` would end the attribute and
    /// let the rest become markup. Escape them here; control characters (NUL) go too.
    static func attributeEscaped(_ value: String) -> String {
        HTMLEscape.attribute(withoutControls(value))
    }

    /// Plot's `.text` leaves anything that looks like an entity ("&amp;") alone, so a
    /// person's literal "&amp;" would show as "&". Answers are escaped here instead,
    /// all of them, exactly as the browser's `textContent` shows them.
    static func textEscaped(_ value: String) -> String {
        HTMLEscape.text(value)
    }

    static func withoutControls(_ value: String) -> String {
        String(
            String.UnicodeScalarView(
                value.unicodeScalars.map { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || $0.value == 0x7F ? " " : $0 }))
    }

    static func fieldset(_ legend: String, class cls: String? = nil, _ nodes: BodyNode...) -> BodyNode {
        .element(named: "fieldset", nodes: [.unwrap(cls) { .class($0) }, .element(named: "legend", nodes: [.text(legend)])] + nodes)
    }

    static func checkbox(id: String, name: String?, checked: Bool, label: String) -> BodyNode {
        var attributes: [Attribute<HTML.InputContext>] = [
            .attribute(named: "type", value: "checkbox"), .attribute(named: "id", value: id), .attribute(named: "value", value: "1"),
        ]
        if let name { attributes.append(.attribute(named: "name", value: name)) }
        if checked { attributes.append(.attribute(named: "checked", value: "checked")) }
        return .div(.class("check"), .selfClosedElement(named: "input", attributes: attributes), .label(.for(id), .text(label)))
    }

    static func field(
        name: String, label: String, value: String, error: String?, hint: String?, required: Bool, autocomplete: String?, area: Bool
    ) -> BodyNode {
        let id = "field-\(name)"
        let describedBy = [error == nil ? nil : "\(id)-error", hint == nil ? nil : "\(id)-hint"].compactMap { $0 }.joined(separator: " ")
        var attributes: [Attribute<HTML.InputContext>] = [
            .attribute(named: "id", value: id), .attribute(named: "name", value: name),
            .attribute(named: "maxlength", value: String(CrisisForm.maxLength)),
        ]
        if let autocomplete { attributes.append(.attribute(named: "autocomplete", value: autocomplete)) }
        if required { attributes.append(.attribute(named: "required", value: "required")) }
        if !describedBy.isEmpty { attributes.append(.attribute(named: "aria-describedby", value: describedBy)) }
        if error != nil { attributes.append(.attribute(named: "aria-invalid", value: "true")) }
        let control: BodyNode =
            area
            ? .element(
                named: "textarea",
                nodes: attributes.map { .attribute(named: $0.name, value: $0.value) } + [
                    .attribute(named: "rows", value: "3"), .raw(textEscaped(withoutControls(value))),
                ])
            : .selfClosedElement(
                named: "input",
                attributes: attributes + [
                    .attribute(named: "type", value: "text"), .attribute(named: "value", value: attributeEscaped(value)),
                ])
        return .div(
            .class(error == nil ? "field" : "field has-error"),
            .label(.for(id), .text(label), .if(!required, .span(.class("optional"), .text(" (optional)")))),
            .unwrap(hint) { .p(.class("hint"), .id("\(id)-hint"), .text($0)) },
            .unwrap(error) { .p(.class("error"), .id("\(id)-error"), .text($0)) },
            control
        )
    }

    static func select(name: String, value: String, error: String?) -> BodyNode {
        let options: [(String, String)] = [
            ("", "No, or I don’t know"), ("intoxicated", "They are intoxicated"), ("overdose", "They may have overdosed"),
        ]
        let id = "field-\(name)"
        return .div(
            .class(error == nil ? "field" : "field has-error"),
            .label(.for(id), .text(CrisisFormText.labels[name] ?? name), .span(.class("optional"), .text(" (optional)"))),
            .unwrap(error) { .p(.class("error"), .id("\(id)-error"), .text($0)) },
            .element(
                named: "select",
                nodes: [
                    .id(id), .attribute(named: "name", value: name),
                    .if(error != nil, .attribute(named: "aria-describedby", value: "\(id)-error")),
                    .forEach(options) { option in
                        .element(
                            named: "option",
                            nodes: [
                                .attribute(named: "value", value: option.0, ignoreIfValueIsEmpty: false),
                                .if(option.0 == value, .attribute(named: "selected", value: "selected")),
                                .text(option.1),
                            ])
                    },
                ])
        )
    }
}
