"""The ``offsync`` command: ``serve``, ``token`` and ``demo``; the operator's
commands (``status``, ``inspect``, ``backup``, ``export``, ``import``) are in
:mod:`sync_server.admin_cli`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from shared.errors import SyncError

from .loading import APPS, load_history, load_schema, resolvers_for  # noqa: F401  (load_schema: the CLI's API)
from .loading import open_store as _open_store

if TYPE_CHECKING:  # the server modules load only when a command needs them
    from .app import SyncServer
    from .limits import Limits

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8787
DEFAULT_DB = "offsync.db"

DAY_MS = 24 * 3600 * 1000
#: ``offsync serve`` compacts tombstones older than this by default; a device
#: offline for longer re-syncs fully when it comes back
DEFAULT_COMPACT_AFTER_DAYS = 30.0


def build_server(db: str, schema_spec: str, *, synchronous: str = "FULL",
                 compact_after_days: float | None = None, cors_origins: Sequence[str] = (),
                 demo_app: str | None = None, limits: Limits | None = None) -> SyncServer:
    """The SyncServer for ``offsync serve``: SQLite at ``db``, or PostgreSQL when
    ``db`` is a ``postgresql://`` URL (several nodes may share that database)."""
    from .app import SyncServer
    from .auth import load_or_create_secret
    from .export_api import install as install_export
    from .hardening import make_private
    from .search_api import install as install_search
    from .web import install as install_web

    schema = load_history(schema_spec)
    postgres = db.startswith(("postgresql://", "postgres://"))
    if postgres and not os.environ.get("OFFSYNC_SECRET"):
        raise SystemExit("with PostgreSQL every node needs the same secret: set OFFSYNC_SECRET")
    secret = load_or_create_secret(db)  # first: a bad secret file stops the start before anything is made
    if not postgres:
        make_private(db)  # rows and the search index are the users' data: 0600
        make_private(f"{db}.search")
    store = _open_store(db, synchronous)
    compact_after_ms = None if compact_after_days is None else round(compact_after_days * DAY_MS)
    server = SyncServer(schema, store, secret, resolvers=resolvers_for(schema_spec),
                        compact_after_ms=compact_after_ms, limits=limits)
    install_export(server)
    install_web(server, cors_origins=cors_origins, app=demo_app)  # /schema, /client/, /app/, CORS
    # the search endpoint keeps its index in a file beside the database (in memory on PostgreSQL)
    install_search(server, ":memory:" if db.startswith(("postgresql://", "postgres://")) else f"{db}.search")
    return server


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import MAX_FRAME_BYTES
    from .hardening import uvicorn_config
    from .limits import limits_from_args
    from .logs import configure as configure_logs
    from .web import DEMO_APPS

    try:
        limits = limits_from_args(args)
    except ValueError as exc:
        raise SystemExit(f"offsync serve: {exc}") from None
    server = build_server(args.db, args.app or args.schema, compact_after_days=args.compact_after_days,
                          cors_origins=args.cors_origin or (), demo_app=args.app if args.app in DEMO_APPS else None,
                          limits=limits)
    print(f"offsync serving {args.app or args.schema} on http://{args.host}:{args.port} (db {args.db})", flush=True)
    configure_logs(args.log_format, args.log_level)  # redacted, text or JSON; uvicorn's records too
    config = uvicorn_config(server.app, host=args.host, port=args.port, limits=limits,
                            max_frame_bytes=MAX_FRAME_BYTES, log_level=args.log_level, deflate=args.ws_deflate)
    uvicorn.Server(config).run()
    return 0


def _compact(args: argparse.Namespace) -> int:
    import time

    from .engine import compact

    store = _open_store(args.db)
    try:
        done = compact(store, round(args.older_than_days * DAY_MS), time.time_ns() // 1_000_000)
    finally:
        store.close()
    print(f"removed {done.removed} tombstones; horizon {done.horizon}")
    return 0


def _days(text: str) -> float | None:
    """``--compact-after-days``: a number of days >= 0, or ``never``."""
    if text == "never":
        return None
    try:
        return _non_negative_days(text)
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"{exc}, or 'never'") from None


