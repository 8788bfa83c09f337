"""Where conflicts are decided: the pure merge rules.

The server keeps, for every row, its fields and a *stamp* per field: the
``(insert_order, client_id)`` of the write that set it, and the row version it
was set at. Existence (alive or deleted) is one more register, under the key
:data:`ALIVE`.

Detection uses versions: an operation made from ``base_version`` is
*concurrent* with a change if it touches a field set at a later version.

Resolution is the collection's policy:

========== =============================================================
lww        every field is a last-writer-wins register ordered by
           ``(insert_order, client_id)``; untouched fields merge. The
           result is a function of the *set* of operations, so any arrival
           order gives the same row. A delete wins over a concurrent update
           (the update still lands in the tombstone) unless a later insert
           of the same id revives the row.
reject     first writer wins: a concurrent update or delete, or an insert
           of an id that exists, is refused and handed back.
append_only inserts only; inserting an id that exists is a no-op.
custom     a server function ``(current row or None, operation)`` returns
           the new fields (None deletes) or raises :class:`Rejected`.
========== =============================================================

``increment`` adds its deltas to counter fields under every policy; additions
commute, so totals are exact whatever the order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal, NamedTuple

from msgspec import Struct

from .messages import Operation, RowChange
from .schema import Collection

#: the stamp key of the existence register
ALIVE = ""

OpStatus = Literal["applied", "merged", "rejected"]


class Stamp(Struct, array_like=True, frozen=True):
    """Who set a register, when (``insert_order``), and at which row version."""

    insert_order: int
    client_id: str
    version: int

    def beats(self, other: Stamp | None) -> bool:
        """True if this write wins over ``other`` under last-writer-wins."""
        if other is None:
            return True
        return (self.insert_order, self.client_id) > (other.insert_order, other.client_id)


class RowState(Struct, kw_only=True, gc=False):
    """The server's current state of one row (a tombstone when ``deleted``).
    Plain data, never in a cycle: not tracked by the cyclic collector."""

    collection: str
    row_id: str | int
    scope: str
    version: int
    insert_order: int
    deleted: bool = False
    fields: dict[str, Any] = {}
    stamps: dict[str, Stamp] = {}

    def to_change(self, seq: int) -> RowChange:
        """This state as a wire row at sequence number ``seq``."""
        return RowChange(
            collection=self.collection,
            row_id=self.row_id,
            scope=self.scope,
            version=self.version,
            seq=seq,
            insert_order=self.insert_order,
            deleted=self.deleted,
            fields={} if self.deleted else self.fields,
        )


class Conflict(Struct, kw_only=True):
    """A record of one concurrent operation and how it was resolved."""

    collection: str
    row_id: str | int
    scope: str
    client_id: str
    kind: str
    policy: str
    base_version: int
    server_version: int
    resolution: str
    fields: dict[str, Any] = {}
    lost: list[str] = []


class Rejected(Exception):
    """Raised by a custom resolver to refuse an operation."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Resolver = Callable[[RowState | None, Operation], "dict[str, Any] | None"]


class Outcome(NamedTuple):
    """What an operation did: its status, the new row state (None if the row
    did not change), a conflict record if it was concurrent, and a reason."""

    status: OpStatus
    state: RowState | None
    conflict: Conflict | None = None
    reason: str = ""


def apply_operation(
    collection: Collection,
    current: RowState | None,
    op: Operation,
    client_id: str,
    resolver: Resolver | None = None,
) -> Outcome:
    """Decide what ``op`` from ``client_id`` does to ``current``.

    ``op.fields`` must already be validated against ``collection``
    (stored values, counters only in increments). Never mutates ``current``.
    """
    if op.kind == "increment":
        return _increment(current, op, client_id)
    if collection.policy == "custom":
        assert resolver is not None, "custom policy needs a resolver"
        return _custom(collection, current, op, client_id, resolver)
    if current is None:
        if op.kind != "insert":
            return Outcome("rejected", None, None, "not_found")
        return Outcome("applied", _created(collection, op, client_id))
    if collection.policy == "append_only":
        return Outcome("merged", None, None, "duplicate")
    if collection.policy == "reject":
        return _first_writer_wins(collection, current, op, client_id)
    return _last_writer_wins(collection, current, op, client_id)


