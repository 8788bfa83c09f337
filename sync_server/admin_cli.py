"""The operator's commands: ``offsync status``, ``inspect``, ``backup``,
``export`` and ``import``.

* ``status`` asks a running server (``GET /health`` and ``GET /admin/status``,
  the latter with a token of the ``offsync:admin`` scope) for its head, its
  connected devices and their lag, its counts and its recent errors.
* ``inspect`` reads a device replica (read-only, with any SQLite; the
  replica's schema is not needed): its device id, cursor, pending queue and
  conflicts.
* ``backup`` copies a SQLite server database while the server runs, with
  SQLite's online backup API (through apsw). On PostgreSQL use ``pg_dump``.
* ``export`` writes a server's rows as JSON Lines; ``import`` writes such a
  file into a server database as the writes of one device, through the
  engine (so versions, stamps and sequence numbers are the target's own).

Long work shows its progress on stderr when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import msgspec

from shared.errors import InvalidInput, StateError

if TYPE_CHECKING:
    from shared.schema import Schema

    from .store.base import Store

DEFAULT_URL = "http://127.0.0.1:8787"
#: how long a token ``offsync status`` makes for itself lives
STATUS_TOKEN_TTL_S = 60


class Progress:
    """A one-line progress bar on ``stream`` (stderr), drawn only on a terminal
    and at most every 0.1 s; ``done()`` ends the line."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._last = 0.0

    def update(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self.total = max(total, 1)
        now = time.monotonic()
        if not self.enabled or now - self._last < 0.1:
            return
        self._last = now
        share = min(1.0, done / self.total)
        bar = "#" * int(share * 30)
        self.stream.write(f"\r{self.label} [{bar:<30}] {share:4.0%} ({done}/{self.total})")
        self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * (len(self.label) + 60) + "\r")
            self.stream.flush()


# -- status ---------------------------------------------------------------------------


def _status(args: argparse.Namespace) -> int:
    url = args.url.rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise InvalidInput(f"--url must be the server's http:// or https:// address, got {args.url!r}", path="--url")
    health = _get_json(f"{url}/health")
    token = args.token or os.environ.get("OFFSYNC_ADMIN_TOKEN") or _admin_token(args.db)
    status = _get_json(f"{url}/admin/status", token)
    print(render_status(url, health, status))
    return 0


def _admin_token(db: str) -> str:
    from .auth import TokenAuthority, find_secret
    from .metrics import ADMIN_SCOPE

    return TokenAuthority(find_secret(db)).issue("offsync-status", [ADMIN_SCOPE], ttl=STATUS_TOKEN_TTL_S)


