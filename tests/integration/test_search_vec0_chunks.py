"""The indexer writes batches of vectors straight into vec0's chunk tables
(``vec0_chunks.append``): what it leaves must be exactly what vec0's
own INSERT leaves, byte for byte, through any mix of batches, vec0 inserts
and deletes, so that vec0 reads, deletes and later inserts cannot tell."""

from __future__ import annotations

import random
from pathlib import Path

import apsw
import numpy as np
import pytest

from shared.schema import Collection, Schema, Vector
from sync_client.replica import Replica
from sync_search import indexer, indexes, vec0_chunks
from sync_search.database import load_sqlite_vec

DIM = 8


def vec0(path: Path) -> apsw.Connection:
    c = apsw.Connection(str(path))
    if not load_sqlite_vec(c):
        pytest.skip("sqlite-vec is not installed")
    if c.execute("SELECT vec_version()").fetchall()[0][0] not in vec0_chunks.VEC0_CHUNK_VERSIONS:
        pytest.skip("this sqlite-vec is written through INSERT, not by chunks")
    c.execute(f"CREATE VIRTUAL TABLE v USING vec0(embedding int8[{DIM}])")
    return c


def storage(c: apsw.Connection) -> list[object]:
    """Everything vec0 keeps, real rowids included."""
    return [c.execute(sql).fetchall() for sql in (
        "SELECT _rowid_, * FROM v_chunks ORDER BY 1", "SELECT _rowid_, * FROM v_vector_chunks00 ORDER BY 1",
        "SELECT _rowid_, * FROM v_rowids ORDER BY 1", "SELECT * FROM sqlite_sequence ORDER BY 1")]


def insert(c: apsw.Connection, rowids: list[int], vectors: np.ndarray) -> None:
    c.executemany("INSERT INTO v (rowid, embedding) VALUES (?, vec_int8(?))",
                  [(r, v.tobytes()) for r, v in zip(rowids, vectors)])


def test_batches_written_by_chunks_leave_what_vec0_inserts_leave(tmp_path: Path) -> None:
    by_chunks, by_vec0 = vec0(tmp_path / "chunks.db"), vec0(tmp_path / "vec0.db")
    rng = random.Random(11)
    live: list[int] = []
    next_rowid = 1
    for step in range(40):
        action = rng.choice(["batch", "batch", "insert", "delete"]) if live else "batch"
        if action == "delete":
            gone = rng.sample(live, min(len(live), rng.choice([1, 5, 300, 1500])))
            for c in (by_chunks, by_vec0):
                c.executemany("DELETE FROM v WHERE rowid = ?", [(r,) for r in gone])
            live = [r for r in live if r not in set(gone)]
            continue
        count = rng.choice([1, 3, 700, 1024, 2500]) if action == "batch" else 1
        rowids = list(range(next_rowid, next_rowid + count))
        next_rowid += count + rng.choice([0, 0, 7])
        vectors = np.array([[rng.randint(-127, 127) for _ in range(DIM)] for _ in rowids], dtype=np.int8)
        with by_chunks:
            if action == "batch":
                vec0_chunks.append(by_chunks, "v", np.array(rowids, dtype=np.int64), vectors)
            else:
                insert(by_chunks, rowids, vectors)
        with by_vec0:
            insert(by_vec0, rowids, vectors)
        live += rowids
        assert storage(by_chunks) == storage(by_vec0), f"step {step}: {action} of {count}"
    query = np.arange(DIM, dtype=np.int8).tobytes().hex()
    knn = f"SELECT rowid, distance FROM v WHERE embedding MATCH vec_int8(X'{query}') AND k = 25"
    assert by_chunks.execute(knn).fetchall() == by_vec0.execute(knn).fetchall()


def schema() -> Schema:
    return Schema(1, (Collection("notes", {"title": "text", "body": "text"}, fts=("title", "body"),
                                 vector=Vector(fields=("title", "body"), dim=64)),))


def indexed_replica(path: Path, by_chunks: bool) -> tuple[list[object], list[list[object]]]:
    """A replica put through inserts, edits and deletes with searches between;
    its vec0 storage and what searches found."""
    found: list[list[object]] = []
    with Replica(str(path), schema()) as replica:
        assert indexes.writes_vec0_chunks(replica, replica.schema["notes"]) is by_chunks
        replica.insert_many("notes", [{"id": f"n{i}", "title": f"note {i}", "body": f"word{i % 37} text"}
                                      for i in range(1500)])
        found.append(replica.search("notes", "word5 text", k=5, mode="vector").ids())
        replica.execute("UPDATE notes SET body = 'edited' WHERE rowid % 3 = 0")
        replica.execute("DELETE FROM notes WHERE rowid % 5 = 0")
        replica.insert_many("notes", [{"id": f"m{i}", "title": f"more {i}"} for i in range(1200)])
        indexer.refresh_vectors(replica)
        found.append(replica.search("notes", "edited more", k=10, mode="vector").ids())
        c = replica.connection
        stored = [c.execute(f"SELECT _rowid_, * FROM _search_notes_vec_{t} ORDER BY 1").fetchall()
                  for t in ("chunks", "vector_chunks00", "rowids")]
    return stored, found


def test_a_replica_indexed_by_chunks_matches_one_indexed_by_vec0_inserts(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    vec0(tmp_path / "check.db").close()  # skips where this sqlite-vec is not written by chunks
    by_chunks = indexed_replica(tmp_path / "chunks.db", True)
    monkeypatch.setattr(vec0_chunks, "VEC0_CHUNK_VERSIONS", frozenset())  # every vector through INSERT
    by_vec0 = indexed_replica(tmp_path / "vec0.db", False)
    assert by_chunks == by_vec0
