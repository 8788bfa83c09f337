"""The device replica on real files: capture, atomicity, apply, validation."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import apsw
import pytest

from shared.errors import StateError, UsageError, ValidationError
from shared.messages import Changes, MutationResult, RowChange
from shared.schema import Collection, Field, Schema
from sync_client.replica import Replica

SCHEMA = Schema(1, (
    Collection("notes", [Field("title", "text", required=True), Field("body", "text"), Field("done", "boolean"),
                         Field("meta", "json")]),
    Collection("budget", [Field("name"), Field("used", "integer", counter=True, default=0)]),
    Collection("events", {"kind": "text"}, retention=3),
))


@pytest.fixture
def replica(tmp_path: Path) -> Replica:
    r = Replica(str(tmp_path / "device.db"), SCHEMA)
    yield r
    r.close()


def count(r: Replica, table: str) -> int:
    return int(r.connection.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])


def test_collections_are_plain_tables_the_app_can_query(replica: Replica) -> None:
    nid = replica.insert("notes", {"title": "hi", "done": True, "meta": {"a": 1}})
    row = replica.connection.execute("SELECT title, done, meta, _version, _scope FROM notes WHERE id=?",
                                     (nid,)).fetchall()
    assert row == [("hi", 1, '{"a":1}', 0, "")]
    assert replica.get("notes", nid)["meta"] == {"a": 1}


def test_each_write_queues_an_operation_with_its_fields(replica: Replica) -> None:
    nid = replica.insert("notes", {"title": "a", "body": "b"})
    replica.update("notes", nid, {"body": "c"})
    replica.delete("notes", nid)
    kinds = [(e.kind, e.fields) for e in replica.pending()]
    assert kinds == [("insert", {"title": "a", "body": "b", "done": None, "meta": None}),
                     ("update", {"body": "c"}), ("delete", {})]
    seqs = [e.client_seq for e in replica.pending()]
    assert seqs == [1, 2, 3]


def test_ids_are_time_ordered_uuid7(replica: Replica) -> None:
    ids = [replica.insert("notes", {"title": str(i)}) for i in range(50)]
    assert ids == sorted(ids)
    assert all(i[14] == "7" for i in ids)


def test_a_transaction_is_one_mutation(replica: Replica) -> None:
    with replica.transaction():
        replica.insert("notes", {"title": "a"})
        replica.insert("notes", {"title": "b"})
        replica.execute("INSERT INTO notes (id, title) VALUES ('p', 'plain')")
    assert {e.client_seq for e in replica.pending()} == {1}
    replica.insert("notes", {"title": "c"})
    assert replica.pending()[-1].client_seq == 2


def test_an_exception_in_a_transaction_rolls_back_rows_and_queue(replica: Replica) -> None:
    replica.insert("notes", {"title": "kept"})
    with pytest.raises(RuntimeError):
        with replica.transaction():
            replica.insert("notes", {"title": "gone"})
            replica.execute("UPDATE notes SET body = 'x'")
            raise RuntimeError("app failure")
    assert count(replica, "notes") == 1
    assert [e.kind for e in replica.pending()] == ["insert"]
    # the next transaction reuses nothing of the rolled-back one
    replica.insert("notes", {"title": "after"})
    assert [e.client_seq for e in replica.pending()] == [1, 2]


def test_plain_sql_writes_are_captured_like_api_writes(replica: Replica) -> None:
    replica.execute("INSERT INTO notes (id, title) VALUES ('n1', 'plain')")
    replica.execute("UPDATE notes SET title = 'changed', body = 'b' WHERE id = 'n1'")
    replica.execute("UPDATE notes SET title = 'changed' WHERE id = 'n1'")  # no change: nothing queued
    replica.execute("INSERT INTO budget (id, name) VALUES ('b1', 'food')")
    replica.execute("UPDATE budget SET used = used + 7 WHERE id = 'b1'")
    replica.execute("DELETE FROM notes WHERE id = 'n1'")
    ops = [(e.kind, e.collection, e.fields) for e in replica.pending()]
    assert ops == [("insert", "notes", {"title": "plain", "body": None, "done": None, "meta": None}),
                   ("update", "notes", {"title": "changed", "body": "b"}),
                   ("insert", "budget", {"name": "food", "used": 0}),
                   ("increment", "budget", {"used": 7}),
                   ("delete", "notes", {})]
    # plain SQL left insertOrder out: the trigger filled it from the clock
    assert all(e.insert_order > 0 for e in replica.pending())


def test_insert_or_replace_is_captured_as_delete_then_insert(replica: Replica) -> None:
    replica.execute("INSERT INTO notes (id, title, body) VALUES ('a', 'alpha', 'one')")
    replica.execute("INSERT OR REPLACE INTO notes (id, title, body) VALUES ('a', 'beta', 'two')")
    assert [e.kind for e in replica.pending()] == ["insert", "delete", "insert"]
    assert replica.get("notes", "a")["title"] == "beta"  # type: ignore[index]


def test_id_and_scope_cannot_change_by_plain_sql(replica: Replica) -> None:
    replica.execute("INSERT INTO notes (id, title) VALUES ('n1', 'a')")
    with pytest.raises(apsw.ConstraintError, match="cannot change"):
        replica.execute("UPDATE notes SET id = 'n2' WHERE id = 'n1'")


def test_server_changes_are_applied_and_not_captured(replica: Replica) -> None:
    changes = Changes(rows=[RowChange(collection="notes", row_id="s1", scope="user:a", version=3, seq=7,
                                      insert_order=123, fields={"title": "from server", "body": "x"})],
                      cursor=7, server_clock=10**16)
    replica.apply_changes(changes)
    assert replica.pending() == []
    row = replica.get("notes", "s1")
    assert row is not None and row["title"] == "from server" and row["_version"] == 3 and row["_scope"] == "user:a"
    assert replica.cursor == 7
    assert replica.clock.last >= 10**16  # the device clock moved past the server's
    replica.apply_changes(Changes(rows=[RowChange(collection="notes", row_id="s1", scope="user:a", version=4, seq=8,
                                                  insert_order=123, deleted=True)], cursor=8))
    assert replica.get("notes", "s1") is None and replica.pending() == []


def test_pending_local_edits_are_replayed_over_server_rows(replica: Replica) -> None:
    replica.apply_changes(Changes(rows=[RowChange(collection="notes", row_id="r", scope="s", version=1, seq=1,
                                                  insert_order=1, fields={"title": "v1", "body": "b1"})], cursor=1))
    replica.update("notes", "r", {"title": "mine"})
    # another device changed the body meanwhile: the local title must not flicker back
    replica.apply_changes(Changes(rows=[RowChange(collection="notes", row_id="r", scope="s", version=2, seq=2,
                                                  insert_order=1, fields={"title": "v1", "body": "theirs"})], cursor=2))
    row = replica.get("notes", "r")
    assert row is not None and (row["title"], row["body"], row["_version"]) == ("mine", "theirs", 2)
    assert [e.kind for e in replica.pending()] == ["update"]
    # once the server's rows include our mutation it is no longer replayed, but
    # its entry waits for the Ack's verdict (it may have been rejected)
    replica.apply_changes(Changes(rows=[RowChange(collection="notes", row_id="r", scope="s", version=3, seq=3,
                                                  insert_order=2, fields={"title": "server", "body": "theirs"})],
                                  cursor=3, applied={replica.device_id: 1}))
    assert replica.get("notes", "r")["title"] == "server"  # type: ignore[index]
    assert [e.client_seq for e in replica.pending()] == [1]
    replica.apply_results([MutationResult(client_seq=1, status="applied")])
    assert replica.pending() == []



def test_a_version_told_for_an_insert_leaves_a_row_inserted_again_alone(replica: Replica) -> None:
    # the Ack of the first insert comes after the device deleted the row and made
    # it again: the row is the later insert's (its own answer settles it), not
    # the first's, whose insertOrder and version it must not take
    replica.insert("notes", {"id": "n1", "title": "first"})
    replica.delete("notes", "n1")
    replica.insert("notes", {"id": "n1", "title": "again"})

    def meta() -> tuple[int, int]:
        found = replica.connection.execute('SELECT _version, "insertOrder" FROM notes').fetchall()
        return found[0][0], found[0][1]

    again = meta()
    replica.apply_results([MutationResult(client_seq=1, status="applied", versions=[1])], cursor=1)
    assert meta() == again and again[0] == 0
    assert [(e.client_seq, e.kind) for e in replica.pending()] == [(2, "delete"), (3, "insert")]
    replica.apply_results([MutationResult(client_seq=2, status="applied", versions=[2])], cursor=2)
    assert meta() == (2, again[1])  # the tombstone's version, on the row made again (as before)
    # the tombstone is compacted before the second insert commits: made afresh, version 1
    replica.apply_results([MutationResult(client_seq=3, status="applied", versions=[1])], cursor=4)
    assert meta() == (1, again[1]) and replica.pending() == []

def _versions(r: Replica) -> dict[str, int]:
    return dict(r.connection.execute("SELECT id, _version FROM notes").fetchall())  # type: ignore[arg-type]


def test_told_versions_reach_a_mutation_whose_queue_ids_have_a_gap(replica: Replica) -> None:
    # a savepoint rolled back inside the transaction took its entry back, not its
    # queue id: the versions still pair with the entries in order
    with replica.transaction():
        replica.insert("notes", {"id": "a", "title": "a"})
        with pytest.raises(RuntimeError), replica.transaction():
            replica.insert("notes", {"id": "lost", "title": "lost"})
            raise RuntimeError("inner failure")
        replica.insert("notes", {"id": "b", "title": "b"})
    replica.insert("notes", {"id": "c", "title": "c"})
    ids = [e.id - (e.client_seq << 20) for e in replica.pending()]
    assert ids == [1, 3, 1]
    replica.apply_results([MutationResult(client_seq=1, status="applied", versions=[4, 5]),
                           MutationResult(client_seq=2, status="applied", versions=[6])], cursor=3)
    assert _versions(replica) == {"a": 4, "b": 5, "c": 6} and replica.pending() == []


def test_versions_told_for_another_count_of_operations_are_left_out(replica: Replica) -> None:
    with replica.transaction():
        replica.insert("notes", {"id": "a", "title": "a"})
        replica.insert("notes", {"id": "b", "title": "b"})
    replica.insert("notes", {"id": "c", "title": "c"})
    replica.apply_results([MutationResult(client_seq=1, status="applied", versions=[4]),
                           MutationResult(client_seq=2, status="applied", versions=[0])], cursor=3)
    assert _versions(replica) == {"a": 0, "b": 0, "c": 0} and replica.pending() == []


def test_a_version_of_0_leaves_its_row_as_it_is(replica: Replica) -> None:
    with replica.transaction():
        for row_id in ("a", "b", "c"):
            replica.insert("notes", {"id": row_id, "title": row_id})
    replica.apply_results([MutationResult(client_seq=1, status="applied", versions=[2, 0, 3])], cursor=1)
    assert _versions(replica) == {"a": 2, "b": 0, "c": 3}


def test_the_highest_version_told_for_a_row_in_one_ack_is_kept(replica: Replica) -> None:
    replica.insert("notes", {"id": "a", "title": "a"})
    replica.update("notes", "a", {"title": "b"})
    replica.update("notes", "a", {"title": "c"})
    replica.insert("budget", {"id": "x", "name": "x"})
    replica.apply_results([MutationResult(client_seq=1, status="applied", versions=[1]),
                           MutationResult(client_seq=3, status="applied", versions=[3]),
                           MutationResult(client_seq=2, status="applied", versions=[2]),
                           MutationResult(client_seq=4, status="applied", versions=[7])], cursor=4)
    assert _versions(replica) == {"a": 3} and replica.pending() == []
    assert replica.connection.execute("SELECT _version FROM budget").fetchall() == [(7,)]


def test_a_row_inserted_twice_in_one_mutation_takes_the_later_inserts_version(replica: Replica) -> None:
    replica.insert("notes", {"id": "n1", "title": "first"})  # answered later, with the row made again
    with replica.transaction():
        replica.delete("notes", "n1")
        replica.insert("notes", {"id": "n1", "title": "again"})
        replica.delete("notes", "n1")
        replica.insert("notes", {"id": "n1", "title": "third"})
    orders = [e.insert_order for e in replica.pending() if e.kind == "insert"]
    replica.apply_results([MutationResult(client_seq=1, status="applied", versions=[1]),
                           MutationResult(client_seq=2, status="applied", versions=[2, 3, 4, 5])], cursor=4)
    # the row is the last insert's: the first two, and the second's version, are not its
    assert replica.connection.execute('SELECT _version, "insertOrder" FROM notes').fetchall() == [(5, orders[-1])]


def test_rejected_mutations_land_in_conflicts_with_both_versions(replica: Replica) -> None:
    replica.apply_changes(Changes(rows=[RowChange(collection="notes", row_id="r", scope="s", version=1, seq=1,
                                                  insert_order=1, fields={"title": "v1"})], cursor=1))
    replica.update("notes", "r", {"title": "mine"})
    server_row = RowChange(collection="notes", row_id="r", scope="s", version=2, seq=0, insert_order=1,
                           fields={"title": "theirs"})
    replica.apply_results([MutationResult(client_seq=1, status="rejected", reason="concurrent", rows=[server_row])])
    assert replica.pending() == []
    [conflict] = replica.conflicts()
    assert conflict.local == {"title": "mine"} and conflict.server == {"title": "theirs"}
    assert replica.get("notes", "r")["title"] == "theirs"  # type: ignore[index]
    replica.dismiss_conflict(conflict.id)
    assert replica.conflicts() == []


@pytest.mark.parametrize("call, words", [
    (lambda r: r.insert("notes", {"title": 5}), "notes.title must be text"),
    (lambda r: r.insert("notes", {"body": "no title"}), "notes.title is required"),
    (lambda r: r.insert("notes", {"title": "x", "color": "red"}), "notes has no field 'color'"),
    (lambda r: r.insert("nope", {"title": "x"}), "unknown collection 'nope'"),
    (lambda r: r.update("notes", "missing", {"title": "x"}), "notes has no row 'missing'"),
    (lambda r: r.update("budget", "b", {"used": 3}), "counter: use increment"),
    (lambda r: r.increment("budget", "b", {"name": 1}), "not a counter"),
])
def test_a_bad_write_is_refused_with_a_clear_error_and_nothing_is_written(replica: Replica, call: object,
                                                                          words: str) -> None:
    replica.insert("budget", {"id": "b", "name": "food"})
    before = (count(replica, "notes"), count(replica, "sync_queue"))
    with pytest.raises(ValidationError, match=words):
        call(replica)  # type: ignore[operator]
    assert (count(replica, "notes"), count(replica, "sync_queue")) == before


def test_plain_sql_with_bad_types_is_refused_by_the_table(replica: Replica) -> None:
    with pytest.raises(apsw.ConstraintError, match="notes.done must be 0 or 1"):
        replica.execute("INSERT INTO notes (id, title, done) VALUES ('x', 't', 5)")
    with pytest.raises(apsw.ConstraintError, match="notes.meta must be valid JSON"):
        replica.execute("INSERT INTO notes (id, title, meta) VALUES ('x', 't', '{nope')")
    assert count(replica, "notes") == 0 and count(replica, "sync_queue") == 0


def test_the_clock_stays_monotonic_when_the_wall_clock_goes_back(tmp_path: Path) -> None:
    wall = [2_000_000_000_000_000]
    r = Replica(str(tmp_path / "c.db"), SCHEMA, wall_clock=lambda: wall[0])
    orders = []
    for step in (0, -5_000_000, -5_000_000, 1, -100):
        wall[0] += step
        r.insert("notes", {"title": "t"})
        orders.append(r.pending()[-1].insert_order)
    assert orders == sorted(orders) and len(set(orders)) == len(orders)
    r.close()
    # reopening keeps the clock ahead even if the wall clock is still behind
    wall[0] -= 10**9
    r2 = Replica(str(tmp_path / "c.db"), SCHEMA, wall_clock=lambda: wall[0])
    r2.insert("notes", {"title": "t"})
    assert r2.pending()[-1].insert_order > orders[-1]
    r2.close()


def test_reopening_continues_device_id_clock_and_queue(tmp_path: Path) -> None:
    path = str(tmp_path / "d.db")
    r = Replica(path, SCHEMA)
    device, first = r.device_id, r.insert("notes", {"title": "a"})
    r.close()
    r = Replica(path, SCHEMA)
    assert r.device_id == device
    r.insert("notes", {"title": "b"})
    assert [e.client_seq for e in r.pending()] == [1, 2] and r.get("notes", first) is not None
    with pytest.raises(UsageError, match="belongs to device"):
        Replica(path, SCHEMA, device_id="someone-else")
    r.close()
    with pytest.raises(StateError):
        r.insert("notes", {"title": "closed"})


def test_retention_trims_the_oldest_rows_but_never_a_queued_one(replica: Replica) -> None:
    replica.apply_changes(Changes(rows=[
        RowChange(collection="events", row_id=f"s{i}", scope="", version=1, seq=i, insert_order=i,
                  fields={"kind": "server"}) for i in range(1, 4)], cursor=3))
    replica.insert("events", {"id": "local1", "kind": "mine"})
    ids = sorted(replica.rows("events"))
    assert ids == ["local1", "s2", "s3"]  # s1, the oldest synced row, was trimmed
    assert [(e.kind, e.row_id) for e in replica.pending()] == [("insert", "local1"), ("delete", "s1")]
    replica.insert("events", {"id": "local2", "kind": "mine"})
    replica.insert("events", {"id": "local3", "kind": "mine"})
    replica.insert("events", {"id": "local4", "kind": "mine"})
    # all four local rows are still queued, so none is trimmed even past the limit
    assert {"local1", "local2", "local3", "local4"} <= set(replica.rows("events"))


def test_an_added_field_migrates_an_existing_file_in_place(tmp_path: Path) -> None:
    path = str(tmp_path / "m.db")
    old = Schema(1, (Collection("notes", {"title": "text"}),))
    r = Replica(path, old)
    nid = r.insert("notes", {"title": "kept"})
    r.close()
    new = Schema(2, (Collection("notes", [Field("title"), Field("color", "text", default="blue")]),))
    r = Replica(path, new)
    assert r.get("notes", nid)["color"] == "blue"  # type: ignore[index]
    r.update("notes", nid, {"color": "red"})
    assert r.pending()[-1].fields == {"color": "red"}
    r.close()


CHILD = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    from tests.integration.test_replica import SCHEMA
    from sync_client.replica import Replica
    r = Replica({path!r}, SCHEMA)
    with r.transaction():
        r.insert("notes", {{"id": "committed", "title": "durable"}})
    r.insert_many("notes", [{{"id": f"bulk{{i}}", "title": f"b{{i}}"}} for i in range(20)])  # queued by reference
    print("committed", flush=True)
    r.connection.execute("BEGIN")
    r.insert("notes", {{"id": "uncommitted", "title": "lost"}})
    r.insert_many("notes", [{{"id": f"lost{{i}}", "title": "lost"}} for i in range(20)])
    print("mid-transaction", flush=True)
    import time; time.sleep(60)
""")


