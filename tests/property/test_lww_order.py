"""``lww`` and ``increment`` do not depend on arrival order: the same set of
concurrent operations, applied by two fresh servers in two different orders,
gives the same rows (and the rows the reference model predicts).

Every operation comes from its own device (client_seq 1), so any order is a
valid arrival order; only the first insert of each row goes first, as a device
can only update or delete a row it has seen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.apps.notes import schema
from shared.messages import Mutation, Operation
from sync_server.auth import Grant
from sync_server.engine import Engine, PushRequest
from sync_server.store.sqlite import SQLiteStore

from .model import expected_rows
from .wiring import EPOCH_US, CapturedOp, Clock

SCOPE = "user:alice"
GRANT = Grant(user="alice", write=frozenset({SCOPE}), read=frozenset({SCOPE}))

note_values = st.fixed_dictionaries({}, optional={
    "title": st.sampled_from(["a", "b", "c"]),
    "body": st.sampled_from(["", "x"]),
    "pinned": st.sampled_from([0, 1]),
})
concurrent_op = st.one_of(
    st.tuples(st.just("notes"), st.sampled_from(["insert", "update", "update", "delete"]), st.sampled_from(["n0", "n1"]),
              note_values),
    st.tuples(st.just("counters"), st.sampled_from(["insert", "increment", "increment", "delete"]),
              st.sampled_from(["c0"]), st.integers(-5, 5).filter(bool)),
)
# insert_order values collide on purpose: the device id must break the tie
stamped = st.tuples(concurrent_op, st.integers(1, 6), st.integers(0, 1))


def _operation(spec: tuple[str, str, str, Any], insert_order: int, base_version: int) -> Operation:
    collection, kind, row_id, arg = spec
    if collection == "notes":
        fields = {"title": "t", "body": "", "tags": "[]", "pinned": 0, "updatedAtMs": None, **arg} \
            if kind == "insert" else (arg if kind == "update" else {})
    else:
        fields = {"name": row_id, "value": 0} if kind == "insert" else ({"value": arg} if kind == "increment" else {})
    if kind == "update" and not fields:
        fields = {"body": "u"}
    return Operation(kind=kind, collection=collection, row_id=row_id, base_version=base_version,  # type: ignore[arg-type]
                     insert_order=EPOCH_US + insert_order, fields=fields)


def _apply(path: Path, ops: list[tuple[str, Operation]]) -> dict[tuple[str, Any], dict[str, Any]]:
    store = SQLiteStore(str(path), synchronous="OFF")
    engine = Engine(schema, store, wall_clock=Clock(EPOCH_US + 10_000_000))
    try:
        for client_id, op in ops:
            outcome = engine.apply_batch([PushRequest(client_id, GRANT, [Mutation(client_seq=1, ops=[op])])])
            assert outcome.results[0][0].status in ("applied", "merged"), outcome.results
        return {(r.collection, r.row_id): r.fields for r in store.scan_scope([SCOPE])}
    finally:
        store.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(stamped, min_size=1, max_size=12), order=st.randoms(use_true_random=False))
def test_lww_rows_do_not_depend_on_arrival_order(tmp_path_factory: Any, ops: list[Any], order: Any) -> None:
    made = [(f"dev{i}", _operation(spec, io, base)) for i, (spec, io, base) in enumerate(ops)]
    firsts: list[tuple[str, Operation]] = []
    rest: list[tuple[str, Operation]] = []
    seen: set[str] = set()
    for client_id, op in made:
        # a device only edits a row it has seen: each row's first insert goes
        # first (made up, from another device, if the row starts with an edit)
        if op.row_id not in seen:
            seen.add(op.row_id)  # type: ignore[arg-type]
            if op.kind == "insert":
                firsts.append((client_id, op))
                continue
            firsts.append((f"seed-{op.row_id}", _operation((op.collection, "insert", op.row_id, {}), 0, 0)))
        rest.append((client_id, op))
    shuffled = list(rest)
    order.shuffle(shuffled)
    directory = tmp_path_factory.mktemp("order")
    one = _apply(directory / "one.db", firsts + rest)
    two = _apply(directory / "two.db", firsts + shuffled)
    assert one == two
    accepted = [(cid, SCOPE, [CapturedOp(op.kind, op.collection, op.row_id, dict(op.fields), op.base_version,
                                         op.insert_order)]) for cid, op in firsts + rest]
    model = expected_rows(schema, accepted)
    assert {(k[1], k[2]): {n: v for n, v in row.items() if n != "id"} for k, row in model.items()} == one
