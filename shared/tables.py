"""SQL for the device replica: collection tables, the engine's own tables, and
the change-capture triggers.

Pure text from a schema, in ``shared`` so that the server can hand the same
DDL to browsers (``GET /schema``) without importing ``sync_client``; the
Python replica builds its tables from it too.

Capture is done by triggers so that writes made through the API and writes
made with plain SQL on the replica's connection are queued by one mechanism,
inside the same transaction as the data change. The triggers call a few SQL
functions the :class:`~sync_client.replica.Replica` registers on its
connection:

==========================  ====================================================
offsync_capture()           1 while local writes are captured, 0 while server
                            changes are applied (so those are never queued
                            again)
offsync_capture_insert(c)   the same for inserts into collection c; 0 also while
                            the API inserts a batch into c that it queues itself
                            (``Replica.insert_many``)
offsync_qid()               the next queue id of the current transaction (one
                            mutation, one ``client_seq``: see
                            ``sync_client.queue``)
offsync_tick()              the next hybrid-clock timestamp (``insertOrder``)
offsync_default_scope()     the scope the server gave this device ('' before the
                            first sync)
offsync_pack(..)            name/value pairs -> MessagePack map (the fields of
                            an insert into a collection with blob fields)
offsync_diff(..)            name/old/new triples -> map of the changed ones, or
                            NULL
offsync_delta(..)           name/old/new triples of counters -> map of new-old,
                            or NULL
==========================  ====================================================

An insert's fields are otherwise packed natively, by ``json_object()``.

**Insert entries by reference.** A batch of API inserts (``insert_many``) does
not copy each row's fields into its queue entry: the entry's ``fields`` is
NULL, meaning "the row's fields, as they are", and one ``sync_bulk`` row
records the batch (its rows' insertOrders are consecutive, and so are their
queue ids). Readers of the queue take such an entry's fields from its row
(:func:`queue_fields_sql`). The row is the entry's fields only while it has not
changed, so before any change to it (an update, a delete, a server row written
over it) the ``freeze`` triggers (:func:`freeze_triggers_sql`) copy its fields
into the entry; server rows are therefore written with triggers on where one
of them has such an entry (:func:`holds_by_reference_sql`). Half the bytes a batch writes are then not
written (measured: 1.7 µs of a row's 7.2). A file holding such entries must
not be opened by an offsync from before them (it would push those inserts
without their fields).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .schema import (
    INSERT_ORDER_COLUMN,
    SCOPE_COLUMN,
    VERSION_COLUMN,
    Collection,
    Field,
)

from .messages import MAX_OPS_PER_MUTATION

#: queue id = client_seq << SEQ_SHIFT | the operation's place in its mutation
#: (see ``sync_client.queue``)
SEQ_SHIFT = 20
assert MAX_OPS_PER_MUTATION < 1 << SEQ_SHIFT, "a mutation's operations must fit below the next client_seq"

#: ``id`` is ``client_seq << 20`` plus the operation's place in its mutation;
#: ``fields`` is JSON text or MessagePack (see ``sync_client.queue``)
QUEUE_TABLE = """
CREATE TABLE IF NOT EXISTS {name} (
    id           INTEGER PRIMARY KEY,
    client_seq   INTEGER GENERATED ALWAYS AS (id >> {shift}) VIRTUAL,
    kind         TEXT NOT NULL CHECK (kind IN ('insert', 'update', 'delete', 'increment')),
    collection   TEXT NOT NULL,
    row_id       ANY NOT NULL,
    fields       ANY CHECK (fields IS NULL OR typeof(fields) IN ('text', 'blob')),
    base_version INTEGER NOT NULL,
    insert_order INTEGER NOT NULL,
    scope        TEXT NOT NULL
) STRICT;"""

#: the queue columns a capture writes (``client_seq`` follows from ``id``)
QUEUE_COLUMNS = "id, kind, collection, row_id, fields, base_version, insert_order, scope"

ENGINE_TABLES = """
CREATE TABLE IF NOT EXISTS sync_state (
    key   TEXT PRIMARY KEY,
    value ANY
) STRICT;