def test_a_killed_process_keeps_committed_writes_and_their_queue_entries(tmp_path: Path) -> None:
    path = str(tmp_path / "k.db")
    root = str(Path(__file__).resolve().parents[2])
    proc = subprocess.Popen([sys.executable, "-c", CHILD.format(root=root, path=path)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "committed"
    assert proc.stdout.readline().strip() == "mid-transaction"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    r = Replica(path, SCHEMA)
    bulk = [f"bulk{i}" for i in range(20)]
    assert set(r.rows("notes")) == {"committed", *bulk}
    assert [(e.kind, e.row_id, e.fields["title"]) for e in r.pending()] == [
        ("insert", "committed", "durable"), *(("insert", b, f"b{i}") for i, b in enumerate(bulk))]
    assert r.connection.execute("SELECT count(*) FROM sync_bulk").fetchall() == [(1,)]
    r.close()


def test_a_transaction_too_big_for_one_push_is_refused_at_commit(replica: Replica, monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    import sync_client.replica as module

    monkeypatch.setattr(module, "MAX_OPS_PER_MUTATION", 5)
    with pytest.raises(apsw.ConstraintError):
        replica.insert_many("notes", [{"title": str(i)} for i in range(6)])
    assert count(replica, "notes") == 0 and count(replica, "sync_queue") == 0
    replica.insert_many("notes", [{"title": str(i)} for i in range(5)])
    assert count(replica, "sync_queue") == 5


def test_has_pending_follows_the_queue_without_looking_while_it_is_known_empty(replica: Replica) -> None:
    """After the queue is found empty, has_pending answers without a query until
    a commit queues something: every way an entry comes and goes still shows."""
    assert not replica.has_pending()  # found empty: from now on known so
    nid = replica.insert("notes", {"title": "a"})
    assert replica.has_pending()
    replica.apply_results([MutationResult(client_seq=1, status="applied")])  # the Ack takes the entry away
    assert not replica.has_pending()
    with pytest.raises(RuntimeError):
        with replica.transaction():
            replica.update("notes", nid, {"title": "b"})
            assert replica.has_pending()  # queued in the transaction under way
            raise RuntimeError("rolled back")
    assert not replica.has_pending()
    replica.execute("UPDATE notes SET title = 'c' WHERE id = ?", (nid,))  # plain SQL is captured too
    assert replica.has_pending()
    with replica._applying():  # server rows are not captured, and no entry comes of them
        replica.connection.execute("UPDATE notes SET title = 'd' WHERE id = ?", (nid,))
    assert replica.has_pending() and replica.pending_count() == 1
