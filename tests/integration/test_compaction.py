"""Tombstone compaction and the full re-sync it forces on devices that were
away longer than the horizon: the engine on both stores (a fake clock), then
a real server on a loopback port with real WebSocket clients on real files,
the HTTP pull, and the server's search index."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from shared.messages import MSGPACK, Changes, Mutation, Operation, Pull, RowChange
from shared.schema import Collection, Field, Schema
from sync_client.connection import SyncStatus
from sync_client.replica import Replica
from sync_server.auth import Grant
from sync_server.engine import Engine, PushRequest
from sync_server.search_api import SearchIndex
from sync_server.store.base import Store
from sync_server.store.sqlite import SQLiteStore

from ..servers import ThreadServer
from .helpers import converged, device, sync
from .postgres_db import STORES, store_of

ADA = "user:ada"
GRANT = Grant(user="ada", write=frozenset({ADA}), read=frozenset({ADA}))
T0_US = 1_700_000_000_000_000
MINUTE_US = 61 * 1_000_000  # a little over the stores' mark interval
SCHEMA = Schema(version=1, collections=(
    Collection("notes", [Field("title", "text", required=True)]),
    Collection("tagged", {"tag": "text"}, unique=[("tag",)]),
))


class Clock:
    def __init__(self) -> None:
        self.now_us = T0_US

    def __call__(self) -> int:
        return self.now_us


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with store_of(request.param, tmp_path) as opened:
        yield opened


class Pusher:
    """One device's pushes straight into an engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seq = 0

    def __call__(self, *ops: Operation) -> list[str]:
        self.seq += 1
        outcome = self.engine.apply_batch([PushRequest("dev-a", GRANT, [Mutation(client_seq=self.seq, ops=list(ops))])])
        return [r.status for r in outcome.results[0]]


_orders = itertools.count(T0_US)


def op(kind: str, row_id: str, collection: str = "notes", **fields: Any) -> Operation:
    """An operation later than every one made before (a delete must beat its insert)."""
    return Operation(kind=kind, collection=collection, row_id=row_id, insert_order=next(_orders), fields=fields)


def stored_ids(engine: Engine, *ids: str) -> dict[str, bool | None]:
    """Each id's row: None if there is none, else whether it is a tombstone."""
    found = engine.store.load_rows([(ADA, "notes", i) for i in ids])
    return {i: (None if (ADA, "notes", i) not in found else found[(ADA, "notes", i)].deleted) for i in ids}


@pytest.fixture
def aged(store: Store) -> tuple[Engine, Clock]:
    """Four notes at T0; two deleted a minute later, a third a minute after that."""
    clock = Clock()
    engine = Engine(SCHEMA, store, wall_clock=clock)
    push = Pusher(engine)
    assert push(*(op("insert", f"n{i}", title=f"note {i}") for i in range(1, 5))) == ["applied"]  # seq 1-4
    clock.now_us += MINUTE_US
    push(op("delete", "n1"), op("delete", "n2"))  # seq 5-6
    clock.now_us += MINUTE_US
    push(op("delete", "n3"))  # seq 7
    return engine, clock