def _get_json(url: str, token: str | None = None) -> dict[str, Any]:
    request = urllib.request.Request(url, headers={"authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read()).get("message", "")
        except ValueError:
            detail = ""
        raise StateError(f"{url} answered HTTP {exc.code}{': ' + detail if detail else ''}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise StateError(f"no server answers at {url}: {reason}") from None
    if not isinstance(body, dict):
        raise StateError(f"{url} did not answer with a JSON object")
    return body


def render_status(url: str, health: dict[str, Any], status: dict[str, Any]) -> str:
    """The text ``offsync status`` prints."""
    devices = status.get("devices", [])
    lines = [f"server {url}: {health.get('status', '?')}, head {status.get('head')}, "
             f"up {_duration(float(status.get('uptime_s', 0)))}",
             f"devices connected: {len(devices)}"]
    if devices:
        lines.append(_table(["device", "user", "cursor", "lag"],
                            [[d["device"], d["user"], d["cursor"], d["lag"]] for d in devices]))
    lines.append("mutations: " + _counts(status.get("mutations", {})))
    lines.append("errors sent: " + _counts(status.get("errors", {})))
    recent = status.get("recent_errors", [])
    if recent:
        lines.append("recent errors:")
        lines.append(_table(["at", "code", "device", "message"],
                            [[_when(e["at"]), e["code"], e["device"] or "-", e["message"]] for e in recent]))
    return "\n".join(lines)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _when(unix_s: float) -> str:
    return datetime.datetime.fromtimestamp(unix_s, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _table(header: list[str], rows: Iterable[Sequence[Any]]) -> str:
    cells = [header, *([str(c) for c in row] for row in rows)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    return "\n".join("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells)


# -- inspect --------------------------------------------------------------------------


def _inspect(args: argparse.Namespace) -> int:
    print(render_inspect(args.db, limit=args.limit))
    return 0


def render_inspect(db: str, *, limit: int = 20) -> str:
    """The text ``offsync inspect`` prints for the replica at ``db``.

    Raises:
        StateError: ``db`` is missing or not an offsync replica.
    """
    import apsw

    from shared.tables import SEQ_SHIFT

    if not Path(db).is_file():
        raise StateError(f"no replica at {db}")
    c = apsw.Connection(db, flags=apsw.SQLITE_OPEN_READONLY)
    try:
        names = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"sync_state", "sync_queue", "sync_conflicts"} <= names:
            raise StateError(f"{db} is not an offsync device replica (no sync_state, sync_queue, sync_conflicts)")
        state: dict[str, Any] = {str(k): v for k, v in c.execute("SELECT key, value FROM sync_state")}
        (ops, mutations), = c.execute(f"SELECT count(*), count(DISTINCT id >> {SEQ_SHIFT}) FROM sync_queue")
        queued = c.execute(f"SELECT id >> {SEQ_SHIFT}, kind, collection, row_id FROM sync_queue "
                           "ORDER BY id LIMIT ?", (limit,)).fetchall()
        (conflict_count,), = c.execute("SELECT count(*) FROM sync_conflicts")
        conflicts = c.execute("SELECT id, client_seq, collection, row_id, kind, reason, created_at "
                              "FROM sync_conflicts ORDER BY id LIMIT ?", (limit,)).fetchall()
    finally:
        c.close()
    lines = [f"replica {db}",
             f"device          {state.get('device_id', '?')}",
             f"cursor          {state.get('cursor', 0)} (server head at the last ack: {state.get('acked_head', 0)})",
             f"last client_seq {state.get('last_client_seq', 0)}"
             + (" (re-syncing)" if state.get("resyncing") else ""),
             f"pending         {ops} operations in {mutations} mutations"]
    if queued:
        lines.append(_table(["client_seq", "kind", "collection", "row_id"], queued))
        if ops > len(queued):
            lines.append(f"  ... {ops - len(queued)} more")
    lines.append(f"conflicts       {conflict_count}")
    if conflicts:
        lines.append(_table(["id", "client_seq", "collection", "row_id", "kind", "reason", "at"],
                            [[*r[:6], _when(int(r[6] or 0) / 1000)] for r in conflicts]))
    return "\n".join(lines)


# -- backup ---------------------------------------------------------------------------


def _is_postgres(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def _backup(args: argparse.Namespace) -> int:
    if _is_postgres(args.db):
        raise StateError("offsync backup copies SQLite databases; for PostgreSQL use its own tools, e.g. "
                         "pg_dump --format=custom --file=offsync.dump 'postgresql://...' "
                         "(and pg_restore to bring it back)")
    pages = backup_sqlite(args.db, args.out, step_pages=args.step_pages)
    print(f"backed up {args.db} to {args.out}: {pages} pages")
    return 0


def backup_sqlite(db: str, out: str, *, step_pages: int = 1024, progress: Progress | None = None) -> int:
    """Copy the SQLite database ``db`` to ``out`` while others write it
    (SQLite's online backup, ``step_pages`` pages at a time). Returns the pages copied.

    Raises:
        StateError: ``db`` is missing, or ``out`` exists.
    """
    import apsw

    if not Path(db).is_file():
        raise StateError(f"no database at {db}")
    if Path(out).exists():
        raise StateError(f"{out} exists: name a new file")
    source = apsw.Connection(db, flags=apsw.SQLITE_OPEN_READONLY)
    target = apsw.Connection(out)
    progress = progress or Progress("backup", 1)
    try:
        with target.backup("main", source, "main") as backup:
            while not backup.done:
                backup.step(step_pages)
                progress.update(backup.page_count - backup.remaining, backup.page_count)
            pages = int(backup.page_count)
    except BaseException:
        target.close()
        Path(out).unlink(missing_ok=True)
        raise
    finally:
        progress.done()
        source.close()
    target.close()
    return pages


# -- export / import ------------------------------------------------------------------


def _export(args: argparse.Namespace) -> int:
    from .loading import open_store

    store = open_store(args.db)
    try:
        scopes = args.scope or _all_scopes(args.db)
        with _output(args.out) as out:
            count = export_rows(store, scopes, out)
    finally:
        store.close()
    print(f"exported {count} rows of {len(scopes)} scopes", file=sys.stderr if args.out == "-" else sys.stdout)
    return 0


class _output:
    """``-`` (stdout) or a new file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.stream: TextIO | None = None

    def __enter__(self) -> TextIO:
        if self.path == "-":
            return sys.stdout
        if Path(self.path).exists():
            raise StateError(f"{self.path} exists: name a new file")
        self.stream = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 (closed in __exit__)
        return self.stream

    def __exit__(self, *exc: object) -> None:
        if self.stream is not None:
            self.stream.close()


def _all_scopes(db: str) -> list[str]:
    """Every scope that holds a row, read from the database itself."""
    if _is_postgres(db):
        import psycopg

        with psycopg.connect(db) as conn:
            return [r[0] for r in conn.execute("SELECT DISTINCT scope FROM rows ORDER BY scope").fetchall()]
    import apsw

    c = apsw.Connection(db, flags=apsw.SQLITE_OPEN_READONLY)
    try:
        return [r[0] for r in c.execute("SELECT DISTINCT scope FROM rows ORDER BY scope")]
    finally:
        c.close()


def export_rows(store: Store, scopes: Sequence[str], out: TextIO) -> int:
    """Write the live rows of ``scopes`` to ``out``, one JSON object a line:
    ``{"collection", "row_id", "scope", "fields"}`` (stored values; blobs as base64)."""
    encoder = msgspec.json.Encoder()
    progress = Progress("export", len(scopes))
    count = 0
    for i, scope in enumerate(scopes):
        for row in store.scan_scope([scope]):
            if row.deleted:
                continue
            out.write(encoder.encode({"collection": row.collection, "row_id": row.row_id, "scope": row.scope,
                                      "fields": row.fields}).decode())
            out.write("\n")
            count += 1
        progress.update(i + 1)
    progress.done()
    return count


class ImportedRow(msgspec.Struct, forbid_unknown_fields=True):
    """One line of an ``offsync export`` file."""

    collection: str
    row_id: str | int
    scope: str
    fields: dict[str, Any]


def _import(args: argparse.Namespace) -> int:
    from shared.evolution import History

    from .loading import load_schema, open_store, resolvers_for

    spec = args.app or args.schema
    schema = History.of(load_schema(spec)).current  # import writes with the current version
    path = Path(args.input)
    if not path.is_file():
        raise StateError(f"no file at {args.input}")
    rows = read_export(path)
    store = open_store(args.db)
    try:
        applied = import_rows(schema, store, rows, device=args.device, resolvers=resolvers_for(spec))
    finally:
        store.close()
    print(f"imported {applied} rows into {args.db}")
    return 0


def read_export(path: Path) -> list[ImportedRow]:
    """The rows of an ``offsync export`` file.

    Raises:
        InvalidInput: a line that is not such a row, naming its number; nothing is imported.
    """
    decoder = msgspec.json.Decoder(ImportedRow)
    rows = []
    with path.open("rb") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rows.append(decoder.decode(line))
            except msgspec.ValidationError as exc:
                raise InvalidInput(f"line {number} is not an exported row: {exc}", path=f"line {number}") from None
            except msgspec.DecodeError:
                raise InvalidInput(f"line {number} is not JSON", path=f"line {number}") from None
    return rows


#: rows written per mutation on import (each mutation is applied all or nothing)
IMPORT_MUTATION_ROWS = 1000


def import_rows(schema: Schema, store: Store, rows: Sequence[ImportedRow], *, device: str,
                resolvers: dict[str, Any] | None = None) -> int:
    """Write ``rows`` through the engine as inserts (or, for ids that exist,
    updates) of ``device``, in mutations of :data:`IMPORT_MUTATION_ROWS`.
    Rows the engine refuses stop the import with their reason; mutations
    already applied stay (the same file imported again changes nothing more).

    Raises:
        InvalidInput: a row the engine refused (collection, field, scope).
    """
    from shared.messages import Mutation

    from .auth import Grant
    from .engine import Engine, PushRequest

    engine = Engine(schema, store, resolvers=resolvers)
    scopes = frozenset(r.scope for r in rows) or frozenset({"import"})
    grant = Grant(user=device, write=scopes, read=scopes)
    last = engine.check_device(device, device)
    progress = Progress("import", len(rows))
    applied = 0
    for start in range(0, len(rows), IMPORT_MUTATION_ROWS):
        chunk = rows[start:start + IMPORT_MUTATION_ROWS]
        existing = store.load_rows([(r.scope, r.collection, r.row_id) for r in chunk])
        now = engine.now()
        ops = [_operation(schema, r, existing.get((r.scope, r.collection, r.row_id)), now) for r in chunk]
        last += 1
        outcome = engine.apply_batch([PushRequest(device, grant, [Mutation(client_seq=last, ops=ops)])])
        result = outcome.results[0][0]
        if result.status not in ("applied", "merged"):
            raise InvalidInput(f"rows {start + 1}-{start + len(chunk)} were refused ({result.reason}): "
                               f"{result.message}", path=result.path)
        applied += len(chunk)
        progress.update(applied)
    progress.done()
    return applied


def _operation(schema: Schema, row: ImportedRow, current: Any, insert_order: int) -> Any:
    """An insert, or an update of a row that exists (an update may not set a
    counter, only increment it: an existing row keeps its count)."""
    from shared.messages import Operation

    if current is None or current.deleted:
        return Operation(kind="insert", collection=row.collection, row_id=row.row_id, scope=row.scope,
                         insert_order=insert_order, fields=row.fields)
    counters = schema[row.collection].counters if row.collection in schema else ()
    return Operation(kind="update", collection=row.collection, row_id=row.row_id, scope=row.scope,
                     insert_order=insert_order, base_version=current.version,
                     fields={k: v for k, v in row.fields.items() if k not in counters})


# -- the commands ---------------------------------------------------------------------


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {text!r}")
    return value


def register(sub: Any, default_db: str) -> None:
    """Add the operator's commands to the ``offsync`` command's subparsers."""
    status = sub.add_parser("status", help="a running server: health, devices and their lag, recent errors")
    status.add_argument("--url", default=os.environ.get("OFFSYNC_STATUS_URL", DEFAULT_URL),
                        help=f"the server's HTTP address (default {DEFAULT_URL}, or OFFSYNC_STATUS_URL)")
    status.add_argument("--token", help="a token with the offsync:admin scope (or OFFSYNC_ADMIN_TOKEN; "
                                        "default: one made from the server's secret, found as `offsync token` does)")
    status.add_argument("--db", default=default_db, help="the server's database, to find its secret")
    status.set_defaults(func=_status)

    inspect = sub.add_parser("inspect", help="a device replica: cursor, pending queue, conflicts")
    inspect.add_argument("--db", required=True, help="the replica file (opened read-only)")
    inspect.add_argument("--limit", type=_positive, default=20, help="queue entries and conflicts to list (default 20)")
    inspect.set_defaults(func=_inspect)

    backup = sub.add_parser("backup", help="copy a SQLite server database while the server runs")
    backup.add_argument("--db", default=default_db, help="the SQLite database (PostgreSQL: use pg_dump)")
    backup.add_argument("--out", required=True, help="a new file")
    backup.add_argument("--step-pages", type=_positive, default=1024, help=argparse.SUPPRESS)
    backup.set_defaults(func=_backup)

    export = sub.add_parser("export", help="a server's live rows as JSON Lines")
    export.add_argument("--db", default=default_db, help="SQLite file or postgresql:// URL")
    export.add_argument("--scope", action="append", help="a scope to export (repeatable; default all)")
    export.add_argument("--out", default="-", help="a new file (default: stdout)")
    export.set_defaults(func=_export)

    imp = sub.add_parser("import", help="write an export's rows into a server database")
    imp.add_argument("--db", default=default_db, help="SQLite file or postgresql:// URL")
    imp.add_argument("--in", dest="input", required=True, help="a file from offsync export")
    imp.add_argument("--schema", default="notes", help="module:attr of the server's Schema")
    imp.add_argument("--app", help="a bundled app's schema (notes, companion, polar)")
    imp.add_argument("--device", default="offsync-import", help="the device id the rows are written as")
    imp.set_defaults(func=_import)
