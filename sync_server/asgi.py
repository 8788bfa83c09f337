"""An ASGI entry point any ASGI server runs, configured from the environment::

    OFFSYNC_DB=/var/lib/offsync/offsync.db OFFSYNC_SCHEMA=myapp:schema \\
        uvicorn sync_server.asgi:create_app --factory --host 0.0.0.0 --port 8787

==============================  =================================================================
``OFFSYNC_DB``                  SQLite file or ``postgresql://`` URL (default ``offsync.db``)
``OFFSYNC_SCHEMA``              ``module:attr`` of a ``Schema``, or a bundled app (default ``notes``)
``OFFSYNC_SECRET``              the token secret (required with PostgreSQL; else kept beside the
                                SQLite file, as ``offsync serve`` does)
``OFFSYNC_COMPACT_AFTER_DAYS``  compact tombstones older than this, hourly (default 30; ``never``)
``OFFSYNC_CORS_ORIGINS``        origins allowed to call the server, comma-separated (default none)
``OFFSYNC_LOG_FORMAT``          ``text`` or ``json`` (see :mod:`sync_server.logs`)
==============================  =================================================================

The app is the one ``offsync serve`` runs (sync, HTTP push and pull, export,
search, metrics, the browser client); its lifespan starts the writer, so run
it with lifespan on (uvicorn's default). uvicorn's default ``ws_max_size``
(16 MiB) is the server's frame limit; with another server, set its limit to
``sync_server.app.MAX_FRAME_BYTES``. With uvicorn, add ``--log-config`` of your
own or none: the factory sends offsync's records through :mod:`sync_server.logs`.
A bundled app's name in ``OFFSYNC_SCHEMA`` also serves its demo PWA, as
``offsync serve --app`` does.
"""

from __future__ import annotations

import argparse
import os

from starlette.types import ASGIApp

from .cli import DEFAULT_COMPACT_AFTER_DAYS, DEFAULT_DB, _days, _origin, build_server
from .logs import configure, log_format
from .web import DEMO_APPS


def create_app() -> ASGIApp:
    """The offsync server's ASGI app, configured from ``OFFSYNC_*`` variables.

    Raises:
        SystemExit: a variable with a bad value, naming it (uvicorn prints it and stops).
    """
    env = os.environ
    try:
        configure(log_format(), env.get("OFFSYNC_LOG_LEVEL", "INFO"))
    except ValueError as exc:
        raise SystemExit(f"OFFSYNC_LOG_FORMAT: {exc}") from None
    try:
        compact = env.get("OFFSYNC_COMPACT_AFTER_DAYS")
        compact_after_days = DEFAULT_COMPACT_AFTER_DAYS if compact is None else _days(compact)
    except argparse.ArgumentTypeError as exc:
        raise SystemExit(f"OFFSYNC_COMPACT_AFTER_DAYS: {exc}") from None
    try:
        cors = [_origin(o.strip()) for o in env.get("OFFSYNC_CORS_ORIGINS", "").split(",") if o.strip()]
    except argparse.ArgumentTypeError as exc:
        raise SystemExit(f"OFFSYNC_CORS_ORIGINS: {exc}") from None
    spec = env.get("OFFSYNC_SCHEMA", "notes")
    server = build_server(env.get("OFFSYNC_DB", DEFAULT_DB), spec, compact_after_days=compact_after_days,
                          cors_origins=cors, demo_app=spec if spec in DEMO_APPS else None)
    return server.app
