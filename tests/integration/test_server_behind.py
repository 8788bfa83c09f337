"""A server that lost what it had acknowledged: its store restored from an
older copy. The device meets it with writes the server answered and no longer
knows. Pushing on, it would be answered ``gap`` for ever (it found this
benchmark's devices and server each at full CPU for 10 minutes); it stops at
once with :class:`ServerBehind` instead, keeping its rows and its queue.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from shared.apps.notes import schema as notes_schema
from shared.errors import ServerBehind
from shared.messages import MSGPACK, Ack, Error, Hello, Mutation, Operation, Push, Welcome
from sync_client.connection import Backoff, SyncClient
from sync_client.replica import Replica
from sync_server.app import SyncServer
from sync_server.session import CLOSE_GAP, GAP_ACKS_TO_CLOSE
from sync_server.store.sqlite import SQLiteStore

from ..servers import SECRET, ThreadServer

FILES = ("", "-wal", "-shm")


def _server(db: Path) -> ThreadServer:
    return ThreadServer(SyncServer(notes_schema, SQLiteStore(str(db), synchronous="NORMAL"), SECRET))


def _sync(replica: Replica, server: ThreadServer) -> None:
    asyncio.run(SyncClient(replica, server.ws_url, server.token("ada")).sync_once(timeout=10))


def _copy(db: Path, to: Path) -> None:
    for suffix in FILES:
        source = Path(f"{db}{suffix}")
        target = Path(f"{to}{suffix}")
        target.unlink(missing_ok=True)
        if source.exists():
            shutil.copyfile(source, target)


def test_a_device_meeting_a_store_restored_from_before_its_writes_stops_and_keeps_them(tmp_path: Path) -> None:
    db, backup = tmp_path / "server.db", tmp_path / "backup.db"
    phone = Replica(str(tmp_path / "phone.db"), notes_schema)
    phone.insert("notes", {"id": "n1", "title": "before the backup"})
    with _server(db) as server:
        _sync(phone, server)
    _copy(db, backup)  # the operator's copy, taken while the server was stopped
    phone.insert("notes", {"id": "n2", "title": "after the backup"})
    with _server(db) as server:
        _sync(phone, server)
        assert server.sync.store.head() == 2
    _copy(backup, db)  # the disk died: the server comes back from the copy
    phone.insert("notes", {"id": "n3", "title": "written offline since"})

    with _server(db) as restored:
        started = time.monotonic()
        with pytest.raises(ServerBehind) as stopped:
            _sync(phone, restored)
        assert time.monotonic() - started < 5  # at the Welcome, not after a timeout
        assert stopped.value.message.startswith("the server knows this device's mutations up to client_seq 1, but "
                                                "it answered them up to 2: its store was restored from an older copy")
        assert stopped.value.path == "$.last_client_seq"
        assert restored.sync.store.head() == 1  # n3 was not pushed on top of the hole

        # the background client stops too, once, with the reason, instead of retrying
        client = SyncClient(phone, restored.ws_url, restored.token("ada"), backoff=Backoff(base=0.01, cap=0.01))
        asyncio.run(asyncio.wait_for(client.run(), 10))
        assert client.status.attempts == 1
        assert client.status.fatal is not None and "ServerBehind" in client.status.fatal
        assert restored.sync.store.head() == 1

    # the device keeps everything it had: its rows, and its queued write
    assert sorted(phone.rows("notes")) == ["n1", "n2", "n3"]
    assert phone.pending_count() == 1
    phone.close()


def test_a_reader_whose_cursor_is_past_a_restored_store_stops_instead_of_missing_rows(tmp_path: Path) -> None:
    """A device that only reads has no mutation the server could have lost,
    but it has seen rows the restored store numbers again: the next rows
    another device writes get seqs at or below its cursor, which it would
    never pull (checked without the check: it missed them silently)."""
    db, backup = tmp_path / "server.db", tmp_path / "backup.db"
    writer = Replica(str(tmp_path / "writer.db"), notes_schema)
    reader = Replica(str(tmp_path / "reader.db"), notes_schema)
    writer.insert("notes", {"id": "n1", "title": "before the backup"})
    with _server(db) as server:
        _sync(writer, server)
    _copy(db, backup)
    writer.insert("notes", {"id": "n2", "title": "after the backup"})
    writer.insert("notes", {"id": "n3", "title": "after the backup too"})
    with _server(db) as server:
        _sync(writer, server)
        _sync(reader, server)
    assert reader.cursor == 3
    _copy(backup, db)
    fresh = Replica(str(tmp_path / "fresh.db"), notes_schema)  # a new device: nothing to lose
    fresh.insert("notes", {"id": "n4", "title": "written after the restore"})
    with _server(db) as restored:
        _sync(fresh, restored)
        assert restored.sync.store.head() == 2  # n4 took seq 2, below the reader's cursor
        with pytest.raises(ServerBehind) as stopped:
            _sync(reader, restored)
        assert stopped.value.message.startswith("the server's rows go up to seq 2, but this device has seen them "
                                                "up to 3")
        assert stopped.value.path == "$.cursor"
    assert sorted(reader.rows("notes")) == ["n1", "n2", "n3"]
    for replica in (writer, reader, fresh):
        replica.close()


def test_a_device_whose_writes_the_server_has_syncs_as_before(tmp_path: Path) -> None:
    """The check's other side: pending writes above what the server knows
    (never pushed, or pushed and not yet answered) are no loss."""
    db = tmp_path / "server.db"
    phone = Replica(str(tmp_path / "phone.db"), notes_schema)
    phone.insert("notes", {"id": "n1", "title": "one"})
    with _server(db) as server:
        _sync(phone, server)
        phone.insert("notes", {"id": "n2", "title": "two"})
        phone.insert("notes", {"id": "n3", "title": "three"})
        assert phone.answered_through() == 1
        _sync(phone, server)
        assert server.sync.store.head() == 3 and phone.pending_count() == 0
        assert phone.answered_through() == phone.last_client_seq == 3
    phone.close()


def test_a_device_pushing_past_a_missing_mutation_is_closed_not_served_for_ever(tmp_path: Path) -> None:
    """A client from before ServerBehind, meeting a restored store, pushes its
    oldest pending mutation again after every gap answer. The server closes
    its socket after GAP_ACKS_TO_CLOSE such answers in a row; the client
    reconnects after its backoff instead of costing the writer a batch a round trip."""
    gap_push = MSGPACK.encode(Push(mutations=[Mutation(client_seq=5, ops=[Operation(
        kind="insert", collection="notes", row_id="n5", insert_order=1, fields={"title": "x"})])]))

    async def push_until_closed(server: ThreadServer) -> tuple[list[object], int | None]:
        answers: list[object] = []
        async with connect(server.ws_url) as ws:
            await ws.send(MSGPACK.encode(Hello(client_id="old-phone", token=server.token("ada"), schema_version=1)))
            assert isinstance(MSGPACK.decode(await ws.recv()), Welcome)
            for _ in range(GAP_ACKS_TO_CLOSE):  # one push, one answer: the last is the closing one
                await ws.send(gap_push)
                answers.append(MSGPACK.decode(await asyncio.wait_for(ws.recv(), 5)))
            try:
                while True:  # what follows the last Ack, until the close
                    answers.append(MSGPACK.decode(await asyncio.wait_for(ws.recv(), 5)))
            except ConnectionClosed as closed:
                return answers, closed.rcvd.code if closed.rcvd else None
            except TimeoutError:
                return answers, None

    with _server(tmp_path / "server.db") as server:
        answers, code = asyncio.run(push_until_closed(server))
        acks = answers[:GAP_ACKS_TO_CLOSE]
        assert all(isinstance(a, Ack) and [r.status for r in a.results] == ["gap"] for a in acks)
        error = answers[GAP_ACKS_TO_CLOSE]
        assert isinstance(error, Error) and error.code == "gap" and "expected client_seq 1 first" in error.message
        assert code == CLOSE_GAP and len(answers) == GAP_ACKS_TO_CLOSE + 1
        assert server.sync.store.head() == 0

        # gap answers between answers that apply close nothing
        far_ahead = MSGPACK.encode(Push(mutations=[Mutation(client_seq=1000, ops=[Operation(
            kind="insert", collection="notes", row_id="z", insert_order=1, fields={"title": "x"})])]))
        rounds = GAP_ACKS_TO_CLOSE + 4

        async def gaps_between_applies() -> list[list[str]]:
            statuses: list[list[str]] = []
            async with connect(server.ws_url) as ws:
                await ws.send(MSGPACK.encode(Hello(client_id="new-phone", token=server.token("bob"), schema_version=1)))
                await ws.recv()
                for seq in range(1, rounds + 1):
                    await ws.send(far_ahead)
                    await ws.send(MSGPACK.encode(Push(mutations=[Mutation(client_seq=seq, ops=[Operation(
                        kind="insert", collection="notes", row_id=f"b{seq}", insert_order=seq, fields={"title": "y"})])])))
                    for _ in range(2):
                        ack = MSGPACK.decode(await asyncio.wait_for(ws.recv(), 5))
                        assert isinstance(ack, Ack)
                        statuses.append([str(r.status) for r in ack.results])
            return statuses

        assert asyncio.run(gaps_between_applies()) == [["gap"], ["applied"]] * rounds
        assert server.sync.store.head() == rounds
