"""The model test: 2-5 devices and a server wired in memory (see ``wiring``),
driven by hypothesis through local writes of every kind, lost, repeated and
reordered frames, disconnections and restarts. At every quiescent point the
invariants of DESIGN.md are checked against the real rows:

1. convergence: each replica equals the server's live rows of its scope;
2. the server's rows equal the reference model (``model``), which ignores
   arrival order: so ``lww`` did not depend on it and increments are exact;
3. every committed local mutation got exactly one verdict (none lost, none
   applied twice), and each rejected one is in its device's conflicts table;
4. isolation: a device holds only rows of its own scope;
5. a device's ``insert_order`` only grows, across restarts and clocks set back
   (checked at every local write).

The run prints its seed; rerun one with ``OFFSYNC_SEED=<seed>``. Long profile:
``OFFSYNC_SLOW=1`` (or ``--slow``) with ``OFFSYNC_MODEL_EXAMPLES`` and
``OFFSYNC_MODEL_STEPS`` to size it (see docs/testing.md).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    rule,
    run_state_machine_as_test,
)

from shared.apps.notes import schema as notes_schema
from shared.evolution import History
from shared.messages import JSON, MSGPACK, Ack, Changes
from shared.schema import INSERT_ORDER_COLUMN, VERSION_COLUMN, Collection, Field, Schema
from sync_client.replica import BULK_ROWS, Replica
from sync_server.store.base import Store

from .model import by_collection, expected_rows
from .wiring import Device, Link, Network, sqlite_store

STATS = {"steps": 0, "examples": 0, "settles": 0, "burst_steps": 0, "by_reference": 0, "compacted": 0,
         "resyncs": 0}

NOTE_IDS = ["n0", "n1", "n2"]
COUNTER_IDS = ["c0", "c1"]
JOURNAL_IDS = ["j0", "j1"]
TITLES = ["a", "b", "c", "d"]

note_fields = st.fixed_dictionaries({}, optional={
    "title": st.sampled_from(TITLES),
    "body": st.sampled_from(["", "x", "y"]),
    "pinned": st.booleans(),
    "tags": st.sampled_from([[], ["t"], ["t", "u"]]),
})
local_op = st.one_of(
    st.tuples(st.just("notes"), st.sampled_from(["insert", "update", "delete"]), st.sampled_from(NOTE_IDS), note_fields),
    st.tuples(st.just("counters"), st.sampled_from(["insert", "increment", "increment", "delete"]),
              st.sampled_from(COUNTER_IDS), st.integers(-3, 5).filter(bool)),
    st.tuples(st.just("journal"), st.sampled_from(["insert", "update", "delete"]), st.sampled_from(JOURNAL_IDS),
              st.integers(0, 3)),
)
device_index = st.integers(0, 4)

#: devices on schema version 1 sync beside version-2 ones (docs/schema.md): version 1
#: lacks notes.tags, notes.pinned and the journal collection, which version 2 adds
OLD_SCHEMA = Schema(1, (Collection("notes", [Field("title", "text", required=True), Field("body", "text", default=""),
                                             Field("updatedAtMs", "timestamp")]),
                        notes_schema["counters"]))
HISTORY = History(OLD_SCHEMA, Schema(2, notes_schema.collections))


def apply_local_op(replica: Replica, op: tuple[str, str, Any, Any]) -> None:
    """One local write, skipped when it makes no sense on this replica now."""
    collection, kind, row_id, arg = op
    if collection not in replica.schema:
        return  # a device on an older schema version has no such collection
    if collection == "notes" and isinstance(arg, dict):
        arg = {k: v for k, v in arg.items() if k in replica.schema["notes"].fields}
    exists = replica.get(collection, row_id) is not None
    if (kind == "insert") == exists:
        return
    if collection == "notes":
        if kind == "insert":
            replica.insert("notes", {"id": row_id, "title": "new", **arg})
        elif kind == "update":
            if arg:
                replica.update("notes", row_id, arg)
        else:
            replica.delete("notes", row_id)
    elif collection == "counters":
        if kind == "insert":
            replica.insert("counters", {"id": row_id, "name": row_id})
        elif kind == "increment":
            replica.increment("counters", row_id, {"value": arg})
        else:
            replica.delete("counters", row_id)
    else:
        if kind == "insert":
            replica.insert("journal", {"id": row_id, "title": f"j{arg}", "mood": arg})
        elif kind == "update":
            replica.update("journal", row_id, {"mood": arg} if arg % 2 else {"title": f"t{arg}"})
        else:
            replica.delete("journal", row_id)


def apply_local_ops(replica: Replica, ops: list[tuple[str, str, Any, Any]]) -> None:
    for op in ops:
        apply_local_op(replica, op)


class SyncModel(RuleBasedStateMachine):
    """Devices, a server and a network under hypothesis' control."""

    #: opens the server's store (run_model sets it: SQLite, or PostgreSQL)
    open_store: Callable[[str], Store] = staticmethod(sqlite_store)

    def __init__(self) -> None:
        super().__init__()
        self.net: Network | None = None
        self.fillers: dict[str, int] = {}  # filler rows each device's batches made so far
        STATS["examples"] += 1

    @initialize(count=st.integers(2, 5), codecs=st.lists(st.booleans(), min_size=5, max_size=5),
                skews=st.lists(st.integers(-3_600_000_000, 3_600_000_000), min_size=5, max_size=5),
                second_user=st.booleans(), old=st.lists(st.booleans(), min_size=5, max_size=5))
    def start(self, count: int, codecs: list[bool], skews: list[int], second_user: bool, old: list[bool]) -> None:
        # with second_user the third device belongs to bob: isolation is checked against it
        users = ["bob" if (second_user and i == 2) else "alice" for i in range(count)]
        self.net = Network(HISTORY, users, codecs=[JSON if c else MSGPACK for c in codecs[:count]],
                           skews_us=skews[:count], versions=[1 if o else 2 for o in old[:count]],
                           open_store=SyncModel.open_store)

    def device(self, index: int) -> Device:
        assert self.net is not None
        return self.net.devices[index % len(self.net.devices)]

    def link(self, index: int) -> Any:
        return self.device(index).link

    def step(self) -> Network:
        STATS["steps"] += 1
        assert self.net is not None
        return self.net

    # -- local writes -----------------------------------------------------------

    @rule(index=device_index, ops=st.lists(local_op, min_size=1, max_size=4), advance=st.integers(0, 50_000))
    def write(self, index: int, ops: list[tuple[str, str, Any, Any]], advance: int) -> None:
        net = self.step()
        net.tick(advance)
        device = self.device(index)

        net.write(device, lambda replica: apply_local_ops(replica, ops))

    @rule(index=device_index, fields=note_fields, advance=st.integers(0, 50_000))
    def write_batch(self, index: int, fields: dict[str, Any], advance: int) -> None:
        """A batch of notes in one ``insert_many``, queued by reference
        (``shared.tables``): the missing ones of NOTE_IDS, so that later
        writes and other devices' rows meet them, and fillers up to BULK_ROWS."""
        net = self.step()
        net.tick(advance)
        device = self.device(index)

        def body(replica: Replica) -> None:
            queued = replica.connection.execute("SELECT coalesce(max(id), 0) FROM sync_queue").fetchall()[0][0]
            missing = [i for i in NOTE_IDS if replica.get("notes", i) is None]
            first = self.fillers.get(device.device_id, 0)
            self.fillers[device.device_id] = first + BULK_ROWS
            fillers = [f"{device.device_id}-f{first + k}" for k in range(BULK_ROWS - len(missing))]
            known = {k: v for k, v in fields.items() if k in replica.schema["notes"].fields}
            replica.insert_many("notes", [{"id": i, "title": "batch", **known} for i in missing]
                                + [{"id": i, "title": "filler"} for i in fillers])
            STATS["by_reference"] += replica.connection.execute(
                "SELECT coalesce(sum(count), 0) FROM sync_bulk WHERE first_id > ?", (queued,)).fetchall()[0][0]

        net.write(device, body)

    @rule(index=device_index, back=st.integers(1, 10_000_000))
    def clock_jumps_back(self, index: int, back: int) -> None:
        """The device's wall clock is set back (NTP, a user): insert_order must stay monotonic."""
        self.step()
        self.device(index).clock.now -= back

    # -- connections ---------------------------------------------------------------

    @rule(index=device_index)
    def go_online(self, index: int) -> None:
        net = self.step()
        device = self.device(index)
        if device.link is None:
            net.connect(device)

    @rule(index=device_index)
    def go_offline(self, index: int) -> None:
        self.step().cut(self.device(index))

    @rule()
    def restart_server(self) -> None:
        self.step().restart_server()

    @rule(share=st.sampled_from([0.5, 1.0]))
    def compact_tombstones(self, share: float) -> None:
        """The server compacts its tombstones up to a share of its head: devices
        whose cursor is below that re-sync fully on their next pull."""
        compact(self.step(), share)

    @rule(index=device_index)
    def restart_device(self, index: int) -> None:
        self.step().restart_device(self.device(index))

    # -- frames ----------------------------------------------------------------------

    @rule(index=device_index, position=st.integers(0, 5))
    def deliver_to_server(self, index: int, position: int) -> None:
        """Deliver the oldest frame, or (position > 0) a later one first: reordering."""
        net = self.step()
        link = self.link(index)
        if link is not None and link.up:
            net.deliver_up(link, min(position, len(link.up) - 1))

    @rule(index=device_index)
    def deliver_to_device(self, index: int) -> None:
        net = self.step()
        link = self.link(index)
        if link is not None and link.down:
            net.deliver_down(link)

    @rule(index=device_index, position=st.integers(0, 5))
    def drop_to_server(self, index: int, position: int) -> None:
        self.step()
        link = self.link(index)
        if link is not None and link.up:
            link.up.pop(min(position, len(link.up) - 1))
            link.tainted = True

    @rule(index=device_index, position=st.integers(0, 5), later=st.integers(0, 5))
    def duplicate_to_server(self, index: int, position: int, later: int) -> None:
        self.step()
        link = self.link(index)
        if link is not None and link.up:
            frame = link.up[min(position, len(link.up) - 1)]
            link.up.insert(min(position + later + 1, len(link.up)), frame)

    @rule(index=device_index)
    def duplicate_to_device(self, index: int) -> None:
        self.step()
        link = self.link(index)
        if link is not None:
            duplicate_down(link)

    @rule(index=device_index)
    def swap_to_device(self, index: int) -> None:
        self.step()
        link = self.link(index)
        if link is not None:
            swap_down(link)

    # -- the server's tasks -----------------------------------------------------------

    @rule(count=st.integers(1, 4))
    def commit(self, count: int) -> None:
        net = self.step()
        if net.writer and not net.announcements:
            net.commit(count)

    @rule()
    def announce(self) -> None:
        net = self.step()
        if net.announcements:
            net.announce()

    @rule(index=device_index)
    def pull_page(self, index: int) -> None:
        net = self.step()
        link = self.link(index)
        if link is not None and link.pulls:
            net.pull_page(link)

    @rule(rng=st.randoms(use_true_random=False), steps=st.integers(1, 200))
    def run_in_random_order(self, rng: random.Random, steps: int) -> None:
        """Up to ``steps`` server tasks and deliveries, each picked at random
        among those possible: the interleavings the real server's writer, pull
        readers and sockets produce."""
        net = self.step()
        for _ in range(steps):
            if not net.random_step(rng):
                return

    @rule(rng=st.randoms(use_true_random=False), steps=st.integers(1, 300), fault_rate=st.sampled_from([0.02, 0.1, 0.3]))
    def chaos_burst(self, rng: random.Random, steps: int, fault_rate: float) -> None:
        """A burst of everything at once, picked by a seeded random: local
        writes, deliveries and server tasks in random order, and faults (lost,
        repeated and swapped frames, cuts, reconnects, device and server
        restarts). Dense where single rules are sparse; shrinks to fewer steps."""
        net = self.step()
        STATS["burst_steps"] += chaos_burst(net, rng, steps, fault_rate)

    # -- quiescence ------------------------------------------------------------------------

    @rule()
    def settle_and_check(self) -> None:
        self.step()
        self.check_quiet()

    def check_quiet(self) -> None:
        net = self.net
        assert net is not None
        STATS["settles"] += 1
        net.settle()
        check_invariants(net)

    def teardown(self) -> None:
        if self.net is None:
            return
        try:
            self.check_quiet()
        finally:
            STATS["resyncs"] += self.net.resyncs
            self.net.close()


