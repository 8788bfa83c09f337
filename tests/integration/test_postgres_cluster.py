"""Three real ``offsync serve`` nodes on one PostgreSQL database, devices live
on every node (real replicas, real WebSockets):

* under concurrent writers each device equals the database while still connected;
* every device updating one row at once, round after round, ends every round equal;
* ``SIGSTOP`` of a node in the middle of a batch holds the others up for at
  most the idle-in-transaction limit;
* ``kill -9`` of a node with pushes in flight loses nothing, and its devices
  move to the other nodes.

One cluster serves the module (starting three nodes costs seconds of CPU);
each test has its own users. Needs PostgreSQL on 127.0.0.1:5432 (skipped
with the reason otherwise; a failure under OFFSYNC_REQUIRE_POSTGRES=1). The
long profiles run with --slow.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[postgres]')")

from shared.apps.notes import schema

from .cluster import Device, Node, cluster, database_rows, forget, replica_rows, settle, stored_fields
from .postgres_db import fresh_database
from .test_live_rounds import run_rounds

pytestmark = pytest.mark.postgres

#: idle_in_transaction_session_timeout of the test nodes: the bound a frozen node holds the others up
IDLE_LIMIT_S = 1.5


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with fresh_database() as url:
        yield url
        forget(url)


@pytest.fixture(scope="module")
def cluster_nodes(database: str) -> Iterator[list[Node]]:
    # each node names itself to PostgreSQL (application_name), so a test can see its sessions
    dsns = [f"{database}?application_name=n{k}&options=-c%20idle_in_transaction_session_timeout%3D"
            f"{int(IDLE_LIMIT_S * 1000)}" for k in range(3)]
    with cluster(dsns) as started:
        yield started


@pytest.fixture
def nodes(cluster_nodes: list[Node]) -> list[Node]:
    for node in cluster_nodes:  # a test that killed one leaves it dead
        if node.proc is None or node.proc.poll() is not None:
            node.start()
    return cluster_nodes


# -- live convergence ------------------------------------------------------------


async def write_concurrently(devices: list[Device], writes: int, seed: int) -> None:
    """Each device inserts and updates notes, a few at a time, all at once."""
    async def one(index: int, device: Device) -> None:
        rng = random.Random(seed * 1000 + index)
        mine: list[str] = []
        for i in range(writes):
            if mine and rng.random() < 0.3:
                device.replica.update("notes", rng.choice(mine), {"body": f"{index}-{i}"})
            else:
                mine.extend(device.replica.insert_many(
                    "notes", [{"title": f"{index}-{i}-{k}"} for k in range(rng.randint(1, 3))]))
            await asyncio.sleep(rng.random() * 0.01)

    await asyncio.gather(*(one(i, d) for i, d in enumerate(devices)))


def assert_equal_to_database(devices: list[Device], database: str) -> None:
    for user in {d.user for d in devices}:
        expected = database_rows(database, schema, [f"user:{user}"])
        assert expected["notes"]
        for d in devices:
            if d.user != user:
                continue
            got = replica_rows(d.replica)
            missing = set(expected["notes"]) - set(got["notes"])
            differ = [k for k in expected["notes"] if k in got["notes"] and got["notes"][k] != expected["notes"][k]]
            assert got == expected, (f"{d.user} on {d.client.url}: {len(missing)} missing, "
                                     f"{len(differ)} differ of {len(expected['notes'])}")


def run_convergence(database: str, nodes: list[Node], tmp_path: Path, users: list[str], writes: int,
                    seed: int) -> None:
    async def scenario() -> None:
        devices = [Device(tmp_path / f"{user}-{n}.db", schema, node.ws_url, user)
                   for user in users for n, node in enumerate(nodes)]
        for d in devices:
            d.start()
        await settle(devices, database)
        await write_concurrently(devices, writes, seed)
        await settle(devices, database, timeout=60)
        for d in devices:
            assert d.client.status.connected and d.client.status.attempts == 1, d.client.status  # never reconnected
        assert_equal_to_database(devices, database)
        for d in devices:
            await d.stop()

    asyncio.run(scenario())


def test_connected_devices_on_three_nodes_equal_the_database_under_concurrent_writers(
        database: str, nodes: list[Node], tmp_path: Path) -> None:
    run_convergence(database, nodes, tmp_path, ["ada", "bob"], writes=60, seed=1)


@pytest.mark.slow
def test_connected_devices_stay_equal_over_a_long_run(database: str, nodes: list[Node], tmp_path: Path) -> None:
    for seed in range(5):
        run_convergence(database, nodes, tmp_path, [f"long{seed}a", f"long{seed}b"], writes=600, seed=seed)


def test_every_device_updating_one_row_at_once_ends_every_round_equal(
        database: str, nodes: list[Node], tmp_path: Path) -> None:
    devices = [Device(tmp_path / f"d{n}-{k}.db", schema, node.ws_url, "rounds")
               for n, node in enumerate(nodes) for k in range(2)]

    run_rounds(devices, database, lambda row_id: stored_fields(database, row_id)["title"])


# -- nodes that fail ----------------------------------------------------------------


async def keep_writing(device: Device, until: float, latencies: list[float]) -> list[str]:
    """Insert a note at a time until ``until``, waiting for each to be acked
    (``latencies``: seconds from each write to its Ack); returns the ids."""
    ids = []
    while time.monotonic() < until:
        started = time.monotonic()
        ids.append(device.replica.insert("notes", {"title": f"{device.user}-{len(ids)}"}))
        while device.replica.pending_count() and time.monotonic() < until + 30:
            await asyncio.sleep(0.005)
        latencies.append(time.monotonic() - started)
    return ids


def _mid_batch(admin: psycopg.Connection[Any], name: str) -> bool:
    """Whether node ``name`` has a transaction open and is between two statements."""
    row = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
                        "AND state = 'idle in transaction'", (name,)).fetchone()
    return bool(row and row[0])


async def freeze_mid_batch(node: Node, device: Device, admin: psycopg.Connection[Any]) -> None:
    """SIGSTOP ``node`` while it holds a batch open (its locks with it),
    pushing big writes of ``device`` through it until that happens."""
    for attempt in range(10):
        device.replica.insert_many("notes", [{"title": f"big-{attempt}-{i}"} for i in range(3000)])
        deadline = time.monotonic() + 10
        while not _mid_batch(admin, "n0") and time.monotonic() < deadline:
            await asyncio.sleep(0.001)
        node.freeze()
        await asyncio.sleep(0.05)
        if _mid_batch(admin, "n0"):
            return
        node.thaw()  # the batch had committed already: try again
    raise AssertionError("node 0 was never frozen in the middle of a batch")


def test_a_frozen_node_holds_up_no_other_nodes_writes(
        database: str, nodes: list[Node], tmp_path: Path) -> None:
    admin = psycopg.connect(database, autocommit=True)

    async def scenario() -> None:
        frozen = Device(tmp_path / "frozen.db", schema, nodes[0].ws_url, "frozen")
        others = [Device(tmp_path / f"{u}.db", schema, nodes[k + 1].ws_url, u) for k, u in enumerate(["fa", "fb"])]
        for d in (frozen, *others):
            d.start()
        await settle([frozen, *others], database)
        await freeze_mid_batch(nodes[0], frozen, admin)  # holding its batch's locks, perhaps its numbers
        latencies: list[float] = []
        try:
            await asyncio.gather(*(keep_writing(d, time.monotonic() + 4 * IDLE_LIMIT_S, latencies) for d in others))
            ended = not _mid_batch(admin, "n0")
        finally:
            nodes[0].thaw()
        assert ended  # the database ended the frozen node's session, and its lock with it
        await settle([frozen, *others], database, timeout=60)  # node 0 goes on with a new session
        for d in (frozen, *others):
            assert replica_rows(d.replica) == database_rows(database, schema, [f"user:{d.user}"])
            await d.stop()
        # the others' writes never waited for the frozen batch (no lock every batch
        # takes; with the head lock they waited for the idle limit to end it); what
        # it held up is at most their delivery, until it ended (settle above)
        assert len(latencies) > 4 and max(latencies) < IDLE_LIMIT_S, sorted(latencies)[-5:]

    try:
        asyncio.run(scenario())
    finally:
        admin.close()


def test_kill_9_of_a_node_with_pushes_in_flight_loses_nothing_and_devices_move(
        database: str, nodes: list[Node], tmp_path: Path) -> None:
    urls = [n.ws_url for n in nodes]

    async def scenario() -> None:
        # two devices for each of six users, each device starting on a node and knowing them all
        devices = [Device(tmp_path / f"{user}-{k}.db", schema, urls[(i + k) % 3:] + urls[:(i + k) % 3], user)
                   for i, user in enumerate(["ka", "kb", "kc", "kd", "ke", "kf"]) for k in range(2)]
        for d in devices:
            d.start()
        await settle(devices, database)
        on_killed = [d for d in devices if d.client.url == urls[0]]
        latencies: list[float] = []
        until = time.monotonic() + 3.0
        writers = [asyncio.create_task(keep_writing(d, until, latencies)) for d in devices]
        await asyncio.sleep(1.0)
        nodes[0].kill()  # pushes in flight on it: each stays queued until another node acks it
        written = await asyncio.gather(*writers)
        await settle(devices, database, timeout=30)
        for d, ids in zip(devices, written, strict=True):
            assert d.client.url != urls[0] and d.client.status.connected  # moved on, and live
            expected = database_rows(database, schema, [f"user:{d.user}"])
            assert set(ids) <= set(expected["notes"])  # every write is there
            assert replica_rows(d.replica) == expected
        assert on_killed and all(d.client.status.attempts >= 2 for d in on_killed)
        for d in devices:
            await d.stop()

    asyncio.run(scenario())
