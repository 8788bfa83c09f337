"""The `offsync` command as a user runs it."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from shared.apps.notes import schema
from sync_client.connection import SyncClient
from sync_client.replica import Replica

from ..servers import wait_healthy

OFFSYNC = [sys.executable, "-m", "sync_server.cli"]


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_serve_with_no_arguments_answers_health_and_accepts_its_own_tokens(tmp_path: Path) -> None:
    if not _port_free(8787):
        pytest.skip("port 8787 is in use on this machine")
    env = {k: v for k, v in os.environ.items() if k != "OFFSYNC_SECRET"}
    proc = subprocess.Popen([*OFFSYNC, "serve"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        wait_healthy("http://127.0.0.1:8787", timeout=15)
        assert (tmp_path / "offsync.db").exists()
        assert (tmp_path / "offsync.db.secret").exists()  # generated once, kept beside the database
        token = subprocess.run([*OFFSYNC, "token", "--user", "ada"], cwd=tmp_path, env=env, check=True,
                               capture_output=True, text=True).stdout.strip()
        replica = Replica(str(tmp_path / "device.db"), schema)
        replica.insert("notes", {"title": "through the cli"})
        result = asyncio.run(SyncClient(replica, "ws://127.0.0.1:8787/sync", token).sync_once())
        assert result.pushed == 1 and replica.pending() == []
        replica.close()
    finally:
        proc.terminate()
        proc.wait(10)


def test_demo_converges_and_says_so() -> None:
    done = subprocess.run([*OFFSYNC, "demo"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == "converged: 4 rows on 3 replicas"


def test_a_bad_schema_spec_is_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run([*OFFSYNC, "serve", "--schema", "no_such_module:schema", "--db", str(tmp_path / "x.db")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "cannot import schema module 'no_such_module'" in done.stderr
