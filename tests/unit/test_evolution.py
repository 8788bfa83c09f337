"""Schema history: fingerprints, what a step changes, what it needs, what a
peer on each version is served (shared.evolution, sync_server.evolution)."""

from __future__ import annotations

import pytest

from shared.errors import SchemaError, SchemaMismatch
from shared.evolution import (
    ChangePolicy,
    DropCollection,
    DropField,
    History,
    Migration,
    RenameField,
    Retype,
    diff,
    migrate_fields,
    migrate_names,
)
from shared.messages import Changes, MutationResult, RowChange
from shared.schema import Collection, Field, Schema
from sync_server.evolution import Translation

NOTES = {"title": "text", "body": "text"}
V1 = Schema(1, (Collection("notes", NOTES),))


def notes(*fields: Field, version: int = 2, **kw: object) -> Schema:
    return Schema(version, (Collection("notes", [Field("title"), Field("body"), *fields], **kw),))  # type: ignore[arg-type]


def test_the_fingerprint_is_stable_and_ignores_declaration_order_and_local_parts() -> None:
    a = Schema(1, (Collection("notes", {"title": "text", "n": "integer"}), Collection("tags", {"name": "text"})))
    b = Schema(1, (Collection("tags", {"name": "text"}), Collection("notes", {"n": "integer", "title": "text"},
                                                                       fts=("title",), indexes=[("n",)])))
    assert a.fingerprint == b.fingerprint and len(a.fingerprint) == 64
    assert a.fingerprint == Schema(1, a.collections).fingerprint


@pytest.mark.parametrize("other", [
    Schema(2, (Collection("notes", NOTES),)),
    Schema(1, (Collection("notes", {"title": "integer", "body": "text"}),)),
    Schema(1, (Collection("notes", [Field("title", default="x"), Field("body")]),)),
    Schema(1, (Collection("notes", [Field("title", required=True), Field("body")]),)),
    Schema(1, (Collection("notes", NOTES, policy="reject"),)),
    Schema(1, (Collection("notes", NOTES, unique=[("title",)]),)),
    Schema(1, (Collection("notes", {**NOTES, "budget": "integer"}),)),
])
def test_the_fingerprint_changes_with_what_both_sides_must_agree_on(other: Schema) -> None:
    assert other.fingerprint != V1.fingerprint


def test_additive_steps_are_compatible() -> None:
    v2 = Schema(2, (Collection("notes", [Field("title"), Field("body"), Field("pinned", "boolean", required=True,
                                                                               default=False)], fts=("title",)),
                    Collection("tags", {"name": "text"})))
    history = History(V1, v2)
    assert history.oldest == 1 and history.served() == [1, 2]
    assert [str(c) for c in history.changes[2]] == ["add_field notes.pinned", "change_other notes (fts)",
                                                    "add_collection tags"]
    assert not any(c.breaking for c in history.changes[2])


