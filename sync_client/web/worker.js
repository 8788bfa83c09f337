// The dedicated worker that owns a replica: SQLite WASM on OPFS (the
// opfs-sahpool VFS; where OPFS is missing, in memory with its image kept in
// IndexedDB, image.js), the WebSocket to the server, and the outbox a service
// worker can replay. The page talks to it with {id, method, args, callId?}
// messages (client.js; callId: another tab's call, run once, calls.js) and
// gets {id, result} or {id, error} back, plus {event, ...} messages:
// "status", "changed", "rejected".

import sqlite3InitModule from "./vendor/sqlite-wasm/sqlite3.mjs";
import { decode, encode } from "./msgpack.js";
import { ClientProtocol, HEAD_CHECK_MS, HOLD_MS, refreshAt, withDefaults } from "./protocol.js";
import { Replica } from "./replica.js";
import { saveOutbox } from "./outbox.js";
import { ImageStore } from "./image.js";
import { CallLog } from "./calls.js";
import { migrateReplica } from "./evolution.js";

/** @typedef {import("./types.js").SyncStatus} SyncStatus */
/** @typedef {import("./types.js").ClientMessage} ClientMessage */

/**
 * @typedef {object} WorkerOptions
 * @property {string} url the server's base URL (http[s]://host:port)
 * @property {string[]} [urls] other nodes' base URLs (one database, docs/scale-out.md): after a failed or
 *   lost connection the worker moves to one of them at random, after the jittered backoff
 * @property {string} token
 * @property {string} name the database's name (one replica per name)
 * @property {boolean} [memory] keep the replica in memory only: nothing survives a reload (tests, benchmarks)
 * @property {boolean} [opfs] false: do not use OPFS even where it exists, keep the replica in IndexedDB
 *   as where OPFS is missing (tests of that fallback)
 * @property {boolean} [connect] connect now (default true)
 * @property {number} [backoffBase] first reconnect delay cap, ms (default 200)
 * @property {number} [backoffCap] reconnect delay cap, ms (default 30000)
 * @property {boolean} [refresh] the page has getToken(): ask it for a fresh token before this one expires
 *   and send it on the live socket (Token, protocol 2), so the server does not close it (1008 token_expired)
 */

const scope = /** @type {any} */ (self);

/** @type {Replica | null} */
let replica = null;
/** @type {ImageStore | null} where the replica's image is kept when OPFS is missing */
let image = null;
/** @type {CallLog | null} the write calls of other tabs already applied */
let callLog = null;
/** @type {ClientProtocol | null} */
let protocol = null;
/** @type {WebSocket | null} */
let socket = null;
/** @type {WorkerOptions | null} */
let options = null;
/** @type {any} */
let sqlite3 = null;
let attempts = 0;
/** the base URL of the node the worker uses now */
let nodeUrl = "";
let wantConnected = false;
/** @type {ReturnType<typeof setTimeout> | null} */
let retryTimer = null;
/** @type {ReturnType<typeof setTimeout> | null} */
let refreshTimer = null;
/** @type {ReturnType<typeof setTimeout> | null} */
let flushTimer = null;
/** @type {ReturnType<typeof setTimeout> | null} */
let headTimer = null;
/** @type {SyncStatus} */
const status = {
  connected: false, phase: "offline", pending: 0, cursor: 0, head: 0, progress: 1, pulled: 0, pushed: 0, rejected: 0,
  lastError: null, hasSynced: false, lastSyncAt: null, attempts: 0, resyncing: false, storage: "memory",
  persisted: null, leader: true,
};

/** @param {any} message */
const post = (message) => scope.postMessage(message);

function publishStatus() {
  if (replica) {
    status.pending = replica.pendingCount();
    status.cursor = replica.cursor;
    status.resyncing = replica.resyncing;
  }
  if (protocol) {
    status.phase = protocol.phase;
    status.head = Math.max(protocol.head, status.cursor);
    status.pulled = protocol.pulled;
    status.pushed = protocol.pushed;
    status.rejected = protocol.rejected;
  }
  status.progress = status.head <= 0 ? 1 : Math.min(1, status.cursor / status.head);
  status.attempts = attempts;
  post({ event: "status", status: { ...status } });
}

