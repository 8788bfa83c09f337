"""The operator's commands against real servers, replicas and files:
``offsync status``, ``inspect``, ``backup``, ``export``, ``import``."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import apsw
import pytest

from sync_client.connection import SyncClient
from sync_server.admin_cli import render_inspect
from sync_server.cli import main as offsync
from sync_server.metrics import ADMIN_SCOPE
from sync_server.store.sqlite import SQLiteStore

from ..servers import SECRET, ThreadServer, free_port
from .helpers import device, server_rows, sync


def test_status_shows_health_devices_lag_and_recent_errors(server: ThreadServer, schema, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    token = server.token("ada")
    live = device(tmp_path, "live", schema)
    client = SyncClient(live, server.ws_url, token)
    client.start()
    try:
        deadline = time.monotonic() + 10
        while client.status.last_sync_at is None:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        monkeypatch.setenv("OFFSYNC_SECRET", SECRET)  # found as `offsync token` finds it
        assert offsync(["status", "--url", server.base]) == 0
        out = capsys.readouterr().out
    finally:
        client.stop()
        live.close()
    assert out.startswith(f"server {server.base}: ok, head 0, up ")
    assert "devices connected: 1" in out
    assert f"  {live.device_id}  ada   0       0" in out


def test_status_with_a_token_lacking_the_admin_scope_or_no_server_is_a_clear_error(
        server: ThreadServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert offsync(["status", "--url", server.base, "--token", server.token("ada")]) == 2
    assert f"answered HTTP 403: this needs a token with the {ADMIN_SCOPE} scope" in capsys.readouterr().err
    assert offsync(["status", "--url", f"http://127.0.0.1:{free_port()}", "--token", "t"]) == 2
    assert "no server answers at" in capsys.readouterr().err
    assert offsync(["status", "--url", "ws://127.0.0.1:1/sync", "--token", "t"]) == 2
    assert "--url must be the server's http://" in capsys.readouterr().err


def test_status_lists_recent_errors(server: ThreadServer, schema, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    from shared.errors import RemoteError

    replica = device(tmp_path, "d", schema)
    with pytest.raises(RemoteError):
        asyncio.run(SyncClient(replica, server.ws_url, "forged-token").sync_once(timeout=10))
    assert offsync(["status", "--url", server.base, "--token", server.token("ops", (ADMIN_SCOPE,))]) == 0
    out = capsys.readouterr().out
    assert "errors sent: unauthorized 1" in out and "recent errors:" in out
    assert "the token is not valid" in out and "forged-token" not in out
    replica.close()


def test_inspect_shows_cursor_pending_queue_and_conflicts(server: ThreadServer, schema, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    token = server.token("ada")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    entry = a.insert("journal", {"title": "monday"})
    sync(a, server, token)
    sync(b, server, token)
    a.update("journal", entry, {"title": "from a"})
    sync(a, server, token)
    b.update("journal", entry, {"title": "from b"})
    sync(b, server, token)  # rejected: a conflict on b
    b.insert("notes", {"title": "not pushed yet"})
    b.insert("notes", {"title": "nor this"})
    assert offsync(["inspect", "--db", str(tmp_path / "b.db")]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1] == f"device          {b.device_id}"
    assert lines[2].startswith(f"cursor          {b.cursor} ")
    assert "pending         2 operations in 2 mutations" in out
    assert "conflicts       1" in out and "concurrent" in out
    assert out == render_inspect(str(tmp_path / "b.db")) + "\n"
    a.close()
    b.close()


def test_inspect_refuses_a_file_that_is_no_replica(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert offsync(["inspect", "--db", str(tmp_path / "none.db")]) == 2
    assert "no replica at" in capsys.readouterr().err
    apsw.Connection(str(tmp_path / "plain.db")).execute("CREATE TABLE t (x)")
    assert offsync(["inspect", "--db", str(tmp_path / "plain.db")]) == 2
    assert "is not an offsync device replica" in capsys.readouterr().err


def test_backup_copies_the_database_while_the_server_writes(server: ThreadServer, schema, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    token = server.token("ada")
    writer = device(tmp_path, "w", schema)
    writer.insert_many("notes", [{"title": f"n{i}", "body": "x" * 500} for i in range(3000)])
    sync(writer, server, token)
    stop = threading.Event()

    def keep_writing() -> None:
        while not stop.is_set():
            writer.insert("notes", {"title": "during the backup"})
            sync(writer, server, token)

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        out = tmp_path / "backup.db"
        assert offsync(["backup", "--db", str(tmp_path / "server.db"), "--out", str(out), "--step-pages", "8"]) == 0
    finally:
        stop.set()
        thread.join()
    assert capsys.readouterr().out.startswith(f"backed up {tmp_path / 'server.db'} to {out}: ")
    copy = SQLiteStore(str(out))
    try:
        assert copy.head() >= 1
        assert apsw.Connection(str(out)).execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        scanned = copy.scan_scope(["user:ada"])
        assert len([r for r in scanned if r.collection == "notes"]) >= 3000
    finally:
        copy.close()
    assert offsync(["backup", "--db", str(tmp_path / "server.db"), "--out", str(out)]) == 2
    assert "exists: name a new file" in capsys.readouterr().err
    writer.close()


def test_backup_of_postgresql_names_pg_dump(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert offsync(["backup", "--db", "postgresql://postgres@127.0.0.1/x", "--out", str(tmp_path / "b")]) == 2
    assert "pg_dump" in capsys.readouterr().err


def test_export_then_import_into_a_new_database_gives_the_same_rows(server: ThreadServer, schema, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    for user in ("ada", "bob"):
        d = device(tmp_path, user, schema)
        d.insert_many("notes", [{"title": f"{user} {i}"} for i in range(30)])
        d.insert("counters", {"id": f"c-{user}", "name": "n"})
        d.increment("counters", f"c-{user}", {"value": 7})
        gone = d.insert("notes", {"title": "deleted"})
        d.delete("notes", gone)
        sync(d, server, server.token(user))
        d.close()
    dump = tmp_path / "rows.jsonl"
    assert offsync(["export", "--db", str(tmp_path / "server.db"), "--out", str(dump)]) == 0
    assert capsys.readouterr().out == "exported 62 rows of 2 scopes\n"
    target = tmp_path / "new.db"
    assert offsync(["import", "--db", str(target), "--in", str(dump)]) == 0
    assert capsys.readouterr().out == f"imported 62 rows into {target}\n"
    copy = SQLiteStore(str(target))
    try:
        for scope in ("user:ada", "user:bob"):
            rows = {(r.collection, r.row_id): r.fields for r in copy.scan_scope([scope]) if not r.deleted}
            expected = {(collection, row_id): fields
                        for collection, by_id in server_rows(server.sync, [scope]).items()
                        for row_id, fields in by_id.items()}
            assert rows == expected and len(rows) == 31
        head = copy.head()
    finally:
        copy.close()
    # the same file again changes no field (updates to equal values) and refuses nothing
    assert offsync(["import", "--db", str(target), "--in", str(dump)]) == 0
    copy = SQLiteStore(str(target))
    try:
        counters = {r.row_id: r.fields["value"] for r in copy.scan_scope(["user:ada", "user:bob"])
                    if r.collection == "counters"}
        assert counters == {"c-ada": 7, "c-bob": 7} and copy.head() >= head
    finally:
        copy.close()


def test_import_refuses_a_bad_line_naming_it_and_imports_nothing(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    dump = tmp_path / "rows.jsonl"
    dump.write_text('{"collection": "notes", "row_id": "a", "scope": "user:ada", "fields": {"title": "x"}}\n'
                    '{"collection": "notes", "row_id": "b", "scope": "user:ada"}\n')
    assert offsync(["import", "--db", str(tmp_path / "new.db"), "--in", str(dump)]) == 2
    assert "line 2 is not an exported row" in capsys.readouterr().err
    assert not (tmp_path / "new.db").exists()
    dump.write_text('{"collection": "nope", "row_id": "a", "scope": "user:ada", "fields": {}}\n')
    assert offsync(["import", "--db", str(tmp_path / "new.db"), "--in", str(dump)]) == 2
    assert "refused (unknown_collection)" in capsys.readouterr().err


def test_progress_is_drawn_on_a_terminal_only() -> None:
    import io

    from sync_server.admin_cli import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown, piped = Terminal(), io.StringIO()
    for stream in (shown, piped):
        bar = Progress("backup", 10, stream)
        bar.update(5)
        bar.done()
    assert "backup [###############               ]  50% (5/10)" in shown.getvalue()
    assert piped.getvalue() == ""


def test_inspect_limit_must_be_positive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        offsync(["inspect", "--db", str(tmp_path / "x.db"), "--limit", "0"])
    assert "expected a number >= 1, got '0'" in capsys.readouterr().err
