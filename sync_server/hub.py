"""The hub: fans each committed batch out to the connections subscribed to
its scopes, encoded once per group of subscribers."""

from __future__ import annotations

import heapq
from typing import Protocol

from shared.messages import Changes, Codec, RowChange

from .engine import BatchOutcome
from .evolution import Translation


class Subscriber(Protocol):
    """What the hub needs of a connection (``app.Connection``)."""

    codec: Codec

    def deliver_live(self, head: int, payload: bytes) -> None: ...


_Group = tuple[frozenset[str], str]  # a hub's subscribers: (scopes read, user)


class Hub:
    """Fans committed changes out to subscribed connections.

    A live batch carries the last applied ``client_seq`` of each device of the
    group it goes to, read in the same snapshot as its rows (the rows of a
    device's own writes may come live before its Ack): a device then never
    replays a write over rows that already include it. Other users' devices
    are left out.
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

    def subscribe(self, connection: Subscriber, scopes: frozenset[str], user: str = "",
                  client_id: str | None = None, schema_version: int = 0) -> None:
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
        by_scope = _rows_by_scope(outcome.rows)
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
            encoded: dict[str | tuple[str, int], bytes] = {}
            older = self._older
            for connection in list(group):
                codec = connection.codec
                if older and connection in older:
                    self._deliver_older(connection, older[connection], message, encoded, outcome.head)
                    continue
                payload = encoded.get(codec.name)
                if payload is None:
                    payload = encoded[codec.name] = codec.encode(message)
                connection.deliver_live(outcome.head, payload)

    def _deliver_older(self, connection: Subscriber, version: int, message: Changes,
                       encoded: dict[str | tuple[str, int], bytes], head: int) -> None:
        """A live batch for a device on an older schema version: translated and
        encoded once per (version, codec) of the group."""
        assert self.translation is not None
        key = (connection.codec.name, version)
        payload = encoded.get(key)
        if payload is None:
            payload = encoded[key] = connection.codec.encode(self.translation.changes(version, message))
        connection.deliver_live(head, payload)


def _rows_by_scope(rows: list[RowChange]) -> dict[str, list[RowChange]]:
    """A batch's rows split by scope, each list in seq order."""
    by_scope: dict[str, list[RowChange]] = {}
    for row in rows:
        found = by_scope.get(row.scope)
        if found is None:
            by_scope[row.scope] = [row]
        else:
            found.append(row)
    return by_scope


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
