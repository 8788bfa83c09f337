"""``GET /api/search``: the device's search, on the server, for thin clients.

    GET /api/search?collection=notes&q=dentist+tuesday&k=10&mode=hybrid[&scope=user:alice]
    Authorization: Bearer <token>

    200 {"collection": "notes", "mode": "hybrid", "stale": 0, "text_engine": "fts5",
         "results": [{"id": "...", "score": 0.033, "sources": ["fts", "vector"],
                      "ranks": {"fts": 1, "vector": 1}, "row": {"title": "...", "_scope": "user:alice", ...}}]}

Only rows of the token's read scopes are searched (or of ``scope``, one of
them). Errors: 401/403 for the token or a scope not granted, 400 naming the bad
parameter (``$.k``, ``$.mode``, ``$.text`` for ``q``, ``$.collection``).

The index is a :class:`~sync_search.read_model.ReadModel`: the searchable
collections' rows in the tables and with the FTS5 and vec0 indexes a device
has, so both rank alike, in its own SQLite file beside the server's
(``:memory:`` in tests). It is fed per scope with the rows changed since that
scope's cursor, through :meth:`Engine.pull`, before each search in that
scope. A scope nobody searches costs nothing, a first search in a scope
bootstraps it in pages, and the cursor makes every later one an indexed
range scan that finds nothing new most of the time. (Feeding it from the
hub's live batches instead would race the bootstrap: a delete published
while an older page is applied could be undone by it.) All index work runs
on one thread of its own.

Layering: the search code is :mod:`sync_search`, which devices import too;
the server imports nothing of ``sync_client`` (``tests/test_layout.py``).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from shared.errors import AuthError, SyncError, ValidationError
from shared.messages import JSON
from sync_search.indexer import BATCH, refresh_vectors
from sync_search.ranking import SearchResults
from sync_search.read_model import ReadModel

from .auth import Grant
from .session import error_message

if TYPE_CHECKING:
    from .app import SyncServer

PULL_PAGE = 2000

log = logging.getLogger("offsync.server")


class SearchIndex:
    """A server-side search index over every scope that has been searched.

    Args:
        server: the running server (its engine is read through ``pull``).
        path: the index's SQLite file, or ``":memory:"``.
    """

    def __init__(self, server: SyncServer, path: str = ":memory:") -> None:
        self.server = server
        self.model = ReadModel(path, server.schema)
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="offsync-search")
        self._embedding = False  # a chain of _embed_batch is queued (read and set on the index's thread)
        self._closing = False

    def catch_up(self, scopes: list[str]) -> int:
        """Apply every row changed in ``scopes`` since the index last looked; returns how many."""
        applied = 0
        for scope in scopes:
            cursor = self.model.cursor(scope)
            reader = Grant(user="search-index", write=frozenset(), read=frozenset({scope}))
            resync = False
            while True:
                changes = self.server.engine.pull(reader, None, cursor, PULL_PAGE, resync=resync)
                # a full re-sync (tombstones past this scope's cursor were compacted; one cut
                # off by a restart starts over too) begins with the scope's rows forgotten
                resync = changes.resync
                if changes.rows or changes.cursor != cursor or changes.resync_begins:
                    applied += self.model.apply(scope, changes.rows, changes.cursor,
                                                start_over=changes.resync_begins)
                    cursor = changes.cursor
                if not changes.more:
                    break
        return applied

    def search(self, scopes: list[str], collection: str, text: str, *, k: int = 10,
               mode: str = "hybrid") -> SearchResults:
        """Catch the scopes up, then search their rows only (see :func:`sync_search.ranking.search`)."""
        self.catch_up(scopes)
        return self._ranked(scopes, collection, text, k, mode)

    def _ranked(self, scopes: list[str], collection: str, text: str, k: int, mode: str) -> SearchResults:
        where = f"_scope IN ({', '.join('?' * len(scopes))})"
        return self.model.search(collection, text, k=k, mode=mode, where=where, params=scopes)

    async def search_async(self, scopes: list[str], collection: str, text: str, *, k: int = 10,
                           mode: str = "hybrid") -> SearchResults:
        """:meth:`search` on the index's own thread; rows it finds waiting for
        their vector are embedded there afterwards, a batch at a time."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._thread, lambda: self._search_then_embed(scopes, collection, text, k, mode))

    def _search_then_embed(self, scopes: list[str], collection: str, text: str, k: int,
                           mode: str) -> SearchResults:
        applied = self.catch_up(scopes)
        results = self._ranked(scopes, collection, text, k, mode)
        # a search embeds only ranking.CATCH_UP waiting rows itself: after a scope's
        # bootstrap most of its rows would wait for later searches to embed them
        if (applied or results.stale) and not self._embedding:
            self._embedding = True
            self._thread.submit(self._embed_batch)
        return results

    def _embed_batch(self) -> None:
        """Embed one batch of the rows waiting for their vector, then queue the
        next behind the searches that came meanwhile: a search waits for one
        batch at most (1,024 rows, ~10 ms), never for the whole backlog."""
        try:
            written = 0 if self._closing else refresh_vectors(self.model, limit=BATCH)
        except Exception:  # noqa: BLE001 - an embedder's error: searches report the rows as stale
            log.exception("embedding rows for the search index failed")
            written = 0
        if written and not self._closing:
            try:
                self._thread.submit(self._embed_batch)
                return
            except RuntimeError:  # shut down meanwhile
                pass
        self._embedding = False

    @property
    def closed(self) -> bool:
        return self._closing

    def close(self) -> None:
        """Stop the embedding thread and close the read model (the server does
        this as it shuts down; once is enough)."""
        if self._closing:
            return
        self._closing = True
        self._thread.shutdown(wait=True)
        self.model.close()


