"""The writer's fair share between users, the pre-decode operation count,
the limits' own checks, and accept errors logged at most once per interval."""

from __future__ import annotations

import logging

import pytest

from shared.messages import JSON, MSGPACK, Mutation, Operation, Push
from sync_server.hardening import AtMostEvery, client_network
from sync_server.limits import FairQueue, Limits, may_carry_too_many_ops


def test_a_small_push_waits_behind_at_most_one_batch_of_a_flood() -> None:
    queue: FairQueue[str] = FairQueue()
    for n in range(4):
        queue.put("ada", f"ada-{n}", 100_000)
    queue.put("bob", "bob-0", 3)
    first = queue.take(5000, 256)
    second = queue.take(5000, 256)
    assert first == ["ada-0"]  # the user in the lead gets its push in, however big
    assert second == ["bob-0"]  # the next batch is led by the next user
    assert [queue.take(5000, 256) for _ in range(3)] == [["ada-1"], ["ada-2"], ["ada-3"]]
    assert not queue


def test_small_pushes_of_several_users_share_one_batch_in_turn_and_keep_their_order() -> None:
    queue: FairQueue[str] = FairQueue()
    for n in range(3):
        queue.put("ada", f"a{n}", 10)
        queue.put("bob", f"b{n}", 10)
    assert queue.take(40, 256) == ["a0", "b0", "a1", "b1"]
    assert queue.take(40, 256) == ["b2", "a2"]  # bob leads now


def test_a_batch_stops_at_its_item_count() -> None:
    queue: FairQueue[int] = FairQueue()
    for n in range(5):
        queue.put(f"user{n}", n, 1)
    assert queue.take(1000, 3) == [0, 1, 2]


@pytest.mark.parametrize("codec", [MSGPACK, JSON], ids=["msgpack", "json"])
def test_too_many_operations_are_told_before_decoding(codec: object) -> None:
    ops = [Operation(kind="insert", collection="notes", row_id=f"n{i}", fields={"title": "x"}) for i in range(30)]
    frame = codec.encode(Push(mutations=[Mutation(client_seq=1, ops=ops)]))  # type: ignore[attr-defined]
    binary = codec is MSGPACK
    assert may_carry_too_many_ops(frame, binary, 10)
    assert not may_carry_too_many_ops(frame, binary, 15)  # only past twice the limit: the exact check follows


@pytest.mark.parametrize("bad", [{"max_connections": 0}, {"hello_timeout_s": 0}, {"max_clock_ahead_s": -1},
                                 {"writer_ops_per_batch": 1.5}])
def test_a_limit_out_of_range_is_refused_by_name(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=next(iter(bad))):
        Limits(**bad)  # type: ignore[arg-type]


def test_accept_errors_are_logged_at_most_once_per_interval() -> None:
    gate = AtMostEvery("accept", 60.0)

    def record(msg: str) -> logging.LogRecord:
        return logging.LogRecord("asyncio", logging.ERROR, __file__, 1, msg, None, None)

    passed = [gate.filter(record("socket.accept() out of system resource")) for _ in range(1000)]
    assert passed.count(True) == 1
    assert gate.filter(record("another error"))  # other records pass


@pytest.mark.parametrize(("client", "counts_as"), [
    (("203.0.113.7", 50000), "203.0.113.7"),
    (("2001:db8:1:2:aaaa::1", 1), "2001:db8:1:2::/64"),
    (("2001:db8:1:2:bbbb::9", 2), "2001:db8:1:2::/64"),  # the same host's /64
    (("2001:db8:1:3::1", 3), "2001:db8:1:3::/64"),
    (("::ffff:203.0.113.7", 4), "203.0.113.7"),  # IPv4 on a dual-stack socket
    (None, None),
])
def test_a_connection_counts_against_its_address_or_its_ipv6_64(client: tuple[str, int] | None,
                                                                  counts_as: str | None) -> None:
    assert client_network(client) == counts_as
