// GET /apps/winback/sw.js through the app proxy: the service worker for the storefront's
// push opt-in (extensions/winback-push). A service worker must come from the page's own
// origin, so it cannot be a theme-extension asset on Shopify's CDN; the app proxy serves it
// from https://<shop>/apps/winback/sw.js. It shows what connectors/push/web-push.ts sends
// ({ title, body, icon, link, tag }) and opens the link on click. Static, holds no data,
// so it is served without checking the proxy signature.
export const SERVICE_WORKER = `"use strict";
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { title: event.data ? event.data.text() : "" }; }
  event.waitUntil(self.registration.showNotification(data.title || "", {
    body: data.body || "", icon: data.icon, tag: data.tag, data: { link: data.link || "/" }
  }));
});
self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var link = (event.notification.data && event.notification.data.link) || "/";
  event.waitUntil(self.clients.openWindow(link));
});
`;

export function loader() {
  return new Response(SERVICE_WORKER, {
    headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=3600", "x-content-type-options": "nosniff" },
  });
}
