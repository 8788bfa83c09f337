"""Protocol fuzzing against a live server (uvicorn on loopback, real SQLite file).

Hypothesis makes frames: random bytes and text, well-formed messages with a
field dropped, added or given a value of the wrong type or size, messages out
of order (Push before Hello), forged, expired, garbage and other users'
tokens, in MessagePack binary frames and JSON text frames, and HTTP bodies and
headers. For each the server must answer as documented (the oracle below),
store nothing it refused (head and rows unchanged), never hang, and go on
serving a well-behaved device.

The oracle, from ``sync_server.session``:

* before Hello: an Error message is ignored; anything else that is not a
  valid Hello gets an Error and close 1008 (4001 for a schema mismatch);
* after Hello: a frame that does not decode gets an Error and the
  connection stays usable; Push gets an Ack, Pull a Changes, a server-only
  message an Error(protocol);
* a frame over the size limit closes with 1009.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from shared.apps.notes import schema as notes_schema
from shared.errors import MessageError
from shared.messages import JSON, MSGPACK, Ack, Changes, Error, Hello, Message, Pull, Push, Welcome
from sync_client.connection import SyncClient
from sync_client.replica import Replica
from sync_server.app import SyncServer
from sync_server.auth import TokenAuthority
from sync_server.store.sqlite import SQLiteStore

from ..servers import SECRET, ThreadServer

LIMIT = 256 * 1024
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
SCOPE = "user:alice"
FUZZ = settings(max_examples=int(os.environ.get("OFFSYNC_FUZZ_EXAMPLES", "100")), deadline=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadServer]:
    path = tmp_path_factory.mktemp("fuzz") / "server.db"
    sync = SyncServer(notes_schema, SQLiteStore(str(path), synchronous="NORMAL"), SECRET, max_frame_bytes=LIMIT)
    with ThreadServer(sync, ws_max_size=LIMIT) as running:
        yield running


# -- frames -------------------------------------------------------------------------

junk = st.deferred(lambda: st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**64 - 1), st.sampled_from([2**63, -1, 0, 2**31]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30), st.binary(max_size=30),
    st.just("x" * 300_000),  # bigger than the frame limit once encoded
    st.lists(junk, max_size=3), st.dictionaries(st.text(max_size=8), junk, max_size=3)))


def op_dict(kind: str = "insert", collection: str = "notes", row_id: Any = "r1", fields: Any = None) -> dict[str, Any]:
    return {"kind": kind, "collection": collection, "row_id": row_id, "base_version": 0,
            "insert_order": int(time.time() * 1e6), "fields": {"title": "t"} if fields is None else fields}


def message_dicts(token: str) -> st.SearchStrategy[dict[str, Any]]:
    hello = {"type": "hello", "client_id": "fuzz-1", "token": token, "schema_version": 1}
    push = {"type": "push", "mutations": [{"client_seq": 1, "ops": [op_dict()]}]}
    bad_ops = st.builds(op_dict, st.sampled_from(["insert", "update", "delete", "increment", "upsert"]),
                        st.sampled_from(["notes", "counters", "journal", "nope", "sync_queue"]),
                        st.one_of(st.text(max_size=5), st.integers()),
                        st.one_of(st.none(), st.dictionaries(st.sampled_from(["title", "body", "pinned", "tags",
                                                                             "value", "id", "zzz"]), junk, max_size=3)))
    pushes = st.builds(lambda seq, ops: {"type": "push", "mutations": [{"client_seq": seq, "ops": ops}]},
                       st.integers(-2, 2**63), st.lists(bad_ops, max_size=3))
    simple = st.sampled_from([
        hello, push, {"type": "pull", "cursor": 0, "limit": 10}, {"type": "welcome", "server_clock": 1,
                                                                 "last_client_seq": 0, "cursor": 0},
        {"type": "ack", "results": [], "server_clock": 1}, {"type": "changes", "rows": [], "cursor": 0},
        {"type": "error", "code": "x", "message": "y"}, {"type": "bogus"}, {"no": "type"},
    ])
    return st.one_of(simple, pushes)


def mutated(base: dict[str, Any], action: str, key: str, value: Any) -> Any:
    out = dict(base)
    keys = sorted(out)
    if action == "drop" and keys:
        out.pop(keys[hash(key) % len(keys)])
    elif action == "extra":
        out[key or "extra"] = value
    elif action == "retype" and keys:
        out[keys[hash(key) % len(keys)]] = value
    elif action == "whole":
        return value
    return out


def encode(obj: Any, text: bool) -> bytes | str | None:
    try:
        return msgspec.json.encode(obj).decode() if text else msgspec.msgpack.encode(obj)
    except (TypeError, OverflowError, ValueError, msgspec.EncodeError):
        return None


def frames(token: str) -> st.SearchStrategy[bytes | str]:
    structured = st.builds(lambda base, action, key, value, text: encode(mutated(base, action, key, value), text),
                           message_dicts(token), st.sampled_from(["none", "drop", "extra", "retype", "whole"]),
                           st.text(max_size=6), junk, st.booleans()).filter(lambda f: f is not None)
    return st.one_of(structured, st.binary(max_size=64), st.text(max_size=64))  # type: ignore[arg-type]


def decode(frame: bytes | str) -> Message | None:
    """The oracle's view of a frame: the message it is, or None if it is not one."""
    try:
        return (MSGPACK if isinstance(frame, bytes) else JSON).decode(frame if isinstance(frame, bytes) else frame.encode())
    except MessageError:
        return None


