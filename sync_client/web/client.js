// offsync in the browser: createClient() gives a page its replica.
//
//   import { createClient } from "/client/client.js";
//   const db = await createClient({ url: location.origin, token });
//   await db.insert("notes", { title: "hi" });
//   db.watch("SELECT * FROM notes ORDER BY insertOrder", [], (rows) => render(rows));
//
// One tab leads (Web Locks): it runs the dedicated worker that owns the
// replica and the socket. Other tabs of the same origin and name send their
// calls to it over a BroadcastChannel; when it closes, the next tab in line
// takes the lock, opens the replica (nothing is lost: it is on OPFS) and the
// calls waiting for an answer are sent again to it.

/** @typedef {import("./types.js").SyncStatus} SyncStatus */
/** @typedef {import("./types.js").WriteOp} WriteOp */
/** @typedef {import("./types.js").Conflict} Conflict */
/** @typedef {import("./types.js").SqlValue} SqlValue */

/**
 * @typedef {object} ClientOptions
 * @property {string} url the server's base URL (http[s]://host:port)
 * @property {string[]} [urls] other nodes' base URLs (one database): the worker moves to one of them at
 *   random when a connection fails or ends
 * @property {string} [token] the JWT the server issued
 * @property {() => Promise<string> | string} [getToken] called for a token at start, when the server refuses one,
 *   and before the token expires (20 % of its life, at most 60 s, before `exp`): the fresh one is sent on
 *   the live socket (Token, protocol 2), which stays open
 * @property {string} [name] the replica's name (default "offsync"): one database per name and origin
 * @property {boolean} [memory] keep the replica in memory only: nothing survives a reload (tests, benchmarks)
 * @property {boolean} [opfs] false: keep the replica in IndexedDB even where OPFS exists, as where it is missing
 * @property {boolean} [connect] connect at once (default true)
 * @property {boolean} [singleTab] skip leader election (this tab owns the replica)
 * @property {boolean} [persist] ask navigator.storage.persist() (default true)
 * @property {number} [backoffBase] first reconnect delay cap in ms (default 200)
 */

/** An error the replica or the server raised; `path` names the field. */
export class OffsyncError extends Error {
  /** @param {{name: string, message: string, path: string, code: string}} e */
  constructor(e) {
    super(e.message);
    this.name = e.name;
    this.path = e.path;
    this.code = e.code;
  }
}

let counter = 0;
const tabId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

export class Client {
  /** @param {ClientOptions} options */
  constructor(options) {
    this.options = { name: "offsync", connect: true, persist: true, ...options };
    /** @type {Worker | null} */
    this.worker = null;
    /** @type {BroadcastChannel | null} */
    this.channel = null;
    this.leader = false;
    /** @type {Map<number, {method: string, args: any[], callId?: string, resolve: (v: any) => void, reject: (e: any) => void}>} */
    this.calls = new Map();
    /** @type {SyncStatus | null} */
    this.status = null;
    /** @type {Set<(status: SyncStatus) => void>} */
    this.statusListeners = new Set();
    /** @type {Set<(tables: string[], local: boolean) => void>} */
    this.changeListeners = new Set();
    /** @type {Set<(result: any) => void>} */
    this.rejectListeners = new Set();
    /** @type {(() => void) | null} */
    this.releaseLock = null;
    /** @type {Promise<void>} */
    this.ready = Promise.resolve();
    this.closed = false;
    this.persisted = /** @type {boolean | null} */ (null);
  }

  // -- start-up and leadership ----------------------------------------------------

