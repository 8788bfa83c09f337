"""What a browser needs from the server: CORS, ``GET /schema``, and the static
files of the JS client (``/client/``) and of a demo PWA (``/app/``).

* **CORS** allows only the origins the operator names (``offsync serve
  --cors-origin URL``, repeatable); none by default, so a page on another
  origin is refused until its origin is named.
* ``GET /schema`` describes the declaration a browser replica is built from:
  the version, a fingerprint of the declaration, the versions still served
  (``served_versions``, and ``history``: each with its fingerprint and
  changes, see docs/schema.md), each collection's fields
  (type, default, counter, blob, required), policy and FTS fields, and the
  device DDL (``shared.tables``: the same tables, capture triggers and
  ``sync_queue`` as the Python replica). Integer defaults outside JavaScript's
  safe range (2^53 - 1) are given as decimal strings, so ``JSON.parse`` never
  rounds one (docs/protocol.md, "Integers in browsers").
* The JS client (``sync_client/web``) and the demo app are package data: the
  server finds them on disk without importing ``sync_client``.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import mimetypes
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from shared import tables
from shared.evolution import History
from shared.messages import MIN_PROTOCOL, PROTOCOL_VERSION
from shared.schema import Collection, Schema

if TYPE_CHECKING:
    from .app import SyncServer

#: JavaScript's Number.MAX_SAFE_INTEGER
MAX_SAFE_INTEGER = 2**53 - 1
#: the demo apps shipped in ``sync_client/web/apps``
DEMO_APPS = ("companion",)

# some systems' mime tables lack these; a module or wasm with the wrong type is refused by browsers
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("application/manifest+json", ".webmanifest")


def web_root() -> Path:
    """The folder of the JS client (``sync_client/web``), found without importing it."""
    spec = importlib.util.find_spec("sync_client")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the sync_client package is not installed: no JS client to serve")
    return Path(next(iter(spec.submodule_search_locations))) / "web"


def check_origin(origin: str) -> str:
    """An origin as CORS compares it (``scheme://host[:port]``, no path).

    Raises:
        ValueError: naming what is wrong with ``origin``.
    """
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"a CORS origin must look like https://host[:port], got {origin!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"a CORS origin has no path, query or user, got {origin!r}")
    return f"{parts.scheme}://{parts.netloc}"


def _safe(value: Any) -> Any:
    """A default as JSON gives it to a browser: big integers as strings."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER:
        return str(value)
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode()}
    return value


def collection_ddl(coll: Collection) -> list[str]:
    """The statements that build one collection's table, indexes and capture
    triggers on a device (the Python replica runs the same)."""
    return [tables.create_table_sql(coll), *tables.index_sql(coll), *tables.drop_triggers_sql(coll),
            *tables.triggers_sql(coll)]


def describe_collection(coll: Collection) -> dict[str, Any]:
    defaults = coll.defaults()
    return {
        "name": coll.name,
        "primary_key": coll.primary_key,
        "policy": coll.policy,
        "scope_field": coll.scope_field,
        "fields": [{"name": f.name, "type": f.type, "required": f.required, "default": _safe(defaults.get(f.name)),
                    "counter": f.counter, "blob": f.type == "blob"} for f in coll.fields.values()],
        "fts": list(coll.fts),
        "unique": [list(u) for u in coll.unique],
        "indexes": [list(i) for i in coll.indexes],
        "retention": None if coll.retention is None else coll.retention.keep,
        "by_reference": tables.by_reference(coll),
        "ddl": collection_ddl(coll),
        # queue the rows of rowid > ?2 as ids from ?1 on: a batch of API inserts written with capture off
        "queue_copy_sql": tables.queue_copy_sql(coll),
    }


def describe_schema(schema: Schema, history: History | None = None) -> dict[str, Any]:
    """The body of ``GET /schema`` (see the module docstring); ``history``:
    the server's schema history, whose served versions it lists (default:
    ``schema`` alone)."""
    collections = [describe_collection(c) for c in schema]
    history = history or History.of(schema)
    return {
        "version": schema.version,
        # the one fingerprint Hello and the HTTP headers are checked against (shared.schema)
        "fingerprint": schema.fingerprint,
        # the versions a device may still sync with, each with its fingerprint and changes
        "served_versions": history.served(),
        "history": history.describe(),
        "protocol": PROTOCOL_VERSION,
        "min_protocol": MIN_PROTOCOL,
        "seq_shift": tables.SEQ_SHIFT,
        "engine_ddl": tables.ENGINE_TABLES,
        "queue_fields_sql": tables.queue_fields_sql(schema),
        "prune_bulk_sql": tables.PRUNE_BULK_SQL,
        "collections": collections,
    }


class _NoCacheStatic(StaticFiles):
    """Static files a browser revalidates each time: a new server version
    must not leave an old client running from the HTTP cache (the service
    worker keeps the offline copy)."""

    def file_response(self, full_path: Any, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(full_path, *args, **kwargs)
        response.headers["cache-control"] = "no-cache"
        if str(full_path).endswith("sw.js"):
            # an app's service worker may control the whole origin: the client's
            # worker and files live under /client/, outside the app's folder
            response.headers["service-worker-allowed"] = "/"
        return response


def install(server: SyncServer, *, cors_origins: Sequence[str] = (), app: str | None = None) -> None:
    """Add CORS for ``cors_origins``, ``GET /schema``, ``/client/`` and, with
    ``app``, the demo PWA at ``/app/``.

    Raises:
        ValueError: a bad origin, or an app with no demo.
    """
    origins = [check_origin(o) for o in cors_origins]
    if app is not None and app not in DEMO_APPS:
        raise ValueError(f"no demo PWA for app {app!r}; there is one for {', '.join(DEMO_APPS)}")
    body = json.dumps(describe_schema(server.schema, server.history), separators=(",", ":")).encode()

    async def schema_endpoint(request: Request) -> Response:
        return Response(body, media_type="application/json", headers={"cache-control": "no-cache"})

    root = web_root()
    routes: list[Any] = [Route("/schema", schema_endpoint, methods=["GET"]),
                         Mount("/client", _NoCacheStatic(directory=root, html=False), name="offsync-client")]
    if app is not None:
        routes.append(Route("/app", lambda request: RedirectResponse("/app/", 308), methods=["GET"]))
        routes.append(Mount("/app", _NoCacheStatic(directory=root / "apps" / app, html=True), name="offsync-app"))
    server.app.router.routes.extend(routes)
    if origins:
        server.app.add_middleware(
            CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["authorization", "content-type", "offsync-client-id", "offsync-schema-version",
                           "offsync-schema-fingerprint"], max_age=600)

