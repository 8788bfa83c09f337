// Service-worker helpers for an offsync PWA: replay the pushes the replica's
// worker keeps in IndexedDB (outbox.js) from the Background Sync `sync`
// event (tag "offsync") or on a message, and serve an offline shell from a
// cache. An app's service worker imports this module:
//
//   import { installOffsync } from "/client/sw.js";
//   installOffsync(self, { cache: "my-app-v1", shell: ["/app/", "/app/app.js"] });

import { replayOutbox } from "./outbox.js";

/** The client's own files, cached with an app's shell so that it opens offline. */
export const CLIENT_FILES = ["client.js", "worker.js", "replica.js", "protocol.js", "msgpack.js", "outbox.js", "types.js",
  "image.js", "calls.js", "evolution.js",
  "vendor/sqlite-wasm/sqlite3.mjs", "vendor/sqlite-wasm/sqlite3.wasm"].map((f) => new URL(f, import.meta.url).pathname);

/**
 * @param {any} sw the ServiceWorkerGlobalScope
 * @param {{cache: string, shell: string[]}} options the cache's name and the app's own files
 */
export function installOffsync(sw, options) {
  const files = [...options.shell, ...CLIENT_FILES, "/schema"];
  sw.addEventListener("install", (/** @type {any} */ event) => {
    event.waitUntil(caches.open(options.cache).then((cache) => cache.addAll(files)).then(() => sw.skipWaiting()));
  });
  sw.addEventListener("activate", (/** @type {any} */ event) => {
    event.waitUntil(sw.clients.claim());
  });
  sw.addEventListener("fetch", (/** @type {any} */ event) => {
    const request = /** @type {Request} */ (event.request);
    const url = new URL(request.url);
    if (request.method !== "GET" || url.origin !== sw.location.origin || !files.includes(url.pathname)) return;
    // the network first (a new version reaches the page), the cache when it fails
    event.respondWith(fetch(request).then(async (response) => {
      if (response.ok) await (await caches.open(options.cache)).put(request, response.clone());
      return response;
    }).catch(async () => (await caches.match(request, { ignoreSearch: true })) || Response.error()));
  });
  sw.addEventListener("sync", (/** @type {any} */ event) => {
    if (event.tag === "offsync") event.waitUntil(replayOutbox());
  });
  sw.addEventListener("message", (/** @type {any} */ event) => {
    if (event.data && event.data.type === "offsync-replay") {
      event.waitUntil(replayOutbox().then((sent) => event.source && event.source.postMessage({ type: "offsync-replayed", sent }),
        (err) => event.source && event.source.postMessage({ type: "offsync-replayed", error: String(err) })));
    }
  });
}
