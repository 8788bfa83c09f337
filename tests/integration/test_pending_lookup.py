"""A page of server rows under a long queue reads only its rows' entries.

Applying server rows replays the local operations still pending on them. The
queue has no index by row, and the replay used to find those operations by
scanning it from the settled point: every page of a pull cost O(queue). A
device pushing 100,000 updates, half of them losing to another device's,
scanned the 100,000 entries once a page, 12-13 us of its CPU an update. The
entries are now read by primary key, from the ids ``QueuedRows`` keeps.
Counted here in SQLite's virtual-machine steps, not in seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import apsw

from shared.messages import Changes, MutationResult, RowChange

from .helpers import device

PENDING = 5_000


def _queue_steps(replica: Any, action: Any) -> int:
    """SQLite VM steps of the statements reading ``sync_queue`` during ``action()``."""
    seen: list[dict[str, Any]] = []
    replica.connection.trace_v2(apsw.SQLITE_TRACE_PROFILE, seen.append)
    try:
        action()
    finally:
        replica.connection.trace_v2(0, None)
    return sum(d["stmt_status"]["SQLITE_STMTSTATUS_VM_STEP"] for d in seen if "FROM sync_queue" in d["sql"])


def _row(replica: Any, row_id: str, title: str, version: int) -> RowChange:
    return RowChange(collection="notes", row_id=row_id, scope=replica.default_scope, version=version, seq=version,
                     insert_order=1, fields={"title": title, "body": ""})


def _seen(replica: Any, row_id: str) -> tuple[str, str]:
    row = replica.get("notes", row_id)
    return row["title"], row["body"]


def test_a_page_under_a_long_queue_reads_its_rows_entries_only(schema, tmp_path: Path) -> None:
    replica = device(tmp_path, "d", schema)
    ids = [f"n{i}" for i in range(PENDING)]
    with replica.transaction():
        for row_id in ids:
            replica.insert("notes", {"id": row_id, "title": "mine"})  # client_seq 1
    replica.apply_results([MutationResult(client_seq=1, status="applied", versions=[1] * PENDING)], cursor=PENDING)
    for row_id in ids:  # client_seq 2 .. PENDING + 1: one pending update a row
        replica.update("notes", row_id, {"body": f"local {row_id}"})
    replica.apply_changes(Changes(rows=[_row(replica, ids[0], "warm", 2)], cursor=PENDING + 1))

    page = Changes(rows=[_row(replica, row_id, "from the server", 3) for row_id in ids[100:110]], cursor=PENDING + 2)
    steps = _queue_steps(replica, lambda: replica.apply_changes(page))
    assert steps < PENDING // 10, steps  # a scan from the settled point visits all 5,000 entries
    for row_id in ids[100:110]:  # the server's title, the pending body replayed on top
        assert _seen(replica, row_id) == ("from the server", f"local {row_id}")
    replica.close()


def test_a_row_with_several_entries_replays_the_unsettled_ones_in_order(schema, tmp_path: Path) -> None:
    replica = device(tmp_path, "d", schema)
    replica.insert("notes", {"id": "n1", "title": "one"})  # client_seq 1
    replica.update("notes", "n1", {"body": "two"})  # 2
    replica.update("notes", "n1", {"title": "three"})  # 3
    replica.update("notes", "n1", {"body": "four"})  # 4
    # the server's rows include client_seq 1 and 2; 3 and 4 are still pending
    replica.apply_changes(Changes(rows=[_row(replica, "n1", "server", 5)], cursor=5, applied={replica.device_id: 2}))
    assert _seen(replica, "n1") == ("three", "four")
    replica.apply_results([MutationResult(client_seq=s, status="applied", versions=[s]) for s in (1, 2, 3)], cursor=6)
    replica.apply_changes(Changes(rows=[_row(replica, "n1", "later", 7)], cursor=7, applied={replica.device_id: 3}))
    assert _seen(replica, "n1") == ("later", "four")
    replica.close()
