"""Small helpers for integration tests: start an app's server, sync a replica,
compare with the server."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from shared.schema import Schema
from sync_client.connection import SyncClient, SyncResult
from sync_client.replica import Replica
from sync_demo import replica_rows, server_rows
from sync_server.app import SyncServer
from sync_server.export_api import install
from sync_server.store.base import Store
from sync_server.store.sqlite import SQLiteStore

from ..servers import SECRET, ThreadServer


def app_server(db: Path, app_schema: Schema, **kw: Any) -> ThreadServer:
    """A server for ``app_schema`` over the SQLite file ``db``, with the export
    API installed (``kw`` goes to ``SyncServer``); run it with ``with``."""
    sync_server = SyncServer(app_schema, SQLiteStore(str(db), synchronous="NORMAL"), SECRET, **kw)
    install(sync_server)
    return ThreadServer(sync_server)


def sync(replica: Replica, server: ThreadServer, token: str, **kw: Any) -> SyncResult:
    """One full sync of ``replica`` over a real WebSocket."""
    return asyncio.run(SyncClient(replica, server.ws_url, token, **kw).sync_once())


def device(tmp_path: Path, name: str, schema: Schema) -> Replica:
    return Replica(str(tmp_path / f"{name}.db"), schema)


def converged(sync_server: SyncServer, scopes: list[str], *replicas: Replica) -> bool:
    expected = server_rows(sync_server, scopes)
    return all(replica_rows(r) == expected for r in replicas)


__all__ = ["app_server", "converged", "device", "replica_rows", "server_rows", "sync"]


def head_on_another_thread(store: Store) -> int:
    """The committed head as another thread (a pull, the fan-out) reads it."""
    seen: list[int] = []
    reader = threading.Thread(target=lambda: seen.append(store.head()))
    reader.start()
    reader.join(10)
    return seen[0]
