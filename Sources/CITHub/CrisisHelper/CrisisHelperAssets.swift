import Vapor
import CITDomain

/// The helper's stylesheet, browser script and service worker, served by the app (no
/// CDN) with ETags, like `Assets`. The script gets the seed's sentences from
/// `CrisisPhrases` at start-up, so they are written once, in Swift.
enum CrisisHelperAssets {
    static let phrasesJSON: String = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(CrisisPhrases.all)) ?? Data("{}".utf8), as: UTF8.self)
    }()

    static let script: String = scriptTemplate.replacingOccurrences(of: "__PHRASES__", with: phrasesJSON)

    /// Changes whenever the page's own files change, so browsers install the new worker
    /// and drop the old cache.
    static let version: String = String(SHA256.hash(data: Data((script + stylesheet).utf8)).hex.prefix(12))

    static let serviceWorker: String = serviceWorkerTemplate.replacingOccurrences(of: "__VERSION__", with: version)

    static func register(on app: Application) {
        let js = HTTPMediaType(type: "text", subType: "javascript", parameters: ["charset": "utf-8"])
        Assets.serve(stylesheet, at: CrisisURL.stylesheet, type: HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"]), on: app)
        Assets.serve(script, at: CrisisURL.script, type: js, on: app)
        // The worker must be checked for updates on every visit, not kept for an hour.
        app.get(SiteURL.components(CrisisURL.serviceWorker).map { PathComponent(stringLiteral: $0) }) { _ -> Response in
            var headers = HTTPHeaders()
            headers.contentType = js
            headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
            return Response(status: .ok, headers: headers, body: .init(string: serviceWorker))
        }
    }

    static let stylesheet = #"""
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.which{border:3px solid var(--danger);border-radius:.5rem;padding:.5rem 1rem;margin:0 0 1.25rem}
.which p{margin:.4rem 0}
.call-now{display:flex;flex-wrap:wrap;gap:.5rem}
.cit-lookup label{display:block;margin:.5rem 0 .25rem}
.lookup-row{display:flex;flex-wrap:wrap;gap:.5rem}
.lookup-row input{font:inherit;flex:1 1 10rem;min-width:0;min-height:48px;padding:.5rem .7rem;border:2px solid var(--ink);border-radius:.3rem}
.button.big{font-size:1.2rem;min-height:56px;display:inline-flex;align-items:center;justify-content:center}
.skip-to-plan{display:inline-block;padding:.6rem 0;min-height:44px}
fieldset{border:2px solid var(--line);border-radius:.5rem;padding:.5rem 1rem .25rem;margin:0 0 1.25rem;min-width:0}
legend{font-weight:700;font-size:1.2rem;padding:0 .3rem}
.safety-fields{border-color:var(--danger)}
.group-label{font-weight:600;margin:.75rem 0 .25rem}
.check{display:flex;gap:.75rem;align-items:center;min-height:48px}
.check input{width:1.75rem;height:1.75rem;flex:none;margin:0;accent-color:var(--brand)}
.check label{padding:.5rem 0;flex:1;cursor:pointer}
.field textarea{font:inherit;width:100%;max-width:32rem;padding:.6rem .7rem;border:2px solid var(--ink);border-radius:.3rem;min-height:96px}
.plan{margin-top:2rem;border-top:4px solid var(--brand);padding-top:.5rem}
.plan-actions{display:flex;flex-wrap:wrap;gap:.5rem}
.script{padding-left:1.75rem}
.script>li{margin:0 0 1rem}
.do{margin:.25rem 0}
.say{overflow-wrap:anywhere}
.say p{margin:.25rem 0}
.safety{border:3px solid var(--danger);border-radius:.4rem;padding:.5rem .75rem}
.safety-tag{display:inline-block;background:var(--danger);color:#fff;font-weight:700;padding:0 .5rem;border-radius:.25rem;margin:0}
#texts li{background:var(--tint);border:1px solid var(--line);border-radius:.3rem;padding:.4rem .6rem;margin:0 0 .5rem;overflow-wrap:anywhere}
.call-step{display:none}
.call-step:target{display:flex;flex-direction:column;position:fixed;inset:0;z-index:30;background:#fff;padding:1rem 1rem 1.25rem;overflow:auto;font-size:1.25rem}
.call-step h2{margin:0 0 .5rem;font-size:1.3rem;color:var(--muted)}
.call-step .say{font-size:1.6rem;line-height:1.35;font-weight:600}
.call-step.safety{border-width:6px;border-radius:0}
.call-nav{margin-top:auto;display:flex;gap:.75rem;padding-top:1rem}
.call-nav .button{flex:1;min-height:64px;font-size:1.35rem;display:flex;align-items:center;justify-content:center}
@media print{
@page{size:letter;margin:.45in}
body{font-size:9.5pt;line-height:1.25}
.site-header,.site-footer,.skip-to-plan,#form-box,.intro,noscript,.call-steps,.texts,.plan-actions,#crisis-form,.crisis main>h2{display:none!important}
main{padding:0;max-width:none}
h1{font-size:14pt;margin:0 0 .2rem}
.plan h2{font-size:12pt;margin:0}
.plan{margin:0;border-top:2px solid #000;padding-top:.2rem}
.which{border:2px solid #000;padding:.1rem .5rem;margin:0 0 .3rem}
.which p{margin:.1rem 0}
.made{margin:.1rem 0 .3rem}
.script{padding-left:1.3rem;margin:0;columns:2;column-gap:.35in}
.script>li{margin:0 0 .3rem;break-inside:avoid}
.do{margin:0}
.say{font-size:9.5pt;margin:.1rem 0;padding:.05rem .5rem;border-left:3px solid #000;background:none}
.say p{margin:0}
.safety{border:2px solid #000;padding:.1rem .4rem}
.safety-tag{background:#000}
}
"""#

    static let scriptTemplate = #"""
"use strict";
(function () {
  var P = __PHRASES__;
  var KEY = "cithub-crisis-answers";
  var form = document.getElementById("crisis-form");
  if (!form) return;

  // Mirrors CITDomain's CrisisText, CrisisScript and TextTo911 line for line; the e2e
  // test compares this page's script with the server's for the same answers.
  function clean(s) {
    return String(s || "").replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, " ").trim().replace(/[\s.,;:!?]+$/, "");
  }
  function list(items) {
    return items.length < 2 ? (items[0] || "") : items.slice(0, -1).join(", ") + " and " + items[items.length - 1];
  }
  function who(a) {
    var r = clean(a.relation);
    if (r.toLowerCase().indexOf("my ") === 0) r = r.slice(3);
    if (!r) r = "loved one";
    var n = clean(a.lovedName);
    return n ? r + " " + n : r;
  }
  function intro(a) {
    var name = clean(a.name), loc = clean(a.location), what = clean(a.happening);
    var because = what ? "because my " + who(a) + " is " + what : null, tail = null;
    if (loc) tail = "I am calling from " + loc + (because ? " " + because : "");
    else if (because) tail = "I am calling " + because;
    if (name) return tail ? "My name is " + name + ", and " + tail + "." : "My name is " + name + ".";
    return tail ? tail + "." : null;
  }
  function weapons(a) {
    var w = clean(a.weapons);
    if (!w) return null;
    var l = w.toLowerCase();
    var ends = l === "weapons" || l === "weapon" || / weapons?$/.test(l);
    return "My loved one has access to " + w + (ends ? "." : " weapons.");
  }
  function targets(a) {
    var t = [];
    if (a.threatSelf) t.push("themselves (suicide)");
    if (a.threatYou) t.push("me");
    if (a.threatOthers) t.push("others");
    return t;
  }
  function substance(a) {
    var took = clean(a.substanceDetail), first = { intoxicated: "They are intoxicated.", overdose: "They may have overdosed." }[a.substance];
    return first ? [first].concat(took ? ["They took " + took + "."] : []) : [];
  }
  function steps(a) {
    var s = [{ k: "call911", i: P.call911, say: [] }];
    var third = intro(a);
    s.push({ k: "crisis", i: P.crisisInstruction, say: [P.crisisCalling, P.crisisGoal].concat(third ? [third] : []) });
    var detail = clean(a.onFileDetail);
    if (a.onFile || detail) {
      var about = clean(a.lovedName) || "my loved one";
      s.push({ k: "onFile", i: P.onFileInstruction, say: ["There is information on file with law enforcement about " + about + (detail ? ": " + detail + "." : ".")] });
    }
    if (a.quiet) s.push({ k: "quiet", i: P.quietInstruction, say: [P.quietSay] });
    s.push({ k: "citOfficer", i: P.citInstruction, say: [P.citSay] });
    var w = weapons(a);
    if (w) s.push({ k: "weapons", i: P.weaponsInstruction, say: [w], safety: true });
    var t = targets(a);
    if (t.length) s.push({ k: "threats", i: P.threatsInstruction, say: [P.threatsSay, "The threats were toward " + list(t) + "."], safety: true });
    var tr = [];
    if (a.trigLoud) tr.push(P.triggerSpeakingLoudly);
    if (a.trigOver) tr.push(P.triggerStandingOver);
    if (a.trigClose) tr.push(P.triggerGettingTooClose);
    if (clean(a.trigOther)) tr.push(clean(a.trigOther));
    if (tr.length) s.push({ k: "triggers", i: P.triggersInstruction, say: [P.triggersSay, "These make it worse: " + list(tr) + "."] });
    var h = [];
    if (a.helpSoft) h.push(P.helpSpeakingSoftly);
    if (a.helpDirect) h.push(P.helpAddressingConcerns);
    if (a.helpTrusted) h.push(P.helpTrustedPerson);
    if (clean(a.helpOther)) h.push(clean(a.helpOther));
    if (h.length) s.push({ k: "prevention", i: P.preventionInstruction, say: [P.preventionSay, "These help: " + list(h) + "."] });
    var health = [];
    if (clean(a.diagnosis)) health.push("My loved one\u2019s mental health diagnosis is " + clean(a.diagnosis) + ".");
    if (clean(a.provider)) health.push("Their mental health care provider is " + clean(a.provider) + ".");
    health = health.concat(substance(a));
    if (clean(a.medications)) health.push("Their current medications are " + clean(a.medications) + ".");
    if (a.selfCare) health.push("They are unable to care for themselves.");
    if (health.length) s.push({ k: "health", i: P.healthInstruction, say: health });
    s.push({ k: "officerArrives", i: P.officerInstruction, say: [P.officerSay] });
    s.push({ k: "calm", i: P.calmInstruction, say: [] });
    s.push({ k: "whileWaiting", i: P.whileWaiting, say: [] });
    return s;
  }

  function textSentences(a) {
    var out = [], loc = clean(a.location), what = clean(a.happening), w = weapons(a), t = targets(a), name = clean(a.name);
    out.push(loc ? "Mental health crisis at " + loc + "." : "Mental health crisis.");
    if (what) out.push("My " + who(a) + " is " + what + ".");
    if (w) out.push(w);
    if (t.length) out.push("My loved one has made direct threats of violence toward " + list(t) + ".");
    out = out.concat(substance(a));
    out.push("If possible, I'd like an officer with CIT training to respond.");
    if (a.quiet) out.push("Please arrive without lights or sirens if possible.");
    if (name) out.push("My name is " + name + ".");
    return out;
  }
  function hardSplit(word, limit) {
    if (word.length <= limit) return [word];
    var chunks = [], cur = "";
    for (var ch of word) {
      if (cur.length + ch.length > limit) { chunks.push(cur); cur = ""; }
      cur += ch;
    }
    if (cur) chunks.push(cur);
    return chunks;
  }
  function pack(sentences, limit) {
    var pieces = [], messages = [], cur;
    sentences.forEach(function (s) {
      if (s.length <= limit) { pieces.push(s); return; }
      cur = "";
      s.split(" ").filter(Boolean).forEach(function (word) {
        hardSplit(word, limit).forEach(function (chunk) {
          var joined = cur ? cur + " " + chunk : chunk;
          if (joined.length <= limit) cur = joined; else { pieces.push(cur); cur = chunk; }
        });
      });
      if (cur) pieces.push(cur);
    });
    cur = "";
    pieces.forEach(function (p) {
      var joined = cur ? cur + " " + p : p;
      if (joined.length <= limit) cur = joined; else { messages.push(cur); cur = p; }
    });
    if (cur) messages.push(cur);
    return messages;
  }
  function texts(a) {
    var sentences = textSentences(a), room = 6, packed = pack(sentences, 160 - room);
    while (packed.length > 1 && 2 * String(packed.length).length + 2 > room) {
      room = 2 * String(packed.length).length + 2;
      packed = pack(sentences, 160 - room);
    }
    return packed.length <= 1 ? packed : packed.map(function (m, i) { return (i + 1) + "/" + packed.length + " " + m; });
  }

  // Building the same markup as CrisisHelperViews.
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    (kids || []).forEach(function (c) { e.append(c); });
    return e;
  }
  function stepBody(st) {
    var kids = [];
    if (st.safety) kids.push(el("p", { "class": "safety-tag" }, ["Safety"]));
    kids.push(el("p", { "class": "do" }, [st.i]));
    if (st.say.length) kids.push(el("blockquote", { "class": "say" }, st.say.map(function (l) { return el("p", {}, ["\u201c" + l + "\u201d"]); })));
    return kids;
  }
  function answers() {
    var a = {};
    Array.prototype.forEach.call(form.elements, function (f) {
      if (!f.name || f.name === "_csrf") return;
      a[f.name] = f.type === "checkbox" ? f.checked : f.value;
    });
    return a;
  }
  var months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
  var status = document.getElementById("plan-status"), timer = null;
  function render() {
    var a = answers(), s = steps(a), n = s.length;
    document.getElementById("script").replaceChildren.apply(document.getElementById("script"), s.map(function (st) {
      return el("li", { "class": "step step-" + st.k + (st.safety ? " safety" : "") }, stepBody(st));
    }));
    document.getElementById("texts").replaceChildren.apply(document.getElementById("texts"), texts(a).map(function (m) { return el("li", {}, [m]); }));
    document.getElementById("call").replaceChildren.apply(document.getElementById("call"), s.map(function (st, i) {
      var no = i + 1, id = "call-" + no;
      return el("section", { id: id, "class": "call-step" + (st.safety ? " safety" : ""), "aria-labelledby": id + "-title", tabindex: "-1" },
        [el("h2", { id: id + "-title" }, ["Step " + no + " of " + n])].concat(stepBody(st), [
          el("nav", { "class": "call-nav", "aria-label": "Steps" }, [
            el("a", { "class": "button secondary", href: no === 1 ? "#plan" : "#call-" + (no - 1) }, [no === 1 ? "Leave" : "Back"]),
            el("a", { "class": "button", href: no === n ? "#plan" : "#call-" + (no + 1) }, [no === n ? "Done" : "Next"])
          ])]));
    }));
    var d = new Date();
    document.getElementById("made-date").textContent = months[d.getMonth()] + " " + d.getDate() + ", " + d.getFullYear();
    document.querySelector(".made").hidden = false;
    clearTimeout(timer);
    timer = setTimeout(function () { status.textContent = "Your script is updated: " + n + " steps."; }, 800);
  }

  var keep = document.getElementById("field-keep"), keepStatus = document.getElementById("keep-status");
  function save() {
    try { if (keep.checked) localStorage.setItem(KEY, JSON.stringify(answers())); } catch (e) { /* storage off: nothing kept */ }
  }
  function restore() {
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { saved = null; }
    if (!saved) return;
    Array.prototype.forEach.call(form.elements, function (f) {
      if (!f.name || !(f.name in saved)) return;
      if (f.type === "checkbox") f.checked = !!saved[f.name]; else f.value = String(saved[f.name]);
    });
    keep.checked = true;
    keepStatus.textContent = "Your saved answers are back. They are kept only on this device.";
  }
  function forget() {
    try { localStorage.removeItem(KEY); } catch (e) { /* nothing kept */ }
    form.reset();
    keep.checked = false;
    render();
    keepStatus.textContent = "Your answers are erased from this device.";
  }

  document.getElementById("form-box").hidden = false;
  var print = document.getElementById("print-plan");
  print.hidden = false;
  print.addEventListener("click", function () { window.print(); });
  form.addEventListener("submit", function (e) { e.preventDefault(); location.hash = "plan"; });
  form.addEventListener("input", function () { render(); save(); });
  form.addEventListener("change", function () { render(); save(); });
  keep.addEventListener("change", function () {
    if (keep.checked) { save(); keepStatus.textContent = "Kept on this device only. Use Forget to erase."; }
    else { try { localStorage.removeItem(KEY); } catch (e) { /* nothing kept */ } keepStatus.textContent = "Not kept: erased from this device."; }
  });
  document.getElementById("forget").addEventListener("click", forget);
  window.addEventListener("hashchange", function () {
    var target = location.hash && document.getElementById(location.hash.slice(1));
    if (target) target.focus();
  });
  restore();
  render();
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/crisis-sw.js", { scope: "/crisis" }).catch(function () { /* works online without it */ });
})();
"""#

    static let serviceWorkerTemplate = #"""
"use strict";
// Keeps the crisis helper working offline: its page and its own files only, fetched
// from the network first (so they are never stale online) and from this cache when
// there is no connection. Nothing the person types is in any of these requests.
var CACHE = "crisis-__VERSION__";
var URLS = ["/crisis", "/assets/site.css", "/assets/crisis.css", "/assets/crisis.js", "/assets/favicon.svg"];
self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(URLS); }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("crisis-") === 0 && k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("fetch", function (e) {
  var url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.origin !== self.location.origin || URLS.indexOf(url.pathname) < 0) return;
  e.respondWith(fetch(e.request).then(function (r) {
    if (r.ok) { var copy = r.clone(); caches.open(CACHE).then(function (c) { return c.put(url.pathname, copy); }); }
    return r;
  }).catch(function () {
    return caches.match(url.pathname).then(function (hit) { return hit || Response.error(); });
  }));
});
"""#
}
