import Vapor

/// The stylesheet of the training pages that are not the attendance sheet or the printed
/// certificate: the role-play score sheet and the public verification page. Served by
/// the app like `Assets`, loaded only by the pages that use it.
enum TrainingAssets {
    static let stylesheetPath = SiteURL.trainingStylesheet.path

    static func register(on app: Application) {
        Assets.serve(stylesheet, at: .trainingStylesheet, type: HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"]), on: app)
    }

    static let stylesheet = #"""
.visually-hidden { position: absolute !important; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }

/* The score sheet: one compact row of four levels per criterion, thumb-sized. */
.score-sheet main { max-width: 52rem; }
.rubric-criterion { border: 1px solid var(--line); border-radius: .5rem; margin: 0 0 .75rem; padding: .4rem 1rem .5rem; }
.rubric-criterion legend { font-weight: 700; font-size: 1.15rem; padding: 0 .35rem; }
.rubric-criterion .hint { margin: 0 0 .5rem; }
.rubric-criterion.has-error { border: 3px solid var(--danger); }
.rubric-criterion .scale { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: .5rem; }
.rubric-criterion .level { display: flex; flex-direction: column; align-items: center; justify-content: center; gap: .1rem;
  min-height: 4rem; padding: .4rem .25rem; border: 2px solid var(--brand); border-radius: .5rem; background: #fff;
  color: var(--brand); cursor: pointer; text-align: center; line-height: 1.2; position: relative; }
.rubric-criterion .level input { width: 1.35rem; height: 1.35rem; margin: 0; accent-color: var(--brand); }
.rubric-criterion .level-score { font-size: 1.4rem; font-weight: 700; }
.rubric-criterion .level-label { font-size: .85rem; }
.rubric-criterion .level:has(input:checked) { background: var(--brand); color: var(--brand-ink); box-shadow: 0 0 0 3px var(--brand) inset; }
@media (max-width: 29.99rem) {
  .rubric-criterion { padding-left: .6rem; padding-right: .6rem; }
  .rubric-criterion .scale { gap: .3rem; }
  .rubric-criterion .level { padding: .4rem 1px; }
  .rubric-criterion .level-label { font-size: .78rem; }
}
@media (min-width: 30rem) { .rubric-criterion .level:has(input:checked) .level-label::before { content: "✓ "; } }
.rubric-criterion .level:has(input:checked) input { accent-color: #fff; }
.rubric-criterion .level:focus-within { outline: 3px solid var(--focus); outline-offset: 2px; }
.rubric-criterion details { margin-top: .25rem; font-size: 1rem; }
.rubric-criterion summary { cursor: pointer; color: var(--link); display: list-item; padding: .55rem 0; min-height: 44px; }
.rubric-criterion dl { margin: .25rem 0 0; }
.rubric-criterion dt { font-weight: 700; margin-top: .35rem; }
.rubric-criterion dd { margin: 0; }
@media (min-width: 40rem) {
  .rubric-criterion .level { flex-direction: row; gap: .5rem; min-height: 3.5rem; }
  .rubric-criterion .level-label { font-size: .95rem; }
}

/* The public verification page: a panel that says valid or revoked in words and a sign. */
.verify { border: 2px solid var(--ok); border-left-width: 10px; border-radius: .5rem; padding: .75rem 1.25rem 1rem; margin: 1rem 0 1.5rem; background: #eef7f1; }
.verify.revoked { border-color: var(--danger); background: #fdeeee; }
.verify h1 { display: flex; align-items: center; gap: .6rem; margin: .25rem 0 .75rem; }
.verify .mark { display: inline-flex; align-items: center; justify-content: center; flex: none; width: 2.4rem; height: 2.4rem; border-radius: 50%;
  background: var(--ok); color: #fff; font-size: 1.5rem; line-height: 1; }
.verify.revoked .mark { background: var(--danger); }
.verify .verdict { font-weight: 700; font-size: 1.15rem; margin: 0 0 .75rem; }
.verify dl { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1.25rem; margin: 0; }
.verify dt { font-weight: 700; }
.verify dd { margin: 0; overflow-wrap: anywhere; }
@media (max-width: 30rem) { .verify dl { grid-template-columns: 1fr; gap: 0; } .verify dd { margin-bottom: .5rem; } }
.verify-form { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; }
.verify-form .field { flex: 0 1 32rem; margin-bottom: 0; }
.verify-form button { margin-bottom: 0; }
"""#
}
