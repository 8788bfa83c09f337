"""Batches of API inserts (written and queued in bulk, triggers off), the
queue's id layout, and opening a file whose queue has the layout before it."""

from __future__ import annotations

from pathlib import Path

import apsw
import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import ValidationError
from shared.messages import Changes, MutationResult, RowChange
from shared.schema import Collection, Field, Schema
from sync_client import queue
from sync_client.applying import TRIGGERS_ON_UP_TO
from sync_client.replica import BULK_ROWS, Replica

SCHEMA = Schema(1, (
    Collection("notes", [Field("title", "text", required=True), Field("body", "text", default=""),
                         Field("done", "boolean", default=False), Field("meta", "json"), Field("score", "real"),
                         Field("n", "integer")]),
    Collection("files", [Field("name", "text"), Field("data", "blob")]),
    Collection("events", {"kind": "text"}, retention=5),
    Collection("numbered", [Field("id", "integer", required=True), Field("label", "text")]),
    Collection("audit", {"note": "text"}),
))


@pytest.fixture
def replica(tmp_path: Path) -> Replica:
    r = Replica(str(tmp_path / "device.db"), SCHEMA)
    yield r
    r.close()


def entries_without_ids(r: Replica) -> list[tuple[object, ...]]:
    return [(e.kind, e.collection, e.row_id, e.fields, e.base_version, e.insert_order, e.scope) for e in r.pending()]


def rows(n: int) -> list[dict[str, object]]:
    return [{"title": f"t{i}", "meta": {"i": i}, "score": i / 3, "n": i, "done": i % 2 == 0} for i in range(n)]


def test_a_bulk_batch_queues_what_row_by_row_capture_queues(tmp_path: Path) -> None:
    """The bulk path (triggers off, one INSERT ... SELECT into the queue) and the
    per-row triggers give the same queue entries for the same rows."""
    n = BULK_ROWS * 3
    given_ids = [f"row-{i:03d}" for i in range(n)]
    batch = [{**row, "id": row_id} for row, row_id in zip(rows(n), given_ids)]
    bulk = Replica(str(tmp_path / "bulk.db"), SCHEMA, wall_clock=lambda: 1_000)
    assert bulk.insert_many("notes", batch) == given_ids
    by_row = Replica(str(tmp_path / "rows.db"), SCHEMA, wall_clock=lambda: 1_000)
    with by_row.transaction():
        for row in batch:
            by_row.insert("notes", row)
    assert entries_without_ids(bulk) == entries_without_ids(by_row)
    assert {e.client_seq for e in bulk.pending()} == {1}
    assert [e.id for e in bulk.pending()] == [queue.first_id(1) + i for i in range(1, n + 1)]
    assert bulk.rows("notes") == by_row.rows("notes")
    first = bulk.pending()[1].fields
    assert first == {"title": "t1", "body": "", "done": 0, "meta": '{"i":1}', "score": 1 / 3, "n": 1}


def test_bulk_ids_are_new_time_ordered_and_returned_in_order(replica: Replica) -> None:
    ids = replica.insert_many("notes", rows(BULK_ROWS * 4))
    assert len(set(ids)) == len(ids) and ids == sorted(ids)
    assert [e.row_id for e in replica.pending()] == ids
    orders = [e.insert_order for e in replica.pending()]
    assert orders == sorted(set(orders))


def test_a_bad_row_anywhere_in_a_batch_writes_nothing(replica: Replica) -> None:
    batch = rows(BULK_ROWS * 2)
    batch[BULK_ROWS + 3]["n"] = "seven"
    with pytest.raises(ValidationError, match="notes.n must be an integer, got str") as caught:
        replica.insert_many("notes", batch)
    assert caught.value.path == f"$[{BULK_ROWS + 3}].n"
    assert replica.pending_count() == 0 and replica.rows("notes") == {}


def test_a_batch_failing_in_sqlite_rolls_back_rows_and_queue(replica: Replica) -> None:
    batch = [{**row, "id": "same" if i in (3, 9) else f"r{i}"} for i, row in enumerate(rows(BULK_ROWS * 2))]
    with pytest.raises(apsw.ConstraintError):
        replica.insert_many("notes", batch)
    assert replica.pending_count() == 0 and replica.rows("notes") == {}
    replica.insert("notes", {"title": "after"})  # triggers are back on: a single insert is captured
    assert [e.fields["title"] for e in replica.pending()] == ["after"]


def test_an_apps_own_insert_trigger_still_fires_for_a_batch(replica: Replica) -> None:
    replica.execute("CREATE TABLE app_log (row_id TEXT) STRICT")  # the app's own table, not synced
    replica.execute("CREATE TRIGGER app_log AFTER INSERT ON notes BEGIN INSERT INTO app_log VALUES (NEW.id); END")
    ids = replica.insert_many("notes", rows(BULK_ROWS * 2))
    audited = [r for (r,) in replica.connection.execute("SELECT row_id FROM app_log ORDER BY rowid")]
    assert audited == ids
    assert [e.row_id for e in replica.pending()] == ids  # queued once each, not twice