  async start() {
    if (!this.options.token && this.options.getToken) this.options.token = await this.options.getToken();
    if (!this.options.token) throw new Error("createClient needs a token or getToken");
    if (this.options.persist && typeof navigator !== "undefined" && navigator.storage && navigator.storage.persist) {
      this.persisted = await navigator.storage.persist().catch(() => false);
    }
    const lockName = `offsync:${this.options.name}`;
    if (this.options.singleTab || typeof navigator === "undefined" || !navigator.locks) {
      await this.lead();
    } else {
      this.channel = new BroadcastChannel(lockName);
      this.channel.onmessage = (event) => this.onChannel(event.data);
      const got = await new Promise((resolve) => {
        navigator.locks.request(lockName, { ifAvailable: true }, (lock) => {
          if (!lock) { resolve(false); return undefined; }
          resolve(true);
          return new Promise((release) => { this.releaseLock = () => release(undefined); });
        });
      });
      if (got) await this.lead();
      else {
        // follow; take over when the leader's lock is released
        navigator.locks.request(lockName, () => {
          if (this.closed) return undefined;
          return new Promise((release) => {
            this.releaseLock = () => release(undefined);
            setTimeout(() => this.lead().then(() => this.resendCalls()), 0);
          });
        });
        this.ready = Promise.resolve();
      }
    }
    this.installFlushes();
    return this;
  }

  async lead() {
    this.leader = true;
    const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.worker = worker;
    worker.onmessage = (event) => this.onWorker(event.data);
    const opened = this.callWorker("open", [{ url: this.options.url, urls: this.options.urls, token: this.options.token,
      name: this.options.name,
      memory: this.options.memory, opfs: this.options.opfs, connect: this.options.connect, backoffBase: this.options.backoffBase,
      refresh: Boolean(this.options.getToken) }]);
    this.ready = opened.then(() => undefined);
    await opened;
    await this.callWorker("setPersisted", [this.persisted]);
    if (this.channel) this.channel.postMessage({ kind: "leader", from: tabId });
  }

  resendCalls() {
    const waiting = [...this.calls];
    if (this.leader) this.calls.clear(); // callWorker files each again under a new id
    for (const [id, call] of waiting) {
      // the same callId: a write the old leader applied is answered from its record, not run again (calls.js)
      if (this.leader) this.callWorker(call.method, call.args, call.callId).then(call.resolve, call.reject);
      else if (this.channel) {
        this.channel.postMessage({ kind: "call", from: tabId, id, callId: call.callId, method: call.method, args: call.args });
      }
    }
  }

  /** Flush on `online`, on `visibilitychange` and at start-up, for browsers
   * without Background Sync. */
  installFlushes() {
    if (typeof window === "undefined") return;
    this.onOnline = () => { if (this.leader && !this.closed) this.call("connect", []).catch(() => {}); };
    window.addEventListener("online", this.onOnline);
    document.addEventListener("visibilitychange", this.onVisible = () => {
      if (document.visibilityState === "visible" && this.onOnline) this.onOnline();
    });
  }

  // -- messages ----------------------------------------------------------------

  /** @param {any} data */
  onWorker(data) {
    if (data.event) {
      this.onEvent(data);
      if (this.channel) this.channel.postMessage({ kind: "event", data });
      return;
    }
    const call = this.calls.get(data.id);
    if (!call) return;
    this.calls.delete(data.id);
    if (data.error) call.reject(new OffsyncError(data.error));
    else call.resolve(data.result);
  }

  /** @param {any} message */
  onChannel(message) {
    if (message.kind === "call" && this.leader) {
      this.ready.then(() => this.callWorker(message.method, message.args, message.callId)).then(
        (result) => this.channel?.postMessage({ kind: "reply", to: message.from, id: message.id, result }),
        (error) => this.channel?.postMessage({ kind: "reply", to: message.from, id: message.id,
          error: { name: error.name, message: error.message, path: error.path || "", code: error.code || "" } }));
    } else if (message.kind === "reply" && message.to === tabId) {
      this.onWorker(message);
    } else if (message.kind === "event" && !this.leader) {
      this.onEvent(message.data);
    } else if (message.kind === "leader" && !this.leader) {
      this.resendCalls(); // a new leader: calls the old one never answered go to it
      this.call("status", []).then((s) => this.onEvent({ event: "status", status: s })).catch(() => {});
    }
  }

