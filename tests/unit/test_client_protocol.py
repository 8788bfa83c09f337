"""The device's protocol state machine over a real replica file: after an Ack
whose head is past the cursor, the device waits for the live batch that
follows instead of pulling its own rows back, and pulls only if none comes."""

from __future__ import annotations

from pathlib import Path

from shared.apps.notes import schema
from shared.messages import Ack, Changes, MutationResult, Pull, Push, Welcome
from sync_client.protocol import ClientProtocol
from sync_client.replica import Replica


def _live(tmp_path: Path) -> tuple[Replica, ClientProtocol, Push]:
    replica = Replica(str(tmp_path / "d.db"), schema)
    protocol = ClientProtocol(replica, "token")
    protocol.connect()
    protocol.receive(Welcome(server_clock=1, last_client_seq=0, cursor=0, default_scope="user:ada"))
    protocol.receive(Changes(cursor=0, more=False))
    replica.insert("notes", {"title": "mine"})
    (push,) = protocol.push()
    assert isinstance(push, Push)
    return replica, protocol, push


def _ack(push: Push, head: int) -> Ack:
    return Ack(results=[MutationResult(client_seq=m.client_seq, status="applied", versions=[1]) for m in push.mutations],
               server_clock=2, cursor=head)


def test_an_ack_past_the_cursor_waits_for_its_live_batch(tmp_path: Path) -> None:
    replica, protocol, push = _live(tmp_path)
    assert protocol.receive(_ack(push, head=1)) == []  # no pull of our own row
    assert protocol.head_check_due and not protocol.idle
    protocol.receive(Changes(cursor=1, more=False))  # the live batch, its rows left out (no echo)
    assert not protocol.head_check_due and protocol.idle
    assert protocol.check_head() == []
    replica.close()


def test_with_no_live_batch_after_the_ack_the_device_asks_for_the_head(tmp_path: Path) -> None:
    """A push that touched none of the device's scopes (all of it refused while
    others committed elsewhere) has no live batch for it."""
    replica, protocol, push = _live(tmp_path)
    protocol.receive(_ack(push, head=7))
    assert protocol.head_check_due
    (pull,) = protocol.check_head()
    assert isinstance(pull, Pull) and pull.cursor == 0
    assert not protocol.head_check_due and protocol.check_head() == []  # asked once
    protocol.receive(Changes(cursor=7, more=False))
    assert protocol.idle
    replica.close()
