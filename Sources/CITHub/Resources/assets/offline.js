"use strict";
// The site's addresses (U) come from Swift's ScriptURLs, filled in when the server starts.
(function (U) {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(U.serviceWorker, { scope: U.home }).catch(function () { /* works online without it */ });
  // An older worker covered the helper alone; this one covers it too.
  navigator.serviceWorker.getRegistrations().then(function (rs) {
    rs.forEach(function (r) { if (new URL(r.scope).pathname === U.crisis) r.unregister(); });
  }, function () { /* nothing to tidy */ });
})(/*@URLS@*/);