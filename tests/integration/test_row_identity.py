"""Row identity across scopes (issue 14, finding 3), through a real server on
a loopback port: a row id of a collection that is not private belongs to the
first scope that uses it, and a private collection's rows live only in their
writer's own scope. A user who may write a scope that a victim also reads can
therefore never put a row under the victim's id: not on the victim's device,
not in the victim's search results, and no later edit of the victim's lands
where the attacker reads it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.apps.notes import schema as notes_schema
from shared.messages import JSON, Ack, Mutation, MutationResult, Operation, Push
from shared.schema import Collection, Field, Schema
from sync_client.replica import Replica
from sync_server.app import SyncServer
from sync_server.auth import Grant
from sync_server.engine import Engine, PushRequest
from sync_server.search_api import install
from sync_server.store.base import Store
from sync_server.store.sqlite import SQLiteStore

from ..servers import SECRET, ThreadServer
from .helpers import device, sync
from .postgres_db import STORES, fresh_store, store_of

VICTIM, TEAM = "user:vic", "team:x"
#: notes as the bundled app declares them, plus a private singleton table
SCHEMA = Schema(notes_schema.version, (*notes_schema.collections, Collection(
    "settings", [Field("id", "integer", required=True), Field("theme", "text")], private=True)))


@pytest.fixture
def app(tmp_path: Path) -> Iterator[ThreadServer]:
    sync_server = SyncServer(SCHEMA, SQLiteStore(str(tmp_path / "server.db"), synchronous="NORMAL"), SECRET)
    index = install(sync_server, str(tmp_path / "server.db.search"))
    with ThreadServer(sync_server) as running:
        yield running
    index.close()


def _stored(server: ThreadServer, collection: str) -> dict[tuple[str, object], dict[str, object]]:
    """Every live row of ``collection`` the server holds, by (scope, id)."""
    rows = server.sync.engine.store.scan_scope([VICTIM, TEAM, "user:att"])
    return {(r.scope, r.row_id): r.fields for r in rows if r.collection == collection}


def _now() -> int:
    return time.time_ns() // 1000


def _push(server: ThreadServer, token: str, op: Operation, client_seq: int) -> Ack:
    answer = httpx.post(f"{server.base}/sync/push", content=JSON.encode(Push(mutations=[
        Mutation(client_seq=client_seq, ops=[op])])), headers={
        "authorization": f"Bearer {token}", "content-type": "application/json", "offsync-client-id": "att-http"})
    assert answer.status_code == 200, answer.text
    ack = JSON.decode(answer.content)
    assert isinstance(ack, Ack)
    return ack


def _search(server: ThreadServer, token: str, text: str) -> list[str]:
    answer = httpx.get(f"{server.base}/api/search", params={"collection": "notes", "q": text, "mode": "fts"},
                       headers={"authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return [r["id"] for r in answer.json()["results"]]


def test_an_id_taken_in_one_scope_cannot_be_used_in_another(app: ThreadServer, tmp_path: Path) -> None:
    victim_token = app.token("vic", read_scopes=(TEAM,))  # writes user:vic, also reads the team's scope
    attacker_token = app.token("att", (TEAM,))
    victim: Replica = device(tmp_path, "victim", SCHEMA)
    attacker: Replica = device(tmp_path, "attacker", SCHEMA)
    victim.insert("notes", {"id": "diary", "title": "my private diary", "body": "secret"})
    sync(victim, app, victim_token)

    # the attacker knows the id and writes a row under it in a scope the victim reads
    attacker.insert("notes", {"id": "diary", "title": "planted", "body": "x"}, scope=TEAM)
    result = sync(attacker, app, attacker_token)
    assert result.rejected == 1
    (conflict,) = attacker.conflicts()
    assert (conflict.reason, conflict.server) == ("id_taken", None)  # nothing of the victim's row comes back
    assert attacker.get("notes", "diary") is None  # the refused copy is gone
    # over HTTP too, with the answer's text: it names neither the scope nor the row
    insert = Operation(kind="insert", collection="notes", row_id="diary", scope=TEAM, insert_order=_now(),
                       fields={"title": "planted"})
    (refused,) = _push(app, attacker_token, insert, 1).results
    assert (refused.status, refused.reason) == ("rejected", "id_taken")
    assert "another scope" in refused.message and VICTIM not in refused.message and "secret" not in refused.message
    # an update or a delete of that id in the team's scope finds no row
    for seq, kind in enumerate(("update", "delete"), 2):
        change = Operation(kind=kind, collection="notes", row_id="diary", scope=TEAM, insert_order=_now(),
                           base_version=1, fields={"title": "x"} if kind == "update" else {})
        (answer,) = _push(app, attacker_token, change, seq).results
        assert (answer.status, answer.reason) == ("rejected", "not_found")
    assert {key: (f["title"], f["body"]) for key, f in _stored(app, "notes").items()} == {
        (VICTIM, "diary"): ("my private diary", "secret")}

    # the victim's device and search still have the victim's own row, and its next edit stays in its scope
    sync(victim, app, victim_token)
    assert victim.get("notes", "diary")["title"] == "my private diary"
    assert victim.get("notes", "diary")["_scope"] == VICTIM
    victim.update("notes", "diary", {"body": "still secret"})
    sync(victim, app, victim_token)
    assert set(_stored(app, "notes")) == {(VICTIM, "diary")}
    assert _search(app, victim_token, "diary") == ["diary"]
    assert _search(app, attacker_token, "diary") == []


def test_the_first_scope_keeps_an_id_even_after_deleting_its_row(app: ThreadServer, tmp_path: Path) -> None:
    """A tombstone keeps the id: a device that has not yet seen the delete
    never meets another scope's row under it."""
    team_token, victim_token = app.token("att", (TEAM,)), app.token("vic", read_scopes=(TEAM,))
    team, victim = device(tmp_path, "team", SCHEMA), device(tmp_path, "victim", SCHEMA)
    team.insert("notes", {"id": "shared-1", "title": "team row"}, scope=TEAM)
    sync(team, app, team_token)
    team.delete("notes", "shared-1")
    sync(team, app, team_token)
    victim.insert("notes", {"id": "shared-1", "title": "mine"})
    assert sync(victim, app, victim_token).rejected == 1
    assert [c.reason for c in victim.conflicts()] == ["id_taken"]
    # the owner scope may use its id again
    team.insert("notes", {"id": "shared-1", "title": "team row again"}, scope=TEAM)
    assert sync(team, app, team_token).rejected == 0


