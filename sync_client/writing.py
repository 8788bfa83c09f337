"""Local writes on the device: the API's inserts (one row, or a batch written
and queued in bulk), updates, increments, deletes, and plain SQL.

A mixin of :class:`~sync_client.replica.Replica`. Every write lands in one
transaction with its ``sync_queue`` entries: the capture triggers
(``shared.tables``) queue a write row by row; a batch of inserts is
written with the connection's triggers off and queued with one
``INSERT ... SELECT`` (see :meth:`LocalWrites.insert_many`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, cast

import apsw

from shared import tables
from shared.errors import ValidationError
from shared.hlc import HybridClock
from shared.schema import Collection

from .ids import new_ids
from .queue import single_value

#: a trigger's SQL that fires on INSERT ("... [BEFORE|AFTER|INSTEAD OF] INSERT ON t ...")
_INSERT_TRIGGER = re.compile(r"\bINSERT\s+ON\b", re.IGNORECASE)
#: from this many rows on, ``insert_many`` writes and queues in bulk (below, the triggers queue each row)
BULK_ROWS = 16


class LocalWrites:
    """The replica's write methods."""

    # what this part uses of the replica (see sync_client.replica.Replica)
    connection: apsw.Connection
    clock: HybridClock
    _capture: bool
    _default_scope: str
    _queued_in_bulk: str | None
    _bulk_inserts: dict[str, dict[str, str]]
    _wall_clock: Callable[[], int]
    _collection: Callable[[str], Collection]
    _reserve_queue_ids: Callable[[int], int]
    transaction: Callable[[], AbstractContextManager[Any]]

    def insert(self, collection: str, row: Mapping[str, Any], *, scope: str | None = None) -> Any:
        """Insert one row and queue it; returns its id (made here if absent).

        Raises:
            ValidationError: an unknown field, a value of the wrong type, or a
                missing required field. Nothing is written.
        """
        return self.insert_many(collection, [row], scope=scope)[0]

    def insert_many(self, collection: str, rows: Iterable[Mapping[str, Any]], *, scope: str | None = None) -> list[Any]:
        """Insert several rows in one transaction (one mutation); returns their ids.

        The rows are validated together first (one error names the row and the
        field, and nothing is written). They are then written with one
        ``executemany`` and queued with one ``INSERT ... SELECT`` (the insert
        trigger stands aside for them), in the same transaction.
        """
        coll = self._collection(collection)
        rows = list(rows)
        values = coll.insert_values(rows)
        if coll.scope_field and scope:
            self._check_scope_field(coll, values, scope)
        if not values:
            return []
        fresh = iter(new_ids(sum(1 for v in values if v[0] is None)))
        ids = [next(fresh) if v[0] is None else v[0] for v in values]
        sql = tables.insert_sql(coll)
        with self.transaction():
            row_scope = scope or self._default_scope
            first = self.clock.tick_many(self._wall_clock(), len(values))
            params = tables.insert_params(coll)(ids, values, first, row_scope)
            if len(params) >= BULK_ROWS and self._capture and coll.fields[coll.primary_key].type == "text":
                self._insert_in_bulk(coll, sql, params, first)
            else:
                self.connection.executemany(sql, params)  # the triggers queue each row
        return ids

    def add_bulk_insert(self, collection: str, trigger: str, sql: str) -> None:
        """Declare what the insert trigger ``trigger`` of ``collection`` does, as
        one statement over all the rows of a batch (those with ``rowid > ?1``).

        A batch of API inserts then runs with the connection's triggers off and
        each declared statement once after it, instead of a trigger program per
        row (measured: 1.5 µs of each row's 3.1 µs insert). A collection with an
        insert trigger nobody declared (an app's own) keeps its triggers on.
        """
        self._bulk_inserts.setdefault(collection, {})[trigger] = sql

    def _insert_in_bulk(self, coll: Collection, sql: str, params: list[tuple[Any, ...]], first_order: int) -> None:
        """Write and queue a batch. Rowids follow the insert order under a text
        key, so the batch is the rows above the highest rowid before it.

        With triggers off the batch is exactly ``params``: rows of consecutive
        insertOrders from ``first_order``, queued by consecutive ids, so their
        entries can hold their fields by reference (``shared.tables``)."""
        c = self.connection
        before = int(single_value(c, f"SELECT coalesce(max(rowid), 0) FROM {tables.quote(coll.name)}"))
        declared = self._bulk_inserts.get(coll.name, {})
        on_insert = {name for name, text in self._table_triggers(coll).items() if _INSERT_TRIGGER.search(text)}
        triggers_off = on_insert <= {tables.trigger_names(coll)[0], *declared}
        self._queued_in_bulk = coll.name  # its capture trigger stands aside if triggers stay on
        try:
            with self._without_triggers(triggers_off):
                c.executemany(sql, params)
        finally:
            self._queued_in_bulk = None
        if not triggers_off:  # an app's trigger may have added rows here too: they are queued with the batch
            c.execute(tables.stamp_new_rows_sql(coll), (before,))
        after = int(single_value(c, f"SELECT max(rowid) FROM {tables.quote(coll.name)}"))
        first_id = self._reserve_queue_ids(after - before)
        by_reference = triggers_off and after - before == len(params) and tables.by_reference(coll)
        c.execute(tables.queue_copy_sql(coll, by_reference=by_reference), (first_id, before))
        if by_reference:
            c.execute("INSERT INTO sync_bulk (collection, first_order, first_id, count) VALUES (?, ?, ?, ?)",
                      (coll.name, first_order, first_id, len(params)))
        if triggers_off:
            for statement in declared.values():
                c.execute(statement, (before,))
        if coll.retention is not None:  # trimmed once per scope, as the trigger trims after each row
            for (scope,) in c.execute(f"SELECT DISTINCT {tables.scope_expr(coll, '')} FROM {tables.quote(coll.name)} "
                                      "WHERE rowid > ?", (before,)).fetchall():
                c.execute(tables.retention_sql(coll, "?"), (scope,))

    def _table_triggers(self, coll: Collection) -> dict[str, str]:
        """The triggers on a collection's table, name -> SQL (ours, the search
        indexes', and any an app made). TEMP triggers are not listed: turning
        triggers off leaves them on (SQLite >= 3.35)."""
        found = self.connection.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' "
                                        "AND tbl_name = ?", (coll.name,)).fetchall()
        return dict(cast("list[tuple[str, str]]", found))

    def _only_our_triggers(self, coll: Collection) -> bool:
        """Whether every trigger on the collection's table is offsync's own
        (capture and freeze), none the search indexes' or an app's: with
        capture off, only the freeze triggers can then do anything."""
        return set(self._table_triggers(coll)) <= set(tables.trigger_names(coll))

    @contextmanager
    def _without_triggers(self, off: bool) -> Iterator[None]:
        """Run the block with the connection's triggers off (if ``off``): for
        writes whose triggers' effects are made some other way, or are none."""
        if not off:
            yield
            return
        self.connection.config(apsw.SQLITE_DBCONFIG_ENABLE_TRIGGER, 0)
        try:
            yield
        finally:
            self.connection.config(apsw.SQLITE_DBCONFIG_ENABLE_TRIGGER, 1)

    @staticmethod
    def _check_scope_field(coll: Collection, values: list[tuple[Any, ...]], scope: str) -> None:
        at = coll.field_names.index(coll.scope_field)
        for i, v in enumerate(values):
            if v[at] not in (None, scope):
                raise ValidationError(f"{coll.name}: scope {scope!r} disagrees with {coll.scope_field}",
                                      path=f"$[{i}].{coll.scope_field}")

    def update(self, collection: str, row_id: Any, changes: Mapping[str, Any]) -> None:
        """Change some fields of a row; only the changed fields are queued.

        Raises:
            ValidationError: bad fields, a counter (use :meth:`increment`), or no such row.
        """
        coll = self._collection(collection)
        stored = coll.to_stored(changes)
        if coll.primary_key in stored:
            raise ValidationError(f"{coll.name}.{coll.primary_key} cannot change", path=f"$.{coll.primary_key}")
        for name in stored:
            if name in coll.counters:
                raise ValidationError(f"{coll.name}.{name} is a counter: use increment", path=f"$.{name}")
        for f in coll.fields.values():
            if f.required and f.name in stored and stored[f.name] is None:
                raise ValidationError(f"{coll.name}.{f.name} is required", path=f"$.{f.name}")
        if not stored:
            return
        sets = ", ".join(f"{tables.quote(n)} = ?" for n in stored)
        self._write_existing(coll, row_id, f"UPDATE {tables.quote(coll.name)} SET {sets}", list(stored.values()))

    def increment(self, collection: str, row_id: Any, deltas: Mapping[str, int | float]) -> None:
        """Add to counter fields; concurrent increments from several devices add up.

        Raises:
            ValidationError: a field that is not a counter, a non-number, or no such row.
        """
        coll = self._collection(collection)
        if not deltas:
            return
        for name, delta in deltas.items():
            f = coll.fields.get(name)
            if f is None or not f.counter:
                raise ValidationError(f"{coll.name}.{name} is not a counter field", path=f"$.{name}")
            if isinstance(delta, bool) or not isinstance(delta, (int, float)):
                raise ValidationError(f"{coll.name}.{name}: a delta must be a number", path=f"$.{name}")
        sets = ", ".join(f"{tables.quote(n)} = coalesce({tables.quote(n)}, 0) + ?" for n in deltas)
        self._write_existing(coll, row_id, f"UPDATE {tables.quote(coll.name)} SET {sets}", list(deltas.values()))

    def delete(self, collection: str, row_id: Any) -> None:
        """Delete a row locally and queue the delete (the server keeps a tombstone)."""
        coll = self._collection(collection)
        self._write_existing(coll, row_id, f"DELETE FROM {tables.quote(coll.name)}", [])

    def _write_existing(self, coll: Collection, row_id: Any, sql: str, params: list[Any]) -> None:
        with self.transaction():
            self.connection.execute(f"{sql} WHERE {tables.quote(coll.primary_key)} = ?", (*params, row_id))
            if self.connection.changes() == 0:
                raise ValidationError(f"{coll.name} has no row {row_id!r}", path=f"$.{coll.primary_key}",
                                      code="not_found")

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[tuple[Any, ...]]:
        """Run plain SQL on the replica (writes are captured like API writes)."""
        with self.transaction():
            return self.connection.execute(sql, params).fetchall()
