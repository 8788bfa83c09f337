"""``fanout_latency``: one write on one device, seen on 1, 10, 50 and 100
connected devices of the same user.

Each receiver is a real :class:`SyncClient` (``run()``, live) on its own
replica file; "seen" is the moment the row has been applied to its replica
(the replica's change listener). Latency runs from just before the writer's
local insert (which wakes its sync loop) to that moment, so it holds the
push, the durable commit, the fan-out, and the apply on the device.

Devices are spread over one worker process per core (real devices do not
share one interpreter); the devices of one worker still take turns, so at
100 devices the last of a worker's 50 waits for the 49 applies before it.
``perf_counter`` is the system's monotonic clock, comparable across processes.

Baselines: a plain ``websockets`` relay (server in its own process) sending
the same bytes (the encoded live ``Changes`` of one row) to the same number
of plain clients in the same worker processes, timed from send to receipt
(``websockets_relay``); and the same relay whose clients also apply the row
as a device must: decode the frame and upsert the row into their own SQLite
file in one transaction (WAL, ``synchronous=NORMAL``), timed to the commit
(``relay_plus_apply``, the limit issue 17 measures fan-out against).

``.stack_floor``: ``relay_plus_apply`` again, with the relay a bare
Starlette app under uvicorn (``_serve.py starlette``: each frame received is
sent to every other connection, nothing else), the stack offsync's server
runs on. No push, no durable commit, no engine: the least any server on that
stack costs, beside the same limit.

Targets: p99 <= 50 ms at 100 devices (issue 6); p99 at 100 devices <= 1.3x
``relay_plus_apply`` (issue 17).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import queue
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from shared.blocks import as_blocks
from shared.messages import MSGPACK, Changes, RowChange
from sync_client.connection import SyncClient

from .harness import ChildServer, Result, new_device, percentile, server_prefix, token, workdir
from .schema import item, schema

TARGET_P99_MS = 50.0
TARGET_VS_APPLY = 1.3
WARM_UP = 2


# -- receivers (in worker processes) ------------------------------------------------


def _worker(kind: str, url: str, folder: str, user: str, first: int, count: int, reports: Any, stop: Any) -> None:
    asyncio.run(_receive(kind, url, Path(folder), user, first, count, reports, stop))


async def _receive(kind: str, url: str, folder: Path, user: str, first: int, count: int, reports: Any,
                   stop: Any) -> None:
    seen: dict[Any, list[float]] = {}

    def note(key: Any) -> None:
        times = seen.setdefault(key, [])
        times.append(time.perf_counter())
        if len(times) == count:
            reports.put((key, times))

    if kind == "sync":
        await _sync_devices(url, folder, user, first, count, note, reports, stop)
    else:
        await _plain_devices(url, count, note, reports, stop,
                             folder / f"apply-{first}" if kind == "apply" else None)


async def _sync_devices(url: str, folder: Path, user: str, first: int, count: int, note: Any, reports: Any,
                        stop_flag: Any) -> None:
    replicas = [new_device(folder, f"fan-{user}-{first + i}") for i in range(count)]
    clients = []
    for replica in replicas:
        replica.add_listener(lambda event, rows: [note(r.row_id) for r in rows] if event == "changes" else None)
        clients.append(SyncClient(replica, url, token(user)))
    stop = asyncio.Event()
    tasks = [asyncio.create_task(c.run(stop)) for c in clients]
    try:
        await _until(lambda: all(c.status.phase == "live" for c in clients), 60)
        reports.put(("ready", first))
        while not stop_flag.is_set():
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        for replica in replicas:
            replica.close()


async def _plain_devices(url: str, count: int, note: Any, reports: Any, stop_flag: Any,
                         apply_in: Path | None = None) -> None:
    """Plain clients of the relay; with ``apply_in``, each also applies the
    frame's row to its own SQLite file before noting it (relay_plus_apply)."""
    from websockets.asyncio.client import connect

    appliers = [_Applier(apply_in / f"{i}.db") for i in range(count)] if apply_in is not None else []

    async def receive(ws: Any, index: int) -> None:
        async for frame in ws:
            if appliers:
                appliers[index].apply(frame[:-8])
            note(bytes(frame[-8:]))  # the sender ends each frame with a unique tag

    conns = [await connect(url, max_size=None, compression=None) for _ in range(count)]
    tasks = [asyncio.create_task(receive(ws, i)) for i, ws in enumerate(conns)]
    await asyncio.sleep(0.1)  # let the relay register every connection
    reports.put(("ready", 0))
    try:
        while not stop_flag.is_set():
            await asyncio.sleep(0.05)
    finally:
        for task in tasks:
            task.cancel()
        for ws in conns:
            await ws.close()


