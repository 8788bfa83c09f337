"""The apply engine: validates pushed mutations, orders them, resolves them with
``shared.merge`` and commits them in batches (group commit).

The engine is synchronous and does no network I/O: the Starlette app runs
:meth:`Engine.apply_batch` on its single writer thread, and tests wire it to
clients in memory. One batch is one store transaction; inside it each mutation
is all or nothing (its row states stay in a private overlay until every one of
its operations has succeeded).

Isolation: a batch holds many users' pushes, so whatever one mutation does
wrong (a value no store can hold, a counter past 64 bits, an error no check
foresaw) refuses that mutation alone, with a reason; the rest of the batch
commits.

Clocks: an ``insert_order`` more than ``max_clock_ahead_us`` (default
:data:`MAX_CLOCK_AHEAD_US`) ahead of the server's wall clock is *clamped* to
that bound (kept increasing in arrival order), never refused: a device whose
clock was once fast keeps syncing, and one user's stamp moves neither the
server clock nor any other device's clock further ahead than the bound.

Exactly-once: the engine keeps each device's highest applied ``client_seq``.
A mutation at or below it is answered ``duplicate`` (or with its stored
rejection), never applied twice; one above the next expected is a ``gap``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

from shared.errors import AuthError, InvalidInput
from shared.hlc import HybridClock
from shared.merge import ALIVE, Conflict, Outcome, Resolver, RowState, Stamp, apply_operation
from shared.messages import Changes, Mutation, MutationResult, Operation, RowChange
from shared.schema import Collection, Schema

from .auth import Grant
from .setbased import apply_set_based, created
from .store.base import Batch, Compaction, Device, RowKey, Store, fits_64_bits, row_blocks, storable_key
from .validation import Rules, check_fields_together, check_operation

_encode = msgspec.msgpack.Encoder().encode
log = logging.getLogger("offsync.engine")

#: how far ahead of the server's wall clock an insert_order may be before it is clamped
MAX_CLOCK_AHEAD_US = 60 * 1_000_000



@dataclass
class PushRequest:
    """One device's push, waiting for the writer."""

    client_id: str
    grant: Grant
    mutations: Sequence[Mutation]
    blobs_as_base64: bool = False
    #: its Ack will tell the versions of the rows it leaves as written (protocol 3,
    #: the current schema): only then may its device's live batch leave them out
    told_versions: bool = False


@dataclass
class BatchOutcome:
    """What a group commit produced: per-request results and the changed rows."""

    results: list[list[MutationResult]]
    rows: list[RowChange]
    applied: dict[str, int]
    head: int
    server_clock: int
    conflicts: list[Conflict] = field(default_factory=list)  # recorded in this batch (for metrics)
    #: seq -> the device whose copy of that row is already exactly the server's:
    #: every change of the row in this batch was its own, applied as written, on
    #: top of the version it had seen. Its live batch may leave the row out (no
    #: echo, protocol 3); ``MutationResult.versions`` tells it the row's version
    echo_free: dict[int, str] = field(default_factory=dict)


@dataclass
class _Work:
    """State of one batch while it is being applied."""

    wall_us: int  # the wall clock as the batch starts (the clock bound, conflict times)
    clock_limit: int = 0  # insert_orders above this are clamped
    batch: Batch = field(default_factory=Batch)
    devices: dict[str, Device] = field(default_factory=dict)
    device_rows: dict[str, Device] = field(default_factory=dict)  # the stored ones, read up front
    rows: dict[RowKey, RowState] = field(default_factory=dict)  # changed in this batch, in change order
    unique: dict[tuple[str, str, str, bytes], str | int] = field(default_factory=dict)
    # the stored row (None: there is none) of every key read up front, then
    # each row as the mutations applied so far leave it
    known: dict[RowKey, RowState | None] = field(default_factory=dict)
    stored: set[RowKey] = field(default_factory=set)  # keys with a row in the store before this batch
    # per collection, the ids read for who holds them in the store, and the
    # scope holding each that one holds: for the ids a batch's inserts may take
    claims: dict[str, tuple[set[Any], dict[Any, str]]] = field(default_factory=dict)
    # (collection, row id): the scope this batch's rows took it for
    claimed: dict[tuple[str, Any], str] = field(default_factory=dict)
    # row ids whose claims need a look: held by a scope in the store, or inserted
    # under two scopes in this batch (empty for a push of fresh ids: no cost then)
    watch: set[Any] = field(default_factory=set)
    latest: int = 0  # the highest insert_order of a valid operation (the clock observes it)
    # results that carry rows, filled once the whole batch is decided (see _hand_back)
    hand_back: dict[int, tuple[MutationResult, list[RowKey], Grant]] = field(default_factory=dict)
    # per row: the device whose copy equals it, and the state that is so. Held by
    # identity: a path that changes the row without saying (a new state in
    # ``rows``) leaves the mark stale, and a stale mark only means an echo
    echo_free: dict[RowKey, tuple[str, RowState]] = field(default_factory=dict)
    # applied results with (key, version after the op, device) of each operation (see _versions)
    versions: list[tuple[MutationResult, list[tuple[RowKey, int]], str]] = field(default_factory=list)
    #: collections whose every insert and update of the request being applied
    #: holds valid stored fields as sent, found by one check (``_as_sent``)
    as_sent: frozenset[str] = frozenset()


