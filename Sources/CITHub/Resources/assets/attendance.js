(function () {
  "use strict";
  var list = document.getElementById("attendance");
  if (!list || !window.fetch || !window.localStorage || !window.JSON) return;
  var key = "cithub-attendance-" + list.getAttribute("data-class");
  var syncURL = list.getAttribute("data-sync");
  var csrf = list.getAttribute("data-csrf");
  var status = document.getElementById("sync-status");
  var sending = false;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function load() { try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; } }
  function save(queue) { localStorage.setItem(key, JSON.stringify(queue)); }
  function say(text, offline) {
    status.textContent = text;
    status.className = "sync-status" + (offline ? " offline" : "");
  }
  function describe(queue, offline) {
    if (queue.length === 0) { say("All entries are saved on the server.", false); return; }
    var n = queue.length + (queue.length === 1 ? " entry" : " entries");
    say(offline ? "No connection. " + n + " kept on this device; they will be sent when the connection returns."
                : n + " waiting to be sent…", offline);
  }
  function clock(date) {
    var h = date.getHours(), m = date.getMinutes();
    return (h % 12 || 12) + ":" + (m < 10 ? "0" : "") + m + " " + (h < 12 ? "AM" : "PM");
  }
  var blockIndex = parseInt(list.getAttribute("data-block"), 10);
  // Only the block on screen has rows; entries queued on another block's page are sent
  // all the same, they just have nothing to show here.
  function rowFor(entry) {
    return entry.block === blockIndex ? document.getElementById("row-" + entry.registration) : null;
  }
  function setMark(row, text, kind) {
    var mark = row.querySelector(".sync-mark");
    if (!mark) return;
    mark.textContent = text;
    mark.className = "sync-mark " + kind;
  }
  // The button tapped last shows pressed; "" presses none (minutes typed, nothing yet).
  function press(row, kind) {
    Array.prototype.forEach.call(row.querySelectorAll(".actions [data-kind]"), function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-kind") === kind ? "true" : "false");
    });
  }
  function setState(row, text) {
    var state = row.querySelector(".state-text");
    if (state) state.textContent = text;
  }
  function showPending(entry) {
    var row = rowFor(entry);
    if (!row) return;
    var at = new Date(entry.at);
    var words = {
      check_in: "In since " + clock(at), check_out: "Checked out " + clock(at),
      present: "Present, whole block", absent: "Absent",
      minutes: entry.minutes + " of " + list.getAttribute("data-block-minutes") + " minutes"
    };
    if (entry.kind === "note") {
      var noteText = row.querySelector(".note-text");
      var state = row.querySelector(".state");
      if (!noteText) { noteText = document.createElement("p"); noteText.className = "note-text"; state.parentNode.insertBefore(noteText, state.nextSibling); }
      noteText.textContent = "Note: " + entry.text;
    } else {
      setState(row, words[entry.kind]);
      press(row, entry.kind === "minutes" ? "" : entry.kind);
    }
    setMark(row, "Waiting to send", "pending");
  }
  // What the server now has for the person's block replaces what the device guessed,
  // once none of their taps on this block is still waiting.
  function showAnswer(entry, result, queue) {
    var row = rowFor(entry);
    if (!row) return;
    var waiting = queue.some(function (e) { return e.registration === entry.registration && e.block === entry.block; });
    if (waiting) return;
    if (typeof result.state === "string") setState(row, result.state);
    if (typeof result.mark === "string") press(row, result.mark);
    if (result.status === "refused") setMark(row, "Not saved", "refused");
    else setMark(row, "Saved", "saved");
  }
  function showRefused(entry, message) {
    var row = rowFor(entry);
    var box = document.createElement("p");
    box.className = "error refused";
    box.setAttribute("role", "alert");
    box.textContent = "Not saved: " + message;
    (row || status).appendChild(box);
  }
  function flush() {
    var queue = load();
    if (sending || queue.length === 0) { describe(queue, !navigator.onLine); return; }
    sending = true;
    var batch = queue.slice(0, 200);
    describe(queue, false);
    fetch(syncURL, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ _csrf: csrf, entries: batch })
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (answer) {
      var done = {};
      answer.results.forEach(function (r) { done[r.id] = true; });
      // Entries tapped while this batch was on its way are still in storage; keep them.
      var rest = load().filter(function (e) { return !done[e.id]; });
      save(rest);
      answer.results.forEach(function (r) {
        var entry = batch.filter(function (e) { return e.id === r.id; })[0];
        if (!entry) return;
        try {
          if (r.status === "refused") showRefused(entry, r.message || "refused");
          showAnswer(entry, r, rest);
        } catch (e) { /* the display must never stop the queue */ }
      });
      sending = false;
      if (rest.length > 0) flush(); else describe(rest, false);
    }).catch(function () {
      sending = false;
      describe(load(), true);
    });
  }
  list.addEventListener("submit", function (event) {
    var form = event.target;
    var kind = form.querySelector("[name=kind]").value;
    var entry = {
      id: uuid(),
      registration: form.querySelector("[name=registration]").value,
      block: parseInt(form.querySelector("[name=block]").value, 10),
      kind: kind,
      at: new Date().toISOString()
    };
    if (kind === "minutes") {
      var field = form.querySelector("[name=minutes]");
      var value = field.value.trim();
      if (!/^\d+$/.test(value)) { field.setAttribute("aria-invalid", "true"); field.focus(); event.preventDefault(); return; }
      field.removeAttribute("aria-invalid");
      entry.minutes = parseInt(value, 10);
    }
    if (kind === "note") {
      var note = form.querySelector("[name=text]");
      entry.text = note.value;
      note.value = "";
    }
    event.preventDefault();
    var queue = load();
    queue.push(entry);
    save(queue);
    // Sending first: a display problem must never keep an entry from the server.
    flush();
    try { showPending(entry); } catch (e) { /* the entry is queued and sent regardless */ }
  });
  // Taps kept on this device from before (the tab was closed offline) show as waiting.
  load().forEach(function (entry) { try { showPending(entry); } catch (e) { /* display only */ } });
  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { describe(load(), true); });
  setInterval(flush, 15000);
  flush();
})();