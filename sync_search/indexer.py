"""Bringing a replica's search indexes up to date.

The triggers of :mod:`sync_search.indexes` only journal what changed
in rows an index has taken in, in the writing transaction; new rows (above
an index's mark) need no journal at all. The work is done here, in batches,
off the write path:

* :func:`refresh_text` applies the text journal to the FTS5 table and takes
  in the rows above its mark, in three statements (every search does it
  first, so text results are exact);
* :func:`refresh_vectors` embeds the rows of the stale list, then the rows
  above the vector mark, and writes their int8 vectors to ``vec0``: texts are
  read under the replica's lock, embedded with the lock released (on a
  second thread, while the previous batch is written), and written back only
  for rows whose text did not change in between;
* :class:`Indexer` does both on a background thread, woken by local commits
  and by rows applied from the server.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import apsw
import numpy as np

from shared import tables
from shared.errors import StateError
from shared.schema import Collection

from . import vec0_chunks
from .embedders import Embedder, get_embedder
from .database import Indexed, Watched, single_value
from .indexes import (
    VECTOR_SCALE,
    fts_table,
    has_vectors,
    indexed_upto,
    set_indexed_upto,
    stale_table,
    text_todo_table,
    text_undo_table,
    uses_fts5,
    vec_table,
    writes_vec0_chunks,
)

#: rows embedded per batch: large enough for NumPy and SQLite to pay off
#: (one commit per batch; a vec0 chunk filled at once), small enough that the
#: replica's lock is never held long (about 2 ms to write one)
BATCH = 1024

Row = tuple[Any, ...]  # (rowid, had a vector, gone, embedding text)


# -- text ---------------------------------------------------------------------

def refresh_text(replica: Indexed, collection: str | None = None) -> int:
    """Apply the journalled changes to the FTS tables and take in new rows; returns the rows (re)indexed.

    Args:
        collection: one collection, or every collection with an FTS index.
    """
    names = [collection] if collection is not None else [c.name for c in replica.schema if c.fts]
    done = 0
    for name in names:
        coll = replica.schema[name]
        if uses_fts5(replica, coll):
            done += _apply_text_journal(replica, coll)
    return done


def _apply_text_journal(replica: Indexed, coll: Collection) -> int:
    fts, t = tables.quote(fts_table(coll)), tables.quote(coll.name)
    todo, undo = tables.quote(text_todo_table(coll)), tables.quote(text_undo_table(coll))
    cols = ", ".join(tables.quote(f) for f in coll.fts)
    with replica.lock:
        replica._check_open()
        c = replica.connection
        upto = indexed_upto(c, coll, "fts")
        pending = c.execute(f"SELECT EXISTS (SELECT 1 FROM {todo}) OR EXISTS (SELECT 1 FROM {undo}) "
                            f"OR EXISTS (SELECT 1 FROM {t} WHERE rowid > ?)", (upto,)).fetchall()
        if not pending[0][0]:
            return 0
        with c:
            c.execute(f"INSERT INTO {fts} ({fts}, rowid, {cols}) SELECT 'delete', row, {cols} FROM {undo} ORDER BY id")
            c.execute(f"DELETE FROM {undo}")
            c.execute(f"INSERT INTO {fts} (rowid, {cols}) SELECT t.rowid, "
                      f"{', '.join('t.' + tables.quote(f) for f in coll.fts)} FROM {todo} JOIN {t} t ON t.rowid = {todo}.row")
            done = c.changes()
            c.execute(f"DELETE FROM {todo}")
            # the rows above the mark: not indexed, not journalled
            c.execute(f"INSERT INTO {fts} (rowid, {cols}) SELECT rowid, {cols} FROM {t} WHERE rowid > ?", (upto,))
            done += c.changes()
            set_indexed_upto(c, coll, "fts", _last_rowid(c, coll))
    return done


def _last_rowid(c: apsw.Connection, coll: Collection) -> int:
    return int(single_value(c, f"SELECT coalesce(max(rowid), 0) FROM {tables.quote(coll.name)}"))


# -- vectors --------------------------------------------------------------------

def quantize(vectors: np.ndarray) -> np.ndarray:
    """Unit vectors -> int8, all by one scale (see ``indexes.VECTOR_SCALE``)."""
    scaled = vectors * VECTOR_SCALE
    np.rint(scaled, out=scaled)
    np.clip(scaled, -127, 127, out=scaled)
    quantized: np.ndarray = scaled.astype(np.int8)
    return quantized


def embedding_text_sql(coll: Collection, alias: str) -> str:
    """SQL for the text a row's vector is computed from: its vector fields as
    text, one per line, NULLs left out."""
    assert coll.vector is not None
    return f"concat_ws(char(10), {', '.join(f'{alias}.{tables.quote(f)}' for f in coll.vector.fields)})"


def stale_count(replica: Indexed, coll: Collection) -> int:
    """How many rows of the collection still wait for their vector."""
    with replica.lock:
        c = replica.connection
        above = f"SELECT count(*) FROM {tables.quote(coll.name)} WHERE rowid > ?"
        return int(single_value(c, f"SELECT (SELECT count(*) FROM {tables.quote(stale_table(coll))}) + ({above})",
                                (indexed_upto(c, coll, "vec"),)))


def refresh_vectors(replica: Indexed, collection: str | None = None, *, limit: int | None = None,
                    batch: int = BATCH) -> int:
    """Embed rows whose vector is missing or out of date; returns how many rows stopped waiting.

    A row edited while its batch was embedded stays stale for the next call.

    Args:
        collection: one collection, or every collection with a vector.
        limit: stop after about this many rows (a search catching up a little).
        batch: rows per batch.
    """
    names = [collection] if collection is not None else [c.name for c in replica.schema if c.vector]
    done = 0
    for name in names:
        coll = replica.schema[name]
        if has_vectors(replica, coll) and (limit is None or done < limit):
            done += _VectorRefresh(replica, coll, batch).run(None if limit is None else limit - done)
    return done


@dataclass(frozen=True)
class _Batch:
    """Rows read for embedding. ``above`` is None for rows of the stale list;
    for rows above the mark it is the rowid they were read after, which the
    mark must still be at when they are written."""

    rows: list[Row]
    mark: tuple[int, int, int]  # (total changes, our own changes, data_version) when read
    above: int | None


class _VectorRefresh:
    """One pass over a collection's waiting rows in rowid order, the stale
    list first, then the rows above the mark: batch i+1 is read and embedded
    on a helper thread while batch i is written."""

    def __init__(self, replica: Indexed, coll: Collection, batch: int) -> None:
        assert coll.vector is not None
        self.replica = replica
        self.coll = coll
        self.batch = batch
        self.embedder: Embedder = get_embedder(coll.vector.embedder, coll.vector.dim)
        self.text = embedding_text_sql(coll, "t")
        self.after = 0  # the last rowid read: rows left stale are not read again in this pass
        self.reading_stale = True
        self.own_changes = 0  # rows changed by our writes
        self.overtaken = False  # someone else moved the mark: stop

    def run(self, limit: int | None) -> int:
        done = 0
        ahead = self._read(limit)
        if ahead is None:
            return 0
        pool = ThreadPoolExecutor(1, thread_name_prefix="offsync-embed")
        try:
            embedding: Future[np.ndarray] | None = pool.submit(self._embed, ahead)
            while ahead is not None and embedding is not None and not self.overtaken:
                found = ahead
                left = None if limit is None else limit - done - len(found.rows)
                ahead = self._read(left) if left is None or left > 0 else None
                vectors = embedding.result()
                # the next batch is embedded while this one is written
                embedding = pool.submit(self._embed, ahead) if ahead is not None else None
                done += self._write(found, vectors)
        finally:
            pool.shutdown(wait=True)
        return done

    def _read(self, limit: int | None) -> _Batch | None:
        size = self.batch if limit is None else min(self.batch, limit)
        with self.replica.lock:
            self.replica._check_open()
            c = self.replica.connection
            total, version = _write_mark(c)
            found = self._read_stale(c, size) if self.reading_stale else []
            above = None
            if not found:
                self.reading_stale = False
                above = max(self.after, indexed_upto(c, self.coll, "vec"))
                found = c.execute(f"SELECT rowid, 0, 0, {self.text} FROM {tables.quote(self.coll.name)} t "
                                  "WHERE rowid > ? ORDER BY rowid LIMIT ?", (above, size)).fetchall()
        if not found:
            return None
        self.after = int(found[-1][0])
        return _Batch(found, (total, self.own_changes, version), above)

    def _read_stale(self, c: apsw.Connection, size: int) -> list[Row]:
        return c.execute(
            f"SELECT s.row, s.had, t.rowid IS NULL, {self.text} FROM {tables.quote(stale_table(self.coll))} s "
            f"LEFT JOIN {tables.quote(self.coll.name)} t ON t.rowid = s.row WHERE s.row > ? "
            "ORDER BY s.row LIMIT ?", (self.after, size)).fetchall()

    def _embed(self, found: _Batch) -> np.ndarray:
        return quantize(self.embedder.embed([r[3] for r in found.rows]))

    def _write(self, found: _Batch, vectors: np.ndarray) -> int:
        with self.replica.lock:
            self.replica._check_open()
            c = self.replica.connection
            before = c.total_changes()
            with c:
                # written meanwhile by anyone but us? then compare texts: an
                # edited row stays stale, a deleted one is gone
                total, own, version = found.mark
                quiet = (before - total, _write_mark(c)[1]) == (self.own_changes - own, version)
                if found.above is None:
                    done = self._write_stale(c, found.rows, vectors, quiet)
                else:
                    done = self._write_above(c, found, vectors, quiet)
            self.own_changes += c.total_changes() - before
        return done

    def _write_stale(self, c: apsw.Connection, rows: list[Row], vectors: np.ndarray, quiet: bool) -> int:
        fates = [("gone" if r[2] else "write", r[1]) for r in rows] if quiet else _stale_fates(c, self.coll, rows)
        write = [i for i, (fate, _) in enumerate(fates) if fate == "write"]
        c.executemany(f"DELETE FROM {tables.quote(vec_table(self.coll))} WHERE rowid = ?",
                      [(rows[i][0],) for i in write if fates[i][1]])
        self._store(c, [rows[i][0] for i in write], vectors[write])
        done = [(r[0],) for r, (fate, _) in zip(rows, fates) if fate in ("write", "gone")]
        c.executemany(f"DELETE FROM {tables.quote(stale_table(self.coll))} WHERE row = ?", done)
        return len(done)

    def _write_above(self, c: apsw.Connection, found: _Batch, vectors: np.ndarray, quiet: bool) -> int:
        if indexed_upto(c, self.coll, "vec") != found.above:
            self.overtaken = True  # another pass (or a rebuild) moved the mark: leave these rows to it
            return 0
        rows, last = found.rows, int(found.rows[-1][0])
        fates, late = (["write"] * len(rows), []) if quiet else _fates_above(c, self.coll, found, last)
        write = [i for i, fate in enumerate(fates) if fate == "write"]
        self._store(c, [rows[i][0] for i in write], vectors[write])
        # rows now at or below the mark that were edited (or arrived) meanwhile join the stale list
        waiting = [(r[0],) for r, fate in zip(rows, fates) if fate == "changed"] + [(r,) for r in late]
        c.executemany(f"INSERT INTO {tables.quote(stale_table(self.coll))} (row, had) VALUES (?, 0)", waiting)
        set_indexed_upto(c, self.coll, "vec", last)
        return sum(fate != "changed" for fate in fates)

    def _store(self, c: apsw.Connection, rowids: list[Any], vectors: np.ndarray) -> None:
        """Write vectors for rows that have none (a text without words has no vector)."""
        nonzero = np.flatnonzero(np.any(vectors, axis=1))
        rowids, vectors = [rowids[i] for i in nonzero.tolist()], vectors[nonzero]
        if not rowids:
            return
        if writes_vec0_chunks(self.replica, self.coll):
            vec0_chunks.append(c, vec_table(self.coll), np.array(rowids, dtype=np.int64), vectors)
        else:
            c.executemany(f"INSERT INTO {tables.quote(vec_table(self.coll))} (rowid, embedding) "
                          "VALUES (?, vec_int8(?))", [(r, v.tobytes()) for r, v in zip(rowids, vectors)])


def _write_mark(c: apsw.Connection) -> tuple[int, int]:
    """Rows changed so far on this connection, and a counter of other
    connections' commits: equal marks mean nothing was written in between."""
    return c.total_changes(), int(single_value(c, "PRAGMA data_version"))


