"""Search on one device: the FTS5 and vec0 indexes follow every kind of write
on a real replica file, rankings fuse, filters hold, the LIKE fallback works,
and bad arguments are refused with clear errors."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from shared.apps.notes import schema as notes_schema
from shared.errors import UsageError, ValidationError
from shared.schema import Collection, Schema, Vector
from sync_client.replica import Replica
from sync_search import embedders, indexer, indexes, ranking
from sync_search.indexer import refresh_vectors, stale_count, start_indexer

NOTES = {
    "dentist": ("Dentist appointment", "Tuesday at nine, bring the insurance card"),
    "flight": ("Flight to Lisbon", "leaves at 7am from terminal two, check in online"),
    "groceries": ("Groceries", "milk, eggs, bread and coffee beans"),
    "passport": ("Renew passport", "before the summer holiday in August"),
    "budget": ("Quarterly budget review", "due at the end of the month"),
}


@pytest.fixture
def replica(tmp_path: Path) -> Iterator[Replica]:
    with Replica(str(tmp_path / "device.db"), notes_schema) as opened:
        yield opened


def add_notes(replica: Replica, scope: str = "") -> dict[str, str]:
    return {key: replica.insert("notes", {"title": t, "body": b}, scope=scope or None)
            for key, (t, b) in NOTES.items()}


def counts(replica: Replica) -> tuple[int, int]:
    """(rows in vec0, rows FTS5 finds for any of their words), after the journal is applied."""
    indexer.refresh_text(replica)
    vectors = replica.connection.execute("SELECT count(*) FROM _search_notes_vec").fetchall()[0][0]
    indexed = replica.connection.execute(
        "SELECT count(*) FROM _search_notes_fts_docsize").fetchall()[0][0]
    return vectors, indexed


def assert_fts_consistent(replica: Replica) -> None:
    indexer.refresh_text(replica)
    # FTS5 compares its index with the content table: raises if they disagree
    replica.connection.execute("INSERT INTO _search_notes_fts (_search_notes_fts) VALUES ('integrity-check')")


def test_the_index_follows_insert_update_and_delete(replica: Replica) -> None:
    ids = add_notes(replica)
    for mode in ("fts", "vector", "hybrid"):
        assert replica.search("notes", "dentist appointment", k=3, mode=mode).ids()[0] == ids["dentist"]
    replica.update("notes", ids["dentist"], {"title": "Orthodontist", "body": "braces check on Thursday"})
    assert ids["dentist"] not in replica.search("notes", "appointment insurance", mode="fts").ids()
    assert replica.search("notes", "braces thursday", k=1, mode="fts").ids() == [ids["dentist"]]
    assert replica.search("notes", "orthodontist braces", k=1, mode="vector").ids() == [ids["dentist"]]
    replica.delete("notes", ids["flight"])
    assert ids["flight"] not in replica.search("notes", "flight lisbon terminal", k=10, mode="hybrid").ids()
    assert counts(replica) == (4, 4)
    assert_fts_consistent(replica)


def test_plain_sql_writes_are_indexed_like_api_writes(replica: Replica) -> None:
    replica.execute("INSERT INTO notes (id, title, body) VALUES ('n1', 'Bike repair', 'new chain and brake pads')")
    replica.execute("INSERT INTO notes (id, title, body) VALUES ('n2', 'Piano lesson', 'practise the scales')")
    assert replica.search("notes", "brake", mode="fts").ids() == ["n1"]
    assert replica.search("notes", "piano", k=1, mode="vector").ids() == ["n2"]
    replica.execute("UPDATE notes SET body = 'practise the nocturne' WHERE id = 'n2'")
    assert replica.search("notes", "scales", mode="fts").ids() == []
    assert replica.search("notes", "nocturne", mode="fts").ids() == ["n2"]
    replica.execute("DELETE FROM notes WHERE id = 'n1'")
    assert replica.search("notes", "bike brake chain", k=5).ids() == ["n2"]
    assert counts(replica) == (1, 1)
    assert_fts_consistent(replica)


def test_many_edits_in_one_transaction_leave_the_index_exact(replica: Replica) -> None:
    # journalled text changes: insert, update twice, delete and re-insert the same id before a search
    with replica.transaction():
        replica.insert("notes", {"id": "a", "title": "alpha one", "body": ""})
        replica.update("notes", "a", {"title": "alpha two"})
        replica.update("notes", "a", {"title": "alpha three"})
        replica.insert("notes", {"id": "b", "title": "beta", "body": ""})
    replica.search("notes", "alpha", mode="fts")  # applies the journal
    with replica.transaction():
        replica.update("notes", "a", {"title": "gamma"})
        replica.delete("notes", "b")
        replica.insert("notes", {"id": "b", "title": "delta", "body": ""})
        replica.update("notes", "b", {"title": "epsilon"})
    assert replica.search("notes", "alpha", mode="fts").ids() == []
    assert replica.search("notes", "gamma", mode="fts").ids() == ["a"]
    assert replica.search("notes", "beta delta", mode="fts").ids() == []
    assert replica.search("notes", "epsilon", mode="fts").ids() == ["b"]
    assert_fts_consistent(replica)


def test_hybrid_finds_a_row_that_only_the_vector_ranking_finds(replica: Replica) -> None:
    ids = add_notes(replica)
    # "pasport" is no word of any note: FTS finds only the exact "holiday"; the
    # vector ranking finds the misspelt passport note too
    query = "pasport renewl"
    assert replica.search("notes", query, mode="fts").ids() == []
    hybrid = replica.search("notes", query + " holiday", k=3)
    assert hybrid.ids()[0] == ids["passport"]
    assert hybrid[0].sources == {"fts", "vector"}
    typo_only = replica.search("notes", "flght lisbn", k=3)
    assert typo_only.ids()[0] == ids["flight"] and typo_only[0].sources == {"vector"}
    assert typo_only[0].ranks == {"vector": 1}


def test_hybrid_finds_a_row_that_only_the_text_ranking_finds(tmp_path: Path) -> None:
    # forty short notes spelt like the word but without it are nearer the
    # query's vector than a long note that names the word once: only FTS5
    # finds that note, and the fusion still ranks it
    with Replica(str(tmp_path / "d.db"), notes_schema) as replica:
        replica.insert_many("notes", [{"title": f"zebu {i}", "body": "zeb zebu zebr"} for i in range(40)])
        long_id = replica.insert("notes", {"title": "Trip log", "body": " ".join(
            ["walked along the river and past the old mill towards the village square"] * 6 + ["zebra"])})
        assert long_id not in replica.search("notes", "zebra", k=20, mode="vector").ids()
        assert replica.search("notes", "zebra", mode="fts").ids() == [long_id]
        hybrid = replica.search("notes", "zebra", k=5)
        hit = next(h for h in hybrid if h.id == long_id)
        assert hit.sources == {"fts"} and hit.ranks == {"fts": 1}


def test_a_typo_finds_its_row_with_the_default_embedder(replica: Replica) -> None:
    ids = add_notes(replica)
    for query, key in (("dentsit apointment", "dentist"), ("grocreis cofee", "groceries"),
                       ("quartely buget", "budget")):
        assert replica.search("notes", query, k=1, mode="vector").ids() == [ids[key]], query
        assert replica.search("notes", query, k=1).ids() == [ids[key]], query


def test_where_filters_by_scope_and_fields_inside_each_ranking(replica: Replica) -> None:
    mine = add_notes(replica, scope="user:ada")
    theirs = add_notes(replica, scope="space:family")
    replica.update("notes", mine["groceries"], {"pinned": True})
    for mode in ("fts", "vector", "hybrid"):
        found = replica.search("notes", "dentist appointment", k=10, mode=mode, where="_scope = ?",
                               params=("space:family",))
        assert found.ids()[0] == theirs["dentist"]
        assert {h.row["_scope"] for h in found} == {"space:family"}
    pinned = replica.search("notes", "groceries milk", k=10, where="pinned = 1")
    assert pinned.ids() == [mine["groceries"]] and pinned[0].row["pinned"] is True
    named = replica.search("notes", "passport", k=10, where="_scope = :scope", params={"scope": "user:ada"})
    assert named.ids()[0] == mine["passport"] and {h.row["_scope"] for h in named} == {"user:ada"}


def test_like_fallback_when_fts5_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(tmp_path / "old-sqlite.db")
    monkeypatch.setattr(indexes, "FORCE_LIKE", True)
    with Replica(path, notes_schema) as replica:
        tables = {r[0] for r in replica.connection.execute("SELECT name FROM sqlite_master")}
        assert "_search_notes_fts" not in tables
        ids = add_notes(replica)
        found = replica.search("notes", "TERMINAL flight", k=5, mode="fts")
        assert found.text_engine == "like"
        assert found.ids()[0] == ids["flight"] and found[0].score == 2.0  # both words
        replica.update("notes", ids["flight"], {"title": "Train to Porto", "body": "platform 4"})
        assert replica.search("notes", "lisbon", mode="fts").ids() == []
        assert replica.search("notes", "100%_sure", mode="fts").ids() == []  # LIKE wildcards are escaped
        hybrid = replica.search("notes", "porto", k=2)
        assert hybrid.text_engine == "like" and hybrid.ids()[0] == ids["flight"]
    monkeypatch.setattr(indexes, "FORCE_LIKE", False)
    with Replica(path, notes_schema) as replica:  # FTS5 is back: the index is built from the rows
        found = replica.search("notes", "porto", mode="fts")
        assert found.text_engine == "fts5" and found.ids() == [ids["flight"]]
        assert_fts_consistent(replica)


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"collection": "nope"}, ValidationError, "unknown collection 'nope'"),
    ({"collection": "journal"}, ValidationError, "journal declares neither fts fields nor a vector"),
    ({"mode": "semantic"}, ValidationError, "mode must be one of hybrid, fts, vector; got 'semantic'"),
    ({"k": 0}, ValidationError, "k must be an integer within 1..1000; got 0"),
    ({"k": 1001}, ValidationError, "k must be an integer within 1..1000"),
    ({"k": True}, ValidationError, "k must be an integer"),
    ({"k": "3"}, ValidationError, "k must be an integer"),
    ({"text": "   "}, ValidationError, "the search text is empty"),
    ({"text": "?! ..."}, ValidationError, "the search text has no words"),
    ({"text": "x" * 1001}, ValidationError, "longer than 1000 characters"),
    ({"where": "no_such_column = 1"}, UsageError, "no such column: no_such_column"),
    ({"where": "_scope = ?", "params": ()}, UsageError, "SQLite refused the search"),
])
def test_bad_arguments_raise_clear_errors(replica: Replica, kwargs: dict[str, Any], error: type,
                                          message: str) -> None:
    add_notes(replica)
    call = {"collection": "notes", "text": "dentist", **kwargs}
    with pytest.raises(error, match=message.replace("(", r"\(").replace("?", r"\?")) as raised:
        replica.search(call.pop("collection"), call.pop("text"), **call)
    assert raised.value.path or error is UsageError


def test_a_mode_needs_the_index_it_ranks_by(tmp_path: Path) -> None:
    schema = Schema(1, (Collection("words", {"text": "text"}, fts=("text",)),
                        Collection("vectors", {"text": "text"}, vector=Vector(fields=("text",), dim=32))))
    with Replica(str(tmp_path / "d.db"), schema) as replica:
        replica.insert("words", {"text": "hello world"})
        replica.insert("vectors", {"text": "hello world"})
        with pytest.raises(ValidationError, match="words declares no vector: search it with mode='fts'"):
            replica.search("words", "hello", mode="vector")
        with pytest.raises(ValidationError, match="vectors declares no fts fields"):
            replica.search("vectors", "hello", mode="fts")
        assert len(replica.search("words", "hello")) == 1  # hybrid uses the rankings there are
        only_vectors = replica.search("vectors", "helo", k=1)
        assert only_vectors.ids() and only_vectors.text_engine == "" and only_vectors.rankings == ("vector",)


def test_vectors_catch_up_in_batches_and_a_search_says_how_many_wait(replica: Replica,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranking, "CATCH_UP", 5)
    replica.insert_many("notes", [{"title": f"note {i}", "body": "about gardening"} for i in range(30)])
    first = replica.search("notes", "gardening", k=3)
    assert first.stale == 25
    assert replica.search("notes", "gardening", k=3, mode="fts").stale == 0  # no vector ranking ran
    assert refresh_vectors(replica) == 25
    assert replica.search("notes", "gardening", k=3).stale == 0
    assert replica.connection.execute("SELECT count(*) FROM _search_notes_vec").fetchall()[0][0] == 30


def test_the_background_indexer_embeds_what_arrives(replica: Replica, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranking, "CATCH_UP", 0)
    indexer = start_indexer(replica, interval=0.05)
    try:
        replica.insert_many("notes", [{"title": f"note {i}", "body": "bird watching"} for i in range(1200)])
        deadline = time.monotonic() + 20
        while stale_count(replica, notes_schema["notes"]) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        indexer.stop()
    assert indexer.error is None
    assert stale_count(replica, notes_schema["notes"]) == 0 and indexer.written == 1200
    assert replica.search("notes", "bird watchng", k=1, mode="vector").stale == 0


def test_a_row_edited_while_its_vector_is_computed_stays_stale(tmp_path: Path) -> None:
    schema = Schema(1, (Collection("notes", {"title": "text"},
                                   vector=Vector(fields=("title",), dim=256, embedder="edits-while-embedding")),))
    replicas: list[Replica] = []

    class EditsOnce:
        """The default embedder, but the app edits the row while the first batch is embedded."""

        name, dim = "edits-while-embedding", 256

        def embed(self, texts: list[str]) -> np.ndarray:
            if texts == ["first draft"]:
                replicas[0].update("notes", "r1", {"title": "second draft"})
            return embedders.get_embedder("hashed-ngrams", 256).embed(texts)

    embedders.register_embedder("edits-while-embedding", lambda dim: EditsOnce())
    try:
        with Replica(str(tmp_path / "d.db"), schema) as replica:
            replicas.append(replica)
            replica.insert("notes", {"id": "r1", "title": "first draft"})
            assert refresh_vectors(replica) == 0  # its vector was of the old text: not written
            assert stale_count(replica, schema["notes"]) == 1
            assert replica.connection.execute("SELECT count(*) FROM _search_notes_vec").fetchall() == [(0,)]
            assert refresh_vectors(replica) == 1
            assert replica.search("notes", "second draft", k=1).ids() == ["r1"]
    finally:
        embedders._factories.pop("edits-while-embedding")
        embedders._built.pop(("edits-while-embedding", 256), None)


def test_vectors_are_written_in_batches_with_writes_in_between(replica: Replica) -> None:
    # more rows than a batch: batch i+1 is embedded while batch i is written,
    # and an app write between batches must not make the refresh lose rows
    replica.insert_many("notes", [{"title": f"note {i}", "body": "harvest moon"} for i in range(1300)])
    replica.update("notes", replica.query("notes", limit=1)[0]["id"], {"title": "edited"})
    assert refresh_vectors(replica, batch=256) == 1300
    assert stale_count(replica, notes_schema["notes"]) == 0
    assert replica.connection.execute("SELECT count(*) FROM _search_notes_vec").fetchall() == [(1300,)]


def test_a_changed_declaration_rebuilds_the_index_on_open(tmp_path: Path) -> None:
    path = str(tmp_path / "d.db")

    def schema(dim: int, fts: tuple[str, ...]) -> Schema:
        return Schema(1, (Collection("notes", {"title": "text", "body": "text"}, fts=fts,
                                     vector=Vector(fields=("title", "body"), dim=dim)),))

    with Replica(path, schema(256, ("title",))) as replica:
        row = replica.insert("notes", {"title": "harbour", "body": "sailing boats"})
        assert replica.search("notes", "sailing", mode="fts").ids() == []
        assert replica.search("notes", "harbour", k=1).ids() == [row]
    with Replica(path, schema(64, ("title", "body"))) as replica:
        assert stale_count(replica, replica.schema["notes"]) == 1  # new dimension: every vector again
        assert replica.search("notes", "sailing", mode="fts").ids() == [row]
        assert replica.search("notes", "harbor", k=1, mode="vector").ids() == [row]
        dim = replica.connection.execute("SELECT vec_length(embedding) FROM _search_notes_vec").fetchall()
        assert dim == [(64,)]
