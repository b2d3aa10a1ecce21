/* The storefront as an installable app: registers the service worker (/sw.js, scope /) and, on a
   [data-push-enable] button, asks for notification permission and saves the browser's push subscription
   (POST JSON to the button's data-endpoint). No inline script: the page's CSP allows our static files only. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;

  function keyBytes(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(padded);
    return Uint8Array.from(raw, (char) => char.charCodeAt(0));
  }

  function save(button, subscription, remove) {
    const json = subscription.toJSON();
    return fetch(button.dataset.endpoint, {
      method: remove ? "DELETE" : "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": button.dataset.csrf},
      body: JSON.stringify({endpoint: json.endpoint, keys: json.keys || {}}),
    });
  }

  function setUp(registration) {
    const button = document.querySelector("[data-push-enable]");
    if (!button || !("PushManager" in window) || !("Notification" in window)) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      Notification.requestPermission().then((permission) => {
        if (permission !== "granted") return null;
        return registration.pushManager.getSubscription().then((existing) => existing ||
          registration.pushManager.subscribe({userVisibleOnly: true,
                                             applicationServerKey: keyBytes(button.dataset.vapidKey)}));
      }).then((subscription) => {
        if (subscription) return save(button, subscription, false).then(() => {
          button.disabled = true;
          if (button.dataset.doneText) button.textContent = button.dataset.doneText;
        });
        return null;
      }).catch(() => {});
    });
  }

  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).then(setUp).catch(() => {});
  });
})();
