"""The embedded default store: one SQLite file in WAL mode, through apsw.

One writer connection (used only by the engine's writer thread) and one
reader connection per reading thread. ``rows`` is keyed by
``(collection, row_id)`` and indexed by ``(scope, seq)``, so "everything in my
scopes since cursor C" is one range scan per scope and a device offline for a
month downloads each changed row once. ``synchronous=FULL`` by default: a batch
is on disk before the engine acks it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, cast

import apsw
import msgspec

from shared.merge import Conflict, RowState
from shared.messages import MutationResult, RowBlock, RowChange
from shared.tables import quote

from .base import (
    MARK_EVERY_MS,
    Batch,
    ClaimsRead,
    Compaction,
    Device,
    Page,
    RowKey,
    decode_conflict,
    decode_result,
    fits_64_bits,
    row_change,
    row_params,
    row_state,
    storable_key,
)
from .base import ROW_COLUMNS as _ROW_COLUMNS

#: what a page reads of a row: not its stamps, which only the writer needs
_PAGE_COLUMNS = _ROW_COLUMNS.removesuffix(", stamps")

_encode_json = msgspec.json.Encoder().encode
#: page cache of each reader connection (the writer keeps 64 MiB)
READER_CACHE_KIB = 8192
#: from this many keys on, load_rows looks them up with one statement per scope
_BULK_KEYS = 8

#: A rowid table with its key in an index of its own. Keyed by id before
#: scope: the rows under one id, in any scope, are one range of the key, which
#: is how a batch sees who holds an id it would take (docs/security.md, "Row
#: identity": the rows are the claims, no table apart). Not WITHOUT ROWID: that
#: kept each row whole in the key's B-tree, interior cells too, and SQLite
#: reads a cell's whole record (overflow pages and all) to compare a key with
#: it, so one user's 100 KB rows made every lookup through them read ~100 KB.
_ROWS_TABLE = """
CREATE TABLE IF NOT EXISTS {name} (
    collection   TEXT NOT NULL,
    row_id       ANY NOT NULL,
    scope        TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    insert_order INTEGER NOT NULL,
    deleted      INTEGER NOT NULL,
    fields       BLOB NOT NULL,
    stamps       BLOB NOT NULL,
    UNIQUE (collection, row_id, scope)
) STRICT;
"""

SCHEMA = _ROWS_TABLE.format(name="rows") + """
CREATE UNIQUE INDEX IF NOT EXISTS rows_scope_seq ON rows (scope, seq);

