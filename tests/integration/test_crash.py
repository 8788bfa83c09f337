"""Crash test with real processes: ``offsync serve`` and several device
processes (``tests.chaos.device``) on real SQLite files over loopback, killed
with SIGKILL at random and restarted, then a quiet period and a full sync.

Checks (exact, because every write is uniquely keyed and counted):

* every note a device committed locally is on the server (no acked or
  committed write lost, through server and device crashes);
* every replica equals the server;
* no duplicate effects: each device's counter equals its number of notes and
  the shared counter equals the number of all notes.

Short run always; the long one (``OFFSYNC_SLOW=1``) does
``OFFSYNC_CRASH_CYCLES`` kill/restart cycles (200 by default).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.apps.notes import schema
from sync_client.connection import SyncClient
from sync_client.replica import Replica
from sync_server.auth import TokenAuthority
from sync_server.store.sqlite import SQLiteStore

from ..chaos.device import SHARED, own_counter
from ..servers import SECRET, ProcessServer

ROOT = Path(__file__).resolve().parents[2]
SCOPE = "user:alice"


class DeviceProcess:
    """One device process on its own replica file."""

    def __init__(self, directory: Path, index: int, url: str, token: str) -> None:
        self.device_id = f"dev{index}"
        self.path = str(directory / f"{self.device_id}.db")
        self.url = url
        self.token = token
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.chaos.device", self.path, self.device_id, self.url,
                                      self.token], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # "ready": the replica is open, the loop starts
        assert line.strip() == b"ready", (line, self.proc.stderr.read() if self.proc.stderr else b"")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
            self.kills += 1
        if self.proc is not None:
            if self.proc.stdout:
                self.proc.stdout.close()
            if self.proc.stderr:
                self.proc.stderr.close()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[ProcessServer, list[DeviceProcess]]]:
    server = ProcessServer(tmp_path / "server.db").start()
    token = TokenAuthority(SECRET).issue("alice")
    devices = [DeviceProcess(tmp_path, i, server.ws_url, token) for i in range(3)]
    try:
        yield server, devices
    finally:
        for device in devices:
            device.kill()
        server.stop()


def chaos(server: ProcessServer, devices: list[DeviceProcess], cycles: int, seed: int, deadline: float) -> dict[str, int]:
    """Kill the server or a device at random moments, restart it, ``cycles`` times."""
    rng = random.Random(seed)
    counts = {"cycles": 0, "server_kills": 0, "device_kills": 0}
    for device in devices:
        device.start()
    for _ in range(cycles):
        if time.monotonic() > deadline:
            break
        time.sleep(rng.uniform(0.05, 0.4))
        if rng.random() < 0.5:
            server.kill()
            counts["server_kills"] += 1
            time.sleep(rng.uniform(0, 0.2))  # devices write offline meanwhile
            server.start()
        else:
            victim = rng.choice(devices)
            victim.kill()
            counts["device_kills"] += 1
            victim.start()
        counts["cycles"] += 1
        for device in devices:
            assert device.alive(), f"{device.device_id} died on its own: {device.proc and device.proc.stderr}"
    time.sleep(0.3)
    for device in devices:  # the last crash: everything stops mid-write
        device.kill()
    return counts


def full_sync(server: ProcessServer, devices: list[DeviceProcess], token: str) -> list[Replica]:
    """Quiet: each device syncs until nothing is pending, twice round so all see all."""
    replicas = [Replica(d.path, schema, device_id=d.device_id) for d in devices]
    for _ in range(2):
        for replica in replicas:
            asyncio.run(SyncClient(replica, server.ws_url, token).sync_once(timeout=60))
            assert replica.pending_count() == 0
    return replicas


def committed_notes(devices: list[DeviceProcess]) -> dict[str, set[str]]:
    """Each device's own notes as its file holds them after the last kill."""
    out = {}
    for device in devices:
        with Replica(device.path, schema, device_id=device.device_id) as replica:
            out[device.device_id] = {i for i in replica.rows("notes") if i.startswith(f"{device.device_id}-")}
    return out


def run_crash_test(cluster: tuple[ProcessServer, list[DeviceProcess]], cycles: int, budget_s: float) -> None:
    server, devices = cluster
    seed = int(os.environ.get("OFFSYNC_SEED") or random.randrange(2**32))
    started = time.monotonic()
    print(f"\ncrash seed {seed} (rerun: OFFSYNC_SEED={seed})")
    counts = chaos(server, devices, cycles, seed, started + budget_s)
    mine = committed_notes(devices)
    token = TokenAuthority(SECRET).issue("alice")
    replicas = full_sync(server, devices, token)
    server.stop()
    store = SQLiteStore(str(server.db))
    try:
        live = store.scan_scope([SCOPE])
    finally:
        store.close()
    notes = {r.row_id: r.fields for r in live if r.collection == "notes"}
    counters = {r.row_id: r.fields["value"] for r in live if r.collection == "counters"}
    total = sum(len(ids) for ids in mine.values())
    print(f"crash run: {counts['cycles']} kill/restart cycles ({counts['server_kills']} server, "
          f"{counts['device_kills']} device), {total} committed notes, "
          f"{time.monotonic() - started:.1f}s")
    assert counts["cycles"] >= min(cycles, 5)
    for device_id, ids in mine.items():
        lost = ids - notes.keys()
        assert not lost, f"{device_id}: {len(lost)} committed notes missing on the server, e.g. {sorted(lost)[:3]}"
        assert counters.get(own_counter(device_id), 0) == len(ids), (
            f"{device_id}: counter {counters.get(own_counter(device_id))} != {len(ids)} notes")
    assert set(notes) == set().union(*mine.values()), "the server holds notes no device committed"
    wrong = [i for i, f in notes.items() if (f["title"], f["body"]) != (f"note {int(i.rsplit('-', 1)[1])}",
                                                                       i.rsplit("-", 1)[0])]
    assert not wrong, f"notes whose fields are not what their device wrote, e.g. {wrong[:3]}"
    assert counters[SHARED] == total, f"shared counter {counters[SHARED]} != {total} notes"
    for replica in replicas:
        try:
            assert replica.rows("notes").keys() == notes.keys()
            assert {k: v["value"] for k, v in replica.rows("counters").items()} == counters
        finally:
            replica.close()


def test_kill_9_of_server_and_devices_loses_nothing_short(cluster: tuple[ProcessServer, list[DeviceProcess]]) -> None:
    run_crash_test(cluster, cycles=16, budget_s=25)


@pytest.mark.slow
def test_kill_9_of_server_and_devices_loses_nothing_long(cluster: tuple[ProcessServer, list[DeviceProcess]]) -> None:
    run_crash_test(cluster, cycles=int(os.environ.get("OFFSYNC_CRASH_CYCLES", "200")), budget_s=40 * 60)