def size(frame: bytes | str) -> int:
    return len(frame if isinstance(frame, bytes) else frame.encode())


# -- a probe connection ------------------------------------------------------------

class Probe:
    """One WebSocket to the live server, reading answers with a timeout."""

    def __init__(self, server: ThreadServer) -> None:
        self.ws: ClientConnection = connect(server.ws_url, max_size=None, open_timeout=5).__enter__()
        self.close_code: int | None = None

    def send(self, frame: bytes | str) -> None:
        self.ws.send(frame)

    def answer(self, timeout: float = 5.0) -> Message | None:
        """The next message, or None when the server closed (``close_code`` is set)."""
        try:
            raw = self.ws.recv(timeout)
        except ConnectionClosed as closed:
            self.close_code = closed.rcvd.code if closed.rcvd else None
            return None
        return (MSGPACK if isinstance(raw, bytes) else JSON).decode(raw if isinstance(raw, bytes) else raw.encode())

    def silent(self, timeout: float = 0.3) -> bool:
        try:
            self.ws.recv(timeout)
        except TimeoutError:
            return True
        except ConnectionClosed:
            return False
        return False

    def expect(self, kind: type) -> Message:
        """The next message of ``kind``, skipping live Changes pushed meanwhile."""
        while True:
            message = self.answer()
            assert message is not None, f"closed ({self.close_code}) while waiting for {kind.__name__}"
            if isinstance(message, kind):
                return message
            assert isinstance(message, Changes), f"expected {kind.__name__}, got {message!r}"

    def close(self) -> None:
        self.ws.close()


def snapshot(server: ThreadServer) -> tuple[int, list[Any]]:
    store = server.sync.store
    return store.head(), store.scan_scope([SCOPE, "user:bob"])


def assert_still_serving(server: ThreadServer, tmp_path: Path) -> None:
    """A well-behaved device still syncs a write through the same server."""
    assert server.thread.is_alive()
    assert httpx.get(f"{server.base}/health", timeout=5).status_code == 200
    replica = Replica(str(tmp_path / f"good-{time.monotonic_ns()}.db"), notes_schema)
    try:
        row_id = replica.insert("notes", {"title": "still here"})
        asyncio.run(SyncClient(replica, server.ws_url, server.token("carol")).sync_once(timeout=15))
        assert replica.pending_count() == 0
        assert row_id in {r.row_id for r in server.sync.store.scan_scope(["user:carol"])}
    finally:
        replica.close()


# -- before Hello -------------------------------------------------------------------------

@FUZZ
@given(data=st.data())
def test_any_frame_before_hello_is_answered_as_documented(live: ThreadServer, data: st.DataObject) -> None:
    token = live.token("alice")
    frame = data.draw(frames(token))
    before = snapshot(live)
    probe = Probe(live)
    try:
        probe.send(frame)
        message = decode(frame)
        if size(frame) > LIMIT:
            assert probe.answer() is None and probe.close_code == 1009
        elif isinstance(message, Error):
            assert probe.silent(), "an Error from a client must be ignored"
        elif isinstance(message, Hello) and message.token == token:
            answer = probe.answer()
            if message.schema_version == 1:
                assert isinstance(answer, Welcome), answer
            else:
                assert isinstance(answer, Error) and answer.code == "schema_mismatch", answer
                assert probe.answer() is None and probe.close_code == 4001
        else:
            answer = probe.answer()
            assert isinstance(answer, Error), answer
            assert probe.answer() is None and probe.close_code in (1008, 4001), probe.close_code
    finally:
        probe.close()
    assert snapshot(live) == before