def chaos_burst(net: Network, rng: random.Random, steps: int, fault_rate: float) -> int:
    """Run up to ``steps`` random actions on ``net``; returns how many ran."""
    for done in range(steps):
        roll = rng.random()
        if roll < fault_rate:
            inject_fault(net, rng)
        elif roll < fault_rate + 0.15:
            device = rng.choice(net.devices)
            ops = [rng.choice([
                ("notes", rng.choice(["insert", "update", "update", "delete"]), rng.choice(NOTE_IDS),
                 rng.choice([{}, {"title": rng.choice(TITLES)}, {"body": "z", "pinned": True}])),
                ("counters", rng.choice(["insert", "increment", "increment", "increment", "delete"]),
                 rng.choice(COUNTER_IDS), rng.choice([-2, 1, 3])),
                ("journal", rng.choice(["insert", "update", "update", "delete"]), rng.choice(JOURNAL_IDS),
                 rng.randint(0, 3)),
            ]) for _ in range(rng.randint(1, 3))]
            net.tick(rng.randint(0, 20_000))
            net.write(device, lambda replica, ops=ops: apply_local_ops(replica, ops))
        elif not net.random_step(rng):
            offline = [d for d in net.devices if d.link is None]
            if not offline:
                return done
            net.connect(rng.choice(offline))
    return steps


