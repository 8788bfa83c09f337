// The browser replica: the same tables, capture triggers, sync_queue,
// sync_state and sync_conflicts as the Python replica (sync_client/replica.py,
// applying.py, queue.py), built from the DDL the server hands out at
// GET /schema, on SQLite WASM. It runs in a dedicated worker (worker.js).
//
// Rules mirrored from Python, in one place:
// * a local transaction's captured writes form one mutation, numbered by the
//   next client_seq: allocated by the first offsync_qid() of the transaction,
//   made permanent by the commit hook, given back by the rollback hook;
// * queue id = client_seq * 2^20 + the operation's place in its mutation;
// * server rows are written with capture off; every queued operation on them
//   that the server has not yet taken (not settled) is replayed on top (the
//   rebase), so a row never flickers back;
// * Changes.applied settles our entries (out of the rebase) but they stay
//   queued until an Ack says applied / merged / duplicate (dropped) or
//   rejected (moved to sync_conflicts, the server's rows shown);
// * the cursor is stored in the same transaction as the rows of its page.

import { decode, encode, parseJsonExact } from "./msgpack.js";

/** @typedef {import("./types.js").SchemaDescription} SchemaDescription */
/** @typedef {import("./types.js").CollectionDescription} CollectionDescription */
/** @typedef {import("./types.js").RowChange} RowChange */
/** @typedef {import("./types.js").Changes} Changes */
/** @typedef {import("./types.js").RowBlock} RowBlock */
/** @typedef {import("./types.js").MutationResult} MutationResult */
/** @typedef {import("./types.js").Mutation} Mutation */
/** @typedef {import("./types.js").Operation} Operation */
/** @typedef {import("./types.js").Conflict} Conflict */
/** @typedef {import("./types.js").WriteOp} WriteOp */
/** @typedef {import("./types.js").SqlValue} SqlValue */
/** @typedef {{[name: string]: any}} Fields */

const SEQ_FACTOR = 2 ** 20;
export const MAX_OPS_PER_MUTATION = 100_000;
/** a write of at most this many server rows keeps the triggers on (as sync_client/applying.py) */
const TRIGGERS_ON_UP_TO = 8;

/** A write the replica refused; `path` names the field, nothing was written. */
export class ValidationError extends Error {
  /** @param {string} message @param {string} path @param {string} [code] */
  constructor(message, path, code = "invalid_row") {
    super(message);
    this.name = "ValidationError";
    this.path = path;
    this.code = code;
  }
}

/** @param {string} name */
export function quote(name) {
  return '"' + name.replaceAll('"', '""') + '"';
}

/** @param {number} seq */
export const firstId = (seq) => seq * SEQ_FACTOR;
/** @param {number} seq */
export const lastId = (seq) => (seq + 1) * SEQ_FACTOR - 1;

/** A UUIDv7 string (RFC 9562): 48 bits of milliseconds, then randomness, with
 * a counter that keeps the ids of one millisecond increasing.
 * @returns {string} */