def _non_negative_days(text: str) -> float:
    try:
        days = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of days, got {text!r}") from None
    if not days >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"expected a number of days >= 0, got {text!r}")
    return days


def _origin(text: str) -> str:
    """``--cors-origin``: an origin such as https://app.example:8443."""
    from .web import check_origin

    try:
        return check_origin(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _token(args: argparse.Namespace) -> int:
    from .auth import TokenAuthority, find_secret

    authority = TokenAuthority(find_secret(args.db))
    print(authority.issue(args.user, args.scope or (), read_scopes=args.read_scope or (), ttl=args.ttl))
    return 0


def _demo(args: argparse.Namespace) -> int:
    # the demo runs devices too: it lives outside the server package, imported only here
    from sync_demo import run_demo

    return run_demo(verbose=not args.quiet)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="offsync", description="offline-first sync engine")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the sync server")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--db", default=DEFAULT_DB,
                       help="SQLite file (default ./offsync.db) or a postgresql:// URL for several nodes")
    serve.add_argument("--schema", default="notes", help="module:attr of a Schema or a schema History (default: the bundled notes app)")
    serve.add_argument("--app", choices=sorted(APPS), help="serve a bundled app's schema")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--log-format", choices=["text", "json"], default=os.environ.get("OFFSYNC_LOG_FORMAT", "text"),
                       help="text, or one JSON object a line (default: OFFSYNC_LOG_FORMAT or text); "
                            "never tokens or query strings")
    serve.add_argument("--compact-after-days", type=_days, default=DEFAULT_COMPACT_AFTER_DAYS, metavar="DAYS",
                       help="remove tombstones older than DAYS, hourly (default 30; 'never' keeps them); "
                            "a device offline for longer re-syncs fully")
    serve.add_argument("--cors-origin", action="append", type=_origin, metavar="URL",
                       help="let pages of this origin call the server (repeatable; none by default)")
    serve.add_argument("--ws-deflate", action=argparse.BooleanOptionalAction, default=False,
                       help="accept permessage-deflate from devices that offer it: fewer bytes on slow links, "
                            "CPU on the event loop for every frame (default off; docs/security.md)")
    from .limits import add_limit_flags

    add_limit_flags(serve)
    serve.set_defaults(func=_serve)

    compact = sub.add_parser("compact", help="remove old tombstones now (beside a running server too)")
    compact.add_argument("--db", default=DEFAULT_DB, help="SQLite file or postgresql:// URL")
    compact.add_argument("--older-than-days", type=_non_negative_days, required=True, metavar="DAYS")
    compact.set_defaults(func=_compact)

    token = sub.add_parser("token", help="print a token the server accepts")
    token.add_argument("--user", required=True)
    token.add_argument("--scope", action="append", help="a scope to read and write (repeatable; default user:NAME)")
    token.add_argument("--read-scope", action="append", help="a scope to read only (repeatable)")
    token.add_argument("--ttl", type=int, default=30 * 24 * 3600, help="seconds until it expires")
    token.add_argument("--db", default=DEFAULT_DB,
                       help="the server's database: its secret is read from DB.secret beside it, or from "
                            "OFFSYNC_SECRET (which wins); never created here")
    token.set_defaults(func=_token)

    demo = sub.add_parser("demo", help="three devices, two offline, conflicting edits, then converge")
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(func=_demo)

    from .admin_cli import register as register_admin
    from .apps.polar_markdown import register as register_project_markdown

    register_admin(sub, DEFAULT_DB)

    register_project_markdown(sub)

    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("OFFSYNC_LOG", "WARNING"))
    try:
        return int(args.func(args))
    except SyncError as exc:
        print(f"offsync: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
