"""A device process for the crash test: writes in a loop and stays in sync.

Run as ``python -m tests.chaos.device DB DEVICE_ID URL TOKEN``. Every local
transaction inserts uniquely keyed notes (``<device>-<n>``: one, or one time
in ten a batch queued by reference) and adds their number to two counters:
the device's own (``c-<device>``) and one all devices share (``shared``). So
the committed work of a device can be read back from its own file after a
SIGKILL: its notes, and each counter must equal the number of notes behind
it. The sync loop (``SyncClient`` on a thread) pushes and pulls
all the time, reconnecting whenever the server is killed.
"""

from __future__ import annotations

import random
import sys
import time

from shared.apps.notes import schema
from sync_client.connection import Backoff, SyncClient
from sync_client.replica import BULK_ROWS, Replica

SHARED = "shared"


def own_counter(device_id: str) -> str:
    return f"c-{device_id}"


def note_id(device_id: str, n: int) -> str:
    return f"{device_id}-{n:07d}"


def next_number(replica: Replica, device_id: str) -> int:
    """One past the highest note number this device committed (read from its file)."""
    rows = replica.connection.execute("SELECT max(id) FROM notes WHERE id LIKE ?", (f"{device_id}-%",)).fetchall()
    last = rows[0][0]
    return 1 if last is None else int(last.rsplit("-", 1)[1]) + 1


def write_once(replica: Replica, device_id: str, n: int, count: int = 1) -> None:
    """One transaction: ``count`` new notes (from number ``n``; a batch of
    BULK_ROWS or more is queued by reference) and +count on both counters."""
    with replica.transaction():
        notes = [{"id": note_id(device_id, k), "title": f"note {k}", "body": device_id} for k in range(n, n + count)]
        replica.insert_many("notes", notes)
        for counter in (own_counter(device_id), SHARED):
            if replica.get("counters", counter) is None:
                replica.insert("counters", {"id": counter, "name": counter})
            replica.increment("counters", counter, {"value": count})


def main(argv: list[str]) -> None:
    path, device_id, url, token = argv[:4]
    replica = Replica(path, schema, device_id=device_id)
    client = SyncClient(replica, url, token, backoff=Backoff(base=0.05, cap=0.5))
    client.start()
    n = next_number(replica, device_id)
    print("ready", flush=True)
    rng = random.Random()
    while True:  # until killed
        count = BULK_ROWS if rng.random() < 0.1 else 1
        write_once(replica, device_id, n, count)
        n += count
        time.sleep(rng.uniform(0.002, 0.03))


if __name__ == "__main__":
    main(sys.argv[1:])
