"""The device side of the protocol, without I/O.

:class:`ClientProtocol` takes decoded messages in and returns the messages to
send; the asyncio loop in :mod:`sync_client.connection` only moves bytes, and
tests wire it straight to a server engine in memory.

The life of a queued operation (one row of ``sync_queue``), in one place:

==========  ===============================  ================================
from        event                            to
==========  ===============================  ================================
(none)      a local write commits            PENDING
PENDING     pushed on this connection        IN_FLIGHT
IN_FLIGHT   Ack applied / merged / duplicate gone from the queue
IN_FLIGHT   Ack rejected                     gone; kept in ``sync_conflicts``
IN_FLIGHT   Ack gap, or the connection drops PENDING (pushed again)
any         Changes.applied covers its seq   SETTLED: in the server's rows, so
                                             no longer replayed; kept (and
                                             pushed again after a reconnect)
                                             until an answer says whether it
                                             was applied or rejected
SETTLED     Ack, or the answer to a resend   as from IN_FLIGHT
==========  ===============================  ================================

Only IN_FLIGHT is not stored: it is which client_seqs this connection has sent
and not yet had answered, and a new connection starts with none.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from shared.blocks import row_count
from shared.errors import ProtocolError, RemoteError, ServerBehind
from shared.messages import PROTOCOL_VERSION, Ack, Changes, Error, Hello, Message, Pull, Push, Welcome

from .replica import Replica

PUSH_MAX_MUTATIONS = 1000
#: operations in one Push at most (a mutation bigger than this goes alone): the
#: server's group-commit budget (``Limits.writer_ops_per_batch``). Smaller pushes
#: start the server sooner and keep it busy while the device reads the next, and
#: when many devices push at once, the frames the server is reading and decoding
#: stay small. Ten devices pushing 10,000 ops each against one pushing 100,000,
#: 9 alternated pairs each (docs/performance.md): at 5,000 the ten were faster in
#: 5 pairs of 9 (108.7k against 107.5k ops/s on average), at 1,000 in 8 of 9
#: and 9 of 9 (122.8k against 113.0k, 116.4k against 103.1k)
PUSH_MAX_OPS = 1_000
MAX_IN_FLIGHT = 4
PULL_LIMIT = 2000


class Phase(enum.Enum):
    OFFLINE = "offline"
    HELLO_SENT = "hello_sent"
    PULLING = "pulling"  # catching up from the cursor, page by page
    LIVE = "live"  # caught up; changes stream in as they commit
    CLOSED = "closed"  # the server refused us (token, schema): do not retry as is


#: how long a connection waits for the live batch that follows an Ack before it
#: pulls instead (ClientProtocol.head_check_due)
HEAD_CHECK_S = 0.25

#: server error codes after which reconnecting with the same token cannot help
FATAL_CODES = frozenset({"unauthorized", "token_expired", "forbidden", "schema_mismatch", "protocol_mismatch"})


class ClientProtocol:
    """One connection's worth of protocol state over a :class:`Replica`.

    Args:
        replica: the device's replica.
        token: the JWT the server issued for this user.
        on_changes: called with each applied :class:`Changes` page.
    """

    def __init__(self, replica: Replica, token: str, *, on_changes: Callable[[Changes], None] | None = None) -> None:
        self.replica = replica
        self.token = token
        self.phase = Phase.OFFLINE
        self.on_changes = on_changes
        self.head = 0
        self._acked_head = 0  # the server head after our last acked push
        self._head_check = False  # an Ack left the cursor behind its head (see check_head)
        self._catching_up = False  # a Pull is out
        self.error: RemoteError | None = None
        self._sent_through = 0  # highest client_seq pushed on this connection
        self._in_flight: dict[int, int] = {}  # push number -> highest client_seq in it
        self._pushes = 0
        self.pushed = 0
        self.pulled = 0
        self.rejected = 0
        #: how many Push messages one call of :meth:`push` makes at most. An
        #: adapter that sends each as soon as it is made sets 1 and calls
        #: :meth:`push` again until it returns nothing: the server starts on the
        #: first while the device reads the next (see ``sync_client.connection``)
        self.pushes_per_call = MAX_IN_FLIGHT

    # -- events from the adapter ------------------------------------------

    def connect(self) -> list[Message]:
        """A connection opened: say hello."""
        self.phase = Phase.HELLO_SENT
        self._sent_through = 0
        self._in_flight.clear()
        r = self.replica
        return [Hello(client_id=r.device_id, token=self.token, schema_version=r.schema.version, cursor=r.cursor,
                      last_client_seq=r.last_client_seq, protocol=PROTOCOL_VERSION,
                      schema_fingerprint=r.schema.fingerprint)]

    def disconnected(self) -> None:
        """The connection dropped: whatever was in flight is pending again."""
        if self.phase is not Phase.CLOSED:
            self.phase = Phase.OFFLINE
        self._in_flight.clear()
        self._sent_through = 0

    def receive(self, message: Message) -> list[Message]:
        """Handle one message from the server; return the messages to send."""
        if isinstance(message, Error):
            return self._error(message)
        if self.phase is Phase.HELLO_SENT:
            if not isinstance(message, Welcome):
                raise ProtocolError(f"expected welcome, got {type(message).__name__.lower()}")
            # every mutation below the oldest queued one was answered by a server, and
            # every row up to the cursor was sent by one: a server that does not know
            # them lost them (it would answer gap for ever, or number new rows below
            # the cursor, where this device would never look)
            behind = ServerBehind.check(message.last_client_seq, self.replica.answered_through(), message.cursor,
                                        self.replica.cursor)
            if behind is not None:
                self.phase = Phase.CLOSED
                raise behind
            self.replica.clock.observe(message.server_clock)
            self.replica.set_default_scope(message.default_scope)
            self.head = message.cursor
            self.phase = Phase.PULLING
            self._catching_up = True
            return [self._pull(), *self.push()]
        if isinstance(message, Changes):
            return self._changes(message)
        if isinstance(message, Ack):
            return self._ack(message)
        raise ProtocolError(f"a server does not send {type(message).__name__.lower()} now")

    def push(self) -> list[Message]:
        """Pushes for pending mutations not yet sent on this connection."""
        if self.phase not in (Phase.PULLING, Phase.LIVE):
            return []
        out: list[Message] = []
        # nothing committed since the last push: no need to look (the usual case
        # for a page of other devices' changes)
        while (len(self._in_flight) < MAX_IN_FLIGHT and len(out) < self.pushes_per_call
               and self._sent_through < self.replica.last_client_seq):
            mutations = self.replica.mutations_to_push(self._sent_through, PUSH_MAX_MUTATIONS, PUSH_MAX_OPS)
            if not mutations:
                break
            self._pushes += 1
            self._sent_through = mutations[-1].client_seq
            self._in_flight[self._pushes] = self._sent_through
            self.pushed += len(mutations)
            out.append(Push(mutations=mutations))
        return out

    @property
    def idle(self) -> bool:
        """Caught up (own writes included), nothing in flight, nothing left to push."""
        return (self.phase is Phase.LIVE and not self._in_flight and self.replica.cursor >= self._acked_head
                and not self.replica.has_pending())

    # -- message handlers ----------------------------------------------------

    def _changes(self, changes: Changes) -> list[Message]:
        self.replica.apply_changes(changes)
        self.pulled += row_count(changes)
        self.head = max(self.head, changes.head, changes.cursor)
        if self._catching_up and not changes.more:
            self._catching_up = False
            self.phase = Phase.LIVE
        if self.on_changes is not None:
            self.on_changes(changes)
        return self.push()

    def _ack(self, ack: Ack) -> list[Message]:
        self.replica.apply_results(ack.results, ack.server_clock, ack.cursor)
        self.rejected += sum(1 for r in ack.results if r.status == "rejected")
        if ack.results:
            top = max(r.client_seq for r in ack.results)
            for number, through in list(self._in_flight.items()):
                if through <= top:
                    del self._in_flight[number]
        self._acked_head = max(self._acked_head, ack.cursor)
        if any(r.status == "gap" for r in ack.results):
            # the server wants an earlier mutation first: push again from the oldest pending
            self._in_flight.clear()
            self._sent_through = 0
        self._head_check = True
        return self.push()

    @property
    def head_check_due(self) -> bool:
        """An Ack left the cursor behind the head it named, with nothing in
        flight: the live batch of that commit (its rows, or with no echo only
        its cursor) follows the Ack at once, unless the push touched none of
        our scopes. The caller waits :data:`HEAD_CHECK_S` for it, then calls
        :meth:`check_head`; pulling at once would bring our own rows back."""
        return (self._head_check and not self._in_flight and not self._catching_up
                and self.phase is Phase.LIVE and self.replica.cursor < self._acked_head)

    def check_head(self) -> list[Message]:
        """No live batch came after an Ack: ask where the head is."""
        if not self.head_check_due:
            return []
        self._head_check = False
        self._catching_up = True
        return [self._pull()]

    def _pull(self) -> Pull:
        # a re-sync cut off halfway goes on from its cursor (the server would start it over)
        return Pull(cursor=self.replica.cursor, limit=PULL_LIMIT, resync=self.replica.resyncing)

    def _error(self, error: Error) -> list[Message]:
        self.error = RemoteError(error.code, error.message, path=error.path)
        if error.code in FATAL_CODES:
            self.phase = Phase.CLOSED
        elif error.code == "unavailable":
            # the server could not store a push: send what is pending again
            self._in_flight.clear()
            self._sent_through = 0
            return self.push()
        return []
