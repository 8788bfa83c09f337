"""The search indexes of a replica, kept in step with its rows.

A replica here is any :class:`~sync_search.database.Indexed` database: a
device's ``Replica``, or the server's :class:`~sync_search.read_model.ReadModel`.
For every collection that declares them, it holds:

``_search_<c>_upto``
    one row, ``(fts, vec)``: each index's mark, the highest rowid it has
    taken in. A row inserted above a mark needs no journal entry (new rows
    get rowids above every existing one): the insert triggers compare and
    stand aside, and the indexers take such rows in by a rowid range scan,
    then move the mark. Only writes to rows at or below a mark are
    journalled, in the tables below.
``_search_<c>_fts``
    an FTS5 table with external content (the collection table itself, by
    rowid), so the text is stored once. Triggers journal every change to a
    row it has taken in, in ``_search_<c>_fts_todo`` / ``_fts_undo``, in the
    writing transaction, and :func:`sync_search.indexer.refresh_text` applies
    the journal and takes in the new rows in bulk (see below why); every
    search does that first, so text results are always current.
``_search_<c>_vec``
    a sqlite-vec ``vec0`` table of int8 vectors, by the collection's rowid.
    The unit vectors are scaled by one constant (so Euclidean distance ranks
    like cosine) and rounded: a quarter of the float32 size, and sqlite-vec
    scans int8 with L2 about twice as fast as with its cosine.
``_search_<c>_stale``
    rowids at or below the ``vec`` mark whose vector is missing or out of
    date (the rows above it wait too). Embedding runs in Python, so triggers
    only mark rows here; :func:`sync_search.indexer.refresh_vectors` embeds
    them in batches, off the write path (a search catches up a little first,
    and :class:`sync_search.indexer.Indexer` does the rest on a background
    thread).

The triggers are plain SQL and, unlike the capture triggers, are not gated
by ``offsync_capture()`` (nor use ``OR IGNORE``, which an outer upsert's
conflict policy would override: they test ``NOT EXISTS`` instead): API
writes, plain-SQL writes and rows applied from the server all keep the
indexes in step, and they keep working on a connection where this module was
never imported. The insert triggers are also declared to the replica as one
statement per batch (``Replica.add_bulk_insert``), so ``insert_many`` can run
a batch with triggers off. ``_search_meta`` records what each index was built
from; a declaration that changed (fields, dim, embedder, tokenizer, or
:data:`LAYOUT`) rebuilds that index on open: emptied, its mark at 0.

Where FTS5 is missing (or :data:`FORCE_LIKE` is set, for tests) no FTS table
is kept and the text ranking falls back to ``LIKE``; when FTS5 is back, the
next open rebuilds the index from the rows.

A rowid is the join key, so ``VACUUM`` (which may renumber the rowids of a
table without an ``INTEGER PRIMARY KEY``) must be followed by
:func:`rebuild_indexes`.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

import apsw

from shared import tables
from shared.schema import SCOPE_COLUMN, Collection

from . import vec0_chunks
from .embedders import get_embedder
from .database import Indexed, single_value

#: act as if SQLite had no FTS5 (set before opening a replica; tests use it)
FORCE_LIKE = False
TOKENIZER = "porter unicode61 remove_diacritics 2"
#: FTS5 keeps a refresh's terms in memory up to this size before it writes
#: them out as a segment (its default: 1 MiB). Fewer, larger segments mean
#: less merging: taking in 100,000 notes measured 9.1 -> 6.2 µs per row
FTS_HASH_BYTES = 8 << 20
#: the layout of the journals and marks; part of what an index is built
#: from, so a replica written by another layout rebuilds its indexes on open
LAYOUT = "upto-1"
#: unit vectors are stored as round(v * VECTOR_SCALE), clipped to int8: the
#: components of a text's vector rarely pass 0.3 (about 76 here), and a larger
#: scale keeps more precision (measured: recall@10 0.977 against float32
#: cosine, with the exact re-ranking of :mod:`sync_search.ranking`)
VECTOR_SCALE = 254
_META = "CREATE TABLE IF NOT EXISTS _search_meta (name TEXT PRIMARY KEY, built_from TEXT NOT NULL) STRICT"


def fts_table(coll: Collection) -> str:
    return f"_search_{coll.name}_fts"


def vec_table(coll: Collection) -> str:
    return f"_search_{coll.name}_vec"


def stale_table(coll: Collection) -> str:
    return f"_search_{coll.name}_stale"


def text_todo_table(coll: Collection) -> str:
    return f"_search_{coll.name}_fts_todo"


def text_undo_table(coll: Collection) -> str:
    return f"_search_{coll.name}_fts_undo"


def upto_table(coll: Collection) -> str:
    return f"_search_{coll.name}_upto"


def indexed_upto(c: apsw.Connection, coll: Collection, index: str) -> int:
    """The highest rowid the ``fts`` or ``vec`` index has taken in (rows above it wait)."""
    return int(single_value(c, f"SELECT {index} FROM {tables.quote(upto_table(coll))}"))


def set_indexed_upto(c: apsw.Connection, coll: Collection, index: str, rowid: int) -> None:
    c.execute(f"UPDATE {tables.quote(upto_table(coll))} SET {index} = max({index}, ?)", (rowid,))


def _taken_in(coll: Collection, index: str, row: str) -> str:
    """SQL: the row (``NEW`` or ``OLD``) is at or below the index's mark."""
    return f"{row}.rowid <= (SELECT {index} FROM {tables.quote(upto_table(coll))})"


