"""Tabs of one replica (sync_client/web/client.js, calls.js): a call another
tab sends to the leader runs once, even when the leader applied it and
closed before answering, so that the call goes again to the next leader.
Real Chromium (tabs of one browser context, Web Locks, BroadcastChannel,
OPFS), real server on loopback."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from sync_demo import server_rows

from .conftest import Restartable, wait_idle
from .test_client import until

#: the leader commits the calls of other tabs but its answers never leave it,
#: as if it closed between the commit and the reply (counted in window.dropped)
DROP_REPLIES = """() => {
    const channel = window.db.channel;
    const post = channel.postMessage.bind(channel);
    window.dropped = 0;
    channel.postMessage = (message) => { if (message.kind === 'reply') window.dropped += 1; else post(message); };
}"""


def open_tab(page: Page, server: Restartable, token: str, opfs: bool) -> None:
    page.goto(f"{server.base}/client/")
    page.evaluate("""async ([url, token, opfs]) => {
        const { createClient } = await import('/client/client.js');
        window.db = await createClient({ url, token, opfs, name: 'once', backoffBase: 50, backoffCap: 500 });
    }""", [server.base, token, opfs])


@pytest.mark.parametrize("caller", ["next leader", "third tab"])
@pytest.mark.parametrize("storage", ["opfs", "indexeddb"])
def test_a_call_the_old_leader_applied_is_not_applied_again_by_the_next(
        browser: Browser, restartable: Restartable, storage: str, caller: str) -> None:
    """The calls come from the tab that leads next (it runs them in its own
    worker) or from a third tab (it sends them to the next leader)."""
    context = browser.new_context()
    token = restartable.token("alice")
    leader, nxt, third = context.new_page(), context.new_page(), context.new_page()
    for page in (leader, nxt, third):  # in this order: the next tab in line for the lock is `nxt`
        open_tab(page, restartable, token, opfs=storage == "opfs")
    tab = nxt if caller == "next leader" else third
    assert leader.evaluate("async () => (await window.db.syncStatus()).storage") == storage
    assert [p.evaluate("() => window.db.leader") for p in (leader, nxt, third)] == [True, False, False]
    counter = tab.evaluate("() => window.db.insert('counters', {name: 'clicks', value: 0})")

    leader.evaluate(DROP_REPLIES)
    tab.evaluate("""(c) => {
        window.answers = {};
        window.db.increment('counters', c, {value: 5}).then((r) => { window.answers.increment = r ?? 'done'; });
        window.db.insert('notes', {title: 'once'}).then((id) => { window.answers.insert = id; });
        window.db.transaction((tx) => { tx.increment('counters', c, {value: 1});
                                        tx.insert('notes', {title: 'in a tx'}); })
            .then((ids) => { window.answers.transaction = ids; });
    }""", counter)
    # (a reply is made once the write is stored: with IndexedDB, after the image is)
    until(lambda: leader.evaluate("() => window.dropped") == 3, what="the leader to apply the calls")
    assert leader.evaluate("() => window.db.query('SELECT count(*) AS n FROM notes')") == [{"n": 2}]
    assert leader.evaluate("(c) => window.db.query('SELECT value FROM counters WHERE id = ?', [c])", counter) == [
        {"value": 6}]
    assert tab.evaluate("() => window.answers") == {}  # applied, never answered

    leader.close()  # the calls go again, with their ids, to the next leader
    nxt.wait_for_function("() => window.db.leader === true", timeout=20000)
    until(lambda: len(tab.evaluate("() => window.answers")) == 3, what="the re-sent calls to be answered")
    answers = tab.evaluate("() => window.answers")
    notes = tab.evaluate("() => window.db.query('SELECT id, title FROM notes ORDER BY title')")
    assert [n["title"] for n in notes] == ["in a tx", "once"]  # not inserted twice
    assert answers["insert"] == next(n["id"] for n in notes if n["title"] == "once")  # the first run's answer
    assert answers["transaction"][1] == next(n["id"] for n in notes if n["title"] == "in a tx")
    assert tab.evaluate("(c) => window.db.query('SELECT value FROM counters WHERE id = ?', [c])", counter) == [
        {"value": 6}]  # 5 + 1, not counted twice

    wait_idle(nxt)
    assert restartable.sync is not None
    rows = server_rows(restartable.sync, ["user:alice"])
    assert rows["counters"][counter]["value"] == 6 and len(rows["notes"]) == 2
    context.close()