# -- after Hello ------------------------------------------------------------------------------

@FUZZ
@given(data=st.data())
def test_bad_frames_after_hello_get_an_error_and_the_connection_stays_usable(live: ThreadServer,
                                                                               data: st.DataObject) -> None:
    token = live.token("alice")
    text = data.draw(st.booleans(), label="json")
    codec = JSON if text else MSGPACK
    sent = data.draw(st.lists(frames(token).filter(lambda f: isinstance(f, str) == text and size(f) <= LIMIT),
                              min_size=1, max_size=4))
    before = snapshot(live)
    stored = False
    probe = Probe(live)
    try:
        probe.send(codec.encode(Hello(client_id="fuzz-1", token=token, schema_version=1)).decode() if text
                   else codec.encode(Hello(client_id="fuzz-1", token=token, schema_version=1)))
        assert isinstance(probe.expect(Welcome), Welcome)
        for frame in sent:
            probe.send(frame)
            message = decode(frame)
            if message is None:
                error = probe.expect(Error)
                assert error.code in ("invalid_message", "invalid_input") and error.path.startswith("$"), error
            elif isinstance(message, Push):
                ack = probe.expect(Ack)
                assert len(ack.results) == len(message.mutations)
                stored = stored or any(r.status in ("applied", "merged") for r in ack.results)
            elif isinstance(message, Pull):
                probe.expect(Changes)
            elif isinstance(message, Error):
                pass
            else:
                error = probe.expect(Error)
                assert error.code == "protocol", error
        # still usable: a valid Pull is answered with the server's head
        probe.send(codec.encode(Pull(cursor=0, limit=10)).decode() if text else codec.encode(Pull(cursor=0, limit=10)))
        changes = probe.expect(Changes)
        assert changes.head == live.sync.store.head()
    finally:
        probe.close()
    if not stored:
        assert snapshot(live) == before, "a refused input changed the server's rows"


# -- tokens ---------------------------------------------------------------------------------

def bad_tokens(server: ThreadServer) -> st.SearchStrategy[tuple[str, str]]:
    other = TokenAuthority("another-secret-" + "y" * 40)
    key = SECRET.encode()
    now = time.time()
    return st.one_of(
        st.tuples(st.just("unauthorized"), st.text(max_size=200)),
        st.tuples(st.just("unauthorized"), st.builds(lambda u: other.issue(u or "x"), st.text(max_size=10))),
        st.tuples(st.just("token_expired"), st.builds(lambda ago: server.sync.authority.issue(
            "alice", ttl=1, now=now - ago), st.integers(10, 10**6))),
        st.tuples(st.just("unauthorized"), st.builds(lambda claims: jwt.encode({**claims, "exp": int(now) + 60}, key),
                                                     st.fixed_dictionaries({}, optional={
                                                         "sub": st.one_of(st.integers(), st.just(""), st.none()),
                                                         "scopes": st.one_of(st.just([]), st.just([1]),
                                                                             st.text(max_size=3))}))),
        st.tuples(st.just("unauthorized"), st.builds(lambda t: t[:-3] + "abc", st.just(server.token("alice")))),
        st.tuples(st.just("forbidden"), st.just(server.token("mallory"))),  # a device id registered to alice
    )


