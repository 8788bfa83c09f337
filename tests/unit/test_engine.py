"""The apply engine on a real SQLite store, without a network: the fresh-insert
fast path, exactly-once, all-or-nothing mutations, error paths, and the stamp
packing the stores share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from shared.merge import ALIVE, Stamp, apply_operation
from shared.messages import Mutation, Operation
from shared.schema import Collection, Field, Schema
from sync_server.auth import Grant
from sync_server.engine import Engine, PushRequest
from sync_server.setbased import created
from sync_server.store.base import pack_stamps, unpack_stamps
from sync_server.store.sqlite import SQLiteStore
from sync_server.validation import Rules

SCOPE = "user:ada"
GRANT = Grant(user="ada", write=frozenset({SCOPE}), read=frozenset({SCOPE}))
T0 = 1_700_000_000_000_000

notes = Collection("notes", [Field("title", "text", required=True), Field("body", "text", default=""),
                             Field("pinned", "boolean", default=False), Field("due", "timestamp")])
journal = Collection("journal", {"title": "text"}, policy="reject")
events = Collection("events", {"kind": "text"}, policy="append_only")
budget = Collection("budget", [Field("name"), Field("spent", "real", counter=True, default=0)])
tagged = Collection("tagged", {"tag": "text"}, unique=[("tag",)])
slots = Collection("slots", [Field("id", "integer", required=True), Field("label")])
SCHEMA = Schema(version=1, collections=(notes, journal, events, budget, tagged, slots))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    store = SQLiteStore(str(tmp_path / "server.db"), synchronous="OFF")
    yield Engine(SCHEMA, store, wall_clock=lambda: T0)
    store.close()


def insert(row_id: str, fields: dict[str, Any], *, collection: str = "notes", t: int = 1) -> Operation:
    return Operation(kind="insert", collection=collection, row_id=row_id, insert_order=T0 + t, fields=fields)


def push(engine: Engine, *mutations: list[Operation], first_seq: int = 1, client_id: str = "dev-a") -> Any:
    batch = [Mutation(client_seq=first_seq + n, ops=ops) for n, ops in enumerate(mutations)]
    return engine.apply_batch([PushRequest(client_id, GRANT, batch)])


def stored(engine: Engine, row_id: str, collection: str = "notes") -> Any:
    return engine.store.load_rows([(SCOPE, collection, row_id)]).get((SCOPE, collection, row_id))


@pytest.mark.parametrize("coll", [notes, journal, events, budget])
def test_fresh_insert_builds_the_row_shared_merge_would(coll: Collection) -> None:
    fields = {"title": "t"} if "title" in coll.fields else {"kind": "k"} if coll is events else {"name": "n"}
    op = Operation(kind="insert", collection=coll.name, row_id="r1", insert_order=T0, fields=fields, scope=SCOPE)
    expected = apply_operation(coll, None, op, "dev-a")
    assert expected.status == "applied"
    assert created(Rules(coll), op, fields, SCOPE, "dev-a") == expected.state


def test_a_fresh_insert_is_stored_with_defaults_and_one_stamp(engine: Engine) -> None:
    outcome = push(engine, [insert("n1", {"title": "a"})])
    assert [r.status for r in outcome.results[0]] == ["applied"]
    row = stored(engine, "n1")
    assert row.fields == {"title": "a", "body": "", "pinned": 0} and row.version == 1
    assert set(row.stamps) == {ALIVE, "title"}  # the defaults it did not send are no write of its
    assert set(row.stamps.values()) == {Stamp(T0 + 1, "dev-a", 1)}
    assert [(r.row_id, r.seq) for r in outcome.rows] == [("n1", 1)] and outcome.head == 1


def test_insert_then_update_in_one_mutation_is_one_change(engine: Engine) -> None:
    update = Operation(kind="update", collection="notes", row_id="n1", insert_order=T0 + 2, fields={"body": "b"})
    outcome = push(engine, [insert("n1", {"title": "a"}), update])
    assert [r.status for r in outcome.results[0]] == ["applied"]
    assert [(r.row_id, r.version, r.fields["body"]) for r in outcome.rows] == [("n1", 2, "b")]


def test_a_rejected_mutation_leaves_none_of_its_inserts(engine: Engine) -> None:
    push(engine, [insert("j1", {"title": "first"}, collection="journal")])
    outcome = push(engine, [insert("n2", {"title": "x"}), insert("j1", {"title": "again"}, collection="journal")],
                   first_seq=2)
    result = outcome.results[0][0]
    assert (result.status, result.reason, result.path) == ("rejected", "exists", "$.mutations[0].ops[1]")
    assert stored(engine, "n2") is None and outcome.rows == []
    assert {r.row_id for r in result.rows} == {"n2", "j1"}


def test_a_resent_mutation_is_applied_once(engine: Engine) -> None:
    push(engine, [insert("n1", {"title": "a"})])
    again = push(engine, [insert("n1", {"title": "a"})])
    assert [r.status for r in again.results[0]] == ["duplicate"] and again.rows == []
    assert stored(engine, "n1").version == 1


def test_a_mutation_after_a_gap_is_not_applied(engine: Engine) -> None:
    outcome = push(engine, [insert("n1", {"title": "a"})], first_seq=2)
    assert [r.status for r in outcome.results[0]] == ["gap"] and stored(engine, "n1") is None


def test_an_invalid_field_is_refused_with_its_full_path(engine: Engine) -> None:
    outcome = push(engine, [insert("n1", {"title": "a"})], [insert("n2", {"title": "b"}), insert("n3", {"title": 5})])
    first, second = outcome.results[0]
    assert first.status == "applied"
    assert (second.status, second.reason, second.path) == ("rejected", "invalid_row", "$.mutations[1].ops[1].fields.title")


def test_one_check_of_a_pushs_fields_admits_only_the_collections_whose_every_op_is_valid(engine: Engine) -> None:
    """Fields are checked once for the whole push, per collection (Engine._as_sent):
    a bad value in one collection leaves the others' mutations taken as they are,
    and that collection's mutations are checked one by one, as without it."""
    mutations = [[insert("n1", {"title": "a"})], [insert("e1", {"kind": 5}, collection="events")],
                 [insert("e2", {"kind": "ok"}, collection="events")], [insert("n2", {"title": "b", "pinned": 1})]]
    request = PushRequest("dev-a", GRANT, [Mutation(client_seq=n + 1, ops=ops) for n, ops in enumerate(mutations)])
    assert engine._as_sent(request) == {"notes"}
    outcome = push(engine, *mutations)
    assert [r.status for r in outcome.results[0]] == ["applied", "rejected", "applied", "applied"]
    assert outcome.results[0][1].path == "$.mutations[1].ops[0].fields.kind"
    assert stored(engine, "n2").fields == {"title": "b", "body": "", "pinned": 1}
    assert stored(engine, "e2", "events") is not None and stored(engine, "e1", "events") is None


