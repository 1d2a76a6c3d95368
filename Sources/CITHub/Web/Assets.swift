import Vapor

/// The stylesheet and icon, served by the app itself (no CDN, no web fonts). Kept in code
/// so the binary is all a deployment needs; the ETag lets browsers keep them.
enum Assets {
    static let stylesheet = #"""
:root {
  --ink: #1b1b1f; --muted: #4a4a55; --paper: #ffffff; --tint: #f3f1f8;
  --brand: #3b2a7a; --brand-ink: #ffffff; --link: #2f3fa8; --danger: #a4161a;
  --ok: #1d6b3a; --focus: #ffbf47; --line: #c9c5d6;
  font-size: 100%;
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 1.125rem; line-height: 1.55; color: var(--ink); background: var(--paper); }
.wrap { max-width: 62rem; margin: 0 auto; padding: 0 1rem; }
a { color: var(--link); text-underline-offset: 0.15em; }
a:focus, button:focus, input:focus, select:focus, textarea:focus, main:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 2px; }
.skip-link { position: absolute; left: -999px; top: 0; background: var(--focus); color: var(--ink); padding: 0.75rem 1rem; z-index: 10; }
.skip-link:focus { left: 0.5rem; top: 0.5rem; }
.site-header { background: var(--brand); color: var(--brand-ink); }
.header-row { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.5rem; padding-top: 0.75rem; padding-bottom: 0.5rem; }
.brand { color: var(--brand-ink); font-weight: 700; font-size: 1.35rem; text-decoration: none; }
.help-now { background: #ffffff; color: var(--danger); font-weight: 700; padding: 0.6rem 1rem; border-radius: 0.4rem; text-decoration: none; min-height: 44px; display: inline-flex; align-items: center; }
.nav-list { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; margin: 0 auto; padding-bottom: 0.75rem; }
.nav-list a { color: var(--brand-ink); display: inline-block; padding: 0.5rem 0; min-height: 44px; }
main { display: block; max-width: 62rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.45rem; margin: 2rem 0 0.75rem; }
h3 { font-size: 1.2rem; margin: 1.5rem 0 0.5rem; }
.lead { font-size: 1.25rem; color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: 1rem; padding: 0; list-style: none; }
.card { border: 1px solid var(--line); border-radius: 0.5rem; padding: 1rem 1.25rem; background: var(--tint); }
.card h2, .card h3 { margin-top: 0; }
.button, button { display: inline-block; font: inherit; font-weight: 600; background: var(--brand); color: var(--brand-ink);
  border: 2px solid var(--brand); border-radius: 0.4rem; padding: 0.65rem 1.25rem; min-height: 48px; cursor: pointer; text-decoration: none; }
.button.secondary, button.secondary { background: #fff; color: var(--brand); }
.button.danger, button.danger { background: var(--danger); border-color: var(--danger); }
.inline-form { display: inline; }
.field { margin: 0 0 1.25rem; }
.field label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
.optional { font-weight: 400; color: var(--muted); }
.hint { margin: 0 0 0.35rem; color: var(--muted); font-size: 1rem; }
.field input, .field select, .field textarea { font: inherit; width: 100%; max-width: 32rem; padding: 0.6rem 0.7rem; border: 2px solid var(--ink); border-radius: 0.3rem; min-height: 48px; background: #fff; color: var(--ink); }
.has-error { border-left: 4px solid var(--danger); padding-left: 0.75rem; }
.error { color: var(--danger); font-weight: 600; margin: 0 0 0.35rem; }
.error-summary { border: 3px solid var(--danger); padding: 0.75rem 1rem; margin-bottom: 1.5rem; }
.error-summary h2 { margin-top: 0; font-size: 1.2rem; }
.notice { border-left: 6px solid var(--ok); background: #eef7f1; padding: 0.5rem 1rem; margin-bottom: 1.25rem; }
.notice p { margin: 0.25rem 0; }
.demo-banner { background: #fff4ce; border: 2px solid #8a6d00; padding: 0.5rem 1rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: 1rem; }
th, td { text-align: left; padding: 0.5rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--tint); }
.table-scroll { overflow-x: auto; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.95em; word-break: break-all; }
pre.mail { white-space: pre-wrap; word-break: break-word; background: var(--tint); padding: 0.75rem; border-radius: 0.3rem; font-size: 0.95rem; }
.site-footer { border-top: 4px solid var(--brand); background: var(--tint); padding: 1rem 0 2rem; font-size: 1rem; }
.emergency strong { color: var(--danger); }
.steps { padding-left: 1.5rem; }
.steps li { margin-bottom: 0.75rem; }
blockquote, .say { margin: 0.5rem 0 1rem; padding: 0.5rem 1rem; border-left: 6px solid var(--brand); background: var(--tint); font-size: 1.15rem; }
.status-sent { color: var(--ok); font-weight: 600; }
.status-failed { color: var(--danger); font-weight: 600; }
.map-wrap { max-width: 40rem; margin: 1rem 0; }
.state-map { width: 100%; height: auto; display: block; }
.state-map .county { stroke: #ffffff; stroke-width: 1.2; }
.state-map a:focus .county, .state-map a:hover .county { stroke: var(--ink); stroke-width: 3; }
.state-map a:focus { outline: none; }
.cov-cit { fill: #3b2a7a; background: #3b2a7a; }
.cov-cip_only { fill: #8f7fd1; background: #8f7fd1; }
.cov-none { fill: #d9d6e3; background: #d9d6e3; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; }
.swatch { display: inline-block; width: 1.1rem; height: 1.1rem; border: 1px solid var(--ink); vertical-align: -0.15rem; }
.provenance { color: var(--muted); font-size: 1rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; }
.search-form { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 0 1rem; }
.search-form .field { flex: 0 1 32rem; }
.search-form button { margin-bottom: 1.25rem; }
.checkbox-list { list-style: none; padding: 0; columns: 14rem; }
.checkbox-list label { font-weight: 400; display: inline; }
.checkbox-list input { width: 1.25rem; height: 1.25rem; min-height: 0; margin-right: 0.4rem; }
body.embed main { padding: 0.5rem; }
@media (max-width: 30rem) {
  body { font-size: 1.0625rem; }
  h1 { font-size: 1.65rem; }
  .nav-list { gap: 0 1rem; }
}
@media print {
  .site-header nav, .skip-link, .help-now, form, .no-print { display: none !important; }
  .site-header { background: none; color: #000; border-bottom: 2px solid #000; }
  .brand { color: #000; }
  body { font-size: 12pt; }
  a { color: #000; text-decoration: none; }
  main { padding: 0; }
  .site-footer { background: none; border-top: 1px solid #000; }
}
/* ---- Accounts: staff pickers, role homes, encounter reports (issue 12) ---- */
.home-section { border-top: 1px solid var(--line); margin-top: 1.5rem; }
.home-links { list-style: none; padding: 0; margin: 0.5rem 0 1rem; }
.home-links li { padding: 0.25rem 0; border-bottom: 1px solid var(--line); }
.home-links li > a { display: inline-block; font-weight: 600; padding: 0.55rem 0; }
.home-links .hint { display: block; margin: 0 0 0.35rem; }
.home-links li:last-child { border-bottom: 0; }
#administration .home-links { display: grid; grid-template-columns: repeat(auto-fill, minmax(19rem, 1fr)); gap: 0 2rem; }
#administration .home-links li:last-child { border-bottom: 1px solid var(--line); }
.home-programs, .home-classes { list-style: none; padding: 0; margin: 0 0 1rem; }
.home-programs > li, .home-classes > li { border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.75rem 1rem; margin-bottom: 0.75rem; background: var(--tint); }
.home-programs h3, .home-classes h3 { margin: 0 0 0.25rem; }
.home-classes > li.today { border: 3px solid var(--brand); background: #fff; }
.meta { margin: 0 0 0.5rem; color: var(--muted); font-size: 1rem; }
.class-actions { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; margin: 0.5rem 0; }
.class-actions .button { padding: 0.45rem 0.9rem; min-height: 44px; }
.role-list { padding-left: 1.25rem; }
.role-list li { margin-bottom: 0.5rem; }
.role-list form { display: inline; margin-left: 0.75rem; }
.button.small, button.small { padding: 0.3rem 0.8rem; min-height: 44px; font-size: 1rem; }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; }
.add-agency { border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.25rem 1rem; margin: 2rem 0; }
.add-agency summary { font-weight: 600; cursor: pointer; color: var(--link); padding: 0.6rem 0; }
.scope-extra { margin: 0.35rem 0 0; font-size: 1rem; }
/* Only the picker the chosen role uses is shown; browsers without :has() show both. */
form:has(#field-role option[value="program_coordinator"]:checked) .scope-agency,
form:has(#field-role option[value="agency_liaison"]:checked) .scope-program,
form:has(#field-role option:not([value="program_coordinator"]):not([value="agency_liaison"]):checked) .scope-field { display: none; }
.label-list { display: grid; grid-template-columns: minmax(10rem, max-content) 1fr; gap: 0.25rem 1rem; }
.label-list dt { font-weight: 600; }
.label-list dd { margin: 0; }
.pager { display: flex; gap: 1.5rem; margin: 1rem 0; }
@media (max-width: 30rem) { .label-list { grid-template-columns: 1fr; } .label-list dd { margin-bottom: 0.5rem; } }
.people { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); gap: 0.75rem; }
.people li { border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.6rem 0.9rem; background: var(--tint); font-size: 1rem; }
.people span { display: block; overflow-wrap: anywhere; }
.person-name { font-weight: 700; font-size: 1.1rem; display: inline-block; padding: 0.3rem 0; }
.person-status { color: var(--muted); }
.role-help { margin: -0.75rem 0 1.25rem; font-size: 1rem; }
.role-help summary { color: var(--link); cursor: pointer; padding: 0.5rem 0; }
.reports { list-style: none; padding: 0; }
.reports li { border-bottom: 1px solid var(--line); padding: 0.5rem 0 0.25rem; }
.reports h3 { margin: 0 0 0.25rem; font-size: 1.1rem; }
.reports p { margin: 0 0 0.35rem; }
.reports .meta a { display: inline-block; padding: 0.5rem 0; font-weight: 600; }
/* ---- Family and public: header, map, search, county and program pages (issue 12) ---- */
.visually-hidden { position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
@media screen {
  /* The header: one row for the name and "Get help now", one short row of links. */
  .header-row { padding-top: 0.35rem; padding-bottom: 0.35rem; }
  .nav-list { gap: 0 1.1rem; padding-bottom: 0.15rem; font-size: 1rem; }
  .nav-list a { padding: 0.25rem 0; min-height: 0; }
}
@media screen and (max-width: 30rem) {
  .site-header .wrap { padding-left: 0.75rem; padding-right: 0.75rem; }
  .header-row { padding-top: 0.2rem; padding-bottom: 0.2rem; }
  .help-now { padding: 0.45rem 0.9rem; }
  .brand { font-size: 1.2rem; }
  .nav-list { gap: 0 0.7rem; font-size: 0.95rem; }
}
/* Long addresses (a program's sources) break rather than widen a phone's page. */
.sources li { overflow-wrap: anywhere; }
.table-scroll:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.map-wrap { max-width: 48rem; }
.state-map .county-label { pointer-events: none; font-weight: 600; fill: var(--ink); text-anchor: middle; dominant-baseline: central; }
.state-map .county-label.on-cit { fill: #ffffff; }
.county-list h2 { font-size: 1.2rem; margin-top: 1rem; }
.county-list ul { list-style: none; padding: 0; margin: 0 0 1rem; display: grid; grid-template-columns: repeat(auto-fill, minmax(6.5rem, 1fr)); gap: 0 0.25rem; font-size: 0.95rem; }
.county-list ul.legend { display: flex; gap: 0.25rem 1rem; margin-bottom: 0.5rem; }
.county-list a { display: flex; align-items: center; gap: 0.3rem; min-height: 44px; overflow-wrap: anywhere; }
.county-list a .swatch { flex: none; width: 0.95rem; height: 0.95rem; }
/* Phones get the list first; wider screens a map big enough to read its names. */
@media (min-width: 48rem) { .county-list { display: none; } }
@media (max-width: 39.99rem) { .state-map .county-label { display: none; } }
.search-answers { list-style: none; padding: 0; }
.search-answers li { border-left: 6px solid var(--brand); background: var(--tint); padding: 0.5rem 1rem; margin-bottom: 0.75rem; }
.search-answers p { margin: 0.25rem 0; }
.answer { font-size: 1.15rem; font-weight: 600; }
.staff-links { display: flex; flex-wrap: wrap; gap: 0.5rem; margin: 0 0 1rem; }
.class-list li { margin-bottom: 0.5rem; }
/* ---- Classes: agenda rows, staff links (issue 12) ---- */
.agenda { border: 0; padding: 0; margin: 0 0 1.5rem; min-width: 0; }
.agenda > legend { font-size: 1.35rem; font-weight: 700; padding: 0; margin-bottom: 0.25rem; }
.agenda-row { border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.5rem 0.75rem 0.75rem; margin: 0 0 0.75rem; min-width: 0;
  display: grid; grid-template-columns: 1fr 1fr; gap: 0.35rem 0.75rem; align-items: end; }
.agenda-row > legend { font-weight: 600; padding: 0 0.25rem; }
.agenda-row.has-error { border: 2px solid var(--danger); border-left-width: 6px; }
.agenda-row > .error, .agenda-day, .agenda-title, .agenda-topic, .agenda-row .remove-row { grid-column: 1 / -1; }
.agenda-cell { min-width: 0; }
.agenda-cell label { display: block; font-weight: 600; font-size: 1rem; margin-bottom: 0.15rem; }
.agenda-cell input, .agenda-cell select { font: inherit; width: 100%; min-width: 0; padding: 0.45rem 0.5rem; border: 2px solid var(--ink); border-radius: 0.3rem; min-height: 44px; background: #fff; color: var(--ink); }
.agenda-row .remove-row { justify-self: start; padding: 0.3rem 0.8rem; min-height: 44px; font-size: 1rem; }
/* Buttons are inline-block, which would override [hidden]: the remove buttons are the script's. */
.agenda-row .remove-row[hidden] { display: none; }
@media (min-width: 48rem) {
  .agenda-row { grid-template-columns: 10.5rem 9rem 9rem minmax(8rem, 1fr) minmax(9rem, 13rem); }
  .agenda-day, .agenda-title, .agenda-topic { grid-column: auto; }
}
.staff-links ul { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 0.5rem; }
.facts dd { overflow-wrap: anywhere; }
.add-person { border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.25rem 1rem; margin: 1rem 0 1.5rem; }
.add-person > summary { font-weight: 600; cursor: pointer; color: var(--brand); padding: 0.6rem 0; min-height: 44px; }
/* ---- Program partners waiting for approval (issue 13) ---- */
.partner-list > li { margin-bottom: 0.9rem; }
.partner-waiting { margin: 0.2rem 0 0; color: var(--muted); font-style: italic; }
.partner-actions { display: flex; flex-wrap: wrap; gap: 0.5rem; margin-top: 0.35rem; }
.partner-actions form { margin: 0; }
"""#

    static let favicon = ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#3b2a7a"/><path d="M9 17l5 5 9-12" stroke="#fff" stroke-width="4" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>"##

    static func register(on routes: any RoutesBuilder) {
        serve(stylesheet, at: .stylesheet, type: HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"]), on: routes)
        serve(favicon, at: .favicon, type: HTTPMediaType(type: "image", subType: "svg+xml"), on: routes)
    }

    static func serve(_ text: String, at url: SiteURL, type: HTTPMediaType, on routes: any RoutesBuilder) {
        let body = ByteBuffer(string: text)
        let etag = "\"" + SHA256.hash(data: Data(text.utf8)).hex.prefix(16) + "\""
        routes.get(url.pathComponents) { request -> Response in
            var headers = HTTPHeaders()
            headers.contentType = type
            headers.replaceOrAdd(name: .eTag, value: etag)
            headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
            if request.headers.first(name: .ifNoneMatch) == etag { return Response(status: .notModified, headers: headers) }
            return Response(status: .ok, headers: headers, body: .init(buffer: body))
        }
    }
}
