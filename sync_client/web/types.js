// Types shared by the browser client's modules (JSDoc, checked by tsc --noEmit).
// The wire messages mirror shared/messages.py; integers outside Number's safe
// range arrive as BigInt (msgpack.js).

/** @typedef {null | number | bigint | string | Uint8Array} SqlValue */

/**
 * @typedef {object} FieldDescription
 * @property {string} name
 * @property {"text" | "integer" | "real" | "boolean" | "json" | "blob" | "timestamp"} type
 * @property {boolean} required
 * @property {any} default a stored value; an integer outside ±(2^53 - 1) as a decimal string
 * @property {boolean} counter
 * @property {boolean} blob
 */

/**
 * @typedef {object} CollectionDescription
 * @property {string} name
 * @property {string} primary_key
 * @property {"lww" | "reject" | "append_only" | "custom"} policy
 * @property {string | null} scope_field
 * @property {FieldDescription[]} fields
 * @property {string[]} fts
 * @property {string[][]} unique
 * @property {string[][]} indexes
 * @property {number | null} retention
 * @property {boolean} by_reference
 * @property {string[]} ddl the table, its indexes and capture triggers
 * @property {string} queue_copy_sql queues the rows of rowid > ?2 as queue ids from ?1 on
 */

/**
 * @typedef {object} SchemaDescription what GET /schema answers
 * @property {number} version
 * @property {string} fingerprint
 * @property {number} protocol
 * @property {number} min_protocol
 * @property {number} seq_shift
 * @property {string} engine_ddl
 * @property {string} queue_fields_sql
 * @property {string} prune_bulk_sql
 * @property {CollectionDescription[]} collections
 * @property {{current: number, oldest_served: number,
 *   versions: {version: number, fingerprint: string, changes: string[],
 *   steps?: {kind: string, collection: string, field: string, breaking: boolean, new_name: string}[]}[]}} [history]
 *   every version the server's schema history declares, with the changes that made it
 *   (shared.evolution.Change: as text in `changes`, as data in `steps`)
 */

/**
 * @typedef {object} Operation
 * @property {"insert" | "update" | "delete" | "increment"} kind
 * @property {string} collection
 * @property {string | number} row_id
 * @property {number} base_version
 * @property {number} insert_order
 * @property {{[field: string]: any}} fields
 * @property {string} scope
 */

/** @typedef {{client_seq: number, ops: Operation[]}} Mutation */

/**
 * @typedef {object} RowChange
 * @property {string} collection
 * @property {string | number | bigint} row_id
 * @property {string} scope
 * @property {number} version
 * @property {number} seq
 * @property {number} insert_order
 * @property {boolean} deleted
 * @property {{[field: string]: any}} fields
 */

/**
 * @typedef {object} MutationResult
 * @property {number} client_seq
 * @property {"applied" | "merged" | "rejected" | "duplicate" | "gap"} status
 * @property {string} reason
 * @property {string} message
 * @property {string} path
 * @property {RowChange[]} rows
 * @property {number[]} versions protocol 3, applied only: per operation, its row's server version
 *   where the row ends its batch as this device wrote it (its live batch leaves it out), else 0
 */

/**
 * Rows of one collection as positional arrays (protocol 3, shared/blocks.py).
 * @typedef {object} RowBlock
 * @property {string} collection
 * @property {string[]} fields the values between the id and insert_order in each live row
 * @property {any[][]} rows live rows: [row_id, ...values, insert_order, version, scope]
 * @property {any[][]} deleted tombstones: [row_id, insert_order, version, scope]
 */

/**
 * @typedef {object} Changes
 * @property {"changes"} type
 * @property {RowChange[]} rows protocol 1 and 2 (and rows handed back)
 * @property {RowBlock[]} blocks protocol 3: the rows as arrays
 * @property {number} cursor
 * @property {{[clientId: string]: number}} applied
 * @property {boolean} more
 * @property {number} server_clock
 * @property {number} head
 * @property {boolean} resync
 * @property {boolean} resync_begins
 */

/** @typedef {{type: "welcome", server_clock: number, last_client_seq: number, cursor: number, user: string, default_scope: string}} Welcome */
/** @typedef {{type: "ack", results: MutationResult[], server_clock: number, cursor: number}} Ack */
/** @typedef {{type: "error", code: string, message: string, path: string}} ErrorMessage */
/** @typedef {Welcome | Ack | Changes | ErrorMessage} ServerMessage */
/** @typedef {{type: "hello", client_id: string, token: string, schema_version: number, schema_fingerprint?: string, cursor: number, last_client_seq: number, protocol: number}} Hello */
/** @typedef {{type: "push", mutations: Mutation[]}} Push */
/** @typedef {{type: "pull", cursor: number, limit: number, resync: boolean}} Pull */
/** @typedef {{type: "token", token: string}} TokenMessage a fresh token for a live socket (protocol 2) */
/** @typedef {Hello | Push | Pull | TokenMessage} ClientMessage */

/**
 * @typedef {object} Conflict a local write the server refused, beside the server's row
 * @property {number} id
 * @property {number} client_seq
 * @property {string} collection
 * @property {string | number} row_id
 * @property {string} kind
 * @property {{[field: string]: any}} local
 * @property {{[field: string]: any} | null} server
 * @property {string} reason
 * @property {number} created_at
 */

/**
 * @typedef {{op: "insert", collection: string, row: {[field: string]: any}, scope?: string}
 *   | {op: "update", collection: string, id: SqlValue, changes: {[field: string]: any}}
 *   | {op: "increment", collection: string, id: SqlValue, deltas: {[field: string]: number | bigint}}
 *   | {op: "delete", collection: string, id: SqlValue}
 *   | {op: "exec", sql: string, bind?: SqlValue[]}} WriteOp
 */

/**
 * @typedef {object} SyncStatus as the Python client's SyncStatus
 * @property {boolean} connected
 * @property {string} phase offline | hello_sent | pulling | live | closed
 * @property {number} pending queued operations
 * @property {number} cursor
 * @property {number} head
 * @property {number} progress 0..1 of the pull (1 when caught up)
 * @property {number} pulled
 * @property {number} pushed
 * @property {number} rejected
 * @property {string | null} lastError
 * @property {boolean} hasSynced
 * @property {number | null} lastSyncAt
 * @property {number} attempts
 * @property {boolean} resyncing
 * @property {"opfs" | "indexeddb" | "memory"} storage where the replica lives (indexeddb: in memory, its image
 *   stored in IndexedDB after each write, where OPFS is missing; memory: nothing survives a reload)
 * @property {boolean | null} persisted navigator.storage.persist()'s answer (null: not asked)
 * @property {boolean} leader this tab owns the replica
 */

export {};
