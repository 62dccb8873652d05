// TastyRecipes: progressive enhancement for the recipe pages.
// Every page works without this file (plain links and forms); htmx does the
// requests, and this script only opens and closes dialogs and reports errors.
// No inline script, style or event attribute anywhere: CSP allows 'self' only.
(function () {
  "use strict";

  var LOG_IN_PATH = "/users/log_in";

  function recipeModal() {
    return document.getElementById("recipe-modal");
  }

  function showFlash(message) {
    var flash = document.getElementById("flash");
    if (!flash) { return; }
    var alert = document.createElement("p");
    alert.className = "alert alert-danger";
    alert.setAttribute("role", "alert");
    alert.textContent = message;
    flash.replaceChildren(alert);
  }

  // A form fetched into the modal: open it, focus the first field (or the first error).
  document.addEventListener("htmx:afterSwap", function (evt) {
    var dialog = recipeModal();
    if (!dialog || evt.detail.target !== dialog) { return; }
    if (!dialog.open) { dialog.showModal(); }
    var field = dialog.querySelector("[aria-invalid=true]") ||
      dialog.querySelector("input:not([type=hidden]), textarea");
    if (field) { field.focus(); }
  });

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    // The session ended meanwhile: go to the log-in page for real, not inside the modal.
    if (xhr.responseURL && new URL(xhr.responseURL).pathname === LOG_IN_PATH) {
      evt.detail.shouldSwap = false;
      window.location.assign(xhr.responseURL);
      return;
    }
    // 409: the form comes back with the conflict message and the user's input.
    if (xhr.status === 409 && evt.detail.target === recipeModal()) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });

  document.addEventListener("htmx:responseError", function (evt) {
    var status = evt.detail.xhr.status;
    var messages = {
      400: "Your form expired. Please reload the page and try again.",
      403: "You are not allowed to do that.",
      404: "That recipe no longer exists.",
      429: "Too many attempts. Please wait a little and try again.",
      503: "We are having trouble reaching our database. Please try again in a few seconds."
    };
    var dialog = recipeModal();
    if (dialog && dialog.open) { dialog.close(); }
    showFlash(messages[status] || "Something went wrong (" + status + "). Please try again.");
  });

  document.addEventListener("htmx:sendError", function () {
    showFlash("Could not reach the server. Check your connection and try again.");
  });

  // Our own confirmation dialog instead of window.confirm (falls back to it if absent).
  document.addEventListener("htmx:confirm", function (evt) {
    var dialog = document.getElementById("confirm-dialog");
    if (!evt.detail.question || !dialog) { return; }
    evt.preventDefault();
    dialog.querySelector("[data-confirm-question]").textContent = evt.detail.question;
    dialog.returnValue = "";
    dialog.addEventListener("close", function () {
      if (dialog.returnValue === "confirm") { evt.detail.issueRequest(true); }
    }, { once: true });
    dialog.showModal();
  });

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest("[data-close-dialog]");
    var dialog = button && button.closest("dialog");
    if (dialog) { dialog.close(); }
  });

  // A field the user corrects drops its stale server error at once.
  document.addEventListener("input", function (evt) {
    var field = evt.target;
    if (!field.matches || !field.matches("[aria-invalid=true]")) { return; }
    field.removeAttribute("aria-invalid");
    field.removeAttribute("aria-describedby");
    var label = field.closest("label");
    if (label) {
      label.querySelectorAll(".field-error").forEach(function (error) { error.remove(); });
    }
    var form = field.form;
    if (form && !form.querySelector("[aria-invalid=true]")) {
      form.querySelectorAll(".alert-danger").forEach(function (banner) { banner.remove(); });
    }
  });

  // A closed modal forgets its form, so a stale one is never shown again.
  document.addEventListener("close", function (evt) {
    if (evt.target === recipeModal()) { evt.target.replaceChildren(); }
  }, true);

  // htmx snapshots the page for the back button: never with a dialog open.
  document.addEventListener("htmx:beforeHistorySave", function () {
    document.querySelectorAll("dialog[open]").forEach(function (dialog) { dialog.close(); });
  });
})();