def test_rows_an_apps_trigger_writes_during_a_batch_are_queued_too(replica: Replica) -> None:
    """With an undeclared trigger the batch keeps triggers on: its rows in another
    synced collection are captured by their own trigger, and rows it adds to the
    batch's own table are queued with the batch."""
    replica.execute("CREATE TRIGGER app_audit AFTER INSERT ON notes WHEN NEW.title != 'echo' BEGIN "
                    "INSERT INTO audit (id, note) VALUES (NEW.id || '-a', NEW.title); "
                    "INSERT INTO notes (id, title) VALUES (NEW.id || '-e', 'echo'); END")
    ids = replica.insert_many("notes", rows(BULK_ROWS))
    queued = {(e.collection, e.row_id) for e in replica.pending()}
    assert {("audit", f"{i}-a") for i in ids} <= queued
    assert {("notes", i) for i in ids} | {("notes", f"{i}-e") for i in ids} <= queued
    assert len(queued) == len(replica.pending()) == 3 * BULK_ROWS
    assert {e.client_seq for e in replica.pending()} == {1}
    replica.insert_many("notes", rows(BULK_ROWS))  # the next batch's queue ids do not collide
    assert replica.pending_count() == 6 * BULK_ROWS


def test_an_apps_temporary_trigger_fires_for_a_batch_and_for_server_rows(replica: Replica) -> None:
    # SQLITE_DBCONFIG_ENABLE_TRIGGER leaves TEMP triggers on (SQLite >= 3.35), so they need no declaring
    replica.execute("CREATE TEMP TABLE seen (row_id TEXT)")
    replica.execute("CREATE TEMP TRIGGER app_seen AFTER INSERT ON main.notes "
                    "BEGIN INSERT INTO seen VALUES (NEW.id); END")
    ids = replica.insert_many("notes", rows(BULK_ROWS))
    replica.apply_changes(Changes(rows=[RowChange(collection="notes", row_id="from-server", scope="", version=1, seq=1,
                                                  insert_order=1, fields={"title": "s"})], cursor=1))
    seen = [r for (r,) in replica.connection.execute("SELECT row_id FROM seen ORDER BY rowid")]
    assert seen == [*ids, "from-server"]


def test_an_apps_trigger_made_after_server_rows_came_fires_for_the_next_ones(replica: Replica) -> None:
    """Whether a table has only offsync's triggers is remembered between pages,
    until the schema changes: a trigger the app makes later is not missed."""
    size = TRIGGERS_ON_UP_TO + 1  # a write this big turns our triggers off when they are the only ones

    def page(name: str, seq: int) -> Changes:
        return Changes(rows=[RowChange(collection="notes", row_id=f"{name}{i}", scope="", version=1, seq=seq + i,
                                       insert_order=seq + i, fields={"title": "s"}) for i in range(size)],
                       cursor=seq + size)

    replica.apply_changes(page("before", 1))  # triggers off for it: only ours are on the table
    replica.execute("CREATE TABLE app_log (row_id TEXT) STRICT")
    replica.execute("CREATE TRIGGER app_log AFTER INSERT ON notes BEGIN INSERT INTO app_log VALUES (NEW.id); END")
    replica.apply_changes(page("after", 100))
    replica.execute("DROP TRIGGER app_log")
    replica.apply_changes(page("dropped", 200))
    logged = [r for (r,) in replica.connection.execute("SELECT row_id FROM app_log ORDER BY rowid")]
    assert logged == [f"after{i}" for i in range(size)]
    assert replica.pending_count() == 0  # server rows are never queued, triggers on or off


def test_blob_collections_are_queued_as_messagepack(replica: Replica) -> None:
    ids = replica.insert_many("files", [{"name": f"f{i}", "data": bytes([i, 0, 255])} for i in range(BULK_ROWS)])
    entries = replica.pending()
    assert [e.fields for e in entries] == [{"name": f"f{i}", "data": bytes([i, 0, 255])} for i in range(BULK_ROWS)]
    assert [e.row_id for e in entries] == ids
    stored = replica.connection.execute("SELECT DISTINCT typeof(fields) FROM sync_queue").fetchall()
    assert stored == [("blob",)]


def test_retention_trims_after_a_batch_as_after_each_row(replica: Replica) -> None:
    old = replica.insert_many("events", [{"kind": f"old{i}"} for i in range(8)])
    replica.apply_results([MutationResult(client_seq=1, status="applied")])  # synced: may be trimmed now
    new = replica.insert_many("events", [{"kind": f"new{i}"} for i in range(BULK_ROWS)])
    left = set(replica.rows("events"))
    assert set(new) <= left and not set(old) & left  # queued rows stay, even beyond the limit
    deletes = [e.row_id for e in replica.pending() if e.kind == "delete"]
    assert sorted(deletes) == sorted(old)


