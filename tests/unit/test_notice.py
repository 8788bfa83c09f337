"""The payload of a commit's notification between nodes (``store.postgres``):
the scopes it names decide which nodes wake."""

from __future__ import annotations

import pytest

pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[postgres]')")

from shared.merge import RowState
from sync_server.store.base import Batch
from sync_server.store.postgres import NOTICE_SCOPES_MAX, notice, parse_notice


def row(scope: str) -> tuple[RowState, int]:
    return RowState(collection="notes", row_id="r", scope=scope, version=1, insert_order=1, deleted=False,
                    fields={}, stamps={}), 1


def test_a_notice_names_every_scope_the_commit_changed_whatever_they_hold() -> None:
    payload = notice(Batch(rows=[row("user:Ada Lovelace")], new_rows=[row('team:"x"'), row("team:x")], head=7))
    assert parse_notice(payload)[1] == {"user:Ada Lovelace", 'team:"x"', "team:x"}
    assert parse_notice(payload)[0] == 7  # a node that read up to 7 already skips it


def test_too_many_scopes_to_name_wake_every_node() -> None:
    many = [row(f"team:{'x' * 100}-{k}") for k in range(NOTICE_SCOPES_MAX // 100 + 1)]
    payload = notice(Batch(rows=many, head=9))
    assert len(payload.encode()) <= NOTICE_SCOPES_MAX and parse_notice(payload) == (9, None)


@pytest.mark.parametrize("payload", ["12", "[3]", "garbage", "[1, [2]]", ""])
def test_a_notice_that_names_no_scopes_wakes_the_node(payload: str) -> None:
    assert parse_notice(payload)[1] is None  # an older node's bare head among them