  /** @param {any} data */
  onEvent(data) {
    if (data.event === "status") {
      this.status = { ...data.status, leader: this.leader };
      for (const listener of this.statusListeners) listener(/** @type {SyncStatus} */ (this.status));
    } else if (data.event === "changed") {
      for (const listener of this.changeListeners) listener(data.tables, data.local);
      if (data.local && this.status && !this.status.connected) this.requestBackgroundSync();
    } else if (data.event === "rejected") {
      for (const listener of this.rejectListeners) listener(data.result);
    } else if ((data.event === "need-token" || data.event === "refresh-token") && this.leader && this.options.getToken) {
      Promise.resolve(this.options.getToken()).then((token) => this.callWorker("setToken", [token])).catch(() => {});
    }
  }

  requestBackgroundSync() {
    if (typeof navigator === "undefined" || !navigator.serviceWorker || !navigator.serviceWorker.controller) return;
    navigator.serviceWorker.ready.then((registration) => {
      const sync = /** @type {any} */ (registration).sync;
      if (sync) return sync.register("offsync");
      return undefined;
    }).catch(() => {});
  }

  /**
   * @param {string} method @param {any[]} args
   * @param {string} [callId] another tab's id for this call: a write with one runs once (calls.js)
   * @returns {Promise<any>}
   */
  callWorker(method, args, callId) {
    const id = ++counter;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { method, args, callId, resolve, reject });
      /** @type {Worker} */ (this.worker).postMessage({ id, method, args, callId });
    });
  }

  /** @param {string} method @param {any[]} args @returns {Promise<any>} */
  async call(method, args) {
    if (this.closed) throw new Error("the client is closed");
    if (this.leader) {
      await this.ready;
      return this.callWorker(method, args);
    }
    const id = ++counter;
    const callId = `${tabId}:${id}`; // kept if the call is sent again to another leader
    return new Promise((resolve, reject) => {
      this.calls.set(id, { method, args, callId, resolve, reject });
      /** @type {BroadcastChannel} */ (this.channel).postMessage({ kind: "call", from: tabId, id, callId, method, args });
    });
  }

  // -- the API -------------------------------------------------------------------

  /** Insert one row; resolves to its id (made on the device if absent).
   * @param {string} collection @param {{[field: string]: any}} row @param {{scope?: string}} [options] */
  insert(collection, row, options) { return this.call("insert", [collection, row, options || {}]); }

  /** @param {string} collection @param {SqlValue} id @param {{[field: string]: any}} changes */
  update(collection, id, changes) { return this.call("update", [collection, id, changes]); }

  /** Add to counter fields; concurrent increments on several devices add up.
   * @param {string} collection @param {SqlValue} id @param {{[field: string]: number | bigint}} deltas */
  increment(collection, id, deltas) { return this.call("increment", [collection, id, deltas]); }

  /** @param {string} collection @param {SqlValue} id */
  delete(collection, id) { return this.call("delete", [collection, id]); }

  /**
   * Several writes as one transaction (one mutation, all or nothing on the
   * server too). `build` records the writes; they run together in the worker.
   * @param {(tx: Transaction) => void} build @returns {Promise<any[]>}
   */
  transaction(build) {
    const tx = new Transaction();
    build(tx);
    return this.call("transaction", [tx.ops]);
  }

  /** Plain SQL; writes are captured and synced like API writes.
   * @param {string} sql @param {SqlValue[]} [bind] @returns {Promise<{[column: string]: any}[]>} */
  exec(sql, bind) { return this.call("exec", [sql, bind || []]); }

  /** @param {string} sql @param {SqlValue[]} [bind] @returns {Promise<{[column: string]: any}[]>} */
  query(sql, bind) { return this.call("query", [sql, bind || []]); }

  /** @param {string} collection @param {SqlValue} id */
  get(collection, id) { return this.call("get", [collection, id]); }

  /** Full-text search (FTS5) over a collection's declared fields.
   * @param {string} collection @param {string} text @param {{k?: number}} [options] */
  search(collection, text, options) { return this.call("search", [collection, text, options || {}]); }

  /** Local writes the server refused, beside its rows. @returns {Promise<Conflict[]>} */
  conflicts() { return this.call("conflicts", []); }

  /** @param {number} id */
  dismissConflict(id) { return this.call("dismissConflict", [id]); }

  /**
   * Run `sql` now and again after every local or remote change; returns a
   * function that stops watching.
   * @param {string} sql @param {SqlValue[]} bind @param {(rows: {[column: string]: any}[]) => void} callback
   */
  watch(sql, bind, callback) {
    let stopped = false;
    let running = false, again = false;
    const run = async () => {
      if (running) { again = true; return; }
      running = true;
      try {
        do { again = false; const rows = await this.query(sql, bind); if (!stopped) callback(rows); } while (again && !stopped);
      } catch { /* the next change runs it again */ } finally { running = false; }
    };
    /** @param {string[]} tables */
    const listener = (tables) => { if (!tables.length || tables.some((t) => sql.includes(t))) run(); };
    this.changeListeners.add(listener);
    run();
    return () => { stopped = true; this.changeListeners.delete(listener); };
  }

  /** @param {(status: SyncStatus) => void} listener @returns {() => void} */
  onStatus(listener) {
    this.statusListeners.add(listener);
    if (this.status) listener(this.status);
    return () => this.statusListeners.delete(listener);
  }

  /** @param {(result: any) => void} listener @returns {() => void} */
  onRejected(listener) {
    this.rejectListeners.add(listener);
    return () => this.rejectListeners.delete(listener);
  }

  /** The current status, fresh from the leader. @returns {Promise<SyncStatus>} */
  async syncStatus() {
    const s = await this.call("status", []);
    return { ...s, leader: this.leader };
  }

  /** Whether the replica is caught up with nothing pending. @returns {Promise<boolean>} */
  idle() { return this.call("idle", []); }

  connect() { return this.call("connect", []); }
  disconnect() { return this.call("disconnect", []); }

  /** @param {string} token */
  setToken(token) { this.options.token = token; return this.call("setToken", [token]); }

  /** Close this tab's side; a leader hands the replica over to the next tab. */
  async close() {
    if (this.closed) return;
    if (this.leader && this.worker) {
      await this.callWorker("close", []).catch(() => {});
      this.worker.terminate();
    }
    this.closed = true;
    if (this.onOnline) window.removeEventListener("online", this.onOnline);
    if (this.onVisible) document.removeEventListener("visibilitychange", this.onVisible);
    if (this.channel) this.channel.close();
    if (this.releaseLock) this.releaseLock();
  }
}

