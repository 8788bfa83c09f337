"""Insert entries that hold their fields by reference (``shared.tables``).

A batch of API inserts queues each row with ``fields`` NULL and reads the
fields from the row until the row changes; every change (local or from the
server) copies them into the entry first. These tests hold that to one rule:
a device that inserted a batch in bulk and a device that inserted the same
rows one by one (each entry holding a copy) show the same queue, rows and
conflicts after any sequence of writes, server rows, answers and reopenings.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.errors import ValidationError
from shared.messages import Changes, MutationResult, Operation, RowChange
from shared.schema import Collection, Field, Schema
from sync_client.replica import BULK_ROWS, Replica

NOTES = Collection("notes", [Field("title", "text", required=True), Field("body", "text", default=""),
                             Field("meta", "json"), Field("likes", "integer", default=0, counter=True)])
SCHEMA = Schema(1, (NOTES,))
N = BULK_ROWS * 2
IDS = [f"n{i:03d}" for i in range(N)]


def batch(ids: list[str] = IDS, tag: str = "") -> list[dict[str, Any]]:
    return [{"id": row_id, "title": f"{tag}t{i}", "meta": {"i": i}, "likes": i} for i, row_id in enumerate(ids)]


class Pair:
    """Two devices given the same writes: one inserts batches in bulk (by
    reference), the other row by row (each entry holding its own copy)."""

    def __init__(self, folder: Path, schema: Schema = SCHEMA) -> None:
        self.paths = (str(folder / "bulk.db"), str(folder / "rows.db"))
        self.schema = schema
        self.open()
        self.cursor = 0

    def open(self) -> None:
        self.bulk, self.by_row = (Replica(p, self.schema, wall_clock=lambda: 1_000) for p in self.paths)

    def close(self) -> None:
        self.bulk.close()
        self.by_row.close()

    def reopen(self, schema: Schema | None = None) -> None:
        self.close()
        self.schema = schema or self.schema
        self.open()

    def insert(self, rows: list[dict[str, Any]]) -> None:
        self.bulk.insert_many("notes", rows)
        with self.by_row.transaction():
            for row in rows:
                self.by_row.insert("notes", row)

    def both(self, write: Any) -> None:
        """Run ``write(replica)`` on both; a refusal must be the same on both."""
        errors = []
        for r in (self.bulk, self.by_row):
            try:
                write(r)
                errors.append(None)
            except ValidationError as e:
                errors.append(str(e))
        assert errors[0] == errors[1]

    def server_rows(self, rows: list[RowChange], settled: int = 0) -> None:
        """Apply a page of server rows; ``settled``: the page says it includes
        this device's mutations up to that client_seq (not replayed any more)."""
        self.cursor += 1
        self.both(lambda r: r.apply_changes(Changes(rows=rows, cursor=self.cursor,
                                                    applied={r.device_id: settled} if settled else {})))

    def assert_same(self) -> None:
        def entries(r: Replica) -> list[tuple[Any, ...]]:
            return [(e.client_seq, e.kind, e.row_id, e.fields, e.base_version, e.insert_order) for e in r.pending()]

        def conflicts(r: Replica) -> list[tuple[Any, ...]]:
            return [(c.client_seq, c.row_id, c.kind, c.local, c.server) for c in r.conflicts()]

        def pushed(r: Replica) -> list[tuple[int, Operation]]:
            return [(m.client_seq, op) for m in r.mutations_to_push(0, 10**6, 10**7) for op in m.ops]

        assert entries(self.bulk) == entries(self.by_row)
        # a Push reads a batch's rows by a join, not through JSON: the same operations
        assert pushed(self.bulk) == pushed(self.by_row) == [(e.client_seq, e.to_operation()) for e in self.bulk.pending()]
        assert self.bulk.rows("notes") == self.by_row.rows("notes")
        assert conflicts(self.bulk) == conflicts(self.by_row)


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    p = Pair(tmp_path)
    p.insert(batch())
    yield p
    p.close()


def by_reference(r: Replica) -> int:
    return int(r.connection.execute("SELECT count(*) FROM sync_queue WHERE kind = 'insert' AND fields IS NULL").fetchall()[0][0])


def server_row(i: int, title: str, version: int = 1, deleted: bool = False) -> RowChange:
    return RowChange(collection="notes", row_id=IDS[i], scope="", version=version, seq=version, insert_order=5,
                     deleted=deleted, fields={} if deleted else {"title": title, "body": "", "meta": None, "likes": 0})