def test_integer_keys_take_the_row_by_row_path(replica: Replica) -> None:
    replica.insert_many("numbered", [{"id": 100 - i, "label": str(i)} for i in range(BULK_ROWS * 2)])
    assert sorted(e.row_id for e in replica.pending()) == list(range(100 - BULK_ROWS * 2 + 1, 101))


def test_mutations_are_read_by_id_ranges(replica: Replica) -> None:
    for size in (1, BULK_ROWS, 2, BULK_ROWS + 1):
        replica.insert_many("notes", rows(size))
    assert [e.client_seq for e in replica.pending_mutations(0, 2)] == [1] + [2] * BULK_ROWS
    assert [e.client_seq for e in replica.pending_mutations(2, 10)] == [3, 3] + [4] * (BULK_ROWS + 1)
    assert replica.pending_mutations(4, 10) == []
    replica.apply_results([MutationResult(client_seq=2, status="applied")])
    assert [e.client_seq for e in replica.pending_mutations(0, 2)] == [1, 3, 3]


_OLD_QUEUE = """
DROP TABLE sync_queue;
CREATE TABLE sync_queue (
    id INTEGER PRIMARY KEY, client_seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('insert', 'update', 'delete', 'increment')),
    collection TEXT NOT NULL, row_id ANY NOT NULL, fields BLOB, base_version INTEGER NOT NULL,
    insert_order INTEGER NOT NULL, scope TEXT NOT NULL) STRICT;
CREATE INDEX sync_queue_row ON sync_queue (collection, row_id);
CREATE INDEX sync_queue_seq ON sync_queue (client_seq);
"""


def test_a_queue_of_the_layout_before_is_rewritten_in_order(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    Replica(path, SCHEMA).close()
    c = apsw.Connection(path)
    with c:
        c.execute(_OLD_QUEUE)
        for seq, row_id, title in [(1, "a", "x"), (1, "b", "y"), (2, "a", "z")]:
            c.execute("INSERT INTO sync_queue (client_seq, kind, collection, row_id, fields, base_version, "
                      "insert_order, scope) VALUES (?, 'insert', 'notes', ?, ?, 0, ?, '')",
                      (seq, row_id, msgspec.msgpack.encode({"title": title}), 10 + len(title)))  # as captured then
        c.execute("UPDATE sync_state SET value = 2 WHERE key = 'last_client_seq'")
    c.close()
    r = Replica(path, SCHEMA)
    assert [(e.client_seq, e.row_id, e.fields) for e in r.pending()] == [
        (1, "a", {"title": "x"}), (1, "b", {"title": "y"}), (2, "a", {"title": "z"})]
    indexes = {n for (n,) in r.connection.execute("SELECT name FROM sqlite_schema WHERE tbl_name = 'sync_queue' "
                                                  "AND type = 'index'")}
    assert indexes == {"sync_queue_events"}  # only the one retention asks for
    r.insert("notes", {"title": "next"})  # the capture triggers were made again, on the new table
    assert [e.client_seq for e in r.pending()] == [1, 1, 2, 3]
    r.close()


@settings(max_examples=40, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(-(2**63), 2**63 - 1),
       st.text(max_size=30))
def test_json_capture_round_trips_every_value_exactly(value: float, number: int, text: str) -> None:
    r = Replica(":memory:", SCHEMA)
    batch = [{"title": text, "score": value, "n": number, "meta": {"t": text}}] * BULK_ROWS
    r.insert_many("notes", batch)
    fields = r.pending()[0].fields
    assert fields["title"] == text and fields["n"] == number and fields["meta"] == r.rows("notes").popitem()[1]["meta"]
    assert fields["score"] == value  # the same double (JSON keeps no sign of zero: -0.0 == 0.0)
    r.close()


def test_mutations_are_read_up_to_an_operation_budget(replica: Replica) -> None:
    for size in (BULK_ROWS, 3, 2, BULK_ROWS * 2):
        replica.insert_many("notes", rows(size))
    seqs = lambda entries: sorted({e.client_seq for e in entries})  # noqa: E731
    assert seqs(replica.pending_mutations(0, 10, max_ops=BULK_ROWS + 5)) == [1, 2, 3]
    assert seqs(replica.pending_mutations(0, 10, max_ops=BULK_ROWS + 4)) == [1, 2]
    assert seqs(replica.pending_mutations(0, 10, max_ops=1)) == [1]  # a first mutation goes whole
    assert len(replica.pending_mutations(3, 10, max_ops=1)) == BULK_ROWS * 2
    assert seqs(replica.pending_mutations(0, 2, max_ops=10_000)) == [1, 2]
