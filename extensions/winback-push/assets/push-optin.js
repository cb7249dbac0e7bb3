// Winback web push opt-in (theme app embed). Asks once, after the merchant's delay; on
// "yes" registers the service worker served through the app proxy, subscribes with the
// shop's VAPID public key (fetched from the proxy) and posts the subscription to
// /apps/winback/push, where Shopify adds the signed shop and logged-in customer. A
// subscription that already exists is posted again when the page loads, so the app keeps
// fresh keys and links it to the customer once they log in. "No thanks" is remembered.
(function () {
  "use strict";
  var root = document.getElementById("winback-push-optin");
  if (!root || !("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return;

  var proxy = root.getAttribute("data-proxy") || "/apps/winback";
  var delayMs = Math.max(0, Number(root.getAttribute("data-delay-seconds") || 0)) * 1000;
  var DECLINED = "winback-push-declined";
  var SYNCED = "winback-push-synced";

  function urlBase64ToUint8Array(base64) {
    var padded = (base64 + "===".slice((base64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function register() {
    // Scope is the proxy path: push events reach the worker whatever page is open.
    return navigator.serviceWorker.register(proxy + "/sw.js", { scope: proxy + "/" });
  }

  function post(subscription) {
    return fetch(proxy + "/push", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(subscription.toJSON()),
    }).then(function (res) {
      if (!res.ok) throw new Error("Winback push opt-in: the app answered " + res.status);
      try {
        sessionStorage.setItem(SYNCED, root.getAttribute("data-customer") || "0");
      } catch (e) {}
    });
  }

  function subscribe() {
    return Promise.all([register(), fetch(proxy + "/push", { credentials: "same-origin" }).then(function (r) { return r.json(); })])
      .then(function (both) {
        var registration = both[0];
        var key = both[1] && both[1].publicKey;
        if (!key) throw new Error("Winback push opt-in: web push is not set up for this shop");
        return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlBase64ToUint8Array(key) });
      })
      .then(post);
  }

  function button(label, primary) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.style.cssText = "margin:0 0 0 8px;padding:8px 14px;border-radius:4px;cursor:pointer;font:inherit;" +
      (primary ? "background:var(--winback-accent,#111);color:#fff;border:0;" : "background:transparent;border:1px solid currentColor;");
    return b;
  }

  function ask() {
    root.hidden = false;
    root.setAttribute("role", "dialog");
    root.setAttribute("aria-live", "polite");
    root.style.cssText += "position:fixed;left:16px;right:16px;bottom:16px;z-index:2147483000;max-width:480px;margin:0 auto;" +
      "padding:14px 16px;background:#fff;color:#111;border-radius:8px;box-shadow:0 4px 24px rgba(0,0,0,.18);display:flex;align-items:center;flex-wrap:wrap;gap:8px;";
    var text = document.createElement("span");
    text.textContent = root.getAttribute("data-prompt") || "";
    text.style.flex = "1 1 200px";
    var yes = button(root.getAttribute("data-accept") || "Yes", true);
    var no = button(root.getAttribute("data-decline") || "No thanks", false);
    root.replaceChildren(text, no, yes);
    no.addEventListener("click", function () {
      try {
        localStorage.setItem(DECLINED, String(Date.now()));
      } catch (e) {}
      root.hidden = true;
    });
    yes.addEventListener("click", function () {
      root.hidden = true;
      // The permission prompt must follow the click directly.
      Notification.requestPermission().then(function (permission) {
        if (permission === "granted") return subscribe();
      }).catch(function (e) {
        console.warn(e);
      });
    });
  }

  function start() {
    if (Notification.permission === "denied") return;
    navigator.serviceWorker.getRegistration(proxy + "/").then(function (registration) {
      return registration ? registration.pushManager.getSubscription() : null;
    }).then(function (existing) {
      if (existing) {
        // Refresh once per session, and again after the shopper logs in.
        var synced = null;
        try {
          synced = sessionStorage.getItem(SYNCED);
        } catch (e) {}
        if (synced !== (root.getAttribute("data-customer") || "0")) return post(existing);
        return;
      }
      var declined = null;
      try {
        declined = localStorage.getItem(DECLINED);
      } catch (e) {}
      if (declined) return;
      setTimeout(ask, delayMs);
    }).catch(function (e) {
      console.warn(e);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
