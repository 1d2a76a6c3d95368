// The class form's agenda rows: "Add more rows" adds one row in place instead of
// sending the form, and each row gets a "Remove" button. Without this script the form
// works the same way with a fixed number of rows (the server adds more on request).
// Rows are renumbered after every change, so the names the server reads (day_1,
// start_1, …) and the labels people hear ("Row 3") always run 1, 2, 3, …
(function () {
  "use strict";
  var container = document.querySelector("[data-agenda-rows]");
  var addButton = document.querySelector("[data-add-row]");
  var counter = document.querySelector("[data-row-count]");
  if (!container || !addButton || !counter) return;

  function rows() { return Array.prototype.slice.call(container.querySelectorAll(".agenda-row")); }

  function renumber() {
    rows().forEach(function (row, index) {
      var n = index + 1;
      row.id = "agenda-row-" + n;
      row.setAttribute("data-row", String(n));
      var legend = row.querySelector("legend");
      if (legend) legend.textContent = "Row " + n;
      row.querySelectorAll("[data-field]").forEach(function (field) {
        var name = field.getAttribute("data-field");
        field.id = "row-" + n + "-" + name;
        field.name = name + "_" + n;
        var label = row.querySelector("label[for^='row-'][for$='-" + name + "']");
        if (label) label.htmlFor = field.id;
      });
      var error = row.querySelector(".error");
      if (error) {
        error.id = "row-" + n + "-error";
        row.querySelectorAll("[aria-describedby]").forEach(function (f) { f.setAttribute("aria-describedby", error.id); });
      }
      var remove = row.querySelector("[data-remove-row]");
      if (remove) {
        remove.textContent = "Remove row " + n;
        remove.hidden = rows().length === 1;
      }
    });
    counter.value = String(rows().length);
  }

  function lastDay() {
    var days = container.querySelectorAll("[data-field='day']");
    for (var i = days.length - 1; i >= 0; i--) { if (days[i].value) return days[i].value; }
    return "";
  }

  function addRow() {
    var all = rows();
    var copy = all[all.length - 1].cloneNode(true);
    copy.classList.remove("has-error");
    var error = copy.querySelector(".error");
    if (error) error.remove();
    copy.querySelectorAll("[data-field]").forEach(function (field) {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
      field.removeAttribute("autofocus");
      if (field.tagName === "SELECT") field.selectedIndex = 0; else field.value = "";
    });
    // Most blocks follow one on the same day: start the new row on the last date typed.
    copy.querySelector("[data-field='day']").value = lastDay();
    container.appendChild(copy);
    renumber();
    copy.querySelector("[data-field='start']").focus();
  }

  container.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-row]");
    if (!button) return;
    var row = button.closest(".agenda-row");
    var next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    renumber();
    if (next) next.querySelector("[data-field='day']").focus(); else addButton.focus();
  });

  addButton.textContent = "Add a row";
  addButton.addEventListener("click", function (event) {
    event.preventDefault();
    addRow();
  });
  rows().forEach(function (row) { var r = row.querySelector("[data-remove-row]"); if (r) r.hidden = false; });
  renumber();
})();
