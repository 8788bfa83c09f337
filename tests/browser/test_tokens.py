"""Token refresh in the browser client (protocol 2, ``Token``): a page with
``getToken()`` sends a fresh token on its live socket before the old one
expires, so the server never closes it with 1008 ``token_expired``. Real
Chromium against a real server on loopback."""

from __future__ import annotations

import time

from playwright.sync_api import Browser, Page

from sync_demo import server_rows

from ..servers import ThreadServer
from .conftest import wait_idle

#: the tokens' life (s): the server's expiry check works in whole seconds
TTL = 3


def test_a_short_lived_token_is_refreshed_on_the_live_socket(browser: Browser, served: ThreadServer) -> None:
    page: Page = browser.new_context().new_page()
    issued: list[float] = []

    def fresh_token() -> str:
        issued.append(time.time())
        return served.token("alice", ttl=TTL)

    page.expose_function("freshToken", fresh_token)
    page.goto(f"{served.base}/client/")
    page.evaluate("""async ([url]) => {
        const { createClient } = await import('/client/client.js');
        window.statuses = [];
        window.db = await createClient({ url, getToken: () => window.freshToken(), memory: true, singleTab: true,
                                         backoffBase: 50, backoffCap: 500 });
        window.db.onStatus((s) => window.statuses.push(s));
    }""", [served.base])
    wait_idle(page)
    first_expiry = issued[0] + TTL
    # past the first token's expiry (and the second's), with the page's timers and
    # freshToken calls running (page.wait_for_timeout lets Playwright dispatch them)
    page.wait_for_timeout((first_expiry + TTL + 1.0 - time.time()) * 1000)
    assert time.time() > first_expiry + TTL
    row_id = page.evaluate("() => window.db.insert('notes', {title: 'after the first token expired'})")
    wait_idle(page)
    assert server_rows(served.sync, ["user:alice"])["notes"][row_id]["title"] == "after the first token expired"

    statuses = page.evaluate("() => window.statuses")
    live = [i for i, s in enumerate(statuses) if s["connected"]]
    assert live, statuses
    after_first_connect = statuses[live[0]:]
    # the one socket stayed open: never offline, never an error, never a reconnect
    assert all(s["connected"] for s in after_first_connect), [s for s in after_first_connect if not s["connected"]]
    assert all(s["phase"] != "closed" and s["lastError"] is None for s in after_first_connect)
    assert statuses[-1]["hasSynced"] and statuses[-1]["pending"] == 0
    assert len(issued) >= 3, issued  # the first token, then one fresh token per life
    page.context.close()


def test_a_page_with_a_fixed_token_does_not_ask_for_one(browser: Browser, served: ThreadServer) -> None:
    """Without getToken the socket ends at the token's expiry, as before: the
    server closes it with 1008 token_expired and the page says so."""
    page: Page = browser.new_context().new_page()
    page.goto(f"{served.base}/client/")
    page.evaluate("""async ([url, token]) => {
        const { createClient } = await import('/client/client.js');
        window.db = await createClient({ url, token, memory: true, singleTab: true, backoffBase: 50, backoffCap: 500 });
    }""", [served.base, served.token("alice", ttl=2)])
    wait_idle(page)
    deadline = time.monotonic() + 10
    while page.evaluate("async () => (await window.db.syncStatus()).connected"):
        assert time.monotonic() < deadline, "the socket outlived its token"
        page.wait_for_timeout(100)
    status = page.evaluate("async () => await window.db.syncStatus()")
    assert status["phase"] == "closed" and "token_expired" in status["lastError"], status
    page.context.close()
