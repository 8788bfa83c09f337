"""The Starlette app: ``/sync`` WebSocket, HTTP push and pull, ``/health``.

This module only moves bytes and runs tasks; the protocol lives in
:mod:`sync_server.session` and the deciding in :mod:`sync_server.engine`.

* One writer task takes pushes from every connection, applies them in one
  batch on a dedicated thread (group commit), and acks each after the commit
  is durable.
* Pulls run on a small reader pool, each on its own SQLite connection.
* Each committed batch is encoded once per set of scopes (and codec) and the
  same bytes go to every subscribed device with that set (:class:`Hub`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, cast

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from shared.blocks import row_count
from shared.errors import AuthError, MessageError, SchemaMismatch, SyncError
from shared.evolution import History
from shared.merge import Resolver
from shared.messages import JSON, MSGPACK, Ack, Changes, Codec, Error, Message, MutationResult, Pull, Push, Welcome
from shared.schema import Schema

from .auth import Grant, TokenAuthority, check_client_id_free
from .engine import BatchOutcome, Engine, PushRequest
from .evolution import Translation, migrate_store
from .hub import Hub
from .limits import FairQueue, Limits, may_carry_too_many_ops
from .metrics import ADMIN_SCOPE, CONTENT_TYPE, DeviceView, Metrics, metrics_public
from .session import (CLOSE_BUSY, CLOSE_GAP, CLOSE_POLICY, CLOSE_SLOW, GAP_ACKS_TO_CLOSE, Close, Send, ServerSession,
                      StartPull, State, SubmitPush, error_message)
from .store.base import Store
from .wire import changes_for, pull_arrays, results_for

if TYPE_CHECKING:
    from .store.postgres import PostgresStore

log = logging.getLogger("offsync.server")

MAX_FRAME_BYTES = 16 * 1024 * 1024
#: how often a batch that lost a race with another node's is tried again whole
RACE_RETRIES = 3
MAX_BATCH_REQUESTS = 256
OUTBOX_LIMIT = 512
#: pages of a pull queued ahead of the socket: enough to keep it busy while the
#: next page is read, few enough that a bootstrap does not buffer the database
#: (without this bound a 1.1M-row bootstrap took the server to 428 MB)
PULL_AHEAD = 4
PULL_PAGE = 2000
#: how long the server waits to hand a cut-off slow consumer's close frame to uvicorn
CUT_OFF_WAIT_S = 2.0
#: how often a server with ``compact_after_ms`` compacts tombstones
COMPACT_EVERY_S = 3600
_CLIENT_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,128}")

Deliver = Callable[[list[MutationResult] | None, BatchOutcome | None], None]
class SyncServer:
    """The server: engine, writer, hub and the Starlette app around them.

    Args:
        schema: the shared schema, or its :class:`~shared.evolution.History`
            (devices on older compatible versions are served too; breaking
            migrations run on the store at start).
        store: the storage backend (SQLite by default, see ``cli``).
        secret: the token signing secret.
        resolvers: server functions for ``custom`` collections.
        max_frame_bytes: larger frames close the socket with 1009 and larger
            HTTP bodies get 413.
        compact_after_ms: compact tombstones older than this, at start and
            every :data:`COMPACT_EVERY_S` (None: never; see ``Engine.compact``).
        limits: what one connection or user may hold (:class:`Limits`).
    """

    def __init__(self, schema: Schema | History, store: Store, secret: str, *,
                 resolvers: Mapping[str, Resolver] | None = None,
                 max_frame_bytes: int = MAX_FRAME_BYTES, compact_after_ms: int | None = None,
                 limits: Limits | None = None) -> None:
        if compact_after_ms is not None and compact_after_ms < 0:
            raise ValueError(f"compact_after_ms must be >= 0, got {compact_after_ms}")
        self.compact_after_ms = compact_after_ms
        self.history = History.of(schema)
        self.schema = self.history.current
        self.store = store
        migrate_store(store, self.history)
        # ids of a collection that is not private are one scope's each (docs/security.md)
        store.sync_claims([coll.name for coll in self.schema if not coll.private])
        self.limits = limits = limits or Limits()
        self.engine = Engine(self.schema, store, resolvers=resolvers,
                             max_clock_ahead_us=round(limits.max_clock_ahead_s * 1_000_000))
        self.user_sockets: dict[str, int] = {}  # live WebSockets per user
        self.authority = TokenAuthority(secret)
        self.max_frame_bytes = max_frame_bytes
        self.translation = Translation(self.history)
        self.hub = Hub(self.translation)
        self.connections: set[Connection] = set()
        self.metrics = Metrics(store.head, self._device_views)
        self._pending: FairQueue[tuple[PushRequest, Deliver]] = FairQueue()
        self._wake: asyncio.Event | None = None  # set when a push is queued
        self._writer_pool = ThreadPoolExecutor(1, thread_name_prefix="offsync-writer")
        self._reader_pool = ThreadPoolExecutor(4, thread_name_prefix="offsync-reader")
        # several nodes on one database publish through the ordered fan-out
        self._publisher: Any = None
        self._on_shutdown: list[Callable[[], None]] = []
        self.app = Starlette(routes=self._routes(), lifespan=self._lifespan)
        self.app.state.sync = self

    def _routes(self) -> list[Any]:
        return [
            WebSocketRoute("/sync", self._websocket),
            Route("/sync/push", self._http_push, methods=["POST"]),
            Route("/sync/pull", self._http_pull, methods=["POST"]),
            Route("/health", self._health, methods=["GET"]),
            Route("/metrics", self._metrics, methods=["GET"]),
            Route("/admin/status", self._admin_status, methods=["GET"]),
            Route("/protocol.schema.json", self._protocol_schema, methods=["GET"]),
        ]

    def add_route(self, path: str, endpoint: Callable[..., Any], methods: list[str]) -> None:
        """Mount an extra HTTP route (search, export) on the app."""
        self.app.router.routes.append(Route(path, endpoint, methods=methods))

    def on_shutdown(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` as the app shuts down, once the writer and readers
        have stopped and before the store closes (a search index, say)."""
        self._on_shutdown.append(callback)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        self._wake = asyncio.Event()
        tasks = [asyncio.create_task(self._write_loop(), name="offsync-writer")]
        if self.compact_after_ms is not None:
            tasks.append(asyncio.create_task(self._compact_loop(self.compact_after_ms), name="offsync-compact"))
        if getattr(self.store, "shared_writers", False):
            from .fanout import OrderedPublisher

            # only the PostgreSQL store sets shared_writers
            self._publisher = OrderedPublisher(cast("PostgresStore", self.store), self.hub, self.engine.now)
            tasks.append(asyncio.create_task(self._publisher.run(), name="offsync-fanout"))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            self._writer_pool.shutdown(wait=True)
            self._reader_pool.shutdown(wait=True)
            for callback in self._on_shutdown:
                try:
                    callback()
                except Exception:
                    log.exception("a shutdown callback failed")
            self.store.close()

    # -- the writer ---------------------------------------------------------

    def submit(self, request: PushRequest, deliver: Deliver, size: int = 0) -> None:
        """Queue a push for a group commit (the users the writer served least go first).

        Args:
            size: the push's bytes on the wire: its cost to the writer's batch
                budget is its operations or its KiB, whichever is more (16
                pushes of 2 MB, 20 operations each, made one batch of 32 MB
                that others waited 1.3 s behind).
        """
        assert self._wake is not None, "the app is not running (no lifespan)"
        cost = max(sum(len(m.ops) for m in request.mutations), size // 1024)
        self._pending.put(request.grant.user, (request, deliver), cost)
        self._wake.set()
        self.metrics.pushed()

    async def _write_loop(self) -> None:
        """Apply queued pushes as batches (group commit): each takes the pushes
        of the users served least so far, up to ``limits.writer_ops_per_batch``
        operations (:class:`FairQueue`); ack each push after its commit, then
        publish. The batch, its durable commit included, runs on the writer
        thread: the event loop goes on reading and answering meanwhile."""
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                items = self._pending.take(self.limits.writer_ops_per_batch, MAX_BATCH_REQUESTS)
                with _collector_paused():
                    await self._apply(items)

    async def _apply(self, items: list[tuple[PushRequest, Deliver]], races: int = 0) -> None:
        """One batch of ``items`` on the writer thread. If it fails (a store error
        no check foresaw), each push is tried again alone: one user's push must
        not cost the others theirs; only the one that fails alone is answered
        ``unavailable``. A batch that lost a race with another node's (the
        store's ``is_race``) is tried again whole, up to :data:`RACE_RETRIES` times."""
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        try:
            outcome = await loop.run_in_executor(self._writer_pool, self.engine.apply_batch, [r for r, _ in items])
        except Exception as exc:
            is_race = getattr(self.engine.store, "is_race", None)
            if races < RACE_RETRIES and is_race is not None and is_race(exc):
                self.metrics.batch_races.inc()
                log.info("a batch met another node's on a row or lock; trying it again (%s)", type(exc).__name__)
                await self._apply(items, races + 1)
                return
            self.metrics.batch_failures.inc()
            log.exception("a batch of %d pushes failed; nothing of it was stored", len(items))
            if len(items) > 1:
                for item in items:
                    await self._apply([item])
                return
            items[0][1](None, None)
            return
        self._answer(items, outcome, time.perf_counter() - started)

    def _answer(self, items: list[tuple[PushRequest, Deliver]], outcome: BatchOutcome, seconds: float) -> None:
        """Ack each push of a committed batch, then publish its rows."""
        for (_, deliver), results in zip(items, outcome.results, strict=True):
            deliver(results, outcome)  # acks first, so a device sees its ack before its own changes
        self.metrics.batch(seconds, _sized(items, outcome), outcome.conflicts)
        if self._publisher is not None:
            self._publisher.poke()  # other nodes may have committed earlier seqs: publish in order
        else:
            self.hub.publish(outcome)

    async def _compact_loop(self, older_than_ms: int) -> None:
        """Compact now and then on the writer thread (between group commits)."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                done = await loop.run_in_executor(self._writer_pool, self.engine.compact, older_than_ms)
            except Exception:
                log.exception("compaction failed; the next try is in %d s", COMPACT_EVERY_S)
            else:
                if done.removed:
                    log.info("compacted %d tombstones; horizon %d", done.removed, done.horizon)
            await asyncio.sleep(COMPACT_EVERY_S)

    async def pull(self, grant: Grant, client_id: str | None, cursor: int, limit: int, *,
                   resync: bool = False, version: int = 0, protocol: int = 1) -> Changes:
        """One page for a device on schema ``version`` (0: the current one) speaking ``protocol``."""
        loop = asyncio.get_running_loop()
        version = version or self.schema.version
        arrays = pull_arrays(self.translation, version, protocol)
        changes = await loop.run_in_executor(
            self._reader_pool, lambda: self.engine.pull(grant, client_id, cursor, limit, resync=resync, arrays=arrays))
        return changes_for(self.translation, version, protocol, changes)

    # -- WebSocket ------------------------------------------------------------

    async def _websocket(self, websocket: WebSocket) -> None:
        await websocket.accept()
        connection = Connection(self, websocket)
        self.connections.add(connection)
        try:
            await connection.run()
        finally:
            self.connections.discard(connection)

    def _device_views(self) -> list[DeviceView]:
        views = []
        for connection in list(self.connections):
            session = connection.session
            if session is not None and session.grant is not None and session.client_id:
                views.append(DeviceView(session.client_id, session.grant.user, connection.sent_cursor))
        return views

    # -- HTTP ----------------------------------------------------------------

    async def _health(self, request: Request) -> Response:
        # unauthenticated: says it is up, and nothing about writes or connections
        return JSONResponse({"status": "ok"})

    async def _metrics(self, request: Request) -> Response:
        if not metrics_public() and (refused := self._refuse_non_admin(request)) is not None:
            return refused
        return Response(self.metrics.exposition(), media_type=CONTENT_TYPE)

    async def _admin_status(self, request: Request) -> Response:
        if (refused := self._refuse_non_admin(request)) is not None:
            return refused
        return JSONResponse(self.metrics.status())

    async def _protocol_schema(self, request: Request) -> Response:
        from .protocol_schema import protocol_schema_json

        return Response(protocol_schema_json(), media_type="application/schema+json")

    def _refuse_non_admin(self, request: Request) -> Response | None:
        """A 401/403 unless the request carries a token with :data:`ADMIN_SCOPE`."""
        try:
            grant = self.authority.verify(_bearer(request))
            if ADMIN_SCOPE not in grant.read:
                raise AuthError(f"this needs a token with the {ADMIN_SCOPE} scope", path="headers.authorization",
                                code="forbidden")
        except AuthError as exc:
            return self._http_error(JSON, 403 if exc.code == "forbidden" else 401, error_message(exc))
        return None

    def _http_error(self, codec: Codec, status: int, error: Error, device: str = "") -> Response:
        self.metrics.error(error.code, error.message, device)
        return _error_response(codec, status, error)

    async def _http_push(self, request: Request) -> Response:
        codec, grant, client_id, message = await self._http_message(request, Push, need_client=True)
        if isinstance(message, Response):
            return message
        version: int = request.state.schema_version
        assert isinstance(message, Push) and client_id is not None
        future: asyncio.Future[tuple[list[MutationResult], BatchOutcome] | None] = \
            asyncio.get_running_loop().create_future()

        def deliver(results: list[MutationResult] | None, outcome: BatchOutcome | None) -> None:
            if not future.done():
                future.set_result(None if results is None or outcome is None else (results, outcome))

        declared = request.headers.get("content-length", "")  # read whole already: at most the frame limit
        told = _http_protocol(request) >= 3 and version == self.schema.version
        self.submit(PushRequest(client_id, grant, message.mutations, codec is JSON, told_versions=told), deliver,
                    int(declared) if declared.isdigit() else 0)
        done = await future
        if done is None:
            return self._http_error(codec, 503, Error(code="unavailable", message="the push was not stored; retry"),
                                    client_id)
        results, outcome = done
        return _message_response(codec, Ack(results=results_for(self.translation, version, _http_protocol(request),
                                                                results),
                                            server_clock=outcome.server_clock, cursor=outcome.head))

    async def _http_pull(self, request: Request) -> Response:
        codec, grant, client_id, message = await self._http_message(request, Pull, need_client=False)
        if isinstance(message, Response):
            return message
        assert isinstance(message, Pull)
        changes = await self.pull(grant, client_id, message.cursor, message.limit, resync=message.resync,
                                  version=request.state.schema_version, protocol=_http_protocol(request))
        self.metrics.pulled(row_count(changes))
        return _message_response(codec, changes)

    async def _http_message(self, request: Request, expected: type, *, need_client: bool) -> Any:
        content_type = request.headers.get("content-type", "")
        codec = MSGPACK if "msgpack" in content_type else JSON
        try:
            grant = self.authority.verify(_bearer(request))
            client_id = request.headers.get("offsync-client-id") or None
            if need_client and client_id is None:
                raise MessageError("the offsync-client-id header is required", path="headers.offsync-client-id")
            if client_id is not None:
                _check_client_id(client_id)
                check_client_id_free(client_id)
                self.engine.check_device(client_id, grant.user)
            request.state.schema_version = self._http_schema(request)
            try:
                body = await asyncio.wait_for(_read_limited(request, self.max_frame_bytes),
                                              self.limits.body_timeout_s)
            except TimeoutError:
                return codec, None, None, self._http_error(codec, 408, Error(
                    code="timeout", message=f"the body did not arrive within {self.limits.body_timeout_s} s"))
            if body is None:
                return codec, None, None, self._http_error(codec, 413, Error(
                    code="too_large", message=f"the body is larger than {self.max_frame_bytes} bytes"))
            too_many = self.too_many_ops(body, codec)
            if too_many is not None:
                return codec, None, None, self._http_error(codec, 413, too_many)
            message = codec.decode(body)
            too_many = self.too_many_ops(message, codec)
            if too_many is not None:
                return codec, None, None, self._http_error(codec, 413, too_many)
            if not isinstance(message, expected):
                raise MessageError(f"expected {expected.__name__.lower()}, got {type(message).__name__.lower()}",
                                   path="$.type")
        except AuthError as exc:
            status = 403 if exc.code == "forbidden" else 401
            return codec, None, None, self._http_error(codec, status, error_message(exc))
        except SchemaMismatch as exc:
            return codec, None, None, self._http_error(codec, 409, error_message(exc))
        except SyncError as exc:
            return codec, None, None, self._http_error(codec, 400, error_message(exc))
        return codec, grant, client_id, message


    def too_many_ops(self, frame: bytes | Message, codec: Codec) -> Error | None:
        """An Error if a push (its bytes before decoding, or the decoded one)
        carries more operations than ``limits.max_ops_per_push``."""
        limit = self.limits.max_ops_per_push
        if isinstance(frame, bytes):
            over = may_carry_too_many_ops(frame, codec.binary, limit)
        else:
            over = isinstance(frame, Push) and sum(len(m.ops) for m in frame.mutations) > limit
        if not over:
            return None
        return Error(code="too_large", message=f"a push may carry at most {limit} operations: send fewer at once",
                     path="$.mutations")

    def _http_schema(self, request: Request) -> int:
        """The schema version an HTTP request declares (``offsync-schema-version``
        and ``offsync-schema-fingerprint``), checked as a Hello's; a request
        without them is taken to run the current version (clients from before
        protocol 2 sent neither)."""
        given = request.headers.get("offsync-schema-version")
        fingerprint = request.headers.get("offsync-schema-fingerprint", "")
        if given is None:
            return self.schema.version
        if not given.isdigit() or len(given) > 18 or int(given) < 1:
            raise MessageError("offsync-schema-version must be a positive integer", path="headers.offsync-schema-version")
        if len(fingerprint) > 64 or any(ch not in "0123456789abcdef" for ch in fingerprint):
            raise MessageError("offsync-schema-fingerprint must be lowercase hex (Schema.fingerprint)",
                               path="headers.offsync-schema-fingerprint")
        self.history.check_peer(int(given), fingerprint, where="headers")
        return int(given)


class Connection:
    """One WebSocket: a receive loop feeding a :class:`ServerSession`, and a
    sender task draining a bounded outbox.

    What it may hold is bounded (:class:`Limits`): time to a valid Hello,
    sockets per user, bytes of pushes not yet acked (past it the socket is not
    read: TCP pushes back), bytes waiting to go out (past it the device is cut
    off as a slow consumer and the bytes freed), operations per push."""

    def __init__(self, server: SyncServer, websocket: WebSocket) -> None:
        self.server = server
        self.websocket = websocket
        self.session: ServerSession | None = None
        self.codec: Codec = MSGPACK
        self.outbox: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.sent_cursor = 0
        self.pulling = False
        #: a page of a full re-sync went out on this connection (see wants_echo)
        self.resynced = False
        self._held: list[tuple[int, bytes]] = []
        #: pushes of this connection at the writer, not yet acked: live batches
        #: wait for their Acks (see deliver_live)
        self._pushes_at_writer = 0
        self._pull_lock = asyncio.Lock()
        self._drained = asyncio.Event()  # set by the sender when the outbox is short again
        self._closing: Close | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._expiry: asyncio.Task[None] | None = None
        self._sender: asyncio.Task[None] | None = None
        self._user: str | None = None  # counted in server.user_sockets
        self._inbound = 0  # bytes of pushes received and not yet acked
        self._gap_acks = 0  # Acks in a row whose every result was gap
        self._outbound = 0  # bytes in the outbox
        self._acked_event = asyncio.Event()  # set whenever an ack frees inbound bytes
        self._frame_size = 0

    async def run(self) -> None:
        sender = self._sender = asyncio.create_task(self._send_loop())
        try:
            await self._receive_loop()
        finally:
            session = self.session
            if session is not None and session.grant is not None:
                log.info("device disconnected", extra={"device": session.client_id, "user": session.grant.user})
            self.server.hub.unsubscribe(self)
            if self._user is not None:
                self.server.user_sockets[self._user] -= 1
                if not self.server.user_sockets[self._user]:
                    del self.server.user_sockets[self._user]
            for task in self._tasks:
                task.cancel()
            self.outbox.put_nowait(None)
            await asyncio.wait([sender])  # it may have been cancelled (a cut-off slow consumer)
            if not sender.cancelled():
                with contextlib.suppress(Exception):
                    sender.result()

    async def _receive_loop(self) -> None:
        limits = self.server.limits
        hello_by = asyncio.get_running_loop().time() + limits.hello_timeout_s
        while self._closing is None:
            while self._inbound > limits.max_inbound_bytes and self._closing is None:
                self._acked_event.clear()  # read no more until acks free some bytes
                await self._acked_event.wait()
            try:
                if self.session is None or self.session.state is State.AWAIT_HELLO:
                    left = hello_by - asyncio.get_running_loop().time()
                    frame = await asyncio.wait_for(self.websocket.receive(), max(left, 0.0))
                else:
                    frame = await self.websocket.receive()
            except TimeoutError:
                self._run([Send(Error(code="unauthorized", path="$.type",
                                      message=f"no valid hello within {limits.hello_timeout_s} s")),
                           Close(CLOSE_POLICY, "hello_timeout")])
                return
            except (WebSocketDisconnect, RuntimeError):
                return
            if frame["type"] == "websocket.disconnect":
                return
            data = frame.get("bytes")
            text = frame.get("text")
            if self.session is None:
                self.codec = MSGPACK if data is not None else JSON
                self.session = ServerSession(self.server.engine, self.server.authority, self.server.history,
                                             json=self.codec is JSON)
            codec = MSGPACK if data is not None else JSON
            raw = data if data is not None else (text or "").encode()
            self._frame_size = len(raw)
            too_many = self.server.too_many_ops(raw, codec)  # told before decoding: decoding costs the memory
            if too_many is not None:
                self._run(self.session.bad_input(MessageError(too_many.message, path=too_many.path))
                          if self.session.state is not State.READY else [Send(too_many)])
                continue
            try:
                message = codec.decode(raw)
            except MessageError as exc:
                self._run(self.session.bad_input(exc))
                continue
            too_many = self.server.too_many_ops(message, codec)
            if too_many is not None and self.session.state is State.READY:
                self._run([Send(too_many)])
                continue
            self._run(self.session.receive(message, time.time()))
            if self._expiry is None and self.session.grant is not None:
                self._admit(self.session.grant.user)
                self._expiry = asyncio.create_task(self._close_at_expiry(self.session))
                self._tasks.add(self._expiry)

    def _admit(self, user: str) -> None:
        """Count this socket for ``user``, or close it if the user has too many."""
        counts = self.server.user_sockets
        if counts.get(user, 0) >= self.server.limits.max_connections_per_user:
            self._run([Send(Error(code="too_many_connections", path="$.token",
                                  message=f"this user has {self.server.limits.max_connections_per_user} "
                                          "connections open already")), Close(CLOSE_BUSY, "too_many_connections")])
            return
        counts[user] = counts.get(user, 0) + 1
        self._user = user

    async def _close_at_expiry(self, session: ServerSession) -> None:
        """Close with 1008 once the token expires, unless a fresh one came first."""
        while session.grant is not None and self._closing is None:
            left = session.grant.expires_at - time.time()
            if left > 0:
                await asyncio.sleep(min(left, 3600.0))
                continue
            self._run(session.expire(time.time()))
            return

    def _run(self, actions: list[Any]) -> None:
        for action in actions:
            if isinstance(action, Send):
                if isinstance(action.message, Error):
                    self._count_error(action.message)
                elif isinstance(action.message, Welcome) and self.session is not None and self.session.grant:
                    log.info("device connected", extra={"device": self.session.client_id,
                                                        "user": self.session.grant.user})
                self._enqueue(self.codec.encode(action.message))
            elif isinstance(action, SubmitPush):
                self._pushes_at_writer += 1
                self._inbound += self._frame_size
                self.server.submit(action.request, functools.partial(self._acked, size=self._frame_size),
                                   self._frame_size)
            elif isinstance(action, StartPull):
                task = asyncio.create_task(self._pull(action.cursor, action.limit, action.resync))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            elif isinstance(action, Close):
                self._closing = action
                self.outbox.put_nowait(None)

    def _acked(self, results: list[MutationResult] | None, outcome: BatchOutcome | None, size: int = 0) -> None:
        self._inbound -= size
        self._acked_event.set()
        if results is None or outcome is None:
            unavailable = Error(code="unavailable", message="the push was not stored; send it again")
            self._count_error(unavailable)
            message: Message = unavailable
        else:
            message = Ack(results=results_for(self.server.translation, self.schema_version, self.protocol, results),
                          server_clock=outcome.server_clock, cursor=outcome.head)
        self._pushes_at_writer -= 1
        self._enqueue(self.codec.encode(message))
        if results is not None:
            self._count_gaps(results)
        # the live batches held meanwhile go once every Ack of this group commit is
        # queued (they are delivered one by one, synchronously, before this runs)
        asyncio.get_running_loop().call_soon(self._release_held)

    def _count_gaps(self, results: list[MutationResult]) -> None:
        """Close the socket of a device that keeps pushing past a missing
        mutation (:data:`GAP_ACKS_TO_CLOSE`): it reconnects after its backoff
        instead of costing the writer a batch per round trip."""
        if not results or any(r.status != "gap" for r in results):
            self._gap_acks = 0
            return
        self._gap_acks += 1
        if self._gap_acks == GAP_ACKS_TO_CLOSE:
            error = Error(code="gap", path="$.mutations[0].client_seq", message=(
                f"{GAP_ACKS_TO_CLOSE} pushes in a row were answered gap ({results[0].message}): this device no longer "
                "sends the mutations the server is missing (was the server's store restored from an older copy?)"))
            self._count_error(error)
            self._run([Send(error), Close(CLOSE_GAP, "gap")])

    def _count_error(self, error: Error) -> None:
        device = self.session.client_id if self.session else ""
        self.server.metrics.error(error.code, error.message, device)
        log.info("error sent: %s: %s", error.code, error.message, extra={"device": device, "code": error.code})

    def _enqueue(self, payload: bytes) -> None:
        if self._closing is not None and self._closing.code == CLOSE_SLOW:
            return  # cut off already
        if self.outbox.qsize() >= OUTBOX_LIMIT or \
                self._outbound + len(payload) > self.server.limits.max_outbound_bytes:
            self._cut_off()
            return
        self._outbound += len(payload)
        self.outbox.put_nowait(payload)

    def _cut_off(self) -> None:
        """A device that does not read what it is sent is cut off (4002) and what
        waited for it is freed at once; it reconnects and pulls from its cursor."""
        self._closing = Close(CLOSE_SLOW, "slow_consumer")
        while not self.outbox.empty():
            self.outbox.get_nowait()
        self._outbound = 0
        self._acked_event.set()  # the receive loop may be waiting: let it see the close
        if self._sender is not None:
            self._sender.cancel()  # it may be stuck sending to a socket nobody reads
        task = asyncio.create_task(self._close_now(self._closing))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _close_now(self, closing: Close) -> None:
        """Close with ``closing`` (uvicorn drops the connection if the peer does
        not answer the close within its own close time-out, 10 s)."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.websocket.close(closing.code, closing.reason), CUT_OFF_WAIT_S)

    @property
    def schema_version(self) -> int:
        """The device's schema version (the current one until its Hello is accepted)."""
        return self.server.schema.version if self.session is None else self.session.schema_version

    @property
    def wants_echo(self) -> bool:
        """Whether live batches must carry this device's own rows all the same.

        While a pull runs, and for good once it served a full re-sync: the
        device ends a re-sync by deleting every row no page or live batch
        brought, and a page read before the commit of its own write lacks that
        row; only its live batch brings it then.
        """
        return self.pulling or self.resynced

    @property
    def protocol(self) -> int:
        """The protocol version the device speaks (1 until its Hello is accepted)."""
        return 1 if self.session is None else self.session.protocol

    def deliver_live(self, head: int, payload: bytes) -> None:
        """A committed batch for this connection's scopes (bytes shared with others).

        Held while a pull runs, and while a push of this connection is at the
        writer: with several nodes, a batch read by the fan-out may hold the
        rows of that push before its Ack is queued, and a device that got them
        first would replay the push over rows that include it.
        """
        if self.pulling or self._pushes_at_writer or self._held:  # behind held ones, in order
            self._held.append((head, payload))
        elif head > self.sent_cursor:
            self.sent_cursor = head
            self._enqueue(payload)

    def _release_held(self) -> None:
        """Send the live batches held for an Ack: each was published before the
        Ack was queued, so none holds a later group commit (the writer starts
        the next one after the Acks of this one)."""
        if self.pulling:
            return  # the pull sends them as it ends
        held, self._held = self._held, []
        for head, payload in held:
            if head > self.sent_cursor:
                self.sent_cursor = head
                self._enqueue(payload)

    async def _pull(self, cursor: int, limit: int, resync: bool) -> None:
        session = self.session
        assert session is not None and session.grant is not None
        async with self._pull_lock:
            self.pulling = True
            # subscribe before reading, so no batch committed meanwhile is missed
            self.server.hub.subscribe(self, session.grant.read, session.grant.user, session.client_id,
                                      session.schema_version, session.protocol)
            try:
                limit = min(limit, PULL_PAGE)
                while True:
                    while self.outbox.qsize() >= PULL_AHEAD and self._closing is None:
                        self._drained.clear()
                        await self._drained.wait()
                    changes = await self.server.pull(session.grant, session.client_id, cursor, limit, resync=resync,
                                                     version=self.schema_version, protocol=self.protocol)
                    self._enqueue(self.codec.encode(changes))
                    self.server.metrics.pulled(row_count(changes))
                    cursor, resync = changes.cursor, changes.resync  # the pages after a re-sync's first go on with it
                    self.resynced = self.resynced or resync
                    self.sent_cursor = max(self.sent_cursor, cursor)
                    if not changes.more:
                        break
            finally:
                self.pulling = False
                held, self._held = self._held, []
                for head, payload in held:
                    self.deliver_live(head, payload)

    async def _send_loop(self) -> None:
        ws = self.websocket
        while True:
            payload = await self.outbox.get()
            if payload is not None:
                self._outbound -= len(payload)
            if self.outbox.qsize() < PULL_AHEAD:
                self._drained.set()
            if payload is None:  # end of the connection: everything queued before it is sent
                if self._closing is not None:
                    with contextlib.suppress(Exception):
                        await ws.close(self._closing.code, self._closing.reason)
                return
            if self.codec.binary:
                await ws.send_bytes(payload)
            else:
                await ws.send_text(payload.decode())


def _sized(items: list[tuple[PushRequest, Deliver]], outcome: BatchOutcome) -> Iterator[tuple[int, MutationResult]]:
    """Each answered mutation of a batch with its number of operations."""
    for (request, _), results in zip(items, outcome.results, strict=True):
        sizes = {m.client_seq: len(m.ops) for m in request.mutations}
        for result in results:
            yield sizes.get(result.client_seq, 0), result


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one batch is applied, acked and published.

    A batch makes a few container objects per operation (decoded operations,
    row states, stamp maps, wire rows) that form no reference cycles and are
    freed by reference counting once the batch is answered. The collector
    scanned them anyway, and the whole heap each time enough of them had
    survived: 4.7 of the server's 23.6 us of CPU per operation in a 100k-op
    push (A/B in one session). Garbage cycles made meanwhile (by any
    coroutine or thread) wait for the first collection after the batch.
    """
    if not gc.isenabled():  # turned off by the embedding program: leave it so
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthError("an Authorization: Bearer <token> header is required", path="headers.authorization")
    return token.strip()


def _http_protocol(request: Request) -> int:
    """The protocol an HTTP request speaks: its ``offsync-protocol`` header (3
    for row arrays and Ack versions); without it, 2's messages."""
    given = request.headers.get("offsync-protocol", "")
    return int(given) if given.isdigit() and len(given) < 6 else 2


def _check_client_id(client_id: str) -> None:
    if not _CLIENT_ID.fullmatch(client_id):
        raise MessageError("offsync-client-id must be 1-128 of A-Z a-z 0-9 _ . : -", path="headers.offsync-client-id")


async def _read_limited(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _media_type(codec: Codec) -> str:
    return "application/msgpack" if codec.binary else "application/json"


def _message_response(codec: Codec, message: Message) -> Response:
    return Response(codec.encode(message), media_type=_media_type(codec))


def _error_response(codec: Codec, status: int, error: Error) -> Response:
    return Response(codec.encode(error), status_code=status, media_type=_media_type(codec))
