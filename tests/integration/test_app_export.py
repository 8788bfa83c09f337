"""``GET /api/export`` and ``POST /api/import`` on a real server: the round trip,
restore semantics, all-or-nothing, and errors that name the bad field."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.apps.companion import SINGLETON_ID, schema
from shared.schema import Collection, Field, Schema
from sync_client.apps.companion_store import record_push_delivery, seed_defaults, tag_entry

from ..servers import ThreadServer
from .helpers import app_server, converged, device, replica_rows, server_rows, sync

ALICE = "user:alice"
T0 = 1_760_000_000_000


@pytest.fixture
def app(tmp_path: Path) -> Iterator[ThreadServer]:
    with app_server(tmp_path / "server.db", schema) as running:
        yield running


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def export(server: ThreadServer, token: str) -> dict[str, Any]:
    response = httpx.get(f"{server.base}/api/export", headers=auth(token))
    assert response.status_code == 200, response.text
    return dict(response.json())


def import_(server: ThreadServer, token: str, document: Any) -> httpx.Response:
    return httpx.post(f"{server.base}/api/import", json=document, headers=auth(token), timeout=30)


def fill(app: ThreadServer, tmp_path: Path, token: str) -> Any:
    a = device(tmp_path, "a", schema)
    seed_defaults(a)
    entry = a.insert("journal_entries", {"title": "Mon", "content": "first entry", "timestamp": T0,
                                         "photos": ["data:image/png;base64,iVBORw0KGgo="]})
    tag_entry(a, entry, "week-1")
    a.insert("deadlines", {"task": "Lab report", "dueDate": T0 + 3_600_000, "completed": False})
    a.update("notification_preferences", SINGLETON_ID, {"quietHours": {"enabled": True, "startHour": 21,
                                                                       "endHour": 8}})
    for ok in (True, True, False):
        record_push_delivery(a, delivered=ok, at_ms=T0)
    sync(a, app, token)
    return a


def test_export_then_import_into_a_new_server_restores_every_row(app: ThreadServer, tmp_path: Path) -> None:
    token = app.token("alice")
    a = fill(app, tmp_path, token)
    document = export(app, token)
    assert document["format"] == "offsync-export/1" and set(document["collections"]) == {c.name for c in schema}
    [deadline] = document["collections"]["deadlines"]
    assert deadline["completed"] is False and deadline["_scope"] == ALICE  # app values, with the row's metadata
    with app_server(tmp_path / "restored.db", schema) as restored:
        token2 = restored.token("alice")
        response = import_(restored, token2, document)
        assert response.status_code == 200, response.text
        assert response.json()["inserted"] == sum(len(rows) for rows in document["collections"].values())
        assert server_rows(restored.sync, [ALICE]) == server_rows(app.sync, [ALICE])
        again = import_(restored, token2, document)
        assert again.status_code == 200 and again.json()["status"] == "unchanged"
        c = device(tmp_path, "c", schema)  # a new device bootstraps from the restored server
        sync(c, restored, token2)
        assert replica_rows(c) == replica_rows(a)
        metrics = c.get("push_delivery_metrics", SINGLETON_ID)
        assert (metrics["attempted"], metrics["delivered"], metrics["failed"]) == (3, 2, 1)
        assert {r["insertOrder"] for r in c.query("deadlines")} == {r["insertOrder"] for r in a.query("deadlines")}


def test_import_over_existing_rows_restores_their_values_and_devices_follow(app: ThreadServer,
                                                                           tmp_path: Path) -> None:
    token = app.token("alice")
    a = fill(app, tmp_path, token)
    backup = export(app, token)
    [entry] = a.query("journal_entries")
    a.update("journal_entries", entry["id"], {"content": "edited after the backup"})
    record_push_delivery(a, delivered=True, at_ms=T0 + 1)
    [deadline] = a.query("deadlines")
    a.update("deadlines", deadline["id"], {"completed": True})
    sync(a, app, token)
    response = import_(app, token, backup)
    assert response.status_code == 200, response.text
    assert response.json()["inserted"] == 0 and response.json()["operations"] == 4  # 3 updates and 1 increment
    sync(a, app, token)
    assert a.get("journal_entries", entry["id"])["content"] == "first entry"
    assert a.get("deadlines", deadline["id"])["completed"] is False
    assert a.get("push_delivery_metrics", SINGLETON_ID)["attempted"] == 3
    assert converged(app.sync, [ALICE], a)


def test_blobs_travel_as_base64_and_come_back_as_bytes(tmp_path: Path) -> None:
    files = Schema(1, (Collection("files", [Field("name", "text"), Field("data", "blob")]),))
    with app_server(tmp_path / "one.db", files) as one, app_server(tmp_path / "two.db", files) as two:
        a = device(tmp_path, "a", files)
        fid = a.insert("files", {"name": "raw", "data": bytes(range(256))})
        sync(a, one, one.token("alice"))
        document = export(one, one.token("alice"))
        assert isinstance(document["collections"]["files"][0]["data"], str)
        assert import_(two, two.token("alice"), document).status_code == 200
        b = device(tmp_path, "b", files)
        sync(b, two, two.token("alice"))
        assert b.get("files", fid)["data"] == bytes(range(256))


@pytest.mark.parametrize(("row", "path"), [
    ({"id": "d1", "task": "t", "dueDate": T0, "bogus": 1}, "$.collections.deadlines[0].bogus"),
    ({"id": "d1", "task": "t", "dueDate": "tomorrow"}, "$.collections.deadlines[0].dueDate"),
    ({"id": "d1", "task": "t"}, "$.collections.deadlines[0].dueDate"),
    ({"task": "t", "dueDate": T0}, "$.collections.deadlines[0].id"),
    ({"id": "d1", "task": "t", "dueDate": T0, "insertOrder": -1}, "$.collections.deadlines[0].insertOrder"),
])
def test_a_bad_row_is_a_400_naming_the_field_and_nothing_is_stored(app: ThreadServer, row: dict[str, Any],
                                                                   path: str) -> None:
    good = {"id": "ok", "task": "fine", "dueDate": T0}
    response = import_(app, app.token("alice"), {"collections": {"deadlines": [row], "tags": [{"id": "t",
                                                                                               "name": "x"}]}})
    assert response.status_code == 400 and response.json()["path"] == path, response.text
    response = import_(app, app.token("alice"), {"collections": {"deadlines": [good], "nope": []}})
    assert response.status_code == 400 and response.json()["path"] == "$.collections.nope"
    assert app.sync.store.head() == 0


def test_import_is_all_or_nothing_when_the_engine_refuses_one_row(app: ThreadServer) -> None:
    token = app.token("alice", ("user:alice",), read_scopes=("team:study",))
    document = {"collections": {"deadlines": [
        {"id": "d1", "task": "mine", "dueDate": T0},
        {"id": "d2", "task": "not mine to write", "dueDate": T0, "_scope": "team:study"},
    ]}}
    response = import_(app, token, document)
    assert response.status_code == 403 and response.json()["path"] == "$.collections.deadlines[1]._scope", response.text
    assert server_rows(app.sync, [ALICE, "team:study"])["deadlines"] == {}
    unreadable = import_(app, token, {"collections": {"deadlines": [{**document["collections"]["deadlines"][0],
                                                                     "_scope": "user:bob"}]}})
    assert unreadable.status_code == 403 and unreadable.json()["path"] == "$.collections.deadlines[0]._scope"


def test_a_journal_entry_deleted_on_the_server_is_a_409(app: ThreadServer, tmp_path: Path) -> None:
    token = app.token("alice")
    a = device(tmp_path, "a", schema)
    entry = a.insert("journal_entries", {"content": "soon gone", "timestamp": T0})
    sync(a, app, token)
    backup = export(app, token)
    a.delete("journal_entries", entry)
    sync(a, app, token)
    response = import_(app, token, backup)
    assert response.status_code == 409 and response.json()["code"] == "deleted", response.text
    assert response.json()["path"] == "$.collections.journal_entries[0]"


def test_tokens_and_bodies_are_checked(app: ThreadServer) -> None:
    assert httpx.get(f"{app.base}/api/export").status_code == 401
    assert httpx.get(f"{app.base}/api/export", headers=auth("not-a-jwt")).status_code == 401
    assert import_(app, "not-a-jwt", {"collections": {}}).status_code == 401
    bad = httpx.post(f"{app.base}/api/import", content=b"{not json", headers=auth(app.token("alice")))
    assert bad.status_code == 400 and bad.json()["path"] == "$"
    assert import_(app, app.token("alice"), {"rows": []}).json()["path"] == "$.collections"


def test_concurrent_imports_both_apply(app: ThreadServer) -> None:
    token = app.token("alice")
    template = {"collections": {"deadlines": [{"id": "x", "task": "t", "dueDate": T0}]}}
    documents = []
    for i in range(6):
        doc = copy.deepcopy(template)
        doc["collections"]["deadlines"][0]["id"] = f"d{i}"
        documents.append(doc)
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda d: import_(app, token, d).status_code, documents))
    assert statuses == [200] * 6
    assert sorted(server_rows(app.sync, [ALICE])["deadlines"]) == [f"d{i}" for i in range(6)]


def test_an_import_over_the_frame_limit_is_a_413(tmp_path: Path) -> None:
    with app_server(tmp_path / "small.db", schema, max_frame_bytes=2_000) as running:
        rows = [{"id": f"d{i}", "task": "x" * 100, "dueDate": T0} for i in range(40)]
        response = import_(running, running.token("alice"), {"collections": {"deadlines": rows}})
        assert response.status_code == 413 and response.json()["code"] == "too_large"
        assert running.sync.store.head() == 0