def _open_upto(c: apsw.Connection, coll: Collection) -> None:
    upto = tables.quote(upto_table(coll))
    c.execute(f"CREATE TABLE IF NOT EXISTS {upto} (fts INTEGER NOT NULL, vec INTEGER NOT NULL) STRICT")
    c.execute(f"INSERT INTO {upto} (fts, vec) SELECT 0, 0 WHERE NOT EXISTS (SELECT 1 FROM {upto})")


def _trigger(coll: Collection, index: str, event: str) -> str:
    return tables.quote(_trigger_name(coll, index, event))


def _trigger_name(coll: Collection, index: str, event: str) -> str:
    return f"_search_{coll.name}_{index}_{event}"


def _bulk_insert_sql(coll: Collection, index: str) -> str:
    """What the ``index`` insert trigger does, once for all the rows of rowid
    > ?1 (see ``Replica.add_bulk_insert``): journal those at or below the mark."""
    t, upto = tables.quote(coll.name), tables.quote(upto_table(coll))
    if index == "fts":
        into = f"{tables.quote(text_todo_table(coll))} (row) SELECT rowid"
    else:
        into = f"{tables.quote(stale_table(coll))} (row, had) SELECT rowid, 0"
    return (f"INSERT OR IGNORE INTO {into} FROM {t} "
            f"WHERE rowid > ?1 AND rowid <= (SELECT {index} FROM {upto}) ORDER BY rowid")


def fts5_available(connection: apsw.Connection) -> bool:
    """True if this SQLite has FTS5 and :data:`FORCE_LIKE` is not set."""
    if FORCE_LIKE:
        return False
    return any(row[0] == "ENABLE_FTS5" for row in connection.execute("PRAGMA compile_options"))


def uses_fts5(replica: Indexed, coll: Collection) -> bool:
    """True if the collection's text ranking is answered by its FTS5 table."""
    if not coll.fts or FORCE_LIKE:
        return False
    with replica.lock:  # the connection is shared by threads (an indexer, searches): one user at a time
        return _built_from(replica.connection, f"{coll.name}.fts") not in (None, "off")


def has_vectors(replica: Indexed, coll: Collection) -> bool:
    """True if the collection keeps a vec0 table on this replica."""
    if coll.vector is None:
        return False
    with replica.lock:
        return _built_from(replica.connection, f"{coll.name}.vector") not in (None, "off")


def _built_from(c: apsw.Connection, name: str) -> str | None:
    rows = c.execute("SELECT built_from FROM _search_meta WHERE name = ?", (name,)).fetchall()
    return str(rows[0][0]) if rows else None


def _record(c: apsw.Connection, name: str, built_from: str) -> None:
    c.execute("INSERT INTO _search_meta (name, built_from) VALUES (?, ?) "
              "ON CONFLICT (name) DO UPDATE SET built_from = excluded.built_from", (name, built_from))


