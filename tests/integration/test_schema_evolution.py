"""Old app versions keep syncing: devices on schema v1 and v2 against a v2
server, over WebSocket and HTTP; a breaking change with its migration; a
device too old for the server; the same version number with another
declaration. Real servers on loopback ports, real replicas on real files."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.errors import RemoteError, SchemaError, SchemaMismatch, SyncError
from shared.evolution import DropField, History, RenameField
from shared.messages import JSON, Changes, Mutation, Operation, Pull, Push
from shared.schema import Collection, Field, Schema
from sync_client.connection import Backoff, SyncClient
from sync_client.replica import Replica
from sync_server.app import SyncServer
from sync_server.store.sqlite import SQLiteStore

from ..servers import SECRET, ThreadServer
from .helpers import sync

V1 = Schema(1, (Collection("notes", {"title": "text", "body": "text"}),))
V2 = Schema(2, (
    Collection("notes", [Field("title"), Field("body"), Field("pinned", "boolean", required=True, default=False),
                         Field("color")], fts=("title",)),
    Collection("tags", {"name": "text"}),
))
V3 = Schema(3, (
    Collection("notes", [Field("heading"), Field("pinned", "boolean", required=True, default=False),
                         Field("color")], fts=("heading",)),
    Collection("tags", {"name": "text"}),
))
HISTORY2 = History(V1, V2)
HISTORY3 = History(V1, V2, V3, migrations={3: [RenameField("notes", "title", "heading"), DropField("notes", "body")]})


def serve(db: Path, schema: Schema | History) -> ThreadServer:
    return ThreadServer(SyncServer(schema, SQLiteStore(str(db), synchronous="NORMAL"), SECRET))


def server_notes(server: ThreadServer) -> dict[Any, dict[str, Any]]:
    rows = server.sync.store.scan_scope(["user:ada"])
    return {r.row_id: {"id": r.row_id, **r.fields} for r in rows if r.collection == "notes"}


def test_v1_and_v2_devices_converge_on_a_v2_server_over_websocket(tmp_path: Path) -> None:
    with serve(tmp_path / "server.db", HISTORY2) as server:
        token = server.token("ada")
        old, new = Replica(str(tmp_path / "old.db"), V1), Replica(str(tmp_path / "new.db"), HISTORY2)
        old.insert("notes", {"id": "n1", "title": "from v1", "body": "b"})
        new.insert("notes", {"id": "n2", "title": "from v2", "pinned": True, "color": "red"})
        new.insert("tags", {"id": "t1", "name": "work"})
        for replica in (old, new, old):
            sync(replica, server, token)
        # the v2 device sees the v1 insert with the v2 default; the v1 device never sees what it does not know
        assert new.get("notes", "n1")["pinned"] is False
        assert old.rows("notes") == {"n1": {"id": "n1", "title": "from v1", "body": "b"},
                                     "n2": {"id": "n2", "title": "from v2", "body": None}}
        assert "tags" not in old.schema

        new.update("notes", "n1", {"pinned": True, "color": "blue"})
        sync(new, server, token)
        old.update("notes", "n1", {"title": "edited on v1"})  # a v1 update of a row whose v2 fields must survive
        fresh = Replica(str(tmp_path / "fresh.db"), V1)  # a v1 device that has not synced yet
        fresh.insert("notes", {"id": "n2", "title": "v1 insert over an existing id"})  # lww: its fields only
        for replica in (old, fresh, new, old):
            sync(replica, server, token)
        stored = server_notes(server)
        assert stored["n1"] == {"id": "n1", "title": "edited on v1", "body": "b", "pinned": 1, "color": "blue"}
        assert stored["n2"]["pinned"] == 1 and stored["n2"]["color"] == "red"
        assert stored["n2"]["title"] == "v1 insert over an existing id"
        assert new.rows("notes") == stored
        assert old.rows("notes") == {k: {n: v[n] for n in ("id", "title", "body")} for k, v in stored.items()}
        assert new.rows("tags") == {"t1": {"id": "t1", "name": "work"}}
        fresh.close()
        old.close()
        new.close()


def test_a_live_v1_device_gets_v2_writes_translated(tmp_path: Path) -> None:
    """Live batches go out once per (scopes, schema version): the v1 device's
    copy has no v2 field and no v2 collection, and applies cleanly."""
    with serve(tmp_path / "server.db", HISTORY2) as server:
        token = server.token("ada")
        old, new = Replica(str(tmp_path / "old.db"), V1), Replica(str(tmp_path / "new.db"), HISTORY2)
        client = SyncClient(old, server.ws_url, token, backoff=Backoff(base=0.05, cap=0.2))
        client.start()
        try:
            new.insert("notes", {"id": "live", "title": "t", "pinned": True})
            new.insert("tags", {"id": "t", "name": "x"})
            sync(new, server, token)
            for _ in range(200):
                if old.get("notes", "live") is not None:
                    break
                asyncio.run(asyncio.sleep(0.02))
            assert old.rows("notes") == {"live": {"id": "live", "title": "t", "body": None}}
            assert client.status.fatal is None and client.status.last_error is None
        finally:
            client.stop()
        old.close()
        new.close()


def _http(server: ThreadServer, path: str, token: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{server.base}{path}", content=body,
                      headers={"authorization": f"Bearer {token}", "content-type": "application/json", **headers})


def test_http_push_and_pull_carry_the_schema_version_and_fingerprint(tmp_path: Path) -> None:
    with serve(tmp_path / "server.db", HISTORY2) as server:
        token = server.token("ada")
        new = Replica(str(tmp_path / "new.db"), HISTORY2)
        new.insert("notes", {"id": "n1", "title": "t", "pinned": True, "color": "red"})
        new.insert("tags", {"id": "t1", "name": "x"})
        sync(new, server, token)
        v1 = {"offsync-schema-version": "1", "offsync-schema-fingerprint": V1.fingerprint}

        pulled = _http(server, "/sync/pull", token, JSON.encode(Pull(cursor=0)), v1)
        assert pulled.status_code == 200, pulled.text
        changes = JSON.decode(pulled.content)
        assert isinstance(changes, Changes)
        assert [(r.collection, r.fields) for r in changes.rows] == [("notes", {"title": "t", "body": None})]

        # a v1 update over HTTP leaves the v2 fields alone
        push = Push(mutations=[Mutation(client_seq=1, ops=[Operation(kind="update", collection="notes", row_id="n1",
                                                                     base_version=1, insert_order=time.time_ns() // 1000,
                                                                     fields={"title": "http v1"})])])
        pushed = _http(server, "/sync/push", token, JSON.encode(push), {**v1, "offsync-client-id": "pwa-v1"})
        assert pushed.status_code == 200, pushed.text
        assert server_notes(server)["n1"] == {"id": "n1", "title": "http v1", "body": None, "pinned": 1,
                                              "color": "red"}

        # the same number with another declaration, a version too new, a bad header: refused, nothing stored
        other = Schema(1, (Collection("notes", {"title": "text", "budget": "integer"}),))
        for headers, path in (({"offsync-schema-version": "1", "offsync-schema-fingerprint": other.fingerprint},
                               "headers.schema_fingerprint"),
                              ({"offsync-schema-version": "3"}, "headers.schema_version")):
            refused = _http(server, "/sync/push", token, JSON.encode(push), {**headers, "offsync-client-id": "x"})
            assert refused.status_code == 409
            error = refused.json()
            assert (error["code"], error["path"]) == ("schema_mismatch", path), error
        bad = _http(server, "/sync/pull", token, JSON.encode(Pull(cursor=0)), {"offsync-schema-version": "one"})
        assert bad.status_code == 400 and bad.json()["path"] == "headers.offsync-schema-version"
        assert server_notes(server)["n1"]["title"] == "http v1"
        new.close()


def test_same_version_number_with_another_declaration_is_refused_over_websocket(tmp_path: Path) -> None:
    """The issue's case: a device with `budget` at the server's version number
    was synced with rejected=2; now it is told, and keeps its writes."""
    other = Schema(2, (Collection("notes", {"title": "text", "budget": "integer"}),))
    with serve(tmp_path / "server.db", HISTORY2) as server:
        token = server.token("ada")
        device = Replica(str(tmp_path / "d.db"), other)
        device.insert("notes", {"title": "t", "budget": 3})
        with pytest.raises(RemoteError) as refused:
            sync(device, server, token)
        assert refused.value.code == "schema_mismatch"
        assert refused.value.path == "$.schema_fingerprint"
        assert "another declaration" in refused.value.message
        assert device.pending_count() == 1 and device.conflicts() == []
        assert server_notes(server) == {}
        device.close()


def test_a_too_old_device_is_told_which_version_it_needs_and_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "server.db"
    old_path = str(tmp_path / "old.db")
    with serve(db, HISTORY2) as server:
        token = server.token("ada")
        old = Replica(old_path, V1)
        old.insert("notes", {"id": "n1", "title": "first", "body": "kept until v3"})
        sync(old, server, token)
        old.update("notes", "n1", {"title": "edited offline"})
        old.insert("notes", {"id": "n2", "title": "made offline", "body": "x"})
    # the server moves to v3 (a breaking change): its rows migrate as it starts
    with serve(db, HISTORY3) as server:
        assert server_notes(server) == {"n1": {"id": "n1", "heading": "first", "pinned": 0}}  # body gone
        with pytest.raises(RemoteError) as refused:
            sync(old, server, token)
        assert refused.value.code == "schema_mismatch"
        assert "needs schema version 3" in refused.value.message
        assert old.pending_count() == 2
        # the background client stops with a fatal status, once
        client = SyncClient(old, server.ws_url, token, backoff=Backoff(base=0.01, cap=0.01))
        asyncio.run(asyncio.wait_for(client.run(), 10))
        assert client.status.attempts == 1
        assert client.status.fatal is not None and "schema_mismatch" in client.status.fatal
        old.close()

        # the app updates: the replica migrates its rows and its queue as it opens, then pushes them
        upgraded = Replica(old_path, HISTORY3)
        assert upgraded.rows("notes") == {"n1": {"id": "n1", "heading": "edited offline", "pinned": 0, "color": None},
                                          "n2": {"id": "n2", "heading": "made offline", "pinned": 0, "color": None}}
        assert {e.row_id: e.fields for e in upgraded.pending()} == {"n1": {"heading": "edited offline"},
                                                                     "n2": {"heading": "made offline"}}
        result = sync(upgraded, server, token)
        assert result.rejected == 0 and upgraded.pending_count() == 0
        stored = server_notes(server)
        assert stored["n1"]["heading"] == "edited offline" and stored["n2"]["heading"] == "made offline"
        assert upgraded.rows("notes") == {k: {"color": None, **v} for k, v in stored.items()}
        upgraded.close()


def test_a_breaking_change_without_migration_is_refused_where_it_is_declared() -> None:
    renamed = Schema(2, (Collection("notes", {"heading": "text", "body": "text"}),))
    with pytest.raises(SchemaError, match=r"notes\.title was dropped or renamed"):
        History(V1, renamed)
    retyped = Schema(2, (Collection("notes", {"title": "integer", "body": "text"}),))
    with pytest.raises(SchemaError, match=r"notes\.title changed \(text -> integer\)"):
        History(V1, retyped)


def test_reopening_a_replica_with_an_undeclared_breaking_change_fails_clearly(tmp_path: Path) -> None:
    path = str(tmp_path / "d.db")
    with Replica(path, V1) as replica:
        replica.insert("notes", {"title": "t", "body": "b"})
    cases = [
        (Schema(2, (Collection("notes", {"title": "integer", "body": "text"}),)), "notes.title"),
        (Schema(2, (Collection("notes", {"title": "text"}),)), "notes.body"),
        (Schema(1, (Collection("notes", {"title": "text", "body": "text", "x": "text"}),)), "schema_fingerprint"),
    ]
    for schema, where in cases:
        with pytest.raises(SchemaMismatch) as refused:
            Replica(path, schema)
        assert refused.value.path == where, refused.value
        assert isinstance(refused.value, SyncError)
    with Replica(path, V1) as replica:  # nothing was changed by the refusals
        assert replica.pending_count() == 1 and len(replica.rows("notes")) == 1


def test_postgres_serves_old_devices_and_migrates_its_rows(tmp_path: Path) -> None:
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[postgres]')")
    from sync_server.store.postgres import PostgresStore

    from .postgres_db import fresh_database

    with fresh_database() as url:
        with ThreadServer(SyncServer(HISTORY2, PostgresStore(url), SECRET)) as server:
            token = server.token("ada")
            old, new = Replica(str(tmp_path / "old.db"), V1), Replica(str(tmp_path / "new.db"), HISTORY2)
            old.insert("notes", {"id": "n1", "title": "v1"})
            sync(old, server, token)
            sync(new, server, token)
            new.update("notes", "n1", {"pinned": True})
            sync(new, server, token)
            old.update("notes", "n1", {"title": "v1 again"})
            sync(old, server, token)
            sync(new, server, token)
            assert new.get("notes", "n1")["pinned"] is True and new.get("notes", "n1")["title"] == "v1 again"
            assert old.rows("notes") == {"n1": {"id": "n1", "title": "v1 again", "body": None}}
        with ThreadServer(SyncServer(HISTORY3, PostgresStore(url), SECRET)) as server:
            assert server_notes(server) == {"n1": {"id": "n1", "heading": "v1 again", "pinned": 1}}
            with pytest.raises(RemoteError, match="needs schema version 3"):
                sync(new, server, token)
            new.close()
            upgraded = Replica(str(tmp_path / "new.db"), HISTORY3)
            upgraded.update("notes", "n1", {"heading": "v3"})
            sync(upgraded, server, token)
            assert server_notes(server)["n1"] == {"id": "n1", "heading": "v3", "pinned": 1}
            upgraded.close()
        old.close()


def test_a_replica_that_cannot_take_a_server_row_fails_with_a_sync_error_and_stops(tmp_path: Path) -> None:
    """An error the replica raises inside SQLite while applying the server's
    rows (here an app's own trigger) is a SyncError for sync_once, and stops
    the background loop with a fatal status instead of a reconnect loop."""
    with serve(tmp_path / "server.db", HISTORY2) as server:
        token = server.token("ada")
        writer = Replica(str(tmp_path / "w.db"), HISTORY2)
        writer.insert("notes", {"id": "n1", "title": "refused by the app's trigger"})
        sync(writer, server, token)
        device = Replica(str(tmp_path / "d.db"), HISTORY2)
        device.connection.execute("CREATE TRIGGER app_guard BEFORE INSERT ON notes "
                                  "BEGIN SELECT RAISE(ABORT, 'the app refuses this row'); END")
        with pytest.raises(SyncError, match="the replica could not apply") as failed:
            sync(device, server, token)
        assert not isinstance(failed.value, RemoteError)
        client = SyncClient(device, server.ws_url, token, backoff=Backoff(base=0.01, cap=0.01))
        asyncio.run(asyncio.wait_for(client.run(), 10))
        assert client.status.attempts == 1
        assert client.status.fatal is not None and "the app refuses this row" in client.status.fatal
        writer.close()
        device.close()


@pytest.mark.parametrize("v1_first", [True, False])
def test_an_old_insert_never_wins_a_field_it_does_not_know_in_either_order(tmp_path: Path, v1_first: bool) -> None:
    """A v1 insert leaves out v2's fields: their defaults are no write of its, so a
    concurrent v2 insert of the same id with an earlier stamp still sets them,
    whichever arrives first (lww does not depend on arrival order)."""
    from shared.messages import Mutation, Operation
    from sync_server.auth import Grant
    from sync_server.engine import Engine, PushRequest

    t0 = 1_700_000_000_000_000
    engine = Engine(V2, SQLiteStore(str(tmp_path / "s.db")), wall_clock=lambda: t0)
    grant = Grant(user="ada", write=frozenset({"user:ada"}), read=frozenset({"user:ada"}))
    v1 = PushRequest("old", grant, [Mutation(client_seq=1, ops=[Operation(
        kind="insert", collection="notes", row_id="n", insert_order=t0 + 2, fields={"title": "v1", "body": None})])])
    v2 = PushRequest("new", grant, [Mutation(client_seq=1, ops=[Operation(
        kind="insert", collection="notes", row_id="n", insert_order=t0 + 1,
        fields={"title": "v2", "body": None, "pinned": 1, "color": "red"})])])
    for request in ([v1, v2] if v1_first else [v2, v1]):
        engine.apply_batch([request])
    row = engine.store.load_rows([("user:ada", "notes", "n")])[("user:ada", "notes", "n")]
    assert row.fields == {"title": "v1", "body": None, "pinned": 1, "color": "red"}
    engine.store.close()


def test_a_dropped_collection_takes_its_queued_writes_without_a_gap(tmp_path: Path) -> None:
    """Writes queued to a collection a migration drops: those sharing a mutation
    with other writes go, and a mutation of nothing else is refused into the
    conflicts table, so no client_seq is left missing (the server would wait)."""
    from shared.evolution import DropCollection

    a1 = Schema(1, (Collection("notes", {"title": "text"}), Collection("tags", {"name": "text"})))
    a2 = Schema(2, (Collection("notes", {"title": "text"}),))
    history = History(a1, a2, migrations={2: [DropCollection("tags")]})
    path = str(tmp_path / "d.db")
    with Replica(path, a1) as device:
        device.insert("tags", {"id": "t1", "name": "alone"})  # mutation 1: only the dropped collection
        with device.transaction():  # mutation 2: both
            device.insert("tags", {"id": "t2", "name": "with a note"})
            device.insert("notes", {"id": "n1", "title": "kept"})
        device.insert("notes", {"id": "n2", "title": "after"})  # mutation 3
    with serve(tmp_path / "server.db", history) as server:
        token = server.token("ada")
        upgraded = Replica(path, history)
        assert [(e.client_seq, e.collection) for e in upgraded.pending()] == [(1, "tags"), (2, "notes"), (3, "notes")]
        result = sync(upgraded, server, token)
        assert result.rejected == 1 and upgraded.pending_count() == 0
        assert [(c.client_seq, c.collection, c.reason) for c in upgraded.conflicts()] == \
            [(1, "tags", "unknown_collection")]
        assert set(server_notes(server)) == {"n1", "n2"} and set(upgraded.rows("notes")) == {"n1", "n2"}
        upgraded.close()
