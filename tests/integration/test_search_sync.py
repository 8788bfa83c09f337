"""Search follows sync: rows applied from the server are indexed on the
receiving device, and ``GET /api/search`` answers thin clients from the
server's rows, limited to the token's scopes. A real server on a loopback
port, real replica files, real WebSocket syncs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.apps.notes import schema
from sync_client.replica import Replica
from sync_server.app import SyncServer
from sync_server.search_api import SearchIndex, install
from sync_server.store.sqlite import SQLiteStore
from sync_search import ranking
from sync_search.indexer import stale_count
from sync_search.read_model import ReadModel

from ..servers import SECRET, ThreadServer
from .helpers import device, sync

ALICE, BOB, FAMILY = "user:alice", "user:bob", "space:family"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[ThreadServer, SearchIndex]]:
    sync_server = SyncServer(schema, SQLiteStore(str(tmp_path / "server.db"), synchronous="NORMAL"), SECRET)
    index = install(sync_server, str(tmp_path / "server.db.search"))
    with ThreadServer(sync_server) as running:
        yield running, index
    index.close()


def test_rows_applied_from_the_server_are_indexed_on_the_other_device(
        server: ThreadServer, tmp_path: Path) -> None:
    token = server.token("alice")
    laptop, phone = device(tmp_path, "laptop", schema), device(tmp_path, "phone", schema)
    dentist = laptop.insert("notes", {"title": "Dentist appointment", "body": "Tuesday at nine"})
    flight = laptop.insert("notes", {"title": "Flight to Lisbon", "body": "terminal two"})
    sync(laptop, server, token), sync(phone, server, token)
    assert stale_count(phone, schema["notes"]) == 2  # applied with capture off, still marked for embedding
    for mode in ("fts", "vector", "hybrid"):
        assert phone.search("notes", "dentist tuesday", k=1, mode=mode).ids() == [dentist]
    assert phone.search("notes", "flght lisbn", k=1, mode="vector").ids() == [flight]

    laptop.update("notes", dentist, {"title": "Orthodontist", "body": "braces on Friday"})
    laptop.delete("notes", flight)
    sync(laptop, server, token), sync(phone, server, token)
    assert phone.search("notes", "tuesday", mode="fts").ids() == []
    assert phone.search("notes", "braces friday", k=1, mode="fts").ids() == [dentist]
    assert phone.search("notes", "lisbon terminal", k=5).ids() == [dentist]  # only the row that is left
    assert phone.connection.execute("SELECT count(*) FROM _search_notes_vec").fetchall() == [(1,)]
    phone.connection.execute("INSERT INTO _search_notes_fts (_search_notes_fts) VALUES ('integrity-check')")


def test_a_local_edit_rebased_over_server_rows_is_what_search_sees(server: ThreadServer, tmp_path: Path) -> None:
    token = server.token("alice")
    laptop, phone = device(tmp_path, "laptop", schema), device(tmp_path, "phone", schema)
    row = laptop.insert("notes", {"title": "Packing list", "body": "socks"})
    sync(laptop, server, token), sync(phone, server, token)
    laptop.update("notes", row, {"body": "socks and sunscreen"})
    phone.update("notes", row, {"title": "Beach packing list"})  # pending while the laptop's edit arrives
    sync(laptop, server, token)
    phone_client_rows = phone.search("notes", "sunscreen", mode="fts")
    assert phone_client_rows.ids() == []
    sync(phone, server, token)
    assert phone.search("notes", "beach sunscreen", k=1, mode="fts").ids() == [row]
    assert phone.get("notes", row)["title"] == "Beach packing list"


def search(app: ThreadServer, token: str | None, **params: object) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return httpx.get(f"{app.base}/api/search", params={"collection": "notes", **params}, headers=headers)


def test_http_search_is_limited_to_the_callers_scopes(app: tuple[ThreadServer, SearchIndex],
                                                      tmp_path: Path) -> None:
    server, _ = app
    alice = server.token("alice", (ALICE, FAMILY))
    bob = server.token("bob", (BOB, FAMILY))
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    mine = a.insert("notes", {"title": "Dentist appointment", "body": "Tuesday"}, scope=ALICE)
    shared = a.insert("notes", {"title": "Family dentist", "body": "for the kids"}, scope=FAMILY)
    bobs = b.insert("notes", {"title": "Dentist bill", "body": "paid"}, scope=BOB)
    sync(a, server, alice), sync(b, server, bob)

    for mode in ("fts", "vector", "hybrid"):
        answer = search(server, alice, q="dentist", k=10, mode=mode)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert {r["id"] for r in body["results"]} == {mine, shared}
        assert body["mode"] == mode and body["collection"] == "notes"
    body = search(server, bob, q="dentist").json()
    assert {r["id"] for r in body["results"]} == {bobs, shared}
    top = body["results"][0]
    assert set(top) == {"id", "score", "sources", "ranks", "row"} and top["row"]["_scope"] in (BOB, FAMILY)
    only_family = search(server, alice, q="dentist", scope=FAMILY).json()
    assert [r["id"] for r in only_family["results"]] == [shared]


def test_http_search_sees_new_writes_and_deletes(app: tuple[ThreadServer, SearchIndex], tmp_path: Path) -> None:
    server, index = app
    token = server.token("alice")
    a = device(tmp_path, "a", schema)
    first = a.insert("notes", {"title": "Piano lesson", "body": "scales"})
    sync(a, server, token)
    assert [r["id"] for r in search(server, token, q="piano", mode="fts").json()["results"]] == [first]
    second = a.insert("notes", {"title": "Piano recital", "body": "in June"})
    a.delete("notes", first)
    sync(a, server, token)
    answer = search(server, token, q="piano recital", mode="hybrid").json()
    assert [r["id"] for r in answer["results"]] == [second] and answer["stale"] == 0
    assert answer["results"][0]["sources"] == ["fts", "vector"]
    assert index.model.search("notes", "piano", mode="fts").ids() == [second]  # the read model itself


def test_http_search_refuses_bad_tokens_scopes_and_arguments(app: tuple[ThreadServer, SearchIndex]) -> None:
    server, _ = app
    token = server.token("alice")
    assert search(server, None, q="x").status_code == 401
    assert search(server, "not-a-token", q="x").status_code == 401
    refused = search(server, token, q="x", scope=BOB)
    assert refused.status_code == 403 and refused.json()["path"] == "$.scope"
    for params, path in (({"q": "x", "k": "ten"}, "$.k"), ({"q": "x", "k": "0"}, "$.k"),
                         ({"q": "x", "mode": "magic"}, "$.mode"), ({"q": ""}, "$.text"),
                         ({"q": "x", "collection": "journal"}, "$.collection"),
                         ({"q": "x", "collection": "nope"}, "$.collection")):
        answer = search(server, token, **params)
        assert answer.status_code == 400, (params, answer.text)
        assert answer.json()["type"] == "error" and answer.json()["path"] == path, params


def test_the_server_index_resumes_from_its_cursors_after_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "server.db")
    sync_server = SyncServer(schema, SQLiteStore(db, synchronous="NORMAL"), SECRET)
    index = install(sync_server, db + ".search")
    with ThreadServer(sync_server) as server:
        token = server.token("alice")
        a = device(tmp_path, "a", schema)
        a.insert("notes", {"title": "Garden", "body": "plant tulips"})
        sync(a, server, token)
        assert len(search(server, token, q="tulips").json()["results"]) == 1
        assert not index.closed
    assert index.closed  # the server closed its index as it shut down
    reopened = ReadModel(db + ".search", schema)
    cursors = reopened.cursors()
    assert list(cursors) == [ALICE] and cursors[ALICE] >= 1
    assert reopened.search("notes", "tulips", mode="fts").ids()  # its rows are there without a pull
    reopened.close()


def test_rows_a_search_left_waiting_for_their_vector_are_embedded_after_it(
        app: tuple[ThreadServer, SearchIndex], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server, index = app
    monkeypatch.setattr(ranking, "CATCH_UP", 5)  # a search embeds 5 waiting rows itself
    token = server.token("alice")
    a = device(tmp_path, "a", schema)
    a.insert_many("notes", [{"title": f"Note {i}", "body": "tram stop"} for i in range(40)])
    sync(a, server, token)
    first = search(server, token, q="tram", mode="vector").json()
    assert first["stale"] == 35  # the scope's bootstrap: 40 rows, 5 embedded by the search
    # the rest were embedded on the index's thread, queued before the next search
    assert search(server, token, q="tram", mode="vector").json()["stale"] == 0
    assert stale_count(index.model, schema["notes"]) == 0