def inject_fault(net: Network, rng: random.Random) -> None:
    """One fault, picked at random (see the single rules of the same names)."""
    device = rng.choice(net.devices)
    link = device.link
    kind = rng.choice(["dup_up", "dup_up", "drop_up", "reorder_up", "dup_down", "swap_down", "cut", "connect",
                       "restart_device", "restart_server", "clock_back", "compact"])
    if kind == "restart_server" and rng.random() < 0.5:
        net.restart_server()
    elif kind == "compact":
        compact(net, rng.choice([0.5, 1.0]))
    elif kind == "restart_device":
        net.restart_device(device)
    elif kind == "clock_back":
        device.clock.now -= rng.randint(1, 5_000_000)
    elif kind == "cut":
        net.cut(device)
    elif kind == "connect" or link is None:
        if link is None:
            net.connect(device)
    elif kind in ("dup_up", "drop_up", "reorder_up") and link.up:
        i = rng.randrange(len(link.up))
        if kind == "dup_up":
            link.up.insert(rng.randint(i + 1, len(link.up)), link.up[i])
        elif kind == "drop_up":
            link.up.pop(i)
            link.tainted = True
        else:
            link.up.insert(rng.randint(0, len(link.up) - 1), link.up.pop(i))
    elif kind == "dup_down":
        duplicate_down(link)
    elif kind == "swap_down":
        swap_down(link)


