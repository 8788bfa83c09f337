"""Make docs/companion-demo.png: the demo PWA (`offsync serve --app companion`)
in headless Chromium, with entries and tags, a refused concurrent edit in the
conflicts view, and edits made offline waiting in the pending badge.

    python docs/screenshot_companion.py   # needs Chromium and playwright
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from shared.apps.companion import schema  # noqa: E402
from sync_client.connection import SyncClient  # noqa: E402
from sync_client.replica import Replica  # noqa: E402
from tests.browser.conftest import CHROMIUM, Restartable  # noqa: E402

OUT = Path(__file__).resolve().parent / "companion-demo.png"


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    server = Restartable(tmp / "server.db", schema, app="companion").start()
    token = server.token("sam")
    phone = Replica(str(tmp / "phone.db"), schema)
    entry = phone.insert("journal_entries", {"title": "Lab report", "content": "Finished the titration write-up.",
                                             "mood": "good", "timestamp": int(time.time() * 1000) - 7_200_000})
    asyncio.run(SyncClient(phone, server.ws_url, token).sync_once())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 820, "height": 900}, device_scale_factor=1)
        page.goto(f"{server.base}/app/#token={token}")
        page.wait_for_function("() => window.appReady === true")
        page.wait_for_selector("#entries li:has-text('titration')")
        for content, tags in (("Study group moved to Thursday; bring the problem set.", "exams, friends"),):
            page.fill("#entry-title", "Study group")
            page.fill("#entry-content", content)
            page.fill("#entry-tags", tags)
            page.click("#entry-save")
        page.wait_for_function("() => document.querySelector('#pending').textContent === '0 pending'")
        server.stop()
        page.wait_for_function("() => document.querySelector('#connection').textContent === 'offline'")
        page.evaluate("(id) => window.db.update('journal_entries', id, {content: 'Finished the write-up; check units.'})",
                      entry)
        phone.update("journal_entries", entry, {"content": "Finished the titration write-up. Submitted!"})
        server.start()
        with ThreadPoolExecutor(1) as pool:  # Playwright's loop runs on this thread
            pool.submit(lambda: asyncio.run(SyncClient(phone, server.ws_url, token).sync_once())).result(30)
        page.wait_for_selector("#conflicts li", timeout=20000)
        server.stop()
        page.wait_for_function("() => document.querySelector('#connection').textContent === 'offline'")
        page.fill("#entry-title", "Sleep")
        page.fill("#entry-content", "Slept 8 hours before the exam, written on the train (offline).")
        page.fill("#entry-tags", "sleep, exams")
        page.click("#entry-save")
        page.wait_for_function("() => document.querySelector('#pending').textContent !== '0 pending'")
        page.screenshot(path=str(OUT), full_page=True)
        browser.close()
    phone.close()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
