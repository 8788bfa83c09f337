"""Rows as positional arrays (protocol 3): :class:`~shared.messages.RowBlock`.

A page of 2,000 rows as maps repeats every field name 2,000 times, and a
device decoding it builds one dict per row only to take its values out again
in declaration order for its upsert. As arrays, the names travel once per
block and each decoded row is already the tuple the device's upsert binds
(``[row_id, *values, insert_order, version, scope]``, ``shared.tables.upsert_sql``).

Both sides import this: the server to build blocks for a device's schema
version, the device to turn blocks back into :class:`RowChange` where it
needs objects (listeners, rows with local writes pending).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .messages import Changes, RowBlock, RowChange
from .schema import Collection, Schema


def values_of(names: Sequence[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A function returning a row's values of ``names`` as a tuple (KeyError if one is missing)."""
    if len(names) > 1:
        return operator.itemgetter(*names)
    if names:
        name = names[0]
        return lambda fields: (fields[name],)
    return lambda fields: ()


def group_rows(rows: Iterable[RowChange], key: Callable[[RowChange], str]) -> dict[str, list[RowChange]]:
    """``rows`` split by ``key`` (a collection, a scope), each group in the
    order given, the groups in the order their keys first appear."""
    groups: dict[str, list[RowChange]] = {}
    for row in rows:
        k = key(row)
        found = groups.get(k)
        if found is None:
            groups[k] = [row]
        else:
            found.append(row)
    return groups


def to_blocks(rows: Iterable[RowChange], schema: Schema) -> list[RowBlock]:
    """``rows`` (already translated for the device's schema version) as one
    block per collection, in the order collections first appear.

    A field missing from a stored row (added to the schema after the row was
    written) is sent as its declared default, as a device that migrated in
    place shows it.
    """
    blocks = []
    for name, changes in group_rows(rows, operator.attrgetter("collection")).items():
        coll = schema[name]
        names = coll.field_names[1:]
        fields_of = values_of(names)
        live: list[tuple[Any, ...]] = []
        gone: list[tuple[Any, ...]] = []
        filled: Mapping[str, Any] | None = None
        for r in changes:
            if r.deleted:
                gone.append((r.row_id, r.insert_order, r.version, r.scope))
                continue
            try:
                values = fields_of(r.fields)
            except KeyError:
                if filled is None:
                    filled = coll.defaults()
                values = tuple(r.fields.get(n, filled.get(n)) for n in names)
            live.append((r.row_id, *values, r.insert_order, r.version, r.scope))
        blocks.append(RowBlock(collection=name, fields=list(names), rows=live, deleted=gone))
    return blocks


def block_rows(block: RowBlock, coll: Collection) -> list[tuple[Any, ...]]:
    """A block's live rows laid out as this device's upsert wants them.

    The server lays them out for the device's own schema version, so this is
    the block's own list; a block naming its fields otherwise (a device whose
    replica migrated since its Hello) is rearranged, a missing field taking
    its default.
    """
    names = coll.field_names[1:]
    if block.fields == list(names):
        return block.rows
    defaults = coll.defaults()
    where = {n: i + 1 for i, n in enumerate(block.fields)}
    width = len(block.fields)
    out = []
    for row in block.rows:
        values = tuple(row[where[n]] if n in where else defaults.get(n) for n in names)
        out.append((row[0], *values, *row[width + 1:width + 4]))
    return out


def from_blocks(blocks: Iterable[RowBlock]) -> list[RowChange]:
    """Blocks as :class:`RowChange` objects (``seq`` 0: a block does not carry it)."""
    out = []
    for block in blocks:
        names = block.fields
        width = len(names)
        name = block.collection
        for row in block.rows:
            out.append(RowChange(collection=name, row_id=row[0], scope=row[width + 3], version=row[width + 2], seq=0,
                                 insert_order=row[width + 1], fields=dict(zip(names, row[1:width + 1]))))
        for row_id, insert_order, version, scope in block.deleted:
            out.append(RowChange(collection=name, row_id=row_id, scope=scope, version=version, seq=0,
                                 insert_order=insert_order, deleted=True))
    return out


def rows_of(changes: Changes) -> list[RowChange]:
    """A page's rows as objects, whichever protocol carried them."""
    return from_blocks(changes.blocks) if changes.blocks else changes.rows


def row_count(changes: Changes) -> int:
    """How many rows a page carries, whichever protocol carried them."""
    if changes.blocks:
        return sum(len(b.rows) + len(b.deleted) for b in changes.blocks)
    return len(changes.rows)


def as_blocks(changes: Changes, schema: Schema) -> Changes:
    """``changes`` with its rows moved into blocks (protocol 3)."""
    if changes.blocks or not changes.rows:
        return changes
    return Changes(rows=[], cursor=changes.cursor, applied=changes.applied, blocks=to_blocks(changes.rows, schema),
                   more=changes.more, server_clock=changes.server_clock, head=changes.head, resync=changes.resync,
                   resync_begins=changes.resync_begins)
