"""The device's ``sync_queue``: how its rows are keyed, read back and looked up.

A queue row's id says which mutation it belongs to: ``client_seq << 20`` plus
its place in that mutation (1, 2, ...; a savepoint rolled back inside the
transaction leaves a gap, its ids not given back). So the queue needs no index
besides its primary key: "the entries of mutation 7", "everything after
mutation 5" and "the next 100 mutations" are all ranges of ids, and
``client_seq`` is a virtual column computed from the id. Each index left out is one B-tree
insert fewer per captured write.

``fields`` holds the operation's values in one of two encodings: JSON text,
made natively by ``json_object()`` in the insert triggers and the bulk insert
path, or MessagePack bytes, made by the Python SQL functions (updates,
increments, and inserts into collections with blob fields, which JSON cannot
hold). :func:`decode_fields` reads both; the column's type tells them apart.
An insert entry of a batch may hold NULL instead: its fields are its row's,
read by reference until the row changes (``shared.tables``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

import apsw
import msgspec

from shared import tables
from shared.messages import Mutation, Operation
from shared.schema import Collection
from shared.tables import SEQ_SHIFT as SEQ_SHIFT

_json_decode = msgspec.json.Decoder(dict[str, Any]).decode
_json_encode = msgspec.json.Encoder().encode
_msgpack_decode = msgspec.msgpack.Decoder(dict[str, Any]).decode


def first_id(client_seq: int) -> int:
    """The lowest queue id a mutation's entries can have."""
    return client_seq << SEQ_SHIFT


def last_id(client_seq: int) -> int:
    """The highest queue id a mutation's entries can have."""
    return ((client_seq + 1) << SEQ_SHIFT) - 1


def decode_fields(value: str | bytes | None) -> dict[str, Any]:
    """An entry's fields: JSON text or MessagePack bytes (see the module docstring)."""
    if not value:
        return {}
    if isinstance(value, str):
        return _json_decode(value)
    return _msgpack_decode(value)


def fields_as_msgpack(value: str | bytes | None) -> bytes | None:
    """An entry's fields as MessagePack (what ``sync_conflicts.local`` holds)."""
    if value is None or isinstance(value, bytes):
        return value
    return msgspec.msgpack.encode(_json_decode(value))


class QueueEntry(msgspec.Struct, frozen=True):
    """One captured operation waiting in ``sync_queue``."""

    id: int
    client_seq: int
    kind: str
    collection: str
    row_id: str | int
    fields: dict[str, Any]
    base_version: int
    insert_order: int
    scope: str

    def to_operation(self) -> Operation:
        return Operation(
            kind=self.kind,  # type: ignore[arg-type]
            collection=self.collection,
            row_id=self.row_id,
            base_version=self.base_version,
            insert_order=self.insert_order,
            fields=self.fields,
            scope=self.scope,
        )


def entry_columns(fields_sql: str = "fields") -> str:
    """The columns :func:`entries` reads, with ``fields``
    read as ``fields_sql`` (``shared.tables.queue_fields_sql``: an insert
    entry may hold its fields by reference)."""
    return f"id, client_seq, kind, collection, row_id, {fields_sql}, base_version, insert_order, scope"


def entries(rows: Iterable[tuple[Any, ...]]) -> list[QueueEntry]:
    """Queue entries from rows selected as :func:`entry_columns`."""
    return [QueueEntry(r[0], r[1], r[2], r[3], r[4], decode_fields(r[5]), r[6], r[7], r[8]) for r in rows]