#: pushes whose mutations hold at most this many operations on average have
#: their fields checked once for the whole push (``Engine._as_sent``)
AS_SENT_UP_TO = 8


def _wall_clock_us() -> int:
    return time.time_ns() // 1000


class Engine:
    """Applies mutations and serves pulls over one :class:`Store`.

    Args:
        schema: the collections every device shares.
        store: where rows live.
        resolvers: functions for collections with policy ``custom``, by name.
        wall_clock: microseconds since the epoch (tests pass a fake).
        max_clock_ahead_us: an insert_order further ahead of ``wall_clock`` is
            clamped (see the module docstring).
        fast_paths: decide common mutations set-based (False only to compare
            them with the general path).
    """

    def __init__(self, schema: Schema, store: Store, *, resolvers: Mapping[str, Resolver] | None = None,
                 wall_clock: Callable[[], int] = _wall_clock_us,
                 max_clock_ahead_us: int = MAX_CLOCK_AHEAD_US, fast_paths: bool = True) -> None:
        if max_clock_ahead_us < 0:
            raise ValueError(f"max_clock_ahead_us must be >= 0, got {max_clock_ahead_us}")
        self.schema = schema
        self.store = store
        self.resolvers = dict(resolvers or {})
        for coll in schema:
            if coll.policy == "custom" and coll.resolver not in self.resolvers:
                raise ValueError(f"{coll.name}: no resolver registered under {coll.resolver!r}")
        self._wall_clock = wall_clock
        self.clock = HybridClock(wall_clock())
        self.max_clock_ahead_us = max_clock_ahead_us
        self._clamped_last = 0  # the last insert_order a clamp gave (clamps stay increasing)
        self._rules = {coll.name: Rules(coll) for coll in schema}
        #: the collections whose ids are one scope's each (not private)
        self._claiming = frozenset(coll.name for coll in schema if not coll.private)
        self._scoped = frozenset(coll.name for coll in schema if coll.scope_field is not None)
        #: False: every operation takes the general path (the reference the
        #: differential test compares the set-based paths with)
        self.fast_paths = fast_paths

    # -- devices ----------------------------------------------------------

    def _device(self, client_id: str, user: str, work: _Work) -> Device | None:
        """The device's record as of this batch, or None if another user owns the id.

        Read inside the write transaction and kept for this batch only: with a
        shared store, another node may have applied this device's mutations.
        """
        dev = work.devices.get(client_id)
        if dev is None:
            dev = work.device_rows.get(client_id) or Device(client_id, user, 0)  # read up front (_prefetch)
            if dev.user != user:
                return None
            work.devices[client_id] = dev
        return dev

    def check_device(self, client_id: str, user: str) -> int:
        """For a connection (any thread): the device's committed last client_seq.

        Raises:
            AuthError: the device id is registered to another user.
        """
        dev = self.store.device(client_id)
        if dev is not None and dev.user != user:
            raise AuthError(f"device {client_id!r} belongs to another user", path="$.client_id", code="forbidden")
        return dev.last_client_seq if dev is not None else 0

    def now(self) -> int:
        """The server clock now (observes every accepted insert_order)."""
        return self.clock.tick(self._wall_clock())

    # -- applying -----------------------------------------------------------

    def apply_batch(self, requests: Sequence[PushRequest]) -> BatchOutcome:
        """Apply every request's mutations in order and commit them as one batch.

        Everything is read and written in one store write transaction, which
        is durable before this returns; on a storage error nothing is kept and
        the error propagates.
        """
        work = _Work(wall_us=self._wall_clock())
        work.clock_limit = work.wall_us + self.max_clock_ahead_us
        work.batch.at_ms = work.wall_us // 1000
        with self.store.write_transaction():
            self._prefetch(requests, work)
            results = [self._apply_request(request, work) for request in requests]
            for result, keys, grant in work.hand_back.values():
                # the rows as the whole batch leaves them, never a mid-batch copy: a
                # device may apply a pull page of this batch before its Ack
                result.rows = self._current_rows(keys, work, grant)
            changes = self._number(work)
            echo_free = self._versions(work, changes)
            work.batch.devices = list(work.devices.values())
            self.store.commit_batch(work.batch)
        echo_free = self._renumber(work, changes, echo_free)
        self.clock.observe(work.latest)
        applied = {client_id: dev.last_client_seq for client_id, dev in work.devices.items()}
        return BatchOutcome(results, changes, applied, work.batch.head, self.now(),
                            [conflict for _, conflict, _ in work.batch.conflicts], echo_free)

    @staticmethod
    def _versions(work: _Work, changes: list[RowChange]) -> dict[int, str]:
        """Fill ``versions`` of the applied results, and return the rows no
        device needs echoed (by seq): see :attr:`BatchOutcome.echo_free`.

        A version is told only for a row that ends the batch as the device
        wrote it: a row another device also changed in this batch comes to it
        live, whole, and telling its version first would let the device write
        on top of fields it has not seen yet.
        """
        rows = work.rows
        ends = {key: writer for key, (writer, state) in work.echo_free.items() if rows.get(key) is state}
        for result, written, client_id in work.versions:
            result.versions = [version if ends.get(key) == client_id else 0 for key, version in written]
        return {change.seq: writer for change, key in zip(changes, work.rows)
                if (writer := ends.get(key)) is not None}

    def _renumber(self, work: _Work, changes: list[RowChange], echo_free: dict[int, str]) -> dict[int, str]:
        """Where the store drew the rows' numbers as it committed them
        (PostgreSQL: ``Store.numbered``), put them in place of the stand-ins."""
        drawn = self.store.numbered()
        if drawn is None or not changes:
            return echo_free
        instead = {}
        for change in changes:
            seq = drawn[(change.scope, change.collection, change.row_id)]
            instead[change.seq] = seq
            change.seq = seq
        work.batch.head = max(instead.values())
        return {instead[seq]: writer for seq, writer in echo_free.items()}

    def _number(self, work: _Work) -> list[RowChange]:
        """Give every changed row the next sequence number, in change order, and
        put it in the batch (apart, if the store had no row for its key);
        returns the rows as the devices will see them."""
        seqs = self.store.number(len(work.rows))
        rows, new_rows, stored = work.batch.rows, work.batch.new_rows, work.stored
        changes: list[RowChange] = []
        for seq, (key, state) in zip(seqs, work.rows.items(), strict=True):
            (rows if key in stored else new_rows).append((state, seq))
            changes.append(state.to_change(seq))
        work.batch.head = seqs[-1] if seqs else self.store.head()
        if self.store.keeps_claims:
            # every new row takes its id (one a compacted tombstone left claimed by the
            # same scope is claimed already: only a watched id can be)
            claiming, watch = self._claiming, work.watch
            work.batch.claims = [(state.collection, state.row_id, state.scope) for state, _ in new_rows
                                 if state.collection in claiming and (
                                     state.row_id not in watch or self._held(state.collection, state.row_id, work) is None)]
        return changes

    def _apply_request(self, request: PushRequest, work: _Work) -> list[MutationResult]:
        device = self._device(request.client_id, request.grant.user, work)
        if device is None:
            # two users raced to register one device id: refuse this one's push, not the batch
            return [MutationResult(client_seq=m.client_seq, status="rejected", reason="forbidden",
                                   message=f"device {request.client_id!r} belongs to another user",
                                   path="$.client_id") for m in request.mutations]
        out = []
        work.as_sent = self._as_sent(request) if self.fast_paths else frozenset()
        for index, mutation in enumerate(request.mutations):
            expected = device.last_client_seq + 1
            if mutation.client_seq < expected:
                out.append(self._duplicate(request, mutation, work))
                continue
            if mutation.client_seq > expected:
                out.append(MutationResult(client_seq=mutation.client_seq, status="gap", reason="gap",
                                          message=f"expected client_seq {expected} first"))
                continue
            result = self._apply_isolated(request, mutation, index, work)
            if result.status == "rejected":
                work.batch.rejections.append((request.client_id, result))
            device.last_client_seq = mutation.client_seq
            out.append(result)
        return out

    def _as_sent(self, request: PushRequest) -> frozenset[str]:
        """The collections whose inserts and updates in ``request`` all hold valid
        stored fields as sent (``Collection.stored_as_sent``), each checked by one
        compiled conversion for the whole push: the fast paths then skip the check
        of each mutation, which cost a one-operation mutation ~1 us of ~11 in the
        engine. A collection that fails is checked mutation by mutation as before.
        Only for pushes of small mutations (at most :data:`AS_SENT_UP_TO` operations
        each on average): for large ones each mutation's check is one conversion
        already, and the pass over the push would only add to it."""
        mutations = request.mutations
        if len(mutations) < 2 or sum(len(m.ops) for m in mutations) > AS_SENT_UP_TO * len(mutations):
            return frozenset()
        by_collection: dict[str, list[dict[str, Any]]] = {}
        for mutation in mutations:
            for op in mutation.ops:
                if op.kind == "insert" or op.kind == "update":
                    found = by_collection.get(op.collection)
                    if found is None:
                        by_collection[op.collection] = [op.fields]
                    else:
                        found.append(op.fields)
        rules = self._rules
        return frozenset(name for name, fields in by_collection.items()
                         if name in rules and rules[name].coll.stored_as_sent(fields))

    def _duplicate(self, request: PushRequest, mutation: Mutation, work: _Work) -> MutationResult:
        in_batch = next((r for cid, r in work.batch.rejections
                         if cid == request.client_id and r.client_seq == mutation.client_seq), None)
        if in_batch is not None:
            return self._hand_back(msgspec.structs.replace(in_batch), work.hand_back[id(in_batch)][1], request, work)
        stored = self.store.rejection(request.client_id, mutation.client_seq)
        if stored is not None:
            # the first answer was lost: say it again, with the rows as they are now
            keys = [(r.scope, r.collection, r.row_id) for r in stored.rows]
            return self._hand_back(stored, keys, request, work)
        # the first answer may be lost with rows the device needs (a merged write
        # that lost changes no row, so no Changes will correct its copy)
        return self._hand_back(MutationResult(client_seq=mutation.client_seq, status="duplicate"),
                               self._keys_after(request, mutation, -1), request, work)

    def _hand_back(self, result: MutationResult, keys: Sequence[RowKey], request: PushRequest,
                   work: _Work) -> MutationResult:
        """Make ``result`` carry the current rows of ``keys`` (filled in :meth:`apply_batch`).

        A key no store can hold (an integer id beyond 64 bits, NUL in a text
        id; refused, never stored) is left out: the stored rejection and a
        MessagePack answer could not encode it.
        """
        work.hand_back[id(result)] = (result, [k for k in dict.fromkeys(keys) if storable_key(k)], request.grant)
        return result

    def _apply_isolated(self, request: PushRequest, mutation: Mutation, index: int, work: _Work) -> MutationResult:
        """:meth:`_apply_mutation`, refusing the mutation alone if it raises: its
        rows stay in its private overlay, so the batch goes on without it."""
        try:
            return self._apply_mutation(request, mutation, index, work)
        except (RecursionError, ArithmeticError, ValueError, TypeError, UnicodeError):
            log.exception("mutation %d of device %r could not be applied; refused alone",
                          mutation.client_seq, request.client_id)
            return self._reject(mutation, "invalid_row", "the server could not apply this mutation",
                                f"$.mutations[{index}]", self._keys_after(request, mutation, -1), request, work)

    def _clamped(self, op: Operation, work: _Work) -> Operation:
        """``op`` with its insert_order clamped to the batch's clock bound
        (increasing, so one device's clamped writes keep their order)."""
        if op.insert_order <= work.clock_limit:
            return op
        self._clamped_last = max(work.clock_limit, self._clamped_last + 1)
        return msgspec.structs.replace(op, insert_order=self._clamped_last)

    def _apply_mutation(self, request: PushRequest, mutation: Mutation, index: int, work: _Work) -> MutationResult:
        if self.fast_paths:
            fast = apply_set_based(self, request, mutation, work)
            if fast is not None:
                return fast
        local: dict[RowKey, RowState] = {}
        as_written: dict[RowKey, bool] = {}  # this device's copy of the row equals ``local``'s
        written: list[tuple[RowKey, int]] = []
        local_unique: dict[tuple[str, str, str, bytes], str | int] = {}
        local_claims: dict[tuple[str, Any], str] = {}
        conflicts: list[Conflict] = []
        merged = False
        keys: list[RowKey] = []
        client_id = request.client_id
        default_scope = request.grant.default_scope
        together = check_fields_together(self._rules, mutation.ops, blobs_as_base64=request.blobs_as_base64)
        for i, raw in enumerate(mutation.ops):
            try:
                rules, fields, scope = check_operation(self._rules, raw, blobs_as_base64=request.blobs_as_base64,
                                                       writable=request.grant.write, default_scope=default_scope,
                                                       stored=None if together is None else together[i])
                sent, raw = raw, self._clamped(raw, work)
                work.latest = max(work.latest, raw.insert_order)
            except InvalidInput as exc:
                # hand back the refused row too, so the device drops its copy
                # (not a row of a collection the schema lacks: a device has no table for it)
                refused = [(raw.scope or default_scope, raw.collection, raw.row_id)] if raw.collection in self.schema \
                    else []
                return self._reject(mutation, exc.code, exc.message, _op_path(index, i) + exc.path,
                                    [*keys, *refused, *self._keys_after(request, mutation, i)], request, work)
            key = (scope, raw.collection, raw.row_id)
            keys.append(key)
            current = self._row(key, local, work)
            if current is None and raw.kind == "insert" and rules.claims_ids:
                pair = (raw.collection, raw.row_id)
                owner = local_claims.get(pair) or self._owner(pair, work)
                if owner is not None and owner != scope:
                    # the id is another scope's: the refusal names neither that scope nor its row
                    return self._reject(mutation, "id_taken", _reason_text("id_taken", raw), _op_path(index, i),
                                        [*keys, *self._keys_after(request, mutation, i)], request, work)
                local_claims[pair] = scope
            if current is None and raw.kind == "insert" and rules.plain_insert:
                local[key] = created(rules, raw, fields, scope, client_id)
                as_written[key] = raw is sent
                written.append((key, 1))
                continue
            # the device's copy is the row before this op if it had seen that version
            # or if its own writes of this batch made it so
            mark = work.echo_free.get(key)
            seen = (as_written[key] if key in as_written else mark is not None and mark[0] == client_id
                    and mark[1] is current) \
                or (raw.base_version == 0 if current is None else raw.base_version == current.version)
            op = msgspec.structs.replace(raw, fields=fields, scope=scope)
            outcome = self._decide(rules.coll, current, op, client_id, local_unique, work)
            if op.kind == "increment" and outcome.state is not None:
                too_big = _counter_out_of_range(rules.coll, op, outcome.state)
                if too_big is not None:
                    return self._reject(mutation, "invalid_row", too_big[1], _op_path(index, i) + too_big[0],
                                        [*keys, *self._keys_after(request, mutation, i)], request, work)
            if outcome.conflict is not None:
                conflicts.append(outcome.conflict)
            if outcome.status == "rejected":
                _record_conflicts(work, mutation, conflicts)
                return self._reject(mutation, outcome.reason, _reason_text(outcome.reason, op), _op_path(index, i),
                                    [*keys, *self._keys_after(request, mutation, i)], request, work)
            merged = merged or outcome.status == "merged"
            if outcome.state is not None:
                local[key] = outcome.state
                # a custom resolver may write other values than the device sent
                as_written[key] = seen and outcome.status == "applied" and raw is sent \
                    and rules.coll.policy != "custom"
            # one entry per operation: the device matches them to its queue by place
            written.append((key, outcome.state.version if outcome.state is not None and as_written[key] else 0))
        self._keep(local, local_unique, work)
        work.claimed.update(local_claims)
        return self._settle(request, mutation, local, as_written, written, conflicts, merged, keys, work)

    def _settle(self, request: PushRequest, mutation: Mutation, local: dict[RowKey, RowState],
                as_written: dict[RowKey, bool], written: list[tuple[RowKey, int]], conflicts: list[Conflict],
                merged: bool, keys: Sequence[RowKey], work: _Work) -> MutationResult:
        """The result of a mutation whose rows are kept (:meth:`_keep`), for the
        general path and the set-based one alike: the rows its device holds as
        written need no echo, and their versions go in the Ack."""
        client_id, told = request.client_id, request.told_versions
        echo_free = work.echo_free
        for key, state in local.items():
            if as_written.get(key) and told:
                echo_free[key] = (client_id, state)
            else:
                echo_free.pop(key, None)
        _record_conflicts(work, mutation, conflicts)
        if not merged:
            applied = MutationResult(client_seq=mutation.client_seq, status="applied")
            if told:
                work.versions.append((applied, written, client_id))
            return applied
        # some write lost (or was a no-op): the row may not change, so no Changes
        # would correct the device's optimistic copy; hand it the server's rows
        return self._hand_back(MutationResult(client_seq=mutation.client_seq, status="merged"), keys, request, work)

    def _keep(self, local: dict[RowKey, RowState], local_unique: dict[tuple[str, str, str, bytes], str | int],
              work: _Work) -> None:
        """Move a mutation's rows and unique keys into the batch (it succeeded)."""
        rows = work.rows
        for key, state in local.items():
            if key in rows:
                del rows[key]  # re-insert: a row's seq follows its last change
            rows[key] = state
        work.known.update(local)
        if local_unique:
            work.unique.update(local_unique)
            for (scope, coll_name, key_name, value), row_id in local_unique.items():
                work.batch.unique_keys.append((scope, coll_name, key_name, value, row_id))

    def _decide(self, coll: Collection, current: RowState | None, op: Operation, client_id: str,
                local_unique: dict[tuple[str, str, str, bytes], str | int], work: _Work) -> Outcome:
        if op.kind == "insert" and coll.unique and (current is None or current.deleted):
            taken = self._unique_taken(coll, op, local_unique, work)
            if taken is not None:
                if coll.policy != "append_only":
                    return Outcome("rejected", None, None, "unique")
                # the same entry was already recorded under another id: keep one,
                # and tombstone this id so the device that made it drops its copy
                stamp = Stamp(op.insert_order, client_id, 1)
                return Outcome("merged", RowState(
                    collection=op.collection, row_id=op.row_id, scope=op.scope, version=1,
                    insert_order=op.insert_order, deleted=True, fields=dict(op.fields), stamps={ALIVE: stamp}))
        return apply_operation(coll, current, op, client_id, self.resolvers.get(coll.resolver or ""))

    def _unique_taken(self, coll: Collection, op: Operation, local_unique: dict[tuple[str, str, str, bytes], str | int],
                      work: _Work) -> str | int | None:
        for names in coll.unique:
            values = [op.fields.get(n) for n in names]
            if any(v is None for v in values):
                continue
            ukey = (op.scope, coll.name, ",".join(names), _encode(values))
            owner = local_unique.get(ukey, work.unique.get(ukey))
            if owner is None:
                owner = self.store.find_unique(*ukey)
            if owner is not None and owner != op.row_id:
                existing = self._row((op.scope, coll.name, owner), {}, work)
                if existing is not None and not existing.deleted:
                    return owner
            local_unique[ukey] = op.row_id
        return None

    def _owner(self, pair: tuple[str, Any], work: _Work) -> str | None:
        """The scope holding the id ``pair`` (collection, row id) in the store or
        in this batch; None if no scope does. Read up front for the batch's
        inserts (:meth:`_prefetch`), else now."""
        owner = work.claimed.get(pair)
        if owner is not None:
            return owner
        return self._held(pair[0], pair[1], work)

    def _held(self, collection: str, row_id: Any, work: _Work) -> str | None:
        """The scope holding ``row_id`` of ``collection`` in the store, if any."""
        read = work.claims.get(collection)
        if read is None:
            read = work.claims[collection] = (set(), {})
        if row_id not in read[0]:
            read[0].add(row_id)
            owner = self.store.load_claims(collection, [row_id]).get(row_id)
            if owner is not None:
                read[1][row_id] = owner
                work.watch.add(row_id)
        return read[1].get(row_id)

    def _row(self, key: RowKey, local: dict[RowKey, RowState], work: _Work) -> RowState | None:
        """The row as this mutation (``local``) and the batch so far leave it."""
        state = local.get(key)
        if state is not None:
            return state
        known = work.known
        if key in known:
            return known[key]
        state = known[key] = self.store.load_rows([key]).get(key)
        if state is not None:
            work.stored.add(key)
        return state

    def _prefetch(self, requests: Sequence[PushRequest], work: _Work) -> None:
        """Read the stored rows every operation of the batch names, in one go.

        A push of fresh inserts otherwise costs one point lookup per operation
        (13 % of a 100k-op push in a profile). Keys are guessed before
        validation; a wrong guess only costs a lookup, since :meth:`_row`
        falls back to the store for any key not read here. Read inside the
        write transaction, so the rows are those this batch builds on.
        """
        keys: dict[RowKey, None] = {}
        # per collection that claims ids, the first scope each id is inserted under
        inserted: dict[str, dict[Any, str]] = {name: {} for name in self._claiming}
        guess, scoped, watch = self._guess_scope, self._scoped, work.watch
        for request in requests:
            default_scope = request.grant.default_scope
            for mutation in request.mutations:
                for op in mutation.ops:
                    scope = guess(op, default_scope) if op.collection in scoped else op.scope or default_scope
                    keys[(scope, op.collection, op.row_id)] = None
                    if op.kind == "insert":
                        ids = inserted.get(op.collection)
                        if ids is not None and ids.setdefault(op.row_id, scope) != scope:
                            watch.add(op.row_id)  # one id under two scopes in one batch
        inserted = {collection: ids for collection, ids in inserted.items() if ids}
        # every device of the batch too (on PostgreSQL the same round trip, not
        # one a device: 6 of a one-row batch's 11 once); sorted, so two nodes'
        # batches that share devices lock them in one order
        found, work.device_rows = self.store.load_batch(list(keys), inserted,
                                                        sorted({request.client_id for request in requests}))
        work.known = dict.fromkeys(keys)
        work.known.update(found)
        work.stored = set(found)
        # who holds the ids the inserts would take (see _owner); the store read
        # them with the rows, so a push of fresh ids costs set operations only
        for collection, ids in inserted.items():
            held = self.store.load_claims(collection, ids)
            work.claims[collection] = (set(ids), held)
            watch.update(held)

    def _keys_after(self, request: PushRequest, mutation: Mutation, index: int) -> list[RowKey]:
        """Keys of the operations after ``index``: a rejection hands back every
        row the refused mutation wrote, so the device rolls back all of them
        (not only those up to the refused operation)."""
        default_scope = request.grant.default_scope
        return [(self._guess_scope(op, default_scope), op.collection, op.row_id)
                for op in mutation.ops[index + 1:] if op.collection in self.schema]

    def _guess_scope(self, op: Operation, default_scope: str) -> str:
        """The scope ``validation.check_operation`` will give ``op`` if it is valid."""
        if op.kind == "insert":
            rules = self._rules.get(op.collection)
            if rules is not None and rules.scope_field is not None:
                declared = op.fields.get(rules.scope_field)
                return declared if isinstance(declared, str) and declared else default_scope
        return op.scope or default_scope

    def _current_rows(self, keys: Sequence[RowKey], work: _Work, grant: Grant) -> list[RowChange]:
        rows = []
        for key in dict.fromkeys(keys):
            # a row the caller may not read comes back as "not there": it reveals
            # nothing, and the device drops its optimistic copy
            state = self._row(key, {}, work) if key[0] in grant.read else None
            if state is None:
                rows.append(RowChange(collection=key[1], row_id=key[2], scope=key[0], version=0, seq=0,
                                      insert_order=0, deleted=True))
            else:
                rows.append(state.to_change(0))
        return rows

    def _reject(self, mutation: Mutation, reason: str, message: str, path: str, keys: Sequence[RowKey],
                request: PushRequest, work: _Work) -> MutationResult:
        result = MutationResult(client_seq=mutation.client_seq, status="rejected", reason=reason, message=message,
                                path=path)
        return self._hand_back(result, keys, request, work)

    # -- reading ------------------------------------------------------------

    def pull(self, grant: Grant, client_id: str | None, cursor: int, limit: int, *, resync: bool = False,
             arrays: Schema | None = None) -> Changes:
        """One page of rows in the grant's read scopes changed after ``cursor``.

        A device with a cursor below the horizon (tombstones after it may be
        gone) is answered from cursor 0, as the first page of a full re-sync
        (``Changes.resync``), unless ``resync`` says it is already in one. So is
        one at cursor 0 that has rows from the server all the same: rows its
        own applied (or refused) mutations made, or were handed back with. A
        caller at 0 with no such mutations (a new device, a read model) has no
        row to drop and simply bootstraps.

        ``arrays``: the rows as protocol 3 blocks for that schema (``Changes.blocks``).
        """
        scopes = sorted(grant.read)
        blocks = None if arrays is None else row_blocks(arrays)
        page = self.store.changes_since(scopes, cursor, limit, client_id, blocks)
        has_rows = cursor > 0 or page.applied.get(client_id or "", 0) > 0
        begins = not resync and has_rows and cursor < page.horizon
        if begins and cursor > 0:
            page = self.store.changes_since(scopes, 0, limit, client_id, blocks)
        return Changes(rows=page.rows, blocks=page.blocks, cursor=page.cursor, applied=page.applied, more=page.more,
                       server_clock=self.clock.last, head=page.head, resync=resync or begins, resync_begins=begins)

    # -- compaction -----------------------------------------------------------

    def compact(self, older_than_ms: int) -> Compaction:
        """:func:`compact` this engine's store by its wall clock. Call it where
        the engine's writes run (the server's writer thread)."""
        return compact(self.store, older_than_ms, self._wall_clock() // 1000)

    def compact_upto(self, seq: int) -> Compaction:
        """Remove the tombstones last changed at or below ``seq`` (see :func:`compact`)."""
        with self.store.write_transaction():
            return self.store.compact(seq)


def compact(store: Store, older_than_ms: int, now_ms: int) -> Compaction:
    """Remove the tombstones whose last change committed more than
    ``older_than_ms`` before ``now_ms``, as far as the store's marks tell (it
    notes its head about once a minute as batches commit), and raise the
    horizon past them: devices whose cursor is below it re-sync fully on their
    next pull. One store write transaction; a process of its own may run it
    beside a running server (SQLite waits for the server's writer).
    """
    if older_than_ms < 0:
        raise ValueError(f"older_than_ms must be >= 0, got {older_than_ms}")
    with store.write_transaction():
        return store.compact(store.head_at(now_ms - older_than_ms))


def _record_conflicts(work: _Work, mutation: Mutation, conflicts: list[Conflict]) -> None:
    """Store the conflicts a mutation met (whether it was applied or refused)."""
    work.batch.conflicts.extend((mutation.client_seq, c, work.wall_us // 1000) for c in conflicts)


def _counter_out_of_range(coll: Collection, op: Operation, state: RowState) -> tuple[str, str] | None:
    """(path, message) of a counter an increment drove past what every store
    and device holds (64-bit integers, finite reals), or None."""
    for name in op.fields:
        value = state.fields.get(name)
        if coll.fields[name].type == "integer":
            if isinstance(value, int) and not fits_64_bits(value):
                return f".fields.{name}", f"{coll.name}.{name} would not fit in 64 bits"
        elif isinstance(value, float) and not math.isfinite(value):
            return f".fields.{name}", f"{coll.name}.{name} would not be a finite number"
    return None


def _op_path(index: int, i: int) -> str:
    return f"$.mutations[{index}].ops[{i}]"


def _reason_text(reason: str, op: Operation) -> str:
    texts = {
        "concurrent": "the row changed on the server since this edit was made",
        "exists": "a row with this id exists already",
        "not_found": "no such row on the server",
        "deleted": "the row was deleted on the server",
        "unique": "another row has the same unique key",
        "id_taken": "this id is in use in another scope; make a new id",
    }
    return f"{op.collection} {op.row_id!r}: {texts.get(reason, reason)}"
