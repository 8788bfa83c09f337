"""The demo PWA (/app/, `offsync serve --app companion`) and the pieces that
need a service worker or several tabs: an offline reload, the replay of a
stored push by the service worker after the page is closed, and the leader
tab handing the replica over."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from shared.apps.companion import schema as companion_schema
from sync_demo import server_rows

from .conftest import Restartable, open_client, page_rows, wait_idle
from .test_client import offline, until

USER_SCOPE = ["user:alice"]


@pytest.fixture
def app_server(tmp_path: Path) -> Iterator[Restartable]:
    server = Restartable(tmp_path / "server.db", companion_schema, app="companion").start()
    try:
        yield server
    finally:
        server.stop()


def open_app(context: BrowserContext, server: Restartable, token: str | None = None) -> Page:
    page = context.new_page()
    page.on("pageerror", lambda e: print("pageerror:", e))
    page.goto(f"{server.base}/app/" + (f"#token={token}" if token else ""))
    page.wait_for_function("() => window.appReady === true", timeout=20000)
    return page


def wait_controlled(page: Page) -> None:
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)


def write_entry(page: Page, content: str, tags: str = "") -> None:
    page.fill("#entry-content", content)
    page.fill("#entry-tags", tags)
    page.click("#entry-save")
    page.wait_for_selector(f"#entries li:has-text('{content}')")


def entry_ids(server: Restartable) -> dict[str, str]:
    assert server.sync is not None
    return {r["content"]: i for i, r in server_rows(server.sync, USER_SCOPE)["journal_entries"].items()}


def test_the_app_edits_offline_survives_a_reload_and_converges(browser: Browser, app_server: Restartable) -> None:
    context = browser.new_context()
    page = open_app(context, app_server, app_server.token("alice"))
    wait_controlled(page)
    write_entry(page, "online entry", "exams")
    wait_idle(page)
    assert page.inner_text("#pending") == "0 pending"

    app_server.stop()
    until(lambda: offline(page), what="the page to see the cut")
    write_entry(page, "offline entry", "exams, sleep")
    page.wait_for_function("() => document.querySelector('#pending').textContent !== '0 pending'")
    pending_before = page.evaluate("async () => (await window.db.syncStatus()).pending")
    assert pending_before >= 3  # the entry, one new tag, two links

    page.reload()  # the server is down: the shell comes from the service worker's cache
    page.wait_for_function("() => window.appReady === true", timeout=20000)
    page.wait_for_selector("#entries li:has-text('offline entry')")
    assert page.evaluate("async () => (await window.db.syncStatus()).pending") == pending_before
    assert page.inner_text("#connection") == "offline"
    assert "#sleep" in page.inner_text("#entries")

    app_server.start()
    wait_idle(page, timeout=20)
    assert app_server.sync is not None
    expected = server_rows(app_server.sync, USER_SCOPE)
    assert set(entry_ids(app_server)) == {"online entry", "offline entry"}
    until(lambda: page_rows(page) == expected, what="the page to equal the server")
    page.wait_for_function("() => document.querySelector('#pending').textContent === '0 pending'")
    context.close()


def _dispatch_sync(context: BrowserContext, server: Restartable) -> None:
    """Fire the service worker's Background Sync event (tag "offsync") the way
    the browser does when connectivity returns, through the DevTools protocol,
    from a page outside the app's scope (the app's page is closed)."""
    page = context.new_page()
    page.goto("about:blank")
    cdp = context.new_cdp_session(page)
    registrations: list[dict[str, str]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(100):  # events arrive while Playwright runs: wait in the page
        if any(r["scopeURL"] == f"{server.base}/" for r in registrations):
            break
        page.wait_for_timeout(100)
    registration = next(r for r in registrations if r["scopeURL"] == f"{server.base}/")
    cdp.send("ServiceWorker.dispatchSyncEvent", {"origin": server.base, "registrationId": registration["registrationId"],
                                                 "tag": "offsync", "lastChance": False})
    page.close()


def test_the_service_worker_replays_a_push_after_the_page_is_closed(browser: Browser, app_server: Restartable) -> None:
    context = browser.new_context()
    page = open_app(context, app_server, app_server.token("alice"))
    wait_controlled(page)
    wait_idle(page)
    app_server.stop()
    until(lambda: offline(page), what="the page to see the cut")
    write_entry(page, "written before closing")
    time.sleep(0.3)  # the worker keeps the push in IndexedDB after each write
    page.close()

    app_server.start()
    assert "written before closing" not in entry_ids(app_server)
    _dispatch_sync(context, app_server)
    until(lambda: "written before closing" in entry_ids(app_server), what="the service worker's replay")

    # the page comes back: its socket pushes the same mutation, answered duplicate
    page = open_app(context, app_server)
    wait_idle(page)
    assert page.evaluate("() => window.db.conflicts()") == []
    assert app_server.sync is not None
    assert list(entry_ids(app_server)) == ["written before closing"]
    until(lambda: page_rows(page) == server_rows(app_server.sync, USER_SCOPE), what="convergence")
    context.close()


def test_a_second_tab_writes_through_the_leader_and_takes_over(browser: Browser, app_server: Restartable) -> None:
    context = browser.new_context()
    token = app_server.token("alice")
    first, second = context.new_page(), context.new_page()
    open_client(first, app_server, token, name="tabs", single_tab=False)
    open_client(second, app_server, token, name="tabs", single_tab=False)
    assert first.evaluate("() => window.db.leader") is True
    assert second.evaluate("() => window.db.leader") is False
    by_second = second.evaluate("() => window.db.insert('journal_entries', {content: 'from the second tab', timestamp: 1})")
    found = first.evaluate("() => window.db.query('SELECT id FROM journal_entries')")
    assert [r["id"] for r in found] == [by_second]  # written into the leader's replica
    wait_idle(second)

    first.close()  # the leader goes: the second tab takes the lock and opens the replica from OPFS
    second.wait_for_function("() => window.db.leader === true", timeout=20000)
    status = second.evaluate("() => window.db.syncStatus()")
    assert status["storage"] == "opfs" and status["leader"]
    assert [r["content"] for r in second.evaluate("() => window.db.query('SELECT content FROM journal_entries')")] == [
        "from the second tab"]
    second.evaluate("() => window.db.insert('journal_entries', {content: 'after the handover', timestamp: 2})")
    wait_idle(second)
    assert set(entry_ids(app_server)) == {"from the second tab", "after the handover"}
    context.close()
