"""Devices and a server wired together in memory through the sans-I/O cores.

No sockets and no threads: every device is a real :class:`Replica` on a real
SQLite file driven by a real :class:`ClientProtocol`; the server is a real
:class:`Engine` over a real :class:`SQLiteStore` with one real
:class:`ServerSession` per connection. What the Starlette adapter does
(``sync_server.app.Connection`` and ``Hub``) is mirrored here step by step, so
a test decides the order of everything the real server does concurrently:

* frames travel in two FIFO lists per connection (``up`` to the server,
  ``down`` to the device), really encoded with the connection's codec;
* a Push becomes a request in the writer queue; :meth:`Network.commit` applies
  a prefix of that queue as one batch (durable), and
  :meth:`Network.announce` later sends its acks and publishes its rows to the
  subscribed connections, as the writer task does after the commit returns
  (and, like it, before it applies the next batch);
* a Pull becomes a pull task whose pages :meth:`Network.pull_page` reads one
  at a time, with live batches held while it runs, as ``Connection._pull``.

Faults: a frame to the server may be dropped, duplicated or delivered out of
order (the HTTP push path and resends make all three real); a frame to the
device may be duplicated, or an Ack and a Changes may swap (two producers on
the server, the writer and the pull reader, enqueue them). Two Changes never
swap on one connection: a WebSocket is FIFO and cursors rely on it. A cut
loses everything in flight on a connection; restarting the server loses the
writer queue and every connection; restarting a device reopens its file.

The reference bookkeeping (every local mutation as captured, every verdict
the engine gave) is kept here so the tests can check their invariants.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.messages import JSON, MSGPACK, Ack, Changes, Codec, Message, MutationResult, Push, RowChange
from shared.evolution import History
from shared.schema import Schema
from sync_client.protocol import ClientProtocol
from sync_client.replica import Replica
from sync_server.auth import TokenAuthority, user_scope
from sync_server.engine import BatchOutcome, Engine, PushRequest
from sync_server import wire
from sync_server.evolution import Translation
from sync_server.session import Close, Send, ServerSession, StartPull, SubmitPush
from sync_server.store.base import Store
from sync_server.store.sqlite import SQLiteStore

SECRET = "model-secret-" + "m" * 40
#: a fixed epoch so runs are reproducible (2024-01-01 in microseconds)
EPOCH_US = 1_704_067_200_000_000


def sqlite_store(path: str) -> Store:
    """The model server's default store: SQLite at ``path``."""
    return SQLiteStore(path, synchronous="OFF")


class Stall(AssertionError):
    """The network did not go quiet within the step budget (a livelock)."""


#: the engine clamps insert_orders further ahead of its clock than this: the
#: reference model does not, so the wiring allows more than any device's skew
#: (up to an hour, see test_model) and its clock jumps; the clamp has its own
#: tests (tests/integration/test_security.py, tests/unit/test_engine.py)
MAX_SKEW_US = 3 * 3600 * 1_000_000


@dataclass
class Clock:
    """A fake wall clock in microseconds that tests move by hand (even backwards)."""

    now: int = EPOCH_US

    def __call__(self) -> int:
        return self.now


@dataclass
class CapturedOp:
    """One operation as the device queued it (the reference model's input)."""

    kind: str
    collection: str
    row_id: Any
    fields: dict[str, Any]
    base_version: int
    insert_order: int


@dataclass
class Link:
    """One connection: both protocol cores, both frame queues, and the
    server-side state that ``app.Connection`` keeps."""

    device: Device
    session: ServerSession
    protocol: ClientProtocol
    codec: Codec
    up: list[bytes] = field(default_factory=list)
    down: list[bytes] = field(default_factory=list)
    alive: bool = True
    closing: bool = False
    tainted: bool = False  # a frame was lost: the device will need a new connection
    sent_cursor: int = 0
    subscribed: bool = False
    pulls: list[list[int]] = field(default_factory=list)  # [cursor, limit, resync] per pull task, run in order
    pulling: bool = False
    held: list[tuple[int, bytes]] = field(default_factory=list)
    resynced: bool = False  # sent a page of a full re-sync (app.Connection.resynced)

    @property
    def wants_echo(self) -> bool:
        """app.Connection.wants_echo: while pulling, or once re-syncing, own rows come back."""
        return self.pulling or self.resynced