def _stale_fates(c: apsw.Connection, coll: Collection, rows: list[Row]) -> list[tuple[str, Any]]:
    """For each row of the stale list read: (``write`` (unchanged), ``changed``
    (text edited), ``gone`` (deleted) or ``taken`` (no longer stale: another
    pass wrote it), whether it may have a vector now)."""
    rowids = [r[0] for r in rows]
    now = {r[0]: r[1:] for r in c.execute(
        f"SELECT s.row, s.had, t.rowid IS NULL, {embedding_text_sql(coll, 't')} "
        f"FROM {tables.quote(stale_table(coll))} s LEFT JOIN {tables.quote(coll.name)} t ON t.rowid = s.row "
        f"WHERE s.row IN ({', '.join('?' * len(rowids))})", rowids)}

    def fate(row: Row) -> tuple[str, Any]:
        if row[0] not in now:
            return "taken", 0
        had, gone, text = now[row[0]]
        return ("gone" if gone else "write" if text == row[3] else "changed"), had

    return [fate(r) for r in rows]


def _fates_above(c: apsw.Connection, coll: Collection, found: _Batch, last: int) -> tuple[list[str], list[Any]]:
    """For each row read above the mark: ``write``, ``changed`` or ``gone``;
    and the rows of the same rowid range that were not read (inserted since)."""
    now: dict[Any, Any] = {rowid: text for rowid, text in c.execute(
        f"SELECT rowid, {embedding_text_sql(coll, 't')} FROM {tables.quote(coll.name)} t "
        "WHERE rowid > ? AND rowid <= ?", (found.above, last))}
    fates = ["gone" if r[0] not in now else "write" if now[r[0]] == r[3] else "changed" for r in found.rows]
    read = {r[0] for r in found.rows}
    return fates, [rowid for rowid in now if rowid not in read]