def _index_triggers(coll: Collection, index: str, fields: Sequence[str], *, on_insert: str, on_update: str,
                    on_delete: str, delete_when_taken_in: bool = True) -> list[str]:
    """The ``index``'s insert, update and delete triggers on ``coll``, with these bodies.

    The insert trigger runs for rows at or below the index's mark, the update
    trigger for those whose ``fields`` changed; the delete trigger for every
    row, or with ``delete_when_taken_in`` only for those at or below the mark.
    """
    t = tables.quote(coll.name)
    cols = ", ".join(tables.quote(f) for f in fields)
    changed = " OR ".join(f"OLD.{tables.quote(f)} IS NOT NEW.{tables.quote(f)}" for f in fields)

    def trigger(event: str, when: str | None, body: str) -> str:
        on = f"UPDATE OF {cols}" if event == "update" else event.upper()
        condition = f"WHEN {when} " if when else ""
        return f"CREATE TRIGGER {_trigger(coll, index, event)} AFTER {on} ON {t} {condition}BEGIN {body}; END"

    return [
        trigger("insert", _taken_in(coll, index, "NEW"), on_insert),
        trigger("update", f"({changed}) AND {_taken_in(coll, index, 'OLD')}", on_update),
        trigger("delete", _taken_in(coll, index, "OLD") if delete_when_taken_in else None, on_delete),
    ]


# -- full text --------------------------------------------------------------
#
# The FTS table is written in batches, not row by row from the triggers:
# FTS5 flushes its pending terms to disk at every statement savepoint, and
# a trigger-driven insert opens one per row, which measured 3-4x slower than
# the same rows written in one statement. Rows above the ``fts`` mark are
# not in the index and need no journal; for the rows at or below it the
# triggers journal what changed, transactionally, in two plain tables:
#
#   todo  rowids to (re)index from their current values
#   undo  (rowid, old values) to take out of the index (external content:
#         FTS5 must be told exactly what it indexed)
#
# and ``indexer.refresh_text`` applies the journal in two statements and
# takes in the rows above the mark in a third. A row in ``todo`` is either
# not indexed or has its indexed values in ``undo``, so an update or delete
# of it journals nothing more. Searches refresh first.

def _text_triggers(coll: Collection) -> list[str]:
    todo, undo = tables.quote(text_todo_table(coll)), tables.quote(text_undo_table(coll))
    cols = ", ".join(tables.quote(f) for f in coll.fts)
    old = ", ".join(f"OLD.{tables.quote(f)}" for f in coll.fts)
    mark = f"INSERT INTO {todo} (row) SELECT NEW.rowid WHERE NOT EXISTS (SELECT 1 FROM {todo} WHERE row = NEW.rowid)"
    take_out = (f"INSERT INTO {undo} (row, {cols}) SELECT OLD.rowid, {old} "
                f"WHERE NOT EXISTS (SELECT 1 FROM {todo} WHERE row = OLD.rowid)")
    return _index_triggers(coll, "fts", coll.fts, on_insert=mark, on_update=f"{take_out}; {mark}",
                           on_delete=f"{take_out}; DELETE FROM {todo} WHERE row = OLD.rowid")


def _drop_triggers(c: apsw.Connection, coll: Collection, index: str) -> None:
    for event in ("insert", "delete", "update"):
        c.execute(f"DROP TRIGGER IF EXISTS {_trigger(coll, index, event)}")


def _open_text_index(c: apsw.Connection, coll: Collection) -> None:
    name = f"{coll.name}.fts"
    _drop_triggers(c, coll, "fts")
    if not fts5_available(c):
        _record(c, name, "off")  # the table (if any) goes stale: rebuilt when FTS5 is back
        return
    cols = ", ".join(tables.quote(f) for f in coll.fts)
    todo, undo = tables.quote(text_todo_table(coll)), tables.quote(text_undo_table(coll))
    c.execute(f"CREATE TABLE IF NOT EXISTS {todo} (row INTEGER PRIMARY KEY) STRICT")
    built_from = f"fts5 {','.join(coll.fts)} {TOKENIZER} {LAYOUT}"
    if _built_from(c, name) != built_from:
        # an empty index with its mark at 0: the next refresh takes every row in
        fts = tables.quote(fts_table(coll))
        c.execute(f"DROP TABLE IF EXISTS {fts}")
        c.execute(f"DROP TABLE IF EXISTS {undo}")
        c.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content={tables.literal(coll.name)}, "
                  f"content_rowid='rowid', tokenize={tables.literal(TOKENIZER)})")
        c.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('hashsize', {FTS_HASH_BYTES})")
        c.execute(f"DELETE FROM {todo}")
        c.execute(f"UPDATE {tables.quote(upto_table(coll))} SET fts = 0")
        _record(c, name, built_from)
    c.execute(f"CREATE TABLE IF NOT EXISTS {undo} (id INTEGER PRIMARY KEY, row INTEGER NOT NULL, "
              f"{', '.join(tables.quote(f) + ' ANY' for f in coll.fts)}) STRICT")
    for sql in _text_triggers(coll):
        c.execute(sql)


