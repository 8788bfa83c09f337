"""Every resource a connection can hold has a limit, enforced by a real server
run as ``offsync serve`` runs it (``hardening.uvicorn_config``) on a loopback
port: time to Hello, sockets per user and in all, HTTP header and body time,
operations per push, bytes waiting for a device that does not read."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from shared.apps.notes import schema as notes_schema
from shared.messages import MSGPACK, PROTOCOL_VERSION, Ack, Error, Hello, Mutation, Operation, Pull, Push, Welcome
from sync_server.app import MAX_FRAME_BYTES, SyncServer
from sync_server.hardening import uvicorn_config
from sync_server.limits import Limits
from sync_server.store.sqlite import SQLiteStore

from ..servers import SECRET, ThreadServer, free_port


class LimitedServer(ThreadServer):
    """A SyncServer with ``limits``, served with the uvicorn settings of ``offsync serve``."""

    def __init__(self, sync: SyncServer) -> None:
        self.sync = sync
        self.port = free_port()
        config = uvicorn_config(sync.app, host="127.0.0.1", port=self.port, limits=sync.limits,
                                max_frame_bytes=MAX_FRAME_BYTES, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)


@contextlib.contextmanager
def limited(tmp_path: Path, **limits: Any) -> Iterator[LimitedServer]:
    sync = SyncServer(notes_schema, SQLiteStore(str(tmp_path / "s.db"), synchronous="NORMAL"), SECRET,
                      limits=Limits(**limits))
    with LimitedServer(sync) as running:
        yield running


def hello(server: ThreadServer, user: str, device: str) -> bytes:
    return MSGPACK.encode(Hello(client_id=device, token=server.token(user), schema_version=1,
                                protocol=PROTOCOL_VERSION))


def push(seq: int, *row_ids: str, body: str = "") -> bytes:
    ops = [Operation(kind="insert", collection="notes", row_id=r, fields={"title": "x", "body": body})
           for r in row_ids]
    return MSGPACK.encode(Push(mutations=[Mutation(client_seq=seq, ops=ops)]))


async def closed_with(ws: Any, within: float) -> tuple[list[Any], int | None, str | None]:
    """Read until the server closes; the messages it sent and its close code and reason."""
    got: list[Any] = []
    with contextlib.suppress(ConnectionClosed):
        async with asyncio.timeout(within):
            while True:
                got.append(MSGPACK.decode(await ws.recv()))
    return got, ws.close_code, ws.close_reason


def test_a_socket_that_never_says_hello_is_closed(tmp_path: Path) -> None:
    with limited(tmp_path, hello_timeout_s=0.5) as server:
        async def idle() -> tuple[list[Any], int | None, str | None, float]:
            started = time.monotonic()
            async with connect(server.ws_url) as ws:
                got, code, reason = await closed_with(ws, 5)
            return got, code, reason, time.monotonic() - started

        got, code, reason, took = asyncio.run(idle())
    assert (code, reason) == (1008, "hello_timeout") and took < 3
    assert isinstance(got[0], Error) and got[0].code == "unauthorized"


def test_one_user_may_hold_only_so_many_sockets(tmp_path: Path) -> None:
    with limited(tmp_path, max_connections_per_user=2) as server:
        async def crowd() -> tuple[list[Any], int | None, Any]:
            async with connect(server.ws_url) as a1, connect(server.ws_url) as a2, \
                    connect(server.ws_url) as a3, connect(server.ws_url) as b1:
                for ws, user, device in ((a1, "ada", "a1"), (a2, "ada", "a2")):
                    await ws.send(hello(server, user, device))
                    assert isinstance(MSGPACK.decode(await ws.recv()), Welcome)
                await a3.send(hello(server, "ada", "a3"))
                got, code, _ = await closed_with(a3, 5)
                await b1.send(hello(server, "bob", "b1"))  # another user is not affected
                return got, code, MSGPACK.decode(await b1.recv())

        got, code, bobs = asyncio.run(crowd())
        assert code == 1013 and any(isinstance(m, Error) and m.code == "too_many_connections" for m in got)
        assert isinstance(bobs, Welcome)
        time.sleep(0.2)
        assert server.sync.user_sockets == {}  # every socket counted out as it closed


def _raw(port: int) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", port), timeout=5)
    return conn


def _closed_within(conn: socket.socket, seconds: float) -> bool:
    conn.settimeout(seconds)
    try:
        while conn.recv(4096):
            pass
    except TimeoutError:
        return False
    except OSError:
        return True
    return True


def test_idle_connections_past_the_limit_are_refused_and_others_get_in_after_the_header_timeout(
        tmp_path: Path) -> None:
    with limited(tmp_path, max_connections=5, header_timeout_s=1.0) as server:
        idle = [_raw(server.port) for _ in range(5)]
        time.sleep(0.2)
        extra = _raw(server.port)
        assert _closed_within(extra, 1.0)  # closed at once: the limit is reached
        assert all(_closed_within(c, 3.0) for c in idle)  # closed after the header time-out
        assert httpx.get(f"{server.base}/health", timeout=5).status_code == 200
        for c in [*idle, extra]:
            c.close()


def _raw_from(source: str, port: int) -> socket.socket:
    """A connection to the loopback server from ``source`` (any 127/8 address is this host)."""
    return socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))


def test_one_address_may_hold_only_so_many_connections(tmp_path: Path) -> None:
    with limited(tmp_path, max_connections=50, max_connections_per_address=3, header_timeout_s=5.0) as server:
        mine = [_raw_from("127.0.0.1", server.port) for _ in range(3)]
        time.sleep(0.2)
        extra = _raw_from("127.0.0.1", server.port)
        assert _closed_within(extra, 1.0)  # closed at once: this address has its share
        other = _raw_from("127.0.0.2", server.port)  # another address still gets in
        other.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        other.settimeout(5)
        assert other.recv(4096).startswith(b"HTTP/1.1 200")
        assert not _closed_within(mine[0], 0.2)  # the first three stay open
        for c in [*mine, extra, other]:
            c.close()
        time.sleep(0.2)  # closed ones free their share
        again = _raw_from("127.0.0.1", server.port)
        again.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        again.settimeout(5)
        assert again.recv(4096).startswith(b"HTTP/1.1 200")
        again.close()


def test_trickled_headers_are_cut_off(tmp_path: Path) -> None:
    with limited(tmp_path, header_timeout_s=0.5) as server:
        conn = _raw(server.port)
        started = time.monotonic()
        conn.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        closed = False
        for _ in range(20):  # one header line every 0.1 s: it never ends
            try:
                conn.sendall(b"X-Slow: 1\r\n")
            except OSError:
                closed = True
                break
            time.sleep(0.1)
        closed = closed or _closed_within(conn, 1.0)
        assert closed and time.monotonic() - started < 2.5
        conn.close()


def test_a_body_that_does_not_arrive_is_a_408(tmp_path: Path) -> None:
    with limited(tmp_path, body_timeout_s=0.5) as server:
        conn = _raw(server.port)
        conn.sendall(b"POST /sync/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/msgpack\r\n"
                     b"Authorization: Bearer " + server.token("ada").encode() +
                     b"\r\nOffsync-Client-Id: dev-1\r\nContent-Length: 1000\r\n\r\n" + b"\x81" * 10)
        conn.settimeout(5)
        answer = conn.recv(4096)
        assert answer.startswith(b"HTTP/1.1 408")
        conn.close()


def test_a_push_of_too_many_operations_is_refused_and_the_socket_stays_usable(tmp_path: Path) -> None:
    with limited(tmp_path, max_ops_per_push=10) as server:
        async def talk() -> list[Any]:
            async with connect(server.ws_url) as ws:
                await ws.send(hello(server, "ada", "dev-1"))
                assert isinstance(MSGPACK.decode(await ws.recv()), Welcome)
                await ws.send(push(1, *(f"n{i}" for i in range(11))))
                answers = [MSGPACK.decode(await ws.recv())]
                await ws.send(push(1, *(f"n{i}" for i in range(10))))
                answers.append(MSGPACK.decode(await ws.recv()))
                return answers

        refused, ack = asyncio.run(talk())
        assert isinstance(refused, Error) and refused.code == "too_large" and refused.path == "$.mutations"
        assert isinstance(ack, Ack) and ack.results[0].status == "applied"
        headers = {"authorization": f"Bearer {server.token('ada')}", "offsync-client-id": "dev-2",
                   "content-type": "application/msgpack"}
        over_http = httpx.post(f"{server.base}/sync/push", content=push(1, *(f"m{i}" for i in range(11))),
                               headers=headers, timeout=5)
        assert over_http.status_code == 413


def _ws_frame(payload: bytes) -> bytes:
    """A masked binary WebSocket frame (a zero mask: the payload goes as it is)."""
    n = len(payload)
    head = b"\x82" + (bytes([0x80 | n]) if n < 126 else b"\xfe" + n.to_bytes(2, "big") if n < 65536
                      else b"\xff" + n.to_bytes(8, "big"))
    return head + b"\0\0\0\0" + payload


def _never_reading_socket(server: ThreadServer, user: str, device: str) -> socket.socket:
    """A WebSocket opened by hand that says Hello, pulls, and then reads nothing."""
    conn = socket.socket()
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    conn.connect(("127.0.0.1", server.port))
    conn.sendall(b"GET /sync HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    conn.settimeout(5)
    assert conn.recv(4096).startswith(b"HTTP/1.1 101")
    conn.sendall(_ws_frame(hello(server, user, device)) + _ws_frame(MSGPACK.encode(Pull(cursor=0))))
    return conn


def test_a_device_that_does_not_read_is_cut_off_by_bytes(tmp_path: Path) -> None:
    with limited(tmp_path, max_outbound_bytes=1024 * 1024) as server:
        reader = _never_reading_socket(server, "ada", "reader")

        def reader_connection() -> Any:
            return next((c for group in server.sync.hub._subscribers.values() for c in group), None)

        async def flood() -> int:
            async with connect(server.ws_url) as writer:
                await writer.send(hello(server, "ada", "writer"))
                assert isinstance(MSGPACK.decode(await writer.recv()), Welcome)
                for seq in range(1, 101):  # up to 100 live batches of ~400 KB each
                    await writer.send(push(seq, f"n{seq}", body="x" * 400_000))
                    assert isinstance(MSGPACK.decode(await writer.recv()), Ack)
                    connection = reader_connection()
                    if connection is not None and connection._closing is not None:
                        return seq
                return 0

        seq = asyncio.run(flood())
        assert seq > 0, "the reader was never cut off"
        connection = reader_connection()
        assert connection is None or (connection.outbox.qsize() <= 1 and connection._outbound == 0)  # freed
        reader.close()


def test_a_small_push_is_not_queued_behind_a_flood_of_big_ones(tmp_path: Path, monkeypatch: Any) -> None:
    """User A has four 5,000-operation pushes at the writer, one of them being
    written, when user B pushes one operation: B's push leads the next batch.
    Counted in batches, not timed (round-robin by push put one more batch of
    A's before it)."""
    with limited(tmp_path) as server:
        sync = server.sync
        batches: list[list[str]] = []
        submitted: list[str] = []
        apply_batch, submit = sync.engine.apply_batch, sync.submit

        def recorded_apply(requests: Any) -> Any:
            batches.append([r.client_id for r in requests])
            return apply_batch(requests)

        def recorded_submit(request: Any, deliver: Any, size: int = 0) -> None:
            submitted.append(request.client_id)
            submit(request, deliver, size)

        monkeypatch.setattr(sync.engine, "apply_batch", recorded_apply)
        monkeypatch.setattr(sync, "submit", recorded_submit)
        writer_free = threading.Event()
        sync._writer_pool.submit(writer_free.wait, 10)  # the writer is busy: the pushes queue up

        async def talk() -> None:
            async with connect(server.ws_url, max_size=None) as a, connect(server.ws_url) as b:
                for ws, user in ((a, "ada"), (b, "bob")):
                    await ws.send(hello(server, user, f"{user}-1"))
                    assert isinstance(MSGPACK.decode(await ws.recv()), Welcome)
                for seq in range(1, 5):
                    await a.send(push(seq, *(f"a{seq}-{i}" for i in range(5000))))
                async with asyncio.timeout(10):
                    while len(submitted) < 4:
                        await asyncio.sleep(0.01)
                    await b.send(push(1, "b1"))
                    while len(submitted) < 5:
                        await asyncio.sleep(0.01)
                writer_free.set()
                for ws, pushes in ((a, 4), (b, 1)):
                    for _ in range(pushes):
                        ack = MSGPACK.decode(await ws.recv())
                        assert isinstance(ack, Ack) and ack.results[0].status == "applied"

        try:
            asyncio.run(talk())
        finally:
            writer_free.set()
        assert batches[0] == ["ada-1"]  # taken before B pushed: the batch being written
        assert batches[1] == ["bob-1"]  # then B's, before the 15,000 operations A still had queued
        assert batches[2:] == [["ada-1"]] * 3


def test_the_server_declines_permessage_deflate_by_default(tmp_path: Path) -> None:
    """A device that offers compression (every browser does) gets plain frames:
    inflating and deflating them would cost the event loop every user shares."""
    with limited(tmp_path) as server:
        async def offered() -> list[Any]:
            async with connect(server.ws_url, compression="deflate") as ws:
                await ws.send(hello(server, "ada", "dev-1"))
                assert isinstance(MSGPACK.decode(await ws.recv()), Welcome)
                return list(ws.protocol.extensions)

        assert asyncio.run(offered()) == []