def test_a_batch_is_queued_by_reference_and_read_as_copies_are(pair: Pair) -> None:
    assert by_reference(pair.bulk) == N and by_reference(pair.by_row) == 0
    assert pair.bulk.connection.execute("SELECT collection, first_id & 1048575, count FROM sync_bulk").fetchall() == [
        ("notes", 1, N)]
    pair.assert_same()
    assert pair.bulk.pending()[3].fields == {"title": "t3", "body": "", "meta": '{"i":3}', "likes": 3}
    assert [m.ops[3].fields for m in pair.bulk.mutations_to_push(0, 1, 100)] == [pair.bulk.pending()[3].fields]


def test_a_push_reads_each_collections_batch_as_its_copies(tmp_path: Path) -> None:
    # two collections by reference (their fields of every type JSON holds), one
    # with a blob field and one with a key alone (their entries hold the fields)
    schema = Schema(1, (
        NOTES,
        Collection("readings", [Field("value", "real"), Field("ok", "boolean"), Field("at", "timestamp"),
                                Field("raw", "json")]),
        Collection("files", [Field("name"), Field("data", "blob")]),
        Collection("tags", {}),
    ))
    bulk, by_row = Replica(str(tmp_path / "bulk.db"), schema), Replica(str(tmp_path / "rows.db"), schema)
    rows = {"notes": batch(),
            "readings": [{"id": f"r{i}", "value": i / 3, "ok": i % 2 == 0, "at": i, "raw": {"i": [i]}} for i in range(N)],
            "files": [{"id": f"f{i}", "name": f"f{i}", "data": bytes([i % 256])} for i in range(N)],
            "tags": [{"id": f"t{i}"} for i in range(N)]}
    for name, values in rows.items():
        bulk.insert_many(name, values)
        with by_row.transaction():
            for row in values:
                by_row.insert(name, row)
    assert by_reference(bulk) == 3 * N  # the tags have no fields to hold

    def pushed(r: Replica) -> list[Operation]:
        return [op for m in r.mutations_to_push(0, 10**6, 10**7) for op in m.ops]

    assert pushed(bulk) == [e.to_operation() for e in bulk.pending()]
    assert [(op.collection, op.row_id, op.fields) for op in pushed(bulk)] == [
        (op.collection, op.row_id, op.fields) for op in pushed(by_row)]
    assert pushed(bulk)[N + 1].fields == {"value": 1 / 3, "ok": 0, "at": 1, "raw": '{"i":[1]}'}
    bulk.close()
    by_row.close()


def test_local_changes_copy_the_fields_first(pair: Pair) -> None:
    pair.both(lambda r: r.update("notes", IDS[0], {"title": "changed"}))
    pair.both(lambda r: r.increment("notes", IDS[1], {"likes": 5}))
    pair.both(lambda r: r.delete("notes", IDS[2]))
    pair.both(lambda r: r.execute("UPDATE notes SET body = 'plain sql' WHERE id IN (?, ?)", (IDS[3], IDS[4])))
    pair.both(lambda r: r.execute("INSERT OR REPLACE INTO notes (id, title) VALUES (?, 'replaced')", (IDS[5],)))
    pair.assert_same()
    assert by_reference(pair.bulk) == N - 6  # only the changed rows' entries took a copy
    assert pair.bulk.pending()[0].fields["title"] == "t0"  # what was inserted, not what the row says now


def test_server_rows_written_over_a_batch_copy_the_fields_first(pair: Pair) -> None:
    pair.server_rows([server_row(0, "from server"), server_row(1, "", deleted=True)])
    pair.assert_same()
    assert by_reference(pair.bulk) == N - 2
    assert pair.bulk.pending()[0].fields["title"] == "t0"


def test_settled_entries_keep_what_was_inserted_for_a_late_rejection(pair: Pair) -> None:
    # the page includes mutation 1, so its entries are not replayed over the
    # server's rows; the Ack that follows says it was rejected after all
    pair.server_rows([server_row(i, f"server {i}") for i in range(3)], settled=1)
    assert by_reference(pair.bulk) == N - 3
    pair.both(lambda r: r.apply_results([MutationResult(client_seq=1, status="rejected", reason="no")]))
    pair.assert_same()
    assert [c.local["title"] for c in pair.bulk.conflicts()[:3]] == ["t0", "t1", "t2"]


def test_an_apps_update_trigger_keeps_triggers_on_and_the_freeze_triggers_copy(pair: Pair) -> None:
    for r in (pair.bulk, pair.by_row):
        r.execute("CREATE TABLE app_log (row_id TEXT) STRICT")
        r.execute("CREATE TRIGGER app_log AFTER UPDATE ON notes BEGIN INSERT INTO app_log VALUES (NEW.id); END")
    pair.server_rows([server_row(0, "from server")])
    pair.assert_same()
    assert by_reference(pair.bulk) == N - 1


