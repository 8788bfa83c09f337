"""``cluster_writes``: write throughput of 1 and of 3 ``offsync serve`` nodes
on one PostgreSQL database, each node ~1 ms (round trip) away from it.

Every node reaches PostgreSQL through its own :mod:`benchmarks.latency_proxy`
(0.5 ms added each way), as a database one network hop away. Devices of three
users (``DEVICES_PER_USER`` each, raw WebSockets speaking the protocol, live:
they pull once and read every live batch) push one-row mutations, each
waiting for its Ack before the next. With 1 node every device is on it; with
3, each user's devices are on their own node. Reported: Acks/s over the
window, and 3 nodes' rate over 1 node's.

    python -m benchmarks.bench_cluster [--quick] [--seconds 10] [--delay-ms 0.5] [--devices-per-user 4] [--nodes 3]

A longer delay shows what ordering costs when round trips, not CPU, are the
limit (a 2-core machine runs out of CPU first at 0.5 ms). ``--nodes N``
compares N nodes (and N users, one a node) with 1.

Needs PostgreSQL on 127.0.0.1:5432. ``OFFSYNC_BENCH_NODE_CODE=DIR`` runs the
nodes from another checkout (e.g. ``git archive`` of an older commit), to
compare with it on the same machine in the same minute.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

from shared.apps.notes import schema as notes_schema
from shared.messages import MIN_PROTOCOL, MSGPACK, Ack, Hello, Mutation, Operation, Pull, Push

from .harness import ROOT, SECRET, Result, free_port, token

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DEVICES_PER_USER = 4
USERS = ("ada", "bob", "cy")
DELAY_MS = 0.5  # each way


@contextmanager
def _database() -> Iterator[str]:
    import psycopg

    name = f"offsync_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield name
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


class _Process:
    def __init__(self, args: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> None:
        self.proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL)
        # SIGTERM ends uvicorn cleanly, and the proxy (after SIGINT uvicorn raises
        # KeyboardInterrupt again once it has shut down: a traceback per node)
        self.stop_signal = signal.SIGTERM

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(self.stop_signal)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def _round_trip_ms(proxy_port: int, database: str) -> float:
    """The mean time of ``SELECT 1`` through a proxy: the latency the nodes see."""
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{proxy_port}/{database}", autocommit=True) as c:
        started = time.perf_counter()
        for _ in range(100):
            c.execute("SELECT 1").fetchone()
        return (time.perf_counter() - started) * 10


@contextmanager
def _nodes(count: int, database: str, round_trips: list[float],
           delay_ms: float = DELAY_MS) -> Iterator[tuple[list[int], list[int]]]:
    """``count`` nodes on ``database``, each behind its own latency proxy; yields
    their ports and every started process's pid (and adds each proxy's measured
    round trip to ``round_trips``)."""
    code = Path(os.environ.get("OFFSYNC_BENCH_NODE_CODE") or ROOT)
    # /metrics open, for the group commits each node made (_commits)
    env = {**os.environ, "OFFSYNC_SECRET": SECRET, "PYTHONPATH": str(code), "OFFSYNC_METRICS_PUBLIC": "1"}
    started: list[_Process] = []
    ports = []
    try:
        for _ in range(count):
            proxy_port, port = free_port(), free_port()
            started.append(_Process([sys.executable, "-m", "benchmarks.latency_proxy", "--port", str(proxy_port),
                                     "--delay-ms", str(delay_ms)]))
            _wait_listening(proxy_port)
            round_trips.append(_round_trip_ms(proxy_port, database))
            dsn = f"postgresql://postgres@127.0.0.1:{proxy_port}/{database}"
            started.append(_Process([sys.executable, "-m", "sync_server.cli", "serve", "--port", str(port),
                                     "--db", dsn, "--log-level", "warning"], env=env, cwd=code))
            ports.append(port)
        for port in ports:
            _wait_healthy(port)
        yield ports, [p.proc.pid for p in started]
    finally:
        for process in reversed(started):
            process.stop()


def _wait_listening(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"the proxy on {port} did not listen in {timeout}s")


def _wait_healthy(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"node on {port} did not start in {timeout}s")


async def _device(port: int, user: str, name: str, until: float, acks: list[int]) -> None:
    """A live device pushing one-row mutations, one at a time, until ``until``."""
    async with connect(f"ws://127.0.0.1:{port}/sync", max_size=None) as ws:
        await ws.send(MSGPACK.encode(Hello(client_id=name, token=token(user), schema_version=notes_schema.version,
                                           protocol=MIN_PROTOCOL)))  # what old nodes speak too
        MSGPACK.decode(await ws.recv())  # Welcome
        await ws.send(MSGPACK.encode(Pull(cursor=0)))  # subscribes: live batches come from now on
        seq = 0
        while time.monotonic() < until:
            seq += 1
            op = Operation(kind="insert", collection="notes", row_id=f"{name}-{seq}", insert_order=seq,
                           fields={"title": f"{name} {seq}"})
            await ws.send(MSGPACK.encode(Push(mutations=[Mutation(client_seq=seq, ops=[op])])))
            while not isinstance(MSGPACK.decode(await ws.recv()), Ack):
                pass  # live batches and pages: read, as a device does
            acks.append(1)


def _cluster_cpu_seconds(pids: list[int]) -> float:
    """CPU seconds used so far by the cluster: its nodes and proxies (``pids``),
    every PostgreSQL process, and this process (the devices)."""
    import psutil

    total = sum(os.times()[:2])
    procs = [psutil.Process(pid) for pid in pids]
    procs += [p for p in psutil.process_iter(["name"]) if p.info["name"] in ("postgres", "postmaster")]
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            times = proc.cpu_times()
            total += times.user + times.system
    return total


def _commits(ports: list[int]) -> int:
    """The group commits (write batches) the nodes have made so far."""
    total = 0
    for port in ports:
        for line in httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text.splitlines():
            if line.startswith("offsync_commit_seconds_count"):
                total += int(float(line.split()[-1]))
    return total


def _users(nodes: int) -> tuple[str, ...]:
    return USERS if nodes <= len(USERS) else tuple(f"user{i}" for i in range(nodes))


async def _load(ports: list[int], seconds: float, pids: list[int], devices_per_user: int = DEVICES_PER_USER,
                users: tuple[str, ...] = USERS) -> tuple[float, float, float]:
    """Acks per second of every device pushing for ``seconds`` (after a 1 s
    warm-up), the CPU seconds the cluster spent per Ack meanwhile, and the
    write batches (group commits) per second of all nodes together."""
    acks: list[int] = []
    start = time.monotonic() + 1.0
    until = start + seconds
    devices = [_device(ports[u % len(ports)], user, f"{user}-{k}-{uuid.uuid4().hex[:6]}", until, acks)
               for u, user in enumerate(users) for k in range(devices_per_user)]
    tasks = [asyncio.create_task(d) for d in devices]
    await asyncio.sleep(start - time.monotonic())
    before, cpu_before, commits_before = len(acks), _cluster_cpu_seconds(pids), _commits(ports)
    await asyncio.gather(*tasks)
    done = len(acks) - before
    commits = _commits(ports) - commits_before
    return done / seconds, (_cluster_cpu_seconds(pids) - cpu_before) / max(done, 1), commits / seconds


def measure(nodes: int, seconds: float, round_trips: list[float], delay_ms: float = DELAY_MS,
            devices_per_user: int = DEVICES_PER_USER, users: tuple[str, ...] = USERS) -> tuple[float, float, float]:
    """(Acks/s, the cluster's CPU seconds per Ack, write batches/s) with ``nodes`` nodes."""
    with _database() as database, _nodes(nodes, database, round_trips, delay_ms) as (ports, pids):
        return asyncio.run(_load(ports, seconds, pids, devices_per_user, users))


def run(quick: bool, seconds: float | None = None, delay_ms: float = DELAY_MS,
        devices_per_user: int = DEVICES_PER_USER, nodes: int = 3) -> list[Result]:
    seconds = seconds or (3.0 if quick else 10.0)
    round_trips: list[float] = []
    users = _users(nodes)
    one, one_cpu, one_batches = measure(1, seconds, round_trips, delay_ms, devices_per_user, users)
    many, many_cpu, many_batches = measure(nodes, seconds, round_trips, delay_ms, devices_per_user, users)
    n = f"{nodes}_nodes"
    cores = os.cpu_count() or 1
    params = {"devices": devices_per_user * len(users), "users": len(users), "latency_ms_each_way": delay_ms,
              "round_trip_ms_measured": round(sum(round_trips) / len(round_trips), 2),
              "seconds": seconds, "push": "1 row, waiting for its Ack", "cores": cores,
              # the limit beside the target: every process of the cluster shares this
              # machine's cores, so 3 nodes reach at most cores / (CPU per Ack)
              "cpu_ms_per_ack_1_node": round(one_cpu * 1000, 2), f"cpu_ms_per_ack_{n}": round(many_cpu * 1000, 2),
              "cores_used_1_node": round(one * one_cpu, 2), f"cores_used_{n}": round(many * many_cpu, 2),
              f"cpu_bound_acks_s_{n}": round(cores / max(many_cpu, 1e-9), 1),
              # one node commits several devices' pushes as one batch, so batches
              # and Acks are different figures: the target names batches
              "batches_s_1_node": round(one_batches, 1), f"batches_s_{n}": round(many_batches, 1), "nodes": nodes}
    return [
        Result("cluster_writes.1_node", one, "acks/s", params=params),
        Result(f"cluster_writes.{n}", many, "acks/s", baseline_name="cluster_writes.1_node", baseline_value=one,
               params=params, target=">= 2.5x of 1 node", met=many >= 2.5 * one),
        Result("cluster_writes.batches_1_node", one_batches, "batches/s", params=params),
        Result(f"cluster_writes.batches_{n}", many_batches, "batches/s",
               baseline_name="cluster_writes.batches_1_node", baseline_value=one_batches, params=params,
               target=">= 2.5x of 1 node", met=many_batches >= 2.5 * one_batches),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--delay-ms", type=float, default=DELAY_MS, help="latency added each way (ms)")
    parser.add_argument("--devices-per-user", type=int, default=DEVICES_PER_USER)
    parser.add_argument("--nodes", type=int, default=3, help="the nodes compared with 1")
    parser.add_argument("--seconds", type=float)
    args = parser.parse_args()
    for result in run(args.quick, args.seconds, args.delay_ms, args.devices_per_user, args.nodes):
        ratio = f"  ({result.ratio:.2f}x of {result.baseline_name})" if result.ratio else ""
        print(f"{result.name:28} {result.value:10.1f} {result.unit}{ratio}")
    params, n = result.params, f"{args.nodes}_nodes"
    print(f"round trip to PostgreSQL through the proxies: {params['round_trip_ms_measured']} ms")
    print(f"cluster CPU per Ack: {params['cpu_ms_per_ack_1_node']} ms with 1 node "
          f"({params['cores_used_1_node']} cores), {params[f'cpu_ms_per_ack_{n}']} ms with {args.nodes} "
          f"({params[f'cores_used_{n}']} cores); the CPU limit on {params['cores']} cores, "
          f"{args.nodes} nodes: {params[f'cpu_bound_acks_s_{n}']} acks/s")


if __name__ == "__main__":
    main()
