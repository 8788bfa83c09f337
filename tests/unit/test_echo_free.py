"""Which rows a batch may leave out of a pushing device's live batch (no echo,
protocol 3) and the versions its Ack tells instead: only rows that end the
batch exactly as that device wrote them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.apps.notes import schema
from shared.messages import Mutation, Operation
from sync_server.auth import Grant
from sync_server.engine import BatchOutcome, Engine, PushRequest
from sync_server.store.sqlite import SQLiteStore

SCOPE = "user:ada"
GRANT = Grant(user="ada", write=frozenset({SCOPE}), read=frozenset({SCOPE}))
T0 = 1_733_342_400_000_000


@pytest.fixture()
def engine(tmp_path: Path) -> Iterator[Engine]:
    store = SQLiteStore(str(tmp_path / "server.db"), synchronous="OFF")
    yield Engine(schema, store, wall_clock=lambda: T0)
    store.close()


def op(kind: str, row_id: str, t: int, base: int = 0, **fields: object) -> Operation:
    return Operation(kind=kind, collection="notes", row_id=row_id, base_version=base,  # type: ignore[arg-type]
                     insert_order=T0 - 1000 + t, fields=fields)


def batch(engine: Engine, *pushes: tuple[str, int, list[Operation]]) -> BatchOutcome:
    """One group commit of (device, client_seq, operations) pushes, a mutation each."""
    return engine.apply_batch([PushRequest(device, GRANT, [Mutation(client_seq=seq, ops=ops)], told_versions=True)
                               for device, seq, ops in pushes])


def echo_free(outcome: BatchOutcome) -> dict[str, str]:
    return {row.row_id: outcome.echo_free[row.seq] for row in outcome.rows if row.seq in outcome.echo_free}


def test_a_devices_own_rows_as_written_are_told_not_echoed(engine: Engine) -> None:
    first = batch(engine, ("a", 1, [op("insert", "n1", 1, title="x"), op("update", "n1", 2, body="y")]),
                  ("a", 2, [op("update", "n1", 3, title="z")]))  # base 0: on top of its own writes
    assert echo_free(first) == {"n1": "a"}
    assert [r.versions for r in first.results[0] + first.results[1]] == [[1, 2], [3]]
    later = batch(engine, ("a", 3, [op("update", "n1", 4, base=3, body="w")]))  # made from the told version
    assert echo_free(later) == {"n1": "a"} and later.results[0][0].versions == [4]


def test_a_row_another_device_changed_in_the_batch_is_echoed_whole(engine: Engine) -> None:
    batch(engine, ("a", 1, [op("insert", "n1", 1, title="x")]))
    outcome = batch(engine, ("a", 2, [op("update", "n1", 2, base=1, title="a")]),
                    ("b", 1, [op("update", "n1", 3, base=1, body="b")]))
    # b's write was made from version 1, so b's copy lacks a's title: nobody's copy is the row
    assert echo_free(outcome) == {}
    assert outcome.results[0][0].versions == [0] and outcome.results[1][0].versions == [0]


def test_a_push_whose_ack_tells_no_versions_is_echoed(engine: Engine) -> None:
    # protocol 1 or 2, an older schema, HTTP without offsync-protocol: 3
    outcome = engine.apply_batch([PushRequest("a", GRANT, [Mutation(client_seq=1, ops=[op("insert", "n1", 1, title="x")])])])
    assert echo_free(outcome) == {} and outcome.results[0][0].versions == []


def test_a_write_made_from_an_older_version_is_echoed(engine: Engine) -> None:
    batch(engine, ("a", 1, [op("insert", "n1", 1, title="x")]))
    batch(engine, ("b", 1, [op("update", "n1", 2, base=1, body="b")]))
    outcome = batch(engine, ("a", 2, [op("update", "n1", 3, base=1, title="a")]))  # a has not seen b's body
    assert outcome.results[0][0].status == "applied" and outcome.results[0][0].versions == [0]
    assert echo_free(outcome) == {}
