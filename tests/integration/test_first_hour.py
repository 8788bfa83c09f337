"""What a newcomer meets in the first hour: tokens that match the server,
clear errors for a wrong URL, a write without its clock refused by name."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import apsw
import httpx
import pytest

from shared.errors import WrongEndpoint
from shared.messages import JSON, Mutation, Operation, Push
from sync_client.connection import SyncClient
from sync_server.auth import TokenAuthority, load_or_create_secret

from ..servers import ThreadServer
from .helpers import device

OFFSYNC = [sys.executable, "-m", "sync_server.cli"]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "OFFSYNC_SECRET"}


def test_token_is_signed_with_the_secret_beside_the_named_database(tmp_path: Path) -> None:
    db = tmp_path / "srv" / "offsync.db"
    db.parent.mkdir()
    secret = load_or_create_secret(str(db))  # what `offsync serve --db` does at start
    done = subprocess.run([*OFFSYNC, "token", "--user", "ada", "--db", str(db)], cwd=tmp_path, env=_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert TokenAuthority(secret).verify(done.stdout.strip()).user == "ada"


def test_token_without_a_secret_says_where_it_looked_and_creates_none(tmp_path: Path) -> None:
    done = subprocess.run([*OFFSYNC, "token", "--user", "ada"], cwd=tmp_path, env=_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "no secret at offsync.db.secret" in done.stderr and "OFFSYNC_SECRET" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert list(tmp_path.iterdir()) == []  # a new secret would sign tokens the server rejects


def test_token_for_postgresql_without_offsync_secret_is_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run([*OFFSYNC, "token", "--user", "ada", "--db", "postgresql://postgres@127.0.0.1/x"],
                          cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "OFFSYNC_SECRET, which is not set" in done.stderr


@pytest.mark.parametrize("path", ["/", "/ws", "/sync/push"])
def test_a_wrong_websocket_path_raises_wrong_endpoint(server: ThreadServer, schema, tmp_path: Path,
                                                       path: str) -> None:
    replica = device(tmp_path, "d", schema)
    client = SyncClient(replica, f"ws://127.0.0.1:{server.port}{path}", server.token("ada"))
    with pytest.raises(WrongEndpoint, match=r"answered the WebSocket upgrade with HTTP \d+.*/sync"):
        asyncio.run(client.sync_once(timeout=10))
    replica.close()


def test_an_http_url_raises_wrong_endpoint(server: ThreadServer, schema, tmp_path: Path) -> None:
    replica = device(tmp_path, "d", schema)
    client = SyncClient(replica, f"{server.base}/sync", server.token("ada"))
    with pytest.raises(WrongEndpoint, match="use ws:// or wss://"):
        asyncio.run(client.sync_once(timeout=10))
    replica.close()


def test_an_update_without_insert_order_is_rejected_invalid_op(server: ThreadServer) -> None:
    headers = {"authorization": f"Bearer {server.token('ada')}", "offsync-client-id": "d1"}
    insert = Operation(kind="insert", collection="notes", row_id="n", insert_order=10, fields={"title": "x"})
    update = Operation(kind="update", collection="notes", row_id="n", base_version=1, fields={"title": "y"})
    url = f"{server.base}/sync/push"
    first = httpx.post(url, headers=headers, content=JSON.encode(Push(mutations=[Mutation(client_seq=1,
                                                                                             ops=[insert])])))
    assert first.json()["results"][0]["status"] == "applied"
    head = server.sync.store.head()
    second = httpx.post(url, headers=headers, content=JSON.encode(Push(mutations=[Mutation(client_seq=2,
                                                                                              ops=[update])])))
    result = second.json()["results"][0]
    assert result["status"] == "rejected" and result["reason"] == "invalid_op"
    assert server.sync.store.head() == head  # nothing changed


def test_stdlib_sqlite3_reads_a_replica_but_cannot_write_it(schema, tmp_path: Path) -> None:
    import sqlite3

    replica = device(tmp_path, "d", schema)
    replica.insert("notes", {"title": "seen from elsewhere"})
    other = sqlite3.connect(tmp_path / "d.db")
    try:
        assert other.execute("SELECT title FROM notes").fetchall() == [("seen from elsewhere",)]
        with pytest.raises(sqlite3.OperationalError, match="no such function: offsync_capture"):
            other.execute("UPDATE notes SET title = 'x'")
        assert other.execute("SELECT title FROM notes").fetchall() == [("seen from elsewhere",)]
    finally:
        other.close()
    assert len(replica.pending()) == 1
    replica.close()


def test_a_plain_sql_insert_without_an_id_fails_and_with_one_is_captured(schema, tmp_path: Path) -> None:
    from sync_client.ids import new_id

    replica = device(tmp_path, "d", schema)
    with pytest.raises(apsw.ConstraintError, match="NOT NULL constraint failed: notes.id"):
        replica.execute("INSERT INTO notes (title) VALUES ('no id')")
    replica.execute("INSERT INTO notes (id, title) VALUES (?, ?)", (new_id(), "with an id"))
    assert [e.kind for e in replica.pending()] == ["insert"]
    replica.close()
