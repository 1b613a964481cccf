// Show the identity fields of the chosen customer kind (individual or organisation).
(function () {
  function syncKind(form) {
    var checked = form.querySelector('input[name="kind"]:checked');
    var kind = checked ? checked.value : "";
    form.querySelectorAll("[data-kinds]").forEach(function (el) {
      var show = !kind || el.dataset.kinds.split(" ").indexOf(kind) !== -1;
      el.classList.toggle("kind-hidden", !show);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("customer-form");
    if (!form) return;
    syncKind(form);
    form.addEventListener("change", function (e) {
      if (e.target.name === "kind") syncKind(form);
    });
  });
})();

// Switch the interface language as soon as one is chosen (no inline handler: the CSP forbids it).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".lang-switch select[name=language]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});

// Print buttons (no inline handlers: the Content-Security-Policy forbids them).
document.addEventListener("click", function (e) {
  var button = e.target.closest && e.target.closest("[data-print]");
  if (button) window.print();
});

// A masked sensitive value is kept unless the user replaces it: "Replace" enables its input
// (empty when the value was masked, the shown value when it was revealed), so that only then
// does the browser submit it.
document.addEventListener("click", function (e) {
  var button = e.target.closest && e.target.closest("[data-replace]");
  if (!button) return;
  var input = document.getElementById(button.dataset.replace);
  if (!input) return;
  if (input.dataset.sealed === "masked") {
    input.value = "";
    input.removeAttribute("placeholder");
  }
  if (input.dataset.inputType) input.type = input.dataset.inputType;
  input.disabled = false;
  input.dataset.sealed = "replaced";
  button.disabled = true;
  input.focus();
});
