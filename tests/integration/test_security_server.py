"""One user can never hurt another, through a real server on a loopback port:
frames nested too deeply are refused with an answer (never HTTP 500, never a
socket dropped without a close frame), and a push a group commit cannot
store is refused alone."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import msgspec
from websockets.asyncio.client import connect

from shared.messages import MSGPACK, PROTOCOL_VERSION, Ack, Error, Hello, Mutation, Operation, Push, Welcome

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
            answers.append(MSGPACK.decode(await asyncio.wait_for(ws.recv(), 5)))
            ok = Push(mutations=[Mutation(client_seq=1, ops=[Operation(kind="insert", collection="notes",
                                                                       row_id="n1", fields={"title": "x"})])])
            await ws.send(MSGPACK.encode(ok))
            answers.append(MSGPACK.decode(await asyncio.wait_for(ws.recv(), 5)))
            return answers

    welcome, refused, ack = asyncio.run(talk())
    assert isinstance(welcome, Welcome)
    assert isinstance(refused, Error) and refused.code == "invalid_message" and "nested" in refused.message
    assert isinstance(ack, Ack) and ack.results[0].status == "applied"


def test_an_http_body_nested_5000_deep_is_a_400(server: ThreadServer) -> None:
    headers = {"authorization": f"Bearer {server.token('ada')}", "offsync-client-id": "dev-1",
               "content-type": "application/json"}
    body = b'{"type":"push","mutations":[{"client_seq":1,"ops":[{"kind":"insert","collection":"notes",' \
           b'"row_id":"n1","fields":{"title":' + b"[" * 5000 + b"]" * 5000 + b"}}]}]}"
    answer = httpx.post(f"{server.base}/sync/push", content=body, headers=headers, timeout=10)
    assert answer.status_code == 400
    assert msgspec.json.decode(answer.content)["code"] == "invalid_message"
