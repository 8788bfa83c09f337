// The Companion demo's service worker: the offline shell, and the replay of
// stored pushes from Background Sync (see /client/sw.js).
import { installOffsync } from "/client/sw.js";

installOffsync(/** @type {any} */ (self), {
  cache: "offsync-companion-v1",
  shell: ["/app/", "/app/index.html", "/app/app.js", "/app/app.css", "/app/manifest.webmanifest", "/app/icon.svg"],
});
