"""Applying the server's answers on a device: pages of rows (``Changes``),
acks, rejections, and the rebase of the operations still pending.

A mixin of :class:`~sync_client.replica.Replica` (it works on the replica's
connection and state, inside the replica's lock and its uncaptured
transactions); apps call these methods on the replica.

The rebase: rows from the server are written as the server has them, then
every queued operation on them that the server has not yet taken (not
*settled*, see ``_drop_applied``) is replayed on top with the same rules the
server uses (``shared.merge.replay``), so the visible row never flickers back
to an older value.
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, cast

import apsw
import msgspec

from shared import tables
from shared.blocks import block_rows, from_blocks, row_count, values_of
from shared.hlc import HybridClock
from shared.merge import replay
from shared.messages import Changes, MutationResult, RowBlock, RowChange
from shared.schema import INSERT_ORDER_COLUMN, SCOPE_COLUMN, VERSION_COLUMN, Collection, Schema

from . import queue
from .queue import QueuedRows

_encode = msgspec.msgpack.Encoder().encode


class ApplyingServerChanges:
    """The replica's methods that apply what the server sends back."""

    # what this part uses of the replica (see sync_client.replica.Replica)
    connection: apsw.Connection
    device_id: str
    schema: Schema
    lock: threading.RLock
    clock: HybridClock
    _capture: bool
    _settled: int
    _last_seq: int
    _txn_seq: int | None
    _queued_rows: QueuedRows
    _queue_fields: str
    _wall_clock: Callable[[], int]
    _applying: Callable[[], AbstractContextManager[None]]
    _write_state: Callable[..., None]
    _read_state: Callable[[], dict[str, Any]]
    _cached_state: Callable[[str], int]
    _collection: Callable[[str], Collection]
    _notify: Callable[[str, list[Any]], None]
    _listeners: list[Callable[[str, list[Any]], None]]
    _only_our_triggers: Callable[[Collection], bool]
    _without_triggers: Callable[[bool], AbstractContextManager[None]]

    def apply_changes(self, changes: Changes) -> int:
        """Apply a page of server rows, rebasing pending local operations on top.

        Marks the queue entries the server says these rows include as settled
        (no longer replayed; they leave the queue with their Ack, see
        ``_drop_applied``), writes each row (replaying what is still pending on
        it), and stores the new cursor, all in one transaction without capture.
        Returns the number of rows written.

        The first page of a full re-sync (``changes.resync_begins``) starts one
        (over any earlier one). It ends (:meth:`_end_resync`) once its last page
        is in and this device has seen every commit an Ack told it of: a write
        acked just before the first page, which was read before that write
        committed, is in no page and no longer queued, and must not go. A page
        seen twice changes nothing more.

        Only pages count as seen: a re-sync starts from cursor 0 and ends past
        every acked commit, so every row the server holds by then came in a
        page of it (rows handed back with an Ack need not be noted).
        """
        swept: list[RowChange] = []
        blocks = changes.blocks
        with self._applying():
            resyncing = changes.resync_begins or self._in_resync()
            if changes.resync_begins:
                self.connection.execute("DELETE FROM sync_resync_seen")
                self._write_state(resyncing=1, resync_pages_done=0)
            mine = changes.applied.get(self.device_id)
            if mine:
                self._drop_applied(mine)
            if resyncing:
                self._seen_in_resync([(b.collection, r[0]) for b in blocks for r in b.rows] if blocks else
                                     [(r.collection, r.row_id) for r in changes.rows if not r.deleted])
            if blocks:
                for block in blocks:
                    self._apply_block(block)
            else:
                self._apply_rows(changes.rows)
            if resyncing:
                state = self._read_state()
                pages_done = (changes.resync and not changes.more) or bool(state.get("resync_pages_done"))
                if pages_done and changes.cursor >= int(state.get("acked_head", 0)):
                    swept = self._end_resync()
                elif pages_done:
                    self._write_state(resync_pages_done=1)
            self.clock.observe(changes.server_clock)
            self._write_state(cursor=changes.cursor, clock=self.clock.last)
        if self._listeners:  # rows as objects only for those who ask (a block holds tuples)
            rows = from_blocks(blocks) if blocks else changes.rows
            self._notify("changes", [*rows, *swept] if swept else rows)
        return row_count(changes)

    @property
    def resyncing(self) -> bool:
        """Whether a full re-sync is under way (the server compacted tombstones
        past this replica's cursor); it goes on after a restart."""
        with self.lock:
            return self._in_resync()

    def _in_resync(self) -> bool:
        return self._cached_state("resyncing") == 1

    def forget_scope(self, scope: str) -> None:
        """Delete every row of ``scope`` without queueing anything: for a read
        model (the server's search index) that starts a scope over. Not for a
        device: writes still queued there would lose their rows."""
        with self._applying():
            for coll in self.schema:
                self.connection.execute(
                    f"DELETE FROM {tables.quote(coll.name)} WHERE {tables.quote(SCOPE_COLUMN)} = ?", (scope,))

    def _seen_in_resync(self, rows: list[tuple[str, Any]]) -> None:
        """Note (collection, row id) pairs the re-sync under way has seen."""
        self.connection.executemany("INSERT OR IGNORE INTO sync_resync_seen (collection, row_id) VALUES (?, ?)", rows)

    def _end_resync(self) -> list[RowChange]:
        """Delete every row the re-sync did not bring, unless a local write on it
        is still queued: deleted on the server while this device was away, its
        tombstone since compacted. Returns them as deleted rows (for the listeners)."""
        c = self.connection
        c.execute("INSERT OR IGNORE INTO sync_resync_seen (collection, row_id) "
                  "SELECT collection, row_id FROM sync_queue")
        swept: list[RowChange] = []
        for coll in self.schema:
            t, pk = tables.quote(coll.name), tables.quote(coll.primary_key)
            gone = cast("list[tuple[Any, str]]", c.execute(
                f"SELECT {pk}, {tables.quote(SCOPE_COLUMN)} FROM {t} WHERE {pk} NOT IN "
                "(SELECT row_id FROM sync_resync_seen WHERE collection = ?)", (coll.name,)).fetchall())
            if gone:
                c.executemany(f"DELETE FROM {t} WHERE {pk} = ?", [(row_id,) for row_id, _ in gone])
                swept += [RowChange(collection=coll.name, row_id=row_id, scope=scope, version=0, seq=0,
                                    insert_order=0, deleted=True) for row_id, scope in gone]
        c.execute("DELETE FROM sync_resync_seen")
        self._write_state(resyncing=0, resync_pages_done=0)
        return swept

    def apply_results(self, results: Sequence[MutationResult], server_clock: int = 0, cursor: int = 0) -> None:
        """Apply the server's answers to pushed mutations.

        Applied, merged and duplicate mutations leave the queue; a merged one
        comes with the server's rows, which replace the local ones. A rejected one
        moves to ``sync_conflicts`` beside the server's rows, and those rows
        replace the local ones (with anything else still pending replayed).
        ``cursor`` is the Ack's: the server's head after the commit (a full
        re-sync waits until the device has seen it, see :meth:`apply_changes`).
        """
        done = [r.client_seq for r in results if r.status in ("applied", "merged", "duplicate")]
        rejected = [r for r in results if r.status == "rejected"]
        with self._applying():
            # an Ack's rows are as its batch left them, at head ``cursor``. A device
            # whose own cursor is past it had a page read after that commit (the
            # server sends no live batch ahead of an Ack of its push): each row in
            # it is at least as new, the write already settled, and writing the
            # Ack's copies would turn the rows back. At the head itself the page
            # may predate the commit (a batch that changed no row keeps the head).
            mine = int(self._read_state().get("cursor", 0))
            behind = not cursor or not any(r.rows for r in results) or mine <= cursor
            if not cursor or mine <= cursor:
                # past the Ack's head, a page brought each row as a later commit left
                # it: its version is the truth, even a lower one (a row deleted,
                # compacted and made again starts over at version 1)
                self._record_versions(results)
            if done:
                self.connection.executemany("DELETE FROM sync_queue WHERE id BETWEEN ? AND ?",
                                            [(queue.first_id(s), queue.last_id(s)) for s in done])
                self.connection.execute(tables.PRUNE_BULK_SQL)
            # the server's rows where our write lost or merged, or where the first
            # answer was lost (see Engine), written once: each write re-reads every
            # pending operation on its rows, so a hot row in every one of 1,000
            # duplicate results re-read its 5,000 queued increments 1,000 times
            handed_back = _latest_rows(_handed_back(r.rows, behind) for r in results
                                       if r.status in ("merged", "duplicate"))
            if handed_back:
                self._apply_rows(handed_back)
                if self._in_resync():  # a merged row may be left out of its live batch too (see _record_versions)
                    self._seen_in_resync([(r.collection, r.row_id) for r in handed_back if not r.deleted])
            for result in rejected:
                self._record_rejection(result, behind)
            self.clock.observe(server_clock)
            if cursor:
                self.connection.execute(
                    "INSERT INTO sync_state (key, value) VALUES ('acked_head', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)", (cursor,))
            if done or rejected:
                top = max([*done, *(r.client_seq for r in rejected)])
                # the queue no longer holds their insert_orders: store the clock,
                # so it does not go back after a crash and a wall clock set back
                self._write_state(last_client_seq=max(self._last_seq, top), clock=self.clock.last)
        for result in rejected:
            self._notify("rejected", result.rows)

    def _record_versions(self, results: Sequence[MutationResult]) -> None:
        """Give the rows an Ack vouches for (``MutationResult.versions``, protocol
        3) the server's version: their live batch leaves them out, and the next
        write on them must say which version it was made from.

        The versions follow the mutation's operations, as its queue entries do;
        they meet those entries in SQL (``temp.sync_told``, see
        :func:`queue.note_told`), and each collection's rows take them in one
        ``UPDATE ... FROM`` or two: no Python runs per operation. A version never
        goes back: a page read after the commit may have brought a later one already.

        An insert the server vouches for made the row afresh: its ``insertOrder``
        is the insert's and its version the one told, whatever this copy says.
        The copy may say otherwise: a page brought a tombstone of the id while the
        insert was pending, the insert was replayed on it and took the
        tombstone's version and ``insertOrder``, and the server compacted that
        tombstone before the insert (which it would otherwise have merged or
        refused) made the row anew. Not where the device has inserted the row
        again since: that later insert is its own, answered later.
        """
        told = [(r.client_seq, r.versions) for r in results if r.versions and r.status == "applied"]
        if not told:
            return
        c = self.connection
        queue.note_told(c, told)
        counts = cast("list[tuple[str, int, int]]", c.execute(queue.TOLD_COUNTS_SQL).fetchall())
        if not counts:  # nothing went in
            return
        if self._in_resync():
            # rows left out of their live batch come in no page either if the
            # re-sync's pages were read before their commit: seen all the same
            c.execute("INSERT OR IGNORE INTO sync_resync_seen (collection, row_id) "
                      "SELECT collection, row_id FROM temp.sync_told")
        for name, inserts, total in counts:
            coll = self._collection(name)
            t, pk, ver = tables.quote(coll.name), tables.quote(coll.primary_key), tables.quote(VERSION_COLUMN)
            # capture is off, and the freeze triggers have nothing to keep: the only
            # insert entry that may hold the row by reference is the told one, which
            # this Ack takes out of the queue (a row inserted again is left alone)
            with self._without_triggers(self._triggers_may_go_off(coll, total)):
                if inserts:  # first, so that later operations' versions still raise the row's
                    self._record_inserts(t, pk, name, inserts)
                if total > inserts:  # the highest version told for each row (one is picked from several)
                    c.execute(f"UPDATE {t} SET {ver} = told.version FROM (SELECT row_id, max(version) AS version "
                              "FROM temp.sync_told WHERE collection = ?1 AND kind != 'insert' GROUP BY row_id) told "
                              f"WHERE {t}.{pk} = told.row_id AND {t}.{ver} < told.version", (name,))
        c.execute("DELETE FROM temp.sync_told")

    def _record_inserts(self, t: str, pk: str, name: str, count: int) -> None:
        """The versions told for the ``count`` inserts into table ``t`` (collection
        ``name``) in ``temp.sync_told``: see :meth:`_record_versions`."""
        c = self.connection
        ver, io = tables.quote(VERSION_COLUMN), tables.quote(INSERT_ORDER_COLUMN)
        # the usual case, a row as its insert made it: the version alone (setting
        # insertOrder too would rewrite its index entry), even a lower one (a told
        # delete of the row's earlier life raised it)
        c.execute(f"UPDATE {t} SET {ver} = told.version FROM temp.sync_told told "
                  f"WHERE told.collection = ?1 AND told.kind = 'insert' AND {t}.{pk} = told.row_id "
                  f"AND {t}.{io} IS told.insert_order", (name,))
        if c.changes() == count:
            return
        # some row was not: gone, or with another insertOrder; made again by a
        # later insert, even one of the same mutation, it is that insert's (the
        # queue is read for these rows alone: correlated, the look-up is not hoisted)
        c.execute(f"UPDATE {t} SET {ver} = told.version, {io} = told.insert_order FROM temp.sync_told told "
                  f"WHERE told.collection = ?1 AND told.kind = 'insert' AND {t}.{pk} = told.row_id "
                  f"AND {t}.{io} IS NOT told.insert_order AND NOT EXISTS (SELECT 1 FROM sync_queue "
                  f"WHERE id > told.id AND collection = ?1 AND row_id = {t}.{pk} AND kind = 'insert')", (name,))

    def _drop_applied(self, client_seq: int) -> None:
        # The rows include every mutation up to client_seq, but only an Ack says
        # whether each was applied or rejected. Their entries stay queued, out of
        # the rebase, until an Ack (or the answer to a resent push) settles them:
        # a rejection whose Ack came after this page, or was lost, still reaches
        # sync_conflicts.
        self._settled = max(self._settled, client_seq)
        self._write_state(last_client_seq=max(self._last_seq, client_seq), server_applied=self._settled)
        self._queued_rows.prune(self._settled)

    def _record_rejection(self, result: MutationResult, behind: bool) -> None:
        c = self.connection
        span = (queue.first_id(result.client_seq), queue.last_id(result.client_seq))
        found = c.execute(f"SELECT collection, row_id, kind, {self._queue_fields} FROM sync_queue "
                          "WHERE id BETWEEN ? AND ? ORDER BY id", span).fetchall()
        entries = cast("list[tuple[str, str | int, str, str | bytes | None]]", found)
        server_rows = {(r.collection, r.row_id): r for r in result.rows}
        now_ms = self._wall_clock() // 1000
        for collection, row_id, kind, fields in entries:
            server = server_rows.get((collection, row_id))
            server_blob = _encode(server.fields) if server is not None and not server.deleted else None
            c.execute(
                "INSERT INTO sync_conflicts (client_seq, collection, row_id, kind, local, server, reason, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (result.client_seq, collection, row_id, kind, queue.fields_as_msgpack(fields), server_blob,
                 result.reason or "rejected", now_ms),
            )
        c.execute("DELETE FROM sync_queue WHERE id BETWEEN ? AND ?", span)
        c.execute(tables.PRUNE_BULK_SQL)
        self._apply_rows(_handed_back(result.rows, behind))

    def _apply_block(self, block: RowBlock) -> None:
        """Write a block of server rows (protocol 3) as it came: its live rows
        are already the parameters of the upsert, so a page of rows with no
        local writes pending costs one ``executemany`` and no Python per row.
        Rows with pending operations go the way of :meth:`_apply_rows`."""
        coll = self._collection(block.collection)
        live = block_rows(block, coll)
        gone = block.deleted
        if self._may_have_pending() and self._queued_rows.anything_after(self.connection, self._settled):
            ids = [r[0] for r in live]
            ids += [r[0] for r in gone]
            if self._queued_rows.candidates(self.connection, coll.name, ids, self._settled):
                # the rare page that touches rows with local writes pending: replay them
                self._apply_rows(from_blocks([RowBlock(collection=block.collection, fields=list(coll.field_names[1:]),
                                                       rows=live, deleted=gone)]))
                return
        self._write(coll, live, [(r[0],) for r in gone])

    def _may_have_pending(self) -> bool:
        """Whether an operation may be queued that the server has not taken: no
        queue entry can have a client_seq above the last this replica gave out
        (or the one of the transaction under way), so at or below the settled
        one, none is (the common case of a device that only receives: no query
        for a page or an Ack's rows)."""
        return self._txn_seq is not None or self._last_seq > self._settled

    def _apply_rows(self, rows: Sequence[RowChange]) -> None:
        by_collection: dict[str, list[RowChange]] = {}
        for row in rows:
            by_collection.setdefault(row.collection, []).append(row)
        for name, changes in by_collection.items():
            coll = self._collection(name)
            self._write_rows(coll, changes, self._pending_ops(coll, changes))

    def _pending_ops(self, coll: Collection, changes: list[RowChange]) -> dict[Any, list[tuple[str, dict[str, Any]]]]:
        """The unsettled local operations on these rows, oldest first, by row id."""
        if not self._may_have_pending():
            return {}
        ids = self._queued_rows.entry_ids(self.connection, coll.name, (r.row_id for r in changes), self._settled)
        if not ids:  # the usual case: none of these rows has anything pending
            return {}
        # read by primary key: the queue has no index by row, and a scan of it
        # from the settled point cost each page O(queue) (a page of 2,000 rows
        # under 100,000 pending updates: a 100,000-entry scan)
        ops: dict[Any, list[tuple[str, dict[str, Any]]]] = {}
        for row_id, kind, fields in self.connection.execute(
                f"SELECT row_id, kind, {self._queue_fields} FROM sync_queue "
                "WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id", (msgspec.json.encode(ids),)):
            ops.setdefault(row_id, []).append((kind, queue.decode_fields(fields)))
        return ops

    def _write_rows(self, coll: Collection, changes: list[RowChange],
                    pending: dict[Any, list[tuple[str, dict[str, Any]]]]) -> None:
        """Write server rows, replaying pending local operations on the rows that have some."""
        names = coll.field_names[1:]
        # a field missing from a server row was added after the row was written:
        # show its declared default, as a device that migrated in place does
        defaults = coll.defaults()
        every_field = values_of(names)
        live = []
        gone = []
        for r in changes:
            visible: Mapping[str, Any] | None = None if r.deleted else r.fields
            ops = pending.get(r.row_id)
            if ops:
                visible = replay(None if visible is None else {**defaults, **visible}, ops)
            if visible is None:
                gone.append((r.row_id,))
                continue
            try:
                values = every_field(visible)
            except KeyError:
                values = tuple(visible.get(n, defaults.get(n)) for n in names)
            live.append((r.row_id, *values, r.insert_order, r.version, r.scope))
        self._write(coll, live, gone)

    def _write(self, coll: Collection, live: Sequence[Sequence[Any]], gone: Sequence[tuple[Any]]) -> None:
        """Upsert server rows (upsert parameter tuples, id first) and delete
        others (``(id,)``), capture off.

        The capture triggers would only evaluate their WHEN (a Python call each,
        1.5 µs a row): where they are the table's only triggers, they are turned
        off for the write, unless one of these rows, kept or deleted, has an
        insert entry holding its fields by reference, which the freeze triggers
        copy before the row changes."""
        triggers_off = self._triggers_may_go_off(coll, len(live) + len(gone)) and not self._capture \
            and not self._holds_by_reference(coll, live, gone)
        with self._without_triggers(triggers_off):
            if live:
                _upsert_rows(self.connection, coll, live)
            if gone:
                self.connection.executemany(
                    f"DELETE FROM {tables.quote(coll.name)} WHERE {tables.quote(coll.primary_key)} = ?", gone)

    def _triggers_may_go_off(self, coll: Collection, count: int) -> bool:
        """Whether a write of ``count`` server rows into ``coll`` may run with the
        triggers off: only where they are all offsync's own, and not for a few
        rows (most live batches, the Ack of a small push), where finding out and
        turning them off and on costs more than their WHEN (:data:`TRIGGERS_ON_UP_TO`)."""
        return count > TRIGGERS_ON_UP_TO and self._only_our_triggers(coll)

    def _holds_by_reference(self, coll: Collection, live: Sequence[Sequence[Any]],
                            gone: Sequence[tuple[Any]]) -> bool:
        """Whether one of these rows (upsert parameters and ``(id,)``, id first)
        has an insert entry holding its fields by reference.

        A device's own rows coming back live after their Ack have none (their
        entries, and then their ``sync_bulk`` batch, are gone) while later
        batches still wait: a look-up a row spares the triggers' 1.5-2 µs a row.
        The ids are gathered only when some batch is held so (rarely): not a
        pass over every page's rows.
        """
        c = self.connection
        if not (live or gone) or not c.execute("SELECT 1 FROM sync_bulk WHERE collection = ? LIMIT 1",
                                               (coll.name,)).fetchall():
            return False
        row_ids = [r[0] for r in itertools.chain(live, gone)]
        return bool(c.execute(tables.holds_by_reference_sql(coll), (msgspec.json.encode(row_ids),)).fetchall())


