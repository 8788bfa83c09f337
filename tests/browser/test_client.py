"""The browser client (sync_client/web) in a real Chromium against a real
server on loopback: offline edits, conflicts, counters, isolation, refusals.

"Offline" is a real cut: the server is stopped (the pages' sockets close and
their reconnects fail) and started again on the same port and data.
``context.set_offline`` would not close an open WebSocket.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page

from shared.apps.notes import schema as notes_schema
from sync_client.connection import SyncClient
from sync_client.replica import Replica
from sync_demo import replica_rows, server_rows

from ..servers import Loopback, ThreadServer
from .conftest import Restartable, open_client, page_rows, wait_idle


def until(check: Callable[[], bool], timeout: float = 15.0, what: str | Callable[[], str] = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what if isinstance(what, str) else what()}")
        time.sleep(0.05)


def py_sync(replica: Replica, server: Loopback, token: str) -> None:
    """One sync of a Python device, on a thread of its own (Playwright's sync
    API keeps an event loop running on this one)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(SyncClient(replica, server.ws_url, token).sync_once())).result(30)


def offline(page: Page) -> bool:
    return not bool(page.evaluate("async () => (await window.db.syncStatus()).connected"))


def new_page(browser: Browser) -> Page:
    context = browser.new_context()
    page = context.new_page()
    page.on("pageerror", lambda e: print("pageerror:", e))
    return page


def test_a_page_insert_reaches_the_server(browser: Browser, served: ThreadServer) -> None:
    page = new_page(browser)
    open_client(page, served, served.token("alice"))
    row_id = page.evaluate("() => window.db.insert('notes', {title: 'from the browser', tags: ['a'], pinned: true})")
    wait_idle(page)
    assert server_rows(served.sync, ["user:alice"])["notes"][row_id]["title"] == "from the browser"
    assert page_rows(page) == server_rows(served.sync, ["user:alice"])
    status = page.evaluate("async () => await window.db.syncStatus()")
    assert status["connected"] and status["hasSynced"] and status["pending"] == 0 and status["progress"] == 1
    assert status["storage"] == "opfs"
    # protocol 3: its own rows do not come back; the Ack told their versions
    page.evaluate(f"() => window.db.update('notes', {row_id!r}, {{title: 'again'}})")
    wait_idle(page)
    stored = {r.row_id: r for r in served.sync.store.scan_scope(["user:alice"])}
    meta = page.evaluate("() => window.db.query('SELECT id, _version, insertOrder FROM notes')")
    assert {m["id"]: (m["_version"], m["insertOrder"]) for m in meta} == \
        {k: (r.version, r.insert_order) for k, r in stored.items()}
    assert stored[row_id].version == 2
    page.context.close()



#: the browser replica's own answer to the model test's compacted-tombstone case
#: (tests/property/test_model.py): hand-made messages straight into a Replica
REPLAYED_ON_A_COMPACTED_TOMBSTONE = """async () => {
    const sqlite3 = await (await import('/client/vendor/sqlite-wasm/sqlite3.mjs')).default();
    const { Replica } = await import('/client/replica.js');
    const schema = await (await fetch('/schema')).json();
    const replica = new Replica(sqlite3, new sqlite3.oo1.DB(':memory:', 'c'), schema);
    const meta = () => replica.arrays("SELECT _version, insertOrder FROM journal WHERE id = 'j0'")[0];
    replica.insert('journal', {id: 'j0', title: 'again'});
    const inserted = meta();
    // a page brings the tombstone of an earlier j0 while the insert is pending...
    replica.applyChanges({type: 'changes', cursor: 5, head: 5, applied: {}, more: false, server_clock: 0,
        resync: false, resync_begins: false, blocks: [], rows: [{collection: 'journal', row_id: 'j0',
        scope: 'user:ada', version: 2, seq: 3, insert_order: 1000, deleted: true, fields: {}}]});
    const replayed = meta();
    // ...compaction removes it, the insert makes the row anew, and the Ack vouches for it
    replica.applyResults([{client_seq: 1, status: 'applied', versions: [1], rows: [], reason: '', message: '',
        path: ''}], 0, 6);
    return [inserted, replayed, meta(), replica.arrays('SELECT count(*) FROM sync_queue')[0][0]];
}"""


