"""Every resource one connection or one user can hold on a shared server has
a limit here, with a default that suits a small public deployment
(docs/security.md lists them with their ``offsync serve`` flags).

:class:`FairQueue` is the writer's share between users, counted in
operations: a group commit takes the pushes of the users served least so far
first, up to an operation budget, so another user's small push goes into the
batch after the one being written, however much one user's flood has queued.
"""

from __future__ import annotations

import heapq
import resource
from collections import deque
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from shared.messages import MAX_OPS_PER_MUTATION

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The limits a :class:`~sync_server.app.SyncServer` enforces.

    Args:
        max_connections: TCP connections in all (HTTP and WebSocket); one more
            is closed as soon as it is accepted, before it costs anything.
        max_connections_per_address: TCP connections from one client address
            (an IPv6 address counts by its /64 network, which one host may
            own whole); one more is closed as soon as it is accepted, so one
            machine cannot take every connection. Behind a reverse proxy
            every connection comes from the proxy: raise it to
            ``max_connections`` there and limit clients at the proxy.
        max_connections_per_user: WebSockets of one user; one more is closed
            with 1013 ``too_many_connections`` after its Hello.
        hello_timeout_s: a WebSocket that has not sent a valid Hello by then
            is closed with 1008 ``hello_timeout``.
        max_inbound_bytes: bytes of pushes one WebSocket may have received
            and not yet had acked; past it the server stops reading that
            socket until acks go out (TCP pushes back on the device).
        max_outbound_bytes: bytes waiting to go out on one WebSocket; past it
            the device is cut off as a slow consumer (4002) and its buffer freed.
        max_ops_per_push: operations one Push frame (or HTTP body) may carry:
            the memory a decoded frame costs grows with it, not with its bytes.
        writer_ops_per_batch: the operations a group commit takes, the users
            served least first (:class:`FairQueue`; a push bigger than this
            goes alone); a push costs its operations or its KiB on the wire,
            whichever is more. Another user's small push waits for the batch
            being written and then for its own batch, so this bounds the
            second: at 5,000, a 1-operation push shared its batch with 4 MB
            of a flood (30-130 ms under the flood benchmark); at 1,000 it
            goes alone or with a few small pushes (1-20 ms).
        header_timeout_s: an HTTP request whose headers have not all arrived
            by then is closed.
        body_timeout_s: an HTTP body that has not all arrived by then is
            answered 408.
        accept_error_log_interval_s: accept errors (out of file descriptors)
            are logged at most once per interval.
        max_clock_ahead_s: an insert_order further ahead of the server's wall
            clock is clamped to it (``Engine``).
    """

    max_connections: int = 1000
    max_connections_per_address: int = 256
    max_connections_per_user: int = 20
    hello_timeout_s: float = 10.0
    max_inbound_bytes: int = 32 * MiB
    max_outbound_bytes: int = 32 * MiB
    max_ops_per_push: int = MAX_OPS_PER_MUTATION
    writer_ops_per_batch: int = 1000
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    accept_error_log_interval_s: float = 10.0
    max_clock_ahead_s: float = 60.0

    def __post_init__(self) -> None:
        for name in ("max_connections", "max_connections_per_address", "max_connections_per_user", "max_inbound_bytes", "max_outbound_bytes",
                     "max_ops_per_push", "writer_ops_per_batch"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
        for name in ("hello_timeout_s", "header_timeout_s", "body_timeout_s", "accept_error_log_interval_s"):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"{name} must be > 0 seconds, got {value!r}")
        if not self.max_clock_ahead_s >= 0:
            raise ValueError(f"max_clock_ahead_s must be >= 0 seconds, got {self.max_clock_ahead_s!r}")


def raise_open_file_limit() -> int:
    """Raise this process's soft limit of open files to its hard limit (as
    servers do) and return it: sockets past it fail to be accepted."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = 1 << 20 if hard == resource.RLIM_INFINITY else hard
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


#: how each codec spells the key every operation carries once
_OP_KEYS = {True: b"\xa4kind", False: b'"kind"'}


def may_carry_too_many_ops(frame: bytes, binary: bool, limit: int) -> bool:
    """True if ``frame`` may hold more than ``limit`` operations, told from
    its bytes before it is decoded (decoding is what costs the memory: a
    15 MiB frame of tiny operations cost 454 MiB). Each operation spells its
    ``kind`` key once; a value may spell it too, so this over-counts, and is
    only used with twice the limit; the exact count is taken after decoding.
    A frame too short to spell the key that often is not scanned (0.09 us an
    operation for pushes of 1,000 inserts, against 0.28 to decode them)."""
    key = _OP_KEYS[binary]
    if len(frame) // len(key) <= 2 * limit:
        return False
    return frame.count(key) > 2 * limit


T = TypeVar("T")


