"""Every message type round-trips through both codecs; bad frames name the field."""

from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import MessageError
from shared.messages import (
    JSON,
    MESSAGE_TYPES,
    MSGPACK,
    Ack,
    Changes,
    Codec,
    Error,
    Hello,
    Mutation,
    MutationResult,
    Operation,
    Pull,
    Push,
    RowChange,
    Token,
    Welcome,
)

# field values both codecs carry losslessly (JSON has no bytes; floats finite)
values = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1),
                   st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20))
fields = st.dictionaries(st.text(min_size=1, max_size=10), values, max_size=4)
counts = st.integers(0, 2**63 - 1)
seqs = st.integers(1, 2**63 - 1)
names = st.text(min_size=1, max_size=64)
row_ids = st.one_of(st.text(min_size=1, max_size=40), st.integers(-(2**63), 2**63 - 1))
client_ids = st.from_regex(r"[A-Za-z0-9_.:\-]{1,40}", fullmatch=True)

operations = st.builds(Operation, kind=st.sampled_from(["insert", "update", "delete", "increment"]),
                       collection=names, row_id=row_ids, base_version=counts, insert_order=counts,
                       fields=fields, scope=st.text(max_size=20))
mutations = st.builds(Mutation, client_seq=seqs, ops=st.lists(operations, min_size=1, max_size=3))
row_changes = st.builds(RowChange, collection=st.text(max_size=20), row_id=row_ids, scope=st.text(max_size=20),
                        version=counts, seq=counts, insert_order=counts, deleted=st.booleans(), fields=fields)
results = st.builds(MutationResult, client_seq=counts,
                    status=st.sampled_from(["applied", "merged", "rejected", "duplicate", "gap"]),
                    reason=st.text(max_size=20), message=st.text(max_size=20), path=st.text(max_size=20),
                    rows=st.lists(row_changes, max_size=2))

STRATEGIES: dict[type, st.SearchStrategy[Any]] = {
    Hello: st.builds(Hello, client_id=client_ids, token=st.text(max_size=200), schema_version=st.integers(1, 10**6),
                     cursor=counts, last_client_seq=counts),
    Welcome: st.builds(Welcome, server_clock=counts, last_client_seq=counts, cursor=counts, user=st.text(max_size=20),
                       default_scope=st.text(max_size=20)),
    Push: st.builds(Push, mutations=st.lists(mutations, min_size=1, max_size=3)),
    Ack: st.builds(Ack, results=st.lists(results, max_size=3), server_clock=counts, cursor=counts),
    Pull: st.builds(Pull, cursor=counts, limit=st.integers(1, 10_000)),
    Changes: st.builds(Changes, rows=st.lists(row_changes, max_size=3), cursor=counts,
                       applied=st.dictionaries(client_ids, counts, max_size=2), more=st.booleans(),
                       server_clock=counts, head=counts),
    Error: st.builds(Error, code=st.text(max_size=20), message=st.text(max_size=50), path=st.text(max_size=20)),
    Token: st.builds(Token, token=st.text(max_size=200)),
}


def test_every_message_type_has_a_strategy() -> None:
    assert set(STRATEGIES) == set(MESSAGE_TYPES)


@pytest.mark.parametrize("kind", MESSAGE_TYPES, ids=lambda k: k.__name__)
@pytest.mark.parametrize("codec", [MSGPACK, JSON], ids=lambda c: c.name)
def test_every_message_round_trips_through_both_codecs(kind: type, codec: Codec) -> None:
    @settings(max_examples=50, deadline=None)
    @given(STRATEGIES[kind])
    def check(message: Any) -> None:
        assert codec.decode(codec.encode(message)) == message

    check()


def test_blobs_travel_as_bytes_in_msgpack() -> None:
    op = Operation(kind="insert", collection="files", row_id="f1", fields={"data": b"\x00\xff"})
    push = Push(mutations=[Mutation(client_seq=1, ops=[op])])
    assert MSGPACK.decode(MSGPACK.encode(push)) == push


def test_a_bad_field_is_named_by_its_path() -> None:
    frame = (b'{"type":"push","mutations":[{"client_seq":1,"ops":[{"kind":"insert","collection":"notes",'
             b'"row_id":"a","base_version":"x"}]}]}')
    with pytest.raises(MessageError) as info:
        JSON.decode(frame)
    assert info.value.path == "$.mutations[0].ops[0].base_version"
    assert "int" in info.value.message


def test_unknown_fields_are_refused() -> None:
    frame = msgspec.json.encode({"type": "hello", "client_id": "d1", "token": "t", "schema_version": 1, "x": 1})
    with pytest.raises(MessageError, match="unknown field"):
        JSON.decode(frame)


def test_random_bytes_are_a_message_error() -> None:
    with pytest.raises(MessageError):
        MSGPACK.decode(b"\xc1\xff\x00garbage")


def test_an_empty_push_is_refused() -> None:
    with pytest.raises(MessageError) as info:
        MSGPACK.decode(MSGPACK.encode(Push(mutations=[])))
    assert info.value.path == "$.mutations"


def test_client_ids_are_restricted() -> None:
    bad = msgspec.json.encode({"type": "hello", "client_id": "a b/../", "token": "t", "schema_version": 1})
    with pytest.raises(MessageError) as info:
        JSON.decode(bad)
    assert info.value.path == "$.client_id"
