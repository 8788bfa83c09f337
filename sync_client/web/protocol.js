// The device side of the protocol, without I/O (sync_client/protocol.py).
//
// ClientProtocol takes decoded messages in and returns the messages to send;
// the worker's socket only moves bytes. The life of a queued operation:
//
//   (none)     a local write commits             PENDING
//   PENDING    pushed on this connection          IN_FLIGHT
//   IN_FLIGHT  Ack applied / merged / duplicate   gone from the queue
//   IN_FLIGHT  Ack rejected                       gone; kept in sync_conflicts
//   IN_FLIGHT  Ack gap, or the connection drops   PENDING (pushed again)
//   any        Changes.applied covers its seq     SETTLED: no longer replayed,
//                                                 still queued until an answer
//
// Only IN_FLIGHT is not stored: a new connection starts with none.

/** @typedef {import("./replica.js").Replica} Replica */
/** @typedef {import("./types.js").ServerMessage} ServerMessage */
/** @typedef {import("./types.js").ClientMessage} ClientMessage */
/** @typedef {import("./types.js").Changes} Changes */
/** @typedef {import("./types.js").Ack} Ack */
/** @typedef {import("./types.js").Pull} Pull */

/** The protocol this client speaks (shared/messages.py PROTOCOL_VERSION): 2
 * adds Hello.schema_fingerprint (the schema's Schema.fingerprint, from /schema);
 * 3 rows as arrays (Changes.blocks) and Ack versions instead of the echo. */
export const PROTOCOL_VERSION = 3;
export const PUSH_MAX_MUTATIONS = 1000;
/** Operations in one Push at most: the server's group-commit budget (see
 * PUSH_MAX_OPS in sync_client/protocol.py for the measurement). */
export const PUSH_MAX_OPS = 1000;
export const MAX_IN_FLIGHT = 4;
export const PULL_LIMIT = 2000;
/** A bootstrap's (or catch-up's) pages are applied in batches of this many rows at least... */
export const HOLD_ROWS = 10000;
/** ...or what came in this long (ms): one transaction (one commit) per batch, not per page */
export const HOLD_MS = 250;
/** how long a connection waits for the live batch that follows an Ack before it pulls instead */
export const HEAD_CHECK_MS = 250;

/** server error codes after which reconnecting with the same token cannot help */
export const FATAL_CODES = new Set(["unauthorized", "token_expired", "forbidden", "schema_mismatch", "protocol_mismatch"]);

/** ask for a fresh token this long before expiry at most (s), as sync_client/tokens.py... */
export const REFRESH_LEAD_S = 60;
/** ...and at most this share of the token's life before it */
export const REFRESH_LEAD_SHARE = 0.2;

/**
 * When to send a fresh token (ms since the epoch), or null: never (no numeric
 * `exp`, or not a JWT). Read without verifying, as sync_client/tokens.py
 * refresh_at: 20 % of the token's life, at most 60 s, before `exp`.
 * @param {string} token @returns {number | null}
 */
export function refreshAt(token) {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  let claims;
  try {
    const b64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    claims = JSON.parse(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)));
  } catch {
    return null;
  }
  if (claims === null || typeof claims !== "object") return null;
  const exp = claims.exp, iat = claims.iat ?? 0;
  if (typeof exp !== "number" || typeof iat !== "number") return null;
  return (exp - Math.min(REFRESH_LEAD_S, Math.max(exp - iat, 0) * REFRESH_LEAD_SHARE)) * 1000;
}

/** How many rows a page carries, as maps (protocol 1, 2) or arrays (3).
 * @param {Changes} changes @returns {number} */
export function rowCount(changes) {
  let n = changes.rows.length;
  for (const b of changes.blocks) n += b.rows.length + b.deleted.length;
  return n;
}

/** A server message that does not fit the conversation. */
export class ProtocolError extends Error {}

/** Fill a decoded message's omitted fields (the server omits defaults).
 * @param {any} m @returns {ServerMessage} */
export function withDefaults(m) {
  if (m === null || typeof m !== "object" || typeof m.type !== "string") throw new ProtocolError("a message is a map with a type");
  /** @param {any} r */
  const row = (r) => ({ deleted: false, fields: {}, ...r });
  switch (m.type) {
    case "welcome": return { user: "", default_scope: "", ...m };
    case "changes": return { applied: {}, more: false, server_clock: 0, head: 0, resync: false, resync_begins: false, ...m,
                             rows: (m.rows || []).map(row),
                             blocks: (m.blocks || []).map((/** @type {any} */ b) => ({ rows: [], deleted: [], ...b })) };
    case "ack": return { cursor: 0, ...m, results: (m.results || []).map((/** @type {any} */ r) => ({
      reason: "", message: "", path: "", versions: [], ...r, rows: (r.rows || []).map(row) })) };
    case "error": return { path: "", ...m };
    default: throw new ProtocolError(`a server does not send ${m.type}`);
  }
}

