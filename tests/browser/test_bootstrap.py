"""A bootstrap in the browser applies its pages in batches (HOLD_ROWS rows or
HOLD_MS, one transaction each: sync_client/web/protocol.js) and a cut in the
middle loses and skips nothing. Real Chromium, real server on loopback; the
cut closes the page's socket (stopping the server would not: uvicorn's
graceful stop lets the pull finish)."""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Browser

from benchmarks.bench_pull import seed
from benchmarks.schema import schema as items_schema
from sync_server.store.sqlite import SQLiteStore

from .conftest import Restartable, open_client, wait_idle

ROWS = 40_000
#: sync_client/web/protocol.js HOLD_MS
HOLD_MS = 250


def test_a_bootstrap_cut_in_the_middle_resumes_with_every_row_once(browser: Browser, tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "server.db"), synchronous="OFF")
    seed(store, "alice", ROWS)
    head = store.head()
    store.close()
    server = Restartable(tmp_path / "server.db", schema=items_schema).start()
    try:
        page = browser.new_context().new_page()
        open_client(page, server, server.token("alice"), memory=True)
        deadline = time.monotonic() + 60
        while page.evaluate("async () => (await window.db.syncStatus()).cursor") == 0:
            assert time.monotonic() < deadline, "no batch of the bootstrap was applied"
            page.wait_for_timeout(20)
        page.evaluate("() => window.db.disconnect()")  # the cut: the socket closes mid-bootstrap
        page.wait_for_timeout(HOLD_MS * 2)  # held pages were dropped at the cut, not applied later
        # rows and cursor read in one statement: they were committed together
        cut = page.evaluate("""() => window.db.query(
            "SELECT count(*) AS n, (SELECT value FROM sync_state WHERE key = 'cursor') AS cursor FROM items")""")[0]
        assert 0 < cut["cursor"] < head and cut["n"] == cut["cursor"], (cut, head)
        page.evaluate("() => window.db.connect()")
        wait_idle(page, timeout=60)
        status = page.evaluate("async () => await window.db.syncStatus()")
        assert status["cursor"] == head and status["pending"] == 0
        counts = page.evaluate("() => window.db.query('SELECT count(*) AS n, count(DISTINCT id) AS ids FROM items')")[0]
        assert counts == {"n": ROWS, "ids": ROWS}
        # the cursor moved in batches, not one 2,000-row page at a time
        cursors = sorted({s["cursor"] for s in page.evaluate("() => window.statuses")} - {0})
        assert len(cursors) < ROWS / 2000, cursors
        page.context.close()
    finally:
        server.stop()
