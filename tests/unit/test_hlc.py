import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import UsageError
from shared.hlc import MAX_TIMESTAMP, HybridClock


def test_tick_follows_the_wall_clock_when_it_moves_forward() -> None:
    clock = HybridClock()
    assert clock.tick(1_000) == 1_000
    assert clock.tick(5_000) == 5_000


def test_tick_stays_monotonic_when_the_wall_clock_goes_back() -> None:
    clock = HybridClock()
    first = clock.tick(10_000)
    assert clock.tick(9_000) == first + 1
    assert clock.tick(9_000) == first + 2


def test_observe_moves_the_clock_past_a_server_timestamp() -> None:
    clock = HybridClock()
    clock.tick(100)
    clock.observe(50_000)
    assert clock.tick(200) == 50_001


def test_observe_never_moves_the_clock_back() -> None:
    clock = HybridClock(10_000)
    clock.observe(5)
    assert clock.last == 10_000


def test_overflow_is_refused() -> None:
    clock = HybridClock(MAX_TIMESTAMP)
    with pytest.raises(UsageError):
        clock.tick(0)


@given(st.lists(st.one_of(st.tuples(st.just("tick"), st.integers(0, 2**60)),
                          st.tuples(st.just("observe"), st.integers(0, 2**60)))))
def test_ticks_are_strictly_increasing_whatever_the_inputs(events: list[tuple[str, int]]) -> None:
    clock = HybridClock()
    last = -1
    seen = 0
    for kind, value in events:
        if kind == "tick":
            now = clock.tick(value)
            assert now > last and now > seen and now >= value
            last = now
        else:
            clock.observe(value)
            seen = max(seen, value)


@given(st.integers(0, 2**60), st.integers(0, 2**60), st.integers(1, 10_000))
def test_tick_many_equals_that_many_ticks(start: int, wall: int, n: int) -> None:
    one, many = HybridClock(start), HybridClock(start)
    expected = [one.tick(wall) for _ in range(n)]
    first = many.tick_many(wall, n)
    assert list(range(first, first + n)) == expected
    assert many.last == one.last


def test_tick_many_refuses_overflow_and_changes_nothing() -> None:
    clock = HybridClock(MAX_TIMESTAMP - 5)
    with pytest.raises(UsageError):
        clock.tick_many(0, 6)
    assert clock.last == MAX_TIMESTAMP - 5
    with pytest.raises(UsageError):
        clock.tick_many(0, 0)