class MutationReader:
    """Reads the entries of whole mutations straight into the messages a Push carries.

    A by-reference insert entry's fields come as its row's columns (a LEFT
    JOIN per collection), put in a dict by a function made for the collection,
    rather than packed into JSON by ``json_object()`` and decoded again as
    :func:`entry_columns` reads them. Measured on 50,000 queued inserts of the
    benchmark's rows, in process: 1.9 -> 1.4 µs an entry (``json_object()``
    was 0.26 µs of SQL; a dict display costs 0.15 µs, ``dict(zip())`` 0.37).
    """

    def __init__(self, collections: Iterable[Collection]) -> None:
        columns = [f"q.id >> {SEQ_SHIFT}", "q.kind", "q.collection", "q.row_id", "q.fields", "q.base_version",
                   "q.insert_order", "q.scope"]
        joins = []
        #: collection -> the fields of its insert entries with ``fields`` NULL, from a row read
        self._row_fields = _RowFields()
        for n, coll in enumerate(c for c in collections if tables.by_reference(c)):
            names = [f for f in coll.field_names if f != coll.primary_key]
            self._row_fields[coll.name] = _values_at(names, len(columns))
            columns += [f"r{n}.{tables.quote(name)}" for name in names]
            # the key is NULL for every other entry: no look-up at all (with the
            # conditions beside the key, SQLite looked each entry's row up first)
            joins.append(f"LEFT JOIN {tables.quote(coll.name)} r{n} ON r{n}.{tables.quote(coll.primary_key)} = "
                         f"CASE WHEN q.fields IS NULL AND q.kind = 'insert' AND q.collection = '{coll.name}' "
                         "THEN q.row_id END")
        self._sql = (f"SELECT {', '.join(columns)} FROM sync_queue q {' '.join(joins)} "
                     "WHERE q.id BETWEEN ?1 AND ?2 ORDER BY q.id")

    def read(self, connection: apsw.Connection, span: tuple[int, int]) -> list[Mutation]:
        """The mutations whose entries have the queue ids ``span`` (first, last)."""
        rows: list[tuple[Any, ...]] = connection.execute(self._sql, span).fetchall()
        row_fields = self._row_fields
        out = []
        for seq, group in groupby(rows, key=_first):
            ops = [Operation(kind=r[1], collection=r[2], row_id=r[3], base_version=r[5], insert_order=r[6],
                             fields=row_fields[r[2]](r) if r[4] is None and r[1] == "insert" else decode_fields(r[4]),
                             scope=r[7]) for r in group]
            out.append(Mutation(client_seq=seq, ops=ops))
        return out


_RowValues = Callable[[tuple[Any, ...]], dict[str, Any]]


def _no_fields(row: tuple[Any, ...]) -> dict[str, Any]:
    return {}


class _RowFields(dict[str, _RowValues]):
    """Collection -> :data:`_RowValues`; an insert with NULL ``fields`` into any
    other collection has none (the collection has no field but its key)."""

    def __missing__(self, collection: str) -> _RowValues:
        return _no_fields


def _values_at(names: list[str], first: int) -> _RowValues:
    """A function making ``{names[0]: row[first], names[1]: row[first + 1], ...}``
    of a row read (a dict display). The text holds only integers and the
    names' literals (``repr``)."""
    pairs = ", ".join(f"{name!r}: row[{first + k}]" for k, name in enumerate(names))
    made: _RowValues = eval(f"lambda row: {{{pairs}}}", {"__builtins__": {}})
    return made


_first = itemgetter(0)


def single_value(connection: apsw.Connection, sql: str, bindings: apsw.Bindings | None = None) -> Any:
    """The value a query returns in its first row and column: Any, as apsw
    cannot know a column's type (callers know what their SQL returns)."""
    return connection.execute(sql, bindings).fetchall()[0][0]


def next_mutations_span(connection: apsw.Connection, after_seq: int, max_mutations: int,
                        max_ops: int | None) -> tuple[int, int] | None:
    """The queue ids (first, last) of the oldest mutations after ``after_seq``:
    at most ``max_mutations`` of them and ``max_ops`` entries (but always the
    whole first mutation); None if nothing is queued after it."""
    start = first_id(after_seq + 1)
    found = single_value(connection, NEXT_MUTATIONS_SQL, (after_seq, max_mutations))
    if found is None:
        return None
    upto = int(found)
    if max_ops is not None:
        beyond: list[tuple[Any, ...]] = connection.execute(
            "SELECT id FROM sync_queue WHERE id >= ? ORDER BY id LIMIT 1 OFFSET ?", (start, max_ops)).fetchall()
        if beyond:  # the mutation holding entry max_ops + 1 does not fit, unless it is the first
            first = int(single_value(connection, "SELECT min(id) FROM sync_queue WHERE id >= ?", (start,)))
            upto = min(upto, max(first >> SEQ_SHIFT, (int(beyond[0][0]) >> SEQ_SHIFT) - 1))
    return start, last_id(upto)


