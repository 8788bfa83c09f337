"""A store's head as other threads see it while a batch is open: nothing reads
another thread's transaction.

The PostgreSQL store once answered ``head()`` through the writer connection
whenever a write transaction was open, from any thread: the fan-out read that
uncommitted head on a worker thread, found its rows invisible on a reader
connection and moved past them for good (devices lost rows while connected).
Both stores run here, on real threads; PostgreSQL needs 127.0.0.1:5432
(skipped with the reason otherwise, a failure under OFFSYNC_REQUIRE_POSTGRES=1).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.apps.notes import schema
from shared.messages import Mutation, Operation
from sync_server.auth import Grant
from sync_server.engine import Engine, PushRequest
from sync_server.store.base import Batch, Store

from .helpers import head_on_another_thread
from .postgres_db import STORES, store_of

SCOPE = "user:ada"
GRANT = Grant(user="ada", write=frozenset({SCOPE}), read=frozenset({SCOPE}))


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with store_of(request.param, tmp_path, synchronous="NORMAL") as opened:
        yield opened


def _push(engine: Engine, client_seq: int) -> None:
    ops = [Operation(kind="insert", collection="notes", row_id=f"n{client_seq}-{k}", insert_order=client_seq,
                     fields={"title": "t"}) for k in range(3)]
    engine.apply_batch([PushRequest("dev-a", GRANT, [Mutation(client_seq=client_seq, ops=ops)])])


def test_another_thread_sees_the_committed_head_while_a_batch_is_open(store: Store) -> None:
    engine = Engine(schema, store)
    _push(engine, 1)
    assert store.head() == 3
    seen_inside: list[int] = []
    original = store.commit_batch

    def commit_then_look(batch: object) -> None:
        original(batch)  # type: ignore[arg-type]
        # written, not committed: the writer's own thread builds on it, no one else sees it
        seen_inside.append(store.head())
        seen_inside.append(head_on_another_thread(store))

    store.commit_batch = commit_then_look  # type: ignore[method-assign]
    try:
        _push(engine, 2)
    finally:
        del store.commit_batch  # type: ignore[attr-defined]
    assert seen_inside[1] == 3  # another thread: the committed head
    if not getattr(store, "shared_writers", False):
        # SQLite numbers up front: its writer's thread builds on the batch's head
        # (PostgreSQL's batch draws its numbers in its commit: it has none before)
        assert seen_inside[0] == 6
    assert store.head() == head_on_another_thread(store) == 6


def test_a_failed_batch_leaves_the_head_where_it_was(store: Store) -> None:
    engine = Engine(schema, store)
    _push(engine, 1)
    with pytest.raises(RuntimeError), store.write_transaction():
        store.commit_batch(Batch(head=99))
        assert store.head() == 99
        assert head_on_another_thread(store) == 3
        raise RuntimeError("the batch fails")
    assert store.head() == head_on_another_thread(store) == 3
    _push(engine, 2)
    assert store.head() == 6
