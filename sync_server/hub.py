"""The hub: fans each committed batch out to the connections subscribed to
its scopes, encoded once per group of subscribers."""

from __future__ import annotations

import heapq
import operator
from typing import Protocol

from shared.blocks import group_rows
from shared.messages import Changes, Codec, RowChange

from .engine import BatchOutcome
from .evolution import Translation
from .wire import ARRAYS, changes_for, without_own_rows


class Subscriber(Protocol):
    """What the hub needs of a connection (``app.Connection``)."""

    codec: Codec

    @property
    def wants_echo(self) -> bool: ...

    def deliver_live(self, head: int, payload: bytes) -> None: ...


_Group = tuple[frozenset[str], str]  # a hub's subscribers: (scopes read, user)


class Hub:
    """Fans committed changes out to subscribed connections.

    A live batch carries the last applied ``client_seq`` of each device of the
    group it goes to, read in the same snapshot as its rows (the rows of a
    device's own writes may come live before its Ack): a device then never
    replays a write over rows that already include it. Other users' devices
    are left out.

    Protocol 3: rows go as arrays, and a device's live batch leaves out the rows
    that end the batch exactly as it wrote them (``BatchOutcome.echo_free``):
    its Ack told it their versions. Its copy of the batch is then encoded on
    its own (once per device, not per connection of the group).
    """

    def __init__(self, translation: Translation | None = None) -> None:
        #: subscribers by (scopes, user): a live batch is encoded once per group, and
        #: its ``applied`` names only the group's own devices
        self._subscribers: dict[_Group, set[Subscriber]] = {}
        #: device ids subscribed in each group (a device may hold two connections)
        self._clients: dict[_Group, dict[str, int]] = {}
        self._client_of: dict[Subscriber, str] = {}
        #: how many subscribers read each scope; scopes read by none are not fanned out
        self._scope_count: dict[str, int] = {}
        #: scopes that gained their first subscriber since the fan-out last looked
        self.scopes_added: set[str] = set()
        #: devices on older schema versions get their rows translated (sync_server.evolution);
        #: the few subscribers on one are kept here, so the others cost nothing more
        self.translation = translation
        self._older: dict[Subscriber, int] = {}
        #: subscribers speaking protocol 3 or later (row arrays, no echo)
        self._arrays: set[Subscriber] = set()

    def subscribe(self, connection: Subscriber, scopes: frozenset[str], user: str = "",
                  client_id: str | None = None, schema_version: int = 0, protocol: int = 2) -> None:
        """Send ``connection`` the batches of ``scopes``; their ``applied`` lists
        only the devices of ``user`` subscribed to the same scopes; a device on
        an older ``schema_version`` gets them translated."""
        key = (scopes, user)
        group = self._subscribers.setdefault(key, set())
        if connection in group:
            return
        group.add(connection)
        if self.translation is not None and schema_version and self.translation.translates(schema_version):
            self._older[connection] = schema_version
        if protocol >= ARRAYS and self.translation is not None:
            self._arrays.add(connection)
        if client_id is not None:
            clients = self._clients.setdefault(key, {})
            clients[client_id] = clients.get(client_id, 0) + 1
            self._client_of[connection] = client_id
        for scope in scopes:
            count = self._scope_count.get(scope, 0)
            if count == 0:
                self.scopes_added.add(scope)
            self._scope_count[scope] = count + 1

    def unsubscribe(self, connection: Subscriber) -> None:
        self._older.pop(connection, None)
        self._arrays.discard(connection)
        client_id = self._client_of.pop(connection, None)
        for key, group in self._subscribers.items():
            if connection not in group:
                continue
            group.discard(connection)
            clients = self._clients.get(key)
            if client_id is not None and clients is not None:
                clients[client_id] -= 1
                if not clients[client_id]:
                    del clients[client_id]
            for scope in key[0]:
                self._scope_count[scope] -= 1
                if not self._scope_count[scope]:
                    del self._scope_count[scope]

    @property
    def scopes(self) -> frozenset[str]:
        """Every scope some subscriber reads."""
        return frozenset(self._scope_count)

    @property
    def client_ids(self) -> set[str]:
        """Every subscribed device."""
        return set().union(*self._clients.values())

    def reads_any(self, scopes: frozenset[str]) -> bool:
        """Whether some subscriber reads one of ``scopes``."""
        return any(scope in self._scope_count for scope in scopes)

    def publish(self, outcome: BatchOutcome) -> None:
        """Send a committed batch's rows to every subscriber of their scopes,
        encoded once per group (scopes and user), schema version and codec."""
        if not outcome.rows:
            return
        by_scope = group_rows(outcome.rows, _scope_of)  # each scope's rows in seq order
        writers = set(outcome.echo_free.values()) if outcome.echo_free else set()
        for key, group in self._subscribers.items():
            if not group:
                continue
            rows = _rows_in(by_scope, key[0])
            if not rows:
                continue
            applied: dict[str, int] = {}
            if outcome.applied:
                clients = self._clients.get(key, {})
                applied = {cid: seq for cid, seq in outcome.applied.items() if cid in clients}
            message = Changes(rows=rows, cursor=outcome.head, applied=applied,
                              server_clock=outcome.server_clock, head=outcome.head)
            encoded: dict[tuple[str, int, int, str], bytes] = {}
            older, arrays, client_of = self._older, self._arrays, self._client_of
            for connection in list(group):
                codec = connection.codec
                if not older and not arrays:  # every device speaks protocol 1 or 2, on the current schema
                    shape: tuple[str, int, int, str] = (codec.name, 0, 0, "")
                else:
                    version = older.get(connection, 0)
                    protocol = ARRAYS if connection in arrays else 0
                    own = client_of.get(connection, "") if writers and protocol and not version \
                        and not connection.wants_echo else ""
                    shape = (codec.name, version, protocol, own if own in writers else "")
                payload = encoded.get(shape)
                if payload is None:
                    payload = encoded[shape] = codec.encode(self._shaped(message, shape, outcome))
                connection.deliver_live(outcome.head, payload)

    def _shaped(self, message: Changes, shape: tuple[str, int, int, str], outcome: BatchOutcome) -> Changes:
        """A group's live batch for devices on schema ``version`` (0: the current
        one) speaking ``protocol`` (0: below 3), less the rows of ``own``."""
        _, version, protocol, own = shape
        if not version and not protocol:
            return message
        assert self.translation is not None
        if own:
            message = without_own_rows(message, own, outcome.echo_free)
        return changes_for(self.translation, version or self.translation.current, protocol or 2, message)


_scope_of = operator.attrgetter("scope")


def _rows_in(by_scope: dict[str, list[RowChange]], scopes: frozenset[str]) -> list[RowChange]:
    """The rows of a batch in any of ``scopes``, in seq order. One pass over the
    batch per publish instead of one per set of scopes: with one user per scope
    set, a batch was filtered once for every connected user."""
    parts = [by_scope[scope] for scope in scopes if scope in by_scope]
    if len(parts) <= 1:
        return parts[0] if parts else []
    return list(heapq.merge(*parts, key=_seq))


def _seq(row: RowChange) -> int:
    return row.seq
