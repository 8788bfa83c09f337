"""``flood_small_push_p99``: while user A floods the server, how long user B's
small pushes wait for their Ack, and how much memory the server holds.

The server is ``offsync serve`` itself (its limits, its uvicorn settings) in
its own process, on SQLite with ``synchronous=FULL``. User A runs in another
process and, all at once:

* pushes 5,000-operation mutations back to back on two sockets;
* pipelines 2 MB pushes on a third socket and never reads their Acks;
* subscribes a fourth socket to its scope and never reads (the big live
  batches pile up for it until it is cut off; it reconnects);
* holds 1,000 idle TCP connections that never send a request (reopened as
  the server closes them), from 8 loopback addresses: a spread-out attacker,
  whom the per-address limit does not stop.

User B, in the benchmark process, connects once A is flooding, then pushes
one small insert every 100 ms and times each Ack.

Reported: B's p99 (and p50, max, connect time) against the target of 250 ms,
and the server's peak RSS during the flood. Baseline: B's p99 on the same
server with no flood. ``--max-connections`` is raised to 3,000 for the run:
the total limit protects the process, and 1,000 idle sockets would
otherwise hold every slot (docs/security.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Self

from shared.messages import MSGPACK, PROTOCOL_VERSION, Ack, Hello, Mutation, Operation, Pull, Push

from .harness import ROOT, SECRET, ChildServer, Result, percentile, token, workdir

MB = 2**20
TARGET_MS = 250.0
IDLE_SOCKETS = 1000
#: the idle sockets come from this many addresses (127.0.1.1, ...), each under the per-address limit
IDLE_ADDRESSES = 8


class ServeProcess(ChildServer):
    """``offsync serve`` (the real command) in a child process."""

    def __init__(self, db: Path, *flags: str) -> None:
        super().__init__("sync", db)
        self.flags = list(flags)

    def start(self) -> Self:
        env = {**os.environ, "OFFSYNC_SECRET": SECRET}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sync_server.cli", "serve", "--db", str(self.db), "--port", str(self.port),
             "--log-level", "warning", *self.flags], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        self._wait_ready()
        return self


def _hello(user: str, device: str) -> bytes:
    return MSGPACK.encode(Hello(client_id=device, token=token(user), schema_version=1, protocol=PROTOCOL_VERSION))


def _push(seq: int, prefix: str, ops: int, body: str = "") -> bytes:
    return MSGPACK.encode(Push(mutations=[Mutation(client_seq=seq, ops=[
        Operation(kind="insert", collection="notes", row_id=f"{prefix}-{seq}-{i}", insert_order=time.time_ns() // 1000,
                  fields={"title": "flood", "body": body}) for i in range(ops)])]))


# -- user A (its own process) ---------------------------------------------------------


async def _big_pushes(url: str, device: str, stop: float) -> None:
    from websockets.asyncio.client import connect

    with contextlib.suppress(Exception):
        async with connect(url, max_size=None) as ws:
            await ws.send(_hello("attacker", device))
            await ws.recv()
            seq = 0
            while time.monotonic() < stop:
                seq += 1
                await ws.send(_push(seq, device, 5000))
                while not isinstance(MSGPACK.decode(await ws.recv()), Ack):
                    pass


async def _unread_acks(url: str, stop: float) -> None:
    from websockets.asyncio.client import connect

    frame_body = "x" * 100_000
    with contextlib.suppress(Exception):
        async with connect(url, max_size=None, max_queue=1) as ws:
            await ws.send(_hello("attacker", "unread"))
            seq = 0
            while time.monotonic() < stop:
                seq += 1
                try:  # 20 ops of 100 KB: a 2 MB push, never an Ack read
                    left = max(0.1, stop - time.monotonic())
                    await asyncio.wait_for(ws.send(_push(seq, "unread", 20, frame_body)), left)
                except TimeoutError:
                    return


def _ws_frame(payload: bytes) -> bytes:
    n = len(payload)
    head = b"\x82" + (bytes([0x80 | n]) if n < 126 else b"\xfe" + n.to_bytes(2, "big") if n < 65536
                      else b"\xff" + n.to_bytes(8, "big"))
    return head + b"\0\0\0\0" + payload


def _slow_reader(port: int, stop: float) -> None:
    """Subscribe and never read; reopen when cut off."""
    while time.monotonic() < stop:
        conn = socket.socket()
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        try:
            conn.connect(("127.0.0.1", port))
            conn.sendall(b"GET /sync HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            conn.sendall(_ws_frame(_hello("attacker", "slow")) + _ws_frame(MSGPACK.encode(Pull(cursor=0))))
            while time.monotonic() < stop:
                time.sleep(1.0)
                if conn.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    break
        except OSError:
            time.sleep(0.5)
        finally:
            conn.close()


def _idle(port: int, count: int, stop: float) -> None:
    """Hold ``count`` TCP connections that never send a byte; reopen the closed ones."""
    held: list[socket.socket] = []
    while time.monotonic() < stop:
        alive = []
        for conn in held:
            try:
                if conn.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK) == b"":
                    conn.close()
                    continue
            except BlockingIOError:
                pass
            except OSError:
                conn.close()
                continue
            alive.append(conn)
        held = alive
        while len(held) < count and time.monotonic() < stop:
            try:
                source = f"127.0.1.{len(held) % IDLE_ADDRESSES + 1}"
                held.append(socket.create_connection(("127.0.0.1", port), timeout=2, source_address=(source, 0)))
            except OSError:
                break
        time.sleep(0.5)
    for conn in held:
        conn.close()


def attack(port: int, seconds: float) -> None:
    """User A's flood, for ``seconds`` (run in its own process)."""
    import threading

    stop = time.monotonic() + seconds
    url = f"ws://127.0.0.1:{port}/sync"
    threads = [threading.Thread(target=_idle, args=(port, IDLE_SOCKETS, stop), daemon=True),
               threading.Thread(target=_slow_reader, args=(port, stop), daemon=True)]
    for t in threads:
        t.start()

    async def sockets() -> None:
        await asyncio.gather(_big_pushes(url, "big-1", stop), _big_pushes(url, "big-2", stop),
                             _unread_acks(url, stop))

    asyncio.run(sockets())
    for t in threads:
        t.join(max(0.0, stop - time.monotonic()) + 5)