def test_a_rejected_batch_keeps_what_was_inserted_in_its_conflicts(pair: Pair) -> None:
    rows = [server_row(i, f"server {i}") for i in range(3)]
    pair.both(lambda r: r.apply_results([MutationResult(client_seq=1, status="rejected", reason="no", rows=rows)]))
    pair.assert_same()
    assert pair.bulk.conflicts()[0].local["title"] == "t0"
    assert pair.bulk.connection.execute("SELECT count(*) FROM sync_bulk").fetchall() == [(0,)]


def test_an_ack_forgets_the_batch(pair: Pair) -> None:
    pair.insert(batch([f"m{i:03d}" for i in range(N)], tag="second"))
    pair.both(lambda r: r.apply_results([MutationResult(client_seq=1, status="applied")]))
    assert [n for (n,) in pair.bulk.connection.execute("SELECT first_id >> 20 FROM sync_bulk")] == [2]
    pair.both(lambda r: r.update("notes", "m000", {"title": "after the ack"}))
    pair.assert_same()


def test_entries_by_reference_survive_a_reopening(pair: Pair) -> None:
    pair.reopen()
    assert by_reference(pair.bulk) == N
    pair.both(lambda r: r.update("notes", IDS[7], {"title": "after reopening"}))
    pair.assert_same()


def test_a_migration_copies_the_fields_the_rows_had(pair: Pair) -> None:
    grown = Collection("notes", [*NOTES.fields.values(), Field("color", "text", default="blue")])
    pair.reopen(Schema(2, (grown,)))
    assert by_reference(pair.bulk) == 0
    pair.assert_same()
    assert "color" not in pair.bulk.pending()[0].fields


def test_a_rolled_back_batch_leaves_no_trace(pair: Pair) -> None:
    with pytest.raises(RuntimeError), pair.bulk.transaction():
        pair.bulk.insert_many("notes", batch([f"x{i}" for i in range(N)]))
        raise RuntimeError("the app changed its mind")
    assert pair.bulk.connection.execute("SELECT count(*) FROM sync_bulk").fetchall() == [(1,)]
    assert pair.bulk.pending_count() == N


_actions = st.lists(st.one_of(
    st.tuples(st.just("update"), st.integers(0, N - 1), st.text(max_size=5)),
    st.tuples(st.just("increment"), st.integers(0, N - 1), st.integers(-3, 3)),
    st.tuples(st.just("delete"), st.integers(0, N - 1)),
    st.tuples(st.just("sql"), st.integers(2, 5)),
    st.tuples(st.just("replace"), st.integers(0, N - 1)),
    st.tuples(st.just("server"), st.integers(0, N - 1), st.booleans(), st.booleans()),
    st.tuples(st.just("answer"), st.sampled_from(["applied", "rejected"])),
    st.tuples(st.just("batch"), st.integers(0, 3)),
    st.tuples(st.just("reopen"),),
), max_size=12)


def _local_write(r: Replica, action: tuple[Any, ...]) -> None:
    kind, *args = action
    if kind == "update":
        r.update("notes", IDS[args[0]], {"title": args[1]})
    elif kind == "increment":
        r.increment("notes", IDS[args[0]], {"likes": args[1]})
    elif kind == "delete":
        r.delete("notes", IDS[args[0]])
    elif kind == "sql":
        r.execute("UPDATE notes SET body = body || 'x' WHERE rowid % ? = 0", (args[0],))
    else:
        r.execute("INSERT OR REPLACE INTO notes (id, title) VALUES (?, 'r')", (IDS[args[0]],))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=_actions)
def test_any_sequence_of_writes_sees_the_same_queue_as_copies(tmp_path_factory: pytest.TempPathFactory,
                                                             actions: list[tuple[Any, ...]]) -> None:
    pair = Pair(tmp_path_factory.mktemp("pair"))
    pair.insert(batch())
    version = 1
    try:
        for action in actions:
            kind = action[0]
            if kind in ("update", "increment", "delete", "sql", "replace"):
                pair.both(functools.partial(_local_write, action=action))
            elif kind == "server":
                version += 1
                settled = min((e.client_seq for e in pair.bulk.pending()), default=0) if action[3] else 0
                pair.server_rows([server_row(action[1], f"s{version}", version, deleted=action[2])], settled)
            elif kind == "answer":
                pending = sorted({e.client_seq for e in pair.bulk.pending()})
                if pending:
                    rows = [server_row(0, "kept by the server", version)] if action[1] == "rejected" else []
                    result = MutationResult(client_seq=pending[0], status=action[1], rows=rows)
                    pair.both(functools.partial(Replica.apply_results, results=[result]))
            elif kind == "batch":
                pair.insert(batch([f"b{version}-{i}" for i in range(BULK_ROWS + action[1])], tag=f"b{version}"))
                version += 1
            else:
                pair.reopen()
            pair.assert_same()
    finally:
        pair.close()
