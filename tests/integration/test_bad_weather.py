"""The client in bad weather: a link that dies silently, and "reconnect now".

The silent death is real: a TCP proxy on loopback between device and server
that, when frozen, stops moving bytes either way without closing anything
(no FIN, no RST), as a dropped Wi-Fi or a dead NAT entry does.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sync_client.connection import CLOSE_TIMEOUT_S, PING_INTERVAL_S, PING_TIMEOUT_S, Backoff, SyncClient

from ..servers import ThreadServer, free_port
from .helpers import device


class FreezableProxy:
    """Forwards TCP from a loopback port to ``target``; :meth:`freeze` makes
    every link it carries go silent (bytes are read and dropped)."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = free_port()
        self.frozen = threading.Event()
        self.links = 0
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._sockets: list[socket.socket] = [self._listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self._sockets += [client, upstream]
            self.links += 1
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:  # pass the end on, as a router would
                try:
                    sink.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            if not self.frozen.is_set():
                try:
                    sink.sendall(data)
                except OSError:
                    return

    def close(self) -> None:
        for s in self._sockets:
            s.close()


@pytest.fixture
def proxy(server: ThreadServer) -> Iterator[FreezableProxy]:
    running = FreezableProxy(server.port)
    yield running
    running.close()


def _wait(condition: Callable[[], bool], timeout: float) -> float:
    """Seconds until ``condition()`` holds; fails after ``timeout``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(0.02)
    return time.monotonic() - start


def test_default_ping_settings_notice_a_dead_link_within_15_s() -> None:
    assert PING_INTERVAL_S + PING_TIMEOUT_S + CLOSE_TIMEOUT_S <= 15


def test_a_silently_dead_link_is_noticed_within_ping_interval_plus_timeout(
        server: ThreadServer, proxy: FreezableProxy, schema, tmp_path: Path) -> None:
    replica = device(tmp_path, "d", schema)
    client = SyncClient(replica, f"ws://127.0.0.1:{proxy.port}/sync", server.token("ada"),
                        ping_interval=0.3, ping_timeout=0.5, close_timeout=0.3, backoff=Backoff(base=0.05, cap=0.1))
    client.start()
    try:
        _wait(lambda: client.status.connected and client.status.last_sync_at is not None, 10)
        proxy.frozen.set()
        noticed = _wait(lambda: not client.status.connected, 10)
        # the interval, the time-outs, and slack for a loaded machine (it took 2.1 s at load 5.5);
        # without these settings websockets' own (20 s and 20 s) would take far longer
        assert noticed < 0.3 + 0.5 + 0.3 + 3.0
        # the next link through the thawed proxy syncs again; an attempt made while
        # frozen lost its handshake and waits out the 10 s open time-out first
        proxy.frozen.clear()
        replica.insert("notes", {"title": "after the outage"})
        _wait(lambda: client.status.connected and replica.pending_count() == 0, 25)
        assert proxy.links >= 2
    finally:
        client.stop()
        replica.close()


def test_bad_ping_settings_are_refused(server: ThreadServer, schema, tmp_path: Path) -> None:
    replica = device(tmp_path, "d", schema)
    with pytest.raises(ValueError, match="ping_timeout must be > 0"):
        SyncClient(replica, server.ws_url, "t", ping_timeout=0)
    replica.close()


def test_reconnect_now_replaces_a_live_link_at_once(server: ThreadServer, proxy: FreezableProxy, schema,
                                                    tmp_path: Path) -> None:
    replica = device(tmp_path, "d", schema)
    # a backoff far longer than the test: only reconnect_now can bring the link back in time
    client = SyncClient(replica, f"ws://127.0.0.1:{proxy.port}/sync", server.token("ada"),
                        backoff=Backoff(base=600, cap=600))
    client.start()
    try:
        _wait(lambda: client.status.connected and client.status.last_sync_at is not None, 10)
        assert client.status.attempts == 1
        client.reconnect_now()
        _wait(lambda: client.status.attempts == 2 and client.status.connected, 5)
        assert proxy.links == 2
    finally:
        client.stop()
        replica.close()


def test_reconnect_now_cuts_the_backoff_wait_short(server: ThreadServer, schema, tmp_path: Path) -> None:
    replica = device(tmp_path, "d", schema)
    down = free_port()  # nothing listens here yet
    client = SyncClient(replica, f"ws://127.0.0.1:{down}/sync", server.token("ada"),
                        backoff=Backoff(base=600, cap=600))
    client.start()
    try:
        _wait(lambda: client.status.attempts == 1 and client.status.last_error is not None, 10)
        # the network is back (here: the server is found); urls first, so that a
        # failover (_move) running between the two lines cannot pick ``down`` again
        client.urls = [server.ws_url]
        client.url = server.ws_url
        client.reconnect_now()
        _wait(lambda: client.status.connected, 20)  # far below the 600 s backoff; slack for a loaded machine
        assert client.status.attempts == 2
    finally:
        client.stop()
        replica.close()