class FairQueue(Generic[T]):
    """Pushes waiting for the writer, shared between users by operations.

    Self-clocked fair queuing in operations: a push's tag is where its
    user's work would end if the writer served every waiting user at the same
    pace, ``max(clock, the user's last tag) + cost``, where the clock is the
    tag of the last push taken; batches take pushes in tag order. A user who
    floods runs its tags far ahead of the clock, so a small push of another
    user gets the smallest tag and goes into the very next batch, however
    much the flood has queued. (Taken
    round-robin by push instead, a 5,000-operation push counted as much as a
    1-operation one, and a small push waited behind one whole batch of the
    flood besides the batch being written: 2 of 5,000 operations, up to 1.8 s
    under the flood benchmark.) A user's pushes keep their order.
    """

    def __init__(self) -> None:
        self._by_user: dict[str, deque[tuple[T, int, int, int]]] = {}  # (push, cost, tag, arrival)
        self._heads: list[tuple[int, int, str]] = []  # (tag, arrival, user) of each user's first push
        self._clock = 0  # the tag of the last push taken: the work served, in operations
        self._arrivals = 0  # breaks ties between equal tags in arrival order

    def __bool__(self) -> bool:
        return bool(self._by_user)

    def put(self, user: str, item: T, ops: int) -> None:
        """Queue ``item`` (``ops`` operations) behind ``user``'s earlier ones."""
        cost = max(ops, 1)  # a push of nothing still goes in its turn
        self._arrivals += 1
        queue = self._by_user.get(user)
        if queue is None:  # its earlier pushes, if any, were taken: their tags are behind the clock
            queue = self._by_user[user] = deque([(item, cost, self._clock + cost, self._arrivals)])
            self._push_head(user)
        else:  # behind its own pushes: a flood's tags run ahead of the clock
            queue.append((item, cost, queue[-1][2] + cost, self._arrivals))

    def take(self, max_ops: int, max_items: int) -> list[T]:
        """The next batch: pushes in tag order while the batch stays within
        ``max_ops`` and ``max_items``; the first push always goes in, however
        big (a mutation cannot be split), and the batch ends at the first push
        that does not fit, which leads the next one."""
        batch: list[T] = []
        ops = 0
        while self._heads and len(batch) < max_items:
            tag, _, user = self._heads[0]
            queue = self._by_user[user]
            item, cost, _, _ = queue[0]
            if batch and ops + cost > max_ops:
                break
            heapq.heappop(self._heads)
            queue.popleft()
            batch.append(item)
            ops += cost
            self._clock = tag
            if queue:
                self._push_head(user)
            else:
                del self._by_user[user]
        return batch

    def _push_head(self, user: str) -> None:
        _, _, tag, arrival = self._by_user[user][0]
        heapq.heappush(self._heads, (tag, arrival, user))


#: ``offsync serve`` flags: (flag, Limits field, type, help)
_FLAGS: tuple[tuple[str, str, type, str], ...] = (
    ("--max-connections", "max_connections", int, "open TCP connections in all"),
    ("--max-connections-per-address", "max_connections_per_address", int,
     "open TCP connections from one address (IPv6: one /64)"),
    ("--max-connections-per-user", "max_connections_per_user", int, "WebSockets of one user"),
    ("--hello-timeout", "hello_timeout_s", float, "seconds a WebSocket has to send a valid Hello"),
    ("--max-inbound-bytes", "max_inbound_bytes", int, "bytes of pushes one socket may have unacked"),
    ("--max-outbound-bytes", "max_outbound_bytes", int, "bytes waiting to go out on one socket (then 4002)"),
    ("--max-ops-per-push", "max_ops_per_push", int, "operations one push may carry"),
    ("--writer-ops-per-batch", "writer_ops_per_batch", int,
     "operations a group commit takes, users served least first"),
    ("--header-timeout", "header_timeout_s", float, "seconds an HTTP request has to send its headers"),
    ("--body-timeout", "body_timeout_s", float, "seconds an HTTP body has to arrive (then 408)"),
    ("--accept-error-log-interval", "accept_error_log_interval_s", float,
     "log accept errors at most once per this many seconds"),
    ("--max-clock-ahead", "max_clock_ahead_s", float, "seconds an insert_order may be ahead before it is clamped"),
)


def add_limit_flags(parser: Any) -> None:
    """Add a flag for every limit to an ``argparse`` parser (defaults shown)."""
    defaults = Limits()
    group = parser.add_argument_group("limits (docs/security.md)")
    for flag, name, kind, text in _FLAGS:
        group.add_argument(flag, dest=f"limit_{name}", type=kind, default=getattr(defaults, name),
                           metavar="N", help=f"{text} (default {getattr(defaults, name)})")


def limits_from_args(args: Any) -> Limits:
    """The :class:`Limits` the flags of :func:`add_limit_flags` name.

    Raises:
        ValueError: a limit out of its range, naming it.
    """
    return Limits(**{name: getattr(args, f"limit_{name}") for _, name, _, _ in _FLAGS})
