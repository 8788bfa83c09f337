"""Bad input over the WebSocket: clear errors, the right close codes, nothing stored."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from shared.messages import JSON, MSGPACK, PROTOCOL_VERSION, Ack, Error, Hello, Mutation, Operation, Push, Welcome
from sync_server.app import SyncServer
from sync_server.store.sqlite import SQLiteStore

from ..servers import SECRET, ThreadServer

LIMIT = 64 * 1024


@pytest.fixture
def small_server(tmp_path: Path, schema: Any) -> Iterator[ThreadServer]:
    sync = SyncServer(schema, SQLiteStore(str(tmp_path / "s.db"), synchronous="NORMAL"), SECRET)
    with ThreadServer(sync, ws_max_size=LIMIT) as running:
        yield running


def hello(token: str, client_id: str = "dev-1", schema_version: int = 1) -> bytes:
    return MSGPACK.encode(Hello(client_id=client_id, token=token, schema_version=schema_version))


def insert(seq: int, row_id: str, fields: dict[str, Any], collection: str = "notes") -> Mutation:
    return Mutation(client_seq=seq, ops=[Operation(kind="insert", collection=collection, row_id=row_id,
                                                   insert_order=1, fields=fields)])


async def conversation(url: str, frames: list[bytes | str]) -> tuple[list[Any], int | None]:
    """Send frames one by one, reading one answer after each; return answers and the close code."""
    answers: list[Any] = []
    async with connect(url) as ws:
        try:
            for frame in frames:
                await ws.send(frame)
                raw = await asyncio.wait_for(ws.recv(), 5)
                answers.append(MSGPACK.decode(raw) if isinstance(raw, bytes) else msgspec.json.decode(raw))
            await asyncio.wait_for(ws.recv(), 0.3)
        except ConnectionClosed as closed:
            return answers, closed.rcvd.code if closed.rcvd else None
        except TimeoutError:
            pass
    return answers, None


def run(url: str, frames: list[bytes | str]) -> tuple[list[Any], int | None]:
    return asyncio.run(conversation(url, frames))


@pytest.mark.parametrize("token_kind", ["missing", "garbage", "forged", "expired"])
def test_a_bad_token_closes_with_policy_violation_and_stores_nothing(small_server: ThreadServer,
                                                                    token_kind: str) -> None:
    from sync_server.auth import TokenAuthority

    token = {"missing": "", "garbage": "not.a.jwt",
             "forged": TokenAuthority("another-secret-" + "y" * 40).issue("ada"),
             "expired": small_server.token("ada", ttl=-60)}[token_kind]
    answers, code = run(small_server.ws_url, [hello(token), MSGPACK.encode(Push(mutations=[insert(1, "n1", {
        "title": "x"})]))])
    assert code == 1008
    assert isinstance(answers[0], Error) and answers[0].code in ("unauthorized", "token_expired")
    assert answers[0].path == "$.token"
    assert small_server.sync.store.head() == 0


def test_push_before_hello_is_refused(small_server: ThreadServer) -> None:
    answers, code = run(small_server.ws_url, [MSGPACK.encode(Push(mutations=[insert(1, "n1", {"title": "x"})]))])
    assert code == 1008 and answers[0].code == "unauthorized"
    assert small_server.sync.store.head() == 0


def test_a_schema_mismatch_is_refused(small_server: ThreadServer) -> None:
    answers, code = run(small_server.ws_url, [hello(small_server.token("ada"), schema_version=99)])
    assert code == 4001 and answers[0].code == "schema_mismatch" and answers[0].path == "$.schema_version"


def test_a_malformed_frame_names_the_field_and_the_connection_stays_usable(small_server: ThreadServer) -> None:
    bad = msgspec.msgpack.encode({"type": "push", "mutations": [{"client_seq": "one", "ops": []}]})
    good = MSGPACK.encode(Push(mutations=[insert(1, "n1", {"title": "x"})]))
    answers, code = run(small_server.ws_url, [hello(small_server.token("ada")), bad, b"\xc1junk", good])
    assert code is None
    welcome, error, junk, ack = answers
    assert isinstance(welcome, Welcome)
    assert isinstance(error, Error) and error.code == "invalid_message"
    assert error.path == "$.mutations[0].client_seq"
    assert isinstance(junk, Error) and junk.code == "invalid_message"
    assert isinstance(ack, Ack) and ack.results[0].status == "applied"


def test_json_text_frames_work_too(small_server: ThreadServer) -> None:
    frames = [JSON.encode(Hello(client_id="browser", token=small_server.token("ada"), schema_version=1)).decode(),
              JSON.encode(Push(mutations=[insert(1, "n1", {"title": "from a browser"})])).decode()]
    answers, _ = run(small_server.ws_url, frames)
    assert answers[0]["type"] == "welcome" and answers[1]["type"] == "ack"
    assert answers[1]["results"][0]["status"] == "applied"


def test_a_frame_over_the_size_limit_closes_with_1009(small_server: ThreadServer) -> None:
    huge = MSGPACK.encode(Push(mutations=[insert(1, "n1", {"title": "x" * (LIMIT * 2)})]))
    answers, code = run(small_server.ws_url, [hello(small_server.token("ada")), huge])
    assert code == 1009
    assert small_server.sync.store.head() == 0


@pytest.mark.parametrize("mutation, reason, path", [
    (insert(1, "n1", {"title": "x"}, collection="nope"), "unknown_collection", "$.mutations[0].ops[0].collection"),
    (insert(1, "n1", {"title": "x", "colour": "red"}), "unknown_field", "$.mutations[0].ops[0].fields.colour"),
    (insert(1, "n1", {"title": 42}), "invalid_row", "$.mutations[0].ops[0].fields.title"),
    (insert(1, "n1", {"body": "no title"}), "invalid_row", "$.mutations[0].ops[0].fields.title"),
])
def test_a_bad_operation_is_refused_and_names_the_field(small_server: ThreadServer, mutation: Mutation,
                                                       reason: str, path: str) -> None:
    answers, code = run(small_server.ws_url, [hello(small_server.token("ada")),
                                              MSGPACK.encode(Push(mutations=[mutation]))])
    assert code is None
    result = answers[1].results[0]
    assert (result.status, result.reason, result.path) == ("rejected", reason, path)
    assert small_server.sync.store.head() == 0


def test_a_mutation_with_one_bad_operation_changes_nothing(small_server: ThreadServer) -> None:
    ops = [Operation(kind="insert", collection="notes", row_id=f"n{i}", insert_order=1, fields={"title": "ok"})
           for i in range(3)]
    ops.append(Operation(kind="update", collection="notes", row_id="n0", fields={"pinned": 7}))
    mutation = Mutation(client_seq=1, ops=ops)
    then = insert(2, "after", {"title": "the next mutation still works"})
    answers, _ = run(small_server.ws_url, [hello(small_server.token("ada")), MSGPACK.encode(Push(mutations=[
        mutation, then]))])
    first, second = answers[1].results
    assert first.status == "rejected" and first.path == "$.mutations[0].ops[3].fields.pinned"
    assert second.status == "applied"
    rows = small_server.sync.store.scan_scope(["user:ada"])
    assert [r.row_id for r in rows] == ["after"]


def test_a_device_id_of_another_user_is_refused(small_server: ThreadServer) -> None:
    run(small_server.ws_url, [hello(small_server.token("ada"), client_id="shared-id"),
                              MSGPACK.encode(Push(mutations=[insert(1, "n1", {"title": "x"})]))])
    answers, code = run(small_server.ws_url, [hello(small_server.token("eve"), client_id="shared-id")])
    assert code == 1008 and answers[0].code == "forbidden"


@pytest.mark.parametrize("protocol", [PROTOCOL_VERSION + 1, 1_000_000])
def test_a_protocol_version_the_server_does_not_speak_closes_with_4003(small_server: ThreadServer,
                                                                         protocol: int) -> None:
    frame = MSGPACK.encode(Hello(client_id="dev-1", token=small_server.token("ada"), schema_version=1,
                                 protocol=protocol))
    answers, code = run(small_server.ws_url, [frame])
    assert code == 4003
    assert (answers[0].code, answers[0].path) == ("protocol_mismatch", "$.protocol")
    assert str(PROTOCOL_VERSION) in answers[0].message


def test_a_hello_without_a_protocol_version_speaks_version_1(small_server: ThreadServer) -> None:
    frame = msgspec.json.encode({"type": "hello", "client_id": "dev-1", "token": small_server.token("ada"),
                                 "schema_version": 1}).decode()
    answers, code = run(small_server.ws_url, [frame])
    assert code is None and answers[0]["type"] == "welcome"