def _created(collection: Collection, op: Operation, client_id: str) -> RowState:
    fields = {**collection.defaults(), **op.fields}
    stamp = Stamp(op.insert_order, client_id, 1)
    # a default the insert did not send is no write of its: unstamped, any write
    # beats it. A device on an older schema version inserts without the fields
    # it does not know, and must not win them over a concurrent newer write
    # (that would depend on arrival order: docs/schema.md)
    stamps = dict.fromkeys(op.fields, stamp)
    stamps[ALIVE] = stamp
    return RowState(
        collection=op.collection,
        row_id=op.row_id,
        scope=op.scope,
        version=1,
        insert_order=op.insert_order,
        fields=fields,
        stamps=stamps,
    )


def _touched(op: Operation) -> list[str]:
    if op.kind in ("insert", "delete"):
        return [ALIVE, *op.fields]
    return list(op.fields)


def is_concurrent(current: RowState, op: Operation, client_id: str = "") -> bool:
    """True if a register ``op`` touches changed after ``op.base_version``,
    by another device than ``client_id``.

    A device's own earlier writes are not concurrent with its later ones: its
    operations reach the server in ``client_seq`` order, while their
    ``base_version`` stays at the last server row the device had seen.
    """
    if op.kind == "insert":
        return True  # the id exists already: someone else created it
    stamps = current.stamps
    base = op.base_version
    if base > current.version:
        # made from a version this row never had (an earlier life of the id, before
        # its tombstone was compacted, or a forged one): it saw none of the row's
        # writes, so it is concurrent with any of them made by another device
        return any(stamp.client_id != client_id for stamp in stamps.values())
    for name in _touched(op):
        stamp = stamps.get(name)
        if stamp is not None and stamp.version > base and stamp.client_id != client_id:
            return True
    alive = stamps[ALIVE]
    return current.deleted and alive.version > base and alive.client_id != client_id


def _conflict(current: RowState, op: Operation, client_id: str, policy: str, resolution: str,
              lost: list[str] | None = None) -> Conflict:
    return Conflict(
        collection=op.collection,
        row_id=op.row_id,
        scope=current.scope,
        client_id=client_id,
        kind=op.kind,
        policy=policy,
        base_version=op.base_version,
        server_version=current.version,
        resolution=resolution,
        fields=dict(op.fields),
        lost=lost or [],
    )


def _next(current: RowState, fields: dict[str, Any], stamps: dict[str, Stamp], deleted: bool) -> RowState:
    return RowState(
        collection=current.collection,
        row_id=current.row_id,
        scope=current.scope,
        version=current.version + 1,
        insert_order=current.insert_order,
        deleted=deleted,
        fields=fields,
        stamps=stamps,
    )


def _last_writer_wins(collection: Collection, current: RowState, op: Operation, client_id: str) -> Outcome:
    version = current.version + 1
    stamp = Stamp(op.insert_order, client_id, version)
    fields = dict(current.fields)
    stamps = dict(current.stamps)
    won: list[str] = []
    lost: list[str] = []
    writes: Mapping[str, Any] = op.fields
    if op.kind == "insert":
        # a counter keeps its running total: an insert only sets its start value
        writes = {k: v for k, v in op.fields.items() if k not in collection.counters}
    for name, value in writes.items():
        if stamp.beats(stamps.get(name)):
            fields[name] = value
            stamps[name] = stamp
            won.append(name)
        else:
            lost.append(name)
    deleted = current.deleted
    if op.kind in ("insert", "delete"):
        if stamp.beats(stamps.get(ALIVE)):
            deleted = op.kind == "delete"
            stamps[ALIVE] = stamp
            won.append(ALIVE)
        else:
            lost.append(ALIVE)
    concurrent = is_concurrent(current, op, client_id)
    conflict = _conflict(current, op, client_id, "lww", "merged" if won else "lost", lost) if concurrent else None
    if not won:
        return Outcome("merged", None, conflict, "lost")
    status: OpStatus = "merged" if concurrent or lost or (current.deleted and deleted) else "applied"
    return Outcome(status, _next(current, fields, stamps, deleted), conflict)


