"""The hub's fan-out of a committed batch: each subscriber gets the rows of its
scopes, in seq order, encoded once per set of scopes and codec."""

from __future__ import annotations

from typing import Any

from shared.messages import JSON, MSGPACK, Changes, Codec, RowChange
from sync_server.hub import Hub
from sync_server.engine import BatchOutcome


class Subscriber:
    """What the hub needs of a connection: its codec and a live delivery."""

    def __init__(self, codec: Codec = MSGPACK) -> None:
        self.codec = codec
        self.wants_echo = False
        self.payloads: list[bytes] = []

    def deliver_live(self, head: int, payload: bytes) -> None:
        self.payloads.append(payload)

    def rows(self) -> list[tuple[str, int]]:
        (payload,) = self.payloads
        message = self.codec.decode(payload)
        assert isinstance(message, Changes)
        return [(r.scope, r.seq) for r in message.rows]


def outcome(*scopes: str) -> BatchOutcome:
    rows = [RowChange(collection="notes", row_id=f"r{seq}", scope=scope, version=1, seq=seq, insert_order=seq)
            for seq, scope in enumerate(scopes, 1)]
    return BatchOutcome(results=[], rows=rows, applied={"dev": 1}, head=len(rows), server_clock=0)


def test_each_subscriber_gets_the_rows_of_its_scopes_in_seq_order() -> None:
    hub = Hub()
    ada, team, both, idle = Subscriber(), Subscriber(), Subscriber(JSON), Subscriber()
    hub.subscribe(ada, frozenset({"user:ada"}))  # type: ignore[arg-type]
    hub.subscribe(team, frozenset({"team:x"}))  # type: ignore[arg-type]
    hub.subscribe(both, frozenset({"user:ada", "team:x"}))  # type: ignore[arg-type]
    hub.subscribe(idle, frozenset({"user:bob"}))  # type: ignore[arg-type]
    hub.publish(outcome("user:ada", "team:x", "user:ada", "team:x", "team:x"))
    assert ada.rows() == [("user:ada", 1), ("user:ada", 3)]
    assert team.rows() == [("team:x", 2), ("team:x", 4), ("team:x", 5)]
    assert both.rows() == [("user:ada", 1), ("team:x", 2), ("user:ada", 3), ("team:x", 4), ("team:x", 5)]
    assert idle.payloads == []


def test_subscribers_of_the_same_scopes_share_one_encoding() -> None:
    hub = Hub()
    first, second = Subscriber(), Subscriber()
    for subscriber in (first, second):
        hub.subscribe(subscriber, frozenset({"user:ada"}))  # type: ignore[arg-type]
    hub.publish(outcome("user:ada"))
    assert first.payloads[0] is second.payloads[0]


def test_an_empty_batch_sends_nothing() -> None:
    hub = Hub()
    subscriber: Any = Subscriber()
    hub.subscribe(subscriber, frozenset({"user:ada"}))
    hub.publish(outcome())
    assert subscriber.payloads == []


def test_a_batch_carries_the_applied_client_seq_of_its_subscribers_devices_only() -> None:
    hub = Hub()
    ada, bob = Subscriber(), Subscriber()
    hub.subscribe(ada, frozenset({"user:ada"}), "ada", "ada-phone")  # type: ignore[arg-type]
    hub.subscribe(bob, frozenset({"user:bob"}), "bob", "bob-phone")  # type: ignore[arg-type]
    batch = outcome("user:ada", "user:bob")
    batch.applied = {"ada-phone": 7, "bob-phone": 3, "carol-phone": 9}
    hub.publish(batch)
    for subscriber, expected in ((ada, {"ada-phone": 7}), (bob, {"bob-phone": 3})):
        message = subscriber.codec.decode(subscriber.payloads[0])
        assert isinstance(message, Changes) and message.applied == expected


def test_the_hub_knows_which_scopes_and_devices_it_serves() -> None:
    hub = Hub()
    first, second = Subscriber(), Subscriber()
    hub.subscribe(first, frozenset({"user:ada", "team:x"}), "ada", "ada-phone")  # type: ignore[arg-type]
    hub.subscribe(second, frozenset({"user:ada"}), "ada", "ada-laptop")  # type: ignore[arg-type]
    assert hub.scopes == {"user:ada", "team:x"} and hub.scopes_added == {"user:ada", "team:x"}
    assert hub.client_ids == {"ada-phone", "ada-laptop"}
    assert hub.reads_any(frozenset({"team:x", "user:bob"})) and not hub.reads_any(frozenset({"user:bob"}))
    hub.unsubscribe(first)  # type: ignore[arg-type]
    assert hub.scopes == {"user:ada"} and hub.client_ids == {"ada-laptop"}
    hub.unsubscribe(second)  # type: ignore[arg-type]
    assert hub.scopes == frozenset() and hub.client_ids == set()


def _live(subscriber: Subscriber) -> tuple[int, list[str]]:
    """(cursor, row ids) of the one live batch a protocol 3 subscriber got."""
    (payload,) = subscriber.payloads
    message = subscriber.codec.decode(payload)
    assert isinstance(message, Changes)
    return message.cursor, [row[0] for block in message.blocks for row in block.rows]


def test_a_push_one_device_wrote_alone_reaches_it_without_rows_and_others_whole() -> None:
    """A batch whose every row is one device's own as written reaches that
    device with no rows and no pass over them; another device of the same
    user gets them whole."""
    from shared.evolution import History
    from shared.schema import Collection, Field, Schema
    from sync_server.evolution import Translation

    schema = Schema(version=1, collections=(Collection("notes", [Field("title", "text", default="")]),))
    hub = Hub(Translation(History.of(schema)))
    pusher, other, older = Subscriber(), Subscriber(), Subscriber()
    hub.subscribe(pusher, frozenset({"user:ada"}), "ada", "dev", 0, 3)  # type: ignore[arg-type]
    hub.subscribe(other, frozenset({"user:ada"}), "ada", "phone", 0, 3)  # type: ignore[arg-type]
    hub.subscribe(older, frozenset({"user:ada"}), "ada", "dev", 0, 2)  # type: ignore[arg-type]
    batch = outcome("user:ada", "user:ada", "user:ada")
    batch.echo_free = {row.seq: "dev" for row in batch.rows}
    hub.publish(batch)
    assert _live(pusher) == (3, [])
    assert _live(other) == (3, ["r1", "r2", "r3"])
    assert [r for _, r in older.rows()] == [1, 2, 3]  # protocol 2 has no "no echo"
