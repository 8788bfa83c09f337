"""The engine on the PostgreSQL store: rows read in bulk inside the write
transaction are the rows later pushes build on. Needs PostgreSQL on
127.0.0.1:5432, like ``test_postgres.py`` (skipped with the reason otherwise;
a failure under OFFSYNC_REQUIRE_POSTGRES=1)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[postgres]')")

from shared.messages import Mutation, Operation
from shared.schema import Collection, Field, Schema
from sync_server.auth import Grant
from sync_server.engine import Engine, PushRequest
from sync_server.store.postgres import PostgresStore

from .helpers import head_on_another_thread
from .postgres_db import fresh_store

pytestmark = pytest.mark.postgres
SCOPE = "user:ada"
GRANT = Grant(user="ada", write=frozenset({SCOPE}), read=frozenset({SCOPE}))
SCHEMA = Schema(version=1, collections=(
    Collection("notes", [Field("title", "text", required=True), Field("body", "text", default="")]),
    Collection("slots", [Field("id", "integer", required=True), Field("label", "text")]),
))


@pytest.fixture
def store() -> Iterator[PostgresStore]:
    with fresh_store() as opened:
        yield opened


def test_a_push_of_updates_builds_on_rows_read_in_bulk(store: PostgresStore) -> None:
    engine = Engine(SCHEMA, store)
    inserts = [Operation(kind="insert", collection="notes", row_id=f"n{i}", insert_order=10, fields={"title": "t"})
               for i in range(20)]
    inserts += [Operation(kind="insert", collection="slots", row_id=i, insert_order=10, fields={"label": "s"})
                for i in range(5)]
    engine.apply_batch([PushRequest("dev-a", GRANT, [Mutation(client_seq=1, ops=inserts)])])
    updates = [Operation(kind="update", collection="notes", row_id=f"n{i}", base_version=1, insert_order=20,
                         fields={"body": "b"}) for i in range(0, 20, 2)]
    updates += [Operation(kind="update", collection="slots", row_id=3, base_version=1, insert_order=20,
                          fields={"label": "x"})]
    outcome = engine.apply_batch([PushRequest("dev-a", GRANT, [Mutation(client_seq=2, ops=updates)])])
    assert [r.status for r in outcome.results[0]] == ["applied"]
    assert {(r.row_id, r.version) for r in outcome.rows} == {*((f"n{i}", 2) for i in range(0, 20, 2)), (3, 2)}
    keys = [(SCOPE, "notes", "n2"), (SCOPE, "notes", "n3"), (SCOPE, "slots", 3), (SCOPE, "notes", "absent")]
    loaded = store.load_rows(keys)
    assert sorted(map(str, loaded)) == sorted(map(str, keys[:3]))
    assert loaded[(SCOPE, "notes", "n2")].fields == {"title": "t", "body": "b"}
    assert loaded[(SCOPE, "slots", 3)].fields == {"label": "x"}


def test_every_connection_bounds_how_long_it_may_stall_the_others(store: PostgresStore) -> None:
    from sync_server.store.postgres_limits import SERVER_SETTINGS

    expected = {"idle_in_transaction_session_timeout": "5s", "lock_timeout": "15s", "statement_timeout": "30s",
                "tcp_keepalives_idle": "5", "tcp_keepalives_interval": "2", "tcp_keepalives_count": "3"}
    assert set(expected) <= set(SERVER_SETTINGS)
    reader = store._reader()
    for name, value in expected.items():
        assert reader.execute(f"SHOW {name}").fetchone() == (value,)
    assert reader.info.get_parameters()["keepalives_idle"] == "5"


def test_a_setting_named_in_the_connection_string_wins() -> None:
    from sync_server.store.postgres_limits import connect_kwargs

    named = connect_kwargs("postgresql://db/offsync?keepalives_idle=30&options=-c%20lock_timeout%3D100")
    assert "keepalives_idle" not in named and named["keepalives_count"] == 3
    assert "lock_timeout" not in named["options"].replace("-c lock_timeout=100", "")
    assert "-c idle_in_transaction_session_timeout=5000" in named["options"]


def test_a_connection_the_server_ended_is_replaced_on_next_use(store: PostgresStore) -> None:
    engine = Engine(SCHEMA, store)
    insert = [Operation(kind="insert", collection="notes", row_id="n1", insert_order=10, fields={"title": "t"})]
    engine.apply_batch([PushRequest("dev-a", GRANT, [Mutation(client_seq=1, ops=insert)])])
    assert store.head() == 1  # this thread's reader
    with psycopg.connect(store.dsn, autocommit=True) as admin:  # as the idle limit or a restart would
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    time.sleep(0.2)
    with pytest.raises(psycopg.OperationalError):
        store.head()
    assert store.head() == 1
    insert = [Operation(kind="insert", collection="notes", row_id="n2", insert_order=11, fields={"title": "t"})]
    with pytest.raises(psycopg.OperationalError):
        engine.apply_batch([PushRequest("dev-a", GRANT, [Mutation(client_seq=2, ops=insert)])])
    outcome = engine.apply_batch([PushRequest("dev-a", GRANT, [Mutation(client_seq=2, ops=insert)])])
    assert [r.status for r in outcome.results[0]] == ["applied"] and store.head() == 2


# -- two nodes' batches side by side ---------------------------------------------
# Two PostgresStores on one database stand for two nodes. Node A's batch is
# held at the moment it numbers its rows (its number() call), while node B's
# batch runs.


def _insert(row_id: str, seq: int, title: str = "t", insert_order: int = 10) -> list[Mutation]:
    return [Mutation(client_seq=seq, ops=[Operation(kind="insert", collection="notes", row_id=row_id,
                                                    insert_order=insert_order, fields={"title": title})])]


def _held_at_numbering(store: PostgresStore, meanwhile: Callable[[], None], *, after: bool = False) -> None:
    """Run ``meanwhile`` once, when ``store``'s next batch is about to number
    its rows (``after``: once it has numbered them, before its commit)."""
    original = store.number

    def number(count: int) -> Any:
        store.number = original  # type: ignore[method-assign]
        if not after:
            meanwhile()
        seqs = original(count)
        if after:
            meanwhile()
        return seqs

    store.number = number  # type: ignore[method-assign]


@pytest.fixture
def two_nodes() -> Iterator[tuple[PostgresStore, PostgresStore]]:
    with fresh_store() as a:
        b = PostgresStore(a.dsn)
        try:
            yield a, b
        finally:
            b.close()


def test_a_batch_reading_and_deciding_holds_no_other_nodes_batch_up(
        two_nodes: tuple[PostgresStore, PostgresStore]) -> None:
    a, b = two_nodes
    node_a, node_b = Engine(SCHEMA, a), Engine(SCHEMA, b)
    b_done: list[float] = []

    def node_b_pushes() -> None:
        # A has read its rows and its device and holds their locks (others' rows, device)
        started = time.monotonic()
        outcome = node_b.apply_batch([PushRequest("dev-b", GRANT, _insert("from-b", 1))])
        assert [r.status for r in outcome.results[0]] == ["applied"]
        b_done.append(time.monotonic() - started)

    _held_at_numbering(a, node_b_pushes)
    outcome = node_a.apply_batch([PushRequest("dev-a", GRANT, _insert("from-a", 1))])
    assert [r.status for r in outcome.results[0]] == ["applied"]
    assert b_done and b_done[0] < 5  # B never waited for A's open batch (the lock time-out is 15 s)
    # numbered in commit order: B first
    assert {r.row_id: r.seq for r in a.scan_scope([SCOPE])} == {"from-b": 1, "from-a": 2}


def _commit_under_way(store: PostgresStore, row_id: str) -> tuple[psycopg.Connection[Any], int]:
    """A batch whose commit is under way (as if its node's commit had stalled):
    registered, its number drawn and its row written, not yet committed."""
    from psycopg.types.json import Jsonb

    c = psycopg.connect(store.dsn, autocommit=True)
    c.execute("BEGIN")
    (drawn,) = c.execute("SELECT offsync_number(1)").fetchone()
    c.execute("INSERT INTO offsync_rows (scope, collection, row_id, seq, version, insert_order, deleted, fields, "
              "stamps) VALUES (%s, 'notes', %s, %s, 1, 10, false, %s, %s)",
              (SCOPE, Jsonb(row_id), drawn[0], b"\x81\xa5title\xa1t", b"\x90"))
    return c, drawn[0]


def test_a_commit_under_way_holds_no_writer_up_and_no_reader_passes_it(
        two_nodes: tuple[PostgresStore, PostgresStore]) -> None:
    """No lock serializes writers: B numbers, writes and commits while A's
    commit, with its number drawn, is still under way. No reader may take B's
    later seq as committed before A ends: a device would move past A's row for good."""
    a, b = two_nodes
    node_b = Engine(SCHEMA, b)
    Engine(SCHEMA, a).apply_batch([PushRequest("dev-a", GRANT, _insert("first", 1))])  # seq 1
    open_a, a_seq = _commit_under_way(a, "from-a")
    try:
        started = time.monotonic()
        outcome = node_b.apply_batch([PushRequest("dev-b", GRANT, _insert("from-b", 1))])
        took = time.monotonic() - started
        head = head_on_another_thread(b)
        page = b.changes_since([SCOPE], 0, 100, "dev-b")
        open_a.execute("COMMIT")
    finally:
        open_a.close()
    assert took < 5  # B never waited for A (the lock time-out is 15 s)
    assert (a_seq, outcome.head) == (2, 3)  # A drew first, B committed first
    assert head == 1  # B's 3 is committed, but A's 2 was not yet
    assert [r.row_id for r in page.rows] == ["first"] and page.cursor == 1 and page.head == 1
    assert page.applied == {}  # dev-b's batch lies beyond the head: its rows are not in the page
    assert a.head() == head_on_another_thread(a) == 3
    assert [r.row_id for r in a.changes_since([SCOPE], 1, 100, None).rows] == ["from-a", "from-b"]


def test_a_commit_rolled_back_holds_the_head_no_longer(two_nodes: tuple[PostgresStore, PostgresStore]) -> None:
    a, b = two_nodes
    open_a, _ = _commit_under_way(a, "from-a")
    try:
        Engine(SCHEMA, b).apply_batch([PushRequest("dev-b", GRANT, _insert("from-b", 1))])
        held = head_on_another_thread(b)
        open_a.execute("ROLLBACK")
    finally:
        open_a.close()
    assert held == 0  # A's 1 open below B's 2
    assert head_on_another_thread(b) == 2  # rolled back: its number is a gap
    assert [r.row_id for r in b.changes_since([SCOPE], 0, 100, None).rows] == ["from-b"]


def test_a_batch_stopped_before_its_commit_holds_no_ones_delivery_back(
        two_nodes: tuple[PostgresStore, PostgresStore]) -> None:
    """A batch draws its numbers only in its commit's round trip: one stopped
    before it (a frozen node, mid-batch) holds no number, and the head goes
    past it at once. Its own rows then take numbers after the others'."""
    a, b = two_nodes
    node_a, node_b = Engine(SCHEMA, a), Engine(SCHEMA, b)
    seen: dict[str, int] = {}

    def meanwhile() -> None:
        seen["b_head"] = node_b.apply_batch([PushRequest("dev-b", GRANT, _insert("from-b", 1))]).head
        seen["head"] = head_on_another_thread(b)

    _held_at_numbering(a, meanwhile, after=True)
    outcome = node_a.apply_batch([PushRequest("dev-a", GRANT, _insert("from-a", 1))])
    assert seen == {"b_head": 1, "head": 1}
    assert outcome.head == 2 and outcome.rows[0].seq == 2 and a.head() == 2
    assert {r.row_id: r.seq for r in a.scan_scope([SCOPE])} == {"from-b": 1, "from-a": 2}


def test_a_database_of_the_locked_head_version_numbers_on_from_its_head() -> None:
    """A database written by the version that locked one head row: the
    sequence goes on from that head, and the row's table is renamed so that an
    older node still running fails instead of numbering the same seqs again."""
    from .postgres_db import fresh_database

    with fresh_database() as url:
        with psycopg.connect(url, autocommit=True) as c:
            c.execute("CREATE TABLE offsync_head (id INTEGER PRIMARY KEY CHECK (id = 1), head BIGINT NOT NULL, "
                      "horizon BIGINT NOT NULL DEFAULT 0)")
            c.execute("INSERT INTO offsync_head (id, head, horizon) VALUES (1, 41, 7)")
        store = PostgresStore(url)
        try:
            assert store.head() == 41
            outcome = Engine(SCHEMA, store).apply_batch([PushRequest("dev-a", GRANT, _insert("next", 1))])
            assert outcome.head == 42 and store.head() == 42
            assert store.changes_since([SCOPE], 0, 10, None).horizon == 7
            with psycopg.connect(url, autocommit=True) as c:
                assert c.execute("SELECT to_regclass('offsync_head')").fetchone() == (None,)
            PostgresStore(url).close()  # opened again: nothing moves
            assert store.head() == 42
        finally:
            store.close()


def test_two_nodes_inserting_one_new_row_race_and_the_loser_succeeds_when_tried_again(
        two_nodes: tuple[PostgresStore, PostgresStore]) -> None:
    a, b = two_nodes
    node_a, node_b = Engine(SCHEMA, a), Engine(SCHEMA, b)
    _held_at_numbering(a, lambda: node_b.apply_batch([PushRequest("dev-b", GRANT, _insert("same", 1, "b"))]))
    request = PushRequest("dev-a", GRANT, _insert("same", 1, "a", insert_order=20))
    with pytest.raises(psycopg.Error) as raised:
        node_a.apply_batch([request])  # A read no row, B inserted it since
    assert a.is_race(raised.value)
    assert a.load_devices(["dev-a"]) == {}  # nothing of A's batch was kept
    outcome = node_a.apply_batch([request])  # tried again: it now builds on B's row
    assert outcome.results[0][0].status in ("applied", "merged")
    (row,) = a.scan_scope([SCOPE])
    assert row.version == 2 and row.fields["title"] == "a"  # A's later insert_order wins the field


def test_one_device_on_two_nodes_is_applied_once(two_nodes: tuple[PostgresStore, PostgresStore]) -> None:
    """After a failover the same push may reach two nodes: the second waits for
    the first's commit (the device's lock) and finds it a duplicate."""
    a, b = two_nodes
    node_a, node_b = Engine(SCHEMA, a), Engine(SCHEMA, b)
    request = PushRequest("dev-a", GRANT, _insert("once", 1))
    results: list[Any] = []
    second = threading.Thread(target=lambda: results.append(node_b.apply_batch([request]).results[0][0]))

    def start_the_second_and_see_it_wait() -> None:
        second.start()
        second.join(1.0)
        assert second.is_alive()  # held on dev-a's lock while A's batch is open

    _held_at_numbering(a, start_the_second_and_see_it_wait)
    first = node_a.apply_batch([request]).results[0][0]
    second.join(10)
    assert first.status == "applied" and results[0].status == "duplicate"
    assert [r.row_id for r in a.scan_scope([SCOPE])] == ["once"] and a.head() == 1


def test_nodes_starting_together_on_a_fresh_database_all_start() -> None:
    """Each node records the schema version as it starts (migrate_store, which
    creates its table): nodes started at once on a fresh database take turns."""
    from shared.evolution import History
    from sync_server.evolution import migrate_store

    for _ in range(3):
        with fresh_store() as first:
            stores = [first, *(PostgresStore(first.dsn) for _ in range(3))]
            barrier = threading.Barrier(len(stores))
            failed: list[BaseException] = []

            def start(store: PostgresStore) -> None:
                barrier.wait()
                try:
                    migrate_store(store, History.of(SCHEMA))
                except BaseException as exc:  # noqa: BLE001 (reported below)
                    failed.append(exc)

            threads = [threading.Thread(target=start, args=(s,)) for s in stores]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            for store in stores[1:]:
                store.close()
            assert failed == []