export class ClientProtocol {
  /** @param {Replica} replica @param {string} token */
  constructor(replica, token) {
    this.replica = replica;
    this.token = token;
    /** @type {"offline" | "hello_sent" | "pulling" | "live" | "closed"} */
    this.phase = "offline";
    this.head = 0;
    this.ackedHead = 0;
    this.headCheck = false; // an Ack left the cursor behind its head (see headCheckDue)
    this.catchingUp = false;
    /** @type {{code: string, message: string, path: string} | null} */
    this.error = null;
    this.sentThrough = 0;
    /** @type {Map<number, number>} push number -> highest client_seq in it */
    this.inFlight = new Map();
    this.pushes = 0;
    this.pushed = 0;
    this.pulled = 0;
    this.rejected = 0;
    /** @type {Changes[]} pages received but not applied yet (a batch of a bootstrap, see hold) */
    this.held = [];
    this.heldRows = 0;
    this.heldSince = 0;
  }

  /** A connection opened: say hello. @returns {ClientMessage[]} */
  connect() {
    this.phase = "hello_sent";
    this.sentThrough = 0;
    this.inFlight.clear();
    const r = this.replica;
    return [{ type: "hello", client_id: r.deviceId, token: this.token, schema_version: r.schema.version,
              schema_fingerprint: r.schema.fingerprint,
              cursor: r.cursor, last_client_seq: r.lastClientSeq, protocol: PROTOCOL_VERSION }];
  }

  /** The connection dropped: whatever was in flight is pending again; pages
   * held back were not applied (the cursor did not move past them): the next
   * connection pulls them again. */
  disconnected() {
    if (this.phase !== "closed") this.phase = "offline";
    this.held = [];
    this.heldRows = 0;
    this.inFlight.clear();
    this.sentThrough = 0;
  }

  /** @param {ServerMessage} message @returns {ClientMessage[]} */
  receive(message) {
    if (message.type === "changes" && this.phase !== "hello_sent" && this.catchingUp && message.more) {
      return this.hold(message);
    }
    // anything else finds the pages before it applied: the order of the conversation holds
    const flushed = this.flush();
    const out = this.receiveNow(message);
    return flushed.length ? [...flushed, ...out] : out;
  }

  /**
   * A page with more to come while catching up: kept, and applied with the
   * next ones in one transaction (HOLD_ROWS rows or HOLD_MS), since a commit
   * per 2,000-row page was a third of a bootstrap's applying. Rows and cursor
   * still commit together, so a cut loses or skips nothing: held pages are
   * pulled again.
   * @param {Changes} changes @returns {ClientMessage[]}
   */
  hold(changes) {
    this.head = Math.max(this.head, Number(changes.head), Number(changes.cursor));
    if (!this.held.length) this.heldSince = Date.now();
    this.held.push(changes);
    this.heldRows += rowCount(changes);
    if (this.heldRows >= HOLD_ROWS || Date.now() - this.heldSince >= HOLD_MS) return this.flush();
    return [];
  }

  /** Apply the held pages now (the worker calls it HOLD_MS after the first). @returns {ClientMessage[]} */
  flush() {
    if (!this.held.length) return [];
    const pages = this.held;
    this.held = [];
    this.heldRows = 0;
    this.replica.applyPages(pages);
    for (const page of pages) this.pulled += rowCount(page);
    return this.push();
  }

