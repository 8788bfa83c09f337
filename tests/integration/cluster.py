"""Several real ``offsync serve`` processes on one PostgreSQL database, and
devices (real replicas, real WebSockets) running against them.

A node is a child process on a loopback port, so a test can SIGKILL it or
freeze it with SIGSTOP; the database is compared with each device directly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from shared.schema import Schema
from sync_client.connection import Backoff, SyncClient
from sync_client.replica import Replica
from sync_demo import replica_rows
from sync_server.auth import TokenAuthority

from ..servers import SECRET, ProcessServer


class Node(ProcessServer):
    """``offsync serve`` on PostgreSQL in a child process."""


@contextmanager
def cluster(dsn: str | list[str], nodes: int = 3) -> Iterator[list[Node]]:
    """``nodes`` nodes on the database ``dsn`` (or one node per connection
    string of a list), started side by side and stopped afterwards."""
    dsns = dsn if isinstance(dsn, list) else [dsn] * nodes
    started: list[Node] = []
    try:
        for one in dsns:
            started.append(Node(one).start(wait=False))
        for node in started:
            node.wait_started(timeout=60)
        yield started
    finally:
        for node in started:
            node.stop()


def token(user: str) -> str:
    return TokenAuthority(SECRET).issue(user, ())


def database_rows(dsn: str, schema: Schema, scopes: list[str]) -> dict[str, dict[Any, dict[str, Any]]]:
    """The database's live rows of ``scopes`` in the form of ``demo.replica_rows``."""
    from sync_server.store.postgres import PostgresStore

    store = PostgresStore(dsn)
    try:
        found = store.scan_scope(scopes)
    finally:
        store.close()
    out: dict[str, dict[Any, dict[str, Any]]] = {c.name: {} for c in schema}
    for row in found:
        coll = schema[row.collection]
        defaults = coll.defaults()
        out[row.collection][row.row_id] = {n: row.fields.get(n, defaults.get(n))
                                           for n in coll.field_names if n != coll.primary_key}
    return out


_watchers: dict[str, Any] = {}


def _watcher(dsn: str) -> Any:
    import psycopg

    c = _watchers.get(dsn)
    if c is None or c.closed:
        c = _watchers[dsn] = psycopg.connect(dsn, autocommit=True)
    return c


def scope_head(dsn: str, scope: str) -> int:
    """The seq of the last change in ``scope`` (0 if none), on one kept connection per database."""
    row = _watcher(dsn).execute("SELECT coalesce(max(seq), 0) FROM offsync_rows WHERE scope = %s",
                                (scope,)).fetchone()
    return int(row[0]) if row else 0


def stored_fields(dsn: str, row_id: str) -> dict[str, Any]:
    """The stored fields of the row ``row_id`` (on the connection :func:`scope_head` keeps)."""
    import msgspec
    from psycopg.types.json import Jsonb

    row = _watcher(dsn).execute("SELECT fields FROM offsync_rows WHERE row_id = %s", (Jsonb(row_id),)).fetchone()
    assert row is not None, f"no row {row_id!r} in the database"
    return dict(msgspec.msgpack.decode(row[0]))


def forget(dsn: str) -> None:
    """Close the connection :func:`scope_head` keeps to ``dsn`` (before the database is dropped)."""
    c = _watchers.pop(dsn, None)
    if c is not None:
        c.close()


class Device:
    """A replica kept live by ``SyncClient.run`` on the running event loop."""

    def __init__(self, path: Path, schema: Schema, urls: str | list[str], user: str) -> None:
        self.replica = Replica(str(path), schema)
        self.user = user
        self.client = SyncClient(self.replica, urls, token(user),  # type: ignore[arg-type]
                                 backoff=Backoff(base=0.05, cap=0.5))
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self.client.run(self._stop))

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await asyncio.wait_for(self._task, 10)

    def quiet_at(self, head: int) -> bool:
        """Nothing pending, and the cursor at ``head``."""
        return self.replica.pending_count() == 0 and self.replica.cursor >= head


def sqlite_scope_head(path: Path, scope: str) -> int:
    """:func:`scope_head` of a SQLite server's file."""
    import apsw

    c = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        return int(c.execute("SELECT coalesce(max(seq), 0) FROM rows WHERE scope = ?", (scope,)).fetchall()[0][0])
    finally:
        c.close()


async def settle(devices: list[Device], database: str | Path, timeout: float = 20.0) -> None:
    """Wait until every device has nothing pending and its cursor at its scope's
    head (``database``: a PostgreSQL URL, or a SQLite server's file)."""
    def head_of(scope: str) -> int:
        if isinstance(database, Path):
            return sqlite_scope_head(database, scope)
        return scope_head(database, scope)

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        heads = {d.user: head_of(f"user:{d.user}") for d in devices}
        if all(d.quiet_at(heads[d.user]) for d in devices):
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("the devices did not settle: " + ", ".join(
        f"{d.user} pending {d.replica.pending_count()} cursor {d.replica.cursor}" for d in devices))


__all__ = ["Device", "Node", "cluster", "database_rows", "forget", "replica_rows", "scope_head", "settle",
           "stored_fields", "token"]
