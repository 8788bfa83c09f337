from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import SchemaError, ValidationError
from shared.schema import Collection, Field, Schema, Vector

notes = Collection("notes", [Field("title", "text", required=True), Field("done", "boolean", default=False),
                             Field("meta", "json"), Field("n", "integer"), Field("score", "real"),
                             Field("data", "blob"), Field("due", "timestamp")])


def test_primary_key_is_added_as_text() -> None:
    assert notes.primary_key == "id"
    assert notes.fields["id"].type == "text"
    assert notes.field_names[0] == "id"


def test_app_values_become_stored_values() -> None:
    stored = notes.to_stored({"title": "a", "done": True, "meta": {"k": [1, 2]}, "score": 3})
    assert stored == {"title": "a", "done": 1, "meta": '{"k":[1,2]}', "score": 3.0}
    assert notes.from_stored(stored)["meta"] == {"k": [1, 2]}
    assert notes.from_stored(stored)["done"] is True


@pytest.mark.parametrize("row, path, words", [
    ({"title": 3}, "$.title", "notes.title must be text"),
    ({"done": "yes"}, "$.done", "notes.done must be a boolean"),
    ({"n": 1.5}, "$.n", "notes.n must be an integer"),
    ({"n": True}, "$.n", "notes.n must be an integer"),
    ({"n": 2**64}, "$.n", "64 bits"),
    ({"score": float("nan")}, "$.score", "finite"),
    ({"data": "text"}, "$.data", "bytes"),
    ({"meta": {1, 2}}, "$.meta", "JSON"),
    ({"nope": 1}, "$.nope", "no field 'nope'"),
])
def test_bad_values_name_collection_and_field(row: dict[str, object], path: str, words: str) -> None:
    with pytest.raises(ValidationError) as info:
        notes.to_stored(row)
    assert info.value.path == path
    assert words in info.value.message


def test_unknown_field_has_its_own_code() -> None:
    with pytest.raises(ValidationError) as info:
        notes.check_stored({"nope": 1})
    assert info.value.code == "unknown_field"


def test_stored_values_from_a_peer_are_checked() -> None:
    assert notes.check_stored({"done": 1, "meta": "[1]"}) == {"done": 1, "meta": "[1]"}
    with pytest.raises(ValidationError, match="0 or 1"):
        notes.check_stored({"done": 2})
    with pytest.raises(ValidationError, match="valid JSON"):
        notes.check_stored({"meta": "{nope"})


def test_json_codec_blobs_arrive_as_base64() -> None:
    assert notes.check_stored({"data": "AP8="}, blobs_as_base64=True) == {"data": b"\x00\xff"}
    with pytest.raises(ValidationError, match="base64"):
        notes.check_stored({"data": "%%%"}, blobs_as_base64=True)


def test_required_fields_are_enforced_on_complete_rows() -> None:
    with pytest.raises(ValidationError, match="notes.title is required"):
        notes.check_required({"id": "x"})


def test_defaults_are_stored_values() -> None:
    assert notes.defaults() == {"done": 0}


@pytest.mark.parametrize("build, words", [
    (lambda: Collection("t", [Field("a"), Field("a")]), "declared twice"),
    (lambda: Collection("t", {"a": "float"}), "type must be one of"),
    (lambda: Collection("t", {"insertOrder": "integer"}), "reserved"),
    (lambda: Collection("sync_x", {"a": "text"}), "must match"),
    (lambda: Collection("t", {"a": "text"}, policy="maybe"), "policy"),  # type: ignore[arg-type]
    (lambda: Collection("t", {"a": "text"}, policy="custom"), "resolver"),
    (lambda: Collection("t", {"a": "text"}, fts=("b",)), "unknown field 'b'"),
    (lambda: Collection("t", [Field("a", "text", counter=True)]), "counter"),
    (lambda: Collection("t", {"a": "text"}, scope_field="a", unique=[("zz",)]), "unknown field 'zz'"),
    (lambda: Vector(fields=()), "at least one"),
    (lambda: Schema(0, ()), "version"),
    (lambda: Schema(1, (Collection("t", {"a": "text"}), Collection("t", {"a": "text"}))), "twice"),
])
def test_inconsistent_declarations_are_schema_errors(build: object, words: str) -> None:
    with pytest.raises(SchemaError, match=words):
        build()  # type: ignore[operator]


def test_schema_lookup_names_the_unknown_collection() -> None:
    schema = Schema(1, (notes,))
    assert schema["notes"] is notes
    with pytest.raises(ValidationError) as info:
        schema["nope"]
    assert info.value.code == "unknown_collection"


_PEER = Collection("peer", [Field("title", "text"), Field("meta", "json"), Field("b", "blob"),
                            Field("done", "boolean"), Field("r", "real"), Field("n", "integer")])
_PEER_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True), st.text(max_size=4),
                         st.binary(max_size=3), st.sampled_from(['{"a":1}', "[1]", "{bad", "aGk="]))


def _checked_one_by_one(values: list[Any], blobs_as_base64: bool) -> list[dict[str, Any]] | None:
    try:
        return [_PEER.check_stored(v, blobs_as_base64=blobs_as_base64) for v in values]
    except ValidationError:
        return None


@given(st.lists(st.dictionaries(st.sampled_from([*_PEER.field_names, "zz"]), _PEER_VALUES, max_size=4), max_size=5),
       st.booleans())
def test_checking_many_values_together_returns_what_checking_each_does(values: list[Any], base64: bool) -> None:
    together = _PEER.check_stored_many(values, blobs_as_base64=base64)
    one_by_one = _checked_one_by_one(values, base64)
    if together is not None:  # None: the caller checks each one (a valid value may need the slow path)
        assert together == one_by_one


def test_checking_many_values_together_refuses_what_one_of_them_gets_wrong() -> None:
    assert _PEER.check_stored_many([{"title": "a"}, {"done": 1, "n": 2}]) == [{"title": "a"}, {"done": 1, "n": 2}]
    for bad in ({"title": 3}, {"zz": 1}, {"meta": "{bad"}, {"b": "aGk="}):
        assert _PEER.check_stored_many([{"title": "a"}, bad]) is None


def test_stored_values_from_a_peer_keep_their_checks_on_the_compiled_path() -> None:
    c = Collection("notes", [Field("title", "text", required=True), Field("meta", "json"), Field("b", "blob"),
                             Field("done", "boolean"), Field("r", "real"), Field("n", "integer")])
    assert c.check_stored({"title": "x", "meta": '{"a":1}', "done": 1, "r": 2, "n": None}) == {
        "title": "x", "meta": '{"a":1}', "done": 1, "r": 2.0, "n": None}
    assert c.check_stored({"done": True}) == {"done": 1}
    assert c.check_stored({"b": "aGk="}, blobs_as_base64=True) == {"b": b"hi"}
    refused = [({"b": "aGk="}, "notes.b must be bytes, got str"), ({"meta": "{bad"}, "valid JSON"),
               ({"meta": "NaN"}, "valid JSON"),  # a device's json_valid() CHECK would refuse it
               ({"zz": 1}, "no field 'zz'"), ({"n": 1.5}, "an integer, got float"), ({"done": 2}, "0 or 1"),
               ({"r": float("inf")}, "finite"), ({"title": 3}, "must be text")]
    for fields, message in refused:
        with pytest.raises(ValidationError, match=message) as caught:
            c.check_stored(fields, path="$.f")
        assert caught.value.path == f"$.f.{next(iter(fields))}"
