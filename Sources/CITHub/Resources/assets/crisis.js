"use strict";
(function () {
  var P = /*@PHRASES@*/, R = /*@RULES@*/;
  var KEY = "cithub-crisis-answers";
  var form = document.getElementById("crisis-form");
  if (!form) return;

  // The framing rules of CITDomain's CrisisText, CrisisFraming, CrisisParts, CrisisScript
  // and TextTo911, function by function; the word lists (R) and the seed's phrases (P)
  // come from Swift. The e2e test compares this page's script with the server's.
  function clean(s) {
    s = String(s || "").replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
    s = s.replace(/[.,;:!?]{2,}/g, function (m) { return /^\.+$/.test(m) && m.length > 2 ? "..." : m[0]; });
    return s.replace(/[\s.,;:!?]+$/, "");
  }
  function list(items) {
    return items.length < 2 ? (items[0] || "") : items.slice(0, -1).join(", ") + " and " + items[items.length - 1];
  }
  function lc(c) { return c.toLowerCase(); }
  function fold(s) { return s.replace(/\u2019/g, "'").replace(/[A-Z]/g, lc); }
  function key(s) { return fold(s).replace(/[^a-z0-9']+/g, " ").trim(); }
  function alnum(c) { return /[A-Za-z0-9]/.test(c); }
  function unclutter(s) { return s.replace(/^[ ,.;:\-\u2013\u2014*\u2022]+/, ""); }
  function lead(s, leads) {
    var f = fold(s);
    for (var i = 0; i < leads.length; i++) {
      var l = leads[i], j = l.length;
      if (!l || f.slice(0, j) !== l || (j < s.length && alnum(s.charAt(j)))) continue;
      while (j < s.length && " ,.;:!-\u2013\u2014".indexOf(s.charAt(j)) >= 0) j++;
      return [s.slice(j), true];
    }
    return [s, false];
  }
  function shouting(s) { return (s.match(/[A-Z]/g) || []).length > 2 && !/[a-z]/.test(s) ? s.replace(/[A-Z]/g, lc) : s; }
  function capitals(s) { return shouting(s).replace(/(^|[^A-Za-z0-9])i(?![A-Za-z0-9])/g, "$1I"); }
  function titleCase(s) {
    if (/[A-Z]/.test(s) === /[a-z]/.test(s)) return s;
    var out = "";
    for (var i = 0; i < s.length; i++) {
      var c = s.charAt(i), start = i === 0 || " -'\u2019(".indexOf(s.charAt(i - 1)) >= 0;
      out += start && /[a-z]/.test(c) ? c.toUpperCase() : !start && /[A-Z]/.test(c) ? lc(c) : c;
    }
    return out;
  }
  function lowerFirst(s) { return /^[A-Z][A-Za-z0-9]/.test(s) ? lc(s[0]) + s.slice(1) : s; }
  function upperFirst(s) { return /^[a-z]/.test(s) ? s[0].toUpperCase() + s.slice(1) : s; }
  function prepared(raw) {
    var s = unclutter(clean(raw));
    if (!s) return ["", false];
    var r = lead(s, R.affirmatives);
    return [capitals(r[0]), r[1]];
  }
  function answer(raw) {
    var p = prepared(raw), s = p[0], f = fold(s);
    if (!s) return { k: p[1] ? "yes" : "" };
    if (R.negatives.indexOf(f) >= 0) return { k: "no" };
    if (R.unknowns.indexOf(f) >= 0) return { k: "unknown" };
    return { k: "text", t: s };
  }
  function text(raw) { var x = answer(raw); return x.k === "text" ? x.t : ""; }
  function name(raw) {
    var s = unclutter(clean(raw)), r = lead(s, R.nameLeads);
    return titleCase(r[1] && r[0] ? r[0] : s);
  }
  function lovedName(raw, rel) {
    var s = unclutter(clean(raw)), r = fold(clean(rel));
    if (r) {
      var leads = ["my " + r, r];
      for (var i = 0; i < 2; i++) { var x = lead(s, [leads[i]]); if (x[1] && x[0]) { s = x[0]; break; } }
    }
    return name(s);
  }
  function place(raw) {
    var s = unclutter(clean(raw));
    [R.locationLeads, R.locationPrepositions].forEach(function (l) { var x = lead(s, l); if (x[1] && x[0]) s = x[0]; });
    return s;
  }
  function clause(s) {
    return fold(s).split(" ").some(function (w) { return R.clauseWords.indexOf(w.replace(/^[,;:()]+|[,;:()]+$/g, "")) >= 0; });
  }
  function relNoun(t, n) {
    var x = lead(t, R.relationLeads), s = x[1] && x[0] ? x[0] : t;
    if (/^[A-Z][a-z]/.test(s)) s = lc(s[0]) + s.slice(1);
    var suf = " " + fold(n), f = fold(s);
    if (n && f.length > suf.length && f.slice(-suf.length) === suf) s = s.slice(0, s.length - n.length - 1);
    return s;
  }
  function relation(raw, n) {
    var s = unclutter(clean(raw));
    if (!s) return ["", ""];
    s = shouting(s);
    if (!clause(s)) return [relNoun(s, n), ""];
    var i = fold(s).lastIndexOf(" my "), after = i >= 0 ? s.slice(i + 4) : "";
    return after && !clause(after) ? [relNoun(after, n), ""] : ["", capitals(s)];
  }
  function who(rel, raw) {
    var n = lovedName(raw, rel), r = relation(rel, n);
    if (r[1]) return (n || "my loved one") + " (" + r[1] + ")";
    return "my " + (r[0] || "loved one") + (n ? " " + n : "");
  }
  function happening(raw, subject) {
    var s = prepared(raw)[0];
    if (!s) return null;
    var first = fold(s.split(" ")[0]).replace(/^[,;:]+|[,;:]+$/g, "");
    return R.leadingVerbs.indexOf(first) >= 0 ? subject + " " + lowerFirst(s) : s;
  }
  function medical(a) {
    if (a.substance === "overdose") return ["They may have overdosed.", "Please send an ambulance as well."];
    var hit = [a.happening, a.substanceDetail].some(function (t) {
      var k = " " + key(t || "") + " ";
      return k.length > 2 && R.medicalPhrases.some(function (p) { return k.indexOf(" " + p + " ") >= 0; });
    });
    return hit ? ["They may need medical help.", "Please send an ambulance as well."] : [];
  }
  function intro(a) {
    var me = name(a.name), loc = place(a.location), tail = null;
    var about = clean(a.relation) || clean(a.lovedName) ? "about " + who(a.relation, a.lovedName) : null;
    if (loc) tail = "I am calling from " + loc + (about ? " " + about : "");
    else if (about) tail = "I am calling " + about;
    if (me) return tail ? "My name is " + me + ", and " + tail + "." : "My name is " + me + ".";
    return tail ? tail + "." : null;
  }
  function weapons(a) {
    var x = answer(a.weapons);
    if (x.k === "yes") return "My loved one has access to weapons.";
    if (x.k === "no") return "As far as I know, my loved one does not have access to weapons.";
    if (x.k === "unknown") return "I do not know whether my loved one has access to weapons.";
    if (x.k !== "text") return null;
    return lead(x.t, R.weaponsDenials)[1] ? "About weapons: " + x.t + "." : "My loved one has access to weapons: " + x.t + ".";
  }
  function targets(a) {
    var t = [];
    if (a.threatSelf) t.push("themselves (suicide)");
    if (a.threatYou) t.push("me");
    if (a.threatOthers) t.push("others");
    return t;
  }
  function substance(a) {
    var took = text(a.substanceDetail), first = { intoxicated: "They are intoxicated.", overdose: "They may have overdosed." }[a.substance];
    return first ? [first].concat(took ? ["What they took: " + took + "."] : []) : [];
  }
  function group(seed, these, what, ticked, other) {
    if (!ticked.length && !other) return [];
    var l = [seed];
    if (ticked.length) l.push(these + ": " + list(ticked) + ".");
    if (other) l.push((ticked.length ? "Also" : what) + ": " + other + ".");
    return l;
  }
  function pick(a, names) { return names.filter(function (n) { return a[n[0]]; }).map(function (n) { return n[1]; }); }
  function health(raw, yes, no) { var x = answer(raw); return x.k === "text" ? yes + x.t + "." : x.k === "no" ? no : null; }
  function parts(a) {
    var n = lovedName(a.lovedName, a.relation), w = who(a.relation, a.lovedName), h = happening(a.happening, n || w);
    var d = answer(a.onFileDetail), about = "There is information on file with law enforcement about " + (n || "my loved one"), t = targets(a);
    return {
      intro: intro(a), happening: h ? "Here is what is happening: " + h + "." : null, medical: medical(a),
      onFile: d.k === "text" ? about + ": " + d.t + "." : d.k === "yes" || a.onFile ? about + "." : null,
      quiet: a.quiet ? P.quietSay : null,
      weapons: weapons(a),
      threats: t.length ? [P.threatsSay, "The threats were toward " + list(t) + "."] : [],
      triggers: group(P.triggersSay, "These make it worse", "What makes it worse",
        pick(a, [["trigLoud", P.triggerSpeakingLoudly], ["trigOver", P.triggerStandingOver], ["trigClose", P.triggerGettingTooClose]]), text(a.trigOther)),
      prevention: group(P.preventionSay, "These help", "What helps",
        pick(a, [["helpSoft", P.helpSpeakingSoftly], ["helpDirect", P.helpAddressingConcerns], ["helpTrusted", P.helpTrustedPerson]]), text(a.helpOther)),
      diagnosis: health(a.diagnosis, "My loved one\u2019s mental health diagnosis: ", "My loved one has no mental health diagnosis that I know of."),
      provider: health(a.provider, "Their mental health care provider: ", "They have no mental health care provider that I know of."),
      substance: substance(a),
      medications: health(a.medications, "Their current medications: ", "They take no medications that I know of."),
      selfCare: a.selfCare ? "They are unable to care for themselves." : null
    };
  }
  function some() { return Array.prototype.slice.call(arguments).filter(function (x) { return x; }); }
  function steps(a) {
    var p = parts(a), hl = some(p.diagnosis, p.provider).concat(p.substance, some(p.medications, p.selfCare));
    var s = [{ k: "call911", i: P.call911, say: [] },
      { k: "crisis", i: P.crisisInstruction, say: [P.crisisCalling].concat(p.medical, [P.crisisGoal], some(p.intro, p.happening)) }];
    if (p.onFile) s.push({ k: "onFile", i: P.onFileInstruction, say: [p.onFile] });
    if (p.quiet) s.push({ k: "quiet", i: P.quietInstruction, say: [p.quiet] });
    s.push({ k: "citOfficer", i: P.citInstruction, say: [P.citSay] });
    if (p.weapons) s.push({ k: "weapons", i: P.weaponsInstruction, say: [p.weapons], safety: true });
    if (p.threats.length) s.push({ k: "threats", i: P.threatsInstruction, say: p.threats, safety: true });
    if (p.triggers.length) s.push({ k: "triggers", i: P.triggersInstruction, say: p.triggers });
    if (p.prevention.length) s.push({ k: "prevention", i: P.preventionInstruction, say: p.prevention });
    if (hl.length) s.push({ k: "health", i: P.healthInstruction, say: hl });
    s.push({ k: "officerArrives", i: P.officerInstruction, say: [P.officerSay] });
    s.push({ k: "calm", i: P.calmInstruction, say: [] });
    s.push({ k: "whileWaiting", i: P.whileWaiting, say: [] });
    return s;
  }

  function textSentences(a) {
    var loc = place(a.location), n = lovedName(a.lovedName, a.relation), w = who(a.relation, a.lovedName);
    var h = happening(a.happening, n || w), wp = weapons(a), t = targets(a), me = name(a.name);
    var out = [loc ? "Mental health crisis at " + loc + "." : "Mental health crisis."].concat(medical(a));
    if (h) out.push(upperFirst(w) + ": " + h + ".");
    if (wp) out.push(wp);
    if (t.length) out.push("My loved one has made direct threats of violence toward " + list(t) + ".");
    out = out.concat(substance(a).filter(function (x) { return x !== "They may have overdosed."; }));
    out.push("If possible, I'd like an officer with CIT training to respond.");
    if (a.quiet) out.push("Please arrive without lights or sirens if possible.");
    if (me) out.push("My name is " + me + ".");
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
  function quote(l) { return el("p", {}, ["\u201c" + l + "\u201d"]); }
  function stepBody(st, callMode) {
    var kids = [];
    if (st.safety) kids.push(el("p", { "class": "safety-tag" }, ["Safety"]));
    kids.push(el("p", { "class": "do" }, [st.i]));
    if (callMode && st.k === "call911") kids.push(el("p", { "class": "call-line" }, [el("a", { "class": "button danger big", href: "tel:911" }, ["Call 911"])]));
    if (st.say.length) kids.push(el("blockquote", { "class": "say" }, st.say.map(quote)));
    return kids;
  }
  function message(m, i) {
    return el("li", {}, [el("p", { "class": "msg", id: "text-" + (i + 1) }, [m]), el("p", { "class": "msg-actions no-print" }, [
      el("a", { "class": "button secondary", href: "sms:911?&body=" + encodeURIComponent(m), "aria-describedby": "text-" + (i + 1) }, ["Open in Messages"]),
      " ",
      el("button", { type: "button", "class": "button secondary copy", "aria-describedby": "text-" + (i + 1) }, ["Copy"])])]);
  }
  function answers() {
    var a = {};
    Array.prototype.forEach.call(form.elements, function (f) {
      if (!f.name || f.name === "_csrf") return;
      a[f.name] = f.type === "checkbox" ? f.checked : f.value;
    });
    return a;
  }
  function fill(id, nodes) { var e = document.getElementById(id); e.replaceChildren.apply(e, nodes); }

  // Each part's sentences shown under its fields as they are typed, so the script is in
  // sight of the fields on a phone. They stay where they are (a preview that followed the
  // focus would make the fields below it jump under the finger).
  var groups = {
    intro: ["name", "location", "relation", "lovedName"], happening: ["happening"], onFile: ["onFile", "onFileDetail"],
    quiet: ["quiet"], weapons: ["weapons"], threats: ["threatSelf", "threatYou", "threatOthers"],
    triggers: ["trigLoud", "trigOver", "trigClose", "trigOther"], prevention: ["helpSoft", "helpDirect", "helpTrusted", "helpOther"],
    diagnosis: ["diagnosis"], provider: ["provider"], substance: ["substance", "substanceDetail"], medications: ["medications"], selfCare: ["selfCare"]
  }, says = {}, home = {};
  function box(name) { var f = document.getElementById("field-" + name); return f && f.closest(".field, .check"); }
  Object.keys(groups).forEach(function (g) {
    var last = box(groups[g][groups[g].length - 1]);
    says[g] = el("p", { "class": "says", id: "says-" + g, hidden: "" });
    if (last) last.after(says[g]);
    groups[g].forEach(function (n) { home[n] = g; });
  });
  // While typing, the sentence below the field is scrolled into sight if it is not.
  function reveal(name) {
    var e = says[home[name]], h = window.visualViewport ? visualViewport.height : innerHeight;
    if (e && !e.hidden && e.getBoundingClientRect().bottom > h) e.scrollIntoView({ block: "nearest" });
  }
  function previews(a) {
    var p = parts(a);
    p.happening = p.medical.concat(some(p.happening));
    p.substance = p.medical.concat(p.substance.filter(function (x) { return p.medical.indexOf(x) < 0; }));
    Object.keys(says).forEach(function (g) {
      var l = [].concat(p[g] || []);
      says[g].hidden = !l.length;
      says[g].replaceChildren(el("span", { "class": "says-label" }, ["You will say: "]), "\u201c" + l.join(" ") + "\u201d");
    });
  }

  var months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
  var status = document.getElementById("plan-status"), timer = null;
  function render() {
    var a = answers(), s = steps(a), n = s.length;
    fill("script", s.map(function (st) {
      return el("li", { "class": "step step-" + st.k + (st.safety ? " safety" : "") }, stepBody(st, false));
    }));
    fill("texts", texts(a).map(message));
    fill("call", s.map(function (st, i) {
      var no = i + 1, id = "call-" + no;
      return el("section", { id: id, "class": "call-step" + (st.safety ? " safety" : ""), "aria-labelledby": id + "-title", tabindex: "-1" },
        [el("h2", { id: id + "-title" }, ["Step " + no + " of " + n])].concat(stepBody(st, true), [
          el("nav", { "class": "call-nav", "aria-label": "Steps" }, [
            el("a", { "class": "button secondary", href: no === 1 ? "#plan" : "#call-" + (no - 1) }, [no === 1 ? "Leave" : "Back"]),
            el("a", { "class": "button", href: no === n ? "#plan" : "#call-" + (no + 1) }, [no === n ? "Done" : "Next"])
          ])]));
    }));
    previews(a);
    var d = new Date();
    document.getElementById("made-date").textContent = months[d.getMonth()] + " " + d.getDate() + ", " + d.getFullYear();
    document.querySelector(".made").hidden = false;
    clearTimeout(timer);
    timer = setTimeout(function () { status.textContent = "Your script is updated: " + n + " steps."; }, 800);
  }

  // Copy: the clipboard where the browser allows it, else the message is selected so
  // the phone's own Copy is one tap away.
  document.getElementById("texts").addEventListener("click", function (e) {
    var b = e.target.closest(".copy");
    if (!b) return;
    var m = document.getElementById(b.getAttribute("aria-describedby"));
    function selectIt() { var r = document.createRange(); r.selectNodeContents(m); getSelection().removeAllRanges(); getSelection().addRange(r); }
    function done(ok) { status.textContent = ok ? "Message copied." : "Message selected: use your phone's Copy."; b.textContent = ok ? "Copied" : "Selected"; }
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(m.textContent).then(function () { done(true); }, function () { selectIt(); done(false); });
    else { selectIt(); done(false); }
  });

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
  form.addEventListener("input", function (e) { render(); save(); reveal(e.target.name); });
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
})();