def test_an_insert_replayed_on_a_compacted_tombstone_ends_as_the_server_made_it(
        browser: Browser, served: ThreadServer) -> None:
    page = new_page(browser)
    page.goto(f"{served.base}/client/")
    inserted, replayed, acked, queued = page.evaluate(REPLAYED_ON_A_COMPACTED_TOMBSTONE)
    assert inserted[0] == 0 and replayed == [2, 1000]  # the insert took the tombstone's version and insertOrder
    assert acked == [1, inserted[1]] and queued == 0  # the server made it: version 1, the insert's insertOrder
    page.context.close()

#: tests/integration/test_pending_lookup.py's cases for the browser replica:
#: a row with several pending entries gets the unsettled ones replayed, in
#: order; a page under many pending rows reads the queue by primary key
SEVERAL_ENTRIES_REPLAYED = """async () => {
    const sqlite3 = await (await import('/client/vendor/sqlite-wasm/sqlite3.mjs')).default();
    const { Replica } = await import('/client/replica.js');
    const schema = await (await fetch('/schema')).json();
    const replica = new Replica(sqlite3, new sqlite3.oo1.DB(':memory:', 'c'), schema);
    const seen = (id) => replica.arrays('SELECT title, body FROM notes WHERE id = ?', [id])[0];
    const page = (rows, cursor, applied) => replica.applyChanges({type: 'changes', cursor, head: cursor, applied,
        more: false, server_clock: 0, resync: false, resync_begins: false, blocks: [], rows: rows.map(([id, title]) => (
        {collection: 'notes', row_id: id, scope: 'user:ada', version: cursor, seq: cursor, insert_order: 1,
         deleted: false, fields: {title, body: ''}}))});
    const applied = (seqs, cursor) => replica.applyResults(seqs.map((s) => ({client_seq: s, status: 'applied',
        versions: [s], rows: [], reason: '', message: '', path: ''})), 0, cursor);
    replica.insert('notes', {id: 'n1', title: 'one'});
    replica.update('notes', 'n1', {body: 'two'});
    replica.update('notes', 'n1', {title: 'three'});
    replica.update('notes', 'n1', {body: 'four'});
    page([['n1', 'server']], 5, {[replica.deviceId]: 2});
    const first = seen('n1');
    applied([1, 2, 3], 6);
    page([['n1', 'later']], 7, {[replica.deviceId]: 3});
    const second = seen('n1');
    for (let i = 0; i < 300; i++) replica.insert('notes', {id: `m${i}`, title: 'mine'});
    page(Array.from({length: 10}, (_, i) => [`m${i + 100}`, 'from the server']), 8, {});
    return [first, second, seen('m105'), seen('m5')];
}"""


def test_a_row_with_several_pending_entries_replays_the_unsettled_ones(browser: Browser, served: ThreadServer) -> None:
    page = new_page(browser)
    page.goto(f"{served.base}/client/")
    first, second, paged, untouched = page.evaluate(SEVERAL_ENTRIES_REPLAYED)
    assert first == ["three", "four"]  # client_seq 3 and 4 on top of the server's row
    assert second == ["later", "four"]  # only client_seq 4 still pending
    assert paged == ["mine", ""]  # the server's row, then the pending insert replayed on top
    assert untouched == ["mine", ""]
    page.context.close()


#: tests/integration/test_server_behind.py's reader, for the browser client: a
#: Welcome whose head is below the rows this replica has seen stops it
BEHIND_THE_CURSOR = """async () => {
    const sqlite3 = await (await import('/client/vendor/sqlite-wasm/sqlite3.mjs')).default();
    const { Replica } = await import('/client/replica.js');
    const { ClientProtocol } = await import('/client/protocol.js');
    const schema = await (await fetch('/schema')).json();
    const replica = new Replica(sqlite3, new sqlite3.oo1.DB(':memory:', 'c'), schema);
    replica.applyChanges({type: 'changes', cursor: 3, head: 3, applied: {}, more: false, server_clock: 0,
        resync: false, resync_begins: false, blocks: [], rows: [{collection: 'notes', row_id: 'n1',
        scope: 'user:ada', version: 1, seq: 3, insert_order: 1, deleted: false, fields: {title: 'seen', body: ''}}]});
    const answers = [];
    for (const head of [3, 2]) {
        const protocol = new ClientProtocol(replica, 'token');
        protocol.connect();
        const sent = protocol.receiveNow({type: 'welcome', server_clock: 0, last_client_seq: 0, cursor: head,
                                          user: 'ada', default_scope: 'user:ada'});
        answers.push([protocol.phase, sent.map((m) => m.type), protocol.error]);
    }
    return answers;
}"""


