"""``push_throughput`` and ``push_concurrent``: devices push queued inserts to
a real server (its own process, SQLite ``synchronous=FULL``: an Ack follows a
durable commit).

* ``push_throughput``: one device, 100,000 operations (inserts queued in
  mutations of 100), ops/s until the last Ack; beside the raw apsw insert
  rate of the same rows, a msgspec encode+decode loop of the same Push
  messages, and a plain websockets echo of the same bytes.
  ``push_throughput.synced`` runs until the device is idle again (its own
  rows have come back live, with their server versions).
  ``push_throughput.store_floor`` only decodes the same Push frames and
  writes the rows they make through the server's store (no engine, no
  socket): a ceiling no server with this store layout can pass.
* ``push_batch``: the same for 1, 10, 100, 1,000 operations per mutation
  (the growth curve ``push_batch.png``).
* ``push_throughput.lww_updates``: one device pushes 100,000 updates of
  rows the server has (mutations of 100), half of which lose under
  last-writer-wins to later updates another device of the user pushed first;
  ops/s until the last Ack, beside the same raw insert rate.
* ``push_throughput.engine`` and ``push_throughput.lww_updates.engine``: the
  same two workloads through the server's apply path alone, in process
  (decode, ``Engine.apply_batch``, durable commit; no socket, no device).
* ``push_throughput.typed_layout`` and ``.lww_updates.typed_layout``: the
  same frames merged by SQLite in the layout issue 17 proposes
  (``typed_layout.py``): the ceiling of that redesign, in the same run.
  ``.core_bound`` turns it into the most this machine allows: the device
  and the server share its cores, so no rate passes cores / (the device's
  CPU per op + the typed layout's time per op).
* ``push_concurrent``: 10 devices (10 users) push at once; total ops/s.

Targets (issue 6): >= 100,000 ops/s and >= 40 % of the raw rate.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import cast

from shared.messages import MSGPACK, Push
from sync_client.connection import SyncClient
from sync_client.protocol import PUSH_MAX_MUTATIONS, PUSH_MAX_OPS
from sync_client.replica import Replica

from .harness import (
    ChildServer,
    CpuMeter,
    Result,
    TimedClient,
    codec_rate,
    fill,
    new_device,
    raw_insert_rate,
    raw_rows,
    server_prefix,
    token,
    workdir,
    ws_echo_rate,
)

TARGET_RATE = 100_000
TARGET_SHARE = 0.40
LWW_TARGET_SHARE = 0.30


def _pushes(replica: Replica) -> list[Push]:
    """The Push messages the client sends for what is queued: the same reads, so the same split."""
    pushes: list[Push] = []
    after = 0
    while mutations := replica.mutations_to_push(after, PUSH_MAX_MUTATIONS, PUSH_MAX_OPS):
        pushes.append(Push(mutations=mutations))
        after = mutations[-1].client_seq
    return pushes


async def _push_one(url: str, replica: object, user: str) -> tuple[float, float]:
    client = TimedClient(replica, url, token(user))  # type: ignore[arg-type]
    start = time.perf_counter()
    await client.sync_once(timeout=600)
    done = time.perf_counter()
    assert client.acked_at is not None and replica.pending_count() == 0  # type: ignore[attr-defined]
    return client.acked_at - start, done - start


def _measure(server: ChildServer, folder: Path, ops: int, per_mutation: int,
             name: str) -> tuple[float, float, dict[str, float]]:
    """Push ``ops`` queued inserts from a new device; returns ops/s until the
    last Ack, ops/s until idle, and the CPU each side spent per operation."""
    replica = new_device(folder, name)
    fill(replica, ops, per_mutation)
    gc.collect()  # what earlier benchmarks left is not the device's to sweep
    meter = CpuMeter(server)
    acked, synced = asyncio.run(_push_one(server.ws_url, replica, name))
    cpu = meter.per(ops, "op", 1)
    replica.close()
    return ops / acked, ops / synced, cpu


def run(quick: bool) -> list[Result]:
    ops = 5_000 if quick else 100_000
    per_mutation = 100
    sizes = (1, 10, 100, 1000)
    curve_ops = 4_000 if quick else 20_000
    out: list[Result] = []
    with workdir("push") as folder:
        raw = raw_insert_rate(raw_rows(ops), folder)
        with ChildServer("sync", folder / "server.db", prefix=server_prefix("push")) as server, \
                ChildServer("plain") as plain:
            asyncio.run(_warm_up(server, folder))
            rate, synced, cpu = _measure(server, folder, ops, per_mutation, "pusher")
            params = {"ops": ops, "ops_per_mutation": per_mutation, "synchronous": "FULL", **cpu}
            out.append(Result("push_throughput", rate, "ops/s", "raw_apsw_insert", raw, params=params,
                              target=">= 100,000 ops/s and >= 40 % of raw",
                              met=rate >= TARGET_RATE and rate >= TARGET_SHARE * raw))
            out.append(Result("push_throughput.synced", synced, "ops/s", "raw_apsw_insert", raw, params=params))
            updates, update_cpu = _lww_updates(server, folder, ops, per_mutation)
            out.append(Result("push_throughput.lww_updates", updates, "ops/s", "raw_apsw_insert", raw,
                              target=">= 30 % of raw", met=updates >= LWW_TARGET_SHARE * raw,
                              params={"ops": ops, "ops_per_mutation": per_mutation, "losing": ops // 2,
                                      "synchronous": "FULL", **update_cpu}))
            twin = _twin(folder, ops, per_mutation)
            out.extend(_wire_baselines(rate, twin, plain, ops, params))
            frames = _lww_frames(twin)
            for name, rate_in_process in _engine_rates(folder, frames, ops).items():
                out.append(Result(name, rate_in_process, "ops/s", "raw_apsw_insert", raw, params={
                    "ops": ops, "synchronous": "FULL", "what": "decode the Push frames and apply them "
                    "through Engine.apply_batch in process (a batch per Push, gc paused as the server does), "
                    "commit included, no socket, no device"}))
            typed = _typed_layout_rates(folder, frames, ops)
            for name, rate_in_process in typed.items():
                out.append(Result(name, rate_in_process, "ops/s", "raw_apsw_insert", raw, params={
                    "ops": ops, "synchronous": "FULL", "what": "the same frames decoded and merged by SQLite in "
                    "the layout issue 17 proposes (typed columns, a stamp per field, one INSERT ... ON CONFLICT "
                    "DO UPDATE per mutation; benchmarks/typed_layout.py), commit included, no validation, "
                    "no results: the ceiling of that redesign"}))
            for name, device_cpu in (("push_throughput", cpu), ("push_throughput.lww_updates", update_cpu)):
                out.append(_core_bound(name, device_cpu["device_cpu_us_per_op"], typed[f"{name}.typed_layout"], raw))
            out.append(Result("push_throughput.store_floor", _store_floor_rate(folder, twin, ops), "ops/s",
                              "raw_apsw_insert", raw, params={
                                  "ops": ops, "synchronous": "FULL", "what": "decode the Push frames and "
                                  "write the rows they make through the server's store (commit included), "
                                  "no engine: what no server with this store can beat"}))
            del twin, frames  # 100,000 operations the devices measured next would otherwise carry in their heap

            raw_curve = raw_insert_rate(raw_rows(curve_ops), folder, repeat=3)  # the same rows at every size
            for size in sizes:
                rate, _, cpu = _measure(server, folder, curve_ops, size, f"batch-{size}")
                out.append(Result(f"push_batch.{size}", rate, "ops/s", "raw_apsw_insert", raw_curve,
                                  params={"ops": curve_ops, "ops_per_mutation": size, **cpu}))

        # on a server of its own, as push_throughput's: the two are compared, so
        # both start from a warmed-up empty store, not one after the other's rows
        with ChildServer("sync", folder / "concurrent.db", prefix=server_prefix("push_concurrent")) as server:
            asyncio.run(_warm_up(server, folder, "warm-concurrent"))
            out.append(_concurrent(server, folder, quick))
    return out


async def _pull_one(url: str, replica: Replica, user: str) -> None:
    await SyncClient(replica, url, token(user)).sync_once(timeout=600)


def _queue_updates(replica: Replica, row_ids: list[object], per_mutation: int, title: str) -> None:
    for start in range(0, len(row_ids), per_mutation):
        with replica.transaction():
            for row_id in row_ids[start:start + per_mutation]:
                replica.update("items", row_id, {"title": title})


def _lww_updates(server: ChildServer, folder: Path, ops: int, per_mutation: int) -> tuple[float, dict[str, float]]:
    """Ops/s of pushing ``ops`` updates of existing rows, every other one of
    which loses: two devices of one user pull the same rows, the early one
    queues an update of each, the late one (a later clock) then one of every
    other row and pushes first; the early device's push is timed."""
    user = "updater"
    writer = new_device(folder, "upd-writer")
    fill(writer, ops, per_mutation)
    asyncio.run(_push_one(server.ws_url, writer, user))
    writer.close()
    early, late = new_device(folder, "upd-early"), new_device(folder, "upd-late")
    for replica in (early, late):
        asyncio.run(_pull_one(server.ws_url, replica, user))
    row_ids = sorted(early.rows("items"))
    assert len(row_ids) == ops
    _queue_updates(early, row_ids, per_mutation, "early")
    _queue_updates(late, row_ids[::2], per_mutation, "late")  # queued after: a later insert_order
    asyncio.run(_push_one(server.ws_url, late, user))
    meter = CpuMeter(server)
    acked, _ = asyncio.run(_push_one(server.ws_url, early, user))
    cpu = meter.per(ops, "op", 1)
    titles = [row["title"] for row in early.rows("items").values()]
    assert titles.count("late") == len(row_ids[::2]) and titles.count("early") == ops - len(row_ids[::2]), \
        "half the updates must lose"
    early.close()
    late.close()
    return ops / acked, cpu


