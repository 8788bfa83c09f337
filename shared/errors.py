"""The error tree of offsync.

Every error the engine raises descends from :class:`SyncError`::

    SyncError
    ├── UsageError          we misused the API (a local bug: wrong argument, bad call order)
    │   ├── SchemaError     a schema declaration is inconsistent
    │   └── WrongEndpoint   the URL is not an offsync WebSocket (http://, a wrong path)
    ├── InvalidInput        input from outside failed validation; nothing was changed
    │   ├── ValidationError a row or field value (names collection and field)
    │   ├── MessageError    a frame or body that is not a well-formed message
    │   ├── AuthError       a missing, bad or expired token, or a scope not granted
    │   ├── SchemaMismatch  the peer runs another schema version
    │   └── ProtocolMismatch the peer speaks a protocol version we do not
    ├── ProtocolError       a well-formed message at the wrong time (Push before Hello)
    ├── StateError          the object is in the wrong state for the call (closed, offline)
    └── RemoteError         the peer answered with an ``Error`` message

Only adapters (the Starlette app, the WebSocket client loop) turn these into
close codes and HTTP statuses, and only ``code``, ``message`` and ``path`` ever
reach a peer: never a traceback or internal exception text.
"""

from __future__ import annotations


class SyncError(Exception):
    """Root of every offsync error."""

    code = "sync_error"

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.message} (at {self.path})" if self.path else self.message


class UsageError(SyncError):
    """The caller misused the API: a local bug, never the peer's fault."""

    code = "usage"


class SchemaError(UsageError):
    """A schema declaration is inconsistent (duplicate field, unknown type...)."""

    code = "schema"


class WrongEndpoint(UsageError):
    """The client was given a URL that is no offsync WebSocket endpoint: not
    ``ws://`` or ``wss://``, or a server that answered the upgrade with an
    HTTP status (a wrong path; offsync listens on ``/sync``)."""

    code = "wrong_endpoint"


class InvalidInput(SyncError):
    """Input from outside the engine failed validation; nothing was changed."""

    code = "invalid_input"


class ValidationError(InvalidInput):
    """A row or a field value does not fit its collection's declaration."""

    code = "invalid_row"

    def __init__(self, message: str, *, path: str = "", code: str | None = None) -> None:
        super().__init__(message, path=path)
        if code is not None:
            self.code = code


class MessageError(InvalidInput):
    """A frame or body is not a well-formed protocol message."""

    code = "invalid_message"


class AuthError(InvalidInput):
    """A token is missing, malformed, badly signed or expired, or a scope is not granted."""

    code = "unauthorized"

    def __init__(self, message: str, *, path: str = "", code: str = "unauthorized") -> None:
        super().__init__(message, path=path)
        self.code = code


class SchemaMismatch(InvalidInput):
    """The peer's schema version differs from ours."""

    code = "schema_mismatch"


class ProtocolMismatch(InvalidInput):
    """The peer speaks a protocol version we do not."""

    code = "protocol_mismatch"


class ProtocolError(SyncError):
    """The peer sent a well-formed message that is not valid in the current state."""

    code = "protocol"


class StateError(SyncError):
    """The object is in the wrong state for this call (closed replica, not connected)."""

    code = "state"


class ServerBehind(SyncError):
    """The server has lost what it had told this device: mutations it
    answered, or rows up to the device's cursor. Its store was restored from
    an older copy, or replaced. Pushing on would wait for ever on mutations the
    device no longer holds (the server answers ``gap``), and pulling on would
    skip the server's new rows numbered at or below the device's cursor, so
    the device stops, keeping every row and queued write."""

    code = "server_behind"

    def __init__(self, what: str, *, path: str) -> None:
        super().__init__(
            f"{what}: its store was restored from an older copy or replaced. This replica keeps its rows and its "
            "queue; to sync again, start a new replica (a new device) and write into it what the server lacks",
            path=path)

    @classmethod
    def check(cls, server_seq: int, answered: int, head: int, cursor: int) -> ServerBehind | None:
        """The error a Welcome (``server_seq``: its last_client_seq, ``head``: its
        cursor) calls for, from a device that had its mutations answered up to
        ``answered`` and has seen the rows up to ``cursor``; None if none."""
        if server_seq < answered:
            return cls(f"the server knows this device's mutations up to client_seq {server_seq}, but it answered "
                       f"them up to {answered}", path="$.last_client_seq")
        if head < cursor:
            return cls(f"the server's rows go up to seq {head}, but this device has seen them up to {cursor}",
                       path="$.cursor")
        return None


class RemoteError(SyncError):
    """The peer answered with an ``Error`` message; ``code`` is the peer's code."""

    def __init__(self, code: str, message: str, *, path: str = "") -> None:
        super().__init__(message, path=path)
        self.code = code