{queue}

-- during a full re-sync (Changes.resync): the rows its pages have brought; at
-- its end every other row, with nothing queued, goes
CREATE TABLE IF NOT EXISTS sync_resync_seen (
    collection TEXT NOT NULL,
    row_id     ANY NOT NULL,
    PRIMARY KEY (collection, row_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS sync_conflicts (
    id          INTEGER PRIMARY KEY,
    client_seq  INTEGER NOT NULL,
    collection  TEXT NOT NULL,
    row_id      ANY NOT NULL,
    kind        TEXT NOT NULL,
    local       BLOB,
    server      BLOB,
    reason      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

-- batches of insert entries whose fields are read from their rows (see above):
-- the rows of insertOrder first_order + i are queued as id first_id + i, i < count
CREATE TABLE IF NOT EXISTS sync_bulk (
    collection  TEXT NOT NULL,
    first_order INTEGER NOT NULL,
    first_id    INTEGER NOT NULL,
    count       INTEGER NOT NULL CHECK (count > 0),
    PRIMARY KEY (collection, first_order)
) STRICT, WITHOUT ROWID;
""".replace("{queue}", QUEUE_TABLE.format(name="sync_queue", shift=SEQ_SHIFT))

_SQL_TYPE = {
    "text": "TEXT",
    "integer": "INTEGER",
    "timestamp": "INTEGER",
    "boolean": "INTEGER",
    "real": "REAL",
    "json": "TEXT",
    "blob": "BLOB",
}


def quote(name: str) -> str:
    """Quote an SQL identifier (names are validated by the schema already)."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    """An SQL literal for a stored default value."""
    if value is None:
        return "NULL"
    if isinstance(value, (bool, int, float)):
        return repr(int(value) if isinstance(value, bool) else value)
    if isinstance(value, bytes):
        return "X'" + value.hex() + "'"
    return "'" + str(value).replace("'", "''") + "'"


def column_sql(collection: Collection, f: Field) -> str:
    """The column definition of one field, with its type checks."""
    parts = [quote(f.name), _SQL_TYPE[f.type]]
    if f.name == collection.primary_key:
        parts.append("PRIMARY KEY NOT NULL")
    elif f.required:
        parts.append("NOT NULL")
    stored_default = collection.defaults().get(f.name)
    if stored_default is not None:
        parts.append(f"DEFAULT {literal(stored_default)}")
    check = _check_sql(f)
    if check:
        parts.append(f"CONSTRAINT {quote(f'{collection.name}.{f.name} {check[1]}')} CHECK ({check[0]})")
    return " ".join(parts)


def _check_sql(f: Field) -> tuple[str, str] | None:
    col = quote(f.name)
    if f.type == "boolean":
        return f"{col} IN (0, 1)", "must be 0 or 1"
    if f.type == "json":
        return f"json_valid({col})", "must be valid JSON"
    return None


def create_table_sql(collection: Collection) -> str:
    """CREATE TABLE for a collection, with the engine's metadata columns."""
    columns = [column_sql(collection, f) for f in collection.fields.values()]
    columns += [
        f"{quote(INSERT_ORDER_COLUMN)} INTEGER",
        f"{quote(VERSION_COLUMN)} INTEGER NOT NULL DEFAULT 0",
        f"{quote(SCOPE_COLUMN)} TEXT NOT NULL DEFAULT ''",
    ]
    body = ",\n    ".join(columns)
    return f"CREATE TABLE IF NOT EXISTS {quote(collection.name)} (\n    {body}\n) STRICT"


def index_sql(collection: Collection) -> list[str]:
    """Indexes: declared ones, unique keys (not enforced locally: the server
    decides), and the retention order."""
    t = collection.name
    out = []
    for cols in (*collection.indexes, *collection.unique):
        name = quote(f"{t}_idx_{'_'.join(cols)}")
        out.append(f"CREATE INDEX IF NOT EXISTS {name} ON {quote(t)} ({', '.join(map(quote, cols))})")
    if collection.retention is not None:
        out.append(
            f"CREATE INDEX IF NOT EXISTS {quote(t + '_retention')} ON {quote(t)} "
            f"({scope_expr(collection, '')}, {quote(INSERT_ORDER_COLUMN)})"
        )
        # trimming asks "is this row queued?" of each candidate
        out.append(f"CREATE INDEX IF NOT EXISTS {quote('sync_queue_' + t)} ON sync_queue (row_id) "
                   f"WHERE collection = '{t}'")
    return out


def scope_expr(collection: Collection, row: str) -> str:
    """The SQL expression of a row's scope (``row`` is NEW, OLD or '')."""
    prefix = f"{row}." if row else ""
    name = collection.scope_field or SCOPE_COLUMN
    return prefix + quote(name)


def _filled_scope() -> str:
    """A new row's scope: its own, or the device's default scope if it named none."""
    scope = f"NEW.{quote(SCOPE_COLUMN)}"
    return f"CASE WHEN {scope} = '' THEN offsync_default_scope() ELSE {scope} END"


def trigger_names(collection: Collection) -> list[str]:
    t = collection.name
    return [f"_offsync_{t}_{event}" for event in ("insert", "update", "delete", "pk", "freeze_update", "freeze_delete")]


def drop_triggers_sql(collection: Collection) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {quote(n)}" for n in trigger_names(collection)]


def _queue_insert(kind: str, collection: Collection, row: str, fields_sql: str, insert_order_sql: str,
                  base_version_sql: str) -> str:
    pk = f"{row}.{quote(collection.primary_key)}"
    return (
        f"INSERT INTO sync_queue ({QUEUE_COLUMNS}) "
        f"VALUES (offsync_qid(), '{kind}', '{collection.name}', {pk}, {fields_sql}, {base_version_sql}, "
        f"{insert_order_sql}, {scope_expr(collection, row)})"
    )


def stamp_new_rows_sql(collection: Collection) -> str:
    """What the insert trigger does first, for every row above rowid ``?1``:
    give ``insertOrder`` to a row that has none and the device's default scope
    to a row that named none (plain SQL may leave both out)."""
    t = quote(collection.name)
    io, scope = quote(INSERT_ORDER_COLUMN), quote(SCOPE_COLUMN)
    return (f"UPDATE {t} SET {io} = coalesce({io}, offsync_tick()), "
            f"{scope} = CASE WHEN {scope} = '' THEN offsync_default_scope() ELSE {scope} END "
            f"WHERE rowid > ?1 AND ({io} IS NULL OR ({scope} = '' AND offsync_default_scope() != ''))")


def insert_fields_sql(collection: Collection, row: str, names: list[str] | None = None) -> str:
    """The SQL expression packing every field of a new row but the key (``row``
    is NEW, OLD, an alias, or '' for a plain SELECT; ``names``: these fields
    only): native JSON, or MessagePack where a blob field is declared (JSON
    cannot hold bytes)."""
    prefix = f"{row}." if row else ""
    if names is None:
        names = [n for n in collection.field_names if n != collection.primary_key]
    if not names:
        return "NULL"
    args = ", ".join(f"'{n}', {prefix}{quote(n)}" for n in names)
    if any(collection.fields[n].type == "blob" for n in names):
        return f"offsync_pack({args})"
    return f"json_object({args})"


@functools.cache
def upsert_sql(collection: Collection) -> str:
    """Write a server row whole: every field, ``insertOrder``, version and scope."""
    columns = (*collection.field_names, INSERT_ORDER_COLUMN, VERSION_COLUMN, SCOPE_COLUMN)
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns[1:])
    return (f"INSERT INTO {quote(collection.name)} ({', '.join(map(quote, columns))}) "
            f"VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT ({quote(collection.primary_key)}) DO UPDATE SET {updates}")


@functools.cache
def insert_sql(collection: Collection) -> str:
    """The API's INSERT of one row: the fields in declaration order, then
    ``insertOrder`` and the scope."""
    columns = (*collection.field_names, INSERT_ORDER_COLUMN, SCOPE_COLUMN)
    return (f"INSERT INTO {quote(collection.name)} ({', '.join(map(quote, columns))}) "
            f"VALUES ({', '.join('?' * len(columns))})")


InsertParams = Callable[[Sequence[Any], Sequence[tuple[Any, ...]], int, str], list[tuple[Any, ...]]]


@functools.cache
def insert_params(collection: Collection) -> InsertParams:
    """A function that makes the parameters of :func:`insert_sql` for many rows:
    ``(ids, values, first, scope)``, with ``values`` as ``Collection.insert_values``
    returns them (the key first, replaced by its id), consecutive insertOrders
    from ``first`` and one scope. Generated per collection from the field count
    alone: indexing each value costs half of unpacking a slice of it (0.12
    against 0.22 µs a row)."""
    picks = "".join(f"v[{k}], " for k in range(1, len(collection.field_names)))
    made: InsertParams = eval(  # the text holds only integers
        f"lambda ids, values, first, scope: [(i, {picks}o, scope) for i, v, o in zip(ids, values, count(first))]",
        {"count": itertools.count})
    return made


def queue_copy_sql(collection: Collection, *, by_reference: bool = False) -> str:
    """Queue, in one statement, the inserts of a batch the API just wrote: the
    rows of rowid > ?2, as queue ids from ?1 on (``Replica.insert_many``);
    ``by_reference``: their fields stay in the rows (see the module docstring)."""
    t = quote(collection.name)
    fields = "NULL" if by_reference else insert_fields_sql(collection, "")
    return (
        f"INSERT INTO sync_queue ({QUEUE_COLUMNS}) "
        f"SELECT ?1 + rowid - ?2 - 1, 'insert', '{collection.name}', {quote(collection.primary_key)}, "
        f"{fields}, {quote(VERSION_COLUMN)}, {quote(INSERT_ORDER_COLUMN)}, "
        f"{scope_expr(collection, '')} FROM {t} WHERE rowid > ?2 ORDER BY rowid"
    )


# -- insert entries by reference (see the module docstring) --------------------


def by_reference(collection: Collection) -> bool:
    """Whether a batch of inserts into ``collection`` is queued by reference:
    it has fields besides its text key, all of which JSON can hold."""
    names = [n for n in collection.field_names if n != collection.primary_key]
    return (collection.fields[collection.primary_key].type == "text" and bool(names)
            and all(collection.fields[n].type != "blob" for n in names))


def _bulk_entry_sql(collection: Collection, row: str) -> str:
    """The queue id of the by-reference insert entry of row ``row`` (OLD or an
    alias), or NULL if its insertOrder falls in no batch of ``sync_bulk``."""
    io = f"{row}.{quote(INSERT_ORDER_COLUMN)}"
    return (f"(SELECT CASE WHEN {io} < first_order + count THEN first_id + {io} - first_order END "
            f"FROM sync_bulk WHERE collection = '{collection.name}' AND first_order <= {io} "
            "ORDER BY first_order DESC LIMIT 1)")


def freeze_triggers_sql(collection: Collection) -> list[str]:
    """Before a row's fields or insertOrder change, or it goes, copy its fields
    into its insert entry if that entry holds them by reference. On whether
    capture is on or off: a server row written over it changes it too."""
    t = quote(collection.name)
    pk = quote(collection.primary_key)
    names = trigger_names(collection)
    body = (f"UPDATE sync_queue SET fields = {insert_fields_sql(collection, 'OLD')} "
            f"WHERE id = {_bulk_entry_sql(collection, 'OLD')} AND fields IS NULL AND row_id = OLD.{pk}")
    watched = ", ".join(quote(n) for n in (*collection.field_names, INSERT_ORDER_COLUMN))
    return [
        f"CREATE TRIGGER {quote(names[4])} BEFORE UPDATE OF {watched} ON {t} BEGIN\n  {body};\nEND",
        f"CREATE TRIGGER {quote(names[5])} BEFORE DELETE ON {t} BEGIN\n  {body};\nEND",
    ]


@functools.cache
def holds_by_reference_sql(collection: Collection) -> str:
    """A query that returns a row if any of the rows whose ids are in the JSON
    array ``?1`` has an insert entry holding its fields by reference: the rows
    the freeze triggers would copy before a change (the same test)."""
    t, pk = quote(collection.name), quote(collection.primary_key)
    return (f"SELECT 1 FROM json_each(?1) j JOIN {t} r ON r.{pk} = j.value "
            f"WHERE EXISTS (SELECT 1 FROM sync_queue WHERE id = {_bulk_entry_sql(collection, 'r')} "
            f"AND fields IS NULL AND row_id = r.{pk}) LIMIT 1")


def _row_fields_sql(collection: Collection, names: list[str] | None = None) -> str:
    """The fields of the row a ``sync_queue`` entry names, packed as an insert
    entry holds them (a scalar subquery for a statement over ``sync_queue``)."""
    return (f"(SELECT {insert_fields_sql(collection, 'r', names)} FROM {quote(collection.name)} r "
            f"WHERE r.{quote(collection.primary_key)} = sync_queue.row_id)")


def freeze_all_sql(collection: Collection, names: list[str]) -> str:
    """Copy the fields ``names`` into every by-reference insert entry of a
    collection (before its table changes shape: a migration)."""
    return (f"UPDATE sync_queue SET fields = {_row_fields_sql(collection, names)} "
            f"WHERE collection = '{collection.name}' AND kind = 'insert' AND fields IS NULL AND EXISTS ("
            f"SELECT 1 FROM sync_bulk b WHERE b.collection = '{collection.name}' "
            "AND sync_queue.id BETWEEN b.first_id AND b.first_id + b.count - 1)")


def queue_fields_sql(collections: Iterable[Collection]) -> str:
    """The expression reading an entry's fields in a SELECT from ``sync_queue``:
    the column, or for a by-reference insert entry, its row's fields."""
    cases = [f"WHEN '{c.name}' THEN {_row_fields_sql(c)}" for c in collections if by_reference(c)]
    if not cases:
        return "fields"
    return f"CASE WHEN fields IS NULL AND kind = 'insert' THEN CASE collection {' '.join(cases)} END ELSE fields END"


#: drop the batches all of whose entries have left the queue
PRUNE_BULK_SQL = ("DELETE FROM sync_bulk WHERE first_id + count <= "
                  "(SELECT coalesce(min(id), 9223372036854775807) FROM sync_queue)")


def retention_sql(collection: Collection, scope_sql: str) -> str:
    """Delete the rows of one scope beyond the newest ``keep`` (by insertOrder),
    except rows with queued operations. The deletes are captured and synced."""
    assert collection.retention is not None
    t = quote(collection.name)
    pk = quote(collection.primary_key)
    return (
        f"DELETE FROM {t} WHERE {pk} IN (SELECT {pk} FROM {t} WHERE {scope_expr(collection, '')} = {scope_sql} "
        f"ORDER BY {quote(INSERT_ORDER_COLUMN)} DESC LIMIT -1 OFFSET {collection.retention.keep}) "
        f"AND NOT EXISTS (SELECT 1 FROM sync_queue WHERE collection = '{collection.name}' AND row_id = {t}.{pk})"
    )


def triggers_sql(collection: Collection) -> list[str]:
    """The capture triggers of one collection (see the module docstring)."""
    t = quote(collection.name)
    pk = quote(collection.primary_key)
    io = quote(INSERT_ORDER_COLUMN)
    ver = quote(VERSION_COLUMN)
    names = trigger_names(collection)
    plain = [n for n in collection.field_names if n != collection.primary_key and n not in collection.counters]
    counters = sorted(collection.counters)

    fields_sql = insert_fields_sql(collection, "NEW")
    insert_body = [
        # plain SQL may leave insertOrder out: fill it from the hybrid clock; and a
        # row named no scope belongs to the device's default scope once it is known
        f"UPDATE {t} SET {io} = coalesce(NEW.{io}, offsync_tick()), {quote(SCOPE_COLUMN)} = {_filled_scope()} "
        f"WHERE (NEW.{io} IS NULL OR (NEW.{quote(SCOPE_COLUMN)} = '' AND offsync_default_scope() != '')) "
        f"AND {pk} = NEW.{pk}",
        _queue_insert("insert", collection, "NEW", fields_sql,
                      f"coalesce(NEW.{io}, (SELECT {io} FROM {t} WHERE {pk} = NEW.{pk}))", f"NEW.{ver}"),
    ]
    if collection.retention is not None:
        scope_new = scope_expr(collection, "NEW") if collection.scope_field else _filled_scope()
        insert_body.append(retention_sql(collection, scope_new))
    out = [
        f"CREATE TRIGGER {quote(names[0])} AFTER INSERT ON {t} "
        f"WHEN offsync_capture_insert('{collection.name}') BEGIN\n  "
        + ";\n  ".join(insert_body) + ";\nEND"
    ]

    update_body = []
    if plain:
        diff_args = ", ".join(f"'{n}', OLD.{quote(n)}, NEW.{quote(n)}" for n in plain)
        update_body.append(
            f"INSERT INTO sync_queue ({QUEUE_COLUMNS}) "
            f"SELECT offsync_qid(), 'update', '{collection.name}', NEW.{pk}, d, OLD.{ver}, offsync_tick(), "
            f"{scope_expr(collection, 'NEW')} FROM (SELECT offsync_diff({diff_args}) AS d) WHERE d IS NOT NULL"
        )
    if counters:
        delta_args = ", ".join(f"'{n}', OLD.{quote(n)}, NEW.{quote(n)}" for n in counters)
        update_body.append(
            f"INSERT INTO sync_queue ({QUEUE_COLUMNS}) "
            f"SELECT offsync_qid(), 'increment', '{collection.name}', NEW.{pk}, d, OLD.{ver}, offsync_tick(), "
            f"{scope_expr(collection, 'NEW')} FROM (SELECT offsync_delta({delta_args}) AS d) WHERE d IS NOT NULL"
        )
    if update_body:
        watched = ", ".join(quote(n) for n in (*plain, *counters))
        out.append(
            f"CREATE TRIGGER {quote(names[1])} AFTER UPDATE OF {watched} ON {t} WHEN offsync_capture() BEGIN\n  "
            + ";\n  ".join(update_body) + ";\nEND"
        )
    out.append(
        f"CREATE TRIGGER {quote(names[2])} AFTER DELETE ON {t} WHEN offsync_capture() BEGIN\n  "
        + _queue_insert("delete", collection, "OLD", "NULL", "offsync_tick()", f"OLD.{ver}")
        + ";\nEND"
    )
    moved = [f"OLD.{pk} IS NOT NEW.{pk}"]
    if collection.scope_field:
        moved.append(f"OLD.{quote(collection.scope_field)} IS NOT NEW.{quote(collection.scope_field)}")
    else:
        moved.append(f"(OLD.{quote(SCOPE_COLUMN)} != '' AND OLD.{quote(SCOPE_COLUMN)} IS NOT NEW.{quote(SCOPE_COLUMN)})")
    out.append(
        f"CREATE TRIGGER {quote(names[3])} BEFORE UPDATE ON {t} WHEN offsync_capture() AND ({' OR '.join(moved)}) "
        f"BEGIN SELECT RAISE(ABORT, '{collection.name}: a row''s id and scope cannot change; "
        "delete it and insert a new one'); END"
    )
    if by_reference(collection):
        out += freeze_triggers_sql(collection)
    return out