  /** @param {ServerMessage} message @returns {ClientMessage[]} */
  receiveNow(message) {
    if (message.type === "error") return this.onError(message);
    if (this.phase === "hello_sent") {
      if (message.type !== "welcome") throw new ProtocolError(`expected welcome, got ${message.type}`);
      // every mutation below the oldest queued one was answered by a server, and every
      // row up to the cursor was sent by one: a server that does not know them lost them
      // (it would answer gap for ever, or number new rows below the cursor, where this
      // device would never look): shared/errors.py ServerBehind
      const answered = this.replica.answeredThrough(), cursor = this.replica.cursor;
      const lost = Number(message.last_client_seq) < answered
        ? [`the server knows this device's mutations up to client_seq ${message.last_client_seq}, but it answered them up to ${answered}`, "$.last_client_seq"]
        : Number(message.cursor) < cursor
          ? [`the server's rows go up to seq ${message.cursor}, but this device has seen them up to ${cursor}`, "$.cursor"]
          : null;
      if (lost !== null) {
        this.phase = "closed";
        this.error = { code: "server_behind", path: lost[1], message: `${lost[0]}: its store was restored from an older copy `
          + "or replaced. This replica keeps its rows and its queue; to sync again, start a new replica (a new device) "
          + "and write into it what the server lacks" };
        return [];
      }
      this.replica.observe(message.server_clock);
      this.replica.setDefaultScope(message.default_scope);
      this.head = Number(message.cursor);
      this.phase = "pulling";
      this.catchingUp = true;
      return [this.pull(), ...this.push()];
    }
    if (message.type === "changes") return this.onChanges(message);
    if (message.type === "ack") return this.onAck(message);
    throw new ProtocolError(`a server does not send ${message.type} now`);
  }

  /** Pushes for pending mutations not yet sent on this connection. @returns {ClientMessage[]} */
  push() {
    if (this.phase !== "pulling" && this.phase !== "live") return [];
    /** @type {ClientMessage[]} */
    const out = [];
    while (this.inFlight.size < MAX_IN_FLIGHT && this.sentThrough < this.replica.lastClientSeq) {
      const mutations = this.replica.mutationsToPush(this.sentThrough, PUSH_MAX_MUTATIONS, PUSH_MAX_OPS);
      if (!mutations.length) break;
      this.pushes += 1;
      this.sentThrough = mutations[mutations.length - 1].client_seq;
      this.inFlight.set(this.pushes, this.sentThrough);
      this.pushed += mutations.length;
      out.push({ type: "push", mutations });
    }
    return out;
  }

  /** Caught up (own writes included), nothing in flight, nothing left to push. */
  get idle() {
    return this.phase === "live" && !this.inFlight.size && this.replica.cursor >= this.ackedHead && !this.replica.hasPending();
  }

  /** @param {Changes} changes @returns {ClientMessage[]} */
  onChanges(changes) {
    this.replica.applyChanges(changes);
    this.pulled += rowCount(changes);
    this.head = Math.max(this.head, Number(changes.head), Number(changes.cursor));
    if (this.catchingUp && !changes.more) {
      this.catchingUp = false;
      this.phase = "live";
    }
    return this.push();
  }

  /** @param {Ack} ack @returns {ClientMessage[]} */
  onAck(ack) {
    this.replica.applyResults(ack.results, Number(ack.server_clock), Number(ack.cursor));
    this.rejected += ack.results.filter((r) => r.status === "rejected").length;
    if (ack.results.length) {
      const top = Math.max(...ack.results.map((r) => Number(r.client_seq)));
      for (const [number, through] of [...this.inFlight]) if (through <= top) this.inFlight.delete(number);
    }
    this.ackedHead = Math.max(this.ackedHead, Number(ack.cursor));
    if (ack.results.some((r) => r.status === "gap")) {
      this.inFlight.clear(); // the server wants an earlier mutation first: push again from the oldest pending
      this.sentThrough = 0;
    }
    this.headCheck = true;
    return this.push();
  }

  /**
   * An Ack left the cursor behind the head it named, with nothing in flight:
   * the live batch of that commit (its rows, or with no echo only its cursor)
   * follows the Ack at once, unless the push touched none of our scopes. The
   * caller waits HEAD_CHECK_MS for it, then calls checkHead(); pulling at once
   * would bring our own rows back. As sync_client/protocol.py.
   * @returns {boolean}
   */
  get headCheckDue() {
    return this.headCheck && !this.inFlight.size && !this.catchingUp && this.phase === "live"
      && this.replica.cursor < this.ackedHead;
  }

  /** No live batch came after an Ack: ask where the head is. @returns {ClientMessage[]} */
  checkHead() {
    if (!this.headCheckDue) return [];
    this.headCheck = false;
    this.catchingUp = true;
    return [this.pull()];
  }

  /** @returns {Pull} */
  pull() {
    return { type: "pull", cursor: this.replica.cursor, limit: PULL_LIMIT, resync: this.replica.resyncing };
  }

  /** @param {{code: string, message: string, path: string}} error @returns {ClientMessage[]} */
  onError(error) {
    this.error = error;
    if (FATAL_CODES.has(error.code)) this.phase = "closed";
    else if (error.code === "unavailable") {
      this.inFlight.clear();
      this.sentThrough = 0;
      return this.push();
    }
    return [];
  }
}
