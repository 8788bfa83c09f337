"""The scale-out store: PostgreSQL, for several server nodes on one database.

The hazard with many writers is that a sequence is not commit-ordered: seq 12
may commit before seq 11, and a device that pulled up to 12 would skip 11
forever. Writers here number their rows from one sequence without holding any
lock to their commit; readers instead work out how far the numbers are
settled (the *committed head*):

* A batch draws its rows' numbers in its commit's round trip
  (:meth:`PostgresStore.commit_batch`): it first *registers*
  (``offsync_register``: a transaction-scoped shared advisory lock keyed by
  the next value the sequence will hand out), then writes its rows, each
  taking ``nextval`` as it is written. The lock is held to its commit or
  rollback, which follow in the same round trip.
* A reader (``offsync_committed_head``) reads the sequence's last value L,
  then the registrations held (``pg_locks``): the committed head is L, or one
  below the lowest registration if any is lower. It then reads rows up to
  that head in a statement of its own, so in a snapshot taken *after*.

Why no reader skips a late commit: every row with seq <= H was numbered by a
batch that registered before drawing it. If that batch drew its numbers
before the reader read L, its registration (taken earlier still) was in
``pg_locks`` when the reader looked, unless it had already ended; if it drew
them after, they are above L. PostgreSQL makes a commit visible before it
releases the committing transaction's locks (``ProcArrayEndTransaction``
precedes the lock release), so a registration gone means the rows are
visible to the snapshot the reader takes next, or were rolled back. A
registration is keyed at or below the numbers drawn after it, so the head
only ever moves forward.

Writers of different scopes never wait for each other (there is no head row
to lock): a batch's reads and decisions are guarded by narrower locks, held
to its commit:

* every stored row a batch reads, ``FOR UPDATE`` (a writer of the same row
  waits, then reads the committed row);
* every device it loads, and every unique-key value it looks up, under a
  transaction-scoped advisory lock on its name (an absent row cannot be
  locked; two nodes must not both decide a new device's first push);
* a shared advisory lock, taken as it numbers, that a schema migration takes
  exclusively (a migration rewrites rows with no batch beside it).

Two batches that insert the same new row meet at its primary key: the later
one fails and is tried again (:meth:`PostgresStore.is_race`), as is one that
PostgreSQL picks as a deadlock victim.

Nodes tell each other about commits with ``NOTIFY offsync_changes``; each node
then reads ``(last published, committed head]`` and publishes those rows to
its own devices in sequence order (see ``sync_server.fanout``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, cast

import msgspec
import psycopg
from psycopg.pq import TransactionStatus
from psycopg.types.json import Jsonb

from shared.merge import Conflict, RowState
from shared.messages import MutationResult, RowBlock, RowChange

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
    encode,
    pack_stamps,
    row_change,
    row_state,
    storable_key,
)
from .base import ROW_COLUMNS as _ROW_COLUMNS
from .postgres_limits import connect_kwargs

CHANNEL = "offsync_changes"
#: the first key of the advisory locks on device ids and on unique values
#: (``hashtextextended``'s seed): apart from each other and from other users
_DEVICE_LOCKS = 7305232
_UNIQUE_LOCKS = 7305233
#: the advisory lock a node holds while it makes or changes the tables
SCHEMA_LOCK = 7305231
#: the advisory lock a schema migration holds while it rewrites rows; every
#: batch takes it shared as it numbers its rows, so none runs beside one (a
#: registration is the other kind of advisory lock, keyed by two integers)
MIGRATION_LOCK = 7305234
#: a notification names the scopes a commit changed unless they take more than
#: this many bytes (PostgreSQL caps a payload at 8000); then it names none,
#: which wakes every node
NOTICE_SCOPES_MAX = 7000
#: rows written by one statement of a batch (a statement binds at most 65,535
#: parameters; a row takes 8)
ROWS_PER_STATEMENT = 1000

def _add_column(table: str, column: str, declaration: str) -> str:
    """SQL adding a column to a table of an older version, only where it is missing:
    ALTER TABLE locks the table even when the column exists, and writers of
    other nodes would deadlock on it."""
    return f"""DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name = '{table}'
                   AND column_name = '{column}') THEN
        ALTER TABLE {table} ADD COLUMN {column} {declaration};
    END IF;