#: the ids of the first ``?2`` mutations after client_seq ``?1``: hop from one
#: mutation to the next by a primary-key seek each, never reading the entries between
NEXT_MUTATIONS_SQL = f"""
WITH RECURSIVE seqs(seq, n) AS (
    SELECT (SELECT id FROM sync_queue WHERE id >= ((?1 + 1) << {SEQ_SHIFT}) ORDER BY id LIMIT 1) >> {SEQ_SHIFT}, 1
    UNION ALL
    SELECT (SELECT id FROM sync_queue WHERE id >= ((seq + 1) << {SEQ_SHIFT}) ORDER BY id LIMIT 1) >> {SEQ_SHIFT}, n + 1
    FROM seqs WHERE seq IS NOT NULL AND n < ?2
)
SELECT max(seq) FROM seqs
"""


# -- the versions an Ack tells, beside the entries they answer -------------------

#: one row per operation an Ack told a version of (0s left out), emptied after
#: each Ack; a temporary table: in memory, on the replica's connection alone
TOLD_TABLE = """
CREATE TEMP TABLE IF NOT EXISTS sync_told (
    collection   TEXT NOT NULL,
    row_id       ANY NOT NULL,
    kind         TEXT NOT NULL,
    insert_order INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    id           INTEGER NOT NULL  -- the entry's
) STRICT"""

_TOLD_COLUMNS = "collection, row_id, kind, insert_order, version, id"

#: ``[client_seq, [version, ...]]`` of the JSON array ``?1`` into ``temp.sync_told``
#: (0s too): version k (from 0) with entry ``first_id + 1 + k``, where there is one
_TOLD_NUMBERED_SQL = f"""
WITH told AS MATERIALIZED (  -- each mutation's text is read once, not once an operation
    SELECT value ->> 0 << {SEQ_SHIFT} AS first, value -> 1 AS versions FROM json_each(?1))
INSERT INTO temp.sync_told ({_TOLD_COLUMNS})
SELECT q.collection, q.row_id, q.kind, q.insert_order, v.value, q.id
FROM told m JOIN json_each(m.versions) v JOIN sync_queue q ON q.id = m.first + 1 + v.key"""

#: how many entries the mutations of the client_seqs in the JSON array ``?1`` have
#: (a join: a correlated ``max(id)`` a mutation cost 0.6 µs, this 0.2)
_TOLD_ENTRIES_SQL = f"""
SELECT count(*) FROM json_each(?1) s
JOIN sync_queue q ON q.id BETWEEN s.value << {SEQ_SHIFT} AND ((s.value + 1) << {SEQ_SHIFT}) - 1"""

#: per collection in ``temp.sync_told``: how many told operations are inserts, and how many in all
TOLD_COUNTS_SQL = """
SELECT collection, sum(kind = 'insert'), count(*) FROM temp.sync_told GROUP BY collection"""


def note_told(connection: apsw.Connection, told: Sequence[tuple[int, list[int]]]) -> None:
    """Put the versions an Ack tells (``(client_seq, versions)`` of applied
    mutations) into ``temp.sync_told`` beside their entries: version k with the
    mutation's k-th entry, where the mutation has as many entries as versions
    (otherwise it is not the mutation the server answered, and its rows keep
    the versions they have); 0s are left out (:data:`TOLD_COUNTS_SQL` says what
    went in).

    The versions go to SQL as one JSON text and meet their entries by id: a
    mutation's ids are 1, 2, ... after its first, unless a savepoint rolled
    back inside its transaction (its ids, not given back, leave a gap). Where
    that does not hold for every mutation (a gap, or a mutation of another
    size), the Ack's entries are read in one range and paired in Python.
    """
    connection.execute(_TOLD_NUMBERED_SQL, (_json_encode(told),))
    # every version found its entry, and no mutation has more: each is numbered 1 to n
    told_count = sum(len(versions) for _, versions in told)
    if connection.changes() != told_count or single_value(
            connection, _TOLD_ENTRIES_SQL, (_json_encode([seq for seq, _ in told]),)) != told_count:
        connection.execute("DELETE FROM temp.sync_told")
        _pair_told(connection, dict(told))
    elif any(0 in versions for _, versions in told):
        connection.execute("DELETE FROM temp.sync_told WHERE version = 0")