def test_compaction_removes_only_tombstones_older_than_asked_and_the_horizon_never_goes_down(
        aged: tuple[Engine, Clock]) -> None:
    engine, clock = aged
    done = engine.compact(MINUTE_US // 1000)  # the batch of a minute ago and before
    assert (done.removed, done.horizon) == (2, 6)
    assert stored_ids(engine, "n1", "n2", "n3", "n4") == {"n1": None, "n2": None, "n3": True, "n4": False}
    assert engine.compact(MINUTE_US // 1000).removed == 0
    assert engine.compact_upto(3).horizon == 6  # never down
    clock.now_us += 10 * MINUTE_US
    assert (engine.compact(0).removed, stored_ids(engine, "n3")) == (1, {"n3": None})
    with pytest.raises(ValueError, match="older_than_ms"):
        engine.compact(-1)


def test_a_pull_below_the_horizon_is_answered_from_zero_as_a_resync(aged: tuple[Engine, Clock]) -> None:
    engine, _ = aged
    engine.compact_upto(6)
    begun = engine.pull(GRANT, None, 4, 100)
    assert (begun.resync, begun.resync_begins) == (True, True)
    assert {(r.row_id, r.deleted) for r in begun.rows} == {("n4", False), ("n3", True)}  # from 0: all that is left
    going_on = engine.pull(GRANT, None, 4, 100, resync=True)  # a re-sync cut off at 4 goes on from there
    assert (going_on.resync, going_on.resync_begins, [r.row_id for r in going_on.rows]) == (True, False, ["n3"])
    for cursor in (0, 6, 7):  # a new device, or one that saw every removed tombstone
        page = engine.pull(GRANT, None, cursor, 100)
        assert (page.resync, page.resync_begins) == (False, False)
    # at cursor 0 but with mutations the server applied: it holds their rows, so it re-syncs
    pushed_first = engine.pull(GRANT, "dev-a", 0, 100)
    assert (pushed_first.resync, pushed_first.resync_begins, len(pushed_first.rows)) == (True, True, 2)
    assert engine.pull(GRANT, "dev-other", 0, 100).resync is False


def test_a_unique_key_a_compacted_tombstone_held_is_free_again(store: Store) -> None:
    engine = Engine(SCHEMA, store, wall_clock=Clock())
    push = Pusher(engine)
    push(op("insert", "t1", "tagged", tag="x"))
    push(op("delete", "t1", "tagged"))
    key = (ADA, "tagged", "tag", msgspec.msgpack.encode(["x"]))
    assert store.find_unique(*key) == "t1"
    engine.compact_upto(store.head())
    assert store.find_unique(*key) is None
    assert push(op("insert", "t2", "tagged", tag="x")) == ["applied"]


# -- end to end ---------------------------------------------------------------------


def _titles(prefix: str, n: int) -> list[dict[str, Any]]:
    return [{"title": f"{prefix}{i}"} for i in range(n)]


def _compact_everything(server: ThreadServer) -> int:
    """Compact every tombstone (the devices are idle: nothing else uses the writer)."""
    return server.sync.engine.compact_upto(server.sync.store.head()).removed


def test_a_device_away_past_the_horizon_resyncs_drops_what_was_deleted_and_keeps_its_own_writes(
        server: ThreadServer, schema: Schema, tmp_path: Path) -> None:
    token = server.token("ada")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    a.insert_many("notes", _titles("alpha", 30))
    sync(a, server, token)
    sync(b, server, token)
    ids = sorted(a.rows("notes"))
    deleted, kept_edit = ids[:10], ids[10]
    for row_id in deleted:
        a.delete("notes", row_id)
    a.update("notes", kept_edit, {"body": "edited while b was away"})
    sync(a, server, token)
    assert _compact_everything(server) == 10

    # b, away all along: a note of its own, and an edit of a row deleted meanwhile
    mine = b.insert("notes", {"title": "made offline"})
    b.update("notes", deleted[0], {"body": "too late"})
    assert b.search("notes", "alpha3", mode="fts").ids()  # still there, for now
    gone: list[Any] = []
    b.add_listener(lambda event, rows: gone.extend(r.row_id for r in rows if event == "changes" and r.deleted))
    sync(b, server, token)

    assert not b.resyncing
    assert set(deleted[1:]) <= set(gone)  # swept, and the app was told
    assert all(b.get("notes", row_id) is None for row_id in deleted)
    assert b.get("notes", kept_edit)["body"] == "edited while b was away"
    assert [(c.row_id, c.reason) for c in b.conflicts()] == [(deleted[0], "not_found")]
    assert {h.id for h in b.search("notes", " ".join(f"alpha{i}" for i in range(30)), k=50, mode="fts")} \
        == {i for i, r in b.rows("notes").items() if r["title"].startswith("alpha")}  # the index followed the sweep
    sync(a, server, token)
    assert a.get("notes", mine) is not None
    assert converged(server.sync, [ADA], a, b)


def test_a_resync_cut_off_halfway_goes_on_where_it_stopped_after_a_restart(
        server: ThreadServer, schema: Schema, tmp_path: Path) -> None:
    token = server.token("ada")
    a = device(tmp_path, "a", schema)
    a.insert_many("notes", _titles("row", 5_000))
    sync(a, server, token)
    b = device(tmp_path, "b", schema)
    sync(b, server, token)
    deleted = sorted(a.rows("notes"))[::50]  # 100 rows, spread over every page
    for row_id in deleted:
        a.delete("notes", row_id)
    sync(a, server, token)
    assert _compact_everything(server) == len(deleted)

    def cut(status: SyncStatus) -> None:
        raise ConnectionAbortedError("network cut")

    with pytest.raises(ConnectionAbortedError):
        sync(b, server, token, on_progress=cut)
    assert b.resyncing and 0 < b.cursor < server.sync.store.head()
    b.close()
    b = Replica(str(tmp_path / "b.db"), schema)
    assert b.resyncing  # it survives a restart
    resumed = sync(b, server, token)
    assert not b.resyncing
    assert 0 < resumed.pulled < 5_000 - len(deleted)  # went on from its cursor, not from zero
    assert all(b.get("notes", row_id) is None for row_id in deleted)
    assert converged(server.sync, [ADA], a, b)


def test_the_http_pull_below_the_horizon_starts_a_resync(server: ThreadServer, schema: Schema,
                                                         tmp_path: Path) -> None:
    token = server.token("ada")
    a = device(tmp_path, "a", schema)
    a.insert_many("notes", _titles("row", 20))
    sync(a, server, token)
    for row_id in sorted(a.rows("notes"))[:5]:
        a.delete("notes", row_id)
    sync(a, server, token)
    _compact_everything(server)

    def pull(cursor: int, resync: bool = False) -> Changes:
        response = httpx.post(f"{server.base}/sync/pull", content=MSGPACK.encode(Pull(cursor=cursor, resync=resync)),
                              headers={"authorization": f"Bearer {token}", "content-type": "application/msgpack"})
        assert response.status_code == 200
        changes = MSGPACK.decode(response.content)
        assert isinstance(changes, Changes)
        return changes

    page = pull(3)
    assert (page.resync, page.resync_begins, len(page.rows)) == (True, True, 15)
    assert all(not r.deleted for r in page.rows)
    assert (pull(3, resync=True).resync_begins, pull(page.cursor).resync) == (False, False)


def test_the_server_search_index_resyncs_a_scope_past_the_horizon(server: ThreadServer, schema: Schema,
                                                                    tmp_path: Path) -> None:
    ada, bob = server.token("ada"), server.token("bob")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    first = a.insert("notes", {"title": "zebra crossing"})
    a.insert("notes", {"title": "zebra stripes"})
    b.insert("notes", {"title": "zebra of bob"})
    sync(a, server, ada)
    sync(b, server, bob)
    index = SearchIndex(server.sync)
    try:
        def found(scope: str) -> set[str]:
            return {h.row["title"] for h in index.search([scope], "notes", "zebra", mode="fts")}

        assert found(ADA) == {"zebra crossing", "zebra stripes"} and found("user:bob") == {"zebra of bob"}
        a.delete("notes", first)
        sync(a, server, ada)
        assert _compact_everything(server) == 1  # the index never saw the tombstone
        assert found(ADA) == {"zebra stripes"}
        assert found("user:bob") == {"zebra of bob"}  # another scope's rows are untouched
    finally:
        index.close()


def test_a_replayed_resync_page_changes_nothing_more(tmp_path: Path) -> None:
    """Applying the same page twice (first, middle or last of a re-sync) leaves what applying it once did."""
    replica = Replica(str(tmp_path / "r.db"), SCHEMA)

    def row(row_id: str, seq: int) -> RowChange:
        return RowChange(collection="notes", row_id=row_id, scope=ADA, version=1, seq=seq, insert_order=T0_US,
                         fields={"title": row_id})

    replica.apply_changes(Changes(rows=[row("old", 1), row("kept", 2)], cursor=2))
    first = Changes(rows=[row("kept", 2)], cursor=2, more=True, resync=True, resync_begins=True)
    last = Changes(rows=[row("new", 3)], cursor=3, resync=True)
    for page in (first, first, last, last):
        replica.apply_changes(page)
    assert sorted(replica.rows("notes")) == ["kept", "new"] and not replica.resyncing
    replica.close()


def test_offsync_compact_removes_old_tombstones_from_the_command_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    db = tmp_path / "server.db"
    _two_hours_of_history(db, SCHEMA)
    offsync = [sys.executable, "-m", "sync_server.cli", "compact", "--db", str(db)]
    for days, said in (("1", "removed 0 tombstones; horizon 0"), ("0", "removed 1 tombstones; horizon 3")):
        done = subprocess.run([*offsync, "--older-than-days", days], capture_output=True, text=True, timeout=60, check=False)
        assert (done.returncode, done.stdout.strip()) == (0, said), done.stderr
    refused = subprocess.run([*offsync, "--older-than-days", "-1"], capture_output=True, text=True, timeout=60, check=False)
    assert refused.returncode == 2 and "expected a number of days >= 0, got '-1'" in refused.stderr


def _two_hours_of_history(db: Path, schema: Schema) -> None:
    """Two notes pushed two hours ago, one of them deleted an hour ago (seq 3)."""
    clock = Clock()
    clock.now_us = time.time_ns() // 1000 - 2 * 3600 * 1_000_000
    store = SQLiteStore(str(db))
    push = Pusher(Engine(schema, store, wall_clock=clock))
    push(op("insert", "n1", title="t"), op("insert", "n2", title="t"))
    clock.now_us += 3600 * 1_000_000
    push(op("delete", "n1"))
    store.close()


def test_a_background_compaction_runs_when_the_server_starts(tmp_path: Path, schema: Schema) -> None:
    from sync_server.app import SyncServer

    from ..servers import SECRET

    db = tmp_path / "server.db"
    _two_hours_of_history(db, schema)
    sync_server = SyncServer(schema, SQLiteStore(str(db), synchronous="NORMAL"), SECRET, compact_after_ms=0)
    with ThreadServer(sync_server) as running:
        # read on this thread's own connection: the writer's belongs to the server
        assert asyncio.run(_wait_for(lambda: len(running.sync.store.changes_since([ADA], 0, 10, None).rows) == 1))
    with pytest.raises(ValueError, match="compact_after_ms"):
        SyncServer(schema, SQLiteStore(str(tmp_path / "other.db")), SECRET, compact_after_ms=-1)


async def _wait_for(condition: Any, timeout: float = 10.0) -> bool:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return False

