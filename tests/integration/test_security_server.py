"""One user can never hurt another, through a real server on a loopback port:
frames nested too deeply are refused with an answer (never HTTP 500, never a
socket dropped without a close frame), and a push a group commit cannot
store is refused alone."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import httpx
import msgspec
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from shared.messages import (
    MSGPACK,
    PROTOCOL_VERSION,
    Ack,
    Changes,
    Error,
    Hello,
    Mutation,
    Operation,
    Pull,
    Push,
    Token,
    Welcome,
)

from shared.blocks import rows_of

from ..servers import ThreadServer


def _hello(token: str, client_id: str) -> bytes:
    return MSGPACK.encode(Hello(client_id=client_id, token=token, schema_version=1, protocol=PROTOCOL_VERSION))


def _nested_push_msgpack(depth: int) -> bytes:
    """A Push whose one operation carries a value nested ``depth`` arrays deep."""
    inner = b"\x91" * depth + b"\x90"  # fixarray(1) ... fixarray(0)
    return (b"\x82\xa4type\xa4push\xa9mutations\x91\x82\xaaclient_seq\x01\xa3ops\x91"
            b"\x84\xa4kind\xa6insert\xaacollection\xa5notes\xa6row_id\xa2n1\xa6fields\x81\xa5title" + inner)


def test_a_frame_nested_5000_deep_is_answered_and_the_socket_stays_usable(server: ThreadServer) -> None:
    assert isinstance(MSGPACK.decode(_nested_push_msgpack(3)), Push)  # the frame is well formed otherwise

    async def talk() -> list[Any]:
        async with connect(server.ws_url, max_size=None) as ws:
            await ws.send(_hello(server.token("ada"), "dev-1"))
            answers: list[Any] = [MSGPACK.decode(await ws.recv())]
            await ws.send(_nested_push_msgpack(5000))
            answers.append(MSGPACK.decode(await asyncio.wait_for(ws.recv(), 20)))
            seq = 2 if isinstance(answers[-1], Ack) else 1  # refused as a row, it took client_seq 1
            ok = Push(mutations=[Mutation(client_seq=seq, ops=[Operation(kind="insert", collection="notes",
                                                                       row_id="n1", fields={"title": "x"})])])
            await ws.send(MSGPACK.encode(ok))
            answers.append(MSGPACK.decode(await asyncio.wait_for(ws.recv(), 20)))
            return answers

    welcome, refused, ack = asyncio.run(talk())
    assert isinstance(welcome, Welcome)
    # the decoder gives up near Python's recursion limit: an Error; a process that
    # raised that limit decodes it, and then the value is refused as a row
    assert isinstance(refused, Error) and refused.code == "invalid_message" and "nested" in refused.message or \
        isinstance(refused, Ack) and (refused.results[0].status, refused.results[0].reason) == ("rejected",
                                                                                              "invalid_row")
    assert isinstance(ack, Ack) and ack.results[0].status == "applied"


def test_an_http_body_nested_5000_deep_is_a_400(server: ThreadServer) -> None:
    headers = {"authorization": f"Bearer {server.token('ada')}", "offsync-client-id": "dev-1",
               "content-type": "application/json"}
    body = b'{"type":"push","mutations":[{"client_seq":1,"ops":[{"kind":"insert","collection":"notes",' \
           b'"row_id":"n1","fields":{"title":' + b"[" * 5000 + b"]" * 5000 + b"}}]}]}"
    answer = httpx.post(f"{server.base}/sync/push", content=body, headers=headers, timeout=10)
    decoded = msgspec.json.decode(answer.content)
    if answer.status_code == 200:  # a raised recursion limit: decoded, then refused as a row
        assert (decoded["results"][0]["status"], decoded["results"][0]["reason"]) == ("rejected", "invalid_row")
    else:
        assert answer.status_code == 400 and decoded["code"] == "invalid_message"


# -- tokens -------------------------------------------------------------------

def _push(seq: int, row_id: str) -> bytes:
    return MSGPACK.encode(Push(mutations=[Mutation(client_seq=seq, ops=[Operation(
        kind="insert", collection="notes", row_id=row_id, fields={"title": "x"})])]))


def test_a_live_socket_closes_with_1008_when_its_token_expires(server: ThreadServer) -> None:
    async def talk() -> tuple[Any, int | None, Any]:
        async with connect(server.ws_url) as ws:
            await ws.send(_hello(server.token("ada", ttl=2), "dev-1"))
            assert isinstance(MSGPACK.decode(await ws.recv()), Welcome)
            await asyncio.sleep(2.3)
            with contextlib.suppress(ConnectionClosed):
                await ws.send(_push(1, "late"))  # after expiry: never applied
            answer = MSGPACK.decode(await asyncio.wait_for(ws.recv(), 20))
            with contextlib.suppress(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 20)
            return answer, ws.close_code, ws.close_reason

    answer, code, reason = asyncio.run(talk())
    assert isinstance(answer, Error) and answer.code == "token_expired"
    assert (code, reason) == (1008, "token_expired")
    assert server.sync.store.load_rows([("user:ada", "notes", "late")]) == {}


def test_a_fresh_token_keeps_the_socket_open_past_the_old_expiry(server: ThreadServer) -> None:
    async def talk() -> Any:
        async with connect(server.ws_url) as ws:
            # a token's times are whole seconds: ttl=3 leaves it 2 to 3 s, so the
            # fresh one sent after 1 s is never late (ttl=2 left 1 to 2 s: a race)
            await ws.send(_hello(server.token("ada", ttl=3), "dev-1"))
            assert isinstance(MSGPACK.decode(await ws.recv()), Welcome)
            await asyncio.sleep(1.0)
            await ws.send(MSGPACK.encode(Token(token=server.token("ada", ttl=60))))
            await asyncio.sleep(2.5)  # past the first token's expiry
            await ws.send(_push(1, "fresh"))
            return MSGPACK.decode(await asyncio.wait_for(ws.recv(), 20))

    ack = asyncio.run(talk())
    assert isinstance(ack, Ack) and ack.results[0].status == "applied"


def test_a_fresh_token_for_other_scopes_is_refused_and_the_old_one_stays(server: ThreadServer) -> None:
    async def talk() -> list[Any]:
        async with connect(server.ws_url) as ws:
            await ws.send(_hello(server.token("ada"), "dev-1"))
            assert isinstance(MSGPACK.decode(await ws.recv()), Welcome)
            await ws.send(MSGPACK.encode(Token(token=server.token("ada", ("user:ada", "team:x")))))
            answers = [MSGPACK.decode(await asyncio.wait_for(ws.recv(), 20))]
            await ws.send(MSGPACK.encode(Token(token="not.a.jwt")))
            answers.append(MSGPACK.decode(await asyncio.wait_for(ws.recv(), 20)))
            await ws.send(_push(1, "n1"))
            answers.append(MSGPACK.decode(await asyncio.wait_for(ws.recv(), 20)))
            return answers

    other_scopes, garbage, ack = asyncio.run(talk())
    assert isinstance(other_scopes, Error) and other_scopes.code == "forbidden"
    assert isinstance(garbage, Error) and garbage.code == "unauthorized"
    assert isinstance(ack, Ack) and ack.results[0].status == "applied"


def test_sync_client_refreshes_its_token_and_stays_connected(server: ThreadServer, tmp_path: Path) -> None:
    from shared.apps.notes import schema
    from sync_client.connection import SyncClient
    from sync_client.replica import Replica

    issued: list[str] = []

    async def fresh() -> str:
        issued.append(server.token("ada", ttl=3))
        return issued[-1]

    async def scenario() -> SyncClient:
        replica = Replica(str(tmp_path / "dev.db"), schema)
        client = SyncClient(replica, server.ws_url, server.token("ada", ttl=3), token_refresh=fresh)
        stop = asyncio.Event()
        runner = asyncio.create_task(client.run(stop))
        await asyncio.sleep(4.5)  # past the first token's expiry
        replica.insert("notes", {"title": "after"})
        for _ in range(50):
            await asyncio.sleep(0.1)
            if replica.pending_count() == 0:
                break
        stop.set()
        await runner
        replica.close()
        return client

    client = asyncio.run(scenario())
    assert issued and client.status.attempts == 1  # one connection all along
    assert client.status.pending == 0


# -- smaller findings -----------------------------------------------------------

def test_health_reveals_no_counts(server: ThreadServer) -> None:
    assert httpx.get(f"{server.base}/health", timeout=5).json() == {"status": "ok"}


def test_the_import_device_id_cannot_be_taken(server: ThreadServer) -> None:
    async def talk() -> tuple[Any, int | None]:
        async with connect(server.ws_url) as ws:
            await ws.send(_hello(server.token("ada"), "import:ada"))
            answer = MSGPACK.decode(await ws.recv())
            with contextlib.suppress(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 20)
            return answer, ws.close_code

    answer, code = asyncio.run(talk())
    assert isinstance(answer, Error) and (answer.code, answer.path) == ("forbidden", "$.client_id") and code == 1008
    headers = {"authorization": f"Bearer {server.token('ada')}", "offsync-client-id": "import:ada",
               "content-type": "application/msgpack"}
    over_http = httpx.post(f"{server.base}/sync/push", content=_push(1, "n1"), headers=headers, timeout=5)
    assert over_http.status_code == 403
    assert server.sync.engine.check_device("import:ada", "ada") == 0  # still free for /api/import


def test_live_changes_list_only_the_receiving_users_devices(server: ThreadServer) -> None:
    team = ("team:x",)

    async def talk() -> tuple[Any, Any]:
        async with connect(server.ws_url) as ada, connect(server.ws_url) as bob:
            for ws, user, device in ((ada, "ada", "ada-phone"), (bob, "bob", "bob-phone")):
                await ws.send(_hello(server.token(user, team), device))
                assert isinstance(MSGPACK.decode(await ws.recv()), Welcome)
                await ws.send(MSGPACK.encode(Pull(cursor=0)))
                assert isinstance(MSGPACK.decode(await ws.recv()), Changes)  # the (empty) first page
            await ada.send(_push(1, "n1"))
            to_ada = [MSGPACK.decode(await asyncio.wait_for(ada.recv(), 20)) for _ in range(2)]
            to_bob = MSGPACK.decode(await asyncio.wait_for(bob.recv(), 20))
            return next(m for m in to_ada if isinstance(m, Changes)), to_bob

    to_ada, to_bob = asyncio.run(talk())
    assert isinstance(to_bob, Changes) and [r.row_id for r in rows_of(to_bob)] == ["n1"]
    assert to_bob.applied == {}
    assert to_ada.applied == {"ada-phone": 1}
