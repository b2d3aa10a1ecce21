// Small behaviours of the design system; no build step. htmx does the rest.
(function () {
  "use strict";
  function csrfToken() {
    var m = document.cookie.match(/(?:^|; )dms_csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  // htmx requests carry the CSRF token.
  document.addEventListener("htmx:configRequest", function (e) { e.detail.headers["X-CSRFToken"] = csrfToken(); });

  // Toasts: server messages (rendered into #toasts) and HX-Trigger {"toast": {...}} events.
  function toast(text, level) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var el = document.createElement("div");
    el.className = "toast " + (level || "");
    el.setAttribute("role", "status");
    el.textContent = text;
    box.appendChild(el);
    setTimeout(function () { el.remove(); }, 5000);
  }
  document.body.addEventListener("toast", function (e) { toast(e.detail.text || e.detail.value, e.detail.level); });
  document.querySelectorAll("#toasts .toast").forEach(function (el) { setTimeout(function () { el.remove(); }, 5000); });

  // Confirmation dialogs: <form data-confirm="Are you sure?"> asks before it submits.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form.getAttribute("data-confirm");
    if (!question || form.dataset.confirmed) return;
    e.preventDefault();
    var dialog = document.getElementById("confirm-dialog");
    dialog.querySelector("[data-question]").textContent = question;
    dialog.returnValue = "";
    dialog.showModal();
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue === "yes") { form.dataset.confirmed = "1"; form.requestSubmit(); }
    });
  });
  // Dialog openers: <button data-open="dialog-id">.
  document.addEventListener("click", function (e) {
    var opener = e.target.closest("[data-open]");
    if (opener) { e.preventDefault(); document.getElementById(opener.getAttribute("data-open")).showModal(); }
    var closer = e.target.closest("[data-close]");
    if (closer) { e.preventDefault(); closer.closest("dialog").close(); }
  });
  // <dialog data-show> opens as the page loads (a form sent back with its errors).
  document.querySelectorAll("dialog[data-show]").forEach(function (dialog) { dialog.showModal(); });
  // Language switch submits on change.
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-autosubmit]")) e.target.form.submit();
    // <input type="checkbox" data-check-all="order"> ticks or unticks every box named "order" of its form.
    var all = e.target.getAttribute && e.target.getAttribute("data-check-all");
    if (all && e.target.form) {
      e.target.form.querySelectorAll('input[type="checkbox"][name="' + all + '"]').forEach(function (box) {
        box.checked = e.target.checked;
      });
    }
  });
  // Behaviours that used to be inline handlers (the Content-Security-Policy allows no inline script):
  // <button data-print> prints the page; <a data-back> goes back when there is a page to go back to;
  // <form data-disable-on-submit="button-id"> disables that button once it submits (no double sign-up);
  // <input data-marks-typed="hidden-id"> sets that hidden field to 1 once the user types.
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-print]")) { e.preventDefault(); window.print(); }
    var back = e.target.closest("a[data-back]");
    if (back && window.history.length > 1) { e.preventDefault(); window.history.back(); }
  });
  document.addEventListener("submit", function (e) {
    var id = e.target.getAttribute("data-disable-on-submit");
    if (id && !e.defaultPrevented && document.getElementById(id)) document.getElementById(id).disabled = true;
  });
  document.addEventListener("input", function (e) {
    var id = e.target.getAttribute && e.target.getAttribute("data-marks-typed");
    if (id && document.getElementById(id)) document.getElementById(id).value = "1";
  });
})();