CREATE TABLE IF NOT EXISTS devices (
    client_id       TEXT PRIMARY KEY,
    user            TEXT NOT NULL,
    last_client_seq INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS rejections (
    client_id  TEXT NOT NULL,
    client_seq INTEGER NOT NULL,
    result     BLOB NOT NULL,
    PRIMARY KEY (client_id, client_seq)
) STRICT;

CREATE TABLE IF NOT EXISTS conflicts (
    id         INTEGER PRIMARY KEY,
    scope      TEXT NOT NULL,
    client_seq INTEGER NOT NULL,
    record     BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS conflicts_scope ON conflicts (scope, id);

CREATE TABLE IF NOT EXISTS unique_keys (
    scope      TEXT NOT NULL,
    collection TEXT NOT NULL,
    key_name   TEXT NOT NULL,
    key_value  BLOB NOT NULL,
    row_id     ANY NOT NULL,
    PRIMARY KEY (scope, collection, key_name, key_value)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value ANY
) STRICT;

-- compaction: tombstones by seq (a fresh row is never in it), and which head
-- the store had reached by when (see store.base: Store.head_at)
CREATE INDEX IF NOT EXISTS rows_tombstones ON rows (seq) WHERE deleted = 1;
CREATE TABLE IF NOT EXISTS seq_marks (
    at_ms INTEGER PRIMARY KEY,
    head  INTEGER NOT NULL
) STRICT;
"""



# apsw looks each statement of an executemany up in its cache again for every
# row, hashing the whole SQL text, and steps it once per row: rows are written
# ROWS_PER_STATEMENT at a time as one multi-row VALUES (100k fresh rows:
# 2.29 us a row by executemany, 1.88 by 100-row statements, FULL, 5000 a commit)
ROWS_PER_STATEMENT = 100
_ROW_PARAMS = "(?,?,?,?,?,?,?,?,?)"
_ROW_WIDTH = 9
_INSERT_ROWS = f"INSERT INTO rows({_ROW_COLUMNS.replace(' ', '')})VALUES"
_UPSERT_TAIL = (" ON CONFLICT (collection, row_id, scope) DO UPDATE SET seq = excluded.seq, "
                "version = excluded.version, insert_order = excluded.insert_order, deleted = excluded.deleted, "
                "fields = excluded.fields, stamps = excluded.stamps")


def _write_rows(c: apsw.Connection, rows: list[tuple[RowState, int]], upsert: bool) -> None:
    """Insert (or upsert) (state, seq) pairs, :data:`ROWS_PER_STATEMENT` to a statement."""
    tail = _UPSERT_TAIL if upsert else ""
    full = f"{_INSERT_ROWS}{','.join([_ROW_PARAMS] * ROWS_PER_STATEMENT)}{tail}"
    width = ROWS_PER_STATEMENT * _ROW_WIDTH
    params = row_params(rows)
    for start in range(0, len(params), width):
        part = params[start:start + width]
        count = len(part) // _ROW_WIDTH
        sql = full if count == ROWS_PER_STATEMENT else f"{_INSERT_ROWS}{','.join([_ROW_PARAMS] * count)}{tail}"
        c.execute(sql, part)


def _single(c: apsw.Connection, sql: str, bindings: tuple[Any, ...] = ()) -> Any:
    """The first column of the first row (the SQL always returns one)."""
    return c.execute(sql, bindings).fetchall()[0][0]


def _meta(c: apsw.Connection, key: str) -> int:
    rows = cast("list[tuple[int]]", c.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchall())
    return int(rows[0][0]) if rows else 0


def _set_meta(c: apsw.Connection, key: str, value: int) -> None:
    c.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
              (key, value))


def _key_rows_by_id(c: apsw.Connection) -> None:
    """Rebuild a rows table of an earlier layout (WITHOUT ROWID, keyed scope
    first) as :data:`_ROWS_TABLE` lays it out: once, as the file opens (4.6 s
    for a million 80-byte rows, on a loaded 2-core machine)."""
    for _, name, _, origin, _ in cast("list[tuple[int, str, int, str, int]]",
                                      c.execute("PRAGMA index_list(rows)").fetchall()):
        columns = [r[2] for r in c.execute(f"PRAGMA index_info({quote(name)})")]
        if origin == "u" and columns == ["collection", "row_id", "scope"]:
            return
    c.execute(_ROWS_TABLE.format(name="rows_by_id"))
    c.execute("INSERT INTO rows_by_id SELECT collection, row_id, scope, seq, version, insert_order, deleted, "
              "fields, stamps FROM rows")
    c.execute("DROP TABLE rows")  # and its indexes, made again below
    c.execute("ALTER TABLE rows_by_id RENAME TO rows")
    c.execute(SCHEMA)


def _connect(path: str, synchronous: str, cache_kib: int = 65536) -> apsw.Connection:
    c = apsw.Connection(path)
    c.set_busy_timeout(10_000)
    # a PRAGMA that returns a row pauses a multi-statement execute: one at a time, consumed
    for pragma in ("journal_mode=WAL", f"synchronous={synchronous}", "temp_store=MEMORY", f"cache_size=-{cache_kib}"):
        c.execute(f"PRAGMA {pragma}").fetchall()
    return c


class SQLiteStore:
    """The :class:`~sync_server.store.base.Store` on one SQLite file.

    Args:
        path: the database file (created if absent).
        synchronous: SQLite's ``synchronous`` level; FULL survives power loss,
            NORMAL survives a killed process.
    """

    def __init__(self, path: str, *, synchronous: str = "FULL") -> None:
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"synchronous must be OFF, NORMAL, FULL or EXTRA, not {synchronous!r}")
        self.path = path
        self._synchronous = synchronous
        self._writer = _connect(path, synchronous)
        with self._writer:
            self._writer.execute(SCHEMA)
            _key_rows_by_id(self._writer)
        self._local = threading.local()
        self._readers: list[apsw.Connection] = []
        self._readers_lock = threading.Lock()
        self._head = self._stored_head()  # committed: what every reader may see
        #: the thread inside write_transaction and the head its batch has written
        self._write_thread: int | None = None
        self._batch_head = self._head
        #: who holds the ids the open batch's bulk load_rows read, in other scopes
        self._claims_read = ClaimsRead()
        self._last_mark = int(_single(self._writer, "SELECT coalesce(max(at_ms), 0) FROM seq_marks"))

    # -- reads ------------------------------------------------------------
    # apsw types a fetched value as any SQLite value: the casts name what SCHEMA stores

    def _reader(self) -> apsw.Connection:
        c: apsw.Connection | None = getattr(self._local, "connection", None)
        if c is None:
            # pulls scan the rows in seq order once: a big private cache per reader
            # thread only duplicated the OS page cache (four readers took a 1.1M-row
            # bootstrap's server RSS to 266 MB)
            c = _connect(self.path, self._synchronous, cache_kib=READER_CACHE_KIB)
            self._local.connection = c
            with self._readers_lock:
                self._readers.append(c)
        return c

    def head(self) -> int:
        """The sequence number of the last committed change; on the thread inside
        :meth:`write_transaction`, the head its batch has written so far (another
        thread never sees a head whose rows are not committed)."""
        if self._write_thread == threading.get_ident():
            return self._batch_head
        return self._head

    def numbered(self) -> None:
        """None: :meth:`number` gave the batch its real numbers."""
        return None

    def load_batch(self, keys: Sequence[RowKey], claims: Mapping[str, Iterable[Any]] | None,
                   client_ids: Iterable[str]) -> tuple[dict[RowKey, RowState], dict[str, Device]]:
        """:meth:`load_rows` and :meth:`load_devices` (one writer: nothing to lock)."""
        return self.load_rows(keys, claims), self.load_devices(client_ids)

    def number(self, count: int) -> Sequence[int]:
        """The next ``count`` numbers after the batch's head (one writer: no one
        else numbers meanwhile)."""
        head = self.head()
        return range(head + 1, head + count + 1)

    def load_rows(self, keys: Sequence[RowKey],
                  claims: Mapping[str, Iterable[Any]] | None = None) -> dict[RowKey, RowState]:
        """The stored rows of ``keys`` (those that exist), read on the writer.
        ``claims`` names the collections whose holders of these ids the batch
        asks next (:meth:`load_claims`): the bulk read notes them."""
        out: dict[RowKey, RowState] = {}
        c = self._writer
        if len(keys) < _BULK_KEYS:
            sql = f"SELECT {_ROW_COLUMNS} FROM rows WHERE scope = ? AND collection = ? AND row_id = ?"
            for key in keys:
                if not storable_key(key):
                    continue  # no such row can exist (binding it would raise OverflowError)
                for r in c.execute(sql, key):
                    out[key] = row_state(r)
            return out
        # many keys (a whole push): one indexed IN-lookup per collection instead of
        # a statement per key (profile: point lookups were 13 % of a push). It reads
        # the rows under those ids in every scope: who holds the others is what
        # load_claims answers next, without a second lookup (see _claims_read)
        groups: dict[str, list[Any]] = {}
        for _, collection, row_id in keys:
            groups.setdefault(collection, []).append(row_id)
        wanted = set(keys)
        noted = claims if claims is not None and self._write_thread == threading.get_ident() else {}
        sql = f"SELECT {_ROW_COLUMNS} FROM rows WHERE collection = ? AND row_id IN (SELECT value FROM json_each(?))"
        for collection, row_ids in groups.items():
            holders = []
            for r in c.execute(sql, (collection, _encode_json(row_ids))):
                key = (r[2], r[0], r[1])
                if key in wanted:
                    out[key] = row_state(r)
                else:
                    holders.append((r[1], r[2]))
            if collection in noted:
                self._claims_read.note(collection, row_ids, holders)
        return out

    #: the rows are the claims (keyed by id first): a batch need not write any
    keeps_claims = False

    def load_claims(self, collection: str, row_ids: Iterable[Any]) -> dict[Any, str]:
        """A scope holding a row (or a tombstone) under each of ``row_ids`` that
        one holds: one range of the rows' key each, or nothing for the ids this
        batch's bulk :meth:`load_rows` read already (set operations, no loop)."""
        out, unread = (self._claims_read if self._write_thread == threading.get_ident() else ClaimsRead()).answer(
            collection, row_ids)
        missing = [r for r in unread if type(r) is str or fits_64_bits(r)]
        if missing:
            sql = "SELECT row_id, scope FROM rows WHERE collection = ? AND row_id IN (SELECT value FROM json_each(?))"
            out.update(cast("list[tuple[Any, str]]", self._writer.execute(
                sql, (collection, _encode_json(missing))).fetchall()))
        return out

    def sync_claims(self, collections: Sequence[str]) -> int:
        """Nothing to do: the rows are the claims (:meth:`load_claims`), so a
        collection made private or not needs no migration. Returns 0."""
        return 0

    def load_devices(self, client_ids: Iterable[str]) -> dict[str, Device]:
        c = self._writer
        out = {}
        for client_id in client_ids:
            for r in c.execute("SELECT client_id, user, last_client_seq FROM devices WHERE client_id = ?", (client_id,)):
                out[client_id] = Device(r[0], r[1], r[2])
        return out

    def device(self, client_id: str) -> Device | None:
        """A device's committed record, read on the calling thread's reader."""
        rows = cast("list[tuple[str, str, int]]", self._reader().execute(
            "SELECT client_id, user, last_client_seq FROM devices WHERE client_id = ?", (client_id,)).fetchall())
        return Device(*rows[0]) if rows else None

    def find_unique(self, scope: str, collection: str, key_name: str, key_value: bytes) -> str | int | None:
        rows = cast("list[tuple[str | int]]", self._writer.execute(
            "SELECT row_id FROM unique_keys WHERE scope = ? AND collection = ? AND key_name = ? AND key_value = ?",
            (scope, collection, key_name, key_value)).fetchall())
        return rows[0][0] if rows else None

    def rejection(self, client_id: str, client_seq: int) -> MutationResult | None:
        rows = cast("list[tuple[bytes]]", self._writer.execute(
            "SELECT result FROM rejections WHERE client_id = ? AND client_seq = ?", (client_id, client_seq)).fetchall())
        return decode_result(rows[0][0]) if rows else None

    def changes_since(self, scopes: Sequence[str], cursor: int, limit: int, client_id: str | None,
                      blocks: Callable[[Sequence[Any]], list[RowBlock]] | None = None) -> Page:
        """Rows of ``scopes`` changed after ``cursor``, oldest first, one page
        (as ``blocks`` makes them of the raw rows, if given: see ``row_blocks``).

        The page, the head and the device's applied client_seq are read in one
        snapshot, so the page's cursor never skips a row.
        """
        c = self._reader()
        with c:  # one read transaction: a consistent snapshot
            head, horizon = _meta(c, "head"), _meta(c, "horizon")
            found: list[Any] = []
            for scope in scopes:
                found.extend(c.execute(
                    f"SELECT {_PAGE_COLUMNS} FROM rows WHERE scope = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                    (scope, cursor, head, limit + 1)))
            applied: dict[str, int] = {}
            if client_id is not None:
                for r in c.execute("SELECT last_client_seq FROM devices WHERE client_id = ?", (client_id,)):
                    applied[client_id] = r[0]
        found.sort(key=lambda r: r[3])
        more = len(found) > limit
        page = found[:limit]
        new_cursor = page[-1][3] if more else max(head, cursor)
        if blocks is not None:
            return Page([], new_cursor, more, head, applied, horizon, blocks(page))
        return Page([row_change(r) for r in page], new_cursor, more, head, applied, horizon)

    def conflicts(self, scopes: Sequence[str], limit: int = 100) -> list[Conflict]:
        c = self._reader()
        out: list[Conflict] = []
        for scope in scopes:
            out.extend(decode_conflict(r[0]) for r in c.execute(
                "SELECT record FROM conflicts WHERE scope = ? ORDER BY id DESC LIMIT ?", (scope, limit)))
        return out

    def scan_scope(self, scopes: Sequence[str]) -> list[RowChange]:
        """Every live row of ``scopes`` (export, comparisons in tests)."""
        c = self._reader()
        out: list[RowChange] = []
        with c:
            for scope in scopes:
                out.extend(row_change(r) for r in c.execute(
                    f"SELECT {_ROW_COLUMNS} FROM rows WHERE scope = ? AND deleted = 0 ORDER BY seq", (scope,)))
        return out

    # -- writes -------------------------------------------------------------

    @contextlib.contextmanager
    def write_transaction(self) -> Iterator[None]:
        """One batch's reads and writes in one transaction, committed (durably) on exit."""
        self._batch_head = self._head
        self._write_thread = threading.get_ident()
        self._claims_read.clear()
        try:
            with self._writer:
                yield
        finally:
            self._write_thread = None
            self._claims_read.clear()  # what the batch read, valid only inside it
        self._head = self._batch_head  # committed: now other threads may see it

    def _stored_head(self) -> int:
        return _meta(self._writer, "head")

    def commit_batch(self, batch: Batch) -> None:
        """Write one group commit (inside :meth:`write_transaction`, or on its own)."""
        c = self._writer
        with c:
            if batch.new_rows:
                _write_rows(c, batch.new_rows, upsert=False)
            if batch.rows:
                _write_rows(c, batch.rows, upsert=True)
            if batch.devices:
                c.executemany(
                    "INSERT INTO devices (client_id, user, last_client_seq) VALUES (?, ?, ?) "
                    "ON CONFLICT (client_id) DO UPDATE SET last_client_seq = excluded.last_client_seq",
                    batch.device_values())
            if batch.rejections:
                c.executemany("INSERT OR REPLACE INTO rejections (client_id, client_seq, result) VALUES (?, ?, ?)",
                              batch.rejection_values())
            if batch.conflicts:
                c.executemany("INSERT INTO conflicts (scope, client_seq, record, created_at) VALUES (?, ?, ?, ?)",
                              batch.conflict_values())
            if batch.unique_keys:
                c.executemany("INSERT OR REPLACE INTO unique_keys (scope, collection, key_name, key_value, row_id) "
                              "VALUES (?, ?, ?, ?, ?)", batch.unique_keys)
            if batch.head != self.head():
                _set_meta(c, "head", batch.head)
                if batch.at_ms - self._last_mark >= MARK_EVERY_MS:
                    c.execute("INSERT OR REPLACE INTO seq_marks (at_ms, head) VALUES (?, ?)", (batch.at_ms, batch.head))
                    self._last_mark = batch.at_ms  # if the batch fails, the next mark comes later: harmless
        if self._write_thread == threading.get_ident():
            self._batch_head = batch.head  # committed with the transaction (see write_transaction)
        else:
            self._head = batch.head

    # -- compaction ------------------------------------------------------------

    def head_at(self, at_ms: int) -> int:
        """The highest head noted at or before ``at_ms`` (0 if none): every row
        with a seq up to it had committed by then. Read on the writer."""
        return int(_single(self._writer, "SELECT coalesce(max(head), 0) FROM seq_marks WHERE at_ms <= ?", (at_ms,)))

    def compact(self, upto_seq: int) -> Compaction:
        """Remove the tombstones with a seq up to ``upto_seq`` (and the unique keys
        they still own) and raise the horizon to it, in one write transaction."""
        c = self._writer
        with c:
            horizon = _meta(c, "horizon")
            upto = min(upto_seq, self._head)
            if upto <= horizon:
                return Compaction(0, horizon)
            c.execute("DELETE FROM unique_keys WHERE (scope, collection, row_id) IN ("
                      "SELECT scope, collection, row_id FROM rows WHERE deleted = 1 AND seq <= ?)", (upto,))
            c.execute("DELETE FROM rows WHERE deleted = 1 AND seq <= ?", (upto,))
            removed = c.changes()
            _set_meta(c, "horizon", upto)
            c.execute("DELETE FROM seq_marks WHERE head <= ?", (upto,))
        return Compaction(removed, upto)

    def close(self) -> None:
        with self._readers_lock:
            for c in self._readers:
                c.close()
            self._readers.clear()
        self._writer.close()
