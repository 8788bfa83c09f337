"""``GET /api/export`` and ``POST /api/import``: a user's whole data set as JSON.

The export is every live row in the caller's read scopes, by collection, as
app values (booleans, parsed JSON; blobs as base64 text), each row with its
``_scope``, ``insertOrder`` and ``_version``::

    {"format": "offsync-export/1", "schema_version": 2, "user": "alice",
     "exported_at_ms": 1760000000000,
     "collections": {"notes": [{"id": "...", "title": "...", "_scope": "user:alice",
                                "insertOrder": 1760000000000123, "_version": 3}]}}

The import takes the same document back and *restores* it: afterwards every
row in the document exists with the document's values; rows the document
does not name are left alone. It goes through the engine like a device's push
(schema validation, scope checks, conflict policies, versions, fan-out to the
user's devices), as one mutation from the pseudo-device ``import:<user>``, so
it is all or nothing. Only what differs from the server is sent: a row that is
absent becomes an insert (keeping its ``insertOrder``), a row that differs an
update from the server's current version (counters by ``increment``), a row
that is equal nothing, so importing the same document twice changes nothing.
A row without ``_scope`` goes to the caller's default scope.

Errors: 401/403 for the token, 400 naming the bad field
(``$.collections.notes[3].title``), 409 when the import meets a conflict the
collection's policy refuses (a ``reject`` row changed meanwhile, or deleted:
such an id cannot be revived), 413 for a body over the server's frame limit.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from shared.errors import AuthError, MessageError, SyncError, ValidationError
from shared.hlc import HybridClock
from shared.messages import JSON, MAX_OPS_PER_MUTATION, Error, Mutation, MutationResult, Operation, OpKind, RowChange
from shared.schema import Collection, Schema

from .auth import Grant
from .engine import BatchOutcome, PushRequest
from .session import error_message

if TYPE_CHECKING:
    from .app import SyncServer

EXPORT_FORMAT = "offsync-export/1"
META_KEYS = frozenset({"_scope", "insertOrder", "_version"})
SCAN_PAGE = 5000
_ENGINE_PATH = re.compile(r"^\$\.mutations\[0\]\.ops\[(\d+)\](?:\.fields)?")
#: an operation's parts as the import document names them
_DOCUMENT_NAMES = {".scope": "._scope", ".insert_order": ".insertOrder", ".row_id": "", ".base_version": ""}
_BAD_INPUT = frozenset({"invalid_row", "unknown_field", "unknown_collection", "invalid_op", "invalid_input"})


# -- the document (pure) ---------------------------------------------------------------


def export_row(coll: Collection, row: RowChange) -> dict[str, Any]:
    """One server row as an export row: every declared field as an app value."""
    stored = {**coll.defaults(), **row.fields, coll.primary_key: row.row_id}
    values = coll.from_stored({name: stored.get(name) for name in coll.field_names})
    for name, f in coll.fields.items():
        if f.type == "blob" and values[name] is not None:
            values[name] = base64.b64encode(values[name]).decode("ascii")
    values.update({"_scope": row.scope, "insertOrder": row.insert_order, "_version": row.version})
    return values


def export_document(schema: Schema, user: str, rows: Sequence[RowChange], now_ms: int) -> dict[str, Any]:
    """The export of ``rows`` (live server rows), grouped by collection."""
    collections: dict[str, list[dict[str, Any]]] = {coll.name: [] for coll in schema}
    for row in rows:
        if row.collection in schema and not row.deleted:
            collections[row.collection].append(export_row(schema[row.collection], row))
    return {"format": EXPORT_FORMAT, "schema_version": schema.version, "user": user, "exported_at_ms": now_ms,
            "collections": collections}


@dataclass
class ImportRow:
    """One validated row of an import document, in stored form."""

    collection: Collection
    row_id: str | int
    scope: str
    fields: dict[str, Any]  # stored values, without the primary key
    insert_order: int | None
    path: str


def parse_document(schema: Schema, document: Any, default_scope: str) -> list[ImportRow]:
    """Validate an import document against the schema.

    Raises:
        ValidationError: naming the first bad part (``$.collections.notes[3].title``).
    """
    if not isinstance(document, Mapping) or not isinstance(document.get("collections"), Mapping):
        raise ValidationError("an import is an object with a 'collections' object", path="$.collections")
    out: list[ImportRow] = []
    seen: set[tuple[str, str, str | int]] = set()
    for name, rows in document["collections"].items():
        path = f"$.collections.{name}"
        if name not in schema:
            raise ValidationError(f"unknown collection {name!r}", path=path, code="unknown_collection")
        if not isinstance(rows, list):
            raise ValidationError(f"{name} must be a list of rows", path=path)
        for i, raw in enumerate(rows):
            row = parse_row(schema[name], raw, default_scope, f"{path}[{i}]")
            key = (row.scope, name, row.row_id)
            if key in seen:
                raise ValidationError(f"{name} {row.row_id!r} appears twice", path=f"{path}[{i}]")
            seen.add(key)
            out.append(row)
    return out


def parse_row(coll: Collection, raw: Any, default_scope: str, path: str) -> ImportRow:
    """Validate one export row and turn it into stored values.

    Raises:
        ValidationError: an unknown field, a wrong type, a bad key, scope or insertOrder.
    """
    if not isinstance(raw, Mapping):
        raise ValidationError(f"a {coll.name} row must be an object", path=path)
    pk = coll.primary_key
    row_id = raw.get(pk)
    if coll.fields[pk].type == "integer":
        ok = isinstance(row_id, int) and not isinstance(row_id, bool)
    else:
        ok = isinstance(row_id, str) and 0 < len(row_id) <= 256
    if not ok:
        raise ValidationError(f"{coll.name}.{pk} must be a {coll.fields[pk].type} key", path=f"{path}.{pk}")
    values = {k: v for k, v in raw.items() if k not in META_KEYS and k != pk}
    for name, value in values.items():
        f = coll.fields.get(name)
        if f is not None and f.type == "blob" and isinstance(value, str):
            try:
                values[name] = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise ValidationError(f"{coll.name}.{name} must be base64 text", path=f"{path}.{name}") from None
    fields = coll.to_stored(values, path=path)
    coll.check_required({**coll.defaults(), **fields, pk: row_id}, path=path)
    scope = fields.get(coll.scope_field) if coll.scope_field else raw.get("_scope", default_scope)
    if not isinstance(scope, str) or not scope:
        raise ValidationError(f"{coll.name}: _scope must be a scope name", path=f"{path}._scope")
    insert_order = raw.get("insertOrder")
    if insert_order is not None and (isinstance(insert_order, bool) or not isinstance(insert_order, int)
                                     or not 0 <= insert_order < 2**63):
        raise ValidationError("insertOrder must be a non-negative integer", path=f"{path}.insertOrder")
    return ImportRow(coll, cast("str | int", row_id), scope, fields, insert_order, path)  # checked above


def _same(coll: Collection, name: str, a: Any, b: Any) -> bool:
    if coll.fields[name].type == "json" and isinstance(a, str) and isinstance(b, str):
        return bool(json.loads(a) == json.loads(b))  # the same JSON, maybe spelled differently
    return bool(a == b and type(a) is type(b))


def plan_operations(rows: Sequence[ImportRow], current: Mapping[tuple[str, str, str | int], RowChange],
                    clock: HybridClock, wall_us: int) -> tuple[list[Operation], list[str]]:
    """The operations that make the server hold ``rows``, and the document path of each.

    Args:
        current: the server's rows (tombstones included) by (scope, collection, id).
        clock: stamps updates later than every write the server has seen, so
            they win under last-writer-wins.

    Raises:
        ValidationError: (code ``deleted``) a ``reject`` row the server deleted.
    """
    ops: list[Operation] = []
    origins: list[str] = []
    for row in rows:
        for op in _row_operations(row, current.get((row.scope, row.collection.name, row.row_id)), clock, wall_us):
            ops.append(op)
            origins.append(row.path)
    return ops, origins


def _row_operations(row: ImportRow, now: RowChange | None, clock: HybridClock, wall_us: int) -> list[Operation]:
    coll = row.collection

    def op(kind: OpKind, fields: dict[str, Any], base: int, insert_order: int) -> Operation:
        return Operation(kind=kind, collection=coll.name, row_id=row.row_id,
                         base_version=base, insert_order=insert_order, fields=fields, scope=row.scope)

    if now is None:
        # an absent row keeps its place in time (retention and sorting go by insertOrder)
        keep = row.insert_order is not None and row.insert_order <= wall_us
        return [op("insert", row.fields, 0, cast(int, row.insert_order) if keep else clock.tick(wall_us))]
    if coll.policy == "append_only":
        return []  # its rows never change: the one there is the one to keep
    if now.deleted:
        if coll.policy == "reject":
            raise ValidationError(f"{coll.name} {row.row_id!r} was deleted on the server and a reject "
                                  "collection never revives an id", path=row.path, code="deleted")
        return [op("insert", row.fields, now.version, clock.tick(wall_us))]
    server = {**coll.defaults(), **now.fields}
    changed = {k: v for k, v in row.fields.items()
               if k not in coll.counters and not _same(coll, k, v, server.get(k))}
    deltas = {k: v - (server.get(k) or 0) for k, v in row.fields.items()
              if k in coll.counters and v is not None and v != server.get(k)}
    out = []
    if changed:
        out.append(op("update", changed, now.version, clock.tick(wall_us)))
    if deltas:
        out.append(op("increment", deltas, now.version, clock.tick(wall_us)))
    return out


# -- the routes -----------------------------------------------------------------------


def install(server: SyncServer) -> None:
    """Mount ``GET /api/export``, ``POST /api/import`` and ``GET /api/conflicts``."""
    routes = _Routes(server)
    server.add_route("/api/export", routes.export, ["GET"])
    server.add_route("/api/import", routes.import_document, ["POST"])
    server.add_route("/api/conflicts", routes.conflicts, ["GET"])


def _json(status: int, body: Any) -> Response:
    return Response(msgspec.json.encode(body), status_code=status, media_type="application/json")


def _error(status: int, exc: SyncError) -> Response:
    return Response(JSON.encode(error_message(exc)), status_code=status, media_type="application/json")


def _refusal(status: int, code: str, message: str, path: str) -> Response:
    error = Error(code=code, message=message, path=path)
    return Response(JSON.encode(error), status_code=status, media_type="application/json")


def _wall_us() -> int:
    return time.time_ns() // 1000


class _Routes:
    def __init__(self, server: SyncServer) -> None:
        self.server = server
        # imports run one at a time: each takes the next client_seq of its
        # pseudo-device, and two taking the same one would lose one import
        self._import_lock = asyncio.Lock()

    def _grant(self, request: Request) -> Grant:
        from .app import _bearer  # here, not at the top: app.py may install these routes itself

        return self.server.authority.verify(_bearer(request))

    async def _scan(self, scopes: Sequence[str], *, with_deleted: bool) -> list[RowChange]:
        """Every row of ``scopes`` as it is now, read page by page off the event loop."""
        store = self.server.store
        loop = asyncio.get_running_loop()
        rows: list[RowChange] = []
        cursor, more = 0, True
        while more:
            page = await loop.run_in_executor(None, store.changes_since, list(scopes), cursor, SCAN_PAGE, None)
            rows.extend(r for r in page.rows if with_deleted or not r.deleted)
            cursor, more = page.cursor, page.more
        return rows

    async def export(self, request: Request) -> Response:
        """``GET /api/export``: every live row the token may read."""
        try:
            grant = self._grant(request)
        except AuthError as exc:
            return _error(403 if exc.code == "forbidden" else 401, exc)
        rows = await self._scan(sorted(grant.read), with_deleted=False)
        return _json(200, export_document(self.server.schema, grant.user, rows, time.time_ns() // 1_000_000))

    async def conflicts(self, request: Request) -> Response:
        """``GET /api/conflicts?limit=N``: the newest conflicts recorded in the token's
        read scopes (every concurrent write, however it was resolved), newest first."""
        try:
            grant = self._grant(request)
        except AuthError as exc:
            return _error(403 if exc.code == "forbidden" else 401, exc)
        raw = request.query_params.get("limit", "100")
        if not raw.isdigit() or not 1 <= int(raw) <= 1000:
            return _refusal(400, "invalid_input", "limit must be a whole number from 1 to 1000", "query.limit")
        loop = asyncio.get_running_loop()
        records = await loop.run_in_executor(None, self.server.store.conflicts, sorted(grant.read), int(raw))
        return _json(200, {"conflicts": [msgspec.to_builtins(c) for c in records]})

    async def import_document(self, request: Request) -> Response:
        """``POST /api/import``: restore an export, all or nothing, through the engine."""
        from .app import _read_limited

        try:
            grant = self._grant(request)
            body = await _read_limited(request, self.server.max_frame_bytes)
            if body is None:
                return _refusal(413, "too_large", "the import is larger than the frame limit", "$")
            try:
                document = msgspec.json.decode(body)
            except msgspec.DecodeError:
                raise MessageError("the body is not JSON", path="$") from None
            rows = parse_document(self.server.schema, document, grant.default_scope)
            unreadable = sorted({r.scope for r in rows} - grant.read)
            if unreadable:
                first = next(r for r in rows if r.scope == unreadable[0])
                raise AuthError(f"scope {unreadable[0]!r} is not granted to this token", path=f"{first.path}._scope",
                                code="forbidden")
            async with self._import_lock:
                return await self._apply(grant, rows)
        except AuthError as exc:
            return _error(403 if exc.code == "forbidden" else 401, exc)
        except ValidationError as exc:
            return _error(409 if exc.code == "deleted" else 400, exc)
        except SyncError as exc:
            return _error(400, exc)

    async def _apply(self, grant: Grant, rows: list[ImportRow]) -> Response:
        current = {(r.scope, r.collection, r.row_id): r
                   for r in await self._scan(sorted({row.scope for row in rows}), with_deleted=True)}
        engine = self.server.engine
        clock = HybridClock(max([engine.clock.last, *(r.insert_order for r in current.values())]))
        ops, origins = plan_operations(rows, current, clock, _wall_us())
        summary = {"rows": len(rows), "operations": len(ops),
                   "inserted": sum(1 for op in ops if op.kind == "insert")}
        if not ops:
            return _json(200, {"status": "unchanged", **summary})
        if len(ops) > MAX_OPS_PER_MUTATION:
            raise ValidationError(f"an import may change at most {MAX_OPS_PER_MUTATION} rows", path="$.collections")
        client_id = f"import:{grant.user}"
        seq = engine.check_device(client_id, grant.user) + 1
        result = await self._submit(PushRequest(client_id, grant, [Mutation(client_seq=seq, ops=ops)]))
        if result is None or result.status in ("gap", "duplicate"):
            return _refusal(503, "unavailable", "the import was not stored; retry", "$")
        if result.status == "rejected":
            return self._rejected(result, origins)
        return _json(200, {"status": result.status, "client_seq": seq, **summary})

    async def _submit(self, request: PushRequest) -> MutationResult | None:
        future: asyncio.Future[MutationResult | None] = asyncio.get_running_loop().create_future()

        def deliver(results: list[MutationResult] | None, outcome: BatchOutcome | None) -> None:
            if not future.done():
                future.set_result(results[0] if results else None)

        self.server.submit(request, deliver)
        return await future

    def _rejected(self, result: MutationResult, origins: list[str]) -> Response:
        match = _ENGINE_PATH.match(result.path)
        path = result.path
        if match:  # the engine names its operation's parts; the caller wrote a document
            rest = result.path[match.end():]
            path = origins[int(match.group(1))] + _DOCUMENT_NAMES.get(rest, rest)
        status = 403 if result.reason == "forbidden" else 400 if result.reason in _BAD_INPUT else 409
        return _refusal(status, result.reason or "rejected", result.message, path)
