"""``local_write``: writes on the device's replica, no network.

* one row per transaction through ``Replica.insert``: latency p50 / p99
  (a row, its ``sync_queue`` entry, one commit);
* batched: ``insert_many`` (one transaction) and plain SQL ``executemany`` on
  the replica's connection (captured by the triggers), in rows/s, each beside
  the raw apsw ``executemany`` of the same rows into a plain table.

Issue 2's target: batched replica inserts >= 40 % of the raw rate.
"""

from __future__ import annotations

import time

from .harness import Result, new_device, percentile, raw_insert_rate, raw_rows, workdir
from .schema import INSERT_SQL, item

TARGET_SHARE = 0.40


def run(quick: bool) -> list[Result]:
    batch = 5_000 if quick else 100_000
    singles = 500 if quick else 5_000
    out: list[Result] = []
    with workdir("local") as folder:
        rows = raw_rows(batch)
        raw = raw_insert_rate(rows, folder)
        replica = new_device(folder, "single")
        latencies = []
        for i in range(singles):
            start = time.perf_counter()
            replica.insert("items", item(i))
            latencies.append(time.perf_counter() - start)
        replica.close()
        params = {"rows": singles, "synchronous": "NORMAL", "journal": "WAL"}
        for p in (50, 99):
            out.append(Result(f"local_write.single_txn_p{p}", percentile(latencies, p) * 1e3, "ms", params=params))

        values = [item(i) for i in range(batch)]  # the app's rows exist before it writes them
        api = _best_rate(lambda r: r.insert_many("items", values), folder, "api", batch)
        out.append(_share("local_write.batched_api", api, raw, batch))

        def plain_sql(replica: object) -> None:
            with replica.transaction():  # type: ignore[attr-defined]
                replica.connection.executemany(INSERT_SQL, rows)  # type: ignore[attr-defined]

        sql_rate = _best_rate(plain_sql, folder, "sql", batch)
        out.append(_share("local_write.batched_sql", sql_rate, raw, batch))
    return out


def _best_rate(write: object, folder: object, name: str, count: int, repeat: int = 2) -> float:
    best = 0.0
    for attempt in range(repeat):
        replica = new_device(folder, f"{name}-{attempt}")  # type: ignore[arg-type]
        start = time.perf_counter()
        write(replica)  # type: ignore[operator]
        best = max(best, count / (time.perf_counter() - start))
        assert replica.pending_count() == count
        replica.close()
    return best


def _share(name: str, rate: float, raw: float, rows: int) -> Result:
    return Result(name, rate, "rows/s", "raw_apsw_insert", raw, params={"rows": rows},
                  target=">= 40 % of raw", met=rate >= TARGET_SHARE * raw)