#: a write of at most this many rows keeps the triggers on (``_triggers_may_go_off``): with
#: capture off, each row costs only their WHEN, and 1, 4 and 16-row upserts took
#: 33, 47 and 104 us with them on against 39, 51 and 96 off, the 4 us of finding
#: out whether they may go off not counted (/tmp micro-benchmark, 2,000 batches)
TRIGGERS_ON_UP_TO = 8

#: rows per multi-row upsert: apsw looks a statement's text up again for each
#: row of an ``executemany``; one statement of 50 rows took an upsert of 200k
#: rows from 1.68 to 1.14 us a row (10, 100: about the same; /tmp micro-benchmark
#: in docs/performance.md)
UPSERT_ROWS = 50


@functools.cache
def _upsert_many_sql(coll: Collection, rows: int) -> str:
    """:func:`shared.tables.upsert_sql` writing ``rows`` rows in one statement."""
    one = tables.upsert_sql(coll)
    head, rest = one.split(" VALUES ", 1)
    values, conflict = rest.split(" ON CONFLICT ", 1)
    return f"{head} VALUES {', '.join([values] * rows)} ON CONFLICT {conflict}"


def _upsert_rows(connection: apsw.Connection, coll: Collection, rows: Sequence[Sequence[Any]]) -> None:
    """Upsert server rows given as parameter tuples, :data:`UPSERT_ROWS` to a statement."""
    whole = len(rows) - len(rows) % UPSERT_ROWS
    if whole:
        sql = _upsert_many_sql(coll, UPSERT_ROWS)
        chain = itertools.chain.from_iterable
        for start in range(0, whole, UPSERT_ROWS):
            connection.execute(sql, tuple(chain(rows[start:start + UPSERT_ROWS])))
    if whole < len(rows):
        connection.executemany(tables.upsert_sql(coll), rows[whole:])


def _handed_back(rows: Sequence[RowChange], behind: bool) -> Sequence[RowChange]:
    """The rows of an Ack to write: all of them while the device is not past the
    Ack's head; past it, only the "not there" rows (version 0: a row that does
    not exist or that this device may not read), which no page brings."""
    return rows if behind else [r for r in rows if r.version == 0]


def _latest_rows(row_lists: Iterable[Sequence[RowChange]]) -> list[RowChange]:
    """The rows of several results, one per row: the latest (highest ``seq``;
    the later result on a tie, as writing them in order would leave it)."""
    latest: dict[tuple[str, Any], RowChange] = {}
    for rows in row_lists:
        for row in rows:
            key = (row.collection, row.row_id)
            found = latest.get(key)
            if found is None or row.seq >= found.seq:
                latest[key] = row
    return list(latest.values())
