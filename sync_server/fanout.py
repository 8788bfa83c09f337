"""Fan-out between server nodes that share one PostgreSQL database.

Every commit sends ``NOTIFY offsync_changes, '<head>'`` (see
``store.postgres``). Each node listens, reads the rows whose last change lies
in ``(last published, head]`` and hands them to its own :class:`Hub` as one
batch, so its devices see every node's writes, in sequence order, and never a
higher cursor before a lower one. A node publishes its own batches the same
way: a direct publish could overtake another node's earlier commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

import psycopg

from .engine import BatchOutcome
from .store.postgres import CHANNEL, PostgresStore

if TYPE_CHECKING:
    from .app import Hub

log = logging.getLogger("offsync.fanout")


class OrderedPublisher:
    """Publishes committed rows of every node to this node's hub, in seq order.

    Args:
        store: the shared PostgreSQL store.
        hub: this node's hub.
        clock: returns the server clock to stamp batches with.
    """

    def __init__(self, store: PostgresStore, hub: Hub, clock: Any) -> None:
        self.store = store
        self.hub = hub
        self.clock = clock
        self.published = store.head()
        self._wake = asyncio.Event()

    def poke(self) -> None:
        """This node committed a batch: publish without waiting for the notification."""
        self._wake.set()

    async def run(self) -> None:
        listener = asyncio.create_task(self._listen())
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                await self._publish_through(await asyncio.to_thread(self.store.head))
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    async def _publish_through(self, head: int) -> None:
        if head <= self.published:
            return
        rows = await asyncio.to_thread(self.store.changes_between, self.published, head)
        self.published = head
        self.hub.publish(BatchOutcome(results=[], rows=rows, applied={}, head=head, server_clock=self.clock()))

    async def _listen(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.store.dsn, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self._wake.set()  # catch up on anything committed while not listening
                    async for _ in conn.notifies():
                        self._wake.set()
            except psycopg.OperationalError as exc:
                log.warning("fan-out listener lost its connection (%s); reconnecting", exc)
                await asyncio.sleep(1.0)