def install(server: SyncServer, path: str = ":memory:") -> SearchIndex:
    """Mount ``GET /api/search`` on ``server``, with its index at ``path``.

    ``offsync serve`` calls it with ``path=<db>.search`` (an index file beside
    the server's database that survives restarts); tests use ``:memory:``.
    """
    index = SearchIndex(server, path)
    server.add_route("/api/search", _Endpoint(server, index).get, ["GET"])
    server.on_shutdown(index.close)
    return index


class _Endpoint:
    def __init__(self, server: SyncServer, index: SearchIndex) -> None:
        self.server = server
        self.index = index

    async def get(self, request: Request) -> Response:
        from .app import _bearer  # here, not at the top: app.py may install these routes itself

        try:
            grant = self.server.authority.verify(_bearer(request))
            query = request.query_params
            scopes = _scopes(grant, query.get("scope"))
            results = await self.index.search_async(
                scopes, query.get("collection", ""), query.get("q", ""), k=_int(query.get("k"), 10, "$.k"),
                mode=query.get("mode", "hybrid"))
        except AuthError as exc:
            return _error(403 if exc.code == "forbidden" else 401, exc)
        except SyncError as exc:
            return _error(400, exc)
        return Response(msgspec.json.encode(_body(query.get("collection", ""), results)),
                        media_type="application/json")


def _scopes(grant: Grant, scope: str | None) -> list[str]:
    if scope is None:
        return sorted(grant.read)
    if scope not in grant.read:
        raise AuthError(f"scope {scope!r} is not readable with this token", path="$.scope", code="forbidden")
    return [scope]


def _int(value: str | None, default: int, path: str) -> int:
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValidationError(f"{path[2:]} must be an integer, got {value!r}", path=path) from None


def _body(collection: str, results: SearchResults) -> dict[str, Any]:
    return {
        "collection": collection,
        "mode": results.mode,
        "stale": results.stale,
        "text_engine": results.text_engine,
        "results": [{"id": h.id, "score": h.score, "sources": sorted(h.sources), "ranks": h.ranks, "row": h.row}
                    for h in results],
    }


def _error(status: int, exc: SyncError) -> Response:
    return Response(JSON.encode(error_message(exc)), status_code=status, media_type="application/json")