END $$;"""


SCHEMA = """
CREATE TABLE IF NOT EXISTS offsync_rows (
    scope        TEXT NOT NULL,
    collection   TEXT NOT NULL,
    row_id       JSONB NOT NULL,
    seq          BIGINT NOT NULL,
    version      BIGINT NOT NULL,
    insert_order BIGINT NOT NULL,
    deleted      BOOLEAN NOT NULL,
    fields       BYTEA NOT NULL,
    stamps       BYTEA NOT NULL,
    PRIMARY KEY (scope, collection, row_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS offsync_rows_scope_seq ON offsync_rows (scope, seq);
CREATE INDEX IF NOT EXISTS offsync_rows_seq ON offsync_rows (seq);
CREATE TABLE IF NOT EXISTS offsync_devices (
    client_id       TEXT PRIMARY KEY,
    "user"          TEXT NOT NULL,
    last_client_seq BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS offsync_rejections (
    client_id  TEXT NOT NULL,
    client_seq BIGINT NOT NULL,
    result     BYTEA NOT NULL,
    PRIMARY KEY (client_id, client_seq)
);
CREATE TABLE IF NOT EXISTS offsync_conflicts (
    id         BIGSERIAL PRIMARY KEY,
    scope      TEXT NOT NULL,
    client_seq BIGINT NOT NULL,
    record     BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS offsync_conflicts_scope ON offsync_conflicts (scope, id);
CREATE TABLE IF NOT EXISTS offsync_unique_keys (
    scope      TEXT NOT NULL,
    collection TEXT NOT NULL,
    key_name   TEXT NOT NULL,
    key_value  BYTEA NOT NULL,
    row_id     JSONB NOT NULL,
    PRIMARY KEY (scope, collection, key_name, key_value)
);
-- the numbers rows take (see the module's docstring). A database of an older
-- version numbered from a locked head row: the sequence goes on from its head,
-- and the row is renamed, so that an older node still running fails loudly
-- instead of numbering rows that these would number again
DO $$ BEGIN
    IF to_regclass('offsync_seq') IS NULL THEN
        CREATE SEQUENCE offsync_seq;
        IF to_regclass('offsync_head') IS NOT NULL THEN
            ALTER TABLE offsync_head ADD COLUMN IF NOT EXISTS horizon BIGINT NOT NULL DEFAULT 0;
            PERFORM setval('offsync_seq', head + 1, false) FROM offsync_head WHERE id = 1;
            ALTER TABLE offsync_head RENAME TO offsync_horizon;
            ALTER TABLE offsync_horizon DROP COLUMN head;
        END IF;
    END IF;
END $$;
-- compaction (see store.base): the horizon, tombstones by seq, and which head was reached by when
CREATE TABLE IF NOT EXISTS offsync_horizon (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    horizon BIGINT NOT NULL DEFAULT 0
);
INSERT INTO offsync_horizon (id, horizon) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
-- a batch registers before it draws its first number (see the module's docstring)
CREATE OR REPLACE FUNCTION offsync_register() RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    next bigint;
BEGIN
    PERFORM pg_advisory_xact_lock_shared({migration_lock});
    SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END INTO next FROM offsync_seq;
    PERFORM pg_advisory_xact_lock_shared((next >> 32)::integer, next::bit(32)::integer);
END $fn$;
-- n numbers, registered first (for tools and tests: a batch draws its own as it writes)
CREATE OR REPLACE FUNCTION offsync_number(n integer) RETURNS bigint[] LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM offsync_register();
    RETURN ARRAY(SELECT nextval('offsync_seq') FROM generate_series(1, n));
END $fn$;
-- {{committed head, last number drawn}}: every row numbered up to the first is committed
-- or rolled back (read before the snapshot that reads the rows)
CREATE OR REPLACE FUNCTION offsync_committed_head() RETURNS bigint[] LANGUAGE plpgsql AS $fn$
DECLARE
    drawn bigint;
    oldest bigint;
BEGIN
    SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END INTO drawn FROM offsync_seq;
    SELECT min((classid::bigint << 32) | objid::bigint) INTO oldest FROM pg_locks
        WHERE locktype = 'advisory' AND objsubid = 2
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database());
    RETURN ARRAY[least(drawn, coalesce(oldest - 1, drawn)), drawn];
END $fn$;
CREATE INDEX IF NOT EXISTS offsync_rows_tombstones ON offsync_rows (seq) WHERE deleted;
-- the head of the batch that last wrote each device: a live batch of (after, head]
-- carries the applied client_seq of the devices it names (see published_since)
{add_at_seq}
CREATE TABLE IF NOT EXISTS offsync_seq_marks (
    at_ms BIGINT PRIMARY KEY,
    head  BIGINT NOT NULL
);
-- which scope took each id of a collection that is not private (docs/security.md,
-- "Row identity"): two nodes giving one id to two scopes at once fail on the key
CREATE TABLE IF NOT EXISTS offsync_row_ids (
    collection TEXT NOT NULL,
    row_id     JSONB NOT NULL,
    scope      TEXT NOT NULL,
    PRIMARY KEY (collection, row_id)
);
CREATE TABLE IF NOT EXISTS offsync_meta (
    key   TEXT PRIMARY KEY,
    value JSONB NOT NULL
);
""".format(migration_lock=MIGRATION_LOCK, add_at_seq=_add_column("offsync_devices", "at_seq", "BIGINT NOT NULL DEFAULT 0"))



class Published(msgspec.Struct):
    """What the fan-out reads in one snapshot (see :meth:`PostgresStore.published_since`)."""

    head: int
    rows: list[RowChange] = []
    applied: dict[str, int] = {}  # client_id: last applied client_seq
    #: the last number a batch has drawn: above ``head`` while one is open
    drawn: int = 0


def notice(batch: Batch) -> str:
    """The payload of a commit's notification: ``[head, [scope, ...]]`` in JSON
    (a scope may hold any character), or ``[head]`` alone (every scope) when
    the scopes would not fit in a notification."""
    before, after = _notice_around(batch)
    return f"{before}{batch.head}{after}"


def _notice_around(batch: Batch) -> tuple[str, str]:
    """:func:`notice` on either side of the head: a batch's commit puts its head
    in between in SQL, where its numbers are drawn."""
    scopes = _encode_json(sorted({state.scope for state, _ in batch.rows} | {state.scope for state, _ in batch.new_rows}))
    return ("[", f",{scopes.decode()}]") if len(scopes) + 24 <= NOTICE_SCOPES_MAX else ("[", "]")


def parse_notice(payload: str) -> tuple[int | None, frozenset[str] | None]:
    """The head and the scopes a notification names: the scopes are None where
    it names none (every scope may have changed), and both in a payload this
    version does not write."""
    try:
        decoded = _decode_notice(payload)
    except msgspec.DecodeError:  # an older node's bare head, or anything else
        return None, None
    head = decoded[0] if decoded and isinstance(decoded[0], int) else None
    return head, frozenset(decoded[1]) if len(decoded) == 2 and isinstance(decoded[1], list) else None


_encode_json = msgspec.json.Encoder().encode
_decode_notice = msgspec.json.Decoder(list[int | list[str]]).decode


#: a row's parameters in a batch's write (:func:`_unnumbered_params`)
_ROW_WIDTH = 8


def _unnumbered_params(rows: list[tuple[RowState, int]]) -> list[Any]:
    """``row_params`` without the seq (drawn as the row is written), the row id
    as JSON (the column holds text and integer ids alike): one flat list, in
    one pass."""
    out: list[Any] = []
    extend = out.extend
    for s, _ in rows:
        extend((s.collection, Jsonb(s.row_id), s.scope, s.version, s.insert_order, s.deleted, encode(s.fields),
                pack_stamps(s.stamps)))
    return out


class PostgresStore:
    """The :class:`~sync_server.store.base.Store` on PostgreSQL.

    Args:
        dsn: a libpq connection string, e.g. ``postgresql://postgres@127.0.0.1/offsync``.
            Every connection gets the time-outs and keepalives of
            :mod:`~sync_server.store.postgres_limits` unless ``dsn`` names them.
    """

    shared_writers = True  # other nodes write too: nothing may be cached across batches

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.connect_kwargs = connect_kwargs(dsn)
        self._writer = self._connect()
        with self._writer.transaction():
            # one node creates the tables at a time; an index built on a big table may take long
            self._writer.execute("SET LOCAL statement_timeout = 0")
            self._writer.execute(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
            self._writer.execute(SCHEMA)
        self._local = threading.local()
        self._readers: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()
        self._in_write = False
        #: the thread inside write_transaction (None: no write is open); only it
        #: may read through the writer connection, whose transaction is not committed
        self._write_thread: int | None = None
        self._batch_head: int | None = None  # the open batch's head, once read
        #: the cursors of the open batch's row writes, which return the numbers drawn
        self._numbered: list[psycopg.Cursor[Any]] = []
        self._pipeline: psycopg.Pipeline | None = None  # the open batch's (see _answers)
        self._last_mark = 0  # the last mark this node wrote (other nodes write theirs)
        #: who claims the ids the open batch's load_rows read with its rows
        self._claims_read = ClaimsRead()

    def _connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.dsn, autocommit=True, **self.connect_kwargs)

    def _reader(self) -> psycopg.Connection[Any]:
        c: psycopg.Connection[Any] | None = getattr(self._local, "connection", None)
        if c is None or c.closed or c.broken:
            # a connection the server ended (time-out, restart) is replaced on next use
            fresh = self._connect()
            self._local.connection = fresh
            with self._lock:
                if c is not None:
                    self._readers.remove(c)
                self._readers.append(fresh)
            return fresh
        return c

    # -- the write transaction -------------------------------------------------

    @contextlib.contextmanager
    def write_transaction(self) -> Iterator[None]:
        """One batch, committed on exit (its numbers: :meth:`number`)."""
        if self._writer.closed or self._writer.broken:
            # the server ended the session (say, this node stalled past the idle
            # limit and lost its batch): the next batch starts on a new one
            self._writer = self._connect()
        self._batch_head = None
        self._numbered = []
        c = self._writer
        # in pipeline mode with BEGIN and COMMIT of our own (psycopg's transaction()
        # syncs as it opens and again before its COMMIT): BEGIN goes out with the
        # first read, and the batch's writes (commit_batch) with its COMMIT, in one
        # round trip; each read waits for its result
        try:
            with c.pipeline() as pipeline:
                c.execute("BEGIN")
                self._in_write = True
                self._write_thread = threading.get_ident()
                self._claims_read.clear()
                self._pipeline = pipeline
                try:
                    yield
                finally:
                    self._in_write = False
                    self._write_thread = None
                    self._claims_read.clear()  # what the batch read, valid only inside it
                    self._pipeline = None
                # no sync of our own: leaving the pipeline syncs (a second sync
                # before it cost a round trip a batch, measured through a proxy)
                c.execute("COMMIT")
        finally:
            if not c.closed and not c.broken and c.info.transaction_status != TransactionStatus.IDLE:
                with contextlib.suppress(psycopg.Error):
                    c.execute("ROLLBACK")  # the batch failed: nothing of it stays

    def head(self) -> int:
        """The committed head (see the module's docstring), read on the calling
        thread's own connection; on the thread inside :meth:`write_transaction`,
        the committed head as the open batch first asked (a batch that writes
        rows has its own head only once committed: :meth:`numbered`).

        Any other thread reading through the writer would see the open batch's
        head before its rows commit: a publisher that did moved past them for good.
        """
        if self._write_thread == threading.get_ident():
            if self._batch_head is None:
                cursor = self._writer.execute("SELECT offsync_committed_head()")
                self._answers()
                self._batch_head = int(cast("tuple[list[int]]", cursor.fetchone())[0][0])
            return self._batch_head
        return int(cast("tuple[list[int]]", self._reader().execute("SELECT offsync_committed_head()")
                        .fetchone())[0][0])

    def number(self, count: int) -> Sequence[int]:
        """Stand-ins 1 to ``count`` for the open batch's numbers: the batch draws
        the real ones as it writes its rows, in the round trip of its commit
        (:meth:`commit_batch`), so it holds the committed head back only while
        PostgreSQL runs that last round trip, and a node that stops before it
        holds back no one's delivery. :meth:`numbered` gives them after the commit."""
        assert self._write_thread == threading.get_ident(), "number runs inside write_transaction"
        return range(1, count + 1)

    def numbered(self) -> dict[RowKey, int] | None:
        """After a batch's commit: the number each of its rows drew, by key."""
        out: dict[RowKey, int] = {}
        for cursor in self._numbered:
            for scope, collection, row_id, seq in cursor.fetchall():
                out[(scope, collection, row_id)] = int(seq)
            cursor.close()
        self._numbered = []
        return out

    def _answers(self) -> None:
        """Before reading results inside the batch's pipeline: end what was sent
        with a Sync, not the flush a fetch sends. PostgreSQL arms
        ``idle_in_transaction_session_timeout`` only as it answers a Sync
        (ReadyForQuery): after a mere flush, a node frozen mid-batch held its
        locks for as long as it stayed frozen (seen in the SIGSTOP test). A
        Sync inside the transaction block commits nothing, and costs the same
        round trip the flush did."""
        if self._pipeline is not None:
            self._pipeline.sync()

    # -- reads inside the write transaction -----------------------------------

    def load_rows(self, keys: Sequence[RowKey],
                  claims: Mapping[str, Iterable[Any]] | None = None) -> dict[RowKey, RowState]:
        """The stored rows of ``keys`` (those that exist): :meth:`load_batch`."""
        return self.load_batch(keys, claims, ())[0]

    def load_devices(self, client_ids: Iterable[str]) -> dict[str, Device]:
        """The devices' records: :meth:`load_batch`."""
        return self.load_batch((), None, client_ids)[1]

    def load_batch(self, keys: Sequence[RowKey], claims: Mapping[str, Iterable[Any]] | None,
                   client_ids: Iterable[str]) -> tuple[dict[RowKey, RowState], dict[str, Device]]:
        """What a batch reads before it decides, in one round trip of its pipeline:

        * the stored rows of ``keys`` (those that exist), read and locked in the
          write transaction, one statement per scope and collection (a row
          another node's batch holds is read once that batch has committed);
        * who claims the ids of ``claims`` (collection -> ids): what
          :meth:`load_claims` answers next, with no round trip of its own;
        * the records of ``client_ids``, each read under a lock on its id held
          to the commit: exactly-once needs one batch at a time per device,
          whether its row exists yet or not (after a failover its pushes may
          reach two nodes). Sorted by the caller, so that two batches sharing
          devices lock them in one order.
        """
        groups: dict[tuple[str, str], list[Jsonb]] = {}
        for scope, collection, row_id in filter(storable_key, keys):  # any other key would abort the transaction
            groups.setdefault((scope, collection), []).append(Jsonb(row_id))
        in_batch = self._write_thread == threading.get_ident()
        ids = {collection: [r for r in row_ids if storable_key(("", collection, r))]
               for collection, row_ids in (claims or {}).items()} if in_batch else {}
        devices = list(client_ids)
        c = self._writer
        # every statement queued before the first result is read
        cursors = [c.execute(
            f"SELECT {_ROW_COLUMNS} FROM offsync_rows WHERE scope = %s AND collection = %s "
            "AND row_id = ANY(%s) FOR UPDATE", (scope, collection, row_ids)) for (scope, collection), row_ids
            in groups.items()]
        held = [(collection, c.execute("SELECT row_id, scope FROM offsync_row_ids WHERE collection = %s "
                                       "AND row_id = ANY(%s)", (collection, [Jsonb(r) for r in row_ids])))
                for collection, row_ids in ids.items() if row_ids]
        # the device locks, then the read: a statement reads the snapshot taken as
        # it starts, so the read must not start before the locks it would wait for
        for client_id in devices:
            c.execute(f"SELECT pg_advisory_xact_lock(hashtextextended(%s, {_DEVICE_LOCKS}))", (client_id,))
        device_cursor = c.execute('SELECT client_id, "user", last_client_seq FROM offsync_devices '
                                  "WHERE client_id = ANY(%s)", (devices,)) if devices else None
        if cursors or held or devices:
            self._answers()
        out: dict[RowKey, RowState] = {}
        for cursor in cursors:
            for r in cursor.fetchall():
                out[(r[2], r[0], r[1])] = row_state(r)
        for collection, cursor in held:
            self._claims_read.note(collection, ids[collection], cursor.fetchall())
        found = {row[0]: Device(*row) for row in device_cursor.fetchall()} if device_cursor is not None else {}
        return out, found

    def device(self, client_id: str) -> Device | None:
        row = self._reader().execute('SELECT client_id, "user", last_client_seq FROM offsync_devices '
                                     "WHERE client_id = %s", (client_id,)).fetchone()
        return Device(*row) if row is not None else None

    #: several nodes write: a claim is a row of its own table, whose key stops
    #: two nodes giving one id to two scopes at once
    keeps_claims = True

    def load_claims(self, collection: str, row_ids: Iterable[Any]) -> dict[Any, str]:
        """The scope claiming each of ``row_ids`` that one claims (nothing to read
        for the ids this batch's :meth:`load_rows` read already). An id another
        node's open batch is claiming reads as free: both batches then insert
        it, and the second fails on the key and is tried again."""
        out, unread = (self._claims_read if self._write_thread == threading.get_ident() else ClaimsRead()).answer(
            collection, row_ids)
        missing = [Jsonb(r) for r in unread if storable_key(("", collection, r))]
        if missing:
            cursor = self._writer.execute("SELECT row_id, scope FROM offsync_row_ids "
                                          "WHERE collection = %s AND row_id = ANY(%s)", (collection, missing))
            self._answers()
            out.update(cursor.fetchall())
        return out

    def sync_claims(self, collections: Sequence[str]) -> int:
        """Make ``collections`` (those that are not private) the ones whose ids
        are claimed: a collection new to the list claims the ids its stored rows
        hold (the first scope by seq keeps one several held from before claims
        were kept); one that left it gives its claims up. One node at a time, as
        it starts. Returns the claims added."""
        wanted = sorted(collections)
        c = self._writer
        with c.transaction():
            c.execute("SET LOCAL statement_timeout = 0")
            c.execute(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
            row = c.execute("SELECT value FROM offsync_meta WHERE key = 'claims_for'").fetchone()
            before = set(row[0]) if row is not None else set()
            if row is not None and sorted(before) == wanted:
                return 0
            c.execute("DELETE FROM offsync_row_ids WHERE NOT (collection = ANY(%s))", (wanted,))
            added = 0
            for name in wanted:
                if name not in before:
                    cur = c.execute("INSERT INTO offsync_row_ids (collection, row_id, scope) "
                                    "SELECT DISTINCT ON (row_id) collection, row_id, scope FROM offsync_rows "
                                    "WHERE collection = %s ORDER BY row_id, seq ON CONFLICT DO NOTHING", (name,))
                    added += max(cur.rowcount, 0)
            c.execute("INSERT INTO offsync_meta (key, value) VALUES ('claims_for', %s) "
                      "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (Jsonb(wanted),))
        return added

    def find_unique(self, scope: str, collection: str, key_name: str, key_value: bytes) -> Any:
        """The row holding a unique value, read under a lock on the value held to
        the commit: two nodes must not both give it to a new row."""
        name = _encode_json([scope, collection, key_name, key_value.hex()]).decode()
        c = self._writer
        c.execute(f"SELECT pg_advisory_xact_lock(hashtextextended(%s, {_UNIQUE_LOCKS}))", (name,))  # as load_devices
        cursor = c.execute(
            "SELECT row_id FROM offsync_unique_keys WHERE scope = %s AND collection = %s AND key_name = %s "
            "AND key_value = %s", (scope, collection, key_name, key_value))
        self._answers()
        row = cursor.fetchone()
        return row[0] if row is not None else None

    @staticmethod
    def is_race(exc: BaseException) -> bool:
        """True if a batch failed only because another node's batch ran beside it
        (both inserted one new row; a deadlock between their row locks): the
        same batch tried again reads what the other committed, and succeeds."""
        return isinstance(exc, (psycopg.errors.UniqueViolation, psycopg.errors.DeadlockDetected,
                                psycopg.errors.SerializationFailure))

    def rejection(self, client_id: str, client_seq: int) -> MutationResult | None:
        cursor = self._writer.execute("SELECT result FROM offsync_rejections WHERE client_id = %s AND client_seq = %s",
                                      (client_id, client_seq))
        self._answers()
        row = cursor.fetchone()
        return decode_result(row[0]) if row is not None else None

    def commit_batch(self, batch: Batch) -> None:
        """Write one batch; call inside :meth:`write_transaction`, which commits it."""
        assert self._in_write, "commit_batch runs inside write_transaction"
        c = self._writer
        # no round trip here: the statements are queued in write_transaction's
        # pipeline and go out with its COMMIT
        numbered = bool(batch.rows or batch.new_rows)
        # a row's number is drawn as it is written (nextval), after the batch registered;
        # the devices, the mark and the notice name the last one drawn (currval)
        head = "currval('offsync_seq')" if numbered else "%s"
        head_param: tuple[int, ...] = () if numbered else (batch.head,)
        with c.cursor() as cur:
            if numbered:
                cur.execute("SELECT offsync_register()")
            # a row absent when read may have been inserted since by another node:
            # then the insert fails on the key, and the batch is tried again (is_race)
            self._write_numbered(batch.new_rows, "")
            self._write_numbered(batch.rows, " ON CONFLICT (scope, collection, row_id) DO UPDATE SET "
                                 "seq = excluded.seq, version = excluded.version, insert_order = excluded.insert_order, "
                                 "deleted = excluded.deleted, fields = excluded.fields, stamps = excluded.stamps")
            if batch.claims:
                # not ON CONFLICT DO NOTHING: another node's batch that claimed one
                # of these ids since it was read fails this one on the key (is_race)
                cur.executemany("INSERT INTO offsync_row_ids (collection, row_id, scope) VALUES (%s, %s, %s)",
                                [(coll, Jsonb(r), scope) for coll, r, scope in batch.claims])
            if batch.devices:
                cur.executemany(
                    'INSERT INTO offsync_devices (client_id, "user", last_client_seq, at_seq) '
                    f"VALUES (%s, %s, %s, {head}) ON CONFLICT (client_id) DO UPDATE SET "
                    "last_client_seq = excluded.last_client_seq, at_seq = excluded.at_seq",
                    [(*d, *head_param) for d in batch.device_values()])
            if batch.rejections:
                cur.executemany(
                    "INSERT INTO offsync_rejections (client_id, client_seq, result) VALUES (%s, %s, %s) "
                    "ON CONFLICT (client_id, client_seq) DO UPDATE SET result = excluded.result",
                    batch.rejection_values())
            if batch.conflicts:
                cur.executemany(
                    "INSERT INTO offsync_conflicts (scope, client_seq, record, created_at) VALUES (%s, %s, %s, %s)",
                    batch.conflict_values())
            if batch.unique_keys:
                cur.executemany(
                    "INSERT INTO offsync_unique_keys (scope, collection, key_name, key_value, row_id) "
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (scope, collection, key_name, key_value) "
                    "DO UPDATE SET row_id = excluded.row_id",
                    [(s, coll, k, v, Jsonb(r)) for s, coll, k, v, r in batch.unique_keys])
            if batch.at_ms - self._last_mark >= MARK_EVERY_MS:
                cur.execute(f"INSERT INTO offsync_seq_marks (at_ms, head) VALUES (%s, {head}) "
                            "ON CONFLICT (at_ms) DO NOTHING", (batch.at_ms, *head_param))
                self._last_mark = batch.at_ms
            if numbered:
                cur.execute("SELECT pg_notify(%s, %s || currval('offsync_seq') || %s)",
                            (CHANNEL, *_notice_around(batch)))
        if not numbered:
            self._batch_head = batch.head  # the head it names (a batch of rows has its own only once committed)

    def _write_numbered(self, rows: list[tuple[RowState, int]], conflict: str) -> None:
        """Queue the writes of ``rows``, each drawing its number, :data:`ROWS_PER_STATEMENT`
        to a statement, each statement on a cursor of its own that returns the
        numbers after the commit (:meth:`numbered`). Not ``executemany``: with
        ``returning`` it waits for its results, a round trip a batch."""
        one = "(%s, %s, %s, nextval('offsync_seq'), %s, %s, %s, %s, %s)"
        params = _unnumbered_params(rows)
        width = ROWS_PER_STATEMENT * _ROW_WIDTH
        for start in range(0, len(params), width):
            part = params[start:start + width]
            cursor = self._writer.cursor()
            cursor.execute(f"INSERT INTO offsync_rows ({_ROW_COLUMNS}) VALUES "
                           f"{', '.join([one] * (len(part) // _ROW_WIDTH))}{conflict} "
                           "RETURNING scope, collection, row_id, seq", part)
            self._numbered.append(cursor)

    # -- reads for pulls and fan-out -------------------------------------------

    #: a read's first statement: the committed head, settled before the read
    #: starts (each statement of a pipeline's implicit transaction reads its
    #: own snapshot, taken as it starts), kept for that read as ``_HEAD``
    _SETTLE_HEAD = "SELECT set_config('offsync.head', h[1]::text, false), h[2] FROM offsync_committed_head() AS h"
    _HEAD = "current_setting('offsync.head')::bigint"
    #: what a read's one statement returns beside rows, in a row's shape:
    #: (text, NULL, NULL, number, number, NULL x 4, part)
    _ROWS, _DEVICES, _HORIZON = 0, 1, 2

    def _settled_read(self, query: str, params: Sequence[Any]) -> tuple[int, int, list[tuple[Any, ...]]]:
        """``query`` (one statement: one snapshot) read after the committed head
        was settled, in one round trip; returns the head, the last number drawn
        and the rows, ordered by their last column (the part) and seq."""
        c = self._reader()
        with c.pipeline():
            settled = c.execute(self._SETTLE_HEAD)
            found = c.execute(query, params)
        head, drawn = cast("tuple[str, int]", settled.fetchone())
        return int(head), int(drawn), found.fetchall()

    def changes_since(self, scopes: Sequence[str], cursor: int, limit: int, client_id: str | None,
                      blocks: Callable[[Sequence[Any]], list[RowBlock]] | None = None) -> Page:
        head, _, found = self._settled_read(
            f"SELECT * FROM ((SELECT {_ROW_COLUMNS}, {self._ROWS} AS part FROM offsync_rows "
            f"WHERE scope = ANY(%s) AND seq > %s AND seq <= {self._HEAD} ORDER BY seq LIMIT %s) "
            # the device's applied client_seq only where its last batch is within the head
            # (a later one may have committed beyond it: its rows are not in this read)
            f"UNION ALL SELECT client_id, NULL, NULL, last_client_seq, NULL, NULL, NULL, NULL, NULL, {self._DEVICES} "
            f"FROM offsync_devices WHERE client_id = %s AND at_seq <= {self._HEAD} "
            f"UNION ALL SELECT NULL, NULL, NULL, 0, horizon, NULL, NULL, NULL, NULL, {self._HORIZON} "
            "FROM offsync_horizon WHERE id = 1) AS t ORDER BY part, seq",
            (list(scopes), cursor, limit + 1, client_id))
        rows = [r[:-1] for r in found if r[-1] == self._ROWS]
        applied = {str(r[0]): int(r[3]) for r in found if r[-1] == self._DEVICES}
        horizon = next(int(r[4]) for r in found if r[-1] == self._HORIZON)
        more = len(rows) > limit
        page = rows[:limit]
        new_cursor = int(page[-1][3]) if more else max(head, cursor)
        if blocks is not None:
            return Page([], new_cursor, more, head, applied, horizon, blocks(page))
        return Page([row_change(r) for r in page], new_cursor, more, head, applied, horizon)

    def published_since(self, after: int, scopes: Collection[str], client_ids: Collection[str]) -> Published:
        """For the fan-out, in one snapshot: the committed head H, the rows of
        ``scopes`` whose last change lies in ``(after, H]`` in seq order, and the
        last applied client_seq of each of ``client_ids`` whose last batch lies
        in ``(after, H]``: a live batch carries them with its rows, so a device
        never replays a write its rows already include. ``drawn``: the last
        number any batch has drawn (above H while a batch is open)."""
        head, drawn, found = self._settled_read(
            f"SELECT * FROM (SELECT {_ROW_COLUMNS}, {self._ROWS} AS part FROM offsync_rows "
            f"WHERE scope = ANY(%s) AND seq > %s AND seq <= {self._HEAD} "
            f"UNION ALL SELECT client_id, NULL, NULL, last_client_seq, NULL, NULL, NULL, NULL, NULL, {self._DEVICES} "
            f"FROM offsync_devices WHERE client_id = ANY(%s) AND at_seq > %s AND at_seq <= {self._HEAD}) AS t "
            "ORDER BY part, seq", (list(scopes), after, list(client_ids), after))
        if head <= after:
            return Published(head, drawn=drawn)
        return Published(head, [row_change(r) for r in found if r[-1] == self._ROWS],
                         {str(r[0]): int(r[3]) for r in found if r[-1] == self._DEVICES}, drawn)

    def changes_between(self, after: int, through: int, scopes: Collection[str]) -> list[RowChange]:
        """The rows of ``scopes`` whose last change has a seq in (after, through], in seq order."""
        return self._rows_between(self._reader(), after, through, scopes)

    @staticmethod
    def _rows_between(c: psycopg.Connection[Any], after: int, through: int, scopes: Collection[str]) -> list[RowChange]:
        if not scopes:
            return []
        found = c.execute(
            f"SELECT {_ROW_COLUMNS} FROM offsync_rows WHERE scope = ANY(%s) AND seq > %s AND seq <= %s ORDER BY seq",
            (list(scopes), after, through)).fetchall()
        return [row_change(r) for r in found]

    def conflicts(self, scopes: Sequence[str], limit: int = 100) -> list[Conflict]:
        found = self._reader().execute(
            "SELECT record FROM offsync_conflicts WHERE scope = ANY(%s) ORDER BY id DESC LIMIT %s",
            (list(scopes), limit)).fetchall()
        return [decode_conflict(r[0]) for r in found]

    def scan_scope(self, scopes: Sequence[str]) -> list[RowChange]:
        found = self._reader().execute(
            f"SELECT {_ROW_COLUMNS} FROM offsync_rows WHERE scope = ANY(%s) AND NOT deleted ORDER BY seq",
            (list(scopes),)).fetchall()
        return [row_change(r) for r in found]

    # -- compaction ------------------------------------------------------------

    def head_at(self, at_ms: int) -> int:
        """The highest head noted at or before ``at_ms`` (0 if none), read in the write transaction."""
        cursor = self._writer.execute("SELECT max(head) FROM offsync_seq_marks WHERE at_ms <= %s", (at_ms,))
        self._answers()
        row = cast("tuple[int | None]", cursor.fetchone())
        return int(row[0] or 0)

    def compact(self, upto_seq: int) -> Compaction:
        """Remove the tombstones with a seq up to ``upto_seq`` (and the unique keys
        they still own) and raise the horizon to it; inside :meth:`write_transaction`."""
        assert self._in_write, "compact runs inside write_transaction"
        c = self._writer
        cursor = c.execute("SELECT horizon, (offsync_committed_head())[1] FROM offsync_horizon WHERE id = 1 "
                           "FOR UPDATE")
        self._answers()
        horizon, head = cast("tuple[int, int]", cursor.fetchone())
        upto = min(upto_seq, head)
        if upto <= horizon:
            return Compaction(0, horizon)
        c.execute("DELETE FROM offsync_unique_keys u USING offsync_rows r WHERE r.deleted AND r.seq <= %s "
                  "AND u.scope = r.scope AND u.collection = r.collection AND u.row_id = r.row_id", (upto,))
        # an id whose last row goes is free again, as on SQLite (whose rows are the claims)
        c.execute("DELETE FROM offsync_row_ids i USING offsync_rows r WHERE r.deleted AND r.seq <= %s "
                  "AND i.scope = r.scope AND i.collection = r.collection AND i.row_id = r.row_id", (upto,))
        # counted by a query, not rowcount: in the batch's pipeline it is not known until a sync
        removed = int(cast("tuple[int]", c.execute(
            "WITH gone AS (DELETE FROM offsync_rows WHERE deleted AND seq <= %s RETURNING 1) SELECT count(*) FROM gone",
            (upto,)).fetchone())[0])
        c.execute("UPDATE offsync_horizon SET horizon = %s WHERE id = 1", (upto,))
        c.execute("DELETE FROM offsync_seq_marks WHERE head <= %s", (upto,))
        return Compaction(removed, upto)

    def close(self) -> None:
        with self._lock:
            for c in self._readers:
                c.close()
            self._readers.clear()
        self._writer.close()
