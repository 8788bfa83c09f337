"""One user can never hurt another, at the engine over both stores: a bad
mutation is refused alone (the rest of the group commit, other users'
mutations included, commits); values are checked against what every store
and device holds; an insert_order from the future is clamped and moves no
other user's clock past the bound. PostgreSQL runs on 127.0.0.1:5432
(skipped with the reason otherwise; a failure under OFFSYNC_REQUIRE_POSTGRES=1).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.messages import Mutation, MutationResult, Operation
from shared.schema import MAX_JSON_DEPTH, Collection, Field, Schema
from sync_server.auth import Grant
from sync_server.engine import Engine, PushRequest
from sync_server.store.base import Store

from .postgres_db import STORES, store_of

T0 = 1_700_000_000_000_000
ADA = Grant(user="ada", write=frozenset({"user:ada"}), read=frozenset({"user:ada"}))
BOB = Grant(user="bob", write=frozenset({"user:bob"}), read=frozenset({"user:bob"}))
MAX_INT = 2**63 - 1

SCHEMA = Schema(version=1, collections=(
    Collection("notes", [Field("title", "text", required=True), Field("tags", "json")]),
    Collection("journal", {"title": "text"}, policy="reject"),
    Collection("counters", [Field("value", "integer", counter=True, default=0),
                            Field("spent", "real", counter=True, default=0)]),
))


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with store_of(request.param, tmp_path) as opened:
        yield opened


@pytest.fixture
def engine(store: Store) -> Engine:
    return Engine(SCHEMA, store, wall_clock=lambda: T0)


def op(kind: str, row_id: str | int, fields: dict[str, Any] | None = None, *, collection: str = "notes",
       t: int = 1, base_version: int = 0) -> Operation:
    return Operation(kind=kind, collection=collection, row_id=row_id, insert_order=T0 + t,  # type: ignore[arg-type]
                     base_version=base_version, fields=fields or {})


def request(client_id: str, grant: Grant, *mutations: list[Operation], first_seq: int = 1) -> PushRequest:
    return PushRequest(client_id, grant, [Mutation(client_seq=first_seq + n, ops=ops)
                                          for n, ops in enumerate(mutations)])


def bobs_note_survives(engine: Engine, poison: list[Operation]) -> MutationResult:
    """Push ``poison`` from ada and a plain note from bob in one group commit:
    bob's note must commit whatever ada's mutation does; returns ada's result."""
    outcome = engine.apply_batch([request("ada-1", ADA, [op("insert", "fine", {"title": "a"})], poison),
                                  request("bob-1", BOB, [op("insert", "b1", {"title": "bob's"})])])
    assert [r.status for r in outcome.results[1]] == ["applied"]
    assert engine.store.load_rows([("user:bob", "notes", "b1")])[("user:bob", "notes", "b1")].fields["title"] == "bob's"
    assert outcome.results[0][0].status == "applied"  # ada's own earlier mutation stays too
    return outcome.results[0][1]


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_json_nested_5000_deep_is_refused_alone(engine: Engine) -> None:
    result = bobs_note_survives(engine, [op("insert", "deep", {"title": "x", "tags": deep_json(5000)})])
    assert (result.status, result.reason) == ("rejected", "invalid_row")
    assert result.path == "$.mutations[1].ops[0].fields.tags"
    assert "nested deeper" in result.message


def test_json_just_past_the_depth_limit_is_refused_and_at_it_accepted(engine: Engine) -> None:
    result = bobs_note_survives(engine, [op("insert", "deep", {"title": "x", "tags": deep_json(MAX_JSON_DEPTH + 1)})])
    assert (result.status, result.path) == ("rejected", "$.mutations[1].ops[0].fields.tags")
    at = engine.apply_batch([request("ada-1", ADA, [op("insert", "ok", {"title": "x",
                                                                         "tags": deep_json(MAX_JSON_DEPTH)})],
                                     first_seq=3)])
    assert at.results[0][0].status == "applied"


def test_a_counter_driven_past_64_bits_is_refused_alone(engine: Engine) -> None:
    engine.apply_batch([request("ada-1", ADA, [op("insert", "c", {}, collection="counters")], first_seq=1)])
    twice = [op("increment", "c", {"value": MAX_INT}, collection="counters", t=2, base_version=1),
             op("increment", "c", {"value": MAX_INT}, collection="counters", t=3, base_version=1)]
    outcome = engine.apply_batch([request("ada-1", ADA, twice, first_seq=2),
                                  request("bob-1", BOB, [op("insert", "b1", {"title": "bob's"})])])
    refused = outcome.results[0][0]
    assert (refused.status, refused.reason, refused.path) == ("rejected", "invalid_row",
                                                              "$.mutations[0].ops[1].fields.value")
    assert [r.status for r in outcome.results[1]] == ["applied"]
    key = ("user:ada", "counters", "c")
    assert engine.store.load_rows([key])[key].fields["value"] == 0  # nothing of the refused mutation stayed
    pages = engine.pull(ADA, "ada-1", 0, 100)  # every device of the scope can still pull
    assert {r.row_id for r in pages.rows} == {"c"}


def test_a_real_counter_driven_to_infinity_is_refused(engine: Engine) -> None:
    engine.apply_batch([request("ada-1", ADA, [op("insert", "c", {}, collection="counters")])])
    huge = [op("increment", "c", {"spent": 1.7e308}, collection="counters", t=2, base_version=1),
            op("increment", "c", {"spent": 1.7e308}, collection="counters", t=3, base_version=1)]
    result = engine.apply_batch([request("ada-1", ADA, huge, first_seq=2)]).results[0][0]
    assert (result.status, result.path) == ("rejected", "$.mutations[0].ops[1].fields.spent")


