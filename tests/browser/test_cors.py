"""CORS in a real Chromium: a page on another origin reads /schema and pushes
over HTTP only when the server names its origin (``--cors-origin``)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser

from .conftest import web_server

FETCH = """async ([base, token]) => {
    const out = {};
    try {
        const r = await fetch(`${base}/schema`);
        out.schema = (await r.json()).collections.map((c) => c.name);
    } catch (e) { out.schema = String(e); }
    try {
        const r = await fetch(`${base}/sync/push`, { method: 'POST', body: '{"type":"push","mutations":[]}',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'offsync-client-id': 'web1' } });
        out.push = r.status;
    } catch (e) { out.push = String(e); }
    return out;
}"""


def test_a_named_origin_reads_the_schema_and_pushes_cross_origin(browser: Browser, tmp_path: Path) -> None:
    for name in ("pages", "named", "other"):
        (tmp_path / name).mkdir()
    with web_server(tmp_path / "pages") as pages:
        origin = f"http://localhost:{pages.port}"  # the page's origin; the API is called as 127.0.0.1: another
        page = browser.new_page()
        page.goto(f"{origin}/client/")
        with web_server(tmp_path / "named", cors_origins=[origin]) as api:
            allowed = page.evaluate(FETCH, [api.base, api.token("alice")])
        with web_server(tmp_path / "other", cors_origins=["http://localhost:1"]) as api:
            refused = page.evaluate(FETCH, [api.base, api.token("alice")])
        page.close()
    assert allowed["schema"] == ["notes", "journal", "counters"]
    assert allowed["push"] == 400  # through CORS to the server, which names the empty push's problem
    assert refused == {"schema": "TypeError: Failed to fetch", "push": "TypeError: Failed to fetch"}
