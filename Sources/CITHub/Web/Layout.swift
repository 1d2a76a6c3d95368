import Plot
import Foundation
import CITDomain

typealias BodyNode = Node<HTML.BodyContext>

extension String {
    /// Plot escapes text but writes attribute values as they are, so every value that
    /// can carry user input (form values, query parameters, cookies, names) goes through
    /// this before it becomes an attribute.
    var attributeEscaped: String {
        HTMLEscape.attribute(self)
    }
}

/// What every page needs from the outside: the organisation for the footer and who is
/// signed in for the header. Built by controllers, so views never touch the database.
struct PageChrome: Sendable {
    var organization: Settings.Organization
    var signedInAs: String?
    /// Shown at the top of the page after a redirect ("Your password was changed.").
    var notice: String?
}

/// A page: its title, its main content and the chrome. `render()` gives the whole
/// document; public pages keep the result in `PageCache`.
struct Page {
    var title: String
    var chrome: PageChrome
    var main: [BodyNode]
    /// Scripts served by the app itself (CSP allows no inline script).
    var scripts: [String] = []
    /// Extra stylesheets (served by the app) after the site's own.
    var stylesheets: [String] = []
    var bodyClass: String? = nil

    func render() -> String {
        let document = HTML(
            .lang(.english),
            .head(
                .encoding(.utf8),
                .viewport(.accordingToDevice),
                .element(named: "title", text: title == "CIT Hub" ? title : "\(title) · CIT Hub"),
                .meta(
                    .name("description"),
                    .content(
                        "Crisis Intervention Team (CIT) and Crisis Intervention Partners (CIP) programs: what to say to 911, where CIT is, classes and training."
                    )),
                .stylesheet(SiteURL.stylesheet.path),
                .forEach(stylesheets) { .stylesheet($0) },
                .link(.rel(.icon), .href(SiteURL.favicon.path), .type("image/svg+xml"))
            ),
            .body(
                .unwrap(bodyClass) { .class($0) },
                .a(.class("skip-link"), .href("#main"), .text("Skip to main content")),
                Self.header(chrome),
                .main(
                    .id("main"),
                    .attribute(named: "tabindex", value: "-1"),
                    .unwrap(chrome.notice) { notice in
                        .div(.class("notice"), .attribute(named: "role", value: "status"), .p(.text(notice)))
                    },
                    .group(main)
                ),
                Self.footer(chrome),
                .forEach(scripts) { .script(.src($0), .attribute(named: "defer")) },
                // Every page installs the offline worker (issue 12): after one visit the home
                // page, the map and the crisis helper open without a connection.
                .script(.src(SiteURL.crisisOfflineScript.path), .attribute(named: "defer"))
            )
        )
        return document.render()
    }

    static func header(_ chrome: PageChrome) -> BodyNode {
        .header(
            .class("site-header"),
            .div(
                .class("wrap header-row"),
                .a(.class("brand"), .href(SiteURL.home.path), .text("CIT Hub")),
                .a(.class("help-now"), .href(SiteURL.crisis.path), .text("Get help now"))
            ),
            .nav(
                .ariaLabel("Main"),
                .ul(
                    .class("wrap nav-list"),
                    // "Get help now" is the button above, once: two of them read as two
                    // different things on a phone.
                    .li(.a(.href(SiteURL.map.path), .text("Find CIT near you"))),
                    .li(.a(.href(SiteURL.classes.path), .text("Classes"))),
                    .li(.a(.href(SiteURL.about.path), .text("About CIT"))),
                    chrome.signedInAs == nil
                        ? .li(.a(.href(SiteURL.login.path), .text("Sign in")))
                        : .li(.a(.href(SiteURL.account.path), .text("Your account")))
                )
            )
        )
    }

