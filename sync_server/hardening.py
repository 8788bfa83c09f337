"""What ``offsync serve`` does to run on a public network (docs/security.md):
its files readable by its own user only, and accept errors logged at most
once an interval. (Logs never record a query string: ``sync_server.logs``.)"""

from __future__ import annotations

import logging
import os
import stat
import time

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