# -- in the background -------------------------------------------------------------

class Indexer:
    """Applies the text journal and embeds stale rows on a background thread,
    woken by local commits and by rows applied from the server (and every
    ``interval`` seconds, for writes made outside the replica's API).

    Args:
        replica: the replica to keep indexed.
        interval: seconds between checks when nothing wakes it.
    """

    def __init__(self, replica: Watched, *, interval: float = 2.0) -> None:
        self.replica = replica
        self.interval = interval
        self.written = 0
        self.error: BaseException | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="offsync-indexer", daemon=True)
        replica.on_commit(self._wake.set)
        replica.add_listener(lambda event, rows: self._wake.set())

    def start(self) -> Indexer:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the batch under way and stop."""
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            while not self._stopping.is_set():
                try:
                    refresh_text(self.replica)
                    written = refresh_vectors(self.replica, limit=BATCH)
                except StateError:
                    return  # the replica was closed under us
                except Exception as exc:  # noqa: BLE001 - any embedder's error: keep it, searches report stale
                    self.error = exc
                    break
                self.written += written
                if written == 0:
                    break


def start_indexer(replica: Watched, *, interval: float = 2.0) -> Indexer:
    """Start a background :class:`Indexer` for ``replica``; call ``.stop()`` before closing it."""
    return Indexer(replica, interval=interval).start()
