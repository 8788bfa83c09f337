"""The PostgreSQL store: several server nodes on one database.

Needs PostgreSQL on 127.0.0.1:5432 (trust auth). Skipped with the reason when
it is absent; CI sets OFFSYNC_REQUIRE_POSTGRES=1, which turns the skip into a
failure so these tests cannot silently stop running there.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[postgres]')")

from shared.apps.notes import schema
from shared.messages import Mutation, Operation
from sync_client.connection import SyncClient
from sync_server.app import SyncServer
from sync_server.auth import Grant
from sync_server.engine import Engine, PushRequest
from sync_server.store.postgres import PostgresStore

from ..servers import SECRET, ThreadServer
from .helpers import converged, device, sync
from .postgres_db import fresh_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def database() -> Iterator[str]:
    with fresh_database() as url:
        yield url


def node(dsn: str) -> ThreadServer:
    return ThreadServer(SyncServer(schema, PostgresStore(dsn), SECRET))


def test_two_nodes_share_one_database_and_fan_out_to_each_other(database: str, tmp_path: Path) -> None:
    with node(database) as one, node(database) as two:
        token = one.token("ada")
        writer, reader = device(tmp_path, "writer", schema), device(tmp_path, "reader", schema)

        async def scenario() -> None:
            stop = asyncio.Event()
            listening = asyncio.create_task(SyncClient(reader, two.ws_url, token).run(stop))
            await asyncio.sleep(0.3)
            ids = writer.insert_many("notes", [{"title": f"n{i}"} for i in range(20)])
            await SyncClient(writer, one.ws_url, token).sync_once()
            deadline = time.monotonic() + 10
            while len(reader.rows("notes")) < 20 and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            stop.set()
            await listening
            assert set(reader.rows("notes")) == set(ids)  # live, through the other node

        asyncio.run(scenario())
        sync(reader, two, token)
        assert converged(one.sync, ["user:ada"], writer, reader)


def test_a_live_device_gets_a_commit_once_the_open_batch_below_it_ends_even_by_rollback(
        database: str, tmp_path: Path) -> None:
    """A batch numbered below a commit holds that commit back from every
    device until it ends; one that rolls back sends no notice, and the nodes
    read again on their own (``fanout.RECHECK_S``)."""
    with node(database) as one, node(database) as two:
        token = one.token("ada")
        writer, reader = device(tmp_path, "writer", schema), device(tmp_path, "reader", schema)
        open_batch = psycopg.connect(database, autocommit=True)

        async def scenario() -> None:
            stop = asyncio.Event()
            listening = asyncio.create_task(SyncClient(reader, two.ws_url, token).run(stop))
            await asyncio.sleep(0.3)
            open_batch.execute("BEGIN")
            (drawn,) = open_batch.execute("SELECT offsync_number(1)").fetchone()  # as another node's batch
            ids = writer.insert_many("notes", [{"title": f"n{i}"} for i in range(5)])
            # committed, numbered above it: acked at once, but sync_once waits for
            # the writer's cursor to reach its own commit, which waits for the open batch
            pushing = asyncio.create_task(SyncClient(writer, one.ws_url, token).sync_once())
            await asyncio.sleep(1.0)
            held = (writer.pending_count(), len(reader.rows("notes")), reader.cursor, pushing.done())
            open_batch.execute("ROLLBACK")
            ended = time.monotonic()
            while len(reader.rows("notes")) < 5 and time.monotonic() < ended + 10:
                await asyncio.sleep(0.01)
            took = time.monotonic() - ended
            await asyncio.wait_for(pushing, 10)
            stop.set()
            await listening
            assert held == (0, 0, drawn[0] - 1, False)  # acked; nothing past the open batch's number
            assert set(reader.rows("notes")) == set(ids) and took < 2.0, took

        try:
            asyncio.run(scenario())
        finally:
            open_batch.close()
        assert converged(one.sync, ["user:ada"], writer, reader)


def test_concurrent_writers_on_two_nodes_commit_in_sequence_order(database: str) -> None:
    stores = [PostgresStore(database), PostgresStore(database)]
    engines = [Engine(schema, s) for s in stores]
    grant = Grant(user="ada", write=frozenset({"user:ada"}), read=frozenset({"user:ada"}))
    observed: list[tuple[int, int]] = []  # (head seen, rows with seq <= head)
    stop = threading.Event()

    def write(index: int) -> None:
        engine = engines[index]
        for seq in range(1, 41):
            ops = [Operation(kind="insert", collection="notes", row_id=f"{index}-{seq}-{k}", insert_order=seq,
                             fields={"title": "t"}) for k in range(3)]
            engine.apply_batch([PushRequest(f"dev-{index}", grant, [Mutation(client_seq=seq, ops=ops)])])

    def watch() -> None:
        # a reader that keeps pulling must never see a head whose rows are not all there
        reader = PostgresStore(database)
        while not stop.is_set():
            page = reader.changes_since(["user:ada"], 0, 100_000, None)
            observed.append((page.head, len(page.rows)))
        reader.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
    watcher = threading.Thread(target=watch)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    watcher.join()
    final = stores[0].changes_since(["user:ada"], 0, 100_000, None)
    assert final.head == 2 * 40 * 3
    assert sorted(r.seq for r in final.rows) == list(range(1, final.head + 1))  # no gaps, no duplicates
    assert all(count == head for head, count in observed) and len(observed) > 3
    for s in stores:
        s.close()


def test_a_killed_node_loses_nothing_and_another_node_serves_it(database: str, tmp_path: Path) -> None:
    token = None
    a = device(tmp_path, "a", schema)
    a.insert_many("notes", [{"title": f"n{i}"} for i in range(50)])
    with node(database) as one:
        token = one.token("ada")
        sync(a, one, token)
    b = device(tmp_path, "b", schema)
    with node(database) as two:
        sync(b, two, token)
        assert converged(two.sync, ["user:ada"], a, b) and len(b.rows("notes")) == 50
