"""The storage interface the engine writes through.

A store keeps the current state of every row (tombstones included) with the
global sequence number of its last change, each device's highest applied
``client_seq``, the conflicts log, and the unique-key index. The engine does
all deciding; a store only reads and writes, and makes a batch durable before
:meth:`Store.commit_batch` returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

import msgspec

from shared.merge import Conflict, RowState
from shared.messages import MutationResult, RowChange

RowKey = tuple[str, str, "str | int"]  # (scope, collection, row_id)


class Device(msgspec.Struct):
    client_id: str
    user: str
    last_client_seq: int


class Batch(msgspec.Struct, kw_only=True):
    """Everything one group commit writes."""

    rows: list[tuple[RowState, int]] = []  # (state, seq)
    devices: list[Device] = []
    conflicts: list[tuple[int, Conflict, int]] = []  # (client_seq, conflict, created_at ms)
    rejections: list[tuple[str, MutationResult]] = []  # (client_id, result)
    unique_keys: list[tuple[str, str, str, bytes, Any]] = []  # (scope, collection, key name, key value, row_id)
    head: int = 0


class Page(msgspec.Struct):
    rows: list[RowChange]
    cursor: int
    more: bool
    head: int
    applied: dict[str, int]


class Store(Protocol):
    """What the engine needs from storage. Reads may run on any thread; the
    engine calls the write methods from one writer thread only."""

    def write_transaction(self) -> AbstractContextManager[None]: ...

    def head(self) -> int: ...

    def load_rows(self, keys: Sequence[RowKey]) -> dict[RowKey, RowState]: ...

    def load_devices(self, client_ids: Iterable[str]) -> dict[str, Device]: ...

    def device(self, client_id: str) -> Device | None: ...

    def find_unique(self, scope: str, collection: str, key_name: str, key_value: bytes) -> Any: ...

    def rejection(self, client_id: str, client_seq: int) -> MutationResult | None: ...

    def commit_batch(self, batch: Batch) -> None: ...

    def changes_since(self, scopes: Sequence[str], cursor: int, limit: int, client_id: str | None) -> Page: ...

    def conflicts(self, scopes: Sequence[str], limit: int = 100) -> list[Conflict]: ...

    def close(self) -> None: ...