def compact(net: Network, share: float) -> None:
    STATS["compacted"] += net.compact(int(net.store.head() * share))


def duplicate_down(link: Link) -> None:
    """An Ack or a Changes arrives twice in a row: applying one must be idempotent.
    (A duplicate Welcome cannot happen and the client rightly refuses it.)"""
    if link.down and isinstance(link.codec.decode(link.down[0]), (Ack, Changes)):
        link.down.insert(1, link.down[0])


def swap_down(link: Link) -> None:
    """An Ack and a Changes trade places (the writer and a pull reader race)."""
    if len(link.down) < 2:
        return
    first, second = (link.codec.decode(f) for f in link.down[:2])
    if isinstance(first, Changes) and isinstance(second, Changes):
        return  # one connection is FIFO: pages and live batches keep their order
    link.down[0], link.down[1] = link.down[1], link.down[0]


def check_invariants(net: Network) -> None:
    """The invariants of DESIGN.md on a quiet network (see the module docstring)."""
    missing = [key for key in net.mutations if key not in net.verdicts]
    assert not missing, f"committed local mutations the server never decided: {missing}"
    scopes = {d.device_id: d.scope for d in net.devices}
    decided = [(key, ops) for key, ops in sorted(net.mutations.items()) if net.verdicts[key].status != "rejected"]
    accepted = [(dev, scopes[dev], ops) for (dev, _), ops in decided]
    model = expected_rows(net.schema, accepted, net.forgotten, [net.epochs[key] for key, _ in decided])
    for device in net.devices:
        replica = device.replica
        assert replica.pending_count() == 0, f"{device.device_id}: writes still queued"
        recorded = {c.client_seq for c in replica.conflicts()}
        for (dev, seq), verdict in net.verdicts.items():
            if dev == device.device_id and verdict.status == "rejected":
                assert seq in recorded, f"{dev}: rejected mutation {seq} was not handed back ({verdict.reason})"
        for coll in net.schema:
            server = net.server_rows(device.scope, coll.name)
            assert server == by_collection(model, device.scope, coll.name), (
                f"server {coll.name} in {device.scope} differs from the reference model")
            if coll.name not in replica.schema:
                continue  # an older schema version: never sent (sync_server.evolution)
            # a device on an older version holds the fields it declares
            seen = server if replica.schema is net.schema else net.server_rows(device.scope, coll.name, replica.schema)
            assert replica.rows(coll.name) == seen, f"{device.device_id}: {coll.name} differs from the server"
            if replica.schema is net.schema:
                # the server's version and insertOrder of each row, whether its echo came
                # or its Ack told them (protocol 3): later base_versions are made from them
                assert row_meta(replica, coll) == net.server_meta(device.scope, coll.name), (
                    f"{device.device_id}: {coll.name} versions differ from the server's")
    check_rejections_justified(net)


