"""Bringing a replica's search indexes up to date.

The triggers of :mod:`sync_client.search_index` only journal what changed,
in the writing transaction; the work is done here, in batches, off the write
path:

* :func:`refresh_text` applies the text journal to the FTS5 table in two
  statements (every search does it first, so text results are exact);
* :func:`refresh_vectors` embeds stale rows and writes their int8 vectors to
  ``vec0``: texts are read under the replica's lock, embedded with the lock
  released (on a second thread, while the previous batch is written), and
  written back only for rows whose text did not change in between;
* :class:`Indexer` does both on a background thread, woken by local commits
  and by rows applied from the server.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import apsw
import numpy as np

from shared.errors import StateError
from shared.schema import Collection

from . import tables
from .embedders import Embedder, get_embedder
from .replica import Replica
from .search_index import (
    VECTOR_SCALE,
    fts_table,
    has_vectors,
    stale_table,
    text_todo_table,
    text_undo_table,
    uses_fts5,
    vec_table,
)

#: rows embedded per batch: large enough for NumPy to pay off, small enough
#: that the replica's lock is never held long
BATCH = 512

Row = tuple[Any, ...]  # (rowid, had a vector, gone, source values...)
Mark = tuple[int, int]


# -- text ---------------------------------------------------------------------

def refresh_text(replica: Replica, collection: str | None = None) -> int:
    """Apply the journalled changes to the FTS tables; returns the rows (re)indexed.

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


def _apply_text_journal(replica: Replica, coll: Collection) -> int:
    fts, t = tables.quote(fts_table(coll)), tables.quote(coll.name)
    todo, undo = tables.quote(text_todo_table(coll)), tables.quote(text_undo_table(coll))
    cols = ", ".join(tables.quote(f) for f in coll.fts)
    with replica.lock:
        replica._check_open()
        c = replica.connection
        pending = c.execute(f"SELECT EXISTS (SELECT 1 FROM {todo}) OR EXISTS (SELECT 1 FROM {undo})").fetchall()
        if not pending[0][0]:
            return 0
        with c:
            c.execute(f"INSERT INTO {fts} ({fts}, rowid, {cols}) SELECT 'delete', row, {cols} FROM {undo} ORDER BY id")
            c.execute(f"DELETE FROM {undo}")
            c.execute(f"INSERT INTO {fts} (rowid, {cols}) SELECT t.rowid, "
                      f"{', '.join('t.' + tables.quote(f) for f in coll.fts)} FROM {todo} JOIN {t} t ON t.rowid = {todo}.row")
            done = c.changes()
            c.execute(f"DELETE FROM {todo}")
    return done


# -- vectors --------------------------------------------------------------------

def quantize(vectors: np.ndarray) -> np.ndarray:
    """Unit vectors -> int8, all by one scale (see ``search_index.VECTOR_SCALE``)."""
    quantized: np.ndarray = np.clip(np.rint(vectors * VECTOR_SCALE), -127, 127).astype(np.int8)
    return quantized


def embedding_text(coll: Collection, values: Sequence[Any]) -> str:
    """The text a row's vector is computed from: its vector fields, one per line."""
    return "\n".join(str(v) for v in values if v is not None)


def stale_count(replica: Replica, coll: Collection) -> int:
    """How many rows of the collection still wait for their vector."""
    with replica.lock:
        count = replica.connection.execute(f"SELECT count(*) FROM {tables.quote(stale_table(coll))}").fetchall()
    return int(count[0][0])  # type: ignore[arg-type]


