"""Writing vectors straight into sqlite-vec's ``vec0`` storage, a batch at a time.

vec0 stores vectors in chunks of ``chunk_size`` slots: a ``_chunks`` row
(a validity bitmap and the slots' rowids), a ``_vector_chunks00`` row (the
slots' vectors, one blob) and a ``_rowids`` row per vector (its chunk and
slot). Its INSERT rewrites those blobs through incremental blob I/O for
every vector, 6-7 µs each for int8[256]; :func:`append` writes a whole batch
into the same tables in one statement per chunk (under 1 µs per vector),
filling slots in vec0's own order, so vec0 reads, deletes and later inserts
see exactly what its own inserts would have left (a test compares the
tables byte for byte: ``tests/integration/test_search_vec0_chunks.py``). The
indexer uses it only for the versions below, and only where
:func:`layout_known` finds the tables exactly as expected; otherwise vectors
go through vec0's INSERT.
"""

from __future__ import annotations

import json

import apsw
import numpy as np

from shared import tables
from shared.errors import StateError

#: sqlite-vec versions whose storage layout was checked against vec0's own inserts
VEC0_CHUNK_VERSIONS = frozenset({"v0.1.9"})
#: vec0's default ``chunk_size``, which these tables keep
VEC0_CHUNK_SIZE = 1024


def shadow_tables(v: str) -> dict[str, str]:
    """The tables of vec0 table ``v`` that :func:`append` writes, and the SQL vec0 creates them with."""
    return {
        f"{v}_chunks": (f'CREATE TABLE "{v}_chunks"(chunk_id INTEGER PRIMARY KEY AUTOINCREMENT,'
                        "size INTEGER NOT NULL,validity BLOB NOT NULL,rowids BLOB NOT NULL)"),
        f"{v}_rowids": (f'CREATE TABLE "{v}_rowids"(rowid INTEGER PRIMARY KEY AUTOINCREMENT,'
                        "id,chunk_id INTEGER,chunk_offset INTEGER)"),
        f"{v}_vector_chunks00": f'CREATE TABLE "{v}_vector_chunks00"(rowid PRIMARY KEY,vectors BLOB NOT NULL)',
    }


def layout_known(c: apsw.Connection, vec: str) -> bool:
    """True if vec0 is a checked version and keeps exactly the expected tables
    (no metadata, auxiliary or partition columns)."""
    if c.execute("SELECT vec_version()").fetchall()[0][0] not in VEC0_CHUNK_VERSIONS:
        return False
    prefix = f"{vec}_"
    found = {str(name): sql for name, sql in c.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND substr(name, 1, ?) = ?",
        (len(prefix), prefix))}
    found.pop(f"{prefix}info", None)  # vec0's own bookkeeping: read, never written by us
    return found == shadow_tables(vec)


def append(c: apsw.Connection, vec: str, rowids: np.ndarray, vectors: np.ndarray) -> None:
    """Store vectors of rowids vec0 does not hold, as vec0's INSERT would:
    the free slots of its latest chunk in order, then new chunks (see the module docstring)."""
    chunks = tables.quote(f"{vec}_chunks")
    latest = c.execute(f"SELECT chunk_id, size, validity, rowids FROM {chunks} "
                       "ORDER BY chunk_id DESC LIMIT 1").fetchall()
    runs: list[tuple[int, int, int]] = []  # (chunk, first slot, count): where the next rowids went
    if latest:
        chunk_id, size, validity, slot_rowids = latest[0]
        if size != VEC0_CHUNK_SIZE:
            raise StateError(f"{vec}: a vec0 chunk of {size} slots, where this writer expects {VEC0_CHUNK_SIZE}")
        runs += _fill_chunk(c, vec, int(chunk_id), validity, slot_rowids, rowids, vectors)  # type: ignore[arg-type]
    for first in range(sum(count for *_, count in runs), len(rowids), VEC0_CHUNK_SIZE):
        end = min(first + VEC0_CHUNK_SIZE, len(rowids))
        runs.append((_new_chunk(c, vec, rowids[first:end], vectors[first:end]), 0, end - first))
    taken = 0
    for chunk_id, slot, count in runs:
        # one statement per run of slots, the rowids as a JSON array: half the cost of executemany
        c.execute(f"INSERT INTO {tables.quote(f'{vec}_rowids')} (rowid, id, chunk_id, chunk_offset) "
                  "SELECT value, NULL, ?, key + ? FROM json_each(?)",
                  (chunk_id, slot, json.dumps(rowids[taken:taken + count].tolist())))
        taken += count


def _fill_chunk(c: apsw.Connection, vec: str, chunk_id: int, validity: bytes, slot_rowids: bytes,
                rowids: np.ndarray, vectors: np.ndarray) -> list[tuple[int, int, int]]:
    """Put the first rowids into the chunk's free slots, lowest first; returns
    the runs of consecutive slots used, as (chunk, first slot, count)."""
    used = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little").astype(bool)
    slots = np.flatnonzero(~used)[:len(rowids)]
    if len(slots) == 0:
        return []
    used[slots] = True
    ids = np.frombuffer(slot_rowids, dtype="<i8").copy()
    ids[slots] = rowids[:len(slots)]
    c.execute(f"UPDATE {tables.quote(f'{vec}_chunks')} SET validity = ?, rowids = ? WHERE chunk_id = ?",
              (np.packbits(used, bitorder="little").tobytes(), ids.tobytes(), chunk_id))
    runs, width, taken = [], vectors.shape[1], 0
    with c.blob_open("main", f"{vec}_vector_chunks00", "vectors", chunk_id, True) as blob:
        for run in np.split(slots, np.flatnonzero(np.diff(slots) != 1) + 1):
            blob.seek(int(run[0]) * width)
            blob.write(vectors[taken:taken + len(run)].tobytes())
            runs.append((chunk_id, int(run[0]), len(run)))
            taken += len(run)
    return runs


def _new_chunk(c: apsw.Connection, vec: str, rowids: np.ndarray, vectors: np.ndarray) -> int:
    """A new chunk holding these vectors in its first slots; returns its id."""
    used = np.zeros(VEC0_CHUNK_SIZE, dtype=bool)
    used[:len(rowids)] = True
    ids = np.zeros(VEC0_CHUNK_SIZE, dtype="<i8")
    ids[:len(rowids)] = rowids
    block = np.zeros((VEC0_CHUNK_SIZE, vectors.shape[1]), dtype=np.int8)
    block[:len(rowids)] = vectors
    c.execute(f"INSERT INTO {tables.quote(f'{vec}_chunks')} (size, validity, rowids) VALUES (?, ?, ?)",
              (VEC0_CHUNK_SIZE, np.packbits(used, bitorder="little").tobytes(), ids.tobytes()))
    chunk_id = c.last_insert_rowid()
    # vec0's ``rowid`` column here is not the table's rowid, which its blob I/O goes by: both are the chunk's id
    c.execute(f"INSERT INTO {tables.quote(f'{vec}_vector_chunks00')} (_rowid_, rowid, vectors) VALUES (?, ?, ?)",
              (chunk_id, chunk_id, block.tobytes()))
    return chunk_id
