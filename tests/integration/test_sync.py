"""The sync loop end to end: a real server on a loopback port, real WebSocket
clients, real SQLite files."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from shared.messages import MSGPACK, Push, Welcome
from sync_client.connection import SyncClient, SyncStatus
from sync_client.protocol import ClientProtocol
from sync_server.auth import TokenAuthority
from sync_server.export_api import install

from ..servers import SECRET, ProcessServer, ThreadServer
from .helpers import converged, device, sync

ADA = ["user:ada"]


def test_offline_edits_to_different_fields_merge(server: ThreadServer, schema, tmp_path: Path) -> None:
    token = server.token("ada")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    nid = a.insert("notes", {"title": "t", "body": "b"})
    sync(a, server, token), sync(b, server, token)
    a.update("notes", nid, {"title": "from a"})
    b.update("notes", nid, {"body": "from b"})
    sync(a, server, token), sync(b, server, token), sync(a, server, token)
    assert a.get("notes", nid)["title"] == "from a" and a.get("notes", nid)["body"] == "from b"
    assert converged(server.sync, ADA, a, b)


@pytest.mark.parametrize("first", ["early", "late"])
def test_same_field_the_later_insert_order_wins_whichever_arrives_first(server: ThreadServer, schema,
                                                                       tmp_path: Path, first: str) -> None:
    token = server.token("ada")
    early, late = device(tmp_path, "early", schema), device(tmp_path, "late", schema)
    nid = early.insert("notes", {"title": "t"})
    sync(early, server, token), sync(late, server, token)
    early.update("notes", nid, {"title": "written first"})
    time.sleep(0.002)
    late.update("notes", nid, {"title": "written last"})
    order = [early, late] if first == "early" else [late, early]
    for r in order + order:
        sync(r, server, token)
    assert early.get("notes", nid)["title"] == late.get("notes", nid)["title"] == "written last"
    assert converged(server.sync, ADA, early, late)


def test_reject_hands_the_loser_back_and_records_it(server: ThreadServer, schema, tmp_path: Path) -> None:
    token = server.token("ada")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    eid = a.insert("journal", {"title": "day", "body": "v1"})
    sync(a, server, token), sync(b, server, token)
    a.update("journal", eid, {"body": "a's words"})
    b.update("journal", eid, {"body": "b's words"})
    sync(a, server, token)
    result = sync(b, server, token)
    assert result.rejected == 1
    [conflict] = b.conflicts()
    assert conflict.local == {"body": "b's words"} and conflict.server["body"] == "a's words"
    assert b.get("journal", eid)["body"] == "a's words"  # the server's row is shown; b's is kept aside
    recorded = server.sync.store.conflicts(ADA)
    assert [(c.kind, c.resolution, c.client_id) for c in recorded] == [("update", "rejected", b.device_id)]
    assert converged(server.sync, ADA, a, b)
    # an operator or the user can see it over HTTP, limited to the token's scopes
    install(server.sync)
    seen = httpx.get(f"{server.base}/api/conflicts", headers={"authorization": f"Bearer {token}"}).json()
    assert [(c["row_id"], c["fields"]["body"], c["resolution"]) for c in seen["conflicts"]] == [
        (eid, "b's words", "rejected")]
    other = httpx.get(f"{server.base}/api/conflicts", headers={"authorization": f"Bearer {server.token('eve')}"})
    assert other.json() == {"conflicts": []}
    bad = httpx.get(f"{server.base}/api/conflicts?limit=0", headers={"authorization": f"Bearer {token}"})
    assert bad.status_code == 400 and bad.json()["path"] == "query.limit"


def test_delete_against_a_concurrent_update_deletes(server: ThreadServer, schema, tmp_path: Path) -> None:
    token = server.token("ada")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    nid = a.insert("notes", {"title": "t"})
    sync(a, server, token), sync(b, server, token)
    a.delete("notes", nid)
    b.update("notes", nid, {"title": "edited meanwhile"})
    sync(b, server, token), sync(a, server, token), sync(b, server, token)
    assert a.get("notes", nid) is None and b.get("notes", nid) is None
    assert converged(server.sync, ADA, a, b)


def test_concurrent_increments_sum_exactly(server: ThreadServer, schema, tmp_path: Path) -> None:
    token = server.token("ada")
    devices = [device(tmp_path, f"d{i}", schema) for i in range(3)]
    devices[0].insert("counters", {"id": "c", "name": "cups"})
    for d in devices:
        sync(d, server, token)
    for i, d in enumerate(devices):
        for _ in range(5):
            d.increment("counters", "c", {"value": i + 1})
    for d in devices + devices:
        sync(d, server, token)
    assert {d.get("counters", "c")["value"] for d in devices} == {5 * (1 + 2 + 3)}
    assert converged(server.sync, ADA, *devices)


def test_a_lost_ack_leads_to_a_resend_that_is_applied_once(server: ThreadServer, schema, tmp_path: Path) -> None:
    token = server.token("ada")
    a = device(tmp_path, "a", schema)
    a.insert("counters", {"id": "c", "name": "n"})
    sync(a, server, token)
    a.increment("counters", "c", {"value": 10})

    async def push_and_vanish() -> None:
        protocol = ClientProtocol(a, token)
        async with connect(server.ws_url) as ws:
            [hello] = protocol.connect()
            await ws.send(MSGPACK.encode(hello))
            welcome = MSGPACK.decode(await ws.recv())
            assert isinstance(welcome, Welcome) and welcome.last_client_seq == 1
            [push] = [m for m in protocol.receive(welcome) if isinstance(m, Push)]
            await ws.send(MSGPACK.encode(push))
        # the socket is gone before the ack could be read

    asyncio.run(push_and_vanish())
    deadline = time.monotonic() + 5
    while server.sync.store.head() < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.sync.store.head() == 2  # the server applied it
    assert [e.kind for e in a.pending()] == ["increment"]  # but the device never heard
    head = server.sync.store.head()
    sync(a, server, token)
    assert a.pending() == [] and a.get("counters", "c")["value"] == 10
    assert server.sync.store.head() == head  # the resend changed nothing on the server
    fresh = device(tmp_path, "fresh", schema)
    sync(fresh, server, token)
    assert fresh.get("counters", "c")["value"] == 10


def test_a_killed_server_loses_nothing_it_acked(schema, tmp_path: Path) -> None:
    server = ProcessServer(tmp_path / "server.db").start()
    try:
        token = TokenAuthority(SECRET).issue("ada")
        a = device(tmp_path, "a", schema)
        ids = a.insert_many("notes", [{"title": f"n{i}"} for i in range(200)])
        a.insert("counters", {"id": "c", "name": "n", "value": 0})
        a.increment("counters", "c", {"value": 3})
        sync(a, server, token)  # type: ignore[arg-type]
        assert a.pending() == []  # everything acked
        server.kill()
        server.start()
        b = device(tmp_path, "b", schema)
        sync(b, server, token)  # type: ignore[arg-type]
        assert set(ids) <= set(b.rows("notes")) and b.get("counters", "c")["value"] == 3
        # the batch was queued by reference: what reached b is what a wrote
        assert {i: b.rows("notes")[i] for i in ids} == {i: a.rows("notes")[i] for i in ids}
    finally:
        server.stop()


def test_a_new_device_bootstraps_in_pages_and_resumes_after_a_cut(server: ThreadServer, schema,
                                                                 tmp_path: Path) -> None:
    token = server.token("ada")
    writer = device(tmp_path, "writer", schema)
    for start in range(0, 50_000, 10_000):
        writer.insert_many("notes", [{"title": f"note {i}"} for i in range(start, start + 10_000)])
    sync(writer, server, token)
    assert server.sync.store.head() == 50_000

    fresh = device(tmp_path, "fresh", schema)
    seen: list[float] = []

    def cut_halfway(status: SyncStatus) -> None:
        seen.append(status.progress)
        if status.cursor >= 25_000:
            raise ConnectionAbortedError("network cut")

    with pytest.raises(ConnectionAbortedError):
        sync(fresh, server, token, on_progress=cut_halfway)
    assert len(seen) > 5 and seen == sorted(seen)  # pages, with progress
    cut_at = fresh.cursor
    assert 25_000 <= cut_at < 50_000 and len(fresh.rows("notes")) == cut_at
    resumed = sync(fresh, server, token)
    assert resumed.pulled == 50_000 - cut_at  # from the last page, not from zero
    assert len(fresh.rows("notes")) == 50_000
    assert converged(server.sync, ADA, writer, fresh)


def test_users_never_see_or_change_each_others_rows(server: ThreadServer, schema, tmp_path: Path) -> None:
    ada, bob = server.token("ada"), server.token("bob")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    b.insert("notes", {"title": "bob's secret"})
    sync(b, server, bob)
    a.insert("notes", {"title": "ada's"})
    forged = a.insert("notes", {"title": "into bob"}, scope="user:bob")
    result = sync(a, server, ada)
    assert result.rejected == 1 and a.conflicts()[0].reason == "forbidden"
    assert [r["title"] for r in a.query("notes")] == ["ada's"]  # the forged row was taken back
    assert all(r.fields.get("title") != "into bob" for r in server.sync.store.scan_scope(["user:bob"]))
    sync(b, server, bob)
    assert sorted(r["title"] for r in b.query("notes")) == ["bob's secret"]
    assert forged not in b.rows("notes")


def test_live_changes_reach_connected_devices_and_not_other_users(server: ThreadServer, schema,
                                                                 tmp_path: Path) -> None:
    ada = server.token("ada")
    a, b, other = device(tmp_path, "a", schema), device(tmp_path, "b", schema), device(tmp_path, "o", schema)

    async def scenario() -> None:
        stop = asyncio.Event()
        listeners = [asyncio.create_task(SyncClient(b, server.ws_url, ada).run(stop)),
                     asyncio.create_task(SyncClient(other, server.ws_url, server.token("eve")).run(stop))]
        writer = SyncClient(a, server.ws_url, ada)
        runner = asyncio.create_task(writer.run(stop))
        await asyncio.sleep(0.3)
        nid = a.insert("notes", {"title": "live"})
        deadline = time.monotonic() + 5
        while b.get("notes", nid) is None and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.gather(runner, *listeners)
        assert b.get("notes", nid) is not None
        assert other.query("notes") == []

    asyncio.run(scenario())


def test_a_background_thread_syncs_and_reconnects_after_a_server_restart(schema, tmp_path: Path) -> None:
    server = ProcessServer(tmp_path / "server.db").start()
    token = TokenAuthority(SECRET).issue("ada")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    client = SyncClient(a, server.ws_url, token)
    try:
        client.start()
        first = a.insert("notes", {"title": "while online"})
        _wait(lambda: not a.pending())
        server.kill()
        offline = a.insert("notes", {"title": "while the server is down"})
        time.sleep(0.3)
        assert not client.status.connected and a.pending()
        server.start()
        _wait(lambda: not a.pending() and client.status.connected, timeout=15)
    finally:
        client.stop()
        server.stop()
    assert client._thread is None
    server.start()
    try:
        sync(b, server, token)  # type: ignore[arg-type]
        assert {first, offline} <= set(b.rows("notes"))
    finally:
        server.stop()


def _wait(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.02)
