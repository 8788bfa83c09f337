"""The Polar runtime's data model on offsync, end to end: a real server on a
loopback port with the app's schema, two devices with replica files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.apps.polar import budget_id, scheduler_event_id, schema
from sync_client.apps.polar import record_run_event, record_usage
from sync_client.replica import Replica
from sync_server.app import SyncServer
from sync_server.cli import main as offsync
from sync_server.export_api import install
from sync_server.store.sqlite import SQLiteStore

from ..servers import SECRET, ThreadServer
from .helpers import converged, device, server_rows, sync

ALICE = "user:alice"
T0 = 1_760_000_000_000  # ms

#: the tables the Polar document names (``polar_memory_fts`` is checked apart: it is optional there)
DOCUMENT_TABLES = {
    "polar_memory", "polar_scheduler_events", "polar_scheduler_run_log", "polar_budget_policies",
    "polar_budget_usage", "polar_feedback_events", "polar_run_events", "polar_automation_jobs",
    "polar_personality_profiles",
}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[ThreadServer]:
    sync_server = SyncServer(schema, SQLiteStore(str(tmp_path / "server.db"), synchronous="NORMAL"), SECRET)
    install(sync_server)
    with ThreadServer(sync_server) as running:
        yield running


def memory(text: str, session: str = "s1", kind: str = "fact", at: int = T0) -> dict[str, object]:
    return {"sessionId": session, "userId": "alice", "scope": "user", "type": kind, "record": {"text": text},
            "metadata": {"source": "telegram"}, "createdAtMs": at, "updatedAtMs": at}


def run(source: str, owner: str, run_id: str, at: int = T0, **more: object) -> dict[str, object]:
    return {"source": source, "id": owner, "runId": run_id, "profileId": "default", "trigger": "schedule",
            "output": {"status": "ok"}, "createdAtMs": at, **more}


def test_every_table_the_document_names_exists_in_a_polar_replica(tmp_path: Path) -> None:
    from sync_search.indexes import fts_table, uses_fts5

    replica = device(tmp_path, "laptop", schema)
    names = {r[0] for r in replica.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert DOCUMENT_TABLES <= names
    if uses_fts5(replica, schema["polar_memory"]):  # the document's optional polar_memory_fts, engine-named
        assert fts_table(schema["polar_memory"]) in names
    indexes = {r[0] for r in replica.connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'polar_feedback_events'")}
    assert {"polar_feedback_events_idx_sessionId_createdAtMs", "polar_feedback_events_idx_type_createdAtMs"} <= indexes


def test_offline_work_on_two_devices_converges(app: ThreadServer, tmp_path: Path) -> None:
    token = app.token("alice")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    a.insert("polar_memory", memory("dentist on tuesday"))
    b.insert("polar_memory", memory("prefers short answers", kind="preference"))
    job = a.insert("polar_automation_jobs", {"ownerUserId": "alice", "sessionId": "s1", "schedule": "FREQ=DAILY",
                                             "promptTemplate": "morning brief", "createdAtMs": T0,
                                             "updatedAtMs": T0})
    for replica, payload in ((a, {"from": "a"}), (b, {"from": "b"})):  # the same (eventId, queue) on both
        replica.insert("polar_scheduler_events", {"id": scheduler_event_id("e1", "proactive"), "eventId": "e1",
                                                  "queue": "proactive", "payload": payload})
    b.insert("polar_feedback_events", {"type": "reaction_added", "sessionId": "s1", "emoji": "👍",
                                       "polarity": "positive", "createdAtMs": T0})
    b.insert("polar_personality_profiles", {"profileId": "default", "name": "Polar", "createdAtMs": T0,
                                            "updatedAtMs": T0})
    a.insert("polar_budget_policies", {"id": budget_id("user", "alice"), "scope": "user", "targetId": "alice",
                                       "policy": {"dailyMicros": 2_000_000}})
    sync(a, app, token), sync(b, app, token), sync(a, app, token)
    assert converged(app.sync, [ALICE], a, b)
    rows = server_rows(app.sync, [ALICE])
    assert len(rows["polar_memory"]) == 2 and len(rows["polar_scheduler_events"]) == 1
    assert b.get("polar_automation_jobs", job)["enabled"] is True  # enabled by default once created


def test_search_finds_memories_synced_from_another_device(app: ThreadServer, tmp_path: Path) -> None:
    token = app.token("alice")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    dentist = a.insert("polar_memory", memory("dentist appointment on tuesday at nine"))
    a.insert("polar_memory", memory("likes jazz and long walks"))
    a.insert("polar_memory", memory("the project deadline moved to friday"))
    sync(a, app, token), sync(b, app, token)
    for mode in ("fts", "hybrid"):
        assert b.search("polar_memory", "dentist tuesday", k=3, mode=mode).ids()[0] == dentist
    assert b.search("polar_memory", "jazz", k=1, where="type = ?", params=["preference"]).ids() == []


def test_budget_usage_recorded_on_two_devices_adds_up(app: ThreadServer, tmp_path: Path) -> None:
    token = app.token("alice")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    for i in range(3):
        record_usage(a, "user", "alice", at_ms=T0 + i, spentMicros=1_250, inputTokens=100, calls=1)
    for i in range(2):
        record_usage(b, "user", "alice", at_ms=T0 + 10 + i, spentMicros=700, outputTokens=40, calls=1)
    sync(a, app, token), sync(b, app, token), sync(a, app, token)
    usage_id = budget_id("user", "alice")
    for replica in (a, b):
        usage = replica.get("polar_budget_usage", usage_id)
        assert (usage["spentMicros"], usage["inputTokens"], usage["outputTokens"], usage["calls"]) == (
            3 * 1_250 + 2 * 700, 300, 80, 5)
    assert len(server_rows(app.sync, [ALICE])["polar_budget_usage"]) == 1
    assert converged(app.sync, [ALICE], a, b)


def test_the_same_run_recorded_on_two_devices_under_two_ids_ends_as_one_row(app: ThreadServer,
                                                                            tmp_path: Path) -> None:
    token = app.token("alice")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    a.insert("polar_run_events", run("heartbeat", "policy-1", "r1", output={"seen": "a"}))
    b.insert("polar_run_events", run("heartbeat", "policy-1", "r1", output={"seen": "b"}))
    b.insert("polar_run_events", run("heartbeat", "policy-1", "r2"))
    assert record_run_event(a, run("automation", "job-1", "r1")) == record_run_event(a, run("automation", "job-1",
                                                                                            "r1"))
    sync(a, app, token), sync(b, app, token), sync(a, app, token)
    ledger = server_rows(app.sync, [ALICE])["polar_run_events"]
    assert sorted((r["source"], r["id"], r["runId"]) for r in ledger.values()) == [
        ("automation", "job-1", "r1"), ("heartbeat", "policy-1", "r1"), ("heartbeat", "policy-1", "r2")]
    first = next(r for r in ledger.values() if r["runId"] == "r1" and r["source"] == "heartbeat")
    assert json.loads(first["output"]) == {"seen": "a"}  # the first recorded is the one kept
    for replica in (a, b):
        assert len(replica.rows("polar_run_events")) == 3
    assert converged(app.sync, [ALICE], a, b)


def test_an_edit_to_an_append_only_row_is_refused_and_undone(app: ThreadServer, tmp_path: Path) -> None:
    token = app.token("alice")
    a = device(tmp_path, "a", schema)
    event = a.insert("polar_feedback_events", {"type": "reaction_added", "sessionId": "s1", "emoji": "👎",
                                               "polarity": "negative", "createdAtMs": T0})
    sync(a, app, token)
    a.execute("UPDATE polar_feedback_events SET polarity = 'positive' WHERE id = ?", (event,))
    assert sync(a, app, token).rejected == 1
    assert a.get("polar_feedback_events", event)["polarity"] == "negative"
    assert [c.reason for c in a.conflicts()] == ["invalid_op"]


def _fill_for_projection(a: Replica) -> None:
    a.insert_many("polar_feedback_events", [
        {"type": "reaction_added", "sessionId": "s1", "messageId": f"m{i}", "emoji": emoji, "polarity": pol,
         "createdAtMs": T0 + i} for i, (emoji, pol) in enumerate([("👍", "positive"), ("👍", "positive"),
                                                                   ("👎", "negative")])])
    a.insert("polar_run_events", run("heartbeat", "policy-1", "r1", at=T0 + 60_000))
    a.insert("polar_run_events", run("automation", "job-7", "r9", at=T0 + 90_000))
    a.insert("polar_memory", memory("dentist on tuesday", at=T0 + 5))


def test_project_markdown_writes_the_three_files_from_a_replica_or_the_server(app: ThreadServer,
                                                                              tmp_path: Path) -> None:
    a = device(tmp_path, "a", schema)
    _fill_for_projection(a)
    sync(a, app, app.token("alice"))
    from_replica, from_server = tmp_path / "artifacts", tmp_path / "server-artifacts"
    assert offsync(["project-markdown", "--app", "polar", "--db", str(tmp_path / "a.db"),
                    "--out", str(from_replica)]) == 0
    assert offsync(["project-markdown", "--app", "polar", "--db", str(tmp_path / "server.db"),
                    "--out", str(from_server), "--scope", ALICE]) == 0
    reactions = (from_replica / "REACTIONS.md").read_text()
    assert "3 feedback events" in reactions and "| positive | 2 |" in reactions and "| 👎 | 1 |" in reactions
    heartbeat = (from_replica / "HEARTBEAT.md").read_text()
    assert "| policy-1 | 1 |" in heartbeat and "job-7" not in heartbeat  # heartbeat runs only
    assert "dentist on tuesday" in (from_replica / "MEMORY.md").read_text()
    for name in ("REACTIONS.md", "HEARTBEAT.md", "MEMORY.md"):
        assert (from_replica / name).read_bytes() == (from_server / name).read_bytes(), name
    before = (from_replica / "MEMORY.md").read_bytes()
    offsync(["project-markdown", "--db", str(tmp_path / "a.db"), "--out", str(from_replica)])
    assert (from_replica / "MEMORY.md").read_bytes() == before  # same rows, same bytes


def test_nothing_depends_on_the_markdown_files(app: ThreadServer, tmp_path: Path) -> None:
    a = device(tmp_path, "a", schema)
    _fill_for_projection(a)
    out = tmp_path / "artifacts"
    offsync(["project-markdown", "--db", str(tmp_path / "a.db"), "--out", str(out)])
    (out / "MEMORY.md").write_text("edited by hand")  # a projection is never read back...
    (out / "REACTIONS.md").unlink()
    assert sync(a, app, app.token("alice")).pushed > 0  # ...and syncing never needs it
    offsync(["project-markdown", "--db", str(tmp_path / "a.db"), "--out", str(out)])
    assert "dentist on tuesday" in (out / "MEMORY.md").read_text()
    assert (out / "REACTIONS.md").exists()


def test_project_markdown_on_a_fresh_device_writes_empty_projections(tmp_path: Path) -> None:
    device(tmp_path, "fresh", schema).close()  # every projected table empty
    out = tmp_path / "artifacts"
    assert offsync(["project-markdown", "--app", "polar", "--db", str(tmp_path / "fresh.db"), "--out", str(out)]) == 0
    assert "0 feedback events" in (out / "REACTIONS.md").read_text()
    assert (out / "HEARTBEAT.md").exists() and (out / "MEMORY.md").exists()