def _twin(folder: Path, ops: int, per_mutation: int) -> list[Push]:
    """The Push messages of the same rows, from a device queued the same way."""
    replica = new_device(folder, "twin")
    fill(replica, ops, per_mutation)
    pushes = _pushes(replica)
    replica.close()
    return pushes


def _store_floor_rate(folder: Path, pushes: list[Push], ops: int, *, repeat: int = 2) -> float:
    """Ops/s of only decoding ``pushes`` and storing the rows they make (the
    engine's batches, recorded once on a scratch store, written again into a
    fresh one): the server's decode, row encoding and SQLite work, nothing else."""
    from sync_server.auth import Grant
    from sync_server.engine import Engine, PushRequest
    from sync_server.store.base import Batch
    from sync_server.store.sqlite import SQLiteStore

    from .schema import schema

    class Recording(SQLiteStore):
        batches: list[Batch] = []

        def commit_batch(self, batch: Batch) -> None:
            self.batches.append(batch)
            super().commit_batch(batch)

    frames = [MSGPACK.encode(p) for p in pushes]
    grant = Grant(user="floor", write=frozenset({"user:floor"}), read=frozenset({"user:floor"}))
    scratch = Recording(str(folder / "floor-scratch.db"), synchronous="OFF")
    engine = Engine(schema, scratch)
    for push in pushes:
        engine.apply_batch([PushRequest("floor", grant, push.mutations)])
    scratch.close()
    batches = scratch.batches
    best = 0.0
    for attempt in range(repeat):
        store = SQLiteStore(str(folder / f"floor-{attempt}.db"), synchronous="FULL")
        start = time.perf_counter()
        for frame, batch in zip(frames, batches, strict=True):
            MSGPACK.decode(frame)
            with store.write_transaction():
                store.commit_batch(batch)
        best = max(best, ops / (time.perf_counter() - start))
        store.close()
    return best


