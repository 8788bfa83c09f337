"""The browser client given several nodes of one PostgreSQL database: when its
node goes away it moves to another and goes on syncing. Real Chromium, two
real servers on loopback; needs PostgreSQL on 127.0.0.1:5432 (skipped with
the reason otherwise; a failure under OFFSYNC_REQUIRE_POSTGRES=1)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from shared.apps.notes import schema
from sync_demo import server_rows
from sync_server.app import SyncServer
from sync_server.web import install

from ..integration.postgres_db import fresh_database
from ..servers import SECRET, ThreadServer
from .conftest import page_rows, wait_idle

pytestmark = pytest.mark.postgres


def web_node(dsn: str) -> ThreadServer:
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[postgres]')")
    from sync_server.store.postgres import PostgresStore

    sync = SyncServer(schema, PostgresStore(dsn), SECRET)
    install(sync)
    return ThreadServer(sync)


def test_a_page_moves_to_another_node_when_its_node_goes_away(browser: Browser, tmp_path: Path) -> None:
    with fresh_database() as url, web_node(url) as other:
        first = web_node(url).__enter__()
        try:
            page = browser.new_context().new_page()
            page.goto(f"{first.base}/client/")
            page.evaluate("""async ([url, urls, token]) => {
                const { createClient } = await import('/client/client.js');
                window.db = await createClient({ url, urls, token, singleTab: true, memory: true,
                                                 backoffBase: 50, backoffCap: 500 });
            }""", [first.base, [other.base], first.token("alice")])
            page.evaluate("() => window.db.insert('notes', {title: 'before'})")
            wait_idle(page)
        finally:
            first.__exit__(None, None, None)  # its sockets close; it answers nothing more
        after = page.evaluate("() => window.db.insert('notes', {title: 'after'})")
        deadline = time.monotonic() + 20
        while after not in server_rows(other.sync, ["user:alice"])["notes"]:
            assert time.monotonic() < deadline, page.evaluate("async () => await window.db.syncStatus()")
            time.sleep(0.1)
        wait_idle(page)
        assert page_rows(page) == server_rows(other.sync, ["user:alice"])
        assert {r["title"] for r in page_rows(page)["notes"].values()} == {"before", "after"}
        page.context.close()
