// Opening a browser replica made under an older schema version, as
// sync_client/evolution.py does for the Python replica (docs/schema.md). Runs
// before the Replica builds its tables, in one transaction: the tables, their
// rows, the queued writes and the stored schema change together or not at all.
//
// The replica keeps the schema its tables were made for (sync_state.web_schema,
// the GET /schema text). When the server's is newer, the changes of each
// version in between (GET /schema `history`) are applied:
// * rename_field, drop_field: the table is rebuilt as declared, rows copied
//   with their rowids (search indexes stay valid), values of a renamed field
//   moved, of a dropped one dropped; queued writes renamed and dropped alike;
// * relax_field: rebuilt, so that the column's NOT NULL goes;
// * drop_collection: the table and its queued writes go, except a mutation
//   made only of them (the server refuses it into sync_conflicts, rather than
//   leave a gap in the client_seq numbers);
// * change_policy: rows stay;
// * retype_field: refused (MigrationError): its convert function is Python
//   code the browser cannot run, and keeping the values could store them
//   under the wrong type. Nothing is changed; the page sees the error.
// Additive changes need nothing here (the Replica adds new columns), except
// that, whatever the versions, a collection whose `fts` fields changed (not
// part of the fingerprint, so maybe under the same version) has its search
// index dropped: the Replica makes it again over the declared fields.

import { decode, encode } from "./msgpack.js";
import { quote } from "./replica.js";

/** @typedef {import("./types.js").SchemaDescription} SchemaDescription */
/** @typedef {import("./types.js").CollectionDescription} CollectionDescription */
/** @typedef {{kind: string, collection: string, field: string, to: string}} Step */

const ENGINE_COLUMNS = ["insertOrder", "_version", "_scope"];
const REBUILT = new Set(["rename_field", "drop_field", "relax_field"]);

/** The replica cannot be brought to the server's schema; nothing was changed. */
export class MigrationError extends Error {
  /** @param {string} message @param {string} path */
  constructor(message, path) {
    super(message);
    this.name = "MigrationError";
    this.path = path;
    this.code = "schema_mismatch";
  }
}

/**
 * One change as GET /schema's history words it (shared.evolution.Change):
 * `kind collection[.field][ (detail)]`, e.g. "rename_field notes.title (now 'heading')".
 * @param {string} text @returns {Step}
 */
