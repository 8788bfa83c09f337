"""Protocol versions against one server: 1 and 2 get the messages they were
written for (rows as maps, their own rows echoed live, no Ack versions), 3
gets rows as arrays and no echo of its own rows (its Ack tells their
versions), while its other devices still get them live.

Raw sockets here read the frames as maps, so a field an older client would
refuse (it forbids unknown fields) is seen; the last test drives the real
Python client.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import msgspec
import pytest
from websockets.asyncio.client import ClientConnection, connect

from shared.apps.notes import schema as notes_schema
from shared.messages import MSGPACK, PROTOCOL_VERSION, Hello, Mutation, Operation, Pull, Push
from sync_client.connection import SyncClient
from sync_client.replica import Replica

from ..servers import ThreadServer

INSERT_ORDER = 1_733_342_400_000_000


async def _open(server: ThreadServer, client_id: str, protocol: int) -> ClientConnection:
    """A socket past Hello and a first pull (nothing to page yet)."""
    ws = await connect(server.ws_url, max_size=None)
    await ws.send(MSGPACK.encode(Hello(
        client_id=client_id, token=server.token("ada"), schema_version=notes_schema.version, protocol=protocol,
        schema_fingerprint=notes_schema.fingerprint if protocol >= 2 else "")))
    assert (await _frame(ws))["type"] == "welcome"
    await ws.send(MSGPACK.encode(Pull(cursor=0)))
    while (page := await _frame(ws))["type"] == "changes" and page.get("more"):
        pass
    return ws


async def _frame(ws: ClientConnection) -> dict[str, Any]:
    """The next frame as a plain map, as any client sees it before its own decoding."""
    found = msgspec.msgpack.decode(await asyncio.wait_for(ws.recv(), 20))
    assert isinstance(found, dict)
    return found


def _push(row_id: str, title: str) -> bytes:
    return MSGPACK.encode(Push(mutations=[Mutation(client_seq=1, ops=[Operation(
        kind="insert", collection="notes", row_id=row_id, insert_order=INSERT_ORDER, fields={"title": title})])]))


@pytest.mark.parametrize("protocol", [1, 2, 3])
def test_each_protocol_gets_its_own_messages_and_other_devices_get_the_row_live(server: ThreadServer,
                                                                                   protocol: int) -> None:
    row_id = f"n-{protocol}"

    async def talk() -> None:
        pusher = await _open(server, f"pusher-{protocol}", protocol)
        other = await _open(server, f"other-{protocol}", PROTOCOL_VERSION)
        await pusher.send(_push(row_id, "hello"))
        ack = await _frame(pusher)
        assert ack["type"] == "ack" and ack["results"][0]["status"] == "applied"
        own = await _frame(pusher)
        assert own["type"] == "changes" and own["cursor"] == ack["cursor"]
        assert own["applied"][f"pusher-{protocol}"] == 1
        if protocol < 3:
            # as before: no field a version 1 or 2 client would refuse, the row echoed as a map
            assert "versions" not in ack["results"][0]
            assert "blocks" not in own
            assert [(r["row_id"], r["version"], r["fields"]["title"]) for r in own["rows"]] == [(row_id, 1, "hello")]
        else:
            assert ack["results"][0]["versions"] == [1]  # the row's version, told instead of echoed
            assert not own.get("rows") and not own.get("blocks")  # the cursor moves, no row comes back
        live = await _frame(other)  # the user's other device gets it live, as arrays
        assert live["type"] == "changes" and live["cursor"] == ack["cursor"] and "rows" not in live
        [block] = live["blocks"]
        assert block["collection"] == "notes" and block["fields"] == ["title", "body", "tags", "pinned", "updatedAtMs"]
        assert block["rows"] == [[row_id, "hello", "", "[]", 0, None, INSERT_ORDER, 1, "user:ada"]]
        for ws in (pusher, other):
            await ws.close()

        # a new device of each version bootstraps the row in its own form
        fresh = await connect(server.ws_url, max_size=None)
        await fresh.send(MSGPACK.encode(Hello(
            client_id=f"fresh-{protocol}", token=server.token("ada"), schema_version=notes_schema.version,
            protocol=protocol, schema_fingerprint=notes_schema.fingerprint if protocol >= 2 else "")))
        await _frame(fresh)
        await fresh.send(MSGPACK.encode(Pull(cursor=0)))
        page = await _frame(fresh)
        if protocol < 3:
            assert "blocks" not in page and [r["row_id"] for r in page["rows"]] == [row_id]
        else:
            assert "rows" not in page and [r[0] for r in page["blocks"][0]["rows"]] == [row_id]
        await fresh.close()

    asyncio.run(talk())


def test_a_protocol_beyond_the_servers_is_refused_with_4003(server: ThreadServer) -> None:
    async def talk() -> tuple[dict[str, Any], int | None]:
        async with connect(server.ws_url) as ws:
            await ws.send(MSGPACK.encode(Hello(client_id="future", token=server.token("ada"),
                                               schema_version=notes_schema.version, protocol=PROTOCOL_VERSION + 1)))
            error = await _frame(ws)
            await ws.wait_closed()
            return error, ws.close_code

    error, code = asyncio.run(talk())
    assert error["code"] == "protocol_mismatch" and code == 4003
    assert f"1-{PROTOCOL_VERSION}" in error["message"]


def test_a_pushing_device_gets_versions_without_the_echo_and_its_other_device_gets_the_rows(
        server: ThreadServer, tmp_path: Path) -> None:
    pusher = Replica(str(tmp_path / "pusher.db"), notes_schema)
    watcher = Replica(str(tmp_path / "watcher.db"), notes_schema)
    came_back: list[Any] = []

    async def until(done: Any, what: str) -> None:
        deadline = asyncio.get_running_loop().time() + 20
        while not done():
            assert asyncio.get_running_loop().time() < deadline, what
            await asyncio.sleep(0.02)

    async def scenario() -> None:
        # both devices live before the pusher writes: a pull that overlaps a push
        # is answered with the rows as they are, its own included (a page is whole)
        token = server.token("ada")
        stop = asyncio.Event()
        pushing = SyncClient(pusher, server.ws_url, token)
        live = [asyncio.create_task(pushing.run(stop)),
                asyncio.create_task(SyncClient(watcher, server.ws_url, token).run(stop))]
        await until(lambda: pushing.status.phase == "live", "the pusher never went live")
        pusher.add_listener(lambda event, rows: came_back.extend(rows) if event == "changes" else None)
        ids = [pusher.insert("notes", {"title": f"t{i}"}) for i in range(3)]
        pusher.update("notes", ids[0], {"title": "edited"})
        with pusher.transaction():  # one mutation: the row is inserted and edited in it
            ids.append(pusher.insert("notes", {"title": "x"}))
            pusher.update("notes", ids[-1], {"body": "y"})
        await until(lambda: pusher.pending_count() == 0 and len(watcher.rows("notes")) == 4
                    and watcher.get("notes", ids[0])["title"] == "edited",  # type: ignore[index]
                    "the other device never got the rows live")
        pusher.update("notes", ids[1], {"title": "again"})  # made from the version the Ack told
        await until(lambda: pusher.pending_count() == 0 and watcher.get("notes", ids[1])["title"] == "again"  # type: ignore[index]
                    and pusher.cursor == server.sync.store.head(), "the edit never went through")
        stop.set()
        await asyncio.gather(*live)

    asyncio.run(scenario())
    assert came_back == []  # not one of its own rows came back to the pusher
    stored = {r.row_id: r for r in server.sync.store.scan_scope(["user:ada"])}
    for replica in (pusher, watcher):
        meta = {row_id: (version, insert_order) for row_id, version, insert_order in
                replica.connection.execute('SELECT id, _version, "insertOrder" FROM notes')}
        assert meta == {row_id: (r.version, r.insert_order) for row_id, r in stored.items()}
    assert sorted(r.version for r in stored.values()) == [1, 2, 2, 2]  # one row only inserted, three edited once
    assert pusher.cursor == server.sync.store.head()
    pusher.close()
    watcher.close()


def test_http_speaks_2_unless_a_request_asks_for_3(server: ThreadServer) -> None:
    import httpx

    token = server.token("ada")

    def post(path: str, body: bytes, protocol: str | None) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}", "offsync-client-id": "http-device",
                   "content-type": "application/msgpack"}
        if protocol is not None:
            headers["offsync-protocol"] = protocol
        response = httpx.post(f"{server.base}{path}", content=body, headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        found = msgspec.msgpack.decode(response.content)
        assert isinstance(found, dict)
        return found

    ack = post("/sync/push", _push("h1", "over http"), "3")
    assert ack["results"][0]["versions"] == [1]
    pull = MSGPACK.encode(Pull(cursor=0))
    as_maps = post("/sync/pull", pull, None)
    assert "blocks" not in as_maps and [r["row_id"] for r in as_maps["rows"]] == ["h1"]
    as_arrays = post("/sync/pull", pull, "3")
    assert "rows" not in as_arrays and as_arrays["blocks"][0]["rows"][0][:2] == ["h1", "over http"]
    again = MSGPACK.encode(Push(mutations=[Mutation(client_seq=2, ops=[Operation(
        kind="update", collection="notes", row_id="h1", base_version=1, insert_order=INSERT_ORDER + 1,
        fields={"title": "again"})])]))
    assert "versions" not in post("/sync/push", again, None)["results"][0]  # 2: no field it would refuse
