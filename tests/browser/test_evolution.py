"""A browser replica made under an older schema version opens under the
server's newer one as the Python replica does (docs/schema.md): tables
rebuilt, rows and queued writes migrated, then it syncs
(sync_client/web/evolution.js). Real Chromium, real server on loopback, the
server restarted on the same data with the newer history."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from playwright.sync_api import Browser, Page

from shared.evolution import DropCollection, DropField, History, RenameField, Retype
from shared.schema import Collection, Field, Schema
from sync_demo import server_rows

from .conftest import Restartable, page_rows, wait_idle
from .test_client import until

V1 = Schema(1, (Collection("notes", {"title": "text", "body": "text"}, fts=("title",)),
                Collection("tags", {"label": "text"}),
                Collection("journal", {"title": "text", "body": "text"}, fts=("title",))))
V2 = Schema(2, (Collection("notes", [Field("heading"), Field("pinned", "boolean", required=True, default=False)],
                           fts=("heading",)),
                Collection("journal", {"title": "text", "body": "text"}, fts=("title", "body"))))  # additive
HISTORY = History(V1, V2, migrations={2: [RenameField("notes", "title", "heading"), DropField("notes", "body"),
                                          DropCollection("tags")]})


def open_page(browser_context: Any, server: Restartable, token: str, *, connect: bool = True,
              opfs: bool = True) -> Page:
    page: Page = browser_context.new_page()
    page.on("pageerror", lambda e: print("pageerror:", e))
    page.goto(f"{server.base}/client/")
    page.evaluate("""async ([url, token, connect, opfs]) => {
        const { createClient } = await import('/client/client.js');
        window.db = await createClient({ url, token, connect, opfs, name: 'evolve', singleTab: true,
                                         backoffBase: 50, backoffCap: 500 });
    }""", [server.base, token, connect, opfs])
    return page


@pytest.mark.parametrize("storage", ["opfs", "indexeddb"])
def test_an_old_replica_is_migrated_then_syncs(browser: Browser, tmp_path: Path, storage: str) -> None:
    server = Restartable(tmp_path / "server.db", V1).start()
    try:
        token = server.token("alice")
        context = browser.new_context()
        page = open_page(context, server, token, opfs=storage == "opfs")
        assert page.evaluate("async () => (await window.db.syncStatus()).storage") == storage
        page.evaluate("""async () => {
            await window.db.insert('notes', {id: 'n1', title: 'groceries', body: 'milk'});
            await window.db.insert('tags', {id: 't1', label: 'home'});
            await window.db.insert('journal', {id: 'j1', title: 'monday', body: 'rain all day'});
        }""")
        wait_idle(page)
        page.evaluate("""async () => {
            await window.db.disconnect();
            await window.db.insert('notes', {id: 'n2', title: 'pending', body: 'queued offline'});
            await window.db.update('notes', 'n1', {title: 'groceries today', body: 'and bread'});
            await window.db.transaction((tx) => { tx.insert('notes', {id: 'n3', title: 'with a tag'});
                                                  tx.insert('tags', {id: 't2', label: 'work'}); });
            await window.db.close();
        }""")
        page.close()

        server.stop()
        server.schema = cast(Any, HISTORY)  # the server moves to version 2 and migrates its rows as it starts
        server.start()
        # what the migration did, before any sync
        page = open_page(context, server, token, connect=False, opfs=storage == "opfs")
        tables = {r["name"] for r in page.evaluate(
            "() => window.db.query(\"SELECT name FROM sqlite_schema WHERE type = 'table'\")")}
        assert "tags" not in tables
        rows = page_rows(page)
        assert rows["notes"] == {"n1": {"heading": "groceries today", "pinned": 0},
                                 "n2": {"heading": "pending", "pinned": 0},
                                 "n3": {"heading": "with a tag", "pinned": 0}}
        assert [r["id"] for r in page.evaluate("() => window.db.search('notes', 'groceries')")] == ["n1"]
        # the journal's index now covers the body too: made again over the declared fields
        assert [r["id"] for r in page.evaluate("() => window.db.search('journal', 'rain')")] == ["j1"]
        pending = page.evaluate("() => window.db.call('pending', [])")
        assert [[(op["kind"], op["collection"], op["fields"]) for op in m["ops"]] for m in pending] == [
            [("insert", "notes", {"heading": "pending"})],
            [("update", "notes", {"heading": "groceries today"})],
            [("insert", "notes", {"heading": "with a tag"})],  # the tag went with its collection
        ]
        page.evaluate("() => window.db.connect()")
        wait_idle(page)
        assert server.sync is not None
        expected = server_rows(server.sync, ["user:alice"])
        assert expected["notes"]["n1"]["heading"] == "groceries today" and set(expected["notes"]) == {"n1", "n2", "n3"}
        until(lambda: page_rows(page) == expected, what="the page to equal the server")
        status = page.evaluate("() => window.db.syncStatus()")
        assert status["lastError"] is None and status["pending"] == 0
        context.close()
    finally:
        server.stop()


def test_a_retype_the_browser_cannot_run_refuses_to_open(browser: Browser, tmp_path: Path) -> None:
    v1 = Schema(1, (Collection("notes", {"title": "text", "stars": "text"}),))
    v2 = Schema(2, (Collection("notes", {"title": "text", "stars": "integer"}),))
    server = Restartable(tmp_path / "server.db", v1).start()
    try:
        token = server.token("alice")
        context = browser.new_context()
        page = open_page(context, server, token)
        page.evaluate("async () => { await window.db.disconnect(); "
                      "await window.db.insert('notes', {id: 'n1', title: 'a', stars: '3'}); await window.db.close(); }")
        page.close()
        server.stop()
        server.schema = cast(Any, History(v1, v2, migrations={2: [Retype("notes", "stars", int)]}))
        server.start()
        page = context.new_page()
        page.goto(f"{server.base}/client/")
        error = page.evaluate("""async ([url, token]) => {
            const { createClient } = await import('/client/client.js');
            try { await createClient({ url, token, name: 'evolve', singleTab: true }); return null; }
            catch (e) { return [e.code, e.path, e.message]; }
        }""", [server.base, token])
        assert error is not None and error[0] == "schema_mismatch" and error[1] == "notes.stars", error
        assert "convert" in error[2]
        context.close()
    finally:
        server.stop()