# -- user B -----------------------------------------------------------------------------


async def _victim(url: str, pushes: int, rss: Any) -> tuple[float, list[float], int]:
    from websockets.asyncio.client import connect

    started = time.perf_counter()
    latencies: list[float] = []
    peak = 0
    async with connect(url, max_size=None) as ws:
        await ws.send(_hello("victim", "victim-1"))
        await ws.recv()
        connect_ms = (time.perf_counter() - started) * 1000
        for seq in range(1, pushes + 1):
            sent = time.perf_counter()
            await ws.send(_push(seq, "victim", 1))
            while not isinstance(MSGPACK.decode(await ws.recv()), Ack):
                pass
            latencies.append((time.perf_counter() - sent) * 1000)
            peak = max(peak, rss())
            await asyncio.sleep(0.1)
    return connect_ms, latencies, peak


def run(quick: bool) -> list[Result]:
    pushes = 30 if quick else 150
    flood_s = 8.0 + pushes * 0.15
    with workdir("flood") as folder:
        with ServeProcess(folder / "calm.db", "--schema", "notes") as server:
            _, calm, _ = asyncio.run(_victim(server.ws_url, pushes, server.rss_bytes))
        with ServeProcess(folder / "flood.db", "--schema", "notes", "--max-connections", "3000") as server:
            before = server.rss_bytes()
            attacker = subprocess.Popen([sys.executable, "-c", f"from benchmarks.bench_flood import attack; "
                                         f"attack({server.port}, {flood_s})"], cwd=ROOT)
            try:
                time.sleep(4.0)  # let the flood build up
                connect_ms, flooded, peak = asyncio.run(_victim(server.ws_url, pushes, server.rss_bytes))
            finally:
                attacker.wait(flood_s + 30)
    p99, calm_p99 = percentile(flooded, 99), percentile(calm, 99)
    params = {"pushes": pushes, "p50_ms": round(percentile(flooded, 50), 1), "max_ms": round(max(flooded), 1),
              "connect_ms": round(connect_ms, 1), "calm_p50_ms": round(percentile(calm, 50), 1),
              "idle_sockets": IDLE_SOCKETS, "rss_before_mb": round(before / MB, 1)}
    return [
        Result("flood_small_push_p99", p99, "ms", "calm_small_push_p99", calm_p99, params=params,
               target="<= 250 ms", met=p99 <= TARGET_MS if not quick else None),
        Result("flood_server_peak_rss", peak / MB, "MB", "server_rss_before_flood", before / MB,
               params={"flood_s": flood_s}),
    ]