def test_a_private_collection_takes_rows_only_in_the_writers_scope(app: ThreadServer, tmp_path: Path) -> None:
    """Fixed ids (a singleton at id 1) repeat across users' scopes, and nobody
    can put one into a scope another user reads."""
    victim_token = app.token("vic", read_scopes=(TEAM,))
    victim, attacker = device(tmp_path, "victim", SCHEMA), device(tmp_path, "attacker", SCHEMA)
    # a token whose only (so default) scope is the team's: no own scope, so no private rows
    attacker.insert("settings", {"id": 1, "theme": "planted"})
    assert sync(attacker, app, app.token("att", (TEAM,))).rejected == 1
    # a token with an own scope, naming the team's scope
    attacker_token = app.token("att", ("user:att", TEAM))
    attacker.insert("settings", {"id": 1, "theme": "planted"}, scope=TEAM)
    assert sync(attacker, app, attacker_token).rejected == 1
    assert [c.reason for c in attacker.conflicts()] == ["forbidden", "forbidden"]
    assert attacker.get("settings", 1) is None
    attacker.insert("settings", {"id": 1, "theme": "dark"})  # the attacker's own singleton: fine
    victim.insert("settings", {"id": 1, "theme": "light"})  # and the victim's, under the same id
    assert sync(attacker, app, attacker_token).rejected == 0
    assert sync(victim, app, victim_token).rejected == 0
    assert victim.rows("settings") == {1: {"id": 1, "theme": "light"}}
    assert _stored(app, "settings") == {("user:att", 1): {"theme": "dark"}, (VICTIM, 1): {"theme": "light"}}


# -- the store: ids claimed as files from before claims are opened, on both stores --

def _grant(user: str, *scopes: str) -> Grant:
    return Grant(user=user, write=frozenset(scopes), read=frozenset(scopes))


def _insert(engine: Engine, client_id: str, grant: Grant, row_id: str, seq: int) -> MutationResult:
    op = Operation(kind="insert", collection="notes", row_id=row_id, insert_order=_now(), fields={"title": client_id})
    return engine.apply_batch([PushRequest(client_id, grant, [Mutation(client_seq=seq, ops=[op])])]).results[0][0]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with store_of(request.param, tmp_path) as opened:
        yield opened


def test_ids_stored_before_a_collection_claimed_them_stay_their_scopes(store: Store) -> None:
    """Rows written while ``notes`` was private may share an id across scopes;
    once it is not, those scopes keep their rows and no new scope may take the
    id. Made private again, ids repeat across users again."""
    private = Schema(1, (Collection("notes", {"title": "text"}, private=True),))
    shared = Schema(1, (Collection("notes", {"title": "text"}),))
    ada, bob, cy = _grant("ada", "user:ada"), _grant("bob", "user:bob"), _grant("cy", "user:cy")
    store.sync_claims([])
    before = Engine(private, store)
    for client_id, grant in (("ada", ada), ("bob", bob)):
        assert _insert(before, client_id, grant, "same", 1).status == "applied"
    assert _insert(before, "ada", ada, "only-ada", 2).status == "applied"

    store.sync_claims(["notes"])  # as a server starts with notes no longer private
    assert store.sync_claims(["notes"]) == 0  # nothing more to do at the next start
    held = store.load_claims("notes", ["same", "only-ada", "free"])
    assert held.keys() == {"same", "only-ada"} and held["only-ada"] == "user:ada"
    after = Engine(shared, store)
    for row_id in ("same", "only-ada"):
        refused = _insert(after, "cy", cy, row_id, 1)
        assert (refused.status, refused.reason) == ("rejected", "id_taken")
    assert _insert(after, "bob", bob, "same", 2).status in ("applied", "merged")  # bob's row from before stays his
    assert _insert(after, "cy", cy, "new-for-cy", 2).status == "applied"
    assert store.load_claims("notes", ["new-for-cy"]) == {"new-for-cy": "user:cy"}

    store.sync_claims([])
    assert _insert(Engine(private, store), "ada", ada, "new-for-cy", 3).status == "applied"