export function parseChange(text) {
  const m = /^(\w+) ([^ .]+)(?:\.([^ ]+))?(?: \((.*)\))?$/.exec(text);
  if (!m) throw new MigrationError(`cannot read the schema change ${JSON.stringify(text)}`, "$.history");
  const renamed = m[1] === "rename_field" ? /^now ['"](.*)['"]$/.exec(m[4] || "") : null;
  if (m[1] === "rename_field" && !renamed) {
    throw new MigrationError(`no new name in ${JSON.stringify(text)}`, "$.history");
  }
  return { kind: m[1], collection: m[2], field: m[3] || "", to: renamed ? renamed[1] : "" };
}

/**
 * Bring the tables, rows and queue of `db` from the schema they were made for
 * to `schema`, and store `text` as the replica's schema, in one transaction.
 * @param {any} db an oo1.DB, before the Replica opens it
 * @param {SchemaDescription} schema what GET /schema answered @param {string} text its JSON text
 * @returns {number} the version the replica was at (the same as schema.version: nothing migrated)
 */
export function migrateReplica(db, schema, text) {
  const stored = storedSchema(db);
  if (stored === null) return schema.version;
  if (stored.version > schema.version) {
    throw new MigrationError(`this replica holds schema version ${stored.version}, newer than the server's `
                             + `${schema.version}: update the server first`, "$.schema_version");
  }
  const steps = stored.version < schema.version ? stepsBetween(schema, stored.version) : [];
  const reindexed = schema.collections.filter((c) => {
    const before = (stored.collections || []).find((o) => o.name === c.name);
    return before !== undefined && JSON.stringify(before.fts) !== JSON.stringify(c.fts);
  });
  if (!steps.length && !reindexed.length) return stored.version;
  const retyped = steps.find((s) => s.kind === "retype_field");
  if (retyped) {
    throw new MigrationError(`schema version ${schema.version} retypes ${retyped.collection}.${retyped.field}; `
                             + "the browser replica cannot run a Retype's convert function",
                             `${retyped.collection}.${retyped.field}`);
  }
  const current = new Map(schema.collections.map((c) => [c.name, c]));
  db.exec("BEGIN IMMEDIATE");
  try {
    for (const name of new Set(steps.map((s) => s.collection))) {
      if (!exists(db, name)) continue;
      const mine = steps.filter((s) => s.collection === name);
      if (mine.some((s) => s.kind === "drop_collection")) dropCollection(db, name);
      else if (mine.some((s) => REBUILT.has(s.kind))) {
        const coll = /** @type {CollectionDescription} */ (current.get(name));
        freezeEntries(db, name, coll.primary_key);
        rebuild(db, coll, mine);
        migrateEntries(db, name, mine);
      }
    }
    for (const coll of reindexed) dropSearchIndex(db, coll.name);
    db.exec({ sql: "INSERT OR REPLACE INTO sync_state (key, value) VALUES ('web_schema', ?), ('schema_version', ?)",
              bind: [text, schema.version] });
    db.exec("COMMIT");
  } catch (err) {
    db.exec("ROLLBACK");
    if (err instanceof MigrationError) throw err;
    throw new MigrationError(`the replica could not be migrated to schema version ${schema.version}: `
                             + `${err instanceof Error ? err.message : err}`, "$.schema_version");
  }
  return stored.version;
}

/** The schema the replica's tables were made for. @param {any} db @returns {SchemaDescription | null} */
function storedSchema(db) {
  let value;
  try {
    value = db.selectValue("SELECT value FROM sync_state WHERE key = 'web_schema'");
  } catch { return null; } // a new database: no sync_state yet
  return value === undefined || value === null ? null : JSON.parse(value);
}

/** The changes of every version after `from`, oldest first.
 * @param {SchemaDescription} schema @param {number} from @returns {Step[]} */
function stepsBetween(schema, from) {
  const versions = schema.history ? schema.history.versions : [];
  if (!versions.some((v) => v.version === from)) {
    throw new MigrationError(`the server's schema history does not describe version ${from}, the replica's: `
                             + "it cannot be migrated", "$.schema_version");
  }
  // `steps` is the changes as data; a server from before it words them only as text
  return versions.filter((v) => v.version > from && v.version <= schema.version)
    .flatMap((v) => (v.steps ? v.steps.map(fromStep) : v.changes.map(parseChange)));
}

/** One change as data (GET /schema's history `steps`, shared.evolution.Change.as_step).
 * @param {{kind: string, collection: string, field: string, new_name: string}} step @returns {Step} */
function fromStep(step) {
  if (step.kind === "rename_field" && !step.new_name) {
    throw new MigrationError(`no new name for ${step.collection}.${step.field}`, "$.history");
  }
  return { kind: step.kind, collection: step.collection, field: step.field, to: step.new_name };
}

/** @param {any} db @param {string} name */
function exists(db, name) {
  return db.selectValue("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", [name]) !== undefined;
}

/** @param {any} db @param {string} name @returns {string[]} */
function columns(db, name) {
  return db.selectValues(`SELECT name FROM pragma_table_info(${sqlString(name)})`);
}

/** @param {string} s */
const sqlString = (s) => `'${s.replace(/'/g, "''")}'`;

/** @param {any} db @param {string} name */
function dropCollection(db, name) {
  db.exec(`DROP TABLE ${quote(name)}`);
  dropSearchIndex(db, name);
  db.exec({ sql: "DELETE FROM sync_queue WHERE collection = ?1 AND client_seq IN "
                 + "(SELECT client_seq FROM sync_queue WHERE collection != ?1)", bind: [name] });
}

/**
 * Insert entries that read their fields from their row (fields NULL) take a
 * copy first: the row is about to change shape.
 * @param {any} db @param {string} name @param {string} pk
 */
function freezeEntries(db, name, pk) {
  const names = columns(db, name).filter((n) => n !== pk && !ENGINE_COLUMNS.includes(n));
  if (!names.length) return;
  const packed = `json_object(${names.map((n) => `${sqlString(n)}, r.${quote(n)}`).join(", ")})`;
  db.exec({ sql: `UPDATE sync_queue SET fields = `
                 + `(SELECT ${packed} FROM ${quote(name)} r WHERE r.${quote(pk)} = sync_queue.row_id) `
                 + "WHERE collection = ? AND kind = 'insert' AND fields IS NULL", bind: [name] });
}

/**
 * Make the table as `coll` declares it, rows copied with their rowids:
 * renamed fields from their old column, dropped ones left behind, new ones
 * given their default.
 * @param {any} db @param {CollectionDescription} coll @param {Step[]} steps
 */
function rebuild(db, coll, steps) {
  const name = coll.name, temp = `${name}__offsync_migrating`;
  /** @type {Map<string, string>} a field's name after the steps -> its column now (renames may chain) */
  const from = new Map(columns(db, name).map((n) => [n, n]));
  for (const s of steps) {
    const column = from.get(s.field);
    if (s.kind === "rename_field" || s.kind === "drop_field") from.delete(s.field);
    if (s.kind === "rename_field" && column !== undefined) from.set(s.to, column);
  }
  db.exec(`DROP TABLE IF EXISTS ${quote(temp)}`);
  db.exec(coll.ddl[0].replace(`EXISTS ${quote(name)}`, `EXISTS ${quote(temp)}`));
  const target = [...coll.fields.map((f) => f.name), ...ENGINE_COLUMNS];
  /** @type {any[]} */
  const bind = [];
  const source = target.map((n) => {
    const column = from.get(n);
    if (column !== undefined) return quote(column);
    const f = coll.fields.find((x) => x.name === n);
    bind.push(storedDefault(f ? f.default : null, f ? f.type : ""));
    return "?";
  });
  try {
    db.exec({ sql: `INSERT INTO ${quote(temp)} (rowid, ${target.map(quote).join(", ")}) `
                   + `SELECT rowid, ${source.join(", ")} FROM ${quote(name)}`, bind });
  } catch (err) {
    throw new MigrationError(`${name}: a migrated row does not fit the declaration `
                             + `(${err instanceof Error ? err.message : err})`, name);
  }
  db.exec(`DROP TABLE ${quote(name)}`);
  db.exec(`ALTER TABLE ${quote(temp)} RENAME TO ${quote(name)}`);
  // the search index is made again from the rows, with the declared fields
  dropSearchIndex(db, name);
}

/** Drop a collection's FTS5 index and the triggers that feed it (replica.js createSearchIndex).
 * @param {any} db @param {string} name */
function dropSearchIndex(db, name) {
  for (const t of ["ai", "ad", "au"]) db.exec(`DROP TRIGGER IF EXISTS ${quote(`_web_fts_${name}_${t}`)}`);
  db.exec(`DROP TABLE IF EXISTS ${quote(`_web_fts_${name}`)}`);
}

/** A declared default as a stored value (big integers come as strings). @param {any} value @param {string} type */
function storedDefault(value, type) {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string" && (type === "integer" || type === "timestamp")) return BigInt(value);
  return value;
}

/**
 * Rename and drop fields in the queued writes on `name`, each in the encoding
 * it had (JSON text or MessagePack).
 * @param {any} db @param {string} name @param {Step[]} steps
 */
function migrateEntries(db, name, steps) {
  const found = db.selectArrays("SELECT id, fields FROM sync_queue WHERE collection = ? AND fields IS NOT NULL",
                                [name]);
  const update = db.prepare("UPDATE sync_queue SET fields = ? WHERE id = ?");
  try {
    for (const [id, raw] of found) {
      if (typeof raw === "string") {
        let migrated = raw;
        for (const s of steps) {
          const sql = jsonStep(s);
          if (sql !== null) migrated = db.selectValue(`SELECT ${sql}`, [migrated]);
        }
        if (migrated !== raw) update.bind([migrated, id]).stepReset();
      } else if (raw instanceof Uint8Array) {
        const fields = /** @type {{[k: string]: any}} */ (decode(raw));
        let changed = false;
        for (const s of steps) {
          if (s.kind === "rename_field" && s.field in fields) {
            fields[s.to] = fields[s.field];
            delete fields[s.field];
            changed = true;
          }
          if (s.kind === "drop_field" && s.field in fields) { delete fields[s.field]; changed = true; }
        }
        if (changed) update.bind([encode(fields), id]).stepReset();
      }
    }
  } finally { update.finalize(); }
}

/**
 * One step on a JSON object's keys, in SQL (SQLite's JSON functions keep big
 * integers exact, which JSON.parse would not).
 * @param {Step} s @returns {string | null} SQL reading the JSON text as ?1
 */
function jsonStep(s) {
  const key = sqlString(`$."${s.field}"`);
  if (s.kind === "drop_field") return `json_remove(?1, ${key})`;
  if (s.kind !== "rename_field") return null;
  return `CASE WHEN json_type(?1, ${key}) IS NULL THEN ?1 `
    + `ELSE json_set(json_remove(?1, ${key}), ${sqlString(`$."${s.to}"`)}, json(?1 -> ${key})) END`;
}
