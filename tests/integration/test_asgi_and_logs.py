"""``uvicorn sync_server.asgi:create_app --factory`` configured from the
environment, and the logs it writes: JSON with device and user ids, never a
token or a query string."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from shared.apps.notes import schema
from sync_client.connection import SyncClient
from sync_server.auth import TokenAuthority
from sync_server.logs import JsonFormatter, RedactingFilter, configure, redact

from ..servers import SECRET, free_port, wait_healthy
from .helpers import device


def test_redact_cuts_query_strings_and_tokens() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl"
    assert redact(f'127.0.0.1:5 - "GET /sync?token={jwt}&x=1 HTTP/1.1" 101') == \
        '127.0.0.1:5 - "GET /sync?… HTTP/1.1" 101'
    assert redact(f"connect to wss://h.example/sync?t=1 with {jwt}") == "connect to wss://h.example/sync?… with [token]"
    assert redact("Authorization: Bearer abc.def") == "Authorization: Bearer [token]"
    assert redact("is this a question? yes") == "is this a question? yes"


def test_json_lines_carry_device_and_user_and_no_token() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("offsync.test-json")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("pulled %s", "/sync/pull?token=eyJa.eyJb.c", extra={"device": "d1", "user": "ada"})
    finally:
        logger.removeHandler(handler)
    entry = json.loads(stream.getvalue())
    assert entry["message"] == "pulled /sync/pull?…"
    assert entry["device"] == "d1" and entry["user"] == "ada" and entry["level"] == "info"
    assert entry["ts"].endswith("Z")


def test_configure_refuses_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="text or json"):
        configure("xml")


def _uvicorn(tmp_path: Path, port: int, **env: str) -> subprocess.Popen[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("OFFSYNC_")}
    full.update(env)
    return subprocess.Popen([sys.executable, "-m", "uvicorn", "sync_server.asgi:create_app", "--factory",
                             "--host", "127.0.0.1", "--port", str(port)],
                            cwd=tmp_path, env=full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_uvicorn_factory_serves_from_the_environment_with_json_logs(tmp_path: Path) -> None:
    port = free_port()
    proc = _uvicorn(tmp_path, port, OFFSYNC_DB=str(tmp_path / "srv.db"), OFFSYNC_SECRET=SECRET,
                    OFFSYNC_SCHEMA="shared.apps.notes:schema", OFFSYNC_LOG_FORMAT="json")
    token = TokenAuthority(SECRET).issue("ada")
    try:
        wait_healthy(f"http://127.0.0.1:{port}")
        replica = device(tmp_path, "d", schema)
        replica.insert("notes", {"title": "through the factory"})
        result = asyncio.run(SyncClient(replica, f"ws://127.0.0.1:{port}/sync", token).sync_once())
        assert result.pushed == 1
        httpx.get(f"http://127.0.0.1:{port}/health?token={token}")
        assert (tmp_path / "srv.db").exists()
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=15)
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert lines and len(lines) == len([x for x in output.splitlines() if x.strip()]), output  # every line JSON
    connected = [e for e in lines if e["message"] == "device connected"]
    assert connected and connected[0]["device"] == replica.device_id and connected[0]["user"] == "ada"
    assert any(e["message"] == "device disconnected" for e in lines)
    assert any("GET /health?…" in e["message"] for e in lines), output  # uvicorn's access log, redacted
    assert token not in output and "token=" not in output
    replica.close()


def test_uvicorn_factory_names_a_bad_variable(tmp_path: Path) -> None:
    proc = _uvicorn(tmp_path, free_port(), OFFSYNC_DB=str(tmp_path / "srv.db"), OFFSYNC_COMPACT_AFTER_DAYS="-2")
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "OFFSYNC_COMPACT_AFTER_DAYS: expected a number of days >= 0" in output
