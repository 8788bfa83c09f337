"""The marks of the search indexes: rows above an index's mark wait without
a journal entry and are taken in by a rowid range; rows at or below it are
journalled. These tests hold the edges: rowids reused below the mark (by
the bulk insert path and by single inserts), rows that arrive inside a range
while it is embedded, and two refresh passes racing over the same rows."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from shared.schema import Collection, Schema, Vector
from sync_client.replica import Replica
from sync_search import embedders, indexer, indexes
from sync_search.indexer import refresh_text, refresh_vectors, stale_count

SCHEMA = Schema(1, (Collection("notes", {"title": "text"}, fts=("title",),
                               vector=Vector(fields=("title",), dim=64)),))
NOTES = SCHEMA["notes"]


@pytest.fixture
def replica(tmp_path: Path) -> Iterator[Replica]:
    with Replica(str(tmp_path / "device.db"), SCHEMA) as opened:
        yield opened


def vectors(replica: Replica) -> list[int]:
    return [r[0] for r in replica.connection.execute("SELECT rowid FROM _search_notes_vec ORDER BY rowid")]


def rowids(replica: Replica) -> list[int]:
    return [r[0] for r in replica.connection.execute("SELECT rowid FROM notes ORDER BY rowid")]


def assert_indexes_exact(replica: Replica) -> None:
    refresh_text(replica)
    refresh_vectors(replica)
    replica.connection.execute("INSERT INTO _search_notes_fts (_search_notes_fts) VALUES ('integrity-check')")
    assert stale_count(replica, NOTES) == 0
    assert vectors(replica) == rowids(replica)
    for row_id, title in replica.connection.execute("SELECT id, title FROM notes").fetchall():
        assert replica.search("notes", title, k=1, mode="fts").ids() == [row_id]
        assert replica.search("notes", title, k=1, mode="vector").ids() == [row_id]


@pytest.mark.parametrize("batch", [1, 40], ids=["one by one", "in bulk"])
def test_rowids_reused_below_the_mark_are_indexed(replica: Replica, batch: int) -> None:
    replica.insert_many("notes", [{"id": f"a{i}", "title": f"a{i} alpha{i}"} for i in range(30)])
    assert_indexes_exact(replica)
    replica.execute("DELETE FROM notes WHERE rowid > 20")  # the top rows go: their rowids come back
    new = [{"id": f"b{i}", "title": f"b{i} beta{i}"} for i in range(40)]
    for start in range(0, len(new), batch):
        replica.insert_many("notes", new[start:start + batch])
    assert rowids(replica)[20] == 21  # reused, at or below both marks
    assert stale_count(replica, NOTES) == 40
    assert_indexes_exact(replica)


def test_a_row_that_arrives_inside_a_range_being_embedded_is_not_lost(tmp_path: Path) -> None:
    schema = Schema(1, (Collection("notes", {"title": "text"},
                                   vector=Vector(fields=("title",), dim=64, embedder="arrives-meanwhile")),))
    replicas: list[Replica] = []

    class ArrivesMeanwhile:
        """The default embedder; while the first batch is embedded, the top row
        is deleted and a new row takes a rowid inside the batch's range."""

        name, dim = "arrives-meanwhile", 64

        def embed(self, texts: list[str]) -> np.ndarray:
            if "top" in texts:
                replicas[0].execute("DELETE FROM notes WHERE title = 'top'")
                replicas[0].insert("notes", {"id": "late", "title": "late"})
            return embedders.get_embedder("hashed-ngrams", 64).embed(texts)

    embedders.register_embedder("arrives-meanwhile", lambda dim: ArrivesMeanwhile())
    try:
        with Replica(str(tmp_path / "d.db"), schema) as replica:
            replicas.append(replica)
            replica.insert_many("notes", [{"id": f"n{i}", "title": f"n{i}"} for i in range(9)])
            replica.insert("notes", {"id": "top", "title": "top"})  # rowid 10
            replica.execute("DELETE FROM notes WHERE rowid BETWEEN 6 AND 9")  # a gap below the top row
            assert refresh_vectors(replica) == 6  # rows 1-5 written, 10 gone
            late = replica.connection.execute("SELECT rowid FROM notes WHERE id = 'late'").fetchall()[0][0]
            assert late == 6 and stale_count(replica, schema["notes"]) == 1  # in the range, not read: stale
            assert refresh_vectors(replica) == 1
            assert vectors(replica) == rowids(replica)
    finally:
        embedders._factories.pop("arrives-meanwhile")
        embedders._built.pop(("arrives-meanwhile", 64), None)


def test_two_passes_racing_over_the_same_rows_write_each_vector_once(replica: Replica) -> None:
    replica.insert_many("notes", [{"id": f"n{i}", "title": f"note {i} garden"} for i in range(3000)])
    refresh_vectors(replica, limit=1000)
    replica.execute("UPDATE notes SET title = title || ' edited' WHERE rowid % 7 = 0")  # the stale list
    errors: list[BaseException] = []

    def refresh() -> None:
        try:
            refresh_vectors(replica, batch=128)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    refresh_vectors(replica)
    assert stale_count(replica, NOTES) == 0
    assert vectors(replica) == rowids(replica)
    assert replica.search("notes", "note 13 garden edited", k=1, mode="vector").ids() == ["n13"]  # rowid 14


def test_a_rebuild_resets_the_marks_and_indexes_every_row(replica: Replica) -> None:
    replica.insert_many("notes", [{"id": f"n{i}", "title": f"n{i} word{i}"} for i in range(50)])
    assert_indexes_exact(replica)
    indexes.rebuild_indexes(replica)
    upto = replica.connection.execute("SELECT fts, vec FROM _search_notes_upto").fetchall()
    assert upto == [(0, 0)] and stale_count(replica, NOTES) == 50
    assert indexer.refresh_text(replica) == 50
    assert_indexes_exact(replica)


def test_insert_or_replace_over_a_row_leaves_no_old_entries(replica: Replica) -> None:
    # the replica turns recursive_triggers on: the replaced row's delete triggers fire
    replica.insert_many("notes", [{"id": "a", "title": "alpha one"}, {"id": "b", "title": "beta two"}])
    assert_indexes_exact(replica)
    replica.execute("INSERT OR REPLACE INTO notes (id, title) VALUES ('a', 'gamma three')")
    assert replica.search("notes", "alpha", mode="fts").ids() == []
    assert_indexes_exact(replica)