    static func footer(_ chrome: PageChrome) -> BodyNode {
        let org = chrome.organization
        return .footer(
            .class("site-footer"),
            .div(
                .class("wrap"),
                .p(
                    .class("emergency"),
                    .strong(.text("In danger now? Call 911.")),
                    .text(" For support when no one is in immediate danger, call or text 988, the Suicide & Crisis Lifeline.")),
                .p(
                    .text("Questions about CIT and CIP in this state: \(org.name)"),
                    .unwrap(org.phone.isEmpty ? nil : org.phone) { phone in
                        .group(.text(", "), .a(.href("tel:" + phone.filter { $0.isNumber || $0 == "+" }), .text(phone)))
                    },
                    .unwrap(org.email.isEmpty ? nil : org.email) { email in
                        .group(.text(", "), .a(.href(("mailto:" + email).attributeEscaped), .text(email)))
                    },
                    .text(".")
                )
            )
        )
    }
}

/// Form building blocks that keep the rules in one place: a label for every field, the
/// error beside the field it is about (`aria-describedby`, `aria-invalid`), the input kept.
enum FormHTML {
    static func form(action: String, csrf: String, id: String? = nil, _ nodes: [BodyNode]) -> BodyNode {
        .element(
            named: "form",
            nodes: [
                .attribute(named: "method", value: "post"),
                .attribute(named: "action", value: action.attributeEscaped),
                .attribute(named: "novalidate"),
                .unwrap(id) { .id($0) },
                .input(.type(.hidden), .name(CSRF.fieldName), .value(csrf.attributeEscaped)),
            ] + nodes)
    }

    struct Field {
        var name: String
        var label: String
        var type: String = "text"
        var value: String = ""
        var error: String? = nil
        var hint: String? = nil
        var autocomplete: String? = nil
        var required: Bool = true
    }

    static func field(_ field: Field) -> BodyNode {
        let inputID = "field-\(field.name)"
        let hintID = field.hint == nil ? nil : "\(inputID)-hint"
        let errorID = field.error == nil ? nil : "\(inputID)-error"
        let describedBy = [errorID, hintID].compactMap { $0 }.joined(separator: " ")
        var attributes: [Attribute<HTML.InputContext>] = [
            .attribute(named: "type", value: field.type),
            .attribute(named: "id", value: inputID),
            .attribute(named: "name", value: field.name),
        ]
        if field.type != "password" {
            attributes.append(.attribute(named: "value", value: field.value.attributeEscaped))
        }
        if let autocomplete = field.autocomplete { attributes.append(.attribute(named: "autocomplete", value: autocomplete)) }
        if field.required { attributes.append(.attribute(named: "required", value: "required")) }
        if !describedBy.isEmpty { attributes.append(.attribute(named: "aria-describedby", value: describedBy)) }
        if field.error != nil { attributes.append(.attribute(named: "aria-invalid", value: "true")) }
        return .div(
            .class(field.error == nil ? "field" : "field has-error"),
            .label(.for(inputID), .text(field.label), .if(!field.required, .span(.class("optional"), .text(" (optional)")))),
            .unwrap(field.hint) { hint in .p(.class("hint"), .id(hintID!), .text(hint)) },
            .unwrap(field.error) { error in .p(.class("error"), .id(errorID!), .text(error)) },
            .selfClosedElement(named: "input", attributes: attributes)
        )
    }

    static func select(
        name: String, label: String, options: [(value: String, title: String)], selected: String?, error: String? = nil, hint: String? = nil
    ) -> BodyNode {
        let selectID = "field-\(name)"
        let errorID = error == nil ? nil : "\(selectID)-error"
        let hintID = hint == nil ? nil : "\(selectID)-hint"
        let describedBy = [errorID, hintID].compactMap { $0 }.joined(separator: " ")
        return .div(
            .class(error == nil ? "field" : "field has-error"),
            .label(.for(selectID), .text(label)),
            .unwrap(hint) { hint in .p(.class("hint"), .id(hintID!), .text(hint)) },
            .unwrap(error) { error in .p(.class("error"), .id(errorID!), .text(error)) },
            .element(
                named: "select",
                nodes: [
                    .id(selectID),
                    .attribute(named: "name", value: name),
                    .attribute(named: "aria-describedby", value: describedBy),
                    .forEach(options) { option in
                        .element(
                            named: "option",
                            nodes: [
                                .attribute(named: "value", value: option.value.attributeEscaped, ignoreIfValueIsEmpty: false),
                                .if(option.value == selected, .attribute(named: "selected", value: "selected")),
                                .text(option.title),
                            ])
                    },
                ])
        )
    }