def row_meta(replica: Replica, coll: Collection) -> dict[Any, tuple[int, int]]:
    """Each row's (``_version``, ``insertOrder``) on a device."""
    found = replica.connection.execute(
        f'SELECT "{coll.primary_key}", "{VERSION_COLUMN}", "{INSERT_ORDER_COLUMN}" FROM "{coll.name}"').fetchall()
    return {row_id: (version, insert_order) for row_id, version, insert_order in found}


def check_rejections_justified(net: Network) -> None:
    """A write rejected as concurrent conflicts with another device's write, never with its own device's."""
    touched: dict[tuple[str, Any], set[str]] = {}
    for (dev, seq), ops in net.mutations.items():
        if net.verdicts[(dev, seq)].status != "rejected":
            for op in ops:
                touched.setdefault((op.collection, op.row_id), set()).add(dev)
    scopes = {d.device_id: d.scope for d in net.devices}
    for (dev, seq), verdict in net.verdicts.items():
        # "exists" and "deleted" may be the device's own doing (a reject-policy id
        # is never reused, even after a delete); "concurrent" never is
        if verdict.status != "rejected" or verdict.reason != "concurrent":
            continue
        ops = net.mutations[(dev, seq)]
        others = {d for op in ops for d in touched.get((op.collection, op.row_id), set())
                  if d != dev and scopes[d] == scopes[dev]}
        assert others, f"{dev} mutation {seq} rejected ({verdict.reason}) with no other device's write to blame"


def _profile() -> tuple[int, int]:
    if os.environ.get("OFFSYNC_SLOW") == "1" or os.environ.get("OFFSYNC_MODEL_LONG") == "1":
        return int(os.environ.get("OFFSYNC_MODEL_EXAMPLES", "2000")), int(os.environ.get("OFFSYNC_MODEL_STEPS", "100"))
    return int(os.environ.get("OFFSYNC_MODEL_EXAMPLES", "150")), int(os.environ.get("OFFSYNC_MODEL_STEPS", "50"))


def run_model(examples: int, steps: int, open_store: Callable[[str], Store] = sqlite_store) -> None:
    chosen = int(os.environ.get("OFFSYNC_SEED") or random.randrange(2**32))
    print(f"\nmodel seed {chosen} (rerun: OFFSYNC_SEED={chosen}); {examples} examples x up to {steps} steps")
    SyncModel.open_store = staticmethod(open_store)  # type: ignore[assignment]
    STATS.update(steps=0, examples=0, settles=0, burst_steps=0, by_reference=0, compacted=0, resyncs=0)
    started = time.monotonic()
    machine = seed(chosen)(SyncModel)
    try:
        run_state_machine_as_test(machine, settings=settings(
            max_examples=examples, stateful_step_count=steps, deadline=None, database=None, print_blob=True,
            report_multiple_bugs=False,
            suppress_health_check=list(HealthCheck)))
    finally:
        SyncModel.open_store = staticmethod(sqlite_store)  # type: ignore[assignment]
        print(f"model run: {STATS['examples']} schedules, {STATS['steps']} steps (rules; plus "
              f"{STATS['burst_steps']} actions inside chaos bursts), {STATS['settles']} quiescent checks, "
              f"{STATS['by_reference']} insert entries queued by reference, "
              f"{STATS['compacted']} tombstones compacted, {STATS['resyncs']} full re-syncs "
              f"in {time.monotonic() - started:.1f}s (seed {chosen})")


def test_model_short() -> None:
    examples, steps = _profile()
    run_model(min(examples, 150), min(steps, 50))


