// Calls from other tabs run once, even across a change of leader. A tab that
// does not lead sends its calls to the leader's worker; when the leader closes
// before answering, the call is sent again to the next leader, which may find
// it already committed (an increment would count twice). So such a call
// carries an id its tab made, the leader records the id and its answer in the
// replica in the SAME transaction as the write, and answers an id it finds
// there from the record instead of running the call again.

import { decode, encode } from "./msgpack.js";

/** records older than this are pruned: a re-sent call comes within seconds of the handover */
export const KEEP_MS = 60 * 60 * 1000;

const DDL = `CREATE TABLE IF NOT EXISTS _web_calls (
  call_id TEXT PRIMARY KEY NOT NULL,
  answer BLOB NOT NULL,
  at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS _web_calls_at ON _web_calls (at)`;

/** The record of applied write calls, in the replica's database. */
export class CallLog {
  /** @param {import("./replica.js").Replica} replica @param {() => number} [now] milliseconds */
  constructor(replica, now = Date.now) {
    this.replica = replica;
    this.now = now;
    replica.db.exec(DDL);
  }

  /**
   * Run the write `fn` as the call `callId`, once: in one transaction with the
   * record of its answer; a call already recorded is answered from the record.
   * @template T @param {string} callId @param {() => T} fn @returns {T}
   */
  runOnce(callId, fn) {
    const seen = this.answer(callId);
    if (seen !== null) return /** @type {T} */ (seen.result);
    return this.replica.inTransaction(() => {
      const result = fn();
      const at = this.now();
      this.replica.db.exec({ sql: "DELETE FROM _web_calls WHERE at < ?", bind: [at - KEEP_MS] });
      this.replica.db.exec({ sql: "INSERT INTO _web_calls (call_id, answer, at) VALUES (?, ?, ?)",
                             bind: [callId, encode(result === undefined ? {} : { result }), at] });
      return result;
    });
  }

  /** The recorded answer of `callId`, or null if it never ran.
   * @param {string} callId @returns {{result: any} | null} */
  answer(callId) {
    const row = this.replica.db.selectValue("SELECT answer FROM _web_calls WHERE call_id = ?", [callId]);
    return row === undefined ? null : /** @type {{result: any}} */ (decode(row));
  }
}
