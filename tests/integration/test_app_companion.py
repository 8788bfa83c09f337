"""The Companion app on offsync, end to end: a real server on a loopback port
with the app's schema, two devices with replica files, plain WebSocket syncs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.apps.companion import SINGLETON_ID, schema
from shared.schema import Collection, Schema
from sync_client.apps.companion_store import (
    chat_history,
    check_in,
    entry_tags,
    record_push_delivery,
    seed_defaults,
    set_context,
    tag_entry,
    tag_id,
)
from sync_client.replica import Replica

from ..servers import SECRET, ThreadServer, free_port, wait_healthy
from .helpers import app_server, converged, device, server_rows, sync

ALICE = "user:alice"
T0 = 1_760_000_000_000  # ms

#: every table the Companion document names (its 17 types, the join table, the
#: histories, and the one its index list names)
DOCUMENT_TABLES = {
    "agent_events", "notifications", "chat_messages", "journal_entries", "tags", "journal_entry_tags",
    "schedule_events", "deadlines", "habits", "goals", "user_context", "context_history",
    "notification_preferences", "push_subscriptions", "push_delivery_metrics", "agent_states", "email_digests",
    "locations", "location_history", "sync_queue", "notification_interactions",
}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[ThreadServer]:
    with app_server(tmp_path / "server.db", schema) as running:
        yield running


def tables(replica: Replica) -> set[str]:
    return {r[0] for r in replica.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_every_table_the_document_names_exists_in_a_companion_replica(tmp_path: Path) -> None:
    replica = device(tmp_path, "phone", schema)
    assert DOCUMENT_TABLES <= tables(replica)
    indexed = {r[0] for r in replica.connection.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'index'")}
    assert {"notification_interactions", "locations", "location_history", "sync_queue"} <= indexed


def test_offline_work_on_two_devices_converges_without_duplicated_defaults(app: ThreadServer,
                                                                           tmp_path: Path) -> None:
    token = app.token("alice")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    assert seed_defaults(a) == seed_defaults(b) == 12  # both offline, both fresh
    assert seed_defaults(a) == 0  # INSERT OR IGNORE: a second start adds nothing
    a.insert("deadlines", {"task": "Essay draft", "course": "HIST 101", "dueDate": T0 + 86_400_000})
    entry = a.insert("journal_entries", {"content": "first week done", "timestamp": T0})
    tag_entry(a, entry, "Reflection")
    a.insert_many("chat_messages", [{"role": "user", "content": f"q{i}", "timestamp": T0 + i} for i in range(3)])
    b.insert("schedule_events", {"title": "Algorithms", "startTime": T0, "durationMinutes": 90,
                                 "recurrence": {"frequency": "weekly", "byWeekday": [1, 3]}})
    check_in(b, "habit_check_ins", "starter-sleep", "2025-10-09")
    b.insert("locations", {"latitude": 59.91, "longitude": 10.75, "label": "library", "timestamp": T0})
    set_context(b, T0, stressLevel="high")
    sync(a, app, token), sync(b, app, token), sync(a, app, token)
    assert converged(app.sync, [ALICE], a, b)
    rows = server_rows(app.sync, [ALICE])
    assert len(rows["user_context"]) == 1 and len(rows["agent_states"]) == 4 and len(rows["habits"]) == 3
    assert a.get("user_context", SINGLETON_ID)["stressLevel"] == "high"
    assert b.query("schedule_events")[0]["recurrence"] == {"frequency": "weekly", "byWeekday": [1, 3]}
    assert entry_tags(b, entry) == ["Reflection"]
    assert [m["content"] for m in chat_history(b, page=1, page_size=2)] == ["q1", "q2"]


def test_a_journal_entry_edited_on_two_devices_comes_back_as_a_conflict_with_both_versions(
        app: ThreadServer, tmp_path: Path) -> None:
    token = app.token("alice")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    entry = a.insert("journal_entries", {"title": "Monday", "content": "draft", "timestamp": T0})
    sync(a, app, token), sync(b, app, token)
    a.update("journal_entries", entry, {"content": "written on the laptop"})
    b.update("journal_entries", entry, {"content": "written on the phone"})
    sync(a, app, token)
    result = sync(b, app, token)
    assert result.rejected == 1
    [conflict] = b.conflicts()
    assert conflict.collection == "journal_entries" and conflict.row_id == entry
    assert conflict.local["content"] == "written on the phone"  # the person's edit is kept...
    assert conflict.server is not None and conflict.server["content"] == "written on the laptop"  # ...beside the winner
    assert b.get("journal_entries", entry)["content"] == "written on the laptop"
    assert a.conflicts() == []
    assert converged(app.sync, [ALICE], a, b)


def test_trim_deletes_the_oldest_on_every_device_and_never_a_row_still_queued(app: ThreadServer,
                                                                               tmp_path: Path) -> None:
    token = app.token("alice")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    note = {"source": "orchestrator", "title": "t", "message": "m", "timestamp": T0}
    ids = a.insert_many("notifications", [{**note, "title": f"n{i}"} for i in range(40)], scope=ALICE)
    sync(a, app, token), sync(b, app, token)
    assert len(b.rows("notifications")) == 40
    a.update("notifications", ids[0], {"read": True})  # the oldest now has a change in the queue
    for i in range(3):
        a.insert("notifications", {**note, "title": f"new{i}"}, scope=ALICE)
    kept = a.rows("notifications")
    assert ids[0] in kept and ids[1] not in kept and ids[2] not in kept and len(kept) == 41
    sync(a, app, token), sync(b, app, token)
    assert set(b.rows("notifications")) == set(kept) == set(server_rows(app.sync, [ALICE])["notifications"])
    a.insert("notifications", {**note, "title": "one more"}, scope=ALICE)  # queue empty: back to 40
    sync(a, app, token), sync(b, app, token)
    on_server = server_rows(app.sync, [ALICE])["notifications"]
    assert len(on_server) == 40 and ids[0] not in on_server and ids[3] not in on_server and ids[4] in on_server
    assert converged(app.sync, [ALICE], a, b)


def test_trim_also_applies_to_inserts_that_name_no_scope(app: ThreadServer, tmp_path: Path) -> None:
    token = app.token("alice")
    a = device(tmp_path, "a", schema)
    note = {"source": "orchestrator", "title": "t", "message": "m", "timestamp": T0}
    a.insert_many("notifications", [note] * 40)
    sync(a, app, token)
    a.insert("notifications", note)
    assert len(a.rows("notifications")) == 40


def test_preferences_edited_on_two_devices_merge_field_by_field(app: ThreadServer, tmp_path: Path) -> None:
    token = app.token("alice")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    seed_defaults(a), seed_defaults(b)
    quiet = {"enabled": True, "startHour": 23, "endHour": 6}
    a.update("notification_preferences", SINGLETON_ID, {"quietHours": quiet})
    b.update("notification_preferences", SINGLETON_ID, {"minimumPriority": "high"})
    sync(a, app, token), sync(b, app, token), sync(a, app, token)
    for replica in (a, b):
        prefs = replica.get("notification_preferences", SINGLETON_ID)
        assert prefs["quietHours"] == quiet and prefs["minimumPriority"] == "high"
    assert len(server_rows(app.sync, [ALICE])["notification_preferences"]) == 1
    assert converged(app.sync, [ALICE], a, b)


def test_a_device_seeding_defaults_later_never_overwrites_a_setting(app: ThreadServer, tmp_path: Path) -> None:
    token = app.token("alice")
    a = device(tmp_path, "a", schema)
    seed_defaults(a)
    a.update("notification_preferences", SINGLETON_ID, {"minimumPriority": "critical"})
    sync(a, app, token)
    b = device(tmp_path, "b", schema)
    seed_defaults(b)  # offline, fresh: its defaults are newer in wall time than a's edit
    sync(b, app, token), sync(a, app, token)
    assert b.get("notification_preferences", SINGLETON_ID)["minimumPriority"] == "critical"
    assert converged(app.sync, [ALICE], a, b)


def test_push_delivery_counts_from_two_devices_add_up(app: ThreadServer, tmp_path: Path) -> None:
    token = app.token("alice")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    seed_defaults(a), seed_defaults(b)
    for i in range(3):
        record_push_delivery(a, delivered=True, at_ms=T0 + i)
    record_push_delivery(b, delivered=True, at_ms=T0)
    record_push_delivery(b, delivered=False, at_ms=T0 + 5, error="410 Gone")
    sync(a, app, token), sync(b, app, token), sync(a, app, token)
    for replica in (a, b):
        metrics = replica.get("push_delivery_metrics", SINGLETON_ID)
        assert (metrics["attempted"], metrics["delivered"], metrics["failed"]) == (5, 4, 1)
    assert converged(app.sync, [ALICE], a, b)


def test_the_same_tag_and_check_in_made_on_two_devices_are_one_row_each(app: ThreadServer, tmp_path: Path) -> None:
    token = app.token("alice")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    entry = a.insert("journal_entries", {"content": "exam week", "timestamp": T0})
    sync(a, app, token), sync(b, app, token)
    tag_entry(a, entry, "Exam")
    tag_entry(b, entry, " exam")
    check_in(a, "goal_check_ins", "starter-review", "2025-10-10", note="laptop")
    check_in(b, "goal_check_ins", "starter-review", "2025-10-10", note="phone")
    sync(a, app, token), sync(b, app, token), sync(a, app, token)
    rows = server_rows(app.sync, [ALICE])
    assert list(rows["tags"]) == [tag_id("exam")] and len(rows["journal_entry_tags"]) == 1
    assert len(rows["goal_check_ins"]) == 1
    assert converged(app.sync, [ALICE], a, b)


def test_chat_history_pages_from_the_newest(tmp_path: Path) -> None:
    a = device(tmp_path, "a", schema)
    a.insert_many("chat_messages", [{"role": "user", "content": f"m{i}", "timestamp": T0 + i} for i in range(45)])
    assert [m["content"] for m in chat_history(a, page=1, page_size=20)] == [f"m{i}" for i in range(25, 45)]
    assert [m["content"] for m in chat_history(a, page=3, page_size=20)] == [f"m{i}" for i in range(5)]
    assert chat_history(a, page=4, page_size=20) == []


def _v1_schema() -> Schema:
    """Companion as first released: journal_entries without ``photos``."""
    colls = []
    for c in schema:
        if c.name == "journal_entries":
            c = Collection(c.name, [f for f in c.fields.values() if f.name != "photos"], policy=c.policy,
                           retention=c.retention, indexes=c.indexes)
        colls.append(c)
    return Schema(version=1, collections=tuple(colls))


def test_an_older_database_file_migrates_in_place_and_keeps_syncing(tmp_path: Path) -> None:
    old = _v1_schema()
    a = Replica(str(tmp_path / "a.db"), old)  # a device of the first release, offline
    first = a.insert("journal_entries", {"content": "written offline", "timestamp": T0})
    seed_defaults(a)
    queued = a.pending_count()
    a.close()
    with app_server(tmp_path / "server.db", schema) as app:
        token = app.token("alice")
        a = Replica(str(tmp_path / "a.db"), schema)  # the upgraded app opens the same file
        columns = {r[1] for r in a.connection.execute("PRAGMA table_info(journal_entries)")}
        assert "photos" in columns
        assert a.get("journal_entries", first)["content"] == "written offline"
        assert a.get("journal_entries", first)["photos"] == []  # the column's default
        assert a.pending_count() == queued  # the queue survived the migration
        a.insert("journal_entries", {"content": "with a photo", "timestamp": T0 + 2,
                                     "photos": ["data:image/png;base64,iVBORw0KGgo="]})
        b = device(tmp_path, "b", schema)
        sync(a, app, token), sync(b, app, token)
        assert a.pending_count() == 0
        assert {r["content"] for r in b.query("journal_entries")} == {"written offline", "with a photo"}
        assert converged(app.sync, [ALICE], a, b)


def test_rows_the_server_stored_before_an_added_field_converge_everywhere(tmp_path: Path) -> None:
    old = _v1_schema()
    with app_server(tmp_path / "server.db", old) as v1:
        token = v1.token("alice")
        a = Replica(str(tmp_path / "a.db"), old)
        a.insert("journal_entries", {"content": "before the upgrade", "timestamp": T0})
        sync(a, v1, token)
        a.close()
    with app_server(tmp_path / "server.db", schema) as v2:
        a, b = Replica(str(tmp_path / "a.db"), schema), device(tmp_path, "b", schema)
        sync(a, v2, token), sync(b, v2, token)
        assert [r["photos"] for r in b.query("journal_entries")] == [[]]
        assert converged(v2.sync, [ALICE], a, b)


@pytest.mark.parametrize("app_name", ["companion", "polar"])
def test_offsync_serve_app_starts_answers_health_and_mounts_export(tmp_path: Path, app_name: str) -> None:
    port = free_port()
    env = {**os.environ, "OFFSYNC_SECRET": SECRET}
    proc = subprocess.Popen([sys.executable, "-m", "sync_server.cli", "serve", "--app", app_name, "--port", str(port),
                             "--db", str(tmp_path / "server.db"), "--log-level", "warning"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base)
        assert httpx.get(f"{base}/health").json()["status"] == "ok"
        assert httpx.get(f"{base}/api/export").status_code == 401  # mounted, and it wants a token
    finally:
        proc.terminate()
        proc.wait(10)
