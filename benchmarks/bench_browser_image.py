"""The cost of the IndexedDB fallback (sync_client/web/image.js) against OPFS,
in a real Chromium: a page's single-row insert, answered once durable, on a
replica of N rows. With OPFS SQLite writes the changed pages; with the
fallback the whole image is exported and put in IndexedDB, so the cost grows
with N. And a bootstrap of N rows through the client on each, with the
time spent storing images. Not registered in ``python -m benchmarks`` (A/B
figures for docs/browser.md); run ``python -m benchmarks.bench_browser_image
[N ...]`` or ``... --bootstrap N``.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from .bench_browser import CHROMIUM, _skip_reason, seeded_browser
from .harness import ChildServer, token, workdir

MEASURE = """async ([url, token, storage, sizes, singles]) => {
    const { createClient } = await import('/client/client.js');
    const db = await createClient({ url, token, name: `bench-${storage}`, connect: false, singleTab: true,
                                    opfs: storage === 'opfs', persist: false });
    const body = 'lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor';
    const out = [];
    let rows = 0;
    for (const size of sizes) {
        while (rows < size) {
            const n = Math.min(10000, size - rows);
            await db.transaction((tx) => {
                for (let i = 0; i < n; i++) tx.insert('items', {title: `n${rows + i}`, body, n: rows + i});
            });
            rows += n;
        }
        const before = await db.call('imageStats', []);
        const started = performance.now();
        for (let i = 0; i < singles; i++) await db.insert('items', {title: 'one more', body});
        const ms = (performance.now() - started) / singles;
        rows += singles;
        const after = await db.call('imageStats', []);
        out.push({ rows: size, insertMs: ms, saves: after ? after.saves - before.saves : 0,
                   saveMs: after ? (after.ms - before.ms) / Math.max(1, after.saves - before.saves) : 0,
                   imageBytes: after ? after.bytes : 0 });
    }
    await db.close();
    return out;
}"""


def run(sizes: list[int], singles: int = 20) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    results: list[dict[str, Any]] = []
    with (workdir("browser-image") as folder, ChildServer("sync", folder / "server.db") as server,
          sync_playwright() as p):
        base = f"http://127.0.0.1:{server.port}"
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for storage in ("opfs", "indexeddb"):
                page = browser.new_context().new_page()
                page.goto(f"{base}/client/")
                for figure in page.evaluate(MEASURE, [base, token("bench"), storage, sizes, singles]):
                    results.append({"storage": storage, **figure})
                page.context.close()
        finally:
            browser.close()
    return results


BOOTSTRAP = """async ([url, token, storage]) => {
    const { createClient } = await import('/client/client.js');
    const started = performance.now();
    window.db = await createClient({ url, token, name: `boot-${storage}`, singleTab: true, opfs: storage === 'opfs',
                                     persist: false });
    while (!(await window.db.idle())) await new Promise((r) => setTimeout(r, 20));
    const seconds = (performance.now() - started) / 1000;
    return { seconds, stats: await window.db.call('imageStats', []) };
}"""


def bootstrap(n: int) -> list[dict[str, Any]]:
    user = "browser-image"
    results: list[dict[str, Any]] = []
    with seeded_browser("browser-image", user, n) as (base, browser):
        for storage in ("opfs", "indexeddb", "opfs", "indexeddb"):
            page = browser.new_context().new_page()
            page.goto(f"{base}/client/")
            started = time.monotonic()
            figure = page.evaluate(BOOTSTRAP, [base, token(user), storage])
            results.append({"storage": storage, "rows": n, "wall": time.monotonic() - started, **figure})
            page.context.close()
    return results


if __name__ == "__main__":
    reason = _skip_reason()
    if reason is not None:
        sys.exit(f"skipped: {reason}")
    if "--bootstrap" in sys.argv:
        rows = int(sys.argv[sys.argv.index("--bootstrap") + 1])
        for r in bootstrap(rows):
            st = r["stats"] or {"saves": 0, "ms": 0, "bytes": 0}
            print(f"{r['storage']:>9} bootstrap rows={r['rows']}  {r['seconds']:6.2f} s  images stored {st['saves']}, "
                  f"{st['ms'] / 1000:5.2f} s, last {st['bytes'] / 1e6:5.1f} MB")
        sys.exit(0)
    chosen = [int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000]
    for r in run(chosen):
        print(f"{r['storage']:>9} rows={r['rows']:>7}  insert {r['insertMs']:7.2f} ms  "
              f"image {r['imageBytes'] / 1e6:6.2f} MB  save {r['saveMs']:7.2f} ms  (saves {r['saves']})")