export function newId() {
  let ms = Date.now();
  if (ms <= idState.ms) {
    idState.counter += 1;
    if (idState.counter > 0xfff) { idState.ms += 1; idState.counter = 0; }
    ms = idState.ms;
  } else {
    idState.ms = ms;
    idState.counter = crypto.getRandomValues(new Uint16Array(1))[0] & 0x3ff;
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const hi = BigInt(ms) * 0x10000n + 0x7000n + BigInt(idState.counter);
  for (let i = 7; i >= 0; i--) bytes[i] = Number((hi >> BigInt(8 * (7 - i))) & 0xffn);
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const h = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
const idState = { ms: 0, counter: 0 };

/** Two SQL values equal in value and type (offsync_diff's test).
 * @param {SqlValue} a @param {SqlValue} b */
function same(a, b) {
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (typeof a !== typeof b) return false;
  if (typeof a === "number" && typeof b === "number") {
    return a === b && Number.isInteger(a) === Number.isInteger(b);
  }
  return a === b;
}

/** @param {SqlValue} v @returns {number | bigint} */
function num(v) {
  return v === null || v === undefined ? 0 : /** @type {number | bigint} */ (v);
}

/** @param {number | bigint} a @param {number | bigint} b @returns {number | bigint} */
function subtract(a, b) {
  if (typeof a === "bigint" || typeof b === "bigint") {
    if (Number.isInteger(a) || typeof a === "bigint") {
      const d = BigInt(a) - BigInt(b);
      return d >= BigInt(Number.MIN_SAFE_INTEGER) && d <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(d) : d;
    }
    return Number(a) - Number(b);
  }
  const d = a - b;
  return Number.isSafeInteger(a) && Number.isSafeInteger(b) && !Number.isSafeInteger(d) ? BigInt(a) - BigInt(b) : d;
}

/** @param {number | bigint} a @param {number | bigint} b @returns {number | bigint} */
function add(a, b) {
  return subtract(a, typeof b === "bigint" ? -b : -b);
}

/** Replay pending local operations on a server row (shared/merge.py replay).
 * @param {Fields | null} fields @param {[string, Fields][]} ops @returns {Fields | null} */
export function replay(fields, ops) {
  let row = fields === null ? null : { ...fields };
  for (const [kind, values] of ops) {
    if (kind === "insert") row = { ...(row || {}), ...values };
    else if (kind === "delete") row = null;
    else if (row === null) continue; // an update of a row deleted meanwhile stays deleted
    else if (kind === "update") Object.assign(row, values);
    else for (const [name, delta] of Object.entries(values)) row[name] = add(num(row[name]), delta);
  }
  return row;
}

/** An entry's fields: JSON text (json_object) or MessagePack bytes.
 * @param {SqlValue} value @returns {Fields} */
export function decodeFields(value) {
  if (value === null || value === undefined || value === "") return {};
  if (typeof value === "string") return parseJsonExact(value);
  if (value instanceof Uint8Array) return /** @type {Fields} */ (decode(value));
  throw new Error(`a queue entry's fields are text or bytes, got ${typeof value}`);
}

/** A row id as a map key: a number and a bigint of one value are one key. @param {SqlValue} rowId */
const rowKey = (rowId) => (typeof rowId === "string" ? "s" : "i") + String(rowId);

/**
 * Which rows have queued operations, and the queue ids of those operations
 * (sync_client/queue.py QueuedRows): the queue has no index by row, and
 * finding a page's pending operations by scanning it cost every page O(queue).
 * Read lazily (only entries added since the last look); a stale id costs one
 * needless look-up, never a missed one; forgotten on a rollback.
 */
class QueuedRows {
  constructor() {
    /** @type {Map<string, number>} collection + row: the queue id of its newest entry */
    this.latest = new Map();
    /** @type {Map<string, number[]>} the ids of its older entries, for a row that has several */
    this.earlier = new Map();
    /** @type {number} */
    this.readUpTo = 0;
    this.kept = 0; // rows kept by the last pruning
    this.older = 0; // ids put in `earlier` since the last pruning
  }

  forget() {
    this.latest.clear();
    this.earlier.clear();
    this.readUpTo = 0;
    this.kept = 0;
    this.older = 0;
  }

  /** The queue ids of the operations on `rowIds` queued after `afterSeq`, ascending.
   * @param {Replica} replica @param {string} collection @param {SqlValue[]} rowIds @param {number} afterSeq */
  entryIds(replica, collection, rowIds, afterSeq) {
    for (const entry of replica.arrays("SELECT id, collection, row_id FROM sync_queue WHERE id > ? ORDER BY id",
                                       [this.readUpTo])) {
      const id = Number(entry[0]);
      const key = `${entry[1]}\u0000${rowKey(entry[2])}`;
      const before = this.latest.get(key);
      if (before !== undefined) {
        const older = this.earlier.get(key);
        if (older) older.push(before); else this.earlier.set(key, [before]);
        this.older += 1;
      }
      this.latest.set(key, id);
      this.readUpTo = id;
    }
    const floor = lastId(afterSeq);
    /** @type {number[]} */
    const out = [];
    for (const rowId of rowIds) {
      const key = `${collection}\u0000${rowKey(rowId)}`;
      for (const id of this.earlier.get(key) || []) if (id > floor) out.push(id);
      const newest = this.latest.get(key) || 0;
      if (newest > floor) out.push(newest);
    }
    return out.sort((a, b) => a - b);
  }

  /** Drop what is settled, once the rows or the older ids have doubled since the last pruning. @param {number} settled */
  prune(settled) {
    if (this.latest.size <= 2 * this.kept + 10000 && this.older <= this.kept + 10000) return;
    const floor = lastId(settled);
    for (const [key, id] of this.latest) if (id <= floor) this.latest.delete(key);
    for (const [key, ids] of this.earlier) {
      const kept = this.latest.has(key) ? ids.filter((id) => id > floor) : [];
      if (kept.length) this.earlier.set(key, kept); else this.earlier.delete(key);
    }
    this.kept = this.latest.size;
    this.older = 0;
  }
}

export class Replica {
  /**
   * @param {any} sqlite3 the initialised SQLite WASM module
   * @param {any} db an oo1.DB (OPFS pool or memory)
   * @param {SchemaDescription} schema what GET /schema answered
   * @param {{wallClock?: () => number}} [options] wallClock: microseconds
   */
  constructor(sqlite3, db, schema, options = {}) {
    this.sqlite3 = sqlite3;
    this.db = db;
    this.schema = schema;
    this.wallClock = options.wallClock || (() => Math.floor((performance.timeOrigin + performance.now()) * 1000));
    /** @type {Map<string, CollectionDescription>} */
    this.collections = new Map(schema.collections.map((c) => [c.name, c]));
    this.capture = true;
    /** @type {number | null} */
    this.txnSeq = null;
    this.txnOps = 0;
    this.defaultScope = "";
    this.clock = 0;
    this.lastSeq = 0;
    this.settled = 0;
    /** the queue was found empty, and no commit has queued anything since */
    this.queueEmpty = false;
    this.queuedRows = new QueuedRows();
    /** @type {number | null} the stored cursor, as last read or written (null: read it) */
    this.cursorCache = null;
    /** @type {((event: string, detail: any) => void)[]} */
    this.listeners = [];
    this.deviceId = "";
    this.depth = 0;
    /** @type {Map<string, any>} */
    this.statements = new Map();
    /** @type {string | null} the collection insertMany is queuing itself */
    this.queuedInBulk = null;
    /** @type {Set<string>} tables written in the current transaction */
    this.touched = new Set();
    this.open();
  }

  // -- setup -------------------------------------------------------------

  open() {
    const db = this.db;
    for (const pragma of ["recursive_triggers=ON", "temp_store=MEMORY", "cache_size=-16000", "synchronous=NORMAL"]) {
      db.exec(`PRAGMA ${pragma}`);
    }
    this.registerFunctions();
    this.inTransaction(() => {
      db.exec(this.schema.engine_ddl);
      for (const coll of this.schema.collections) {
        db.exec(coll.ddl[0]);
        this.addMissingColumns(coll);
        for (const sql of coll.ddl.slice(1)) db.exec(sql);
        this.createSearchIndex(coll);
      }
      const state = this.readState();
      if (state.device_id === undefined) {
        this.writeState({ device_id: newId(), cursor: 0, last_client_seq: 0, clock: 0,
                          schema_version: this.schema.version });
      }
    });
    const state = this.readState();
    this.deviceId = String(state.device_id);
    this.defaultScope = String(state.default_scope || "");
    const maxId = this.value("SELECT max(id) FROM sync_queue");
    this.lastSeq = Math.max(Number(state.last_client_seq || 0), maxId === null ? 0 : Math.floor(Number(maxId) / SEQ_FACTOR));
    this.settled = Number(state.server_applied || 0);
    this.clock = Math.max(Number(state.clock || 0), Number(this.value("SELECT coalesce(max(insert_order), 0) FROM sync_queue")));
  }

  registerFunctions() {
    const db = this.db;
    const capi = this.sqlite3.capi;
    /** @param {string} name @param {(...args: any[]) => any} fn @param {number} arity */
    const fn = (name, fn, arity) => db.createFunction({ name, arity, xFunc: (/** @type {number} */ _ctx, /** @type {any[]} */ ...args) => fn(...args) });
    fn("offsync_capture", () => (this.capture ? 1 : 0), 0);
    fn("offsync_capture_insert", (/** @type {string} */ c) => (this.capture && c !== this.queuedInBulk ? 1 : 0), 1);
    fn("offsync_qid", () => this.reserveQueueId(), 0);
    fn("offsync_tick", () => this.tick(), 0);
    fn("offsync_default_scope", () => this.defaultScope, 0);
    fn("offsync_pack", (/** @type {any[]} */ ...args) => {
      /** @type {Fields} */
      const map = {};
      for (let i = 0; i < args.length; i += 2) map[args[i]] = args[i + 1];
      return encode(map);
    }, -1);
    fn("offsync_diff", (/** @type {any[]} */ ...args) => {
      /** @type {Fields} */
      const changed = {};
      let any = false;
      for (let i = 0; i < args.length; i += 3) {
        if (!same(args[i + 1], args[i + 2])) { changed[args[i]] = args[i + 2]; any = true; }
      }
      return any ? encode(changed) : null;
    }, -1);
    fn("offsync_delta", (/** @type {any[]} */ ...args) => {
      /** @type {Fields} */
      const deltas = {};
      let any = false;
      for (let i = 0; i < args.length; i += 3) {
        const d = subtract(num(args[i + 2]), num(args[i + 1]));
        if (d !== 0 && d !== 0n) { deltas[args[i]] = d; any = true; }
      }
      return any ? encode(deltas) : null;
    }, -1);
    capi.sqlite3_commit_hook(db.pointer, () => this.onCommit(), 0);
    capi.sqlite3_rollback_hook(db.pointer, () => this.onRollback(), 0);
  }

  /** @param {CollectionDescription} coll */
  addMissingColumns(coll) {
    const have = new Set(this.rows(`PRAGMA table_info(${quote(coll.name)})`).map((r) => r.name));
    coll.ddl[0].split("\n").slice(1, -1).forEach((line) => {
      const def = line.trim().replace(/,$/, "");
      const name = def.startsWith('"') ? def.slice(1, def.indexOf('"', 1)) : "";
      if (name && !have.has(name) && !def.includes("PRIMARY KEY")) {
        this.db.exec(`ALTER TABLE ${quote(coll.name)} ADD COLUMN ${def}`);
      }
    });
  }

  /** An FTS5 index over a collection's declared text fields, kept in step by triggers.
   * @param {CollectionDescription} coll */
  createSearchIndex(coll) {
    if (!coll.fts.length) return;
    const fts = quote(`_web_fts_${coll.name}`);
    const t = quote(coll.name);
    const cols = coll.fts.map(quote).join(", ");
    const news = coll.fts.map((f) => `NEW.${quote(f)}`).join(", ");
    const olds = coll.fts.map((f) => `OLD.${quote(f)}`).join(", ");
    const existed = this.value("SELECT 1 FROM sqlite_schema WHERE name = ?", [`_web_fts_${coll.name}`]);
    this.db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS ${fts} USING fts5(${cols}, content=${t}, content_rowid='rowid')`);
    const trig = (/** @type {string} */ s) => quote(`_web_fts_${coll.name}_${s}`);
    this.db.exec(`CREATE TRIGGER IF NOT EXISTS ${trig("ai")} AFTER INSERT ON ${t} BEGIN
      INSERT INTO ${fts} (rowid, ${cols}) VALUES (NEW.rowid, ${news}); END`);
    this.db.exec(`CREATE TRIGGER IF NOT EXISTS ${trig("ad")} AFTER DELETE ON ${t} BEGIN
      INSERT INTO ${fts} (${fts}, rowid, ${cols}) VALUES ('delete', OLD.rowid, ${olds}); END`);
    this.db.exec(`CREATE TRIGGER IF NOT EXISTS ${trig("au")} AFTER UPDATE OF ${cols} ON ${t} BEGIN
      INSERT INTO ${fts} (${fts}, rowid, ${cols}) VALUES ('delete', OLD.rowid, ${olds});
      INSERT INTO ${fts} (rowid, ${cols}) VALUES (NEW.rowid, ${news}); END`);
    if (!existed) this.db.exec(`INSERT INTO ${fts} (${fts}) VALUES ('rebuild')`);
  }

  // -- small SQL helpers -------------------------------------------------

  /** A prepared statement kept for reuse (API inserts of one shape: preparing
   * each row's statement anew cost more than the insert). @param {string} sql */
  statement(sql) {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      if (this.statements.size >= 64) this.finalizeStatements();
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  finalizeStatements() {
    for (const stmt of this.statements.values()) stmt.finalize();
    this.statements.clear();
  }

  /** @param {string} sql @param {SqlValue[]} [bind] @returns {Fields[]} */
  rows(sql, bind) {
    return this.db.exec({ sql, bind, rowMode: "object", returnValue: "resultRows" });
  }

  /** @param {string} sql @param {SqlValue[]} [bind] @returns {SqlValue[][]} */
  arrays(sql, bind) {
    return this.db.exec({ sql, bind, rowMode: "array", returnValue: "resultRows" });
  }

  /** @param {string} sql @param {SqlValue[]} [bind] @returns {SqlValue} */
  value(sql, bind) {
    const found = this.arrays(sql, bind);
    return found.length ? found[0][0] : null;
  }

  /** One statement run for each row of parameters. @param {string} sql @param {SqlValue[][]} rows */
  runMany(sql, rows) {
    const stmt = this.db.prepare(sql);
    try {
      for (const v of rows) stmt.bind(v).stepReset();
    } finally { stmt.finalize(); }
  }

  /** @returns {Fields} */
  readState() {
    /** @type {Fields} */
    const out = {};
    for (const [key, value] of this.arrays("SELECT key, value FROM sync_state")) out[String(key)] = value;
    return out;
  }

  /** @param {Fields} values */
  writeState(values) {
    const entries = Object.entries(values);
    if (!entries.length) return;
    if ("cursor" in values) this.cursorCache = Number(values.cursor);
    // one statement for all of them, as the Python replica (replica.py _write_state)
    this.db.exec({ sql: `INSERT INTO sync_state (key, value) VALUES ${entries.map(() => "(?, ?)").join(", ")} `
                        + "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   bind: entries.flat() });
  }

  // -- transactions, capture and the clock --------------------------------

  tick() {
    const wall = this.wallClock();
    this.clock = wall > this.clock + 1 ? wall : this.clock + 1;
    return this.clock;
  }

  /** @param {number | bigint} remote */
  observe(remote) {
    if (Number(remote) > this.clock) this.clock = Number(remote);
  }

  reserveQueueId() {
    return this.reserveQueueIds(1);
  }

  /** The first of `n` new queue ids of this transaction. @param {number} n */
  reserveQueueIds(n) {
    if (this.txnSeq === null) this.txnSeq = this.lastSeq + 1;
    const first = firstId(this.txnSeq) + this.txnOps + 1;
    this.txnOps += n;
    return first;
  }

  /** Whether a table's only triggers are the engine's (capture, freeze): then a
   * write whose queueing is done another way may run with triggers off.
   * @param {CollectionDescription} coll */
  onlyOurTriggers(coll) {
    return !coll.fts.length && this.value("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ? "
                                          + "AND name NOT LIKE '\\_offsync\\_%' ESCAPE '\\'", [coll.name]) === 0;
  }

  /** Run `fn` with the connection's triggers off (if `off`). @template T @param {boolean} off @param {() => T} fn @returns {T} */
  withoutTriggers(off, fn) {
    if (!off) return fn();
    const capi = this.sqlite3.capi;
    capi.sqlite3_db_config(this.db.pointer, capi.SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, 0);
    try { return fn(); } finally { capi.sqlite3_db_config(this.db.pointer, capi.SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, 0); }
  }

  onCommit() {
    if (this.txnSeq === null) return 0;
    if (this.txnOps > MAX_OPS_PER_MUTATION) { // one mutation must fit in one push: refuse the commit
      this.txnSeq = null;
      this.txnOps = 0;
      return 1;
    }
    this.lastSeq = this.txnSeq;
    this.txnSeq = null;
    this.txnOps = 0;
    this.queueEmpty = false;
    return 0;
  }

  onRollback() {
    this.txnSeq = null;
    this.txnOps = 0;
    this.cursorCache = null; // it may hold what this rollback took back
    this.queuedRows.forget(); // it may have read entries this rollback took back
  }

  /**
   * Run `fn` in one transaction: captured writes become one mutation. Nested
   * calls join the outer transaction.
   * @template T @param {() => T} fn @returns {T}
   */
  inTransaction(fn) {
    if (this.depth) {
      this.depth += 1;
      try { return fn(); } finally { this.depth -= 1; }
    }
    this.depth = 1;
    this.db.exec("BEGIN IMMEDIATE");
    let result;
    try {
      result = fn();
      this.db.exec("COMMIT");
    } catch (err) {
      if (this.db.isOpen() && !this.sqlite3.capi.sqlite3_get_autocommit(this.db.pointer)) this.db.exec("ROLLBACK");
      this.depth = 0;
      this.touched.clear();
      throw err;
    }
    this.depth = 0;
    const touched = [...this.touched];
    this.touched.clear();
    this.notify("changed", { tables: touched, local: this.capture });
    return result;
  }

  /** A transaction whose writes are not captured (server changes). @template T @param {() => T} fn @returns {T} */
  applying(fn) {
    this.capture = false;
    try { return this.inTransaction(fn); } finally { this.capture = true; }
  }

  /** @param {string} event @param {any} detail */
  notify(event, detail) {
    for (const listener of this.listeners) listener(event, detail);
  }

  /** @param {string} name @returns {CollectionDescription} */
  collection(name) {
    const coll = this.collections.get(name);
    if (!coll) throw new ValidationError(`unknown collection ${JSON.stringify(name)}`, "$.collection", "unknown_collection");
    return coll;
  }

  // -- local writes --------------------------------------------------------

  /**
   * App values -> stored values, checked against the declaration.
   * @param {CollectionDescription} coll @param {Fields} values @returns {Fields}
   */
  toStored(coll, values) {
    /** @type {Fields} */
    const out = {};
    const fields = new Map(coll.fields.map((f) => [f.name, f]));
    for (const [name, value] of Object.entries(values)) {
      const f = fields.get(name);
      const path = `$.${name}`;
      if (!f) throw new ValidationError(`${coll.name} has no field ${JSON.stringify(name)}`, path, "unknown_field");
      if (value === null || value === undefined) { out[name] = null; continue; }
      const bad = (/** @type {string} */ expected) =>
        new ValidationError(`${coll.name}.${name}: expected ${expected}, got ${typeof value}`, path);
      switch (f.type) {
        case "text": if (typeof value !== "string") throw bad("text"); out[name] = value; break;
        case "integer": case "timestamp":
          if (typeof value === "bigint") {
            if (value > 0x7fffffffffffffffn || value < -0x8000000000000000n) throw bad("a 64-bit integer");
            out[name] = value;
          } else if (typeof value === "number" && Number.isSafeInteger(value)) out[name] = value;
          else if (f.type === "timestamp" && value instanceof Date) out[name] = value.getTime();
          else throw bad(typeof value === "number" ? "an exact integer (use a BigInt past 2^53)" : "an integer");
          break;
        case "real": if (typeof value !== "number" || !Number.isFinite(value)) throw bad("a finite number"); out[name] = value; break;
        case "boolean": if (typeof value !== "boolean" && value !== 0 && value !== 1) throw bad("a boolean"); out[name] = value ? 1 : 0; break;
        case "json": out[name] = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? Number(v) : v)); break;
        case "blob": if (!(value instanceof Uint8Array)) throw bad("a Uint8Array"); out[name] = value; break;
        default: throw bad(f.type);
      }
    }
    return out;
  }

  /** Stored values -> app values (booleans, parsed json). @param {CollectionDescription} coll @param {Fields} row */
  fromStored(coll, row) {
    for (const f of coll.fields) {
      const v = row[f.name];
      if (v === null || v === undefined) continue;
      if (f.type === "boolean") row[f.name] = Boolean(v);
      else if (f.type === "json" && typeof v === "string") row[f.name] = parseJsonExact(v);
    }
    return row;
  }

  /**
   * Insert one row and queue it; returns its id (made here if absent).
   * @param {string} collection @param {Fields} row @param {{scope?: string}} [options]
   */
  insert(collection, row, options = {}) {
    const coll = this.collection(collection);
    const stored = this.toStored(coll, row);
    const pk = coll.primary_key;
    if (stored[pk] === undefined || stored[pk] === null) {
      const type = coll.fields.find((f) => f.name === pk)?.type;
      if (type !== "text") throw new ValidationError(`${coll.name}.${pk} is required`, `$.${pk}`);
      stored[pk] = newId();
    }
    for (const f of coll.fields) {
      if (f.required && stored[f.name] == null && f.default == null) {
        throw new ValidationError(`${coll.name}.${f.name} is required`, `$.${f.name}`);
      }
    }
    const names = Object.keys(stored);
    const columns = [...names.map(quote), '"insertOrder"', '"_scope"'];
    const values = [...names.map((n) => stored[n]), this.tick(), options.scope || this.defaultScope];
    this.inTransaction(() => {
      const stmt = this.statement(`INSERT INTO ${quote(coll.name)} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`);
      try { stmt.bind(values).step(); } finally { stmt.reset(); }
      this.touched.add(coll.name);
    });
    return stored[pk];
  }

  /**
   * Insert many rows in one transaction (one mutation); returns their ids.
   * Written with capture off for this collection and queued by one
   * INSERT ... SELECT (the Python replica's insert_many): per row, no SQL
   * function is called back into JavaScript.
   * @param {string} collection @param {Fields[]} rows @param {{scope?: string}} [options] @returns {any[]}
   */
  insertMany(collection, rows, options = {}) {
    const coll = this.collection(collection);
    if (coll.retention !== null || rows.length < 16) {
      return this.inTransaction(() => rows.map((row) => this.insert(collection, row, options)));
    }
    const names = coll.fields.map((f) => f.name);
    /** @type {Fields} */
    const defaults = {};
    for (const f of coll.fields) defaults[f.name] = this.storedDefault(f);
    const pkType = coll.fields[0].type;
    const scope = options.scope || this.defaultScope;
    const params = rows.map((row, i) => {
      let stored;
      try {
        stored = this.toStored(coll, row);
      } catch (err) {
        if (err instanceof ValidationError) err.path = `$[${i}]${err.path.slice(1)}`;
        throw err;
      }
      if (stored[coll.primary_key] == null) {
        if (pkType !== "text") throw new ValidationError(`${coll.name}.${coll.primary_key} is required`, `$[${i}].${coll.primary_key}`);
        stored[coll.primary_key] = newId();
      }
      const values = names.map((n) => (n in stored ? stored[n] : defaults[n]));
      coll.fields.forEach((f, k) => {
        if (f.required && values[k] == null) throw new ValidationError(`${coll.name}.${f.name} is required`, `$[${i}].${f.name}`);
      });
      return values;
    });
    const sql = `INSERT INTO ${quote(coll.name)} (${[...names, "insertOrder", "_scope"].map(quote).join(", ")}) `
      + `VALUES (${[...names, 0, 0].map(() => "?").join(", ")})`;
    return this.inTransaction(() => {
      const before = Number(this.value(`SELECT coalesce(max(rowid), 0) FROM ${quote(coll.name)}`));
      this.queuedInBulk = coll.name;
      try {
        this.withoutTriggers(this.onlyOurTriggers(coll), () => {
          const stmt = this.db.prepare(sql);
          try {
            for (const values of params) {
              values.push(this.tick(), scope);
              stmt.bind(values).stepReset();
            }
          } finally { stmt.finalize(); }
        });
      } finally { this.queuedInBulk = null; }
      const after = Number(this.value(`SELECT max(rowid) FROM ${quote(coll.name)}`));
      this.db.exec({ sql: coll.queue_copy_sql, bind: [this.reserveQueueIds(after - before), before] });
      this.touched.add(coll.name);
      return params.map((values) => values[0]);
    });
  }

  /** A field's stored default as a SQL value (big integers come as strings in /schema).
   * @param {import("./types.js").FieldDescription} f @returns {SqlValue} */
  storedDefault(f) {
    if (f.default === null || f.default === undefined) return null;
    if (typeof f.default === "string" && (f.type === "integer" || f.type === "timestamp")) return BigInt(f.default);
    if (typeof f.default === "boolean") return f.default ? 1 : 0;
    return f.default;
  }

  /** @param {string} collection @param {SqlValue} rowId @param {Fields} changes */
  update(collection, rowId, changes) {
    const coll = this.collection(collection);
    const stored = this.toStored(coll, changes);
    if (coll.primary_key in stored) throw new ValidationError(`${coll.name}.${coll.primary_key} cannot change`, `$.${coll.primary_key}`);
    for (const f of coll.fields) {
      if (!(f.name in stored)) continue;
      if (f.counter) throw new ValidationError(`${coll.name}.${f.name} is a counter: use increment`, `$.${f.name}`);
      if (f.required && stored[f.name] === null) throw new ValidationError(`${coll.name}.${f.name} is required`, `$.${f.name}`);
    }
    const names = Object.keys(stored);
    if (!names.length) return;
    this.writeExisting(coll, rowId, `UPDATE ${quote(coll.name)} SET ${names.map((n) => `${quote(n)} = ?`).join(", ")}`,
                       names.map((n) => stored[n]));
  }

  /** @param {string} collection @param {SqlValue} rowId @param {{[field: string]: number | bigint}} deltas */
  increment(collection, rowId, deltas) {
    const coll = this.collection(collection);
    const names = Object.keys(deltas);
    if (!names.length) return;
    for (const name of names) {
      const f = coll.fields.find((x) => x.name === name);
      if (!f || !f.counter) throw new ValidationError(`${coll.name}.${name} is not a counter field`, `$.${name}`);
      const d = deltas[name];
      if (typeof d !== "bigint" && (typeof d !== "number" || !Number.isFinite(d))) {
        throw new ValidationError(`${coll.name}.${name}: a delta must be a number`, `$.${name}`);
      }
    }
    this.writeExisting(coll, rowId, `UPDATE ${quote(coll.name)} SET ${names.map((n) => `${quote(n)} = coalesce(${quote(n)}, 0) + ?`).join(", ")}`,
                       names.map((n) => deltas[n]));
  }

  /** @param {string} collection @param {SqlValue} rowId */
  delete(collection, rowId) {
    const coll = this.collection(collection);
    this.writeExisting(coll, rowId, `DELETE FROM ${quote(coll.name)}`, []);
  }

  /** @param {CollectionDescription} coll @param {SqlValue} rowId @param {string} sql @param {SqlValue[]} bind */
  writeExisting(coll, rowId, sql, bind) {
    this.inTransaction(() => {
      this.db.exec({ sql: `${sql} WHERE ${quote(coll.primary_key)} = ?`, bind: [...bind, rowId] });
      if (this.db.changes() === 0) {
        throw new ValidationError(`${coll.name} has no row ${JSON.stringify(String(rowId))}`, `$.${coll.primary_key}`, "not_found");
      }
      this.touched.add(coll.name);
    });
  }

  /** Several writes in one transaction: one mutation. @param {WriteOp[]} ops @returns {any[]} */
  transaction(ops) {
    return this.inTransaction(() => {
      /** @type {any[]} */
      const out = [];
      for (let i = 0; i < ops.length;) {
        const op = ops[i];
        let j = i;
        if (op.op === "insert") {
          while (j < ops.length && ops[j].op === "insert" && /** @type {any} */ (ops[j]).collection === op.collection
                 && /** @type {any} */ (ops[j]).scope === op.scope) j++;
        }
        if (j - i >= 16 && op.op === "insert") {
          // (not push(...ids): 100,000 arguments overflow the stack)
          for (const id of this.insertMany(op.collection, ops.slice(i, j).map((o) => /** @type {any} */ (o).row), { scope: op.scope })) out.push(id);
          i = j;
        } else {
          out.push(this.run(op));
          i += 1;
        }
      }
      return out;
    });
  }

  /** @param {WriteOp} op */
  run(op) {
    switch (op.op) {
      case "insert": return this.insert(op.collection, op.row, { scope: op.scope });
      case "update": return this.update(op.collection, op.id, op.changes);
      case "increment": return this.increment(op.collection, op.id, op.deltas);
      case "delete": return this.delete(op.collection, op.id);
      case "exec": return this.exec(op.sql, op.bind);
      default: throw new ValidationError(`unknown operation ${JSON.stringify(/** @type {any} */ (op).op)}`, "$.op", "invalid_op");
    }
  }

  /** Plain SQL; writes are captured like API writes. @param {string} sql @param {SqlValue[]} [bind] */
  exec(sql, bind) {
    return this.inTransaction(() => {
      const out = this.rows(sql, bind);
      for (const name of this.collections.keys()) if (sql.includes(name)) this.touched.add(name);
      return out;
    });
  }

  // -- reads ---------------------------------------------------------------

  /** @param {string} sql @param {SqlValue[]} [bind] */
  query(sql, bind) {
    return this.rows(sql, bind);
  }

  /** @param {string} collection @param {SqlValue} rowId */
  get(collection, rowId) {
    const coll = this.collection(collection);
    const found = this.rows(`SELECT * FROM ${quote(coll.name)} WHERE ${quote(coll.primary_key)} = ?`, [rowId]);
    return found.length ? this.fromStored(coll, found[0]) : null;
  }

  /** Full-text search (FTS5, bm25 order) over a collection's declared fields.
   * @param {string} collection @param {string} text @param {{k?: number}} [options] */
  search(collection, text, options = {}) {
    const coll = this.collection(collection);
    if (!coll.fts.length) throw new ValidationError(`${coll.name} declares no full-text fields`, "$.collection");
    const terms = text.split(/\s+/).filter(Boolean).map((t) => '"' + t.replaceAll('"', '""') + '"');
    if (!terms.length) return [];
    const fts = quote(`_web_fts_${coll.name}`);
    const found = this.rows(`SELECT t.*, bm25(${fts}) AS _rank FROM ${fts} JOIN ${quote(coll.name)} t ON t.rowid = ${fts}.rowid `
                            + `WHERE ${fts} MATCH ? ORDER BY _rank LIMIT ?`, [terms.join(" "), options.k || 10]);
    return found.map((r) => this.fromStored(coll, r));
  }

  /** @returns {Conflict[]} */
  conflicts() {
    return this.rows("SELECT * FROM sync_conflicts ORDER BY id").map((r) => ({
      id: r.id, client_seq: r.client_seq, collection: r.collection, row_id: r.row_id, kind: r.kind,
      local: r.local ? /** @type {Fields} */ (decode(r.local)) : {}, server: r.server ? /** @type {Fields} */ (decode(r.server)) : null,
      reason: r.reason, created_at: r.created_at,
    }));
  }

  /** @param {number} conflictId */
  dismissConflict(conflictId) {
    this.inTransaction(() => this.db.exec({ sql: "DELETE FROM sync_conflicts WHERE id = ?", bind: [conflictId] }));
  }

  pendingCount() {
    return Number(this.value("SELECT count(*) FROM sync_queue"));
  }

  /** Whether anything is queued: no look while the queue is known to be empty
   * (every entry is queued through reserveQueueIds, so its commit says), as
   * on a device that only receives; asked after every message. */
  hasPending() {
    if (this.queueEmpty && this.txnSeq === null) return false;
    const found = this.value("SELECT 1 FROM sync_queue LIMIT 1") !== null;
    this.queueEmpty = !found && this.txnSeq === null;
    return found;
  }

  /** The stored cursor: read once, then kept as written (asked after every message). */
  get cursor() {
    if (this.cursorCache === null) this.cursorCache = Number(this.value("SELECT value FROM sync_state WHERE key = 'cursor'") || 0);
    return this.cursorCache;
  }

  get resyncing() {
    return this.value("SELECT 1 FROM sync_state WHERE key = 'resyncing' AND value = 1") !== null;
  }

  /** @param {string} scope */
  setDefaultScope(scope) {
    if (!scope || scope === this.defaultScope) return;
    this.applying(() => {
      this.writeState({ default_scope: scope });
      for (const coll of this.schema.collections) {
        if (coll.scope_field === null) {
          this.db.exec({ sql: `UPDATE ${quote(coll.name)} SET "_scope" = ? WHERE "_scope" = ''`, bind: [scope] });
        }
      }
      this.defaultScope = scope;
    });
  }

  // -- the queue as mutations to push ----------------------------------------

  /**
   * The oldest whole mutations after `afterSeq`: at most `maxMutations` and
   * `maxOps` operations (the first mutation always, whatever its size).
   * @param {number} afterSeq @param {number} maxMutations @param {number} maxOps @returns {Mutation[]}
   */
  mutationsToPush(afterSeq, maxMutations, maxOps) {
    const columns = `id, kind, collection, row_id, ${this.schema.queue_fields_sql} AS fields, base_version, insert_order, scope`;
    let found = this.arrays(`SELECT ${columns} FROM sync_queue WHERE id >= ? ORDER BY id LIMIT ?`,
                            [firstId(afterSeq + 1), maxOps + 1]);
    if (!found.length) return [];
    const seqOf = (/** @type {SqlValue[]} */ r) => Math.floor(Number(r[0]) / SEQ_FACTOR);
    const firstSeq = seqOf(found[0]);
    if (found.length > maxOps) {
      const cut = seqOf(found[found.length - 1]);
      found = cut === firstSeq
        ? this.arrays(`SELECT ${columns} FROM sync_queue WHERE id BETWEEN ? AND ? ORDER BY id`, [firstId(cut), lastId(cut)])
        : found.filter((r) => seqOf(r) < cut);
    }
    /** @type {Mutation[]} */
    const out = [];
    for (const r of found) {
      const seq = seqOf(r);
      /** @type {Operation} */
      const op = { kind: /** @type {any} */ (r[1]), collection: String(r[2]), row_id: /** @type {string | number} */ (r[3]),
                   base_version: Number(r[5]), insert_order: /** @type {number} */ (r[6]), fields: decodeFields(r[4]), scope: String(r[7]) };
      if (out.length && out[out.length - 1].client_seq === seq) out[out.length - 1].ops.push(op);
      else if (out.length < maxMutations) out.push({ client_seq: seq, ops: [op] });
      else break;
    }
    return out;
  }

  /** The highest client_seq below every queued one: a server answered each
   * mutation up to it (its entries leave the queue only with an answer). */
  answeredThrough() {
    const first = this.value("SELECT min(id) FROM sync_queue");
    return first === null ? this.lastSeq : Math.floor(Number(first) / SEQ_FACTOR) - 1;
  }

  get lastClientSeq() {
    return this.lastSeq;
  }

  // -- applying the server's answers (sync_client/applying.py) ---------------

  /** Apply a page of server rows, rebasing pending local operations on top. @param {Changes} changes */
  applyChanges(changes) {
    return this.applyPages([changes]);
  }

  /**
   * Apply pages of server rows in order, in one transaction (one commit): each
   * page as applyChanges, the cursor of the last one stored with the rows.
   * @param {Changes[]} pages @returns {number} the rows applied
   */
  applyPages(pages) {
    /** @type {RowChange[]} */
    let swept = [];
    this.applying(() => {
      for (const changes of pages) swept = swept.concat(this.applyPage(changes));
    });
    let count = swept.length;
    for (const p of pages) count += p.rows.length + p.blocks.reduce((n, b) => n + b.rows.length + b.deleted.length, 0);
    // rows as objects only for a listener that reads them (a block holds arrays)
    if (count) this.notify("rows", { get rows() { return [...pages.flatMap((p) => [...p.rows, ...fromBlocks(p.blocks)]), ...swept]; } });
    return count - swept.length;
  }

  /** One page, inside applyPages' transaction. @param {Changes} changes @returns {RowChange[]} swept rows */
  applyPage(changes) {
    /** @type {RowChange[]} */
    let swept = [];
    const resyncing = changes.resync_begins || this.resyncing;
    if (changes.resync_begins) {
      this.db.exec("DELETE FROM sync_resync_seen");
      this.writeState({ resyncing: 1, resync_pages_done: 0 });
    }
    const mine = changes.applied[this.deviceId];
    if (mine) this.dropApplied(Number(mine));
    if (resyncing) {
      this.noteSeen([...changes.rows.filter((r) => !r.deleted).map((r) => /** @type {[string, SqlValue]} */ ([r.collection, r.row_id])),
                     ...changes.blocks.flatMap((b) => b.rows.map((r) => /** @type {[string, SqlValue]} */ ([b.collection, r[0]])))]);
    }
    this.applyRows(changes.rows);
    for (const block of changes.blocks) this.applyBlock(block);
    if (resyncing) {
      const state = this.readState();
      const pagesDone = (changes.resync && !changes.more) || Boolean(state.resync_pages_done);
      if (pagesDone && Number(changes.cursor) >= Number(state.acked_head || 0)) swept = this.endResync();
      else if (pagesDone) this.writeState({ resync_pages_done: 1 });
    }
    this.observe(changes.server_clock);
    this.writeState({ cursor: changes.cursor, clock: this.clock });
    return swept;
  }

  /** @returns {RowChange[]} */
  endResync() {
    this.db.exec("INSERT OR IGNORE INTO sync_resync_seen (collection, row_id) SELECT collection, row_id FROM sync_queue");
    /** @type {RowChange[]} */
    const swept = [];
    for (const coll of this.schema.collections) {
      const t = quote(coll.name), pk = quote(coll.primary_key);
      const gone = this.arrays(`SELECT ${pk}, "_scope" FROM ${t} WHERE ${pk} NOT IN (SELECT row_id FROM sync_resync_seen WHERE collection = ?)`, [coll.name]);
      for (const [rowId, scope] of gone) {
        this.db.exec({ sql: `DELETE FROM ${t} WHERE ${pk} = ?`, bind: [rowId] });
        swept.push({ collection: coll.name, row_id: /** @type {string} */ (rowId), scope: String(scope), version: 0, seq: 0,
                     insert_order: 0, deleted: true, fields: {} });
      }
      if (gone.length) this.touched.add(coll.name);
    }
    this.db.exec("DELETE FROM sync_resync_seen");
    this.writeState({ resyncing: 0, resync_pages_done: 0 });
    return swept;
  }

  /**
   * The server's answers to pushed mutations (an Ack). `cursor`: the server's
   * head after the commit.
   * @param {MutationResult[]} results @param {number} serverClock @param {number} cursor
   */
  applyResults(results, serverClock, cursor) {
    const done = results.filter((r) => ["applied", "merged", "duplicate"].includes(r.status)).map((r) => Number(r.client_seq));
    const rejected = results.filter((r) => r.status === "rejected");
    this.applying(() => {
      // past the Ack's head, a page brought each row as a later commit left it: its
      // version is the truth, even a lower one (a row made again after compaction)
      if (!cursor || Number(this.readState().cursor || 0) <= Number(cursor)) this.recordVersions(results);
      for (const seq of done) {
        this.db.exec({ sql: "DELETE FROM sync_queue WHERE id BETWEEN ? AND ?", bind: [firstId(seq), lastId(seq)] });
      }
      if (done.length) this.db.exec(this.schema.prune_bulk_sql);
      for (const r of results) {
        if ((r.status === "merged" || r.status === "duplicate") && r.rows.length) {
          this.applyRows(r.rows);
          if (this.resyncing) this.noteSeen(r.rows.filter((x) => !x.deleted).map((x) => [x.collection, x.row_id]));
        }
      }
      for (const r of rejected) this.recordRejection(r);
      this.observe(serverClock);
      if (cursor) {
        this.db.exec({ sql: "INSERT INTO sync_state (key, value) VALUES ('acked_head', ?) "
                            + "ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)", bind: [cursor] });
      }
      if (done.length || rejected.length) {
        const top = Math.max(...done, ...rejected.map((r) => Number(r.client_seq)));
        this.writeState({ last_client_seq: Math.max(this.lastSeq, top), clock: this.clock });
      }
    });
    for (const r of rejected) this.notify("rejected", { result: r });
  }

  /**
   * Give the rows an Ack vouches for (MutationResult.versions, protocol 3) the
   * server's version: their live batch leaves them out (sync_client/applying.py
   * _record_versions). The versions follow the mutation's queue entries; a
   * version never goes back. An insert it vouches for made the row afresh: the
   * row takes the insert's insertOrder and the version told, whatever it had
   * (replayed on a tombstone the server has since compacted, it had the
   * tombstone's), unless the device has inserted the row again since.
   * @param {MutationResult[]} results
   */
  recordVersions(results) {
    const told = results.filter((r) => r.status === "applied" && r.versions.length);
    if (!told.length) return;
    /** @type {Map<string, [number, SqlValue][]>} */
    const pairs = new Map();
    /** @type {Map<string, [number, SqlValue, SqlValue, number, string][]>} */
    const made = new Map();
    /** @type {[string, SqlValue][]} */
    const seen = [];
    // every told mutation's entries in one range read, grouped by mutation
    const seqs = told.map((r) => Number(r.client_seq));
    /** @type {Map<number, SqlValue[][]>} */
    const bySeq = new Map();
    for (const entry of this.arrays("SELECT id, collection, row_id, kind, insert_order FROM sync_queue WHERE id BETWEEN ? AND ? ORDER BY id",
      [firstId(Math.min(...seqs)), lastId(Math.max(...seqs))])) {
      const seq = Math.floor(Number(entry[0]) / SEQ_FACTOR);
      const group = bySeq.get(seq);
      if (group) group.push(entry); else bySeq.set(seq, [entry]);
    }
    for (const r of told) {
      const entries = bySeq.get(Number(r.client_seq)) || [];
      if (entries.length !== r.versions.length) continue; // not the mutation the server answered
      entries.forEach(([id, collection, rowId, kind, insertOrder], i) => {
        const version = Number(r.versions[i]);
        if (!version) return;
        const name = String(collection);
        seen.push([name, rowId]);
        if (kind === "insert") {
          const inserts = made.get(name);
          const entry = /** @type {[number, SqlValue, SqlValue, number, string]} */ ([version, rowId, insertOrder, Number(id), name]);
          if (inserts) inserts.push(entry); else made.set(name, [entry]);
        } else {
          const list = pairs.get(name);
          if (list) list.push([version, rowId]); else pairs.set(name, [[version, rowId]]);
        }
      });
    }
    if (this.resyncing) this.noteSeen(seen);
    for (const name of new Set([...made.keys(), ...pairs.keys()])) {
      const coll = this.collections.get(name);
      if (!coll) continue;
      const table = quote(coll.name), pk = quote(coll.primary_key);
      const values = pairs.get(name);
      const inserts = made.get(name);
      this.withoutTriggers(this.triggersMayGoOff(coll, (inserts?.length || 0) + (values?.length || 0)), () => {
        if (inserts) this.recordInserts(table, pk, inserts); // first: later operations' versions still raise it
        if (values) this.runMany(`UPDATE ${table} SET "_version" = ?1 WHERE ${pk} = ?2 AND "_version" < ?1`, values);
      });
    }
  }

  /**
   * The versions told for inserts ([version, rowId, insertOrder, the insert's
   * queue id, collection]): see recordVersions (a later insert of the row, even
   * in the same mutation, is its own). The usual row, as its insert
   * made it, gets its version alone (even a lower one: a told delete of its
   * earlier life raised it); only if some row did not change are the
   * rows with another insertOrder given the insert's (the queue read for those
   * alone: correlated, the look-up is not hoisted).
   * @param {string} table @param {string} pk @param {[number, SqlValue, SqlValue, number, string][]} made
   */
  recordInserts(table, pk, made) {
    const before = this.db.changes(true);
    this.runMany(`UPDATE ${table} SET "_version" = ?1 WHERE ${pk} = ?2 AND "insertOrder" IS ?3`, made.map((m) => m.slice(0, 3)));
    if (this.db.changes(true) - before === made.length) return;
    this.runMany(`UPDATE ${table} SET "_version" = ?1, "insertOrder" = ?3 WHERE ${pk} = ?2 AND "insertOrder" IS NOT ?3 `
      + `AND NOT EXISTS (SELECT 1 FROM sync_queue WHERE id > ?4 AND collection = ?5 AND row_id = ${table}.${pk} `
      + "AND kind = 'insert')", made);
  }

  /** Rows a re-sync must not sweep (see applying.py). @param {[string, SqlValue][]} keys */
  noteSeen(keys) {
    if (keys.length) this.runMany("INSERT OR IGNORE INTO sync_resync_seen (collection, row_id) VALUES (?, ?)", keys);
  }

  /** @param {number} clientSeq */
  dropApplied(clientSeq) {
    this.settled = Math.max(this.settled, clientSeq);
    this.writeState({ last_client_seq: Math.max(this.lastSeq, clientSeq), server_applied: this.settled });
    this.queuedRows.prune(this.settled);
  }

  /** @param {MutationResult} result */
  recordRejection(result) {
    const seq = Number(result.client_seq);
    const span = [firstId(seq), lastId(seq)];
    const entries = this.arrays(`SELECT collection, row_id, kind, ${this.schema.queue_fields_sql} FROM sync_queue WHERE id BETWEEN ? AND ? ORDER BY id`, span);
    const server = new Map(result.rows.map((r) => [`${r.collection}\u0000${r.row_id}`, r]));
    const now = Date.now();
    for (const [collection, rowId, kind, fields] of entries) {
      const row = server.get(`${collection}\u0000${rowId}`);
      const local = fields === null ? null : typeof fields === "string" ? encode(parseJsonExact(fields)) : fields;
      this.db.exec({
        sql: "INSERT INTO sync_conflicts (client_seq, collection, row_id, kind, local, server, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        bind: [seq, collection, rowId, kind, local, row && !row.deleted ? encode(row.fields) : null, result.reason || "rejected", now],
      });
    }
    this.db.exec({ sql: "DELETE FROM sync_queue WHERE id BETWEEN ? AND ?", bind: span });
    this.db.exec(this.schema.prune_bulk_sql);
    this.applyRows(result.rows);
  }

  /**
   * Write a block of server rows (protocol 3): each live row is already the
   * upsert's parameters, bound as it came. A block whose rows have local
   * writes pending goes the way of applyRows.
   * @param {RowBlock} block
   */
  applyBlock(block) {
    const coll = this.collections.get(block.collection);
    if (!coll) return; // a collection this (older) app does not know
    const names = coll.fields.slice(1).map((f) => f.name);
    if (this.pendingIn(coll) || names.length !== block.fields.length || names.some((n, i) => n !== block.fields[i])) {
      this.applyRows(fromBlocks([block]));
      return;
    }
    this.withoutTriggers(this.triggersMayGoOff(coll, block.rows.length + block.deleted.length), () => {
      if (block.rows.length) this.runMany(this.upsertStatement(coll), block.rows);
      if (block.deleted.length) {
        this.runMany(`DELETE FROM ${quote(coll.name)} WHERE ${quote(coll.primary_key)} = ?`, block.deleted.map((r) => [r[0]]));
      }
    });
    this.touched.add(coll.name);
  }

  /** @param {RowChange[]} rows */
  applyRows(rows) {
    /** @type {Map<string, RowChange[]>} */
    const byCollection = new Map();
    for (const r of rows) {
      const list = byCollection.get(r.collection);
      if (list) list.push(r); else byCollection.set(r.collection, [r]);
    }
    for (const [name, changes] of byCollection) {
      const coll = this.collections.get(name);
      if (!coll) continue; // a collection this (older) app does not know
      this.writeRows(coll, changes, this.pendingOps(coll, changes));
      this.touched.add(name);
    }
  }

  /** The unsettled local operations on these rows, oldest first, by row id.
   * @param {CollectionDescription} coll @param {RowChange[]} changes @returns {Map<SqlValue, [string, Fields][]>} */
  pendingOps(coll, changes) {
    /** @type {Map<SqlValue, [string, Fields][]>} */
    const ops = new Map();
    if (!this.pendingIn(coll)) return ops;
    // read by primary key (QueuedRows): a scan from the settled point cost every page O(queue)
    const ids = this.queuedRows.entryIds(this, coll.name, changes.map((r) => r.row_id), this.settled);
    if (!ids.length) return ops;
    for (const [rowId, kind, fields] of this.arrays(
      `SELECT row_id, kind, ${this.schema.queue_fields_sql} FROM sync_queue `
      + "WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id", [JSON.stringify(ids)])) {
      const list = ops.get(rowId);
      const op = /** @type {[string, Fields]} */ ([String(kind), decodeFields(fields)]);
      if (list) list.push(op); else ops.set(rowId, [op]);
    }
    return ops;
  }

  /** @param {CollectionDescription} coll */
  upsertStatement(coll) {
    const names = coll.fields.map((f) => f.name);
    const columns = [...names, "insertOrder", "_version", "_scope"];
    const updates = columns.slice(1).map((c) => `${quote(c)} = excluded.${quote(c)}`).join(", ");
    return `INSERT INTO ${quote(coll.name)} (${columns.map(quote).join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) `
      + `ON CONFLICT (${quote(coll.primary_key)}) DO UPDATE SET ${updates}`;
  }

  /** Write server rows, replaying pending local operations on the rows that have some.
   * @param {CollectionDescription} coll @param {RowChange[]} changes @param {Map<SqlValue, [string, Fields][]>} pending */
  writeRows(coll, changes, pending) {
    const names = coll.fields.slice(1).map((f) => f.name);
    /** @type {Fields} */
    const defaults = {};
    for (const f of coll.fields) if (f.default !== null && f.default !== undefined) defaults[f.name] = this.storedDefault(f);
    this.withoutTriggers(this.triggersMayGoOff(coll, changes.length), () => this.upsertRows(coll, changes, pending, names, defaults));
  }

  /** Whether a collection may have local operations the server has not taken:
   * no entry can be above the last client_seq given out (or the transaction's
   * under way), so on a device that only receives, no query.
   * @param {CollectionDescription} coll */
  pendingIn(coll) {
    return (this.txnSeq !== null || this.lastSeq > this.settled)
      && this.value("SELECT 1 FROM sync_queue WHERE id > ? AND collection = ? LIMIT 1", [lastId(this.settled), coll.name]) !== null;
  }

  /** Whether a write of `count` server rows runs with the triggers off: with
   * capture off our triggers would only evaluate their WHEN, a call into
   * JavaScript a row, so where they are the table's only triggers they go off
   * (this replica never keeps insert entries by reference, so the freeze
   * triggers have nothing to copy); a few rows keep them on, since finding out
   * and turning them off and on costs more (as sync_client/applying.py: the
   * rows of a page, of an Ack, and the versions an Ack tells).
   * @param {CollectionDescription} coll @param {number} count */
  triggersMayGoOff(coll, count) {
    return count > TRIGGERS_ON_UP_TO && this.onlyOurTriggers(coll);
  }

  /** @param {CollectionDescription} coll @param {RowChange[]} changes @param {Map<SqlValue, [string, Fields][]>} pending
   * @param {string[]} names @param {Fields} defaults */
  upsertRows(coll, changes, pending, names, defaults) {
    const upsert = this.db.prepare(this.upsertStatement(coll));
    const remove = this.db.prepare(`DELETE FROM ${quote(coll.name)} WHERE ${quote(coll.primary_key)} = ?`);
    try {
      for (const r of changes) {
        /** @type {Fields | null} */
        let visible = r.deleted ? null : r.fields;
        const ops = pending.get(r.row_id);
        if (ops) visible = replay(visible === null ? null : { ...defaults, ...visible }, ops);
        if (visible === null) { remove.bind([r.row_id]).stepReset(); continue; }
        const row = /** @type {Fields} */ (visible);
        const values = [r.row_id];
        for (const n of names) values.push(n in row ? row[n] : (n in defaults ? defaults[n] : null));
        values.push(r.insert_order, r.version, r.scope);
        upsert.bind(values).stepReset();
      }
    } finally {
      upsert.finalize();
      remove.finalize();
    }
  }

  close() {
    if (!this.db.isOpen()) return;
    try { this.inTransaction(() => this.writeState({ clock: this.clock })); } catch { /* closing anyway */ }
    this.finalizeStatements();
    this.db.close();
  }
}

/**
 * Blocks (protocol 3) as RowChange objects (seq 0: a block does not carry it).
 * @param {RowBlock[]} blocks @returns {RowChange[]}
 */
export function fromBlocks(blocks) {
  /** @type {RowChange[]} */
  const out = [];
  for (const b of blocks) {
    const w = b.fields.length;
    for (const r of b.rows) {
      /** @type {Fields} */
      const fields = {};
      for (let i = 0; i < w; i++) fields[b.fields[i]] = r[i + 1];
      out.push({ collection: b.collection, row_id: r[0], scope: r[w + 3], version: r[w + 2], seq: 0, insert_order: r[w + 1],
                 deleted: false, fields });
    }
    for (const [rowId, insertOrder, version, scope] of b.deleted) {
      out.push({ collection: b.collection, row_id: rowId, scope, version, seq: 0, insert_order: insertOrder, deleted: true, fields: {} });
    }
  }
  return out;
}