    /// A multi-line field with the same rules as `field`: label, hint, error beside it.
    static func textarea(name: String, label: String, value: String, error: String?, hint: String, rows: Int = 5, required: Bool = true)
        -> BodyNode
    {
        let id = "field-\(name)"
        return .div(
            .class(error == nil ? "field" : "field has-error"),
            .label(.for(id), .text(label), .if(!required, .span(.class("optional"), .text(" (optional)")))),
            .p(.class("hint"), .id("\(id)-hint"), .text(hint)),
            .unwrap(error) { .p(.class("error"), .id("\(id)-error"), .text($0)) },
            .textarea(
                .id(id), .name(name), .attribute(named: "rows", value: String(rows)),
                .attribute(named: "aria-describedby", value: "\(id)-hint" + (error == nil ? "" : " \(id)-error")),
                .if(error != nil, .attribute(named: "aria-invalid", value: "true")),
                .text(value)))
    }

    /// A text field with suggestions (`<datalist>`) that browsers filter as one types, with
    /// or without JavaScript: how a person picks a record by name (a program, an agency, a
    /// trainer). The server resolves what was typed; the suggestions only help.
    static func suggestionField(
        name: String, label: String, value: String = "", error: String?, hint: String,
        suggestions: [String], listID: String, extraClass: String = "", extra: BodyNode? = nil
    ) -> BodyNode {
        let inputID = "field-\(name)"
        let describedBy = [error == nil ? nil : "\(inputID)-error", "\(inputID)-hint"].compactMap { $0 }.joined(separator: " ")
        var attributes: [Attribute<HTML.InputContext>] = [
            .attribute(named: "type", value: "text"), .attribute(named: "id", value: inputID), .attribute(named: "name", value: name),
            .attribute(named: "list", value: listID), .attribute(named: "autocomplete", value: "off"),
            .attribute(named: "value", value: value.attributeEscaped), .attribute(named: "aria-describedby", value: describedBy),
        ]
        if error != nil { attributes.append(.attribute(named: "aria-invalid", value: "true")) }
        return .div(
            .class("field" + (extraClass.isEmpty ? "" : " " + extraClass) + (error == nil ? "" : " has-error")),
            .label(.for(inputID), .text(label)),
            .p(.class("hint"), .id("\(inputID)-hint"), .text(hint)),
            .unwrap(error) { .p(.class("error"), .id("\(inputID)-error"), .text($0)) },
            .selfClosedElement(named: "input", attributes: attributes),
            .element(
                named: "datalist",
                nodes: [
                    .id(listID),
                    .forEach(suggestions) { suggestion in
                        .element(named: "option", nodes: [.attribute(named: "value", value: suggestion.attributeEscaped)])
                    },
                ]),
            .unwrap(extra) { .p(.class("scope-extra"), $0) }
        )
    }

    static func submit(_ title: String, secondary: Bool = false) -> BodyNode {
        .button(.type(.submit), .class(secondary ? "button secondary" : "button"), .text(title))
    }

    /// A summary at the top of a form that failed, so a screen-reader user hears at once
    /// that something needs fixing, and where.
    static func errorSummary(_ errors: [String: String], order: [String], labels: [String: String]) -> BodyNode {
        let ordered = order.filter { errors[$0] != nil }
        return .if(
            !errors.isEmpty,
            .div(
                .class("error-summary"),
                .attribute(named: "role", value: "alert"),
                .h2(.text("Please check the form")),
                .ul(
                    .forEach(ordered) { key in
                        .li(.a(.href("#field-\(key)"), .text("\(labels[key] ?? key): \(errors[key] ?? "")")))
                    })
            ))
    }
}

/// Tables wider than a phone: they scroll sideways inside their own region, which the
/// keyboard can reach (tabindex) and a screen reader announces by name (role, label).
enum TableHTML {
    static func scrollRegion(label: String, _ table: BodyNode) -> BodyNode {
        .div(
            .class("table-scroll"), .attribute(named: "tabindex", value: "0"), .attribute(named: "role", value: "region"),
            .attribute(named: "aria-label", value: label.attributeEscaped), table)
    }
}