@pytest.mark.parametrize("row_id", ["a\x00b", "\x00"])
def test_nul_in_a_row_id_is_refused_alone(engine: Engine, row_id: str) -> None:
    result = bobs_note_survives(engine, [op("insert", row_id, {"title": "x"})])
    assert (result.status, result.reason, result.path) == ("rejected", "invalid_row", "$.mutations[1].ops[0].row_id")


def test_nul_in_text_is_kept_as_it_is(engine: Engine) -> None:
    outcome = engine.apply_batch([request("ada-1", ADA, [op("insert", "t", {"title": "a\x00b", "tags": '"\\u0000"'})])])
    assert outcome.results[0][0].status == "applied"
    key = ("user:ada", "notes", "t")
    assert engine.store.load_rows([key])[key].fields == {"title": "a\x00b", "tags": '"\\u0000"'}


def test_an_error_no_check_foresaw_refuses_only_its_mutation(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # a resolver-like failure deep in the merge: stands for any bug a value could trigger
    # (in the general path's merge, and in the set-based path's, which an lww update takes)
    import sync_server.engine as engine_module
    import sync_server.setbased as setbased_module

    def failing(real: Any) -> Any:
        def merge(*args: Any) -> Any:
            if any(isinstance(a, Operation) and a.row_id == "boom" for a in args):
                raise RecursionError("maximum recursion depth exceeded")
            return real(*args)
        return merge

    monkeypatch.setattr(engine_module, "apply_operation", failing(engine_module.apply_operation))
    monkeypatch.setattr(setbased_module, "is_concurrent", failing(setbased_module.is_concurrent))
    engine.apply_batch([request("ada-0", ADA, [op("insert", "boom", {"title": "x"})])])
    result = bobs_note_survives(engine, [op("update", "boom", {"title": "y"}, t=5)])
    assert (result.status, result.reason) == ("rejected", "invalid_row")
    assert "recursion" not in result.message  # no internal text goes to the peer


def test_a_base_version_from_the_future_does_not_overwrite_a_newer_edit(engine: Engine) -> None:
    engine.apply_batch([request("ada-1", ADA, [op("insert", "j", {"title": "first"}, collection="journal")])])
    engine.apply_batch([request("ada-2", ADA, [op("update", "j", {"title": "newer"}, collection="journal", t=2,
                                                  base_version=1)])])
    late = op("update", "j", {"title": "attack"}, collection="journal", t=3, base_version=MAX_INT)
    result = engine.apply_batch([request("ada-1", ADA, [late], first_seq=2)]).results[0][0]
    assert (result.status, result.reason) == ("rejected", "concurrent")
    key = ("user:ada", "journal", "j")
    assert engine.store.load_rows([key])[key].fields["title"] == "newer"


# -- clocks -------------------------------------------------------------------

DAY_US = 24 * 3600 * 1_000_000


def test_a_stamp_a_day_ahead_moves_no_clock_past_the_bound(engine: Engine) -> None:
    outcome = engine.apply_batch([request("ada-1", ADA, [op("insert", "n", {"title": "x"}, t=DAY_US)])])
    assert outcome.results[0][0].status == "applied"
    bound = T0 + engine.max_clock_ahead_us
    assert outcome.server_clock <= bound + 2
    assert engine.now() <= bound + 3  # what every other device hears in Welcome, Ack and Changes
    key = ("user:ada", "notes", "n")
    assert engine.store.load_rows([key])[key].insert_order <= bound


def test_an_honest_later_edit_still_wins_over_a_stamp_from_the_future(store: Store) -> None:
    now = [T0]
    engine = Engine(SCHEMA, store, wall_clock=lambda: now[0])
    shared = Grant(user="ada", write=frozenset({"team"}), read=frozenset({"team"}))
    mallory = Grant(user="mallory", write=frozenset({"team"}), read=frozenset({"team"}))
    engine.apply_batch([request("ada-1", shared, [op("insert", "n", {"title": "v0"})])])
    engine.apply_batch([request("mal-1", mallory, [op("update", "n", {"title": "attack"}, t=DAY_US,
                                                      base_version=1)])])
    now[0] = T0 + 2 * engine.max_clock_ahead_us  # two minutes later, an honest edit (made then)
    honest = op("update", "n", {"title": "honest"}, t=2 * engine.max_clock_ahead_us, base_version=2)
    engine.apply_batch([request("ada-1", shared, [honest], first_seq=2)])
    key = ("team", "notes", "n")
    assert engine.store.load_rows([key])[key].fields["title"] == "honest"


def test_a_device_whose_clock_was_once_fast_keeps_syncing_in_order(engine: Engine) -> None:
    fast = [op("insert", "n", {"title": "v1"}, t=2 * DAY_US)]
    engine.apply_batch([request("ada-1", ADA, fast)])
    # its clock is fixed, but its hybrid clock keeps counting from the fast stamp
    later = [op("update", "n", {"title": "v2"}, t=2 * DAY_US + 1, base_version=1)]
    result = engine.apply_batch([request("ada-1", ADA, later, first_seq=2)]).results[0][0]
    assert result.status == "applied"
    key = ("user:ada", "notes", "n")
    assert engine.store.load_rows([key])[key].fields["title"] == "v2"  # its own later write wins
