"""Answers to a resent push that touched one hot row cost linear work.

A device killed mid-push while one counter row was hot resends its mutations;
each comes back ``duplicate`` with the row. Writing the row once per result
re-read every queued increment of it each time (7M decodes for about 1,000
duplicates; 35 s for what took 0.9 s uninterrupted). Counted here in queue
entries decoded, not in seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared.messages import MutationResult, RowChange
from sync_client import queue

from .helpers import device


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    count = [0]
    real = queue.decode_fields

    def counting(value: Any) -> dict[str, Any]:
        count[0] += 1
        return real(value)

    monkeypatch.setattr(queue, "decode_fields", counting)
    return count


def test_duplicates_of_a_hot_row_read_its_pending_increments_once(schema, tmp_path: Path,
                                                                  decodes: list[int]) -> None:
    replica = device(tmp_path, "d", schema)
    replica.insert("counters", {"id": "hot", "name": "usage"})  # client_seq 1
    increments = 400
    for _ in range(increments):  # client_seq 2 .. 401, one mutation each
        replica.increment("counters", "hot", {"value": 1})
    answered = 200  # the server had applied client_seq 1 .. 200 before the device died

    def row(seq: int) -> RowChange:
        return RowChange(collection="counters", row_id="hot", scope=replica.default_scope, version=seq,
                         seq=seq, insert_order=1, fields={"name": "usage", "value": seq - 1})

    results = [MutationResult(client_seq=s, status="duplicate", rows=[row(answered)]) for s in range(1, answered + 1)]
    decodes[0] = 0
    replica.apply_results(results, cursor=answered)
    still_queued = increments + 1 - answered
    assert replica.pending_count() == still_queued
    # one read of what is still queued on the row (it was 200 reads of it: 40,000 decodes)
    assert decodes[0] <= 2 * still_queued, decodes[0]
    # the server's total, with every increment still queued replayed on top
    assert replica.get("counters", "hot")["value"] == (answered - 1) + still_queued
    replica.close()


def test_of_several_rows_for_one_id_the_latest_is_shown(schema, tmp_path: Path) -> None:
    replica = device(tmp_path, "d", schema)
    replica.insert("counters", {"id": "c", "name": "n"})
    replica.increment("counters", "c", {"value": 1})
    rows = [RowChange(collection="counters", row_id="c", scope=replica.default_scope, version=v, seq=v,
                      insert_order=1, fields={"name": f"v{v}", "value": v}) for v in (2, 1)]
    replica.apply_results([MutationResult(client_seq=1, status="merged", rows=[rows[0]]),
                           MutationResult(client_seq=2, status="duplicate", rows=[rows[1]])], cursor=2)
    assert replica.get("counters", "c") == {**replica.get("counters", "c"), "name": "v2", "value": 2}
    replica.close()