@pytest.mark.parametrize(("after", "message"), [
    (Schema(2, ()), "collection 'notes' was dropped; declare DropCollection"),
    (notes(Field("n", "integer", required=True)), r"notes\.n is new and required: give it a default"),
    (Schema(2, (Collection("notes", {"title": "text"}),)), r"notes\.body was dropped or renamed"),
    (Schema(2, (Collection("notes", {"title": "text", "body": "json"}),)), r"notes\.body changed \(text -> json\)"),
    (Schema(2, (Collection("notes", [Field("title", required=True), Field("body")]),)), r"notes\.title changed"),
    (Schema(2, (Collection("notes", NOTES, policy="reject"),)), "policy changed.*ChangePolicy"),
    (Schema(2, (Collection("notes", {"key": "text", **NOTES}, primary_key="key"),)), "primary key cannot change"),
])
def test_a_breaking_step_without_its_migration_is_refused_naming_it(after: Schema, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        History(V1, after)


def test_declared_migrations_make_a_breaking_version_the_oldest_served() -> None:
    v2 = Schema(2, (Collection("notes", {"heading": "text", "body": "json"}, policy="reject"),))
    history = History(V1, v2, migrations={2: [RenameField("notes", "title", "heading"),
                                              Retype("notes", "body", lambda v: None if v is None else f'"{v}"'),
                                              ChangePolicy("notes")]})
    assert history.oldest == 2 and history.served() == [2]
    assert {c.kind for c in history.changes[2]} == {"rename_field", "retype_field", "change_policy"}
    # GET /schema gives each change as data too: the browser replica migrates by it, never by the text
    (described,) = [v for v in history.describe()["versions"] if v["version"] == 2]
    assert {"kind": "rename_field", "collection": "notes", "field": "title", "breaking": True,
            "new_name": "heading"} in described["steps"]
    assert len(described["steps"]) == len(described["changes"]) == 3
    with pytest.raises(SchemaError, match="within 2..2"):
        History(V1, v2, migrations=history.migrations, oldest=1)


def test_a_migration_naming_what_is_not_there_is_refused() -> None:
    with pytest.raises(SchemaError, match="must exist before"):
        History(V1, notes(), migrations={2: [DropField("notes", "nothing")]})
    with pytest.raises(SchemaError, match="not a later declared version"):
        History(V1, notes(), migrations={1: [DropField("notes", "body")]})
    with pytest.raises(SchemaError, match="must increase"):
        History(notes(), V1)


def test_a_relaxed_required_field_is_compatible_only_with_an_old_default() -> None:
    before = Schema(1, (Collection("notes", [Field("title", required=True, default="untitled")]),))
    after = Schema(2, (Collection("notes", [Field("title")]),))
    assert [c.kind for c in diff(before, after)] == ["relax_field"]
    strict = Schema(1, (Collection("notes", [Field("title", required=True)]),))
    with pytest.raises(SchemaError, match="no longer required"):
        diff(strict, after)


def test_a_peer_is_checked_by_version_and_fingerprint() -> None:
    v2 = notes(Field("pinned", "boolean"))
    history = History(V1, v2)
    assert history.check_peer(1, V1.fingerprint) is V1
    assert history.check_peer(1) is V1  # a protocol-1 client sends no fingerprint
    other = Schema(1, (Collection("notes", {**NOTES, "budget": "integer"}),))
    cases = [((3, ""), "$.schema_version", "newer than the server's 2"),
             ((1, other.fingerprint), "$.schema_fingerprint", "another declaration")]
    for (version, fingerprint), path, text in cases:
        with pytest.raises(SchemaMismatch, match=text) as refused:
            history.check_peer(version, fingerprint)
        assert refused.value.path == path and refused.value.code == "schema_mismatch"
    with pytest.raises(SchemaMismatch, match="needs schema version 2 or later"):
        History(V1, v2, oldest=2).check_peer(1)


def test_migrations_rename_drop_and_convert_fields_and_their_stamps() -> None:
    steps: list[Migration] = [RenameField("notes", "title", "heading"), DropField("notes", "body"),
             Retype("notes", "n", lambda v: 0 if v is None else int(v)), DropCollection("tags")]
    assert migrate_fields(steps, "notes", {"title": "t", "body": "b", "n": "7"}) == {"heading": "t", "n": 7}
    assert migrate_fields(steps, "notes", {"body": "b"}) == {}  # an update carries its fields only
    assert migrate_fields(steps, "tags", {"name": "x"}) is None
    assert migrate_names(steps, "notes", ["_alive", "title", "body", "n"]) == ["_alive", "heading", "n"]


def _row(collection: str, **fields: object) -> RowChange:
    return RowChange(collection=collection, row_id="r", scope="s", version=1, seq=1, insert_order=1, fields=fields)


def test_an_older_device_is_sent_only_what_its_version_declares() -> None:
    v1 = Schema(1, (Collection("notes", [Field("title", required=True, default="untitled"), Field("body")]),))
    v2 = Schema(2, (Collection("notes", [Field("title"), Field("body"), Field("pinned", "boolean")]),
                    Collection("tags", {"name": "text"})))
    translation = Translation(History(v1, v2))
    rows = [_row("notes", title=None, body="b", pinned=1), _row("tags", name="x")]
    assert [(r.collection, r.fields) for r in translation.rows(1, rows)] == \
        [("notes", {"title": "untitled", "body": "b"})]
    assert translation.rows(2, rows) is rows  # the current version costs nothing
    page = translation.changes(1, Changes(rows=rows, cursor=5))
    assert len(page.rows) == 1 and page.cursor == 5
    results = translation.results(1, [MutationResult(client_seq=1, status="rejected", rows=rows)])
    assert [r.collection for r in results[0].rows] == ["notes"]


UNIQUE_V1 = Schema(1, (Collection("notes", NOTES, unique=[("title",)]),))


@pytest.mark.parametrize(("after", "migrations"), [
    (Schema(2, (Collection("notes", NOTES),)), []),  # the unique key dropped
    (Schema(2, (Collection("notes", NOTES, unique=[("title", "body")]),)), []),  # the unique key changed
    (Schema(2, (Collection("notes", {"heading": "text", "body": "text"}, unique=[("heading",)]),)),
     [RenameField("notes", "title", "heading")]),
    (Schema(2, (Collection("notes", {"title": "json", "body": "text"}, unique=[("title",)]),)),
     [Retype("notes", "title", str)]),
])
def test_unique_keys_and_their_fields_cannot_change_yet(after: Schema, migrations: list[Migration]) -> None:
    # the server's index of unique keys is written as rows are, and no migration rebuilds it
    with pytest.raises(SchemaError, match="unique"):
        History(UNIQUE_V1, after, migrations={2: migrations})


def test_a_unique_key_cannot_be_added_to_an_existing_collection_yet() -> None:
    with pytest.raises(SchemaError, match="unique keys cannot change yet"):
        History(V1, Schema(2, (Collection("notes", NOTES, unique=[("title",)]),)))


def test_a_kept_unique_key_beside_an_additive_change_is_compatible() -> None:
    after = Schema(2, (Collection("notes", [Field("title"), Field("body"), Field("n", "integer")],
                                  unique=[("title",)]),))
    assert History(UNIQUE_V1, after).oldest == 1
