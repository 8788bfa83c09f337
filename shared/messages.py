"""Wire messages: msgspec tagged structs, one MessagePack and one JSON codec.

MessagePack travels in binary WebSocket frames, JSON in text frames and in
HTTP bodies (browsers, service workers). Both codecs are built once, here, and
reused: building a codec is far more expensive than using one.

Field values inside operations and rows are *stored values* (see
``shared.schema``); the JSON codec carries blob values as base64 text.

The conversation::

    client                          server
    Hello(token, cursor, seq)  ->
                               <-   Welcome(server_clock, last_client_seq)
    Pull(cursor)               ->
                               <-   Changes(rows, cursor, more)      (pages)
    Push(mutations)            ->
                               <-   Ack(results)                     (after commit)
    Token(token)               ->                                    (before the old one expires)
                               <-   Changes(...)                     (live, any time)
                               <-   Error(code, message, path)
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

import msgspec
from msgspec import Meta, Struct

from .errors import MessageError

OpKind = Literal["insert", "update", "delete", "increment"]
#: ``gap``: the server expected an earlier client_seq first; nothing was applied
#: and the device pushes again from its oldest pending mutation.
MutationStatus = Literal["applied", "merged", "rejected", "duplicate", "gap"]

RowId = Union[Annotated[str, Meta(min_length=1, max_length=256)], int]
ClientId = Annotated[str, Meta(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")]
Name = Annotated[str, Meta(min_length=1, max_length=64)]
Count = Annotated[int, Meta(ge=0, le=2**63 - 1)]
Seq = Annotated[int, Meta(ge=1, le=2**63 - 1)]
Scope = Annotated[str, Meta(max_length=256)]

#: The protocol this code speaks, carried in ``Hello.protocol``. Raise it with
#: every change to the messages or their meaning, note the change in
#: docs/protocol.md ("Versions"), and keep ``MIN_PROTOCOL`` at the oldest one
#: the server still answers.
PROTOCOL_VERSION = 3
MIN_PROTOCOL = 1

MAX_OPS_PER_MUTATION = 100_000
MAX_MUTATIONS_PER_PUSH = 10_000
MAX_PAGE = 10_000


class _Base(Struct, forbid_unknown_fields=True, omit_defaults=True, kw_only=True, gc=False):
    """Every message. ``gc=False``: messages hold plain data and never a cycle, so
    the cyclic collector need not track the 100,000 operations of a large push
    (measured: ~1 µs an operation on the server, ~2 on the device)."""


class Operation(_Base):
    """One change to one row. ``fields`` holds stored values: every field for an
    insert, the changed ones for an update, deltas for an increment, nothing for
    a delete. ``scope`` is the row's scope on insert ("" = the writer's default)."""

    kind: OpKind
    collection: Name
    row_id: RowId
    base_version: Count = 0
    insert_order: Count = 0
    fields: dict[str, Any] = {}
    scope: Scope = ""


class Mutation(_Base):
    """The operations of one local transaction, applied all or nothing."""

    client_seq: Seq
    ops: Annotated[list[Operation], Meta(min_length=1, max_length=MAX_OPS_PER_MUTATION)]


class RowChange(_Base):
    """The current state of one row on the server, as of sequence number ``seq``."""

    collection: str
    row_id: RowId
    scope: str
    version: int
    seq: int
    insert_order: int
    deleted: bool = False
    fields: dict[str, Any] = {}


class RowBlock(_Base):
    """Rows of one collection as positional arrays (protocol 3): the field names
    travel once per block, not once per row, so a device decodes a page into
    tuples it binds to its replica's upsert as they are (``sync_client.applying``).

    ``fields`` names the values between the id and ``insert_order`` in each live
    row: the collection's fields after its primary key, in declaration order,
    as the device's schema version declares them. A row appears at most once
    in one message, so live rows and tombstones need no order between them.
    """

    collection: str
    fields: list[str]
    #: live rows: ``[row_id, *values, insert_order, version, scope]``
    rows: list[tuple[Any, ...]] = []
    #: tombstones: ``[row_id, insert_order, version, scope]``
    deleted: list[tuple[Any, ...]] = []


class Hello(_Base, tag="hello"):
    client_id: ClientId
    token: Annotated[str, Meta(max_length=8192)]
    schema_version: Annotated[int, Meta(ge=1)]
    cursor: Count = 0
    last_client_seq: Count = 0
    protocol: Annotated[int, Meta(ge=1, le=2**31 - 1)] = 1
    #: ``Schema.fingerprint`` of ``schema_version`` (protocol 2; '' from older clients)
    schema_fingerprint: Annotated[str, Meta(max_length=64, pattern="^[0-9a-f]*$")] = ""


class Token(_Base, tag="token"):
    """A fresh token for a live connection (protocol 2). The server closes a
    socket with 1008 ``token_expired`` when its token expires, unless the
    device sent a fresh one before: same user, same scopes. A fresh token that
    is not valid is answered with an Error; the old one stays in force."""

    token: Annotated[str, Meta(max_length=8192)]


class Welcome(_Base, tag="welcome"):
    server_clock: int
    last_client_seq: int
    cursor: int
    user: str = ""
    default_scope: str = ""


class Push(_Base, tag="push"):
    mutations: Annotated[list[Mutation], Meta(min_length=1, max_length=MAX_MUTATIONS_PER_PUSH)]


class MutationResult(_Base):
    """The fate of one mutation. ``rows`` holds the server's rows when rejected."""

    client_seq: int
    status: MutationStatus
    reason: str = ""
    message: str = ""
    path: str = ""
    rows: list[RowChange] = []
    #: protocol 3, ``applied`` only: per operation, the server version of its row
    #: once the batch is committed, where that row is exactly what the device
    #: wrote (so the live batch leaves it out: no echo); 0 where it is not (the
    #: row comes in a live batch as before). Empty for older protocols.
    versions: list[int] = []


