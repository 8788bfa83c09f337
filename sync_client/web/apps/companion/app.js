// The Companion journal: a demo PWA on the offsync browser client. Entries
// with tags and notes, a pending-changes badge, the conflicts view (journal
// entries use the `reject` policy: a late concurrent edit comes back here).
import { createClient } from "/client/client.js";
import { newId } from "/client/replica.js";

/** @typedef {import("/client/client.js").Client} Client */

/** @param {string} id @returns {HTMLElement} */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** The tag ids of shared.apps.compound_id: parts percent-encoded as
 * Python's quote(part, safe=""), joined by ":".
 * @param {string[]} parts */
export function compoundId(...parts) {
  return parts.map((p) => encodeURIComponent(p).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())).join(":");
}

/** @param {string} text */
const escape = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function token() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromHash) {
    localStorage.setItem("offsync-token", fromHash);
    history.replaceState(null, "", location.pathname);
  }
  return localStorage.getItem("offsync-token");
}

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    // scope "/": the client's worker and modules (/client/) must open offline too
    await navigator.serviceWorker.register("/app/sw.js", { type: "module", scope: "/" });
  } catch (err) {
    console.warn("no service worker: the app will not open offline", err);
  }
}

const ENTRIES = `SELECT e.id, e.title, e.content, e.mood, e.timestamp,
  (SELECT group_concat(t.name, ',') FROM journal_entry_tags l JOIN tags t ON t.id = l.tagId WHERE l.entryId = e.id) AS tagNames,
  EXISTS (SELECT 1 FROM sync_queue q WHERE q.collection = 'journal_entries' AND q.row_id = e.id) AS isPending
  FROM journal_entries e WHERE (?1 = '' OR e.content LIKE '%' || ?1 || '%' OR e.title LIKE '%' || ?1 || '%')
  ORDER BY e.timestamp DESC LIMIT 100`;

/** @param {{[column: string]: any}[]} rows */
function renderEntries(rows) {
  $("entries").innerHTML = rows.map((e) => `
    <li data-id="${escape(String(e.id))}">
      <strong>${escape(e.title || "(untitled)")}</strong>
      <p>${escape(e.content || "")}</p>
      <div class="meta">
        <span>${new Date(Number(e.timestamp)).toLocaleString()}</span>
        ${e.mood ? `<span>mood: ${escape(e.mood)}</span>` : ""}
        ${e.isPending ? '<span class="pending">● not yet synced</span>' : ""}
      </div>
      <div>${(e.tagNames ? String(e.tagNames).split(",") : []).map((t) => `<span class="tag">#${escape(t)}</span>`).join("")}</div>
    </li>`).join("") || "<li>No entries yet.</li>";
}

/** @param {Client} db */
async function renderConflicts(db) {
  const conflicts = await db.conflicts();
  $("conflicts-section").hidden = conflicts.length === 0;
  $("conflicts").innerHTML = conflicts.map((c) => `
    <li data-conflict="${c.id}">
      <div><strong>${escape(c.collection)}</strong> ${escape(String(c.row_id))}: <em>${escape(c.reason)}</em></div>
      <div class="side">
        <div><b>Yours</b><br>${escape(JSON.stringify(c.local))}</div>
        <div><b>On the server</b><br>${escape(c.server ? JSON.stringify(c.server) : "(gone)")}</div>
      </div>
      <button data-keep-server="${c.id}">Keep the server's</button>
      ${c.server && c.kind === "update" ? `<button data-apply-mine="${c.id}">Apply mine again</button>` : ""}
    </li>`).join("");
  for (const button of document.querySelectorAll("[data-keep-server]")) {
    button.addEventListener("click", async () => { await db.dismissConflict(Number(/** @type {HTMLElement} */ (button).dataset.keepServer)); renderConflicts(db); });
  }
  for (const button of document.querySelectorAll("[data-apply-mine]")) {
    button.addEventListener("click", async () => {
      const c = conflicts.find((x) => x.id === Number(/** @type {HTMLElement} */ (button).dataset.applyMine));
      if (!c) return;
      await db.update(c.collection, c.row_id, c.local);
      await db.dismissConflict(c.id);
      renderConflicts(db);
    });
  }
}

/** @param {Client} db */
function wire(db) {
  db.onStatus((s) => {
    const connection = $("connection");
    connection.textContent = s.connected ? (s.phase === "live" ? "online" : `syncing ${Math.round(s.progress * 100)}%`) : "offline";
    connection.className = `pill ${s.connected ? "online" : "offline"}`;
    const pending = $("pending");
    pending.textContent = `${s.pending} pending`;
    pending.className = `pill badge${s.pending ? "" : " zero"}`;
    $("storage").textContent = s.storage !== "memory" ? (s.leader ? "stored on this device" : "via another tab") : "in memory";
    $("persisted").textContent = s.persisted ? "Storage is persistent." : "";
  });
  db.onRejected(() => renderConflicts(db));
  let stop = db.watch(ENTRIES, [""], renderEntries);
  $("search").addEventListener("input", () => {
    stop();
    stop = db.watch(ENTRIES, [/** @type {HTMLInputElement} */ ($("search")).value.trim()], renderEntries);
  });
  $("entry-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.target);
    const data = new FormData(form);
    const id = newId();
    const now = Date.now();
    const tags = String(data.get("tags") || "").split(",").map((t) => t.trim()).filter(Boolean);
    await db.transaction((tx) => {
      tx.insert("journal_entries", { id, title: String(data.get("title") || "") || null, content: String(data.get("content")),
                                     mood: String(data.get("mood") || "") || null, timestamp: now });
      for (const name of tags) {
        const tagId = compoundId(name);
        tx.exec("INSERT OR IGNORE INTO tags (id, name, createdAt) VALUES (?, ?, ?)", [tagId, name, now]);
        tx.exec("INSERT OR IGNORE INTO journal_entry_tags (id, entryId, tagId) VALUES (?, ?, ?)", [compoundId(id, tagId), id, tagId]);
      }
    });
    form.reset();
  });
  renderConflicts(db);
}

async function main() {
  await registerServiceWorker();
  const t = token();
  if (!t) {
    $("signin").hidden = false;
    $("signin-form").addEventListener("submit", (event) => {
      event.preventDefault();
      localStorage.setItem("offsync-token", /** @type {HTMLInputElement} */ ($("token")).value.trim());
      location.reload();
    });
    return;
  }
  $("main").hidden = false;
  const db = await createClient({ url: location.origin, token: t, name: "companion" });
  /** @type {any} */ (window).db = db;
  wire(db);
  /** @type {any} */ (window).appReady = true;
}

main().catch((err) => {
  console.error(err);
  document.body.insertAdjacentHTML("beforeend", `<p role="alert">Could not start: ${escape(String(err && err.message || err))}</p>`);
});