# -- vectors ------------------------------------------------------------------

def _vector_triggers(coll: Collection) -> list[str]:
    assert coll.vector is not None
    vec, stale = tables.quote(vec_table(coll)), tables.quote(stale_table(coll))
    # ``had``: the row may have a vector to replace (an insert cannot, so a
    # bulk of new rows skips the vec0 delete). Rows above the ``vec`` mark
    # wait without an entry (and must not get one: they would be embedded twice)

    def mark(had: int) -> str:
        return (f"INSERT INTO {stale} (row, had) SELECT NEW.rowid, {had} "
                f"WHERE NOT EXISTS (SELECT 1 FROM {stale} WHERE row = NEW.rowid)")

    return _index_triggers(coll, "vec", coll.vector.fields, on_insert=mark(0), on_update=mark(1),
                           on_delete=f"DELETE FROM {vec} WHERE rowid = OLD.rowid; DELETE FROM {stale} WHERE row = OLD.rowid",
                           delete_when_taken_in=False)


def _open_vector_index(c: apsw.Connection, coll: Collection, vec_loaded: bool) -> None:
    assert coll.vector is not None
    name = f"{coll.name}.vector"
    _drop_triggers(c, coll, "vec")
    if not vec_loaded:
        _record(c, name, "off")
        return
    v = coll.vector
    get_embedder(v.embedder, v.dim)  # an unknown embedder fails the open, not the first search
    built_from = f"vec0 int8[{v.dim}] l2 x{VECTOR_SCALE} {v.embedder} {','.join(v.fields)} {LAYOUT}"
    stale = tables.quote(stale_table(coll))
    c.execute(f"CREATE TABLE IF NOT EXISTS {stale} (row INTEGER PRIMARY KEY, had INTEGER NOT NULL) STRICT")
    if _built_from(c, name) != built_from:
        # an empty index with its mark at 0: every row waits for its vector
        vec = tables.quote(vec_table(coll))
        c.execute(f"DROP TABLE IF EXISTS {vec}")
        c.execute(f"CREATE VIRTUAL TABLE {vec} USING vec0(embedding int8[{v.dim}])")
        c.execute(f"DELETE FROM {stale}")
        c.execute(f"UPDATE {tables.quote(upto_table(coll))} SET vec = 0")
        _record(c, name, built_from)
    for sql in _vector_triggers(coll):
        c.execute(sql)


# -- vec0's storage: see sync_search.vec0_chunks ------------------------------------

_chunk_writes: weakref.WeakKeyDictionary[Indexed, set[str]] = weakref.WeakKeyDictionary()


def writes_vec0_chunks(replica: Indexed, coll: Collection) -> bool:
    """True if the indexer may write this collection's vectors straight into vec0's chunks."""
    return coll.name in _chunk_writes.get(replica, ())


def open_indexes(replica: Indexed) -> None:
    """Create or bring up to date the search indexes of every collection that
    declares ``fts`` or ``vector`` (runs inside the replica's opening transaction)."""
    c = replica.connection
    c.execute(_META)
    for coll in replica.schema:
        if not coll.fts and coll.vector is None:
            continue
        _open_upto(c, coll)
        if coll.fts:
            _open_text_index(c, coll)
            if uses_fts5(replica, coll):
                replica.add_bulk_insert(coll.name, _trigger_name(coll, "fts", "insert"), _bulk_insert_sql(coll, "fts"))
        if coll.vector is not None:
            _open_vector_index(c, coll, replica.vec_loaded)
            chunk_writes = _chunk_writes.setdefault(replica, set())
            chunk_writes.discard(coll.name)
            if has_vectors(replica, coll):
                replica.add_bulk_insert(coll.name, _trigger_name(coll, "vec", "insert"), _bulk_insert_sql(coll, "vec"))
                if vec0_chunks.layout_known(c, vec_table(coll)):
                    chunk_writes.add(coll.name)
        # searches filtered by scope (every server-side one) find their rows by index, not by a scan
        c.execute(f"CREATE INDEX IF NOT EXISTS {tables.quote(f'_search_{coll.name}_scope')} "
                  f"ON {tables.quote(coll.name)} ({tables.quote(SCOPE_COLUMN)})")


def rebuild_indexes(replica: Indexed) -> None:
    """Rebuild every search index from the rows (after ``VACUUM``, or to repair)."""
    with replica.transaction():
        c = replica.connection
        c.execute(_META)
        c.execute("DELETE FROM _search_meta")
        open_indexes(replica)
