"""Small helpers for integration tests: sync a replica, compare with the server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from shared.schema import Schema
from sync_client.connection import SyncClient, SyncResult, SyncStatus
from sync_client.replica import Replica
from sync_server.app import SyncServer
from sync_server.demo import replica_rows, server_rows

from ..servers import ThreadServer


def sync(replica: Replica, server: ThreadServer, token: str, **kw: Any) -> SyncResult:
    """One full sync of ``replica`` over a real WebSocket."""
    return asyncio.run(SyncClient(replica, server.ws_url, token, **kw).sync_once())


def device(tmp_path: Path, name: str, schema: Schema) -> Replica:
    return Replica(str(tmp_path / f"{name}.db"), schema)


def converged(sync_server: SyncServer, scopes: list[str], *replicas: Replica) -> bool:
    expected = server_rows(sync_server, scopes)
    return all(replica_rows(r) == expected for r in replicas)


__all__ = ["SyncStatus", "converged", "device", "replica_rows", "server_rows", "sync"]