def _first_writer_wins(collection: Collection, current: RowState, op: Operation, client_id: str) -> Outcome:
    if current.deleted and op.kind != "insert":
        return Outcome("rejected", None, _conflict(current, op, client_id, "reject", "rejected"), "deleted")
    if is_concurrent(current, op, client_id):
        reason = "exists" if op.kind == "insert" else "concurrent"
        return Outcome("rejected", None, _conflict(current, op, client_id, "reject", "rejected"), reason)
    stamp = Stamp(op.insert_order, client_id, current.version + 1)
    fields = dict(current.fields)
    stamps = dict(current.stamps)
    for name, value in op.fields.items():
        fields[name] = value
        stamps[name] = stamp
    if op.kind == "delete":
        stamps[ALIVE] = stamp
    return Outcome("applied", _next(current, fields, stamps, op.kind == "delete"))


def _increment(current: RowState | None, op: Operation, client_id: str) -> Outcome:
    if current is None:
        return Outcome("rejected", None, None, "not_found")
    stamp = Stamp(op.insert_order, client_id, current.version + 1)
    fields = dict(current.fields)
    stamps = dict(current.stamps)
    for name, delta in op.fields.items():
        fields[name] = (fields.get(name) or 0) + delta
        previous = stamps.get(name)
        if stamp.beats(previous) or previous is None:
            stamps[name] = stamp
        else:
            # keep the register's lww order but record that it changed now
            stamps[name] = Stamp(previous.insert_order, previous.client_id, stamp.version)
    status: OpStatus = "merged" if current.deleted else "applied"
    return Outcome(status, _next(current, fields, stamps, current.deleted))


def _custom(collection: Collection, current: RowState | None, op: Operation, client_id: str,
            resolver: Resolver) -> Outcome:
    try:
        fields = resolver(current, op)
    except Rejected as exc:
        conflict = _conflict(current, op, client_id, "custom", "rejected") if current is not None else None
        return Outcome("rejected", None, conflict, exc.reason)
    if current is None:
        if fields is None:
            return Outcome("merged", None, None, "nothing")
        created = _created(collection, op, client_id)
        created.fields = dict(fields)
        created.stamps = dict.fromkeys([ALIVE, *fields], created.stamps[ALIVE])
        return Outcome("applied", created)
    stamp = Stamp(op.insert_order, client_id, current.version + 1)
    stamps = dict(current.stamps)
    new_fields = dict(current.fields) if fields is None else dict(fields)
    for name in new_fields:
        if new_fields.get(name) != current.fields.get(name):
            stamps[name] = stamp
    deleted = fields is None
    if deleted != current.deleted:
        stamps[ALIVE] = stamp
    concurrent = is_concurrent(current, op, client_id)
    conflict = _conflict(current, op, client_id, "custom", "resolved") if concurrent else None
    return Outcome("merged" if concurrent else "applied", _next(current, new_fields, stamps, deleted), conflict)


def replay(fields: dict[str, Any] | None, ops: list[tuple[str, dict[str, Any]]]) -> dict[str, Any] | None:
    """Replay local pending operations on top of a server row (the client's rebase).

    Args:
        fields: the server's row fields, or None if the row does not exist.
        ops: ``(kind, fields)`` of the pending operations, oldest first.

    Returns:
        The row the device should show, or None if it should not exist.
    """
    row = None if fields is None else dict(fields)
    for kind, values in ops:
        if kind == "insert":
            row = {**(row or {}), **values}
        elif kind == "delete":
            row = None
        elif row is None:
            continue  # an update of a row deleted meanwhile stays deleted (delete wins)
        elif kind == "update":
            row.update(values)
        else:  # increment
            for name, delta in values.items():
                row[name] = (row.get(name) or 0) + delta
    return row
