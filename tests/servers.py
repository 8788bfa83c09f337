"""Real servers for tests: uvicorn on a free loopback port, in a thread or a
child process (the latter for SIGKILL tests). No mocks of the network."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from sync_server.app import MAX_FRAME_BYTES, SyncServer

SECRET = "test-secret-" + "x" * 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(base: str) -> bool:
    """Does the server at ``base`` answer /health now?"""
    try:
        return httpx.get(f"{base}/health", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def wait_healthy(base: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if healthy(base):
            return
        time.sleep(0.05)
    raise TimeoutError(f"server at {base} did not become healthy in {timeout}s")


class Loopback:
    """The URLs of a server listening on a loopback port."""

    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/sync"


class ThreadServer(Loopback):
    """A SyncServer served by uvicorn on a background thread."""

    def __init__(self, sync: SyncServer, *, ws_max_size: int = MAX_FRAME_BYTES) -> None:
        self.sync = sync
        self.port = free_port()
        config = uvicorn.Config(sync.app, host="127.0.0.1", port=self.port, log_level="warning",
                                ws_max_size=ws_max_size, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)


    def token(self, user: str, scopes: tuple[str, ...] = (), **kw: object) -> str:
        return self.sync.authority.issue(user, scopes, **kw)  # type: ignore[arg-type]

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        wait_healthy(self.base)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class ProcessServer(Loopback):
    """``offsync serve`` in a child process, so a test can SIGKILL it or freeze
    it with SIGSTOP. ``db``: a SQLite file or a postgresql:// URL."""

    def __init__(self, db: Path | str, schema: str = "notes", port: int | None = None) -> None:
        self.db = db
        self.schema = schema
        self._chosen_port = port is None  # a port of our choosing may be taken meanwhile: choose again
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self._stderr: Any = None

    def start(self, wait: bool = True) -> ProcessServer:
        env = {**os.environ, "OFFSYNC_SECRET": SECRET}
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sync_server.cli", "serve", "--port", str(self.port), "--db", str(self.db),
             "--schema", self.schema, "--log-level", "warning"], env=env,
            stdout=subprocess.DEVNULL, stderr=self._stderr)
        if wait:
            self.wait_started()
        return self

    def wait_started(self, timeout: float = 30.0) -> None:
        """Wait until the server answers /health. One that exits first fails with
        its stderr, unless it only found its port taken (another process took the
        free port between our look and its bind): then it starts on another."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                self._stderr.seek(0)
                said = self._stderr.read().decode(errors="replace")
                if self._chosen_port and "address already in use" in said.lower():
                    self.port = free_port()
                    self.start(wait=False)
                    continue
                raise RuntimeError(f"offsync serve exited with {self.proc.returncode}: {said[-2000:]}")
            if healthy(self.base):
                return
            time.sleep(0.05)
        raise TimeoutError(f"server at {self.base} did not become healthy in {timeout}s")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def freeze(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGCONT)  # a frozen server cannot end
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.kill()
