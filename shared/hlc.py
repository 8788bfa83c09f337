"""The hybrid logical clock behind ``insertOrder``.

A timestamp is a 64-bit integer of microseconds since the Unix epoch. The
clock never reads time itself: the caller passes the wall time in, so tests
can run it backwards and the pure core stays deterministic.

Rules (the whole algorithm):

* ``tick(wall)`` returns ``max(wall, last + 1)``: strictly increasing on one
  device, even when the wall clock jumps back.
* ``observe(remote)`` moves ``last`` up to a timestamp heard from the server,
  so a device whose clock runs slow still orders its next write after the
  writes it has already seen.
"""

from __future__ import annotations

from .errors import UsageError

MAX_TIMESTAMP = 2**63 - 1


class HybridClock:
    """Produces strictly increasing microsecond timestamps."""

    __slots__ = ("last",)

    def __init__(self, last: int = 0) -> None:
        if not 0 <= last <= MAX_TIMESTAMP:
            raise UsageError(f"clock start must be within 0..2**63-1, got {last}")
        self.last = last

    def tick(self, wall_us: int) -> int:
        """Return a timestamp later than every one issued or observed before.

        Args:
            wall_us: the wall clock now, in microseconds since the epoch.
        """
        last = self.last + 1
        now = wall_us if wall_us > last else last
        if now > MAX_TIMESTAMP:
            raise UsageError("hybrid clock overflowed 64 bits")
        self.last = now
        return now

    def tick_many(self, wall_us: int, n: int) -> int:
        """Issue ``n`` consecutive timestamps at once; return the first.

        The same as ``n`` calls of :meth:`tick` with the same wall time:
        ``first, first + 1, ..., first + n - 1``.
        """
        if n < 1:
            raise UsageError(f"tick_many needs n >= 1, got {n}")
        first = max(wall_us, self.last + 1)
        if first + n - 1 > MAX_TIMESTAMP:
            raise UsageError("hybrid clock overflowed 64 bits")
        self.last = first + n - 1
        return first

    def observe(self, remote_us: int) -> None:
        """Move the clock forward to a timestamp received from a peer."""
        if remote_us > self.last:
            if remote_us > MAX_TIMESTAMP:
                raise UsageError("remote timestamp does not fit in 64 bits")
            self.last = remote_us