@FUZZ
@given(data=st.data())
def test_forged_expired_and_stolen_tokens_close_with_1008(live: ThreadServer, data: st.DataObject) -> None:
    # a device belongs to the user of its first push: make fuzz-owned alice's,
    # so mallory's valid token on it is the stolen-device case
    probe = Probe(live)
    probe.send(MSGPACK.encode(Hello(client_id="fuzz-owned", token=live.token("alice"), schema_version=1)))
    probe.expect(Welcome)
    probe.send(msgspec.msgpack.encode({"type": "push", "mutations": [{"client_seq": 1, "ops": [op_dict(row_id="own")]}]}))
    assert probe.expect(Ack).results[0].status in ("applied", "duplicate")
    probe.close()
    code, token = data.draw(bad_tokens(live))
    before = snapshot(live)
    probe = Probe(live)
    try:
        probe.send(MSGPACK.encode(Hello(client_id="fuzz-owned", token=token, schema_version=1)))
        answer = probe.answer()
        if code == "forbidden" and answer is not None and isinstance(answer, Welcome):
            pytest.fail("another user's token was accepted for alice's device")
        assert isinstance(answer, Error), answer
        assert answer.code in (code, "unauthorized", "token_expired", "forbidden"), answer
        if code != "unauthorized":
            assert answer.code == code, answer
        assert probe.answer() is None and probe.close_code == 1008
        # a Push sent anyway is not applied
        with contextlib.suppress(ConnectionClosed):
            probe.send(msgspec.msgpack.encode(
                {"type": "push", "mutations": [{"client_seq": 1, "ops": [op_dict(row_id="stolen")]}]}))
    finally:
        probe.close()
    assert snapshot(live) == before


# -- HTTP -------------------------------------------------------------------------------------

@FUZZ
@given(data=st.data())
def test_http_push_and_pull_refuse_bad_bodies_and_headers(live: ThreadServer, data: st.DataObject) -> None:
    token = live.token("alice")
    path = data.draw(st.sampled_from(["/sync/push", "/sync/pull"]))
    auth = data.draw(st.sampled_from([f"Bearer {token}", "", "Bearer", "Basic abc", f"Bearer {token}x"]))
    client_id = data.draw(st.sampled_from(["fuzz-http", "", "bad id!", "x" * 200, "fuzz-owned"]))
    text = data.draw(st.booleans())
    body = data.draw(frames(token).filter(lambda f: isinstance(f, str) == text))
    headers = {"content-type": "application/json" if text else "application/msgpack"}
    if auth:
        headers["authorization"] = auth
    if client_id:
        headers["offsync-client-id"] = client_id
    before = snapshot(live)
    response = httpx.post(f"{live.base}{path}", content=body if isinstance(body, bytes) else body.encode(),
                          headers=headers, timeout=10)
    assert response.status_code != 500 and response.status_code in (200, 400, 401, 403, 413), response.status_code
    codec = JSON if text else MSGPACK
    answer = codec.decode(response.content)
    message = decode(body)
    authorised = auth == f"Bearer {token}"
    if response.status_code == 200:
        assert authorised
        expected = Push if path == "/sync/push" else Pull
        assert isinstance(message, expected), "a body that is not the endpoint's message was accepted"
        assert isinstance(answer, Ack if expected is Push else Changes), answer
    else:
        assert isinstance(answer, Error) and answer.code, answer
        if not authorised:
            assert response.status_code == 401
        elif size(body) > LIMIT:
            assert response.status_code in (400, 413)
    if not (isinstance(answer, Ack) and any(r.status in ("applied", "merged") for r in answer.results)):
        assert snapshot(live) == before


def test_a_bad_map_key_error_names_a_path(live: ThreadServer) -> None:
    # found by the fuzzer: msgspec says "at `key` in `$`" for a bad map key and
    # the path came out as "key` in `$"
    probe = Probe(live)
    try:
        probe.send(MSGPACK.encode(Hello(client_id="fuzz-1", token=live.token("alice"), schema_version=1)))
        probe.expect(Welcome)
        probe.send(b"\x81\x00")  # a map whose key is the integer 0
        error = probe.expect(Error)
        assert (error.code, error.path) == ("invalid_message", "$")
        probe.send(msgspec.msgpack.encode({"type": "push", "mutations": [
            {"client_seq": 1, "ops": [{**op_dict(), "fields": {1: 2}}]}]}))
        assert probe.expect(Error).path == "$.mutations[0].ops[0].fields"
    finally:
        probe.close()


def test_a_frame_over_the_limit_closes_with_1009_and_stores_nothing(live: ThreadServer) -> None:
    before = snapshot(live)
    probe = Probe(live)
    try:
        probe.send(MSGPACK.encode(Hello(client_id="fuzz-1", token=live.token("alice"), schema_version=1)))
        probe.expect(Welcome)
        probe.send(b"\x00" * (LIMIT + 1))
        assert probe.answer() is None and probe.close_code == 1009
    finally:
        probe.close()
    assert snapshot(live) == before


def test_the_server_still_serves_a_good_device_after_the_fuzzing(live: ThreadServer, tmp_path: Path) -> None:
    assert_still_serving(live, tmp_path)
