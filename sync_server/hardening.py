"""What ``offsync serve`` does to run on a public network (docs/security.md):
its files readable by its own user only, accept errors logged at most once
an interval, and the uvicorn settings and HTTP protocol that enforce the
connection limits uvicorn has no setting for. (Logs never record a query
string: ``sync_server.logs``.)"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import stat
import time
from typing import Any

from .limits import Limits, raise_open_file_limit

log = logging.getLogger("offsync.server")

#: the SQLite companions of a database file (SQLite gives them the file's own mode)
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def make_private(path: str) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist (SQLite takes
    an empty file as a new database, and gives its WAL files the same mode);
    take the group's and others' bits off an existing one and its companions,
    with a warning."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for suffix in SQLITE_SUFFIXES:
            _tighten(path + suffix)
    else:
        os.close(fd)


def _tighten(path: str) -> None:
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if mode & 0o077:
        os.chmod(path, mode & 0o700)
        log.warning("%s could be read by other users (mode %o); it is now %o", path, mode, mode & 0o700)


class AtMostEvery(logging.Filter):
    """Lets through at most one record per ``interval`` seconds among those
    whose message contains ``marker`` (a storm of accept errors once wrote
    4.5 MB of log a second), and says how many it held back with the next one
    it lets through. Other records pass."""

    def __init__(self, marker: str, interval: float) -> None:
        super().__init__()
        self.marker = marker
        self.interval = interval
        self._next = 0.0
        self._held = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if self.marker not in str(record.msg):
            return True
        now = time.monotonic()
        if now < self._next:
            self._held += 1
            return False
        if self._held:
            record.msg = f"{record.msg} ({self._held} more like it held back)"
            self._held = 0
        self._next = now + self.interval
        return True


def limit_accept_errors(interval: float) -> None:
    """Log asyncio's accept errors (``socket.accept() out of system resource``)
    at most once per ``interval`` seconds."""
    logger = logging.getLogger("asyncio")
    for old in [f for f in logger.filters if isinstance(f, AtMostEvery)]:
        logger.removeFilter(old)
    logger.addFilter(AtMostEvery("accept", interval))


def client_network(client: tuple[str, int] | None) -> str | None:
    """The address a connection counts against: its IP, or for IPv6 its /64
    network (one host is routinely given a whole /64 and may use any of it)."""
    if client is None:
        return None
    host = client[0]
    if ":" not in host:
        return host
    try:
        address = ipaddress.IPv6Address(host.split("%", 1)[0])
    except ValueError:
        return host
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.IPv6Network((int(address) >> 64 << 64, 64)))


def guarded_http_protocol(max_connections: int, header_timeout_s: float,
                          max_connections_per_address: int | None = None) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol, with the limits it lacks: a connection past
    ``max_connections`` (every open HTTP and WebSocket connection of the
    server), or past ``max_connections_per_address`` from one address
    (:func:`client_network`), is closed as soon as it is accepted, and a
    request whose headers have not all arrived within ``header_timeout_s`` is
    closed (300 clients trickling headers were all still held after 30 s)."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    per_address = max_connections_per_address or max_connections

    class GuardedH11Protocol(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)  # type: ignore[arg-type]
            if len(self.connections) > max_connections or self._address_full():
                self.connections.discard(self)
                transport.abort()  # type: ignore[attr-defined]
                return
            self._arm()

        def _address_full(self) -> bool:
            """More than ``per_address`` open connections (this one included)
            from this one's address? ``connections`` holds uvicorn's HTTP and
            WebSocket protocols alike, each with its ``client`` address; the
            scan runs only once the server holds more than that many."""
            if len(self.connections) <= per_address:
                return False
            mine = client_network(self.client)
            return sum(client_network(getattr(c, "client", None)) == mine for c in self.connections) > per_address

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._header_timer is None and self.conn.their_state is h11.IDLE:
                self._arm()  # the next request of a kept-alive connection has begun

        def connection_lost(self, exc: Exception | None) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._header_timer = self.loop.call_later(header_timeout_s, self._headers_late)

        def _headers_late(self) -> None:
            self._header_timer = None
            transport = self.transport
            if transport.is_closing() or transport.get_protocol() is not self:
                return  # closed, or handed over to a WebSocket
            waiting = self.cycle is None or self.cycle.response_complete  # no request being answered
            if self.conn.their_state is h11.IDLE and waiting:
                transport.close()

    return GuardedH11Protocol


def uvicorn_config(app: Any, *, host: str, port: int, limits: Limits, max_frame_bytes: int,
                   log_level: str = "info", deflate: bool = False) -> Any:
    """The uvicorn Config ``offsync serve`` runs with: the limits uvicorn
    enforces itself (frame size; its WebSocket protocol reads no further
    frame until the app has taken the last one) and those
    :func:`guarded_http_protocol` adds. Raises the open-file limit first, and
    logs accept errors at most once per ``limits.accept_error_log_interval_s``.

    ``deflate``: accept permessage-deflate when a device offers it (browsers
    always do). Off by default: the event loop inflates every frame and
    deflates every message per connection, so a user's compressible 2 MB
    pushes and the pages sent to it cost every other user's answers (under
    the flood benchmark two thirds of the loop's busy samples; B's p99
    951 ms without it against 1,754 ms with it in one pair of runs, and the
    server's peak RSS 202 MB against 330 MB)."""
    import uvicorn

    raise_open_file_limit()
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="on", log_config=None,
                            ws_max_size=max_frame_bytes, ws_per_message_deflate=deflate,
                            http=guarded_http_protocol(limits.max_connections, limits.header_timeout_s,
                                                         limits.max_connections_per_address))
    limit_accept_errors(limits.accept_error_log_interval_s)
    return config