def _lww_frames(pushes: list[Push]) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """The insert frames of ``pushes``, then two devices' updates of the rows
    they make: ``late`` (every other row, pushed first) and ``early`` (every
    row, stamped before ``late``: half of it loses)."""
    from shared.messages import Mutation, Operation

    row_ids = [op.row_id for push in pushes for m in push.mutations for op in m.ops]
    start = time.time_ns() // 1000

    def updates(ids: Sequence[object], insert_order: int, title: str) -> list[bytes]:
        made = [Operation(kind="update", collection="items", row_id=row_id, base_version=1,  # type: ignore[arg-type]
                          insert_order=insert_order + i, fields={"title": title}) for i, row_id in enumerate(ids)]
        mutations = [Mutation(client_seq=n + 1, ops=made[at:at + 100]) for n, at in enumerate(range(0, len(made), 100))]
        return [MSGPACK.encode(Push(mutations=mutations[at:at + 50])) for at in range(0, len(mutations), 50)]

    inserts = [MSGPACK.encode(p) for p in pushes]
    return inserts, updates(row_ids[::2], start + 2_000_000, "late"), updates(row_ids, start + 1_000_000, "early")


def _timed(frames: list[bytes], apply: Callable[[Push], object]) -> float:
    """Seconds to decode each of ``frames`` and ``apply`` it, the collector
    paused as the server pauses it for a batch."""
    gc.collect()
    gc.disable()
    began = time.perf_counter()
    for frame in frames:
        apply(cast(Push, MSGPACK.decode(frame)))
    seconds = time.perf_counter() - began
    gc.enable()
    return seconds


def _engine_rates(folder: Path, frames: tuple[list[bytes], list[bytes], list[bytes]], ops: int, *,
                  repeat: int = 2) -> dict[str, float]:
    """Ops/s of the server's apply path alone, in process, on :func:`_lww_frames`:
    the inserts as ``push_throughput.engine``; then, on the rows they made,
    ``ops`` updates of which every other one loses to a later update pushed
    first, as ``push_throughput.lww_updates.engine``."""
    from sync_server.auth import Grant
    from sync_server.engine import Engine, PushRequest
    from sync_server.store.sqlite import SQLiteStore

    from .schema import schema

    grant = Grant(user="engine", write=frozenset({"user:engine"}), read=frozenset({"user:engine"}))
    inserts, late, early = frames

    def timed(engine: Engine, client_id: str, frames: list[bytes]) -> float:
        return _timed(frames, lambda push: engine.apply_batch([PushRequest(client_id, grant, push.mutations)]))

    best = {"push_throughput.engine": 0.0, "push_throughput.lww_updates.engine": 0.0}
    for attempt in range(repeat):
        store = SQLiteStore(str(folder / f"engine-{attempt}.db"), synchronous="FULL")
        engine = Engine(schema, store, max_clock_ahead_us=10_000_000)
        best["push_throughput.engine"] = max(best["push_throughput.engine"], ops / timed(engine, "writer", inserts))
        timed(engine, "late", late)
        best["push_throughput.lww_updates.engine"] = max(best["push_throughput.lww_updates.engine"],
                                                         ops / timed(engine, "early", early))
        store.close()
    return best


