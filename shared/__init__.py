"""offsync's pure core: schema, wire messages, clock, merge rules, errors.

Nothing in this package does I/O, reads the clock or draws random numbers:
time and ids are passed in. That is what lets a client and a server be wired
together in memory and tested under dropped, duplicated and reordered messages.
"""

from .errors import (
    AuthError,
    InvalidInput,
    MessageError,
    ProtocolError,
    ProtocolMismatch,
    RemoteError,
    SchemaError,
    SchemaMismatch,
    StateError,
    SyncError,
    UsageError,
    ValidationError,
)
from .evolution import ChangePolicy, DropCollection, DropField, History, RenameField, Retype
from .hlc import HybridClock
from .schema import Collection, Field, Retention, Schema, Vector

__all__ = [
    "AuthError",
    "ChangePolicy",
    "Collection",
    "DropCollection",
    "DropField",
    "Field",
    "History",
    "HybridClock",
    "InvalidInput",
    "MessageError",
    "ProtocolError",
    "ProtocolMismatch",
    "RemoteError",
    "RenameField",
    "Retention",
    "Retype",
    "Schema",
    "SchemaError",
    "SchemaMismatch",
    "StateError",
    "SyncError",
    "UsageError",
    "ValidationError",
    "Vector",
]
