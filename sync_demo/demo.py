"""``offsync demo``: a server on a free port and three devices in a temporary
folder. Two devices go offline, everyone edits the same rows, they reconnect,
and the demo checks that every replica equals the server.
"""

from __future__ import annotations

import asyncio
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from shared.apps.notes import schema
from sync_client.connection import SyncClient
from sync_client.replica import Replica
from sync_server.app import MAX_FRAME_BYTES, SyncServer
from sync_server.store.sqlite import SQLiteStore


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_rows(sync: SyncServer, scopes: list[str]) -> dict[str, dict[Any, dict[str, Any]]]:
    """The server's live rows by collection and id, in stored form."""
    out: dict[str, dict[Any, dict[str, Any]]] = {c.name: {} for c in sync.schema}
    for row in sync.store.scan_scope(scopes):
        coll = sync.schema[row.collection]
        defaults = coll.defaults()  # fields added after the row was written show their default
        out[row.collection][row.row_id] = {n: row.fields.get(n, defaults.get(n))
                                           for n in coll.field_names if n != coll.primary_key}
    return out


def replica_rows(replica: Replica) -> dict[str, dict[Any, dict[str, Any]]]:
    """A replica's rows in the same form as :func:`server_rows`."""
    out = {}
    for coll in replica.schema:
        out[coll.name] = {k: {n: v for n, v in row.items() if n != coll.primary_key}
                          for k, row in replica.rows(coll.name).items()}
    return out


class _Server:
    def __init__(self, sync: SyncServer) -> None:
        self.port = _free_port()
        config = uvicorn.Config(sync.app, host="127.0.0.1", port=self.port, log_level="warning",
                                ws_max_size=MAX_FRAME_BYTES, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("the demo server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def run_demo(verbose: bool = True) -> int:
    """Run the demo; 0 only if all three replicas equal the server."""
    say = print if verbose else (lambda *a, **k: None)
    with tempfile.TemporaryDirectory(prefix="offsync-demo-") as folder:
        root = Path(folder)
        sync = SyncServer(schema, SQLiteStore(str(root / "server.db")), "demo-secret-" + "d" * 40)
        with _Server(sync) as running:
            url = f"ws://127.0.0.1:{running.port}/sync"
            token = sync.authority.issue("ada")
            devices = {name: Replica(str(root / f"{name}.db"), schema) for name in ("laptop", "phone", "tablet")}
            try:
                ok = asyncio.run(_story(devices, url, token, say))
                server = server_rows(sync, ["user:ada"])
                equal = all(replica_rows(r) == server for r in devices.values())
                rows = sum(len(v) for v in server.values())
                say("")
                if ok and equal:
                    print(f"converged: {rows} rows on {len(devices)} replicas")
                    return 0
                print(f"NOT converged: replicas differ from the server's {rows} rows")
                return 1
            finally:
                for replica in devices.values():
                    replica.close()


async def _story(devices: dict[str, Replica], url: str, token: str, say: Any) -> bool:
    laptop, phone, tablet = devices["laptop"], devices["phone"], devices["tablet"]

    async def sync(name: str) -> None:
        result = await SyncClient(devices[name], url, token).sync_once()
        say(f"  {name:<7} pushed {result.pushed} mutations, pulled {result.pulled} rows, "
            f"{result.rejected} rejected, cursor {result.cursor}")

    say("1. the laptop writes a note, a journal entry and a counter; everyone syncs")
    note = laptop.insert("notes", {"title": "Groceries", "body": "milk", "tags": ["home"]})
    entry = laptop.insert("journal", {"title": "Monday", "body": "Started the project.", "mood": 3})
    laptop.insert("counters", {"id": "coffee", "name": "cups of coffee", "value": 0})
    for name in devices:
        await sync(name)

    say("2. phone and tablet go offline; all three edit the same rows")
    laptop.update("notes", note, {"title": "Groceries (laptop)"})
    phone.update("notes", note, {"body": "milk, eggs"})  # another field: merges
    tablet.update("notes", note, {"title": "Groceries (tablet)"})  # same field, written last: wins
    phone.update("journal", entry, {"body": "Started the project. (phone)"})
    tablet.update("journal", entry, {"body": "Started the project. (tablet)"})  # reject: a person chooses
    for replica, cups in ((laptop, 1), (phone, 2), (tablet, 3)):
        replica.increment("counters", "coffee", {"value": cups})
    phone.insert("notes", {"title": "Written offline on the phone"})

    say("3. the laptop syncs; then the phone and the tablet come back online")
    await sync("laptop")
    await sync("phone")
    await sync("tablet")
    for name in devices:  # a last round so everyone has everything
        await sync(name)

    final = laptop.get("notes", note) or {}
    coffee = laptop.get("counters", "coffee") or {}
    conflicts = tablet.conflicts()
    say("")
    say(f"note:     title {final.get('title')!r} (the later write), body {final.get('body')!r} (merged)")
    say(f"counter:  {coffee.get('value')} cups (1 + 2 + 3: increments add up)")
    for c in conflicts:
        say(f"conflict: the tablet's journal edit was refused ({c.reason}); kept locally beside the server's: "
            f"{c.local.get('body')!r} vs {(c.server or {}).get('body')!r}")
    return coffee.get("value") == 6 and final.get("title") == "Groceries (tablet)" and len(conflicts) == 1