def test_a_page_past_a_restored_stores_head_stops(browser: Browser, served: ThreadServer) -> None:
    page = new_page(browser)
    page.goto(f"{served.base}/client/")
    level, behind = page.evaluate(BEHIND_THE_CURSOR)
    assert level == ["pulling", ["pull"], None]
    phase, sent, error = behind
    assert phase == "closed" and sent == [] and error["code"] == "server_behind" and error["path"] == "$.cursor"
    assert error["message"].startswith("the server's rows go up to seq 2, but this device has seen them up to 3: "
                                       "its store was restored from an older copy")
    page.context.close()


def test_two_pages_and_a_python_device_converge_after_offline_edits(
        browser: Browser, restartable: Restartable, tmp_path: Path) -> None:
    token = restartable.token("alice")
    a, b = new_page(browser), new_page(browser)
    open_client(a, restartable, token)
    open_client(b, restartable, token)
    device = Replica(str(tmp_path / "device.db"), notes_schema)
    note = a.evaluate("() => window.db.insert('notes', {title: 'shared'})")
    counter = a.evaluate("() => window.db.insert('counters', {name: 'clicks', value: 0})")
    wait_idle(a)
    py_sync(device, restartable, token)
    until(lambda: len(page_rows(b)["notes"]) == 1, what="b to see the first note")

    restartable.stop()
    until(lambda: offline(a) and offline(b), what="the pages to see the cut")
    a.evaluate("([n, c]) => window.db.transaction((tx) => { tx.insert('notes', {title: 'a offline'}); "
               "tx.update('notes', n, {body: 'edited by a'}); tx.increment('counters', c, {value: 2}); })",
               [note, counter])
    b.evaluate("([n, c]) => Promise.all([window.db.insert('notes', {title: 'b offline'}), "
               "window.db.update('notes', n, {pinned: true}), window.db.increment('counters', c, {value: 3})])",
               [note, counter])
    device.insert("notes", {"title": "python offline"})
    device.increment("counters", counter, {"value": 5})
    assert a.evaluate("async () => (await window.db.syncStatus()).pending") == 3

    restartable.start()
    py_sync(device, restartable, token)
    wait_idle(a)
    wait_idle(b)
    py_sync(device, restartable, token)
    assert restartable.sync is not None
    expected = server_rows(restartable.sync, ["user:alice"])
    until(lambda: page_rows(a) == expected and page_rows(b) == expected,
          what=lambda: f"both pages to equal the server: {expected} a={page_rows(a)} b={page_rows(b)}")
    assert replica_rows(device) == expected
    assert expected["counters"][counter]["value"] == 10  # 2 + 3 + 5: increments add up
    assert expected["notes"][note]["body"] == "edited by a" and expected["notes"][note]["pinned"] == 1
    assert {r["title"] for r in expected["notes"].values()} == {"shared", "a offline", "b offline", "python offline"}
    device.close()


def test_same_field_edits_end_in_one_value_everywhere(browser: Browser, restartable: Restartable) -> None:
    token = restartable.token("alice")
    a, b = new_page(browser), new_page(browser)
    open_client(a, restartable, token)
    open_client(b, restartable, token)
    note = a.evaluate("() => window.db.insert('notes', {title: 'v0'})")
    wait_idle(a)
    until(lambda: note in page_rows(b)["notes"], what="b to see the note")
    restartable.stop()
    until(lambda: offline(a) and offline(b), what="the cut")
    a.evaluate("(n) => window.db.update('notes', n, {title: 'from a'})", note)
    b.evaluate("(n) => window.db.update('notes', n, {title: 'from b'})", note)  # later insertOrder: b wins
    restartable.start()
    wait_idle(a)
    wait_idle(b)
    assert restartable.sync is not None
    expected = server_rows(restartable.sync, ["user:alice"])
    assert expected["notes"][note]["title"] == "from b"
    until(lambda: page_rows(a) == expected and page_rows(b) == expected, what="lww convergence")


