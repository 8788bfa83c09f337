"""Fan-out between server nodes that share one PostgreSQL database.

Every commit sends ``NOTIFY offsync_changes, '<head> <scope> ...'`` naming the
scopes it changed (see ``store.postgres``). Each node listens; a notice for a
scope one of its devices reads wakes it, and it reads, in one snapshot, the
committed head H (below which every number drawn is committed or rolled back:
a commit numbered above an open batch waits for it, read again every
``RECHECK_S`` while one is open), the rows *of its devices' scopes* whose last change lies in
``(last published, H]`` and the applied client_seq of the devices written in
that range, and hands them to its own :class:`Hub` as one batch. Its devices
see every node's writes in sequence order, never a higher cursor before a
lower one, and never rows without the ``applied`` that says which of their own
writes those rows include. A node publishes its own batches the same way: a
direct publish could overtake another node's earlier commit.

Why LISTEN/NOTIFY and not NATS JetStream: the notice is sent by the commit
itself (it is delivered if and only if the transaction commits, in commit
order), needs no second system to run or to fail, and carries no rows, only a
wake-up: rows are always read from the database, so a lost notice costs a
delay (the node catches up at the next notice, or on reconnecting), never a
row. A node skips notices for scopes none of its devices reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Protocol

import psycopg

from shared.messages import RowChange

from .engine import BatchOutcome
from .store.postgres import CHANNEL, PostgresStore, parse_notice

log = logging.getLogger("offsync.fanout")
#: how soon to read again while a batch that numbered rows beyond the
#: committed head is open (a commit also wakes the node; a rollback does not)
RECHECK_S = 0.1


class Hub(Protocol):
    """What the publisher needs of a node's hub (:class:`sync_server.hub.Hub`):
    declared here so that ``fanout`` does not import ``app`` (which imports it)."""

    scopes_added: set[str]

    @property
    def scopes(self) -> frozenset[str]: ...

    @property
    def client_ids(self) -> set[str]: ...

    def reads_any(self, scopes: frozenset[str]) -> bool: ...

    def publish(self, outcome: BatchOutcome) -> None: ...


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
        self._recheck: asyncio.TimerHandle | None = None

    def _read_again(self) -> None:
        self._recheck = None
        self._wake.set()

    def poke(self) -> None:
        """This node committed a batch: publish without waiting for the notification."""
        self._wake.set()

    async def run(self) -> None:
        listener = asyncio.create_task(self._listen())
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                try:
                    if await self.publish() and self._recheck is None:
                        # a batch numbered beyond the head is still open: its commit
                        # wakes this node, but a rollback (or a killed node) does not
                        self._recheck = asyncio.get_running_loop().call_later(RECHECK_S, self._read_again)
                except psycopg.Error as exc:
                    # the rows stay in the database: the next wake reads them again
                    log.warning("fan-out could not read the database (%s); retrying", exc)
                    await asyncio.sleep(0.5)
                    self._wake.set()
        finally:
            if self._recheck is not None:
                self._recheck.cancel()
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    async def publish(self) -> bool:
        """Publish everything committed since the last publish, for the scopes
        this node's devices read (a scope subscribed meanwhile is read too).
        True if some batch had drawn numbers beyond the committed head."""
        scopes = set(self.hub.scopes)
        self.hub.scopes_added.clear()
        page = await asyncio.to_thread(self.store.published_since, self.published, scopes, self.hub.client_ids)
        if page.head <= self.published:
            return page.drawn > self.published
        rows = page.rows
        # a device that subscribed during the read pulls from a snapshot that may
        # be older than this one, and is then sent this batch: its scopes' rows go in
        while added := self.hub.scopes_added - scopes:
            scopes |= added
            self.hub.scopes_added.clear()
            more = await asyncio.to_thread(self.store.changes_between, self.published, page.head, added)
            rows = sorted([*rows, *more], key=_seq)
        self.published = page.head
        self.hub.publish(BatchOutcome(results=[], rows=rows, applied=page.applied, head=page.head,
                                      server_clock=self.clock()))
        return page.drawn > page.head

    async def _listen(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.store.dsn, autocommit=True,
                                                               **self.store.connect_kwargs) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self._wake.set()  # catch up on anything committed while not listening
                    async for notice in conn.notifies():
                        head, scopes = parse_notice(notice.payload)
                        if head is not None and head <= self.published:
                            continue  # read already (this node's own commits, mostly: poke)
                        if scopes is None or self.hub.reads_any(scopes):
                            self._wake.set()
            except psycopg.OperationalError as exc:
                log.warning("fan-out listener lost its connection (%s); reconnecting", exc)
                await asyncio.sleep(1.0)


def _seq(row: RowChange) -> int:
    return row.seq