/** Records writes for Client.transaction. */
export class Transaction {
  constructor() {
    /** @type {WriteOp[]} */
    this.ops = [];
  }
  /** @param {string} collection @param {{[field: string]: any}} row @param {{scope?: string}} [options] */
  insert(collection, row, options) { this.ops.push({ op: "insert", collection, row, scope: options && options.scope }); return this; }
  /** @param {string} collection @param {SqlValue} id @param {{[field: string]: any}} changes */
  update(collection, id, changes) { this.ops.push({ op: "update", collection, id, changes }); return this; }
  /** @param {string} collection @param {SqlValue} id @param {{[field: string]: number | bigint}} deltas */
  increment(collection, id, deltas) { this.ops.push({ op: "increment", collection, id, deltas }); return this; }
  /** @param {string} collection @param {SqlValue} id */
  delete(collection, id) { this.ops.push({ op: "delete", collection, id }); return this; }
  /** @param {string} sql @param {SqlValue[]} [bind] */
  exec(sql, bind) { this.ops.push({ op: "exec", sql, bind }); return this; }
}

/**
 * Open the replica named `options.name` and start syncing it.
 * @param {ClientOptions} options @returns {Promise<Client>}
 */
export async function createClient(options) {
  const client = new Client(options);
  await client.start();
  return client;
}