def _typed_layout_rates(folder: Path, frames: tuple[list[bytes], list[bytes], list[bytes]], ops: int, *,
                        repeat: int = 2) -> dict[str, float]:
    """The same two workloads as :func:`_engine_rates` through the layout issue
    17 proposes (``typed_layout.py``): its ceiling, beside today's engine."""
    from .typed_layout import TypedStore

    inserts, late, early = frames

    def timed(store: TypedStore, client_id: str, frames: list[bytes]) -> float:
        return _timed(frames, lambda push: store.apply(push, client_id, "typed"))

    best = {"push_throughput.typed_layout": 0.0, "push_throughput.lww_updates.typed_layout": 0.0}
    for attempt in range(repeat):
        store = TypedStore(folder / f"typed-{attempt}.db")
        best["push_throughput.typed_layout"] = max(best["push_throughput.typed_layout"],
                                                   ops / timed(store, "writer", inserts))
        timed(store, "late", late)
        best["push_throughput.lww_updates.typed_layout"] = max(best["push_throughput.lww_updates.typed_layout"],
                                                               ops / timed(store, "early", early))
        titles = store.titles()
        store.close()
        if titles != {"late": ops // 2, "early": ops - ops // 2}:  # the merge itself is what is measured
            raise AssertionError(f"typed layout: the updates merged wrong: {titles}")
    return best


def _core_bound(name: str, device_us: float, server_rate: float, raw: float) -> Result:
    """The most ``name`` could reach on this machine with a server that only
    did the typed layout's work (``server_rate``, in process) and this run's
    device: the device and the server share the cores, so every op costs the
    cores ``device_us`` plus the server's time, and ``cores`` of them run at once."""
    import os

    cores = os.cpu_count() or 1
    server_us = 1e6 / server_rate
    bound = cores * 1e6 / (device_us + server_us)
    return Result(f"{name}.core_bound", bound, "ops/s", "raw_apsw_insert", raw, params={
        "cores": cores, "device_cpu_us_per_op": device_us, "server_us_per_op": round(server_us, 2),
        "what": "cores / (this run's device CPU per op + the typed layout's time per op): the rate no server "
                "can pass here while the device shares its cores, even one doing nothing but the redesign's merge"})


def _wire_baselines(rate: float, pushes: list[Push], plain: ChildServer, ops: int,
                    params: dict[str, object]) -> list[Result]:
    codec = codec_rate(pushes, ops)
    frames = [MSGPACK.encode(p) for p in pushes]
    echo = asyncio.run(ws_echo_rate(plain.url("/echo"), frames, ops))
    bytes_per_op = sum(map(len, frames)) / ops
    return [
        Result("push_throughput.vs_codec", rate, "ops/s", "msgspec_encode_decode", codec, params=params),
        Result("push_throughput.vs_ws_echo", rate, "ops/s", "websockets_echo", echo,
               params={**params, "bytes_per_op": round(bytes_per_op, 1)}),
    ]


async def _warm_up(server: ChildServer, folder: Path, name: str = "warm") -> None:
    replica = new_device(folder, name)
    fill(replica, 200, 100)
    await _push_one(server.ws_url, replica, "warm")
    replica.close()


def _concurrent(server: ChildServer, folder: Path, quick: bool) -> Result:
    devices = 10
    per_device = 500 if quick else 10_000
    replicas = [new_device(folder, f"conc-{i}") for i in range(devices)]
    for replica in replicas:
        fill(replica, per_device, 100)

    async def all_at_once() -> float:
        timings = await asyncio.gather(*(_push_one(server.ws_url, r, f"conc-{i}") for i, r in enumerate(replicas)))
        return max(acked for acked, _ in timings)

    gc.collect()  # what earlier benchmarks left is not the devices' to sweep
    meter = CpuMeter(server)
    seconds = asyncio.run(all_at_once())
    total = devices * per_device
    cpu = meter.per(total, "op", 1)
    raw = raw_insert_rate(raw_rows(total), folder, repeat=1)
    return Result("push_concurrent", total / seconds, "ops/s", "raw_apsw_insert", raw,
                  params={"devices": devices, "ops_per_device": per_device, "users": devices, **cpu})