def refresh_vectors(replica: Replica, collection: str | None = None, *, limit: int | None = None,
                    batch: int = BATCH) -> int:
    """Embed rows whose vector is missing or out of date; returns how many rows left the stale list.

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


class _VectorRefresh:
    """One pass over a collection's stale rows, in rowid order: batch i+1 is
    read and embedded on a helper thread while batch i is written."""

    def __init__(self, replica: Replica, coll: Collection, batch: int) -> None:
        assert coll.vector is not None
        self.replica = replica
        self.coll = coll
        self.batch = batch
        self.embedder: Embedder = get_embedder(coll.vector.embedder, coll.vector.dim)
        self.after = 0  # the last rowid read: rows left stale are not read again in this pass
        self.own_changes = 0  # rows our last write changed, after the next batch's mark was taken

    def run(self, limit: int | None) -> int:
        done = 0
        ahead = self._read(limit)
        if ahead is None:
            return 0
        pool = ThreadPoolExecutor(1, thread_name_prefix="offsync-embed")
        try:
            embedding: Future[np.ndarray] | None = pool.submit(self._embed, ahead[0])
            while ahead is not None and embedding is not None:
                found, mark = ahead
                left = None if limit is None else limit - done - len(found)
                ahead = self._read(left) if left is None or left > 0 else None
                vectors = embedding.result()
                # the next batch is embedded while this one is written
                embedding = pool.submit(self._embed, ahead[0]) if ahead is not None else None
                done += self._write(found, mark, vectors)
        finally:
            pool.shutdown(wait=True)
        return done

    def _read(self, limit: int | None) -> tuple[list[Row], Mark] | None:
        size = self.batch if limit is None else min(self.batch, limit)
        cols = ", ".join(f"t.{tables.quote(f)}" for f in self.coll.vector.fields)  # type: ignore[union-attr]
        with self.replica.lock:
            self.replica._check_open()
            c = self.replica.connection
            found = c.execute(
                f"SELECT s.row, s.had, t.rowid IS NULL, {cols} FROM {tables.quote(stale_table(self.coll))} s "
                f"LEFT JOIN {tables.quote(self.coll.name)} t ON t.rowid = s.row WHERE s.row > ? "
                "ORDER BY s.row LIMIT ?", (self.after, size)).fetchall()
            mark = _write_mark(c)
        if not found:
            return None
        self.after = int(found[-1][0])  # type: ignore[arg-type]
        return found, mark

    def _embed(self, found: list[Row]) -> np.ndarray:
        return quantize(self.embedder.embed([embedding_text(self.coll, r[3:]) for r in found]))

    def _write(self, found: list[Row], mark: Mark, vectors: np.ndarray) -> int:
        nonzero = [bool(b) for b in np.any(vectors, axis=1).tolist()]
        vec, stale = tables.quote(vec_table(self.coll)), tables.quote(stale_table(self.coll))
        with self.replica.lock:
            self.replica._check_open()
            c = self.replica.connection
            before = c.total_changes()
            with c:
                # written meanwhile (by anyone but our last batch)? then compare
                # texts: an edited row stays stale, a deleted one is gone
                quiet = (before - self.own_changes, _write_mark(c)[1]) == mark
                fate = ["gone" if r[2] else "write" for r in found] if quiet else _fates(c, self.coll, found)
                write = [i for i, f in enumerate(fate) if f == "write"]
                c.executemany(f"DELETE FROM {vec} WHERE rowid = ?", [(found[i][0],) for i in write if found[i][1]])
                c.executemany(f"INSERT INTO {vec} (rowid, embedding) VALUES (?, vec_int8(?))",
                              [(found[i][0], vectors[i].tobytes()) for i in write if nonzero[i]])
                done = [(r[0],) for r, f in zip(found, fate) if f != "changed"]
                c.executemany(f"DELETE FROM {stale} WHERE row = ?", done)
            # the next batch was read before this write: its mark does not count it
            self.own_changes = c.total_changes() - before
        return len(done)


def _write_mark(c: apsw.Connection) -> Mark:
    """Rows changed so far on this connection, and a counter of other
    connections' commits: equal marks mean nothing was written in between."""
    return c.total_changes(), int(c.execute("PRAGMA data_version").fetchall()[0][0])  # type: ignore[arg-type]


def _fates(c: apsw.Connection, coll: Collection, found: list[Row]) -> list[str]:
    """For each row read: ``write`` (unchanged), ``changed`` (text edited), ``gone`` (deleted)."""
    assert coll.vector is not None
    rowids = [r[0] for r in found]
    cols = ", ".join(f"t.{tables.quote(f)}" for f in coll.vector.fields)
    now = {r[0]: r[1:] for r in c.execute(
        f"SELECT t.rowid, {cols} FROM {tables.quote(coll.name)} t WHERE t.rowid IN ({', '.join('?' * len(rowids))})",
        rowids)}
    return ["gone" if r[0] not in now else "write" if now[r[0]] == r[3:] else "changed" for r in found]


# -- in the background -------------------------------------------------------------

class Indexer:
    """Applies the text journal and embeds stale rows on a background thread,
    woken by local commits and by rows applied from the server (and every
    ``interval`` seconds, for writes made outside the replica's API).

    Args:
        replica: the replica to keep indexed.
        interval: seconds between checks when nothing wakes it.
    """

    def __init__(self, replica: Replica, *, interval: float = 2.0) -> None:
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


def start_indexer(replica: Replica, *, interval: float = 2.0) -> Indexer:
    """Start a background :class:`Indexer` for ``replica``; call ``.stop()`` before closing it."""
    return Indexer(replica, interval=interval).start()
