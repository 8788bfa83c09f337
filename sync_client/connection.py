"""The asyncio WebSocket loop around :class:`~sync_client.protocol.ClientProtocol`.

``await client.sync_once()`` connects, pushes everything, pulls to the current
cursor and disconnects. ``await client.run()`` stays connected, streams both
ways, and reconnects with exponential backoff and full jitter, resuming from
the stored cursor. Apps that are not asyncio call ``client.start()`` to run the
same loop on a background thread and ``client.stop()`` to end it cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import apsw
import websockets
from websockets.asyncio.client import ClientConnection, connect

from shared.errors import MessageError, ProtocolError, RemoteError, StateError, SyncError, WrongEndpoint
from shared.messages import MSGPACK, Changes, Message, Push, Token

from .protocol import HEAD_CHECK_S, ClientProtocol, Phase
from .replica import Replica
from .tokens import refresh_at

log = logging.getLogger("offsync.client")

MAX_FRAME_BYTES = 64 * 1024 * 1024
#: permessage-deflate is not offered by default: the server would compress every
#: frame once per connection, so one encoding of a change could not serve every
#: device (8 % of the server's CPU in a 100k-op push; 3.7 us per row of a
#: bootstrap page, as much again as reading and encoding the row). It makes
#: bootstrap pages 8-9x smaller, so a device on a slow link may ask for it.
COMPRESSION: str | None = None
#: a WebSocket ping goes out every this many seconds; a link whose pong has
#: not come back ``PING_TIMEOUT_S`` later is taken as dead, and closed after
#: at most ``CLOSE_TIMEOUT_S`` more (websockets waits that long for the closing
#: handshake): a link that dies silently (no FIN, no RST) is noticed within
#: their sum, 15 s. websockets' own 20 + 20 + 10 took about 50 s, while the
#: status said live.
PING_INTERVAL_S = 5.0
PING_TIMEOUT_S = 7.0
CLOSE_TIMEOUT_S = 3.0


@dataclass
class SyncStatus:
    """What the sync loop is doing, for an app to show."""

    connected: bool = False
    phase: str = Phase.OFFLINE.value
    pending: int = 0
    cursor: int = 0
    head: int = 0
    pulled: int = 0
    pushed: int = 0
    rejected: int = 0
    last_error: str | None = None
    last_sync_at: float | None = None
    attempts: int = 0
    resyncing: bool = False  # a full re-sync is under way (see Replica.resyncing)
    #: why the loop stopped for good (the server refused this device, or the
    #: replica failed in a way retrying cannot mend); None while it runs
    fatal: str | None = None

    @property
    def progress(self) -> float:
        """How far the pull has come, 0..1 (1 when caught up)."""
        return 1.0 if self.head <= 0 else min(1.0, self.cursor / self.head)


@dataclass
class SyncResult:
    pushed: int
    pulled: int
    rejected: int
    cursor: int


@dataclass
class Backoff:
    """Exponential backoff with full jitter (wait a random time up to the cap)."""

    base: float = 0.2
    cap: float = 30.0
    attempt: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * (2 ** self.attempt))
        self.attempt += 1
        return self.rng.uniform(0, ceiling)

    def reset(self) -> None:
        self.attempt = 0


class SyncClient:
    """Keeps a :class:`Replica` in sync with a server.

    Args:
        replica: the device's replica.
        url: the server's WebSocket URL, e.g. ``ws://127.0.0.1:8787/sync``, or
            several nodes' URLs (one database, see docs/scale-out.md): the
            device starts on the first, and whenever a connection fails or
            ends it moves to one of the others at random, after the backoff's
            jittered wait, so the devices of a dead node spread over the rest.
        token: a token from ``offsync token`` or the app's login.
        on_progress: called with the :class:`SyncStatus` after each page pulled.
        compression: ``"deflate"`` to offer permessage-deflate (fewer bytes on
            a slow link, more CPU on both ends); off by default.
        ping_interval: seconds between WebSocket pings (None: no pings).
        ping_timeout: seconds to wait for a pong before the link counts as
            dead and the loop reconnects (None: wait forever).
        close_timeout: seconds to wait for the server's side of a closing
            handshake (on a dead link it never comes). With the defaults a
            dead link is noticed within 15 s (interval + time-outs).
        token_refresh: returns a fresh token (same user and scopes); called
            before the current one expires, which the server would otherwise
            end the socket at (1008 ``token_expired``).
    """

    def __init__(self, replica: Replica, url: str | Sequence[str], token: str, *,
                 on_progress: Callable[[SyncStatus], None] | None = None, backoff: Backoff | None = None,
                 compression: str | None = COMPRESSION, ping_interval: float | None = PING_INTERVAL_S,
                 ping_timeout: float | None = PING_TIMEOUT_S, close_timeout: float = CLOSE_TIMEOUT_S,
                 token_refresh: Callable[[], Awaitable[str]] | None = None) -> None:
        for name, value in (("ping_interval", ping_interval), ("ping_timeout", ping_timeout),
                            ("close_timeout", close_timeout)):
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be > 0 seconds or None, got {value!r}")
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.close_timeout = close_timeout
        self.replica = replica
        self.compression = compression
        self.urls = [url] if isinstance(url, str) else list(url)
        if not self.urls:
            raise ValueError("url: give at least one server URL")
        self.url = self.urls[0]  # the one the device uses now
        self.token = token
        self.token_refresh = token_refresh
        self.on_progress = on_progress
        self.backoff = backoff or Backoff()
        self.status = SyncStatus(pending=replica.pending_count(), cursor=replica.cursor)
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ws: ClientConnection | None = None
        self._retry: asyncio.Event | None = None
        replica.on_commit(self._local_write)

    # -- public API ------------------------------------------------------------

    async def sync_once(self, timeout: float = 60.0) -> SyncResult:
        """Push every pending write, pull to the current cursor, disconnect.

        Raises:
            RemoteError: the server refused the connection (token, schema) or
                reported an error.
            WrongEndpoint: the URL is not ``ws://`` or ``wss://``, or the
                server answered the upgrade with an HTTP status (a wrong path).
            ProtocolError: the server sent a malformed frame.
            SyncError: the replica could not take what the server sent.
            OSError / TimeoutError: the server could not be reached in time.
        """
        protocol = self._protocol()
        async with asyncio.timeout(timeout):
            for tries_left in range(len(self.urls) - 1, -1, -1):
                try:
                    async with self._connect(timeout) as ws:
                        try:
                            await self._converse(ws, protocol, until_idle=True)
                        except apsw.Error as exc:
                            raise _replica_failed(exc) from exc
                    break
                except (OSError, websockets.exceptions.ConnectionClosedError):
                    if not tries_left:
                        raise
                    protocol.disconnected()
                    self._move()  # this node is unreachable or went away: go on with another
        if protocol.error is not None and protocol.phase is Phase.CLOSED:
            raise protocol.error
        return SyncResult(protocol.pushed, protocol.pulled, protocol.rejected, self.replica.cursor)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Stay in sync until ``stop`` is set, reconnecting after any failure.

        Returns early only if retrying cannot help: the server refused this
        device for good (a bad or expired token, a schema mismatch), or the
        replica failed; ``status.fatal`` says why, and the loop never spins.
        """
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._retry = asyncio.Event()
        stop = stop or asyncio.Event()
        self._stop = stop
        while not stop.is_set():
            at = refresh_at(self.token)
            if self.token_refresh is not None and at is not None and at <= time.time():
                self.token = await self.token_refresh()
            protocol = self._protocol()
            self.status.attempts += 1
            try:
                async with self._connect(10) as ws:
                    self.backoff.reset()
                    self._ws = ws
                    self._retry.clear()  # a reconnect asked for while connecting: this is it
                    await self._converse(ws, protocol, until_idle=False, stop=stop)
            except (OSError, TimeoutError, websockets.exceptions.WebSocketException, ProtocolError,
                    RemoteError, WrongEndpoint) as exc:
                self.status.last_error = f"{type(exc).__name__}: {exc}"
            except (apsw.Error, SyncError) as exc:  # the replica refused: the same data fails again
                failed = _replica_failed(exc) if isinstance(exc, apsw.Error) else exc
                self.status.last_error = self.status.fatal = f"{type(failed).__name__}: {failed}"
                log.error("sync stopped: %s", self.status.fatal)
                return
            except Exception as exc:  # noqa: BLE001 (unforeseen: log it, and retry after the backoff)
                self.status.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("sync failed; retrying")
            finally:
                self._ws = None
                protocol.disconnected()
                self._update(protocol, connected=False)
            if protocol.phase is Phase.CLOSED:
                self.status.fatal = self.status.last_error
                log.error("server refused this device: %s", protocol.error)
                return
            if stop.is_set():
                return
            self._move()
            await self._pause(stop, self._retry, self.backoff.next_delay())

    def start(self) -> None:
        """Run :meth:`run` on a background thread (for apps that are not asyncio)."""
        if self._thread is not None and self._thread.is_alive():
            raise StateError("the sync thread is already running")
        ready = threading.Event()

        def main() -> None:
            async def body() -> None:
                self._stop = asyncio.Event()
                self._loop = asyncio.get_running_loop()
                ready.set()
                await self.run(self._stop)

            asyncio.run(body())

        self._thread = threading.Thread(target=main, name="offsync-sync", daemon=True)
        self._thread.start()
        ready.wait(5)

    def reconnect_now(self) -> None:
        """Drop the current connection (if any) and connect again at once,
        skipping the backoff wait: for an app that knows the network just came
        back, or that the link it holds is stale. Safe from any thread; does
        nothing when the loop is not running."""
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop may have ended already
                loop.call_soon_threadsafe(self._reconnect)

    def _reconnect(self) -> None:
        self.backoff.reset()
        if self._retry is not None:
            self._retry.set()
        if self._ws is not None:
            asyncio.get_running_loop().create_task(self._ws.close(1001, "reconnecting"))

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the background thread started by :meth:`start` and wait for it."""
        if self._thread is None:
            return
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop may have ended already
                loop.call_soon_threadsafe(stop.set)
        self._thread.join(timeout)
        self._thread = None

    # -- internals -----------------------------------------------------------------

    def _move(self) -> None:
        """Go on with another of several URLs, picked at random (one URL: stay)."""
        others = [u for u in self.urls if u != self.url]
        if others:
            self.url = self.backoff.rng.choice(others)

    @contextlib.asynccontextmanager
    async def _connect(self, open_timeout: float) -> AsyncIterator[ClientConnection]:
        """The WebSocket to ``self.url``; a URL that is no WebSocket endpoint
        raises :class:`WrongEndpoint` instead of websockets' own errors, which
        read like an auth problem (HTTP 403) or a typo."""
        try:
            ws = await connect(self.url, max_size=MAX_FRAME_BYTES, open_timeout=open_timeout,
                               compression=self.compression, ping_interval=self.ping_interval,
                               ping_timeout=self.ping_timeout, close_timeout=self.close_timeout)
        except websockets.exceptions.InvalidURI:
            raise WrongEndpoint(f"{self.url!r} is not a WebSocket URL: use ws:// or wss://, "
                                "e.g. ws://127.0.0.1:8787/sync", path="url") from None
        except websockets.exceptions.InvalidStatus as exc:
            status = exc.response.status_code
            raise WrongEndpoint(f"{self.url} answered the WebSocket upgrade with HTTP {status}: "
                                "no offsync WebSocket there (offsync listens on /sync)", path="url") from None
        async with ws:
            yield ws

    @staticmethod
    async def _pause(stop: asyncio.Event, retry: asyncio.Event, delay: float) -> None:
        """Wait ``delay`` seconds, or less if ``stop`` or ``retry`` is set."""
        waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(retry.wait())]
        try:
            await asyncio.wait(waits, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        retry.clear()

    def _protocol(self) -> ClientProtocol:
        protocol = ClientProtocol(self.replica, self.token, on_changes=self._pulled)
        protocol.pushes_per_call = 1  # each Push goes out before the next is read: see _send
        return protocol

    def _local_write(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(wake.set)

    def _pulled(self, changes: Changes) -> None:
        self.status.cursor = changes.cursor
        self.status.head = max(changes.head, changes.cursor)
        if self.on_progress is not None:
            self.on_progress(self.status)

    def _update(self, protocol: ClientProtocol, *, connected: bool, recount: bool = True) -> None:
        s = self.status
        s.connected = connected
        s.phase = protocol.phase.value
        if recount:
            s.pending = self.replica.pending_count()
        s.cursor = self.replica.cursor
        s.resyncing = self.replica.resyncing
        s.head = max(s.head, protocol.head)
        s.pulled, s.pushed, s.rejected = protocol.pulled, protocol.pushed, protocol.rejected
        if protocol.error is not None:
            s.last_error = f"{protocol.error.code}: {protocol.error.message}"

    async def _converse(self, ws: ClientConnection, protocol: ClientProtocol, *, until_idle: bool,
                        stop: asyncio.Event | None = None) -> None:
        await _send(ws, protocol.connect(), protocol)
        self._update(protocol, connected=True)
        pusher = None if until_idle else asyncio.create_task(self._push_on_write(ws, protocol))
        refresher = None if until_idle or self.token_refresh is None else asyncio.create_task(self._refresh(ws))
        stopper = None if stop is None else asyncio.create_task(_close_when(stop, ws))
        try:
            while True:
                try:
                    if protocol.head_check_due:
                        frame = await asyncio.wait_for(ws.recv(), HEAD_CHECK_S)
                    else:
                        frame = await ws.recv()
                except TimeoutError:
                    await _send(ws, protocol.check_head(), protocol)
                    continue
                except websockets.exceptions.ConnectionClosedOK:
                    break
                try:
                    message = MSGPACK.decode(frame if isinstance(frame, bytes) else frame.encode())
                except MessageError as exc:
                    raise ProtocolError(f"the server sent a malformed frame: {exc}") from None
                await _send(ws, protocol.receive(message), protocol)
                # a page of changes leaves the queue as it was (entries leave with acks):
                # counting it again each page cost O(queue) a page during a long push
                self._update(protocol, connected=True, recount=not isinstance(message, Changes))
                if protocol.phase is Phase.CLOSED:
                    break
                if protocol.idle:
                    self.status.last_sync_at = time.time()
                    if until_idle:
                        break
                if until_idle and protocol.error is not None:
                    raise protocol.error
            if until_idle and not protocol.idle:
                raise protocol.error or ConnectionError("the server closed the connection before the sync completed")
        finally:
            for task in (pusher, stopper, refresher):
                if task is not None:
                    task.cancel()
            if protocol.phase is Phase.CLOSED and protocol.error is not None and until_idle:
                raise protocol.error

    async def _refresh(self, ws: ClientConnection) -> None:
        """Send a fresh token before the current one expires."""
        assert self.token_refresh is not None
        while (at := refresh_at(self.token)) is not None:
            await asyncio.sleep(max(0.5, at - time.time()))  # never a busy loop on a short-lived token
            self.token = await self.token_refresh()
            await ws.send(MSGPACK.encode(Token(token=self.token)))

    async def _push_on_write(self, ws: ClientConnection, protocol: ClientProtocol) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            await _send(ws, protocol.push(), protocol)
            self._update(protocol, connected=True)


async def _send(ws: ClientConnection, messages: list[Message], protocol: ClientProtocol) -> None:
    """Send ``messages``, then the rest of what is pending, one Push at a time,
    each as soon as it is read: the server applies one while the device reads
    the next, instead of waiting until the device has read all it may have in
    flight. Measured on a 100,000-op push (mutations of 100, pushes of
    5,000 ops, 3 runs each): 50.8-51.8k ops/s reading them all first,
    55.6-59.0k one at a time."""
    for message in messages:
        await ws.send(MSGPACK.encode(message))
    if any(isinstance(m, Push) for m in messages):
        while more := protocol.push():
            for message in more:
                await ws.send(MSGPACK.encode(message))


def _replica_failed(exc: apsw.Error) -> SyncError:
    return SyncError(f"the replica could not apply what the server sent ({type(exc).__name__}: {exc}); "
                     "its schema may differ from the server's")


async def _close_when(stop: asyncio.Event, ws: ClientConnection) -> None:
    await stop.wait()
    await ws.close()


__all__ = ["Backoff", "RemoteError", "SyncClient", "SyncResult", "SyncStatus", "WrongEndpoint"]
