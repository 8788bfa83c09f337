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