def test_a_reject_conflict_is_handed_back_and_shown(browser: Browser, restartable: Restartable) -> None:
    token = restartable.token("alice")
    a, b = new_page(browser), new_page(browser)
    open_client(a, restartable, token)
    open_client(b, restartable, token)
    entry = a.evaluate("() => window.db.insert('journal', {title: 'day', body: 'first'})")
    wait_idle(a)
    until(lambda: entry in page_rows(b)["journal"], what="b to see the entry")
    restartable.stop()
    until(lambda: offline(a) and offline(b), what="the cut")
    a.evaluate("(e) => window.db.update('journal', e, {body: 'a wrote'})", entry)
    b.evaluate("(e) => { window.rejections = []; window.db.onRejected((r) => window.rejections.push(r)); "
               "return window.db.update('journal', e, {body: 'b wrote'}); }", entry)
    restartable.start()
    wait_idle(a)
    wait_idle(b)
    assert restartable.sync is not None
    expected = server_rows(restartable.sync, ["user:alice"])
    until(lambda: page_rows(a) == expected and page_rows(b) == expected, what="convergence")
    conflicts: list[dict[str, Any]] = (a.evaluate("() => window.db.conflicts()")
                                       + b.evaluate("() => window.db.conflicts()"))
    assert len(conflicts) == 1, conflicts  # one of the two came second, and only it is refused
    (conflict,) = conflicts
    assert conflict["reason"] == "concurrent" and conflict["row_id"] == entry
    assert conflict["server"]["body"] == expected["journal"][entry]["body"]
    assert conflict["local"]["body"] in ("a wrote", "b wrote") and conflict["local"]["body"] != conflict["server"]["body"]


def test_a_users_page_never_sees_another_users_rows(browser: Browser, restartable: Restartable) -> None:
    alice, bob = new_page(browser), new_page(browser)
    open_client(alice, restartable, restartable.token("alice"))
    open_client(bob, restartable, restartable.token("bob"))
    alice.evaluate("() => window.db.insert('notes', {title: 'alice private'})")
    bob.evaluate("() => window.db.insert('notes', {title: 'bob private'})")
    wait_idle(alice)
    wait_idle(bob)
    time.sleep(0.3)  # live batches of the other user would have arrived by now
    titles_bob = {r["title"] for r in page_rows(bob)["notes"].values()}
    titles_alice = {r["title"] for r in page_rows(alice)["notes"].values()}
    assert titles_bob == {"bob private"} and titles_alice == {"alice private"}


def test_a_refused_write_is_visible_and_nothing_else_is_lost(browser: Browser, served: ThreadServer) -> None:
    page = new_page(browser)
    open_client(page, served, served.token("alice"))
    kept = page.evaluate("() => window.db.insert('notes', {title: 'kept'})")
    refused = page.evaluate("() => window.db.insert('notes', {title: 'not mine'}, {scope: 'user:bob'})")
    after = page.evaluate("() => window.db.insert('notes', {title: 'kept too'})")
    wait_idle(page)
    conflicts = page.evaluate("() => window.db.conflicts()")
    assert [(c["row_id"], c["reason"]) for c in conflicts] == [(refused, "forbidden")]
    mine = server_rows(served.sync, ["user:alice"])["notes"]
    assert set(mine) == {kept, after}
    assert server_rows(served.sync, ["user:bob"])["notes"] == {}
    assert set(page_rows(page)["notes"]) == {kept, after}  # the refused row is gone from the page too


def test_bad_writes_name_the_field_and_change_nothing(browser: Browser, served: ThreadServer) -> None:
    page = new_page(browser)
    open_client(page, served, served.token("alice"), memory=True)
    errors = page.evaluate("""async () => {
        const out = [];
        for (const bad of [() => window.db.insert('notes', {title: 5}), () => window.db.insert('notes', {nope: 1}),
                           () => window.db.insert('nowhere', {}), () => window.db.update('notes', 'missing', {title: 'x'}),
                           () => window.db.insert('notes', {body: 'no title'})]) {
            try { await bad(); out.push(null); } catch (e) { out.push([e.path, e.code, e.message]); }
        }
        return out;
    }""")
    assert [e[0] for e in errors] == ["$.title", "$.nope", "$.collection", "$.id", "$.title"]
    assert errors[3][1] == "not_found" and "notes.title" in errors[0][2]
    assert page.evaluate("async () => (await window.db.syncStatus()).pending") == 0


def test_big_integers_arrive_exact(browser: Browser, served: ThreadServer, tmp_path: Path) -> None:
    """A counter past 2^53 written by a Python device reads back exact in the page (MessagePack + BigInt)."""
    token = served.token("alice")
    device = Replica(str(tmp_path / "d.db"), notes_schema)
    big = 2**53 + 1
    counter = device.insert("counters", {"name": "big", "value": big})
    py_sync(device, served, token)
    page = new_page(browser)
    open_client(page, served, token, memory=True)
    wait_idle(page)
    value = page.evaluate("async (id) => String((await window.db.get('counters', id)).value)", counter)
    assert value == str(big)
    page.evaluate("(id) => window.db.increment('counters', id, {value: 2n})", counter)
    wait_idle(page)
    assert server_rows(served.sync, ["user:alice"])["counters"][counter]["value"] == big + 2
    device.close()