class Device:
    """One device: a replica on a file, its token, and its current link."""

    def __init__(self, index: int, directory: Path, schema: Schema, user: str, token: str, clock: Clock,
                 codec: Codec) -> None:
        self.index = index
        self.device_id = f"dev{index}"
        self.path = str(directory / f"{self.device_id}.db")
        self.schema = schema
        self.user = user
        self.scope = user_scope(user)
        self.token = token
        self.clock = clock
        self.codec = codec
        self.replica = Replica(self.path, schema, wall_clock=clock, device_id=self.device_id)
        self.link: Link | None = None
        self.max_insert_order = 0

    def restart(self) -> None:
        """Reopen the replica from its file, as after a crash (close is not called)."""
        self.link = None
        old = self.replica
        # drop the old connection without close(): close() persists the clock,
        # which a killed process never does
        old.connection.close()
        self.replica = Replica(self.path, self.schema, wall_clock=self.clock, device_id=self.device_id)


class Network:
    """The server and every device, with the frames and tasks between them."""

    def __init__(self, schema: Schema | History, users: list[str], *, codecs: list[Codec] | None = None,
                 skews_us: list[int] | None = None, versions: list[int] | None = None,
                 open_store: Callable[[str], Store] = sqlite_store) -> None:
        # with a History, device i runs schema version versions[i] (an older one is
        # served translated, as by sync_server.app: see sync_server.evolution)
        self.history = History.of(schema)
        self.schema = schema = self.history.current
        self.translation = Translation(self.history)
        #: opens the server's store, at start and after a server crash (a path for SQLite)
        self.open_store = open_store
        self.directory = Path(tempfile.mkdtemp(prefix="offsync-model-"))
        self.server_path = str(self.directory / "server.db")
        self.server_clock = Clock()
        self.authority = TokenAuthority(SECRET)
        self.store = open_store(self.server_path)
        self.engine = Engine(schema, self.store, wall_clock=self.server_clock,
                             max_clock_ahead_us=MAX_SKEW_US)
        self.writer: list[tuple[Link, PushRequest]] = []
        self.announcements: list[tuple[list[tuple[Link, list[MutationResult]]], BatchOutcome]] = []
        skews = skews_us or [0] * len(users)
        codecs = codecs or [MSGPACK] * len(users)
        versions = versions or [schema.version] * len(users)
        self.devices = [
            Device(i, self.directory, self.history[versions[i]], user,
                   self.authority.issue(user, now=EPOCH_US / 1e6, ttl=10**9), Clock(EPOCH_US + skews[i]), codecs[i])
            for i, user in enumerate(users)
        ]
        #: (device id, client_seq) -> operations as captured on the device
        self.mutations: dict[tuple[str, int], list[CapturedOp]] = {}
        #: (device id, client_seq) -> the engine's first verdict: applied, merged or rejected
        self.verdicts: dict[tuple[str, int], MutationResult] = {}
        #: (device id, client_seq) -> how many compactions had run when it was decided
        self.epochs: dict[tuple[str, int], int] = {}
        self.compactions = 0
        self.resyncs = 0  # full re-syncs the server began (pull pages below the horizon)
        #: (scope, collection, row_id) -> the compaction that removed its tombstone (the last one)
        self.forgotten: dict[tuple[str, str, Any], int] = {}
        self.links: list[Link] = []

    def close(self) -> None:
        for device in self.devices:
            if not device.replica._closed:
                device.replica.close()
        self.store.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    # -- time -------------------------------------------------------------------

    def tick(self, micros: int) -> None:
        """Move every wall clock forward (device skews are kept)."""
        self.server_clock.now += micros
        for device in self.devices:
            device.clock.now += micros

    # -- local writes -----------------------------------------------------------

    def write(self, device: Device, body: Callable[[Replica], None]) -> bool:
        """Run ``body`` in one local transaction; record the mutation it queued.

        Returns False if the body raised (nothing was written).
        """
        replica = device.replica
        before = replica.last_client_seq
        try:
            with replica.transaction():
                body(replica)
        except LocalRefusal:
            return False
        seq = replica.last_client_seq
        if seq == before:
            return True  # the writes changed nothing
        ops = [CapturedOp(e.kind, e.collection, e.row_id, dict(e.fields), e.base_version, e.insert_order)
               for e in replica.pending() if e.client_seq == seq]
        assert ops, f"{device.device_id}: client_seq {seq} committed with no queue entries"
        for op in ops:
            assert op.insert_order > device.max_insert_order, (
                f"{device.device_id}: insert_order went back ({op.insert_order} after {device.max_insert_order})")
            device.max_insert_order = op.insert_order
        self.mutations[(device.device_id, seq)] = ops
        if device.link is not None and device.link.alive:
            self._send_up(device.link, device.link.protocol.push())
        return True

    # -- connections ------------------------------------------------------------

    def connect(self, device: Device) -> Link:
        """Open a new connection and queue the device's Hello."""
        if device.link is not None:
            self.cut(device)
        session = ServerSession(self.engine, self.authority, self.history, json=device.codec is JSON)
        protocol = ClientProtocol(device.replica, device.token)
        protocol.pushes_per_call = 1  # as sync_client.connection: one Push at a time, see _send_up
        link = Link(device, session, protocol, device.codec)
        device.link = link
        self.links.append(link)
        self._send_up(link, link.protocol.connect())
        return link

    def cut(self, device: Device) -> None:
        """The connection drops: every frame in flight on it is lost."""
        link = device.link
        if link is None:
            return
        link.alive = False
        link.up.clear()
        link.down.clear()
        link.pulls.clear()
        link.held.clear()
        link.protocol.disconnected()
        device.link = None
        self.links = [x for x in self.links if x.alive]

    def restart_server(self) -> None:
        """Kill the server: the writer queue and all connections are lost; a new
        engine opens the same store file."""
        for device in self.devices:
            self.cut(device)
        self.writer.clear()
        self.announcements.clear()
        self.store.close()
        self.store = self.open_store(self.server_path)
        self.engine = Engine(self.schema, self.store, wall_clock=self.server_clock,
                             max_clock_ahead_us=MAX_SKEW_US)

    def restart_device(self, device: Device) -> None:
        self.cut(device)
        device.restart()

    # -- frames -----------------------------------------------------------------

    def _send_up(self, link: Link, messages: list[Message]) -> None:
        link.up.extend(link.codec.encode(m) for m in messages)
        if any(isinstance(m, Push) for m in messages):  # then the rest, one at a time (sync_client.connection._send)
            while more := link.protocol.push():
                link.up.extend(link.codec.encode(m) for m in more)

    def _send_down(self, link: Link, message: Message) -> None:
        if link.alive:
            link.down.append(link.codec.encode(message))

    def deliver_up(self, link: Link, index: int = 0) -> None:
        """The server receives frame ``index`` of the device's queue."""
        frame = link.up.pop(index)
        if link.closing:
            return
        message = link.codec.decode(frame)
        self._run(link, link.session.receive(message))

    def head_check(self, link: Link) -> None:
        """The device's wait for the live batch after an Ack runs out."""
        self._send_up(link, link.protocol.check_head())

    def deliver_down(self, link: Link) -> None:
        """The device receives the oldest frame for it."""
        frame = link.down.pop(0)
        message = link.codec.decode(frame)
        self._send_up(link, link.protocol.receive(message))
        if link.closing and not link.down:
            self.cut(link.device)

    def _run(self, link: Link, actions: list[Any]) -> None:
        for action in actions:
            if isinstance(action, Send):
                self._send_down(link, action.message)
            elif isinstance(action, SubmitPush):
                self.writer.append((link, action.request))
            elif isinstance(action, StartPull):
                link.pulls.append([action.cursor, action.limit, int(action.resync)])
            elif isinstance(action, Close):
                link.closing = True
                link.up.clear()

    # -- the server's tasks -------------------------------------------------------

    def commit(self, count: int) -> None:
        """The writer applies the oldest ``count`` pushes as one durable batch."""
        # app.SyncServer._write_loop acks and publishes a batch before it applies
        # the next: a device never sees a later batch before an earlier Ack
        assert not self.announcements, "the writer announces each batch before applying the next"
        items, self.writer = self.writer[:count], self.writer[count:]
        outcome = self.engine.apply_batch([request for _, request in items])
        for (link, request), results in zip(items, outcome.results):
            self._record_verdicts(request.client_id, results)
        self.announcements.append(([(link, results) for (link, _), results in zip(items, outcome.results)], outcome))

    def _record_verdicts(self, client_id: str, results: list[MutationResult]) -> None:
        for result in results:
            key = (client_id, result.client_seq)
            if result.status in ("applied", "merged", "rejected"):
                first = self.verdicts.get(key)
                assert first is None or (first.status == "rejected" and result.status == "rejected"), (
                    f"{key} decided twice: {first and first.status} then {result.status}")
                if first is None:
                    self.verdicts[key] = result
                    self.epochs[key] = self.compactions
            elif result.status == "duplicate":
                assert key in self.verdicts, f"{key} answered duplicate but was never applied"
                assert self.verdicts[key].status != "rejected", f"{key} was rejected, then answered duplicate"

    def compact(self, upto: int) -> int:
        """The server compacts the tombstones up to seq ``upto`` (between two
        batches, as on the real writer thread); returns how many went."""
        scopes = sorted({d.scope for d in self.devices})
        doomed = [(r.scope, r.collection, r.row_id) for r in self.store.changes_since(scopes, 0, 10**9, None).rows
                  if r.deleted and r.seq <= upto]
        done = self.engine.compact_upto(upto)
        assert done.removed == len(doomed), (done, doomed)
        if doomed:
            self.compactions += 1
            for key in doomed:
                self.forgotten[key] = self.compactions
        return done.removed

    def announce(self) -> None:
        """The writer task resumes after the oldest commit: acks, then live fan-out."""
        acks, outcome = self.announcements.pop(0)
        for link, results in acks:
            self._send_down(link, Ack(results=wire.results_for(self.translation, link.session.schema_version,
                                                               link.session.protocol, results),
                                      server_clock=outcome.server_clock, cursor=outcome.head))
        self._publish(outcome)

    def _publish(self, outcome: BatchOutcome) -> None:
        # Hub.publish: one Changes per subscribed connection whose scopes the batch touched
        if not outcome.rows:
            return
        touched = {r.scope for r in outcome.rows}
        for link in self.links:
            grant = link.session.grant
            if not link.alive or not link.subscribed or grant is None or touched.isdisjoint(grant.read):
                continue
            rows = [r for r in outcome.rows if r.scope in grant.read]
            message = Changes(rows=rows, cursor=outcome.head, applied=outcome.applied,
                              server_clock=outcome.server_clock, head=outcome.head)
            version, protocol = link.session.schema_version, link.session.protocol
            if wire.echo_free_for(self.translation, version, protocol) and not link.wants_echo:  # Hub.publish
                message = wire.without_own_rows(message, link.session.client_id, outcome.echo_free)
            message = wire.changes_for(self.translation, version, protocol, message)
            self._deliver_live(link, outcome.head, link.codec.encode(message))

    def _deliver_live(self, link: Link, head: int, payload: bytes) -> None:
        if link.pulling:
            link.held.append((head, payload))
        elif head > link.sent_cursor:
            link.sent_cursor = head
            link.down.append(payload)

    def pull_page(self, link: Link) -> None:
        """The connection's oldest pull task reads and sends one page."""
        task = link.pulls[0]
        grant = link.session.grant
        assert grant is not None
        link.pulling = True
        link.subscribed = True  # subscribe before reading, so no batch is missed
        cursor, limit, resync = task
        version, protocol = link.session.schema_version, link.session.protocol
        changes = self.engine.pull(grant, link.session.client_id, cursor, min(limit, 2000), resync=bool(resync),
                                   arrays=wire.pull_arrays(self.translation, version, protocol))
        link.down.append(link.codec.encode(wire.changes_for(self.translation, version, protocol, changes)))
        task[0], task[2] = changes.cursor, int(changes.resync)
        link.resynced = link.resynced or changes.resync
        self.resyncs += changes.resync_begins
        link.sent_cursor = max(link.sent_cursor, changes.cursor)
        if not changes.more:
            link.pulls.pop(0)
            link.pulling = False
            held, link.held = link.held, []
            for head, payload in held:
                self._deliver_live(link, head, payload)

    # -- draining -----------------------------------------------------------------

    def busy(self) -> bool:
        return bool(self.writer or self.announcements or any(
            x.up or x.down or x.pulls or (x.alive and x.protocol.head_check_due) for x in self.links))

    def drain(self, budget: int = 20_000) -> None:
        """Run every task and deliver every frame, in order, until nothing moves.

        Raises:
            Stall: still busy after ``budget`` steps.
        """
        for _ in range(budget):
            if self.announcements:
                self.announce()
            elif self.writer:
                self.commit(len(self.writer))
            else:
                link = next((x for x in self.links if x.up or x.pulls or x.down), None)
                if link is None:
                    # quiet: a device still waiting for the live batch after an Ack
                    # gives up and pulls (its HEAD_CHECK_S timer)
                    waiting = next((x for x in self.links if x.alive and x.protocol.head_check_due), None)
                    if waiting is None:
                        return
                    self.head_check(waiting)
                    continue
                if link.up:
                    self.deliver_up(link)
                elif link.pulls:
                    self.pull_page(link)
                else:
                    self.deliver_down(link)
        raise Stall(f"the network was still busy after {budget} steps")

    def random_step(self, rng: random.Random) -> bool:
        """Do one thing picked at random among all that can happen now; False if none can."""
        choices: list[Callable[[], None]] = []
        if self.writer and not self.announcements:
            choices.append(lambda: self.commit(rng.randint(1, len(self.writer))))
        if self.announcements:
            choices.append(self.announce)
        for link in self.links:
            if link.up:
                choices.append(lambda link=link: self.deliver_up(link))  # type: ignore[misc]
            if link.down:
                choices.append(lambda link=link: self.deliver_down(link))  # type: ignore[misc]
            if link.pulls:
                choices.append(lambda link=link: self.pull_page(link))  # type: ignore[misc]
            if link.alive and link.protocol.head_check_due:  # its timer may fire before the batch comes
                choices.append(lambda link=link: self.head_check(link))  # type: ignore[misc]
        if not choices:
            return False
        rng.choice(choices)()
        return True

    def settle(self) -> list[str]:
        """All devices online, everything delivered, every device idle.

        Devices whose connection lost a frame reconnect (a real client would
        time out and reconnect). Returns the ids of devices that reconnected.
        """
        reconnected = []
        for device in self.devices:
            if device.link is None:
                self.connect(device)
        self.drain()
        for device in self.devices:
            link = device.link
            if link is None or link.tainted or not link.protocol.idle:
                if link is not None and not link.tainted:
                    raise Stall(f"{device.device_id} is not idle on an intact connection: "
                                f"phase {link.protocol.phase}, pending {device.replica.pending_count()}")
                reconnected.append(device.device_id)
                self.connect(device)
        self.drain()
        for device in self.devices:
            link = device.link
            assert link is not None and link.protocol.idle, f"{device.device_id} not idle after a fresh connection"
        return reconnected

    # -- views ----------------------------------------------------------------------

    def server_rows(self, scope: str, collection: str, schema: Schema | None = None) -> dict[Any, dict[str, Any]]:
        """The server's live rows of one collection in one scope, as ``Replica.rows``
        shows them (of a replica on ``schema``: its fields only)."""
        coll = (schema or self.schema)[collection]
        out = {}
        for row in self.store.scan_scope([scope]):
            if row.collection == collection:
                out[row.row_id] = _stored_row(coll.field_names, coll.primary_key, row)
        return out

    def server_meta(self, scope: str, collection: str) -> dict[Any, tuple[int, int]]:
        """The server's (version, insert_order) of each live row of one collection in one scope."""
        return {row.row_id: (row.version, row.insert_order) for row in self.store.scan_scope([scope])
                if row.collection == collection}


def _stored_row(names: tuple[str, ...], pk: str, row: RowChange) -> dict[str, Any]:
    return {n: (row.row_id if n == pk else row.fields.get(n)) for n in names}


class LocalRefusal(Exception):
    """Raised by a write body to give up (e.g. the row it wanted is gone)."""
