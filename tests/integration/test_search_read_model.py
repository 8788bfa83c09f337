"""The server's read model for search (``sync_search.read_model``): pages of
rows written as the server has them, per scope, on a real file; a file
built for another declaration starts over."""

from __future__ import annotations

from pathlib import Path

from shared.apps.notes import schema
from shared.messages import RowChange
from shared.schema import Collection, Schema
from sync_client.replica import Replica
from sync_search.read_model import ReadModel

ADA, BOB = "user:ada", "user:bob"


def note(row_id: str, title: str, scope: str = ADA, *, seq: int = 1, deleted: bool = False,
         **fields: object) -> RowChange:
    return RowChange(collection="notes", row_id=row_id, scope=scope, version=seq, seq=seq, insert_order=seq,
                     deleted=deleted, fields={} if deleted else {"title": title, **fields})


def test_pages_write_rows_whole_and_deletes_leave_the_indexes(tmp_path: Path) -> None:
    model = ReadModel(str(tmp_path / "s.db.search"), schema)
    try:
        counter = RowChange(collection="counters", row_id="c", scope=ADA, version=1, seq=3, insert_order=3,
                            fields={"name": "cups", "value": 2})
        assert model.apply(ADA, [note("a", "dentist tuesday", body="at nine"), note("b", "flight to lisbon"),
                                 counter], 3) == 2  # counters are not searchable: not kept
        hit = model.search("notes", "dentist", k=1)[0]
        # fields a row leaves out are the declared defaults; the row reads as a device's does
        assert (hit.id, hit.row["body"], hit.row["tags"], hit.row["pinned"], hit.row["_scope"]) == (
            "a", "at nine", [], False, ADA)
        assert hit.sources == {"fts", "vector"}
        # a page holds a row's latest state: an edit, then a delete
        model.apply(ADA, [note("a", "orthodontist friday", seq=4), note("b", "", seq=5, deleted=True)], 5)
        assert model.search("notes", "dentist tuesday", mode="fts").ids() == []
        assert model.search("notes", "orthodontist", mode="fts").ids() == ["a"]
        assert model.search("notes", "lisbon flight", k=5).ids() == ["a"]  # b left the vector index too
        assert model.cursors() == {ADA: 5}
        c = model.connection
        assert c.execute("SELECT count(*) FROM _search_notes_vec").fetchall() == [(1,)]
        assert c.execute("SELECT name FROM sqlite_schema WHERE name IN ('counters', 'journal', 'sync_queue')"
                         ).fetchall() == []
        c.execute("INSERT INTO _search_notes_fts (_search_notes_fts) VALUES ('integrity-check')")
    finally:
        model.close()


def test_starting_a_scope_over_forgets_only_that_scope(tmp_path: Path) -> None:
    model = ReadModel(str(tmp_path / "s.db.search"), schema)
    try:
        model.apply(ADA, [note("a1", "zebra crossing"), note("a2", "zebra stripes", seq=2)], 2)
        model.apply(BOB, [note("b1", "zebra of bob", BOB, seq=3)], 3)
        # a re-sync of ada's scope: its first page has every live row, a2 was deleted meanwhile
        model.apply(ADA, [note("a1", "zebra crossing", seq=4)], 4, start_over=True)
        assert sorted(model.search("notes", "zebra", mode="fts").ids()) == ["a1", "b1"]
        assert model.cursors() == {ADA: 4, BOB: 3}
    finally:
        model.close()


def test_a_file_built_for_another_declaration_starts_over(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db.search")
    # the server's index of before: a device replica, with rows and a cursor table
    old = Replica(path, schema)
    old.insert("notes", {"title": "left from before"})
    old.execute("CREATE TABLE _search_scopes (scope TEXT PRIMARY KEY, cursor INTEGER NOT NULL)")
    old.execute("INSERT INTO _search_scopes VALUES (?, 7)", (ADA,))
    old.close()
    model = ReadModel(path, schema)
    model.apply(ADA, [note("a", "kept across restarts")], 1)
    assert model.search("notes", "left before kept", mode="fts").ids() == ["a"]
    assert model.connection.execute("SELECT name FROM sqlite_schema WHERE name LIKE 'sync%'").fetchall() == []
    model.close()

    same = ReadModel(path, schema)  # the same declaration: rows and cursors stay
    assert (same.cursors(), same.search("notes", "kept", mode="fts").ids()) == ({ADA: 1}, ["a"])
    same.close()

    notes = schema["notes"]
    grown = Schema(version=2, collections=(Collection("notes", {**{f.name: f.type for f in notes.fields.values()
                                                                   if f.name != notes.primary_key},
                                                                "place": "text"}, fts=("title", "place")),))
    rebuilt = ReadModel(path, grown)
    try:
        assert rebuilt.cursors() == {}  # refilled from the server by the next searches
        rebuilt.apply(ADA, [note("a", "kept", place="lisbon")], 1)
        assert rebuilt.search("notes", "lisbon", mode="fts").ids() == ["a"]
    finally:
        rebuilt.close()
