"""sync_server.web over a real server: CORS for named origins only, GET /schema,
the JS client and the demo PWA as static files, and the CLI's flags."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import apsw
import httpx
import pytest

from shared import tables
from shared.apps.companion import schema as companion_schema
from shared.schema import Collection, Field, Schema
from sync_server.app import SyncServer
from sync_server.cli import build_server
from sync_server.store.sqlite import SQLiteStore
from sync_server.web import MAX_SAFE_INTEGER, check_origin, describe_schema, install

from ..servers import SECRET, ThreadServer

ORIGIN = "http://app.example:5173"

big = Schema(1, [Collection("budgets", [Field("used", "integer", default=2**53 + 1, counter=True),
                                        Field("note", "text", required=True), Field("photo", "blob")],
                                fts=("note",), policy="reject")])


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[ThreadServer]:
    sync = SyncServer(big, SQLiteStore(str(tmp_path / "s.db"), synchronous="NORMAL"), SECRET)
    install(sync, cors_origins=[ORIGIN], app="companion")
    with ThreadServer(sync) as running:
        yield running


def test_preflight_from_a_named_origin_is_allowed(web_server: ThreadServer) -> None:
    r = httpx.options(f"{web_server.base}/sync/push", headers={
        "origin": ORIGIN, "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, offsync-client-id"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == ORIGIN
    assert "offsync-client-id" in r.headers["access-control-allow-headers"].lower()


def test_other_origins_get_no_cors_headers(web_server: ThreadServer) -> None:
    r = httpx.options(f"{web_server.base}/sync/push", headers={
        "origin": "http://evil.example", "access-control-request-method": "POST"})
    assert r.status_code == 400
    assert "access-control-allow-origin" not in r.headers
    r = httpx.get(f"{web_server.base}/schema", headers={"origin": "http://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_no_origin_is_allowed_by_default(server: ThreadServer) -> None:
    install(server.sync)  # routes only; the middleware stack is built at the first request
    r = httpx.options(f"{server.base}/sync/push", headers={"origin": ORIGIN, "access-control-request-method": "POST"})
    assert "access-control-allow-origin" not in r.headers


def test_schema_describes_fields_policy_fts_and_ddl(web_server: ThreadServer) -> None:
    r = httpx.get(f"{web_server.base}/schema", headers={"origin": ORIGIN})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == ORIGIN
    body = r.json()
    assert body["version"] == 1 and len(body["fingerprint"]) == 64
    assert body["served_versions"] == [1] and body["history"]["versions"][0]["fingerprint"] == body["fingerprint"]
    (coll,) = body["collections"]
    assert coll["policy"] == "reject" and coll["fts"] == ["note"]
    fields = {f["name"]: f for f in coll["fields"]}
    assert fields["used"]["counter"] and fields["used"]["type"] == "integer"
    assert fields["used"]["default"] == str(2**53 + 1)  # a string: JSON.parse would round it
    assert fields["note"]["required"] and fields["photo"]["blob"]
    assert fields["id"]["type"] == "text" and coll["primary_key"] == "id"


def test_schema_ddl_builds_a_capturing_replica() -> None:
    """The DDL /schema hands out, run on a bare SQLite with the offsync_*
    functions a browser defines, captures a plain SQL insert in sync_queue."""
    body = describe_schema(companion_schema)
    c = apsw.Connection(":memory:")
    for name, fn, n in [("offsync_capture", lambda: 1, 0), ("offsync_capture_insert", lambda c: 1, 1),
                        ("offsync_qid", lambda: 1 << body["seq_shift"] | 1, 0), ("offsync_tick", lambda: 7, 0),
                        ("offsync_default_scope", lambda: "user:a", 0), ("offsync_pack", lambda *a: b"", -1),
                        ("offsync_diff", lambda *a: None, -1), ("offsync_delta", lambda *a: None, -1)]:
        c.create_scalar_function(name, fn, n)
    c.execute(body["engine_ddl"])
    for coll in body["collections"]:
        for sql in coll["ddl"]:
            c.execute(sql)
    c.execute("INSERT INTO journal_entries (id, title, content, timestamp) VALUES ('j1', 't', 'c', 5)")
    assert c.execute("SELECT kind, row_id, insert_order FROM sync_queue").fetchall() == [("insert", "j1", 7)]
    assert c.execute('SELECT "insertOrder", _scope FROM journal_entries').fetchall() == [(7, "user:a")]


def test_fingerprint_changes_with_the_declaration() -> None:
    other = Schema(1, [Collection("budgets", [Field("used", "integer", counter=True)])])
    assert describe_schema(big)["fingerprint"] != describe_schema(other)["fingerprint"]
    assert describe_schema(big)["fingerprint"] == describe_schema(big)["fingerprint"]
    assert describe_schema(big)["engine_ddl"] == tables.ENGINE_TABLES


def test_client_and_demo_app_are_served(web_server: ThreadServer) -> None:
    wasm = httpx.get(f"{web_server.base}/client/vendor/sqlite-wasm/sqlite3.wasm")
    assert wasm.status_code == 200 and wasm.headers["content-type"] == "application/wasm"
    assert wasm.content[:4] == b"\0asm"
    module = httpx.get(f"{web_server.base}/client/vendor/sqlite-wasm/sqlite3.mjs")
    assert module.headers["content-type"].startswith("text/javascript")
    page = httpx.get(f"{web_server.base}/app/")
    assert page.status_code == 200 and "<html" in page.text
    assert httpx.get(f"{web_server.base}/app").status_code == 308
    assert httpx.get(f"{web_server.base}/client/../../shared/tables.py").status_code == 404


def test_bad_origins_and_apps_are_refused() -> None:
    for bad in ("app.example", "ftp://x", "http://x/path", "http://u@x", "http://"):
        with pytest.raises(ValueError, match="origin"):
            check_origin(bad)
    assert check_origin("https://x.example:8443/") == "https://x.example:8443"
    sync = SyncServer(big, SQLiteStore(":memory:"), SECRET)
    with pytest.raises(ValueError, match="no demo PWA"):
        install(sync, app="polar")
    with pytest.raises(ValueError, match="origin"):
        install(sync, cors_origins=["nope"])


def test_cli_names_a_bad_origin(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "sync_server.cli", "serve", "--db", str(tmp_path / "x.db"),
                           "--cors-origin", "app.example"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--cors-origin" in done.stderr and "app.example" in done.stderr


def test_build_server_serves_the_app_and_cors(tmp_path: Path) -> None:
    sync = build_server(str(tmp_path / "b.db"), "companion", synchronous="NORMAL", cors_origins=[ORIGIN],
                        demo_app="companion")
    with ThreadServer(sync) as running:
        assert httpx.get(f"{running.base}/app/").status_code == 200
        r = httpx.get(f"{running.base}/schema", headers={"origin": ORIGIN})
        assert r.headers["access-control-allow-origin"] == ORIGIN
        assert {c["name"] for c in r.json()["collections"]} == {c.name for c in companion_schema}


def test_safe_integer_bound_is_javascripts() -> None:
    assert MAX_SAFE_INTEGER == 9007199254740991