class Ack(_Base, tag="ack"):
    """Answers to one Push, sent after the commit is durable. ``cursor`` is the
    server's head after that commit: the device is caught up with its own
    writes once it has pulled that far."""

    results: list[MutationResult]
    server_clock: int
    cursor: int = 0


class Pull(_Base, tag="pull"):
    """Pages of rows changed after ``cursor``. ``resync``: this pull goes on
    with a full re-sync the server started (see :class:`Changes`), so a cursor
    below the horizon is served as it is."""

    cursor: Count = 0
    limit: Annotated[int, Meta(ge=1, le=MAX_PAGE)] = 1000
    resync: bool = False


class Changes(_Base, tag="changes"):
    """Rows changed after a cursor, in server order.

    ``applied`` maps client ids to the highest client_seq of theirs that these
    rows include, so one encoding of a live batch serves every subscriber.
    ``more`` says another page follows (bootstrap and catch-up).

    Protocol 3 sends the rows in ``blocks`` (arrays, see :class:`RowBlock`),
    older protocols in ``rows``. A live batch to the connection that pushed
    leaves out the rows its Ack already confirmed as written
    (``MutationResult.versions``); its cursor still moves past them.

    ``resync``: the page belongs to a full re-sync. Tombstones up to the
    server's horizon have been compacted away, so a device whose cursor was
    below it may have missed deletes: the server answers its pull from
    cursor 0 instead (that first page says ``resync_begins``), and once the
    last page (``more`` false) is applied the device deletes every row the
    re-sync did not bring, except rows with local writes still queued."""

    cursor: int
    rows: list[RowChange] = []
    applied: dict[str, int] = {}
    #: protocol 3: the rows as :class:`RowBlock` arrays (``rows`` stays empty)
    blocks: list[RowBlock] = []
    more: bool = False
    server_clock: int = 0
    head: int = 0
    resync: bool = False
    resync_begins: bool = False


class Error(_Base, tag="error"):
    code: str
    message: str
    path: str = ""


Message = Union[Hello, Welcome, Push, Ack, Pull, Changes, Error, Token]
MESSAGE_TYPES: tuple[type[Struct], ...] = (Hello, Welcome, Push, Ack, Pull, Changes, Error, Token)


def _path_of(exc: msgspec.ValidationError) -> str:
    text = str(exc)
    marker = " - at `"
    if marker in text:
        path = text.rsplit(marker, 1)[1].rstrip("`")
        # a bad map key reads "key` in `$.fields": name the map
        return path.removeprefix("key` in `")
    return "$"


def _message_error(exc: Exception) -> MessageError:
    if isinstance(exc, msgspec.ValidationError):
        text = str(exc).split(" - at `", 1)[0]
        return MessageError(text, path=_path_of(exc))
    return MessageError(f"malformed frame: {str(exc).split(' - at ', 1)[0]}", path="$")


class Codec:
    """Encodes and decodes protocol messages in one format. Build once, reuse."""

    def __init__(self, name: Literal["msgpack", "json"]) -> None:
        self.name = name
        self.binary = name == "msgpack"
        if name == "msgpack":
            self._encoder: Any = msgspec.msgpack.Encoder()
            self._decoder: Any = msgspec.msgpack.Decoder(Message)
        else:
            self._encoder = msgspec.json.Encoder()
            self._decoder = msgspec.json.Decoder(Message)

    def encode(self, message: Message) -> bytes:
        """Encode one message."""
        return self._encoder.encode(message)  # type: ignore[no-any-return]

    def decode(self, data: bytes | str) -> Message:
        """Decode one message.

        Raises:
            MessageError: the data is not a valid message; ``path`` names the
                offending field (``$.mutations[0].ops[3].base_version``).
        """
        try:
            return self._decoder.decode(data)  # type: ignore[no-any-return]
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise _message_error(exc) from None
        except RecursionError:  # the decoder's guard: a frame nested ~1,000 deep
            raise MessageError("malformed frame: nested too deeply", path="$") from None


MSGPACK = Codec("msgpack")
JSON = Codec("json")