def test_a_sqlite_file_from_before_keys_its_rows_by_id_as_it_opens(tmp_path: Path) -> None:
    """Rows were a WITHOUT ROWID table keyed scope first: such a file is
    rebuilt once as it opens, its rows and indexes intact."""
    import apsw

    path, schema = str(tmp_path / "old.db"), Schema(1, (Collection("notes", {"title": "text"}),))
    store = SQLiteStore(path)
    assert _insert(Engine(schema, store), "ada", _grant("ada", "user:ada"), "n1", 1).status == "applied"
    store.close()
    c = apsw.Connection(path)  # the rows table as it was laid out before
    with c:
        c.execute("CREATE TABLE old_rows (collection TEXT NOT NULL, row_id ANY NOT NULL, scope TEXT NOT NULL, "
                  "seq INTEGER NOT NULL, version INTEGER NOT NULL, insert_order INTEGER NOT NULL, "
                  "deleted INTEGER NOT NULL, fields BLOB NOT NULL, stamps BLOB NOT NULL, "
                  "PRIMARY KEY (scope, collection, row_id)) STRICT, WITHOUT ROWID; "
                  "INSERT INTO old_rows SELECT * FROM rows; DROP TABLE rows; ALTER TABLE old_rows RENAME TO rows; "
                  "CREATE UNIQUE INDEX rows_scope_seq ON rows (scope, seq)")
    c.close()

    store = SQLiteStore(path)
    engine = Engine(schema, store)
    refused = _insert(engine, "bob", _grant("bob", "user:bob"), "n1", 1)
    assert (refused.status, refused.reason) == ("rejected", "id_taken")
    assert _insert(engine, "ada", _grant("ada", "user:ada"), "n2", 2).status == "applied"
    store.close()
    c = apsw.Connection(path)
    keys = [[r[2] for r in c.execute(f"PRAGMA index_info({name})")]
            for _, name, unique, _, _ in c.execute("PRAGMA index_list(rows)").fetchall() if unique]
    assert ["collection", "row_id", "scope"] in keys
    assert c.execute("SELECT count(*) FROM pragma_table_info('rows') WHERE pk > 0").fetchall() == [(0,)]  # rowid table
    assert c.execute("SELECT row_id, scope, seq FROM rows ORDER BY seq").fetchall() == [
        ("n1", "user:ada", 1), ("n2", "user:ada", 2)]
    assert {r[1] for r in c.execute("PRAGMA index_list(rows)")} >= {"rows_scope_seq", "rows_tombstones"}
    c.close()


@pytest.mark.postgres
def test_two_nodes_claiming_one_id_for_two_scopes_race_and_the_loser_is_refused(tmp_path: Path) -> None:
    """Node A reads the id as free, node B claims it for another scope and
    commits; A's batch fails on the key (a race: tried again), and the try
    again refuses A's insert."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[postgres]')")
    from sync_server.store.postgres import PostgresStore

    schema = Schema(1, (Collection("notes", {"title": "text"}),))
    ada, bob = _grant("ada", "user:ada"), _grant("bob", "user:bob")
    with fresh_store() as a:
        b = PostgresStore(a.dsn)
        try:
            node_a, node_b = Engine(schema, a), Engine(schema, b)
            original = a.number

            def number(count: int) -> Any:  # B's batch runs as A's is about to number its rows
                a.number = original  # type: ignore[method-assign]
                assert _insert(node_b, "bob", bob, "contested", 1).status == "applied"
                return original(count)

            a.number = number  # type: ignore[method-assign]
            with pytest.raises(Exception) as raised:
                _insert(node_a, "ada", ada, "contested", 1)
            assert a.is_race(raised.value)
            refused = _insert(node_a, "ada", ada, "contested", 1)
            assert (refused.status, refused.reason) == ("rejected", "id_taken")
            assert [(r.scope, r.row_id) for r in a.scan_scope(["user:ada", "user:bob"])] == [("user:bob", "contested")]
        finally:
            b.close()
