"""``idle_connections``: the server's resident memory with 1,000 idle devices
connected (real :class:`SyncClient` loops on real replica files, all live).

Reported: the server process's RSS with every device connected, and the
growth per connection over the RSS of the same server before any device
came. Baseline: a plain ``websockets`` server holding the same number of idle
connections (its RSS).

Target (issue 6): <= 200 MB of server memory at 1,000 devices.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from sync_client.connection import SyncClient

from .harness import ChildServer, Result, new_device, server_prefix, token, workdir

TARGET_MB = 200.0
MB = 2**20
USERS = 50  # the devices belong to this many users (at most)


async def _hold(url: str, folder: Path, devices: int, measure: Any) -> int:
    stop = asyncio.Event()
    replicas = [new_device(folder, f"idle-{i}") for i in range(devices)]
    clients = [SyncClient(r, url, token(f"idle-{i % USERS}")) for i, r in enumerate(replicas)]
    tasks = []
    try:
        for i, client in enumerate(clients):
            tasks.append(asyncio.create_task(client.run(stop)))
            if i % 50 == 49:
                await asyncio.sleep(0.05)  # connect in waves, as devices do
        deadline = time.monotonic() + 120
        while not all(c.status.phase == "live" for c in clients):
            if time.monotonic() > deadline:
                live = sum(c.status.phase == "live" for c in clients)
                raise TimeoutError(f"only {live} of {devices} devices came live")
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # let the server settle
        return int(measure())
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        for replica in replicas:
            replica.close()


async def _hold_plain(url: str, devices: int, measure: Any) -> int:
    from websockets.asyncio.client import connect

    conns = []
    try:
        for _ in range(devices):
            conns.append(await connect(url, max_size=None, compression=None))
        await asyncio.sleep(1.0)
        return int(measure())
    finally:
        for ws in conns:
            await ws.close()


def run(quick: bool) -> list[Result]:
    devices = 100 if quick else 1_000
    with workdir("idle") as folder:
        with ChildServer("sync", folder / "server.db", prefix=server_prefix("idle")) as server:
            before = server.rss_bytes()
            during = asyncio.run(_hold(server.ws_url, folder, devices, server.rss_bytes))
        with ChildServer("plain") as plain:
            plain_before = plain.rss_bytes()
            plain_during = asyncio.run(_hold_plain(plain.url("/echo"), devices, plain.rss_bytes))
    params = {"devices": devices, "users": min(devices, USERS), "server_rss_before_mb": round(before / MB, 1),
              "plain_rss_before_mb": round(plain_before / MB, 1)}
    return [
        Result("idle_connections", during / MB, "MB", "websockets_idle_rss", plain_during / MB, params=params,
               target="<= 200 MB at 1,000 devices", met=during / MB <= TARGET_MB if devices >= 1000 else None),
        Result("idle_connections.per_device", (during - before) / devices / 1024, "KB", "websockets_idle_per_conn",
               (plain_during - plain_before) / devices / 1024, params=params),
    ]
