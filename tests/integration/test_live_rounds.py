"""Every live device updates one row at once, round after round: once quiet,
every device shows the row the server holds, without reconnecting.

A device that replays its pending write over live rows that already include
it (a live batch without ``applied``, or sent ahead of the write's Ack), or
that writes an Ack's older copy over a newer live row, ends a round stale.
A real ``offsync serve`` process on SQLite here; three on one PostgreSQL
database in ``test_postgres_cluster.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from shared.apps.notes import schema

from ..servers import ProcessServer
from .cluster import Device, settle

ROUNDS = 40


def run_rounds(devices: list[Device], database: str | Path, stored_title: Callable[[str], Any],
               rounds: int = ROUNDS) -> None:
    async def scenario() -> None:
        for d in devices:
            d.start()
        row_id = devices[0].replica.insert("notes", {"title": "start"})
        await settle(devices, database)
        stale: list[tuple[int, list[Any], Any]] = []
        for round_ in range(rounds):
            for index, d in enumerate(devices):  # all at once: nobody has heard of the others' writes
                d.replica.update("notes", row_id, {"title": f"{round_}-{index}"})
            await settle(devices, database)
            expected = stored_title(row_id)
            seen = [d.replica.get("notes", row_id)["title"] for d in devices]  # type: ignore[index]
            if any(title != expected for title in seen):
                stale.append((round_, seen, expected))
        for d in devices:
            assert d.client.status.attempts == 1  # live all along: never reconnected
            await d.stop()
        assert stale == [], f"{len(stale)} of {rounds} rounds ended stale: {stale[:3]}"

    asyncio.run(scenario())


def test_sqlite_every_device_updating_one_row_at_once_ends_every_round_equal(tmp_path: Path) -> None:
    import apsw

    db = tmp_path / "server.db"
    server = ProcessServer(db).start()
    try:
        devices = [Device(tmp_path / f"d{k}.db", schema, server.ws_url, "ada") for k in range(6)]

        def stored_title(row_id: str) -> Any:
            c = apsw.Connection(str(db), flags=apsw.SQLITE_OPEN_READONLY)
            try:
                blob = c.execute("SELECT fields FROM rows WHERE row_id = ?", (row_id,)).fetchall()[0][0]
            finally:
                c.close()
            return msgspec.msgpack.decode(blob)["title"]

        run_rounds(devices, db, stored_title)
    finally:
        server.stop()
