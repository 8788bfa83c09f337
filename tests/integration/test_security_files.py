"""What ``offsync serve`` keeps on disk and in its logs: a secret file that is
empty or readable by others is refused with a clear error, a new one is made
0600 in one step; the database and search index are 0600; logs never record
a query string."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from shared.errors import UsageError
from sync_server.auth import load_or_create_secret
from sync_server.cli import build_server

from ..servers import free_port, wait_healthy

OFFSYNC = [sys.executable, "-m", "sync_server.cli"]


@pytest.fixture(autouse=True)
def no_secret_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OFFSYNC_SECRET", raising=False)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_secret_is_made_private_and_whole(tmp_path: Path) -> None:
    secret = load_or_create_secret(str(tmp_path / "s.db"))
    path = tmp_path / "s.db.secret"
    assert _mode(path) == 0o600 and path.read_text() == secret and len(secret) >= 32
    assert load_or_create_secret(str(tmp_path / "s.db")) == secret
    assert [p.name for p in tmp_path.iterdir()] == ["s.db.secret"]  # no temporary file left behind


def test_an_empty_secret_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "s.db.secret"
    path.touch(mode=0o600)
    with pytest.raises(UsageError, match="no usable secret.*remove it"):
        load_or_create_secret(str(tmp_path / "s.db"))
    done = subprocess.run([*OFFSYNC, "token", "--user", "ada", "--db", str(tmp_path / "s.db")],
                          capture_output=True, text=True, timeout=60, env=os.environ.copy(), check=False)
    assert done.returncode == 2 and "no usable secret" in done.stderr and done.stdout == ""


def test_a_secret_others_may_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db.secret"
    path.write_text("k" * 64)
    path.chmod(0o644)
    with pytest.raises(UsageError, match="read by other users.*chmod 600"):
        load_or_create_secret(str(tmp_path / "s.db"))


def test_the_database_and_search_index_are_private(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    server = build_server(str(db), "notes")
    try:
        assert _mode(db) == 0o600 and _mode(tmp_path / "s.db.search") == 0o600
        for companion in tmp_path.glob("s.db*-wal"):
            assert _mode(companion) == 0o600
    finally:
        server.store.close()


def test_an_existing_database_others_may_read_is_made_private(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    build_server(str(db), "notes").store.close()
    db.chmod(0o644)
    build_server(str(db), "notes").store.close()
    assert _mode(db) == 0o600


def test_logs_never_record_a_query_string(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "OFFSYNC_SECRET": "s" * 48}
    proc = subprocess.Popen([*OFFSYNC, "serve", "--port", str(port), "--db", str(tmp_path / "s.db"),
                             "--log-level", "info"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_healthy(f"http://127.0.0.1:{port}")
        httpx.get(f"http://127.0.0.1:{port}/health?token=eyJ-leaked-token&q=my+private+words", timeout=5)
        httpx.get(f"http://127.0.0.1:{port}/api/search?q=diary+secrets", timeout=5)
        time.sleep(0.3)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    log = out.decode()
    assert "GET /health" in log and "GET /api/search" in log  # the access log is on, with the paths
    for leaked in ("eyJ-leaked-token", "private", "diary", "secrets"):
        assert leaked not in log