def _pair_told(connection: apsw.Connection, versions_of: dict[int, list[int]]) -> None:
    """:func:`note_told` in Python: the entries of these mutations (client_seq ->
    versions) read in one range, paired with the versions one by one."""
    span = (first_id(min(versions_of)), last_id(max(versions_of)))
    found: list[tuple[Any, ...]] = connection.execute(
        "SELECT id, collection, row_id, kind, insert_order FROM sync_queue WHERE id BETWEEN ? AND ? ORDER BY id",
        span).fetchall()
    rows: list[tuple[Any, ...]] = []
    for seq, group in groupby(found, key=_seq_of):
        versions = versions_of.get(seq)
        entries = list(group)
        if versions is not None and len(entries) == len(versions):
            rows += [(*entry[1:], version, entry[0]) for entry, version in zip(entries, versions) if version]
    connection.executemany(f"INSERT INTO temp.sync_told ({_TOLD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", rows)


def _seq_of(entry: tuple[Any, ...]) -> int:
    return int(entry[0]) >> SEQ_SHIFT


class QueuedRows:
    """Which rows have queued operations, and the queue ids of those operations.

    Applying a page of server rows must replay the local operations still
    pending on those rows. The queue has no index by row (see the module
    docstring), so this keeps ``(collection, row_id) -> the queue id of its
    newest entry`` in memory (and the ids of its older entries, for a row that
    has several), reading only the entries added since the last look. Entries
    that leave the queue are not removed at once: a stale id costs one needless
    look-up, never a missed one. Everything is forgotten after a rollback,
    which can take back entries already read.
    """

    def __init__(self) -> None:
        self._latest: dict[tuple[str, Any], int] = {}
        self._earlier: dict[tuple[str, Any], list[int]] = {}
        self._read_up_to = 0
        self._kept = 0  # rows kept by the last pruning
        self._older = 0  # ids put in _earlier since the last pruning

    def forget(self) -> None:
        self._latest.clear()
        self._earlier.clear()
        self._read_up_to = 0
        self._kept = 0
        self._older = 0

    def candidates(self, connection: apsw.Connection, collection: str, row_ids: Iterable[Any],
                   after_seq: int) -> list[Any]:
        """The ids among ``row_ids`` with an operation queued after ``after_seq``."""
        self._catch_up(connection)
        latest, floor = self._latest, last_id(after_seq)
        return [r for r in row_ids if latest.get((collection, r), 0) > floor]

    def entry_ids(self, connection: apsw.Connection, collection: str, row_ids: Iterable[Any],
                  after_seq: int) -> list[int]:
        """The queue ids of the operations on ``row_ids`` queued after
        ``after_seq``, ascending: what to read of the queue by its primary key,
        instead of scanning it."""
        self._catch_up(connection)
        latest, earlier, floor = self._latest, self._earlier, last_id(after_seq)
        out: list[int] = []
        for row_id in row_ids:
            key = (collection, row_id)
            older = earlier.get(key)
            if older is not None:
                out += [i for i in older if i > floor]
            newest = latest.get(key, 0)
            if newest > floor:
                out.append(newest)
        out.sort()
        return out

    @staticmethod
    def anything_after(connection: apsw.Connection, after_seq: int) -> bool:
        """Whether any operation is queued after ``after_seq`` (one look at the
        primary key): a page with nothing pending under it needs no look-up a row."""
        return bool(connection.execute("SELECT 1 FROM sync_queue WHERE id > ? LIMIT 1",
                                       (last_id(after_seq),)).fetchall())

    def prune(self, settled_seq: int) -> None:
        """Drop what is settled, once the rows or the older ids have doubled
        since the last pruning (so pruning costs O(1) an entry over time)."""
        if len(self._latest) > 2 * self._kept + 10_000 or self._older > self._kept + 10_000:
            floor = last_id(settled_seq)
            self._latest = {key: i for key, i in self._latest.items() if i > floor}
            self._earlier = {key: kept for key, ids in self._earlier.items()
                             if key in self._latest and (kept := [i for i in ids if i > floor])}
            self._kept = len(self._latest)
            self._older = 0

    def _catch_up(self, connection: apsw.Connection) -> None:
        latest, earlier = self._latest, self._earlier
        top = self._read_up_to
        for queue_id, collection, row_id in connection.execute(
                "SELECT id, collection, row_id FROM sync_queue WHERE id > ? ORDER BY id", (top,)):
            key = (collection, row_id)
            before = latest.get(key)
            if before is not None:
                older = earlier.get(key)
                if older is None:
                    earlier[key] = [before]
                else:
                    older.append(before)
                self._older += 1
            latest[key] = queue_id
            top = queue_id
        self._read_up_to = top
