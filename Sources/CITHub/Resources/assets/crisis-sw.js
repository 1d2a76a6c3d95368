"use strict";
// Keeps the home page, the map and the crisis helper working offline: those pages and
// the site's own files (U.assets), fetched from the network first (so they are never
// stale online) and from this cache when there is no connection. Every other request
// (sign-in, staff pages, forms, search) passes by untouched. Nothing the person types is
// in any of these requests: the helper's form is never sent.
// The site's addresses (U) come from Swift's ScriptURLs, filled in when the server starts.
var U = /*@URLS@*/;
var CACHE = "crisis-/*@VERSION@*/";
var PAGES = [U.home, U.map, U.crisis];
var URLS = PAGES.concat([U.siteStylesheet, U.crisisStylesheet, U.crisisScript, U.offlineScript, U.favicon]);
function mine(url) {
  return url.origin === self.location.origin && !url.search && (PAGES.indexOf(url.pathname) >= 0 || url.pathname.indexOf(U.assets) === 0);
}
function literal(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
function keep(c, path) {
  return fetch(path, { credentials: "omit" }).then(function (r) { return r.ok ? c.put(path, r.clone()).then(function () { return r; }) : null; }).catch(function () { return null; });
}
self.addEventListener("install", function (e) {
  // One page that cannot be fetched does not stop the others from being kept; each
  // page's own files (a map's stylesheet, say) are found in its HTML and kept too.
  e.waitUntil(caches.open(CACHE).then(function (c) {
    return Promise.all(URLS.map(function (u) { return keep(c, u); })).then(function (responses) {
      return Promise.all(responses.slice(0, PAGES.length).map(function (r) {
        return r ? r.text().then(function (html) {
          var found = [], m, re = new RegExp('(?:src|href)="(' + literal(U.assets) + '[^"?#]+)"', "g");
          while ((m = re.exec(html))) if (URLS.indexOf(m[1]) < 0 && found.indexOf(m[1]) < 0) found.push(m[1]);
          return Promise.all(found.map(function (u) { return keep(c, u); }));
        }) : null;
      }));
    });
  }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("crisis-") === 0 && k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("fetch", function (e) {
  var url = new URL(e.request.url);
  if (e.request.method !== "GET" || !mine(url)) return;
  e.respondWith(fetch(e.request).then(function (r) {
    if (r.ok && r.type === "basic") { var copy = r.clone(); caches.open(CACHE).then(function (c) { return c.put(url.pathname, copy); }); }
    return r;
  }).catch(function () {
    return caches.match(url.pathname).then(function (hit) { return hit || Response.error(); });
  }));
});