@pytest.mark.slow
def test_model_long() -> None:
    examples, steps = _profile()
    run_model(examples, steps)


NO_FSYNC_WAIT = "options=-c%20synchronous_commit%3Doff"


def postgres_store(dsn: str) -> Callable[[str], Store]:
    """Opens a :class:`PostgresStore` on ``dsn``, emptied for each new network
    (a network's path is new per schedule; a server restart reopens the same)."""
    import psycopg

    from sync_server.store.postgres import PostgresStore

    last: list[str] = []

    def open_store(path: str) -> Store:
        store = PostgresStore(dsn)
        if last != [path]:
            last[:] = [path]
            with psycopg.connect(dsn, autocommit=True) as c:
                c.execute("TRUNCATE offsync_rows, offsync_devices, offsync_rejections, offsync_conflicts, "
                          "offsync_unique_keys, offsync_seq_marks, offsync_row_ids")
                c.execute("UPDATE offsync_horizon SET horizon = 0")
                c.execute("SELECT setval('offsync_seq', 1, false)")
        return store

    return open_store


@pytest.mark.postgres
def test_model_short_on_postgres() -> None:
    """The same schedules on the PostgreSQL store (fewer: a store costs connections)."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[postgres]')")
    from ..integration.postgres_db import fresh_database

    examples, steps = _profile()
    with fresh_database() as url:
        # the model's server crashes are its own, not the database's: no wait for fsync
        run_model(min(examples, 15), min(steps, 30), open_store=postgres_store(f"{url}?{NO_FSYNC_WAIT}"))


@pytest.mark.slow
@pytest.mark.postgres
def test_model_long_on_postgres() -> None:
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[postgres]')")
    from ..integration.postgres_db import fresh_database

    examples, steps = _profile()
    with fresh_database() as url:
        run_model(examples // 4, steps, open_store=postgres_store(f"{url}?{NO_FSYNC_WAIT}"))


# -- shrunk failures, kept as regression tests ---------------------------------------------


@contextmanager
def _network(count: int = 2) -> Iterator[Network]:
    net = Network(notes_schema, ["alice"] * count)
    try:
        yield net
    finally:
        net.close()


def _connect_and_push(net: Network, device: Device) -> Link:
    """Connect ``device`` and deliver its Hello, the Welcome, then its Pull and
    Push: the server has the push but has not committed it."""
    link = net.connect(device)
    net.deliver_up(link)  # Hello
    net.deliver_down(link)  # Welcome: Pull and Push go out
    net.deliver_up(link)
    net.deliver_up(link)
    return link


def _same_journal_row_inserted_on_both(net: Network) -> tuple[Device, Device]:
    """Both devices insert journal row j0 offline; dev0 syncs first, so dev1's
    insert is the one the server will reject."""
    dev0, dev1 = net.devices
    net.write(dev0, lambda r: r.insert("journal", {"id": "j0", "title": "a"}))
    net.write(dev1, lambda r: r.insert("journal", {"id": "j0", "title": "b"}))
    net.connect(dev0)
    net.drain()
    return dev0, dev1


def test_a_journal_insert_and_update_in_one_transaction_is_not_a_conflict() -> None:
    # found by the model: a device's own earlier write counted as concurrent
    # (reject policy), so its second edit of a row was refused
    with _network() as net:
        dev = net.devices[0]
        net.write(dev, lambda r: (r.insert("journal", {"id": "j0", "title": "a"}), r.update("journal", "j0", {"mood": 1})))
        net.write(dev, lambda r: r.update("journal", "j0", {"title": "b"}))
        net.settle()
        assert {v.status for v in net.verdicts.values()} == {"applied"}
        check_invariants(net)


def test_a_rejected_mutation_rolls_back_every_row_it_wrote() -> None:
    # found by the model: the rejection handed back only the rows up to the
    # refused operation, so the note inserted in the same transaction stayed
    # on the device and never reached the server
    with _network() as net:
        dev0, dev1 = net.devices
        net.write(dev1, lambda r: (r.insert("journal", {"id": "j1", "title": "b"}), r.insert("notes", {"id": "n0", "title": "x"})))
        net.write(dev0, lambda r: r.insert("journal", {"id": "j1", "title": "a"}))
        net.settle()
        assert net.verdicts[("dev1", 1)].status == "rejected"
        assert "n0" not in dev1.replica.rows("notes")
        check_invariants(net)


def test_a_rejection_overtaken_by_a_pull_page_is_still_handed_back() -> None:
    # a pull page read after the commit carries applied=<seq> and reaches the
    # device before the Ack: the queue entry must wait for the Ack's verdict
    with _network() as net:
        _, dev1 = _same_journal_row_inserted_on_both(net)
        link = _connect_and_push(net, dev1)
        net.commit(1)  # the push is refused and that is durable
        net.pull_page(link)  # the page sees applied=1 before the writer acks
        net.announce()
        net.deliver_down(link)
        net.deliver_down(link)
        assert [c.client_seq for c in dev1.replica.conflicts()] == [1]
        net.settle()
        check_invariants(net)


def test_a_rejection_whose_ack_is_lost_is_handed_back_after_reconnecting() -> None:
    with _network() as net:
        _, dev1 = _same_journal_row_inserted_on_both(net)
        link = _connect_and_push(net, dev1)
        net.commit(1)
        net.pull_page(link)
        net.deliver_down(link)  # the page arrives; the Ack never does
        net.cut(dev1)
        net.settle()
        assert [c.client_seq for c in dev1.replica.conflicts()] == [1]
        check_invariants(net)


def test_insert_order_does_not_go_back_after_a_crash_and_a_clock_set_back() -> None:
    # found by the model: an Ack removed the queue entries that held the latest
    # insert_order and the clock was not stored, so after a crash a wall clock
    # set back gave the device's next write an older insert_order than its last
    with _network(1) as net:
        dev = net.devices[0]
        net.write(dev, lambda r: r.insert("notes", {"id": "n0", "title": "first"}))
        link = _connect_and_push(net, dev)
        net.commit(1)
        net.announce()
        net.deliver_down(link)  # the Ack; no Changes has been applied (they store the clock)
        assert dev.replica.pending_count() == 0
        net.restart_device(dev)
        dev.clock.now -= 5_000_000
        net.write(dev, lambda r: r.update("notes", "n0", {"title": "second"}))  # asserts insert_order grows
        net.settle()
        check_invariants(net)
        assert net.server_rows(dev.scope, "notes")["n0"]["title"] == "second"


def test_rows_handed_back_in_an_ack_do_not_undo_a_later_page_of_the_same_batch() -> None:
    # found by the model: a merged result carried the row as it stood after its
    # own mutation; a later mutation of the same batch deleted it, the device
    # applied a pull page of the whole batch first, then the Ack revived the row
    with _network() as net:
        dev0, dev1 = net.devices
        net.write(dev0, lambda r: r.insert("notes", {"id": "n0", "title": "a"}))
        net.connect(dev0)
        net.drain()
        net.write(dev1, lambda r: r.insert("notes", {"id": "n0", "title": "b"}))  # merges into dev0's row
        net.write(dev1, lambda r: r.delete("notes", "n0"))
        link = _connect_and_push(net, dev1)
        net.commit(len(net.writer))  # one batch: the insert merges, the delete applies
        while link.pulls:
            net.pull_page(link)  # a page of the whole batch, read before the writer acks
        net.announce()
        while link.down:
            net.deliver_down(link)
        assert "n0" not in dev1.replica.rows("notes")
        net.settle()
        check_invariants(net)


def test_a_write_that_lost_is_corrected_when_its_ack_is_lost() -> None:
    # found by the model: dev1's insert lost to dev0's (lww), so no row changed
    # and no Changes followed; its Ack (with the server's rows) was lost in a
    # server restart, and the resend's "duplicate" carried no rows, so dev1
    # kept its own version for good
    with _network() as net:
        dev0, dev1 = net.devices
        net.write(dev1, lambda r: r.insert("notes", {"id": "n1", "title": "mine"}))
        net.tick(1_000)
        net.write(dev0, lambda r: r.insert("notes", {"id": "n1", "title": "theirs", "body": "z"}))
        net.connect(dev0)
        net.drain()
        link = _connect_and_push(net, dev1)
        net.pull_page(link)  # dev1 is caught up before its push is applied...
        net.deliver_down(link)
        net.commit(1)  # ...then its insert loses: merged, no row changes
        assert net.verdicts[("dev1", 1)].status == "merged"
        net.restart_server()  # the Ack is lost
        net.settle()
        assert dev1.replica.rows("notes")["n1"]["title"] == "theirs"
        check_invariants(net)


def test_a_device_that_pushed_before_it_ever_pulled_resyncs_past_the_horizon() -> None:
    # found by the model: a device at cursor 0 counted as a new one and simply
    # bootstrapped, so a row it had pushed (its Ack came, no page yet), deleted
    # by another device and then compacted, stayed on it for good
    with _network() as net:
        dev0, dev1 = net.devices
        net.write(dev0, lambda r: r.insert("notes", {"id": "n0", "title": "mine"}))
        link = _connect_and_push(net, dev0)  # its pull is read later, if ever
        net.commit(1)
        net.announce()
        while link.down:
            net.deliver_down(link)  # the Ack: n0 leaves the queue
        assert dev0.replica.cursor == 0 and dev0.replica.pending_count() == 0
        net.cut(dev0)
        net.connect(dev1)
        net.drain()
        net.write(dev1, lambda r: r.delete("notes", "n0"))
        net.drain()
        assert net.compact(net.store.head()) == 1
        net.settle()
        assert "n0" not in dev0.replica.rows("notes") and net.resyncs == 1
        check_invariants(net)


def test_a_write_acked_just_before_a_resync_begins_never_disappears() -> None:
    # the writer and a pull reader race: the re-sync's only page is read before
    # the device's push commits, but its Ack arrives first. The page lacks the
    # row and the Ack took its queue entry: the end of the re-sync must wait
    # until the device has seen that commit, or it deletes the row (which came
    # back only with the live batch after it)
    with _network() as net:
        dev0, dev1 = net.devices
        net.write(dev0, lambda r: r.insert("notes", {"id": "n0", "title": "gone"}))
        net.settle()
        net.cut(dev0)
        net.write(dev1, lambda r: r.delete("notes", "n0"))
        net.drain()
        assert net.compact(net.store.head()) == 1  # dev0's cursor is now below the horizon
        net.write(dev0, lambda r: r.insert("notes", {"id": "n1", "title": "mine"}))
        link = _connect_and_push(net, dev0)
        net.pull_page(link)  # read before the push commits: no n1 in it
        net.commit(1)
        net.announce()
        first, second = (link.codec.decode(f) for f in link.down[:2])
        assert isinstance(first, Changes) and first.resync_begins and not first.more and isinstance(second, Ack)
        swap_down(link)  # the Ack first
        seen: list[set[str]] = []
        while link.down:
            net.deliver_down(link)
            seen.append(set(dev0.replica.rows("notes")))
        assert all("n1" in rows for rows in seen), seen
        assert "n0" not in seen[-1]
        net.settle()
        assert not dev0.replica.resyncing
        check_invariants(net)


def test_an_insert_replayed_on_a_compacted_tombstone_ends_as_the_server_made_it() -> None:
    # found by the model with no echo (protocol 3): a page brought the tombstone of
    # the device's own deleted row while its new insert of the same id was pending;
    # replayed on it, the insert took the tombstone's version and insertOrder.
    # Compaction then removed the tombstone, so the server made the row anew from
    # the insert (version 1, the insert's insertOrder) and its Ack vouched for the
    # device's copy: no echo came, and the device kept the tombstone's meta
    with _network(1) as net:
        dev = net.devices[0]
        net.write(dev, lambda r: r.insert("journal", {"id": "j0", "title": "first"}))
        net.settle()
        first = row_meta(dev.replica, net.schema["journal"])["j0"]
        net.write(dev, lambda r: r.delete("journal", "j0"))
        assert dev.link is not None
        link = dev.link
        net.deliver_up(link)
        net.commit(1)
        net.announce()
        net.deliver_down(link)  # the Ack; the live batch of the tombstone is lost with the link
        net.cut(dev)
        net.write(dev, lambda r: r.insert("journal", {"id": "j0", "title": "again"}))
        link = _connect_and_push(net, dev)
        net.pull_page(link)  # the tombstone, read before the insert commits
        assert net.compact(net.store.head()) == 1
        net.deliver_down(link)
        assert row_meta(dev.replica, net.schema["journal"]) == {"j0": (2, first[1])}  # the tombstone's
        net.commit(1)
        assert net.verdicts[(dev.device_id, 3)].status == "applied"
        net.announce()
        while link.down:
            net.deliver_down(link)
        assert row_meta(dev.replica, net.schema["journal"]) == net.server_meta(dev.scope, "journal")
        net.settle()
        check_invariants(net)
