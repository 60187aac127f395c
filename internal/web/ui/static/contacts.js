// Contacts page: "Select all" ticks every contact shown, and Delete asks
// before it deletes. The page works without this file (Select all is then
// sent with the form and selects every contact shown).
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  var picks = function () { return document.querySelectorAll("#pc-list input.pick"); };
  if (all) {
    all.addEventListener("change", function () {
      picks().forEach(function (p) { p.checked = all.checked; });
    });
    document.addEventListener("change", function (e) {
      if (e.target.classList && e.target.classList.contains("pick") && !e.target.checked) { all.checked = false; }
    });
  }
  var del = document.getElementById("pc-delete");
  if (del) {
    del.addEventListener("click", function (e) {
      var n = 0;
      picks().forEach(function (p) { if (p.checked) { n++; } });
      if (n > 0 && !window.confirm("Delete " + n + (n === 1 ? " contact?" : " contacts?"))) { e.preventDefault(); }
    });
  }
})();
