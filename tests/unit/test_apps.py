"""The bundled apps' declarations and the pure parts of export/import and the
Markdown projections (no I/O)."""

from __future__ import annotations

import pytest

from shared.apps import compound_id
from shared.apps.companion import schema as companion
from shared.apps.polar import budget_id, scheduler_event_id
from shared.apps.polar import schema as polar
from shared.errors import ValidationError
from shared.hlc import HybridClock
from shared.messages import RowChange
from sync_server.apps.polar_markdown import render_heartbeat, render_memory, render_reactions
from sync_server.export_api import export_row, parse_document, plan_operations

T0 = 1_760_000_000_000


def test_compound_ids_are_deterministic_and_never_collide_across_separators() -> None:
    assert compound_id("q", "e1") == compound_id("q", "e1")
    assert compound_id("a:b", "c") != compound_id("a", "b:c")
    assert scheduler_event_id("e1", "q") != scheduler_event_id("q", "e1")
    assert budget_id("user", "x") == "user:x"


def test_companion_declares_the_documents_trim_limits_and_policies() -> None:
    limits = {c.name: c.retention.keep for c in companion if c.retention is not None}
    assert limits == {"agent_events": 100, "notifications": 40, "chat_messages": 500, "journal_entries": 100,
                      "schedule_events": 200, "deadlines": 200, "push_subscriptions": 50, "email_digests": 50}
    assert companion["journal_entries"].policy == "reject"
    assert companion["push_delivery_metrics"].counters == {"attempted", "delivered", "failed",
                                                           "droppedSubscriptions"}
    assert companion["user_context"].fields["id"].type == "integer"  # the document's "id = 1"


def test_polar_ledgers_are_append_only_with_the_documents_unique_key() -> None:
    ledger = polar["polar_run_events"]
    assert ledger.policy == "append_only" and ledger.primary_key == "runKey"
    assert ("source", "id", "runId") in ledger.unique and "id" in ledger.fields
    assert polar["polar_feedback_events"].policy == "append_only"
    assert polar["polar_automation_jobs"].defaults()["enabled"] == 1
    assert polar["polar_budget_usage"].counters == {"spentMicros", "inputTokens", "outputTokens", "calls"}
    assert polar["polar_memory"].fts == ("record", "metadata") and polar["polar_memory"].vector is not None


def _server_row(collection: str, row_id: object, fields: dict[str, object], *, version: int = 1,
                deleted: bool = False) -> RowChange:
    return RowChange(collection=collection, row_id=row_id, scope="user:a", version=version, seq=version,  # type: ignore[arg-type]
                     insert_order=T0 * 1000, deleted=deleted, fields=fields)


def test_export_rows_carry_app_values_and_defaults_for_fields_added_later() -> None:
    row = export_row(companion["journal_entries"], _server_row("journal_entries", "j1", {"content": "c",
                                                                                         "timestamp": T0}))
    assert row["photos"] == [] and row["id"] == "j1" and row["_scope"] == "user:a" and row["_version"] == 1


def test_import_plan_inserts_absent_rows_updates_changed_ones_and_skips_equal_ones() -> None:
    document = {"collections": {
        "deadlines": [{"id": "new", "task": "t", "dueDate": T0, "insertOrder": 5},
                      {"id": "same", "task": "t", "dueDate": T0, "completed": False},
                      {"id": "changed", "task": "t2", "dueDate": T0}],
        "push_delivery_metrics": [{"id": 1, "attempted": 7}],
    }}
    rows = parse_document(companion, document, "user:a")
    current = {
        ("user:a", "deadlines", "same"): _server_row("deadlines", "same", {"task": "t", "dueDate": T0}),
        ("user:a", "deadlines", "changed"): _server_row("deadlines", "changed", {"task": "t", "dueDate": T0},
                                                        version=4),
        ("user:a", "push_delivery_metrics", 1): _server_row("push_delivery_metrics", 1, {"attempted": 3}),
    }
    ops, origins = plan_operations(rows, current, HybridClock(0), T0 * 1000)
    summary = [(op.kind, op.row_id, op.fields, op.base_version) for op in ops]
    assert summary == [("insert", "new", {"task": "t", "dueDate": T0}, 0),
                       ("update", "changed", {"task": "t2"}, 4),
                       ("increment", 1, {"attempted": 4}, 1)]
    assert ops[0].insert_order == 5  # an absent row keeps its place in time
    assert origins == ["$.collections.deadlines[0]", "$.collections.deadlines[2]",
                       "$.collections.push_delivery_metrics[0]"]


def test_import_refuses_to_revive_a_deleted_reject_row_and_revives_an_lww_one() -> None:
    entry = parse_document(companion, {"collections": {"journal_entries": [
        {"id": "j", "content": "c", "timestamp": T0}]}}, "user:a")
    gone = {("user:a", "journal_entries", "j"): _server_row("journal_entries", "j", {}, version=2, deleted=True)}
    with pytest.raises(ValidationError) as caught:
        plan_operations(entry, gone, HybridClock(0), T0 * 1000)
    assert caught.value.code == "deleted"
    deadline = parse_document(companion, {"collections": {"deadlines": [{"id": "d", "task": "t", "dueDate": T0}]}},
                              "user:a")
    gone = {("user:a", "deadlines", "d"): _server_row("deadlines", "d", {}, version=2, deleted=True)}
    [op] = plan_operations(deadline, gone, HybridClock(0), T0 * 1000)[0]
    assert op.kind == "insert" and op.insert_order == T0 * 1000  # stamped now, so it beats the delete


@pytest.mark.parametrize(("document", "path"), [
    ([], "$.collections"),
    ({"collections": {"deadlines": {}}}, "$.collections.deadlines"),
    ({"collections": {"deadlines": ["x"]}}, "$.collections.deadlines[0]"),
    ({"collections": {"user_context": [{"id": "1"}]}}, "$.collections.user_context[0].id"),
    ({"collections": {"tags": [{"id": "t", "name": "a"}, {"id": "t", "name": "b"}]}}, "$.collections.tags[1]"),
    ({"collections": {"tags": [{"id": "t", "name": "a", "_scope": ""}]}}, "$.collections.tags[0]._scope"),
])
def test_import_documents_are_validated_with_the_path_of_the_first_bad_part(document: object, path: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_document(companion, document, "user:a")
    assert caught.value.path == path


def test_projections_count_what_the_rows_hold_and_escape_table_cells() -> None:
    reactions = render_reactions([
        {"type": "reaction_added", "sessionId": "s|1", "emoji": "👍", "polarity": "positive", "createdAtMs": T0},
        {"type": "reaction_added", "sessionId": "s2", "emoji": "👍", "polarity": None, "createdAtMs": T0 + 1},
    ])
    assert "| 👍 | 2 |" in reactions and "| unknown | 1 |" in reactions and "s\\|1" in reactions
    heartbeat = render_heartbeat([
        {"source": "heartbeat", "id": "p", "runId": "r1", "createdAtMs": T0},
        {"source": "heartbeat", "id": "p", "runId": "r2", "createdAtMs": T0 + 60_000},
        {"source": "automation", "id": "job", "runId": "r3", "createdAtMs": T0},
    ])
    assert "| p | 2 | 2025-10-09 08:54:20 UTC | r2 |" in heartbeat and "job" not in heartbeat
    memory = render_memory([{"type": "fact", "scope": "user", "record": '{"summary": "likes tea"}',
                             "updatedAtMs": T0}])
    assert "likes tea" in memory and "| fact | 1 |" in memory
    assert render_memory([]) == render_memory([])  # no clock in the output
