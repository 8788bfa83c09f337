"""The writer's fair share between users, the pre-decode operation count,
the limits' own checks, and accept errors logged at most once per interval."""

from __future__ import annotations

import logging

import pytest

from shared.messages import JSON, MSGPACK, Mutation, Operation, Push
from sync_server.hardening import AtMostEvery, client_network
from sync_server.limits import FairQueue, Limits, may_carry_too_many_ops


def test_a_small_push_goes_before_a_flood_queued_earlier() -> None:
    queue: FairQueue[str] = FairQueue()
    for n in range(4):
        queue.put("ada", f"ada-{n}", 100_000)
    queue.put("bob", "bob-0", 3)
    # no batch of ada's ahead of bob's push; the batch ends at ada's push that does not fit
    assert queue.take(5000, 256) == ["bob-0"]
    assert [queue.take(5000, 256) for _ in range(4)] == [["ada-0"], ["ada-1"], ["ada-2"], ["ada-3"]]
    assert not queue


def test_a_small_push_that_comes_during_a_flood_is_in_the_next_batch() -> None:
    """What the writer sees under the flood benchmark: user A keeps big pushes
    and 2 MB pushes (2,048 KiB: their cost) queued; each time B pushes one
    operation, B's push is the first of the next batch and nothing of A's
    joins it past the budget."""
    queue: FairQueue[str] = FairQueue()
    sizes = [5000, 2048, 2048, 5000, 2048, 2048, 2048]
    for n, size in enumerate(sizes * 3):
        queue.put("ada", f"ada-{n}-{size}", size)
    for round_ in range(5):
        queue.take(1000, 256)  # the batch the writer is busy with as B pushes
        queue.put("bob", f"bob-{round_}", 1)
        batch = queue.take(1000, 256)
        assert batch == [f"bob-{round_}"]


def test_each_user_gets_the_same_operations_whatever_the_size_of_its_pushes() -> None:
    queue: FairQueue[str] = FairQueue()
    for n in range(40):
        queue.put("ada", f"a{n}", 10)  # many small pushes
    for n in range(4):
        queue.put("bob", f"b{n}", 100)  # a few big ones
    taken = [item for _ in range(4) for item in queue.take(100, 256)]
    # in the first 400 operations each user got 200, in 20 pushes and in 2
    assert sum(1 for item in taken if item.startswith("a")) == 20
    assert sum(1 for item in taken if item.startswith("b")) == 2


def test_small_pushes_of_several_users_share_one_batch_and_keep_their_order() -> None:
    queue: FairQueue[str] = FairQueue()
    for n in range(3):
        queue.put("ada", f"a{n}", 10)
        queue.put("bob", f"b{n}", 10)
    assert queue.take(40, 256) == ["a0", "b0", "a1", "b1"]
    assert queue.take(40, 256) == ["a2", "b2"]


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