def test_full_text_search_and_watch(browser: Browser, served: ThreadServer) -> None:
    page = new_page(browser)
    open_client(page, served, served.token("alice"), memory=True)
    page.evaluate("""() => { window.seen = [];
        window.db.watch("SELECT title FROM notes ORDER BY insertOrder", [], (rows) => window.seen.push(rows.length)); }""")
    page.evaluate("() => window.db.insert('notes', {title: 'the quick brown fox', body: 'jumps'})")
    page.evaluate("() => window.db.insert('notes', {title: 'lazy dog'})")
    found = page.evaluate("() => window.db.search('notes', 'fox jumps')")
    assert [r["title"] for r in found] == ["the quick brown fox"]
    page.wait_for_function("() => window.seen.includes(2)")


def test_a_batch_of_inserts_is_one_mutation_and_a_bad_row_writes_none(browser: Browser, served: ThreadServer) -> None:
    page = new_page(browser)
    open_client(page, served, served.token("alice"), memory=True)
    error = page.evaluate("""async () => {
        try { await window.db.transaction((tx) => { for (let i = 0; i < 30; i++) tx.insert('notes', {title: i === 17 ? 5 : `n${i}`}); }); }
        catch (e) { return [e.path, (await window.db.syncStatus()).pending]; }
    }""")
    assert error == ["$[17].title", 0]
    page.evaluate("() => window.db.disconnect()")
    ids = page.evaluate("() => window.db.transaction((tx) => { for (let i = 0; i < 30; i++) tx.insert('notes', {title: `n${i}`}); })")
    queued = page.evaluate("() => window.db.query('SELECT DISTINCT client_seq, count(*) AS n FROM sync_queue')")
    assert len(ids) == 30 and queued == [{"client_seq": 1, "n": 30}]  # one transaction, one mutation
    page.evaluate("() => window.db.connect()")
    wait_idle(page)
    assert set(server_rows(served.sync, ["user:alice"])["notes"]) == set(ids)
    assert page_rows(page) == server_rows(served.sync, ["user:alice"])

def page_status(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate("() => window.db.syncStatus()")
    return result

def _copy_store(db: Path, to: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        source, target = Path(f"{db}{suffix}"), Path(f"{to}{suffix}")
        target.unlink(missing_ok=True)
        if source.exists():
            shutil.copyfile(source, target)


def test_a_page_meeting_a_store_restored_from_before_its_writes_stops_and_keeps_them(
        browser: Browser, restartable: Restartable, tmp_path: Path) -> None:
    """As tests/integration/test_server_behind.py for the Python client: the
    server lost writes it had answered, so the page stops with server_behind
    instead of pushing on for ever (a gap answer each time), and keeps its data."""
    token = restartable.token("alice")
    page = browser.new_context().new_page()
    page.on("pageerror", lambda e: print("pageerror:", e))
    open_client(page, restartable, token)
    page.evaluate("() => window.db.insert('notes', {title: 'before the backup'})")
    wait_idle(page)
    restartable.stop()
    _copy_store(restartable.db, tmp_path / "backup.db")
    restartable.start()
    page.evaluate("() => window.db.insert('notes', {title: 'after the backup'})")
    wait_idle(page)
    restartable.stop()
    until(lambda: offline(page), what="the page to see the cut")
    _copy_store(tmp_path / "backup.db", restartable.db)  # the server comes back from the copy
    page.evaluate("() => window.db.insert('notes', {title: 'written offline since'})")
    restartable.start()

    until(lambda: page_status(page)["phase"] == "closed", what=lambda: f"the page to stop: {page_status(page)}")
    stopped = page_status(page)
    assert str(stopped["lastError"]).startswith("server_behind: the server knows this device's mutations up to "
                                                "client_seq 1, but it answered them up to 2")
    time.sleep(1)  # with a 50 ms backoff, a page that went on would have tried many times by now
    assert restartable.sync is not None and restartable.sync.store.head() == 1
    after = page_status(page)
    assert after["phase"] == "closed" and after["pending"] == 1
    assert {r["title"] for r in page_rows(page)["notes"].values()} == {
        "before the backup", "after the backup", "written offline since"}
