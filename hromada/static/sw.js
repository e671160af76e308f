/* Hromada's service worker, served at /sw.js by hromada.core.offline.service_worker, which
   puts self.HROMADA = {version, shell, pages, warm} in front of this file.

   - The shell (stylesheet, scripts, icons, by their hashed names) is cached on install.
   - Pages a volunteer needs on the move are fetched from the network first and kept; when
     the network fails or stays silent, the kept copy is shown (the page says how old it is).
   - Forms are not handled here: hromada-offline.js queues them and sends them again.
   - Signing in or out (a form sent to one of C.account) drops every kept page at once: the
     next page, if the server is slow, must not be the copy kept for whoever came before. */
"use strict";

const C = self.HROMADA;
const SHELL = "hromada-shell-" + C.version;
const PAGES = "hromada-pages";
const PATIENCE_MS = 6000; // on a silent network, show the kept copy after this long
const MAX_PAGES = 80; // the pages least lately refreshed go first

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(C.shell)).then(() => self.skipWaiting()));
});

// The previous shell stays too: pages kept before a deployment ask for its file names.
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => keys.filter((k) => k.startsWith("hromada-shell-") && k !== SHELL).slice(0, -1))
      .then((old) => Promise.all(old.map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

const matches = (paths, path) => paths.some((p) => (p.endsWith("*") ? path.startsWith(p.slice(0, -1)) : path === p));
const keptPage = (path) => matches(C.pages, path);

// A page worth keeping: ours, complete, HTML, not an error and not a redirect to sign in.
function keepable(response) {
  return response.ok && response.type === "basic" && !response.redirected &&
    (response.headers.get("Content-Type") || "").startsWith("text/html");
}

function fetchAndKeep(request) {
  return fetch(request).then((response) => {
    if (keepable(response)) {
      const copy = response.clone();
      caches.open(PAGES).then((cache) => cache.put(request.url, copy)
        .then(() => cache.keys())
        .then((keys) => Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map((k) => cache.delete(k)))));
    }
    return response;
  });
}

function page(request) {
  const network = fetchAndKeep(request);
  const kept = caches.match(request.url, { cacheName: PAGES });
  const late = new Promise((resolve) => setTimeout(resolve, PATIENCE_MS)).then(() => kept);
  // The network wins unless it fails, or says nothing for PATIENCE_MS while a copy is kept.
  return Promise.race([network, late.then((copy) => copy || network)])
    .catch(() => kept.then((copy) => copy || Response.error()));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    // The browser sends it; the kept pages are gone long before the answer comes back.
    if (request.mode === "navigate" && matches(C.account, url.pathname)) event.waitUntil(caches.delete(PAGES));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    // Hashed names never change content: the cache answers, else the network (and is kept).
    event.respondWith(
      caches.match(request).then((hit) => hit || fetch(request).then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(SHELL).then((cache) => cache.put(request, copy));
        }
        return response;
      }))
    );
  } else if (request.mode === "navigate" && keptPage(url.pathname)) {
    event.respondWith(page(request));
  }
});

// The page asks to fetch ahead what a signed-in user needs on the move: the warm pages, and
// the deliveries and shifts they link to (a driver opens those in a basement).
const LINKED = /href="(\/(?:deliveries|volunteers\/shifts)\/\d+\/)"/g;
const MAX_LINKED = 12;

async function warm() {
  const linked = new Set();
  for (const path of C.warm) {
    const response = await fetchAndKeep(new Request(path, { credentials: "same-origin", headers: { "X-Hromada-Warm": "1" } })).catch(() => null);
    if (!response || !keepable(response)) continue;
    for (const match of (await response.text()).matchAll(LINKED)) linked.add(match[1]);
  }
  for (const path of [...linked].slice(0, MAX_LINKED)) {
    await fetchAndKeep(new Request(path, { credentials: "same-origin", headers: { "X-Hromada-Warm": "1" } })).catch(() => null);
  }
}

self.addEventListener("message", (event) => {
  if (event.data === "warm") event.waitUntil(warm());
  if (event.data === "forget") event.waitUntil(caches.delete(PAGES));
});
