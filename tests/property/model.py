"""A simple reference model of the conflict rules, written from DESIGN.md and
the table in ``shared.merge``, not from the engine's code.

Input: every mutation the devices committed (their operations as captured)
and which of them the server accepted. Output: the rows the server must hold.
The model never looks at the order the server applied things in, so when its
``lww`` rows equal the server's, the server's result did not depend on
arrival order either.

* ``lww``: every field is a register won by the highest
  ``(insert_order, device id)`` among the accepted inserts and updates that
  wrote it; existence is a register won by the highest accepted insert or
  delete; a counter is the sum of every accepted increment (rows start at 0).
* ``reject``: one accepted insert creates the row; accepted updates were never
  concurrent, so for each field the last one in causal order
  ``(base_version, insert_order)`` holds; an accepted delete removes the row.
* compaction: once a row's tombstone is compacted the server has forgotten
  it, so only the operations accepted after that count (a row made anew).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.schema import Schema

from .wiring import CapturedOp

RowKey = tuple[str, str, Any]  # (scope, collection, row_id)


@dataclass
class _Row:
    registers: dict[str, tuple[tuple[int, ...], Any]] = field(default_factory=dict)
    alive: tuple[tuple[int, ...], bool] | None = None
    counters: dict[str, int | float] = field(default_factory=dict)
    inserts: int = 0
    deleted: bool = False

    def write(self, name: str, order: tuple[Any, ...], value: Any) -> None:
        held = self.registers.get(name)
        if held is None or order > held[0]:
            self.registers[name] = (order, value)


def expected_rows(schema: Schema, accepted: Iterable[tuple[str, str, list[CapturedOp]]],
                  forgotten: Mapping[RowKey, int] | None = None, epochs: Iterable[int] | None = None,
                  ) -> dict[RowKey, dict[str, Any]]:
    """The live rows the server must hold, by (scope, collection, row_id), in stored form.

    Args:
        accepted: ``(device id, scope, operations)`` of every accepted mutation.
        forgotten: rows whose tombstone was compacted, with how many compactions
            had run by then; ``epochs`` (beside ``accepted``) says how many had run
            when each mutation was accepted: a row ignores those accepted before
            it was forgotten.
    """
    rows: dict[RowKey, _Row] = {}
    forgotten = forgotten or {}
    for (device_id, scope, ops), epoch in zip(accepted, epochs if epochs is not None else _zeros(), strict=False):
        for op in ops:
            coll = schema[op.collection]
            key = (scope, op.collection, op.row_id)
            if epoch < forgotten.get(key, 0):
                continue
            row = rows.setdefault(key, _Row())
            if coll.policy == "reject":
                _reject_op(row, op)
            else:
                _lww_op(row, op, device_id, coll.counters)
    out = {}
    for key, row in rows.items():
        coll = schema[key[1]]
        fields = _live_fields(coll.policy, row)
        if fields is None:
            continue
        fields = {**coll.defaults(), **fields}
        out[key] = {n: (key[2] if n == coll.primary_key else fields.get(n)) for n in coll.field_names}
    return out


def _zeros() -> Iterable[int]:
    while True:
        yield 0


def _lww_op(row: _Row, op: CapturedOp, device_id: str, counters: frozenset[str]) -> None:
    order = (op.insert_order, device_id)
    if op.kind == "increment":
        for name, delta in op.fields.items():
            row.counters[name] = row.counters.get(name, 0) + delta
        return
    if op.kind in ("insert", "delete") and (row.alive is None or order > row.alive[0]):
        row.alive = (order, op.kind == "insert")
    if op.kind == "insert":
        row.inserts += 1
    for name, value in op.fields.items():
        if name in counters:
            assert op.kind != "insert" or not value, "the model needs counters inserted at 0"
            continue
        row.write(name, order, value)


def _reject_op(row: _Row, op: CapturedOp) -> None:
    if op.kind == "insert":
        row.inserts += 1
        assert row.inserts == 1, f"reject policy accepted two inserts of {op.row_id!r}"
        row.alive = ((0,), True)
        for name, value in op.fields.items():
            row.write(name, (-1, 0), value)
    elif op.kind == "delete":
        row.deleted = True
    else:
        for name, value in op.fields.items():
            row.write(name, (op.base_version, op.insert_order), value)


def _live_fields(policy: str, row: _Row) -> dict[str, Any] | None:
    if policy == "reject":
        if row.inserts == 0 or row.deleted:
            return None
    elif row.alive is None or not row.alive[1]:
        return None
    fields = {name: value for name, (_, value) in row.registers.items()}
    fields.update(row.counters)
    return fields


def by_collection(rows: Mapping[RowKey, dict[str, Any]], scope: str, collection: str) -> dict[Any, dict[str, Any]]:
    """The model's rows of one collection in one scope, by id (as ``Replica.rows``)."""
    return {key[2]: value for key, value in rows.items() if key[0] == scope and key[1] == collection}
