// The key edit form shows only the fields of the chosen type; without
// script every field shows and the server reads the ones the type takes.
(function () {
  var action = document.getElementById("f-action");
  if (!action) return;
  var sets = document.querySelectorAll(".vdm-for");
  function show() {
    sets.forEach(function (s) {
      s.hidden = s.dataset.for.split(" ").indexOf(action.value) < 0;
    });
  }
  action.addEventListener("change", show);
  show();
})();
