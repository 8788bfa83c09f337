"""``bootstrap`` and ``catch_up``: a device downloads rows from a real server.

* ``bootstrap``: a new device pulls N rows from cursor 0 (N = 10k, 100k, 1M;
  the growth curve ``bootstrap.png``). The server's rows are written into its
  store before it starts (seeding is not what is measured). Rows/s beside the
  raw apsw insert rate of the same rows on the device, and (largest N) beside
  a msgspec encode+decode loop of the same ``Changes`` pages.
* ``catch_up``: a device syncs, goes offline while another device of the same
  user pushes 100,000 inserts through the server, then reconnects; rows/s of
  the catch-up beside the raw rate.

Targets (issue 6): 1M rows in <= 10 s and >= 50 % of the raw rate.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from pathlib import Path

from shared.merge import ALIVE, RowState, Stamp
from shared.messages import MSGPACK, Changes, RowChange
from sync_client.connection import SyncClient
from sync_client.ids import new_id
from sync_server.auth import user_scope
from sync_server.store.base import Batch
from sync_server.store.sqlite import SQLiteStore

from .harness import (
    ChildServer,
    CpuMeter,
    Result,
    codec_rate,
    fill,
    new_device,
    raw_insert_rate,
    raw_rows,
    server_prefix,
    token,
    workdir,
)
from .schema import COLUMNS, stored_row

TARGET_SECONDS_1M = 10.0
TARGET_SHARE = 0.50
PAGE = 2000


def seed(store: SQLiteStore, user: str, n: int) -> list[RowChange]:
    """Write ``n`` benchmark rows for ``user`` straight into the server store;
    returns the first page of them as wire rows (for the codec baseline)."""
    scope = user_scope(user)
    head = store.head()
    first_page: list[RowChange] = []
    chunk = 50_000
    insert_order = time.time_ns() // 1000
    for start in range(0, n, chunk):
        batch = Batch()
        for i in range(start, min(n, start + chunk)):
            values = dict(zip(COLUMNS, stored_row(new_id(), i)))
            row_id = values.pop("id")
            insert_order += 1
            stamp = Stamp(insert_order, "seed-device", 1)
            state = RowState(collection="items", row_id=row_id, scope=scope, version=1, insert_order=insert_order,
                             fields=values, stamps={**dict.fromkeys(values, stamp), ALIVE: stamp})
            head += 1
            batch.rows.append((state, head))
            if len(first_page) < PAGE:
                first_page.append(state.to_change(head))
        batch.head = head
        store.commit_batch(batch)
    return first_page


async def _sync(url: str, replica: object, user: str) -> float:
    client = SyncClient(replica, url, token(user))  # type: ignore[arg-type]
    start = time.perf_counter()
    await client.sync_once(timeout=900)
    return time.perf_counter() - start


def _count(replica: object) -> int:
    return int(replica.execute("SELECT count(*) FROM items")[0][0])  # type: ignore[attr-defined]


def run(quick: bool) -> list[Result]:
    sizes = (1_000, 5_000, 10_000) if quick else (10_000, 100_000, 1_000_000)
    catch_up_rows = 5_000 if quick else 100_000
    out: list[Result] = []
    with workdir("pull") as folder:
        store = SQLiteStore(str(folder / "server.db"), synchronous="OFF")
        pages = {n: seed(store, f"boot-{n}", n) for n in sizes}
        store.close()
        with ChildServer("sync", folder / "server.db", prefix=server_prefix("pull")) as server:
            for n in sizes:
                out.extend(_bootstrap(server, folder, n, pages[n], with_codec=n == sizes[-1]))
            out.append(_catch_up(server, folder, catch_up_rows))
    return out


def _bootstrap(server: ChildServer, folder: Path, n: int, page: list[RowChange], *, with_codec: bool) -> list[Result]:
    replica = new_device(folder, f"boot-{n}")
    meter = CpuMeter(server)
    seconds = asyncio.run(_sync(server.ws_url, replica, f"boot-{n}"))
    cpu = meter.per(n, "row", 2)
    count = _count(replica)
    assert count == n, f"bootstrap of {n} rows ended with {count}"
    replica.close()
    raw = raw_insert_rate(raw_rows(n), folder, repeat=1 if n >= 100_000 else 2)
    rate = n / seconds
    params = {"rows": n, "page": PAGE, **cpu}
    results = [
        Result(f"bootstrap.{n}", rate, "rows/s", "raw_apsw_insert", raw, params=params,
               target=">= 50 % of raw" + (" and <= 10 s" if n >= 1_000_000 else ""),
               met=rate >= TARGET_SHARE * raw and (n < 1_000_000 or seconds <= TARGET_SECONDS_1M)),
        Result(f"bootstrap.{n}.seconds", seconds, "s", "raw_apsw_insert", n / raw, params=params),
    ]
    if with_codec:
        message = Changes(rows=page, cursor=page[-1].seq, more=True, head=n)
        pages = n // len(page)
        codec = codec_rate([message] * pages, pages * len(page))
        frame = MSGPACK.encode(message)
        deflate = zlib.compressobj(wbits=-15)  # what permessage-deflate would send
        deflated = len(deflate.compress(frame) + deflate.flush(zlib.Z_SYNC_FLUSH))
        wire = {"wire_bytes_per_row": round(len(frame) / len(page), 1),
                "deflated_bytes_per_row": round(deflated / len(page), 1)}
        results.append(Result(f"bootstrap.{n}.vs_codec", rate, "rows/s", "msgspec_encode_decode", codec,
                              params={**params, **wire}))
    return results


def _catch_up(server: ChildServer, folder: Path, rows: int) -> Result:
    user = "catch"
    offline = new_device(folder, "catch-offline")
    asyncio.run(_sync(server.ws_url, offline, user))  # registered and caught up, then offline
    writer = new_device(folder, "catch-writer")
    fill(writer, rows, 1000)
    asyncio.run(_sync(server.ws_url, writer, user))
    writer.close()
    seconds = asyncio.run(_sync(server.ws_url, offline, user))
    assert _count(offline) == rows
    offline.close()
    raw = raw_insert_rate(raw_rows(rows), folder, repeat=1)
    rate = rows / seconds
    return Result("catch_up", rate, "rows/s", "raw_apsw_insert", raw,
                  params={"changes": rows, "seconds": round(seconds, 3)})
