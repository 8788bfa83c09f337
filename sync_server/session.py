"""One connection's protocol state, without I/O.

The Starlette adapter feeds decoded messages to :meth:`ServerSession.receive`
(with the time, so a message after the token's expiry closes the socket) and
calls :meth:`ServerSession.expire` when the token's time is up; it carries out
the actions they return; the in-memory tests do the same
without sockets. States and what each message does in them:

============  ==========  ====================================================
state         message     effect
============  ==========  ====================================================
AWAIT_HELLO   Hello       verify token and schema -> Welcome, READY
AWAIT_HELLO   other       Error(unauthorized) and close 1008
READY         Push        SubmitPush (the writer acks after commit)
READY         Pull        StartPull (pages of Changes, then live)
READY         Token       a fresh token (same user and scopes) replaces the
                          grant; a bad one: Error, the old one stays
READY         Hello       Error(protocol); stays usable
READY         (expiry)    the token expired: Error(token_expired), close 1008
any           Error       ignored (the client reports its own trouble)
CLOSED        anything    ignored
============  ==========  ====================================================
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from shared.errors import AuthError, ProtocolMismatch, SchemaMismatch, SyncError
from shared.evolution import History
from shared.messages import MIN_PROTOCOL, PROTOCOL_VERSION, Error, Hello, Message, Pull, Push, Token, Welcome
from shared.schema import Schema

from .auth import Grant, TokenAuthority, check_client_id_free
from .engine import Engine, PushRequest

#: WebSocket close codes the server uses
CLOSE_POLICY = 1008  # missing, bad or expired token (at Hello or later); a message before Hello
CLOSE_TOO_BIG = 1009  # a frame over the size limit (closed by the server itself)
CLOSE_SCHEMA = 4001  # the server does not serve the device's schema version (or its declaration)
CLOSE_SLOW = 4002  # the device did not read its changes fast enough
CLOSE_BUSY = 1013  # the user has too many sockets open (try again later)
CLOSE_PROTOCOL = 4003  # the device speaks a protocol version this server does not
CLOSE_GAP = 4004  # the device kept pushing past a mutation it no longer sends (GAP_ACKS_TO_CLOSE gap answers in a row)

#: Acks in a row whose every result is ``gap`` before the socket is closed: a
#: device that lost the mutations the server waits for (a store restored from
#: an older copy, met by a client from before ServerBehind) would otherwise
#: push them again for ever, at full speed. Well past what a device's pushes
#: in flight (4) give after one of them failed.
GAP_ACKS_TO_CLOSE = 16


class State(enum.Enum):
    AWAIT_HELLO = "await_hello"
    READY = "ready"
    CLOSED = "closed"


@dataclass
class Send:
    message: Message


@dataclass
class Close:
    code: int
    reason: str


@dataclass
class SubmitPush:
    request: PushRequest


@dataclass
class StartPull:
    cursor: int
    limit: int
    resync: bool = False


Action = Send | Close | SubmitPush | StartPull


def error_message(exc: SyncError) -> Error:
    """The wire form of an error: code, message, path; never internal detail."""
    return Error(code=exc.code, message=exc.message, path=exc.path)


class ServerSession:
    """The server side of one connection (WebSocket), sans I/O."""

    def __init__(self, engine: Engine, authority: TokenAuthority, schema: Schema | History, *,
                 json: bool = False) -> None:
        self.engine = engine
        self.authority = authority
        self.history = History.of(schema)
        self.schema = self.history.current
        #: the device's schema version, once its Hello is accepted (rows to it are translated)
        self.schema_version = self.schema.version
        self.json = json
        self.state = State.AWAIT_HELLO
        self.grant: Grant | None = None
        self.client_id = ""
        #: the protocol version the device speaks (its Hello says; 1 until then)
        self.protocol = 1

    def receive(self, message: Message, now: float | None = None) -> list[Action]:
        """Handle one decoded message; return what the adapter must do.

        Args:
            now: seconds since the epoch; with it, a message that comes after
                the token expired closes the socket (:meth:`expire`).
        """
        if self.state is State.CLOSED or isinstance(message, Error):
            return []
        if self.state is State.AWAIT_HELLO:
            if not isinstance(message, Hello):
                return self._close(AuthError("send hello with a token first", path="$.type"), CLOSE_POLICY)
            return self._hello(message)
        if now is not None and (expired := self.expire(now)):
            return expired
        if isinstance(message, Token):
            return self._fresh_token(message)
        if isinstance(message, Push):
            assert self.grant is not None
            return [SubmitPush(PushRequest(self.client_id, self.grant, message.mutations, self.json,
                                           told_versions=self.tells_versions))]
        if isinstance(message, Pull):
            return [StartPull(message.cursor, message.limit, message.resync)]
        kind = type(message).__name__.lower()
        return [Send(Error(code="protocol", message=f"a client does not send {kind} now", path="$.type"))]

    @property
    def tells_versions(self) -> bool:
        """Whether this device's Acks tell row versions in place of its echo
        (protocol 3 on the current schema version: ``sync_server.wire``)."""
        return self.protocol >= 3 and self.schema_version == self.schema.version

    def expire(self, now: float) -> list[Action]:
        """Close if the token has expired by ``now`` (seconds since the epoch)."""
        if self.state is not State.READY or self.grant is None or now < self.grant.expires_at:
            return []
        return self._close(AuthError("the token has expired: reconnect with a fresh one", path="$.token",
                                     code="token_expired"), CLOSE_POLICY)

    def _fresh_token(self, message: Token) -> list[Action]:
        assert self.grant is not None
        try:
            grant = self.authority.verify(message.token)
        except AuthError as exc:
            return [Send(error_message(exc))]
        if grant.user != self.grant.user or grant.read != self.grant.read or grant.write != self.grant.write:
            return [Send(Error(code="forbidden", path="$.token",
                               message="a fresh token must name the same user and scopes; reconnect with it"))]
        self.grant = grant
        return []

    def bad_input(self, exc: SyncError) -> list[Action]:
        """A frame that could not be decoded: answer, and close if not yet authenticated."""
        if self.state is State.AWAIT_HELLO:
            return self._close(exc, CLOSE_POLICY)
        return [Send(error_message(exc))]

    def _hello(self, hello: Hello) -> list[Action]:
        if not MIN_PROTOCOL <= hello.protocol <= PROTOCOL_VERSION:
            supported = f"{MIN_PROTOCOL}-{PROTOCOL_VERSION}" if MIN_PROTOCOL < PROTOCOL_VERSION else str(PROTOCOL_VERSION)
            return self._close(ProtocolMismatch(
                f"protocol version {hello.protocol} is not served here (this server speaks {supported})",
                path="$.protocol"), CLOSE_PROTOCOL)
        try:
            grant = self.authority.verify(hello.token)
            check_client_id_free(hello.client_id)
            last_client_seq = self.engine.check_device(hello.client_id, grant.user)
        except AuthError as exc:
            return self._close(exc, CLOSE_POLICY)
        try:
            self.history.check_peer(hello.schema_version, hello.schema_fingerprint)
        except SchemaMismatch as mismatch:
            return self._close(mismatch, CLOSE_SCHEMA)
        self.schema_version = hello.schema_version
        self.protocol = hello.protocol
        self.grant = grant
        self.client_id = hello.client_id
        self.state = State.READY
        return [Send(Welcome(server_clock=self.engine.now(), last_client_seq=last_client_seq,
                             cursor=self.engine.store.head(), user=grant.user, default_scope=grant.default_scope))]

    def _close(self, exc: SyncError, code: int) -> list[Action]:
        self.state = State.CLOSED
        return [Send(error_message(exc)), Close(code, exc.code)]
