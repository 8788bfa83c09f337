"""How long a PostgreSQL connection of a node may stall the others.

A batch locks the rows, devices and unique values it decides on (see
``store.postgres``). So a node that stops between two statements of a batch
(frozen, swapped out, cut off by the network) would hold up the writers of
those rows for as long as its session lives: with PostgreSQL's defaults, for
hours. These limits bound that:

========================================  =========  ==========================================
setting                                   default    what it bounds
========================================  =========  ==========================================
``idle_in_transaction_session_timeout``   5 s        a node that stops mid-batch: its session
                                                     ends and its locks go, so the others wait
                                                     at most this long (plus their own batch)
``lock_timeout``                          15 s       a writer waiting for a row, device or
                                                     unique-value lock gives up (the batch
                                                     fails, devices resend); set
                                                     above the idle limit so a frozen holder is
                                                     cut off first
``statement_timeout``                     30 s       one statement (a pull page, a compaction)
``tcp_keepalives_*`` (server side)        5 s idle,  a node whose host or link is gone: the
                                          2 s x 3    server drops its session in about 11 s
``keepalives_*`` (libpq, node side)       5 s idle,  the database's host or link is gone: the
                                          2 s x 3    node notices in about 11 s and reconnects
``tcp_user_timeout`` (both sides)         10 s       data sent and not acknowledged
========================================  =========  ==========================================

Each is a default only: a setting named in the connection string (a libpq
parameter such as ``keepalives_idle=10``, or ``options=-c lock_timeout=2000``)
wins. A batch whose work between two statements takes longer than the idle
limit is cut off too; a batch is at most :data:`~sync_server.app.MAX_BATCH_REQUESTS`
pushes, far below that at the measured ~50k operations/s.
"""

from __future__ import annotations

from typing import Any

from psycopg.conninfo import conninfo_to_dict

#: server settings (``-c name=value`` in the startup options), in milliseconds or seconds as PostgreSQL takes them
SERVER_SETTINGS: dict[str, int] = {
    "idle_in_transaction_session_timeout": 5_000,
    "lock_timeout": 15_000,
    "statement_timeout": 30_000,
    "tcp_keepalives_idle": 5,
    "tcp_keepalives_interval": 2,
    "tcp_keepalives_count": 3,
    "tcp_user_timeout": 10_000,
}

#: libpq parameters of the node's own end of each connection
CLIENT_SETTINGS: dict[str, Any] = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,
    "connect_timeout": 10,
    "application_name": "offsync",
}


def connect_kwargs(dsn: str) -> dict[str, Any]:
    """The settings to pass to ``psycopg.connect(dsn, **kwargs)``: every default
    of :data:`CLIENT_SETTINGS` and :data:`SERVER_SETTINGS` that ``dsn`` does not
    name itself.

    Raises:
        psycopg.ProgrammingError: ``dsn`` is not a valid connection string.
    """
    named = conninfo_to_dict(dsn)
    out: dict[str, Any] = {k: v for k, v in CLIENT_SETTINGS.items() if k not in named}
    options = str(named.get("options") or "")
    extra = " ".join(f"-c {name}={value}" for name, value in SERVER_SETTINGS.items() if name not in options)
    if extra:
        out["options"] = f"{options} {extra}".strip()
    return out