/** @param {WorkerOptions} given */
async function open(given) {
  options = given;
  nodeUrl = given.url;
  sqlite3 = await sqlite3InitModule();
  let db = null;
  // IndexedDB only where OPFS is missing: OPFS that is there but busy holds the replica, which a fresh
  // IndexedDB one would hide (another device id, its writes left behind when OPFS opens again)
  let opfsMissing = given.opfs === false || typeof sqlite3.installOpfsSAHPoolVfs !== "function";
  if (!given.memory && !opfsMissing) {
    // a tab that just handed over may still hold the pool's access handles for
    // a moment (its worker is being torn down): try again for a few seconds
    for (let attempt = 0; db === null; attempt++) {
      try {
        const pool = await sqlite3.installOpfsSAHPoolVfs({ name: "offsync-sahpool", directory: "/offsync-sahpool", initialCapacity: 16,
                                                           forceReinitIfPreviouslyFailed: true });
        db = new pool.OpfsSAHPoolDb(`/${given.name}.sqlite3`);
        status.storage = "opfs";
      } catch (err) {
        opfsMissing = err instanceof Error && err.message.includes("Missing required OPFS APIs");
        if (opfsMissing) break;
        if (attempt >= 40) {
          status.lastError = `OPFS unavailable, the replica is in memory: ${err instanceof Error ? err.message : err}`;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
  if (db === null && !given.memory && opfsMissing) {
    try {
      image = await ImageStore.open(sqlite3, given.name);
      db = image.db;
      status.storage = "indexeddb";
    } catch (err) {
      const why = err instanceof Error ? err.message : err;
      status.lastError = `no OPFS, and IndexedDB failed: the replica is in memory: ${why}`;
    }
  }
  if (db === null) db = new sqlite3.oo1.DB(":memory:", "c");
  const schema = await loadSchema(given.url, db);
  // a replica made under an older version: its tables, rows and queue migrated first, or nothing opens
  const madeFor = schemaToStore === null ? schema.version : migrateReplica(db, schema, schemaToStore);
  replica = new Replica(sqlite3, db, schema);
  callLog = new CallLog(replica);
  replica.listeners.push((event, detail) => {
    if (event === "changed") {
      if (image) image.saveSoon(); // a local write is also saved before it is answered (onmessage)
      post({ event: "changed", tables: detail.tables, local: detail.local });
      if (detail.local) afterLocalWrite();
    } else if (event === "rejected") {
      post({ event: "rejected", result: detail.result });
    }
  });
  if (schemaToStore !== null) {
    const text = schemaToStore;
    replica.applying(() => /** @type {Replica} */ (replica).writeState({ web_schema: text }));
  }
  if (image) await image.save();
  protocol = new ClientProtocol(replica, given.token);
  if (madeFor !== schema.version) saveForServiceWorker(); // the stored push was of the old version
  if (given.connect !== false) connect();
  publishStatus();
  return { deviceId: replica.deviceId, storage: status.storage, version: sqlite3.version.libVersion };
}

/**
 * The schema from GET /schema, kept in the replica (sync_state.web_schema) so
 * that a page opened offline still opens its replica.
 * @param {string} url @param {any} db @returns {Promise<import("./types.js").SchemaDescription>}
 */
async function loadSchema(url, db) {
  /** @type {string | null} */
  let stored = null;
  try {
    stored = db.selectValue("SELECT value FROM sync_state WHERE key = 'web_schema'") ?? null;
  } catch { /* a new database: no sync_state yet */ }
  let text = null;
  try {
    const response = await fetch(new URL("/schema", url), { signal: AbortSignal.timeout(10000) });
    if (response.ok) text = await response.text();
    else if (stored === null) throw new Error(`GET /schema answered ${response.status}`);
  } catch (err) {
    if (stored === null) throw err;
  }
  if (text !== null && text !== stored) {
    const schema = JSON.parse(text);
    // stored once the tables exist (the Replica makes them); written here when they already do
    schemaToStore = text;
    return schema;
  }
  return JSON.parse(/** @type {string} */ (stored));
}
/** @type {string | null} */
let schemaToStore = null;

function afterLocalWrite() {
  if (protocol && socket && socket.readyState === WebSocket.OPEN) send(protocol.push());
  saveForServiceWorker();
  publishStatus();
}

let saving = Promise.resolve();
/** Keep the pending pushes where a service worker can replay them over HTTP. */
function saveForServiceWorker() {
  if (!replica || !options) return;
  const r = replica, o = options;
  const mutations = r.mutationsToPush(0, 1000, 5000);
  const body = mutations.length ? encode({ type: "push", mutations }) : null;
  saving = saving.then(() => saveOutbox(o.name, body === null ? null : {
    url: new URL("/sync/push", nodeUrl).href, token: o.token, clientId: r.deviceId, body,
    schemaVersion: r.schema.version, schemaFingerprint: r.schema.fingerprint,
    upTo: mutations.length ? mutations[mutations.length - 1].client_seq : 0,
  })).catch(() => {});
}

// -- the socket ---------------------------------------------------------------

function connect() {
  wantConnected = true;
  if (!options || !protocol || socket) return;
  if (retryTimer !== null) { clearTimeout(retryTimer); retryTimer = null; }
  const url = new URL("/sync", nodeUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url.href);
  ws.binaryType = "arraybuffer";
  socket = ws;
  ws.onopen = () => {
    if (socket !== ws || !protocol) return;
    status.connected = true;
    send(protocol.connect());
    scheduleRefresh();
    publishStatus();
  };
  ws.onmessage = (event) => {
    if (socket !== ws || !protocol) return;
    if (!(event.data instanceof ArrayBuffer)) return; // we speak MessagePack: text frames are not ours
    try {
      const message = withDefaults(decode(event.data));
      const wasLive = protocol.phase === "live";
      send(protocol.receive(message));
      if (protocol.held.length && flushTimer === null) {
        // a bootstrap's pages are applied in batches: the held ones at the latest HOLD_MS from now
        flushTimer = setTimeout(() => {
          flushTimer = null;
          if (socket !== ws || !protocol) return;
          try { send(protocol.flush()); } catch (err) {
            status.lastError = err instanceof Error ? err.message : String(err);
            ws.close(1002);
          }
          publishStatus();
        }, HOLD_MS);
      }
      if (headTimer !== null) { clearTimeout(headTimer); headTimer = null; }
      if (protocol.headCheckDue) {
        // the live batch of our commit follows its Ack; pull only if it does not come
        headTimer = setTimeout(() => {
          headTimer = null;
          if (socket !== ws || !protocol) return;
          send(protocol.checkHead());
          publishStatus();
        }, HEAD_CHECK_MS);
      }
      if (message.type === "error") status.lastError = `${message.code}: ${message.message}`;
      else if (protocol.phase === "closed" && protocol.error) status.lastError = `${protocol.error.code}: ${protocol.error.message}`;
      if (protocol.phase === "live") {
        attempts = 0;
        if (!wasLive || message.type === "ack") { status.hasSynced = true; status.lastSyncAt = Date.now(); }
      }
      if (message.type === "ack") saveForServiceWorker();
      if (protocol.phase === "closed") ws.close(1000);
    } catch (err) {
      status.lastError = err instanceof Error ? err.message : String(err);
      ws.close(1002);
    }
    publishStatus();
  };
  ws.onclose = (event) => {
    if (socket !== ws) return;
    socket = null;
    stopRefresh();
    stopFlush();
    if (headTimer !== null) { clearTimeout(headTimer); headTimer = null; }
    status.connected = false;
    if (protocol) protocol.disconnected();
    if ([1008, 4001, 4003].includes(event.code) && protocol) {
      protocol.phase = "closed";
      status.lastError = status.lastError || `closed by the server (${event.code} ${event.reason})`;
      post({ event: "need-token", code: event.code });
    }
    if (wantConnected && protocol && protocol.phase !== "closed") {
      moveToAnotherNode();
      scheduleReconnect();
    }
    publishStatus();
  };
}

/**
 * Ask the page for a fresh token when 20 % of this one's life (at most 60 s) is
 * left, as SyncClient(token_refresh=...): setToken then sends it on the socket.
 * A token that has no `exp` is never refreshed.
 */
function scheduleRefresh() {
  stopRefresh();
  if (!options || !options.refresh || !protocol) return;
  const at = refreshAt(protocol.token);
  if (at === null) return;
  // never a busy loop on a short-lived token; long waits are re-checked (setTimeout caps at 2^31 ms)
  const delay = Math.min(Math.max(500, at - Date.now()), 3600000);
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    if (!socket || socket.readyState !== WebSocket.OPEN || !protocol) return;
    const due = refreshAt(protocol.token);
    if (due !== null && due > Date.now() + 50) scheduleRefresh();
    else post({ event: "refresh-token" });
  }, delay);
}

function stopFlush() {
  if (flushTimer !== null) { clearTimeout(flushTimer); flushTimer = null; }
}

function stopRefresh() {
  if (refreshTimer !== null) { clearTimeout(refreshTimer); refreshTimer = null; }
}

/** Go on with another of the nodes, picked at random (one node: stay), as the Python client. */
function moveToAnotherNode() {
  if (!options) return;
  const others = [options.url, ...(options.urls ?? [])].filter((u) => u !== nodeUrl);
  if (others.length) nodeUrl = others[Math.floor(Math.random() * others.length)];
}

/** Exponential backoff with full jitter, as the Python client. */
function scheduleReconnect() {
  if (retryTimer !== null || !options) return;
  const base = options.backoffBase ?? 200, cap = options.backoffCap ?? 30000;
  const delay = Math.random() * Math.min(cap, base * 2 ** attempts);
  attempts += 1;
  retryTimer = setTimeout(() => { retryTimer = null; if (wantConnected) connect(); }, delay);
}

/** @param {ClientMessage[]} messages */
function send(messages) {
  for (const m of messages) if (socket && socket.readyState === WebSocket.OPEN) socket.send(encode(m));
}

function disconnect() {
  wantConnected = false;
  if (retryTimer !== null) { clearTimeout(retryTimer); retryTimer = null; }
  stopRefresh();
  stopFlush();
  const ws = socket;
  socket = null;
  if (ws) ws.close(1000);
  status.connected = false;
  if (protocol) protocol.disconnected();
  publishStatus();
}

// -- requests from the page -------------------------------------------------------

/** @type {{[method: string]: (...args: any[]) => any}} */
const methods = {
  open,
  connect: () => { attempts = 0; if (protocol && protocol.phase === "closed") protocol.phase = "offline"; connect(); },
  disconnect,
  /** @param {string} token */
  setToken: (token) => {
    if (!protocol || !options) return;
    protocol.token = token;
    options.token = token;
    if (protocol.phase === "closed") protocol.phase = "offline";
    else if (socket && socket.readyState === WebSocket.OPEN && protocol.phase !== "offline") {
      // a live socket keeps going on the fresh token (protocol 2)
      send([{ type: "token", token }]);
      scheduleRefresh();
    }
    saveForServiceWorker();
    if (wantConnected && !socket) connect();
  },
  /** @param {boolean | null} persisted */
  setPersisted: (persisted) => { status.persisted = persisted; publishStatus(); },
  status: () => { publishStatus(); return { ...status }; },
  idle: () => Boolean(protocol && protocol.idle),
  insert: (/** @type {string} */ c, /** @type {any} */ row, /** @type {any} */ o) => need().insert(c, row, o),
  update: (/** @type {string} */ c, /** @type {any} */ id, /** @type {any} */ changes) => need().update(c, id, changes),
  increment: (/** @type {string} */ c, /** @type {any} */ id, /** @type {any} */ deltas) => need().increment(c, id, deltas),
  delete: (/** @type {string} */ c, /** @type {any} */ id) => need().delete(c, id),
  transaction: (/** @type {any[]} */ ops) => need().transaction(ops),
  exec: (/** @type {string} */ sql, /** @type {any[]} */ bind) => need().exec(sql, bind),
  query: (/** @type {string} */ sql, /** @type {any[]} */ bind) => need().query(sql, bind),
  get: (/** @type {string} */ c, /** @type {any} */ id) => need().get(c, id),
  search: (/** @type {string} */ c, /** @type {string} */ text, /** @type {any} */ o) => need().search(c, text, o),
  conflicts: () => need().conflicts(),
  dismissConflict: (/** @type {number} */ id) => need().dismissConflict(id),
  pending: () => need().mutationsToPush(0, 1000, 100000),
  close: async () => {
    disconnect();
    callLog = null;
    if (image) await image.close().catch(() => {});
    image = null;
    if (replica) replica.close();
    replica = null;
  },
  imageStats: () => (image ? { ...image.stats } : null),
};

function need() {
  if (!replica) throw new Error("the replica is not open yet (call open first)");
  return replica;
}

/** the page's writes: with the IndexedDB fallback each is answered once stored */
const WRITES = new Set(["insert", "update", "increment", "delete", "transaction", "exec", "dismissConflict"]);

scope.onmessage = async (/** @type {MessageEvent} */ event) => {
  const { id, method, args, callId } = event.data || {};
  try {
    const fn = methods[method];
    if (!fn) throw new Error(`no method ${JSON.stringify(method)}`);
    // a write sent by another tab runs once, even if sent again to the next leader (calls.js)
    const result = callId && callLog && WRITES.has(method) ? callLog.runOnce(callId, () => fn(...(args || [])))
      : await fn(...(args || []));
    if (image && WRITES.has(method)) {
      // answered once durable: the image taken after this commit is in IndexedDB, on disk
      await image.save(true).catch((err) => { status.lastError = `the replica could not be stored in IndexedDB: ${err}`; });
    }
    post({ id, result });
    if (!["query", "get", "search", "conflicts", "status", "idle", "pending"].includes(method)) publishStatus();
  } catch (err) {
    const e = /** @type {any} */ (err);
    post({ id, error: { name: e && e.name || "Error", message: e && e.message || String(err), path: e && e.path || "", code: e && e.code || "" } });
  }
};
