"""Three real ``offsync serve`` nodes on one PostgreSQL database, devices live
on every node: each device equals the database while still connected.

Needs PostgreSQL on 127.0.0.1:5432 (skipped with the reason otherwise; a
failure under OFFSYNC_REQUIRE_POSTGRES=1). The long profiles run with --slow.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[postgres]')")

from sync_server.apps.notes import schema

from .cluster import Device, Node, cluster, database_rows, replica_rows, settle
from .postgres_db import fresh_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def database() -> Iterator[str]:
    with fresh_database() as url:
        yield url


@pytest.fixture
def nodes(database: str) -> Iterator[list[Node]]:
    with cluster(database, 3) as started:
        yield started


def live_devices(tmp_path: Path, nodes: list[Node], users: list[str], per_node: int) -> list[Device]:
    return [Device(tmp_path / f"{user}-{n}-{k}.db", schema, node.ws_url, user)
            for user in users for n, node in enumerate(nodes) for k in range(per_node)]


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


def assert_live_and_equal(devices: list[Device], database: str) -> None:
    for d in devices:
        assert d.client.status.connected and d.client.status.attempts == 1, d.client.status  # never reconnected
    for user in {d.user for d in devices}:
        expected = database_rows(database, schema, [f"user:{user}"])
        assert expected["notes"]
        for d in devices:
            if d.user == user:
                got = replica_rows(d.replica)
                missing = set(expected["notes"]) - set(got["notes"])
                extra = set(got["notes"]) - set(expected["notes"])
                differ = [k for k in expected["notes"] if k in got["notes"] and got["notes"][k] != expected["notes"][k]]
                assert got == expected, (f"{d.user} on {d.client.url}: {len(missing)} missing, {len(extra)} extra, "
                                         f"{len(differ)} differ of {len(expected['notes'])}")


def run_convergence(database: str, nodes: list[Node], tmp_path: Path, writes: int, seed: int) -> None:
    async def scenario() -> None:
        devices = live_devices(tmp_path, nodes, ["ada", "bob"], per_node=1)
        for d in devices:
            d.start()
        await settle(devices, database)
        await write_concurrently(devices, writes, seed)
        await settle(devices, database, timeout=60)
        assert_live_and_equal(devices, database)
        for d in devices:
            await d.stop()

    asyncio.run(scenario())


def test_connected_devices_on_three_nodes_equal_the_database_under_concurrent_writers(
        database: str, nodes: list[Node], tmp_path: Path) -> None:
    run_convergence(database, nodes, tmp_path, writes=60, seed=1)


@pytest.mark.slow
def test_connected_devices_stay_equal_over_a_long_run(database: str, nodes: list[Node], tmp_path: Path) -> None:
    for seed in range(5):
        run_convergence(database, nodes, tmp_path / str(seed), writes=600, seed=seed)