@pytest.mark.parametrize(("fields", "path"), [
    ({}, "$.mutations[0].ops[0].fields.title"),
    ({"title": None}, "$.mutations[0].ops[0].fields.title"),
    ({"title": "a", "id": "other"}, "$.mutations[0].ops[0].fields.id"),
    ({"title": "a", "nope": 1}, "$.mutations[0].ops[0].fields.nope"),
])
def test_a_bad_insert_names_the_field(engine: Engine, fields: dict[str, Any], path: str) -> None:
    result = push(engine, [insert("n1", fields)]).results[0][0]
    assert (result.status, result.path) == ("rejected", path)


def test_an_unwritable_scope_is_forbidden(engine: Engine) -> None:
    op = Operation(kind="insert", collection="notes", row_id="n1", insert_order=T0, fields={"title": "a"},
                   scope="user:bob")
    result = push(engine, [op]).results[0][0]
    assert (result.status, result.reason, result.path) == ("rejected", "forbidden", "$.mutations[0].ops[0].scope")


def test_an_insert_order_a_day_ahead_is_clamped_to_the_bound(engine: Engine) -> None:
    result = push(engine, [insert("n1", {"title": "a"}, t=25 * 3600 * 1_000_000)]).results[0][0]
    assert result.status == "applied"
    assert stored(engine, "n1").insert_order == T0 + engine.max_clock_ahead_us


@pytest.mark.parametrize("row_id", [2**63, -(2**63) - 1, 2**64 - 1])
def test_an_integer_id_beyond_64_bits_is_refused_without_failing_the_batch(engine: Engine, row_id: int) -> None:
    other = PushRequest("dev-b", GRANT, [Mutation(client_seq=1, ops=[insert("n1", {"title": "a"})])])
    bad = PushRequest("dev-a", GRANT, [Mutation(client_seq=1, ops=[insert("n2", {"title": "b"}),
                                                                   insert(row_id, {}, collection="slots")])])  # type: ignore[arg-type]
    outcome = engine.apply_batch([bad, other])
    refused = outcome.results[0][0]
    assert (refused.status, refused.path) == ("rejected", "$.mutations[0].ops[1].row_id")
    assert {r.row_id for r in refused.rows} == {"n2"}  # an id that cannot be stored is not handed back
    assert [r.status for r in outcome.results[1]] == ["applied"] and stored(engine, "n1") is not None


def test_the_clock_observes_every_accepted_insert_order(engine: Engine) -> None:
    outcome = push(engine, [insert("n1", {"title": "a"}, t=5_000_000)])
    assert outcome.server_clock > T0 + 5_000_000


def test_a_unique_key_taken_by_another_row_is_rejected(engine: Engine) -> None:
    push(engine, [insert("t1", {"tag": "x"}, collection="tagged")])
    result = push(engine, [insert("t2", {"tag": "x"}, collection="tagged")], first_seq=2).results[0][0]
    assert (result.status, result.reason) == ("rejected", "unique")


@pytest.mark.parametrize("stamps", [
    {},
    dict.fromkeys(["a", "b", ALIVE], Stamp(7, "dev", 1)),
    {"a": Stamp(7, "dev", 2), "b": Stamp(3, "other", 1), ALIVE: Stamp(7, "dev", 2)},
    {"a": Stamp(7, "dev", 1), "b": Stamp(7, "dev", 1)},  # equal, not the same object
])
def test_packed_stamps_read_back_equal(stamps: dict[str, Stamp]) -> None:
    assert unpack_stamps(pack_stamps(stamps)) == stamps


def test_one_shared_stamp_packs_as_one_group() -> None:
    stamp = Stamp(7, "dev", 1)
    assert pack_stamps(dict.fromkeys(["a", ALIVE], stamp)) == pack_stamps({"a": stamp, ALIVE: Stamp(7, "dev", 1)})
    assert msgspec.msgpack.decode(pack_stamps(dict.fromkeys(["a", ALIVE], stamp))) == [[7, "dev", 1, ["a", ALIVE]]]