class _Applier:
    """The least a device does with a live batch: decode it, upsert its rows
    and commit (the replica's table, its pragmas; no queue, no rebase)."""

    def __init__(self, path: Path) -> None:
        import apsw

        from shared import tables

        path.parent.mkdir(parents=True, exist_ok=True)
        self.c = apsw.Connection(str(path))
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL"):
            self.c.execute(f"PRAGMA {pragma}").fetchall()
        coll = schema["items"]
        self.c.execute(tables.create_table_sql(coll))
        self.upsert = tables.upsert_sql(coll)
        self.names = coll.field_names[1:]

    def apply(self, payload: bytes) -> None:
        message = MSGPACK.decode(payload)
        assert isinstance(message, Changes)
        blocks = getattr(message, "blocks", None)  # protocol 3: arrays; before it, maps
        with self.c:
            if blocks:
                for block in blocks:
                    self.c.executemany(self.upsert, block.rows)
            else:
                self.c.executemany(self.upsert, [(r.row_id, *(r.fields.get(n) for n in self.names),
                                                  r.insert_order, r.version, r.scope) for r in message.rows])


async def _until(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("devices did not all come live")
        await asyncio.sleep(0.02)


# -- the writer (this process) ---------------------------------------------------------


class _Fleet:
    """Worker processes holding ``devices`` receivers, split as evenly as cores allow."""

    def __init__(self, kind: str, url: str, folder: Path, user: str, devices: int, workers: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.reports: Any = ctx.Queue()
        self.stop = ctx.Event()
        workers = max(1, min(devices, workers))
        sizes = [devices // workers + (1 if i < devices % workers else 0) for i in range(workers)]
        starts = [sum(sizes[:i]) for i in range(workers)]
        self.procs = [ctx.Process(target=_worker, args=(kind, url, str(folder), user, start, size, self.reports,
                                                         self.stop), daemon=True)
                      for start, size in zip(starts, sizes)]
        self.expected = len(self.procs)

    def start(self, timeout: float = 120) -> None:
        for proc in self.procs:
            proc.start()
        for _ in self.procs:
            tag, _ = self.reports.get(timeout=timeout)
            assert tag == "ready", tag

    async def seen(self, key: Any, timeout: float = 30) -> list[float]:
        """Arrival times of ``key`` on every device (each worker reports once)."""
        loop = asyncio.get_running_loop()
        times: list[float] = []
        for _ in range(self.expected):
            got, worker_times = await loop.run_in_executor(None, self.reports.get, True, timeout)
            assert got == key, f"expected {key!r}, a worker reported {got!r}"
            times.extend(worker_times)
        return times

    def close(self) -> None:
        self.stop.set()
        for proc in self.procs:
            proc.join(30)
            if proc.is_alive():
                proc.kill()
        try:
            while True:
                self.reports.get_nowait()
        except (queue.Empty, OSError, ValueError):
            pass


async def _timed_writes(fleet: _Fleet, writes: int, write: Callable[[int], Awaitable[Any]]) -> list[float]:
    """Seconds from just before each ``write(i)`` to its key's arrival on every
    device of ``fleet``; the first :data:`WARM_UP` writes are not kept."""
    samples: list[float] = []
    for i in range(writes + WARM_UP):
        started = time.perf_counter()
        key = await write(i)
        times = await fleet.seen(key)
        if i >= WARM_UP:
            samples.extend(t - started for t in times)
        await asyncio.sleep(0.01)
    return samples


async def _fanout(url: str, folder: Path, devices: int, writes: int, workers: int) -> list[float]:
    user = f"fan-{devices}"
    fleet = _Fleet("sync", url, folder, user, devices, workers)
    fleet.start()
    writer_replica = new_device(folder, f"fan-{devices}-writer")
    writer = SyncClient(writer_replica, url, token(user))
    stop = asyncio.Event()
    task = asyncio.create_task(writer.run(stop))

    async def insert(i: int) -> str:  # the local insert wakes the writer's sync loop
        return writer_replica.insert("items", item(i))

    try:
        await _until(lambda: writer.status.phase == "live", 60)
        return await _timed_writes(fleet, writes, insert)
    finally:
        stop.set()
        await asyncio.gather(task, return_exceptions=True)
        writer_replica.close()
        fleet.close()


async def _plain_fanout(url: str, folder: Path, devices: int, writes: int, payload: bytes,
                        workers: int, kind: str = "plain") -> list[float]:
    from websockets.asyncio.client import connect

    fleet = _Fleet(kind, url, folder, "plain", devices, workers)
    fleet.start()
    tags = [i.to_bytes(8, "big") for i in range(writes + WARM_UP)]  # made before the clock starts
    try:
        async with connect(url, max_size=None, compression=None) as sender:

            async def send(i: int) -> bytes:
                await sender.send(payload + tags[i])
                return tags[i]

            await asyncio.sleep(0.05)
            return await _timed_writes(fleet, writes, send)
    finally:
        fleet.close()


def _live_frames(count: int) -> list[bytes]:
    """``count`` encoded one-row live batches as devices of this protocol get
    them (arrays), each a new row, cursor 1, 2, ... (the relays send the first)."""
    values = item(0)
    fields = {**values, "done": int(values["done"])}
    start = time.time_ns() // 1000
    return [MSGPACK.encode(as_blocks(Changes(
        rows=[RowChange(collection="items", row_id=f"0192d6b1-0000-7000-8000-{n:012d}", scope="user:fan", version=1,
                        seq=n, insert_order=start + n, fields=fields)],
        cursor=n, applied={"device": n}, server_clock=start + n, head=n), schema)) for n in range(1, count + 1)]


def _live_batch_costs(folder: Path, count: int) -> tuple[float, float]:
    """Microseconds a one-row live batch costs, in process: a device (decode,
    ``ClientProtocol.receive``, the idle check its connection loop makes) and
    the ``relay_plus_apply`` client (decode, upsert, commit); best of two
    rounds, each on fresh files, the first tenth of the batches not timed.
    What each device of a fan-out worker spends of its turn, without the
    sockets."""
    from shared.messages import Welcome
    from sync_client.protocol import ClientProtocol

    frames = _live_frames(count)
    warm = count // 10  # not timed: the statement caches fill, the file grows its first pages
    timed = count - warm
    device_us, apply_us = float("inf"), float("inf")
    for attempt in range(2):
        replica = new_device(folder, f"live-cost-{attempt}")
        protocol = ClientProtocol(replica, token("fan"))
        protocol.connect()
        protocol.receive(Welcome(server_clock=0, last_client_seq=0, cursor=0, default_scope="user:fan"))
        protocol.receive(Changes(cursor=0, more=False))  # caught up: live
        for frame in frames[:warm]:
            protocol.receive(MSGPACK.decode(frame))
        started = time.perf_counter()
        for frame in frames[warm:]:
            protocol.receive(MSGPACK.decode(frame))
            assert protocol.idle
        device_us = min(device_us, (time.perf_counter() - started) / timed * 1e6)
        assert replica.execute("SELECT count(*) FROM items")[0][0] == count
        replica.close()
        applier = _Applier(folder / f"live-cost-apply-{attempt}.db")
        for frame in frames[:warm]:
            applier.apply(frame)
        started = time.perf_counter()
        for frame in frames[warm:]:
            applier.apply(frame)
        apply_us = min(apply_us, (time.perf_counter() - started) / timed * 1e6)
        applier.c.close()
    return device_us, apply_us


def run(quick: bool) -> list[Result]:
    counts = (1, 10, 50, 100)
    writes = 10 if quick else 50
    workers = 1 if quick else os.cpu_count() or 1  # quick: fewer processes to start
    out: list[Result] = []
    payload = _live_frames(1)[0]
    with workdir("fanout") as folder, \
            ChildServer("sync", folder / "server.db", prefix=server_prefix("fanout")) as server, \
            ChildServer("plain") as plain, ChildServer("starlette") as bare:
        for devices in counts:
            samples = asyncio.run(_fanout(server.ws_url, folder, devices, writes, workers))
            base = asyncio.run(_plain_fanout(plain.url("/fan"), folder, devices, writes, payload, workers))
            applied = asyncio.run(_plain_fanout(plain.url("/fan"), folder, devices, writes, payload, workers,
                                                "apply"))
            on_stack = asyncio.run(_plain_fanout(bare.url("/fan"), folder, devices, writes, payload, workers,
                                                 "apply"))
            params = {"devices": devices, "writes": writes, "samples": len(samples),
                      "device_processes": min(devices, workers)}
            for p in (50, 99):
                value = percentile(samples, p) * 1e3
                base_value = percentile(base, p) * 1e3
                target = p == 99 and devices == 100
                out.append(Result(f"fanout_latency.{devices}.p{p}", value, "ms", "websockets_relay", base_value,
                                  params=params, target="<= 50 ms" if target else None,
                                  met=value <= TARGET_P99_MS if target else None))
                apply_value = percentile(applied, p) * 1e3
                out.append(Result(f"fanout_latency.{devices}.p{p}.vs_apply", value, "ms", "relay_plus_apply",
                                  apply_value, params=params,
                                  target=f"<= {TARGET_VS_APPLY}x relay_plus_apply" if target else None,
                                  met=value <= TARGET_VS_APPLY * apply_value if target else None))
                out.append(Result(f"fanout_latency.{devices}.p{p}.stack_floor", percentile(on_stack, p) * 1e3,
                                  "ms", "relay_plus_apply", apply_value, params={**params, "what": (
                                      "relay_plus_apply with the relay a bare Starlette app under uvicorn, "
                                      "offsync's server stack: no push, no commit, no engine")}))
        batches = 300 if quick else 3000
        device_us, apply_us = _live_batch_costs(folder, batches)
        out.append(Result("fanout.live_batch_device", device_us, "us", "relay_plus_apply.client", apply_us,
                          params={"batches": batches, "rows_per_batch": 1, "what": "in process: a device "
                                  "(decode, ClientProtocol.receive, the idle check) against the relay_plus_apply "
                                  "client (decode, upsert, commit), one-row live batches"}))
    return out
