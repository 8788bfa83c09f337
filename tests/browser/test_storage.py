"""Where the browser replica is kept when OPFS is missing: in memory, its
image stored in IndexedDB (sync_client/web/image.js). Chromium has OPFS, so
the tests turn it off with ``opfs: false``, the option that takes the same
path as a browser without it. Real Chromium, real server on loopback."""

from __future__ import annotations

from playwright.sync_api import Browser, BrowserContext, Page

from sync_demo import server_rows

from .conftest import Restartable, page_rows, wait_idle
from .test_client import offline, until


def open_without_opfs(context: BrowserContext, server: Restartable, token: str, *, connect: bool = True) -> Page:
    page = context.new_page()
    page.on("pageerror", lambda e: print("pageerror:", e))
    page.goto(f"{server.base}/client/")
    page.evaluate("""async ([url, token, connect]) => {
        const { createClient } = await import('/client/client.js');
        window.db = await createClient({ url, token, connect, opfs: false, singleTab: true,
                                         backoffBase: 50, backoffCap: 500 });
    }""", [server.base, token, connect])
    return page


def status(page: Page) -> dict[str, object]:
    result: dict[str, object] = page.evaluate("() => window.db.syncStatus()")
    return result


def test_without_opfs_rows_and_queue_survive_a_reload_then_sync(browser: Browser, restartable: Restartable) -> None:
    token = restartable.token("alice")
    context = browser.new_context()
    page = open_without_opfs(context, restartable, token)
    assert status(page)["storage"] == "indexeddb"
    note = page.evaluate("() => window.db.insert('notes', {title: 'synced'})")
    counter = page.evaluate("() => window.db.insert('counters', {name: 'clicks', value: 1})")
    wait_idle(page)
    restartable.stop()
    until(lambda: offline(page), what="the page to see the cut")
    page.evaluate("([n, c]) => Promise.all([window.db.insert('notes', {title: 'offline'}), "
                  "window.db.update('notes', n, {body: 'edited offline'}), "
                  "window.db.increment('counters', c, {value: 2})])",
                  [note, counter])
    before = status(page)
    assert before["pending"] == 3 and int(str(before["cursor"])) > 0
    page.close()  # no client.close(): the tab is just gone, with the last writes only just answered

    restartable.start()
    page = open_without_opfs(context, restartable, token, connect=False)
    after = status(page)
    assert after["storage"] == "indexeddb"
    assert after["pending"] == 3 and after["cursor"] == before["cursor"]  # the queue and the cursor came back
    rows = page_rows(page)
    assert {r["title"] for r in rows["notes"].values()} == {"synced", "offline"}
    assert rows["notes"][note]["body"] == "edited offline" and rows["counters"][counter]["value"] == 3

    page.evaluate("() => window.db.connect()")
    wait_idle(page)
    assert restartable.sync is not None
    expected = server_rows(restartable.sync, ["user:alice"])
    assert expected["counters"][counter]["value"] == 3 and expected["notes"][note]["body"] == "edited offline"
    until(lambda: page_rows(page) == expected, what="the page to equal the server")
    context.close()


def test_memory_true_keeps_nothing_across_a_reload(browser: Browser, restartable: Restartable) -> None:
    token = restartable.token("alice")
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{restartable.base}/client/")
    script = """async ([url, token]) => {
        const { createClient } = await import('/client/client.js');
        window.db = await createClient({ url, token, memory: true, connect: false, singleTab: true });
    }"""
    page.evaluate(script, [restartable.base, token])
    assert status(page)["storage"] == "memory"
    page.evaluate("() => window.db.insert('notes', {title: 'gone'})")
    page.reload()
    page.evaluate(script, [restartable.base, token])
    assert status(page)["pending"] == 0 and page_rows(page)["notes"] == {}
    context.close()


def test_a_second_worker_on_the_same_image_keeps_to_memory(browser: Browser, restartable: Restartable) -> None:
    """Two workers on one image would each store theirs over the other's: the
    second waits for the first's lock (image.js LOCK_WAIT_MS), then keeps to
    memory and says why."""
    token = restartable.token("alice")
    context = browser.new_context()
    first = open_without_opfs(context, restartable, token, connect=False)
    first.evaluate("() => window.db.insert('notes', {title: 'kept by the first'})")
    second = open_without_opfs(context, restartable, token, connect=False)  # singleTab: no leader election
    status_2 = status(second)
    assert status_2["storage"] == "memory" and "another worker keeps the replica" in str(status_2["lastError"])
    second.evaluate("() => window.db.insert('notes', {title: 'lost with the second'})")
    second.close()
    first.evaluate("() => window.db.insert('notes', {title: 'kept too'})")
    first.close()
    third = open_without_opfs(context, restartable, token, connect=False)  # the lock is free again
    assert status(third)["storage"] == "indexeddb"
    assert {r["title"] for r in page_rows(third)["notes"].values()} == {"kept by the first", "kept too"}
    context.close()
