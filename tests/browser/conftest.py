"""Real Chromium for the browser client's tests, driven by Playwright for
Python (``chromium.launch(executable_path=...)``: Playwright's own browser
download is not used). Skipped, with the reason, where Chromium or
Playwright is missing; ``.ci/run`` installs both."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.schema import Schema
from sync_server.app import SyncServer
from shared.apps.notes import schema as notes_schema
from sync_server.store.sqlite import SQLiteStore
from sync_server.web import install

import uvicorn

from sync_server.app import MAX_FRAME_BYTES
from sync_server.auth import TokenAuthority

from ..servers import SECRET, Loopback, ThreadServer, free_port, wait_healthy

CHROMIUM = os.environ.get("OFFSYNC_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    sync_playwright = None


def _skip_reason() -> str | None:
    if sync_playwright is None:
        return "playwright is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium, or set OFFSYNC_CHROMIUM)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _skip_reason()
    if reason is None:
        return
    if os.environ.get("OFFSYNC_REQUIRE_CHROMIUM") == "1":  # set by .ci/run: there they must run
        raise pytest.UsageError(f"OFFSYNC_REQUIRE_CHROMIUM=1 but {reason}")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the browser tests. Package-scoped: Playwright's sync API
    keeps an event loop running on the main thread while it is open, and a later
    test's ``asyncio.run`` would find it."""
    assert sync_playwright is not None
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def web_server(tmp_path: Path, schema: Schema = notes_schema, **kw: Any) -> ThreadServer:
    """A server with the browser pieces installed (run it with ``with``)."""
    sync = SyncServer(schema, SQLiteStore(str(tmp_path / "server.db"), synchronous="NORMAL"), SECRET)
    install(sync, **kw)
    return ThreadServer(sync)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[ThreadServer]:
    with web_server(tmp_path) as running:
        yield running


def open_client(page: Page, server: Loopback, token: str, *, name: str = "offsync", single_tab: bool = True,
                memory: bool = False, goto: bool = True) -> None:
    """Load the client in ``page`` as ``window.db`` (with its status in ``window.statuses``)."""
    if goto:
        page.goto(f"{server.base}/client/")
    page.evaluate("""async ([url, token, name, singleTab, memory]) => {
        const { createClient } = await import('/client/client.js');
        window.statuses = [];
        window.db = await createClient({ url, token, name, singleTab, memory, backoffBase: 50, backoffCap: 500 });
        window.db.onStatus((s) => window.statuses.push(s));
    }""", [server.base, token, name, single_tab, memory])


def wait_idle(page: Page, timeout: float = 15.0) -> None:
    """Until the page's replica is caught up with nothing pending (polled from
    here: wait_for_function takes a promise for a true value)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate("() => window.db.idle()"):
        if time.monotonic() > deadline:
            status = page.evaluate("() => window.db.syncStatus()")
            raise AssertionError(f"the page did not get idle in {timeout} s: {status}")
        time.sleep(0.05)


class Restartable(Loopback):
    """A server on a fixed loopback port over one SQLite file that a test can
    stop (a real cut: the pages' sockets close and reconnects fail) and start
    again on the same port and data."""

    def __init__(self, db: Path, schema: Schema = notes_schema, **install_kw: Any) -> None:
        self.db = db
        self.schema = schema
        self.install_kw = install_kw
        self.port = free_port()
        self.authority = TokenAuthority(SECRET)
        self.sync: SyncServer | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def token(self, user: str, scopes: tuple[str, ...] = ()) -> str:
        return self.authority.issue(user, scopes)

    def start(self) -> Restartable:
        self.sync = SyncServer(self.schema, SQLiteStore(str(self.db), synchronous="NORMAL"), SECRET)
        install(self.sync, **self.install_kw)
        config = uvicorn.Config(self.sync.app, host="127.0.0.1", port=self.port, log_level="warning",
                                ws_max_size=MAX_FRAME_BYTES, lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        wait_healthy(self.base)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(15)
            self._server = None


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[Restartable]:
    server = Restartable(tmp_path / "server.db").start()
    try:
        yield server
    finally:
        server.stop()


#: a page's rows in the form of sync_demo.server_rows (stored values)
PAGE_ROWS = """async () => {
    const out = {};
    const names = (await window.db.query("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%insertOrder%'"))
        .map((r) => r.name);
    for (const name of names) {
        const pk = (await window.db.query(`SELECT name FROM pragma_table_info('${name}') WHERE pk = 1`))[0].name;
        out[name] = {};
        for (const row of await window.db.query(`SELECT * FROM "${name}"`)) {
            const id = row[pk];
            for (const k of [pk, 'insertOrder', '_version', '_scope']) delete row[k];
            out[name][id] = row;
        }
    }
    return out;
}"""


def page_rows(page: Page) -> dict[str, dict[Any, dict[str, Any]]]:
    rows: dict[str, dict[Any, dict[str, Any]]] = page.evaluate(PAGE_ROWS)
    return rows
