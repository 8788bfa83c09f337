"""The conflict rules of shared.merge, without any storage."""

import itertools

import pytest

from shared.merge import ALIVE, RowState, apply_operation, replay
from shared.messages import Operation
from shared.schema import Collection, Field

lww = Collection("notes", {"title": "text", "body": "text"})
rej = Collection("journal", {"title": "text", "body": "text"}, policy="reject")
app = Collection("events", {"kind": "text"}, policy="append_only")
cnt = Collection("budget", [Field("name"), Field("used", "integer", counter=True, default=0)])


def op(kind: str, fields: dict[str, object] | None = None, *, t: int, base: int = 0, row: str = "r1") -> Operation:
    return Operation(kind=kind, collection="x", row_id=row, base_version=base, insert_order=t,  # type: ignore[arg-type]
                     fields=fields or {}, scope="s")


def run(coll: Collection, ops: list[tuple[Operation, str]]) -> RowState | None:
    state = None
    for o, client in ops:
        outcome = apply_operation(coll, state, o, client)
        if outcome.state is not None:
            state = outcome.state
    return state


def created(coll: Collection = lww) -> RowState:
    return run(coll, [(op("insert", {"title": "t0", "body": "b0"}, t=10), "A")])  # type: ignore[return-value]


def test_insert_creates_version_one_with_stamps() -> None:
    state = created()
    assert state.version == 1 and state.fields == {"title": "t0", "body": "b0"}
    assert state.stamps[ALIVE].insert_order == 10


def test_lww_edits_of_different_fields_merge_without_a_conflict() -> None:
    base = created()
    a = apply_operation(lww, base, op("update", {"title": "A"}, t=20, base=1), "A").state
    b = apply_operation(lww, a, op("update", {"body": "B"}, t=15, base=1), "B")
    # only fields changed since the base version make an edit concurrent
    assert b.status == "applied" and b.conflict is None and b.state is not None
    assert b.state.fields == {"title": "A", "body": "B"}


def test_lww_same_field_edit_is_recorded_as_a_conflict() -> None:
    base = created()
    a = apply_operation(lww, base, op("update", {"title": "A"}, t=20, base=1), "A").state
    b = apply_operation(lww, a, op("update", {"title": "B"}, t=15, base=1), "B")
    assert b.status == "merged" and b.state is None  # it lost: nothing changes
    assert b.conflict is not None and b.conflict.lost == ["title"] and b.conflict.resolution == "lost"


def test_lww_same_field_later_insert_order_wins_in_either_order() -> None:
    base = created()
    late = op("update", {"title": "late"}, t=30, base=1)
    early = op("update", {"title": "early"}, t=20, base=1)
    for first, second in ((late, early), (early, late)):
        s1 = apply_operation(lww, base, first, "A").state
        outcome = apply_operation(lww, s1, second, "B")
        final = outcome.state or s1
        assert final.fields["title"] == "late"


def test_lww_ties_break_on_device_id() -> None:
    base = created()
    x = op("update", {"title": "from-A"}, t=20, base=1)
    y = op("update", {"title": "from-B"}, t=20, base=1)
    r1 = run(lww, [(op("insert", {"title": "t0"}, t=10), "A"), (x, "A"), (y, "B")])
    r2 = run(lww, [(op("insert", {"title": "t0"}, t=10), "A"), (y, "B"), (x, "A")])
    assert r1 is not None and r2 is not None
    assert r1.fields == r2.fields == {"title": "from-B"}
    assert base.version == 1


def test_lww_is_independent_of_arrival_order() -> None:
    ops = [(op("update", {"title": "a1"}, t=21, base=1), "A"), (op("update", {"body": "b1"}, t=22, base=1), "B"),
           (op("update", {"title": "c1", "body": "c2"}, t=19, base=1), "C"), (op("delete", t=18, base=1), "D")]
    results = set()
    for perm in itertools.permutations(ops):
        state = run(lww, [(op("insert", {"title": "t0", "body": "b0"}, t=10), "A"), *perm])
        assert state is not None
        results.add((state.deleted, tuple(sorted(state.fields.items()))))
    assert len(results) == 1


def test_delete_wins_over_a_concurrent_update() -> None:
    state = run(lww, [(op("insert", {"title": "t0"}, t=10), "A"), (op("delete", t=20, base=1), "B"),
                      (op("update", {"title": "new"}, t=30, base=1), "A")])
    assert state is not None and state.deleted


def test_a_later_insert_revives_a_deleted_row() -> None:
    state = run(lww, [(op("insert", {"title": "t0"}, t=10), "A"), (op("delete", t=20, base=1), "B"),
                      (op("insert", {"title": "again"}, t=30), "C")])
    assert state is not None and not state.deleted and state.fields["title"] == "again"


def test_reject_refuses_a_concurrent_update_and_keeps_the_first() -> None:
    base = created(rej)
    first = apply_operation(rej, base, op("update", {"body": "first"}, t=20, base=1), "A")
    assert first.status == "applied" and first.state is not None
    late = apply_operation(rej, first.state, op("update", {"body": "late"}, t=30, base=1), "B")
    assert late.status == "rejected" and late.state is None and late.reason == "concurrent"
    assert late.conflict is not None and late.conflict.resolution == "rejected"


def test_reject_accepts_an_update_made_from_the_current_version() -> None:
    base = created(rej)
    first = apply_operation(rej, base, op("update", {"body": "first"}, t=20, base=1), "A").state
    assert first is not None
    nxt = apply_operation(rej, first, op("update", {"body": "second"}, t=30, base=2), "B")
    assert nxt.status == "applied" and nxt.state is not None and nxt.state.fields["body"] == "second"


def test_append_only_duplicate_insert_is_a_no_op() -> None:
    base = run(app, [(op("insert", {"kind": "k"}, t=10), "A")])
    again = apply_operation(app, base, op("insert", {"kind": "other"}, t=20), "B")
    assert again.status == "merged" and again.state is None and again.reason == "duplicate"


@pytest.mark.parametrize("order", list(itertools.permutations([3, 4, -2])))
def test_increments_add_up_in_any_order(order: tuple[int, ...]) -> None:
    state = run(cnt, [(op("insert", {"name": "n", "used": 0}, t=10), "A"),
                      *[(op("increment", {"used": d}, t=20 + i, base=1), f"D{i}") for i, d in enumerate(order)]])
    assert state is not None and state.fields["used"] == 5


def test_an_insert_never_resets_a_counter_total() -> None:
    state = run(cnt, [(op("insert", {"name": "n", "used": 0}, t=10), "A"), (op("increment", {"used": 5}, t=11), "A"),
                      (op("insert", {"name": "n2", "used": 0}, t=12), "B")])
    assert state is not None and state.fields == {"name": "n2", "used": 5}


def test_update_of_a_missing_row_is_rejected_not_found() -> None:
    outcome = apply_operation(lww, None, op("update", {"title": "x"}, t=5), "A")
    assert outcome.status == "rejected" and outcome.reason == "not_found"


def test_replay_puts_pending_operations_on_top_of_the_server_row() -> None:
    server = {"title": "server", "body": "b", "used": 1}
    assert replay(server, [("update", {"title": "mine"}), ("increment", {"used": 2})]) == \
        {"title": "mine", "body": "b", "used": 3}
    assert replay(server, [("delete", {})]) is None
    assert replay(None, [("update", {"title": "x"})]) is None  # deleted meanwhile: stays deleted
    assert replay(None, [("insert", {"title": "x"})]) == {"title": "x"}
