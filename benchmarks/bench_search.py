"""``search``: local search over a replica of memory rows.

* top-10 latency p50 / p99 of ``Replica.search`` in ``fts``, ``vector`` and
  ``hybrid`` mode (and hybrid filtered by scope), beside a brute-force NumPy
  cosine scan of the same vectors (float32, query embedding included);
* recall@10 of the vector ranking against that exact scan, and how often a
  query with a typo still finds its row;
* indexing throughput: rows inserted through the API with the FTS and vector
  triggers, plus the FTS refresh and embedding every row into ``vec0``
  (everything until every row is searchable by every mode), beside the
  replica's plain insert rate of the same rows into the same collection
  without indexes;
* what indexing costs per row, in µs: wall clock and CPU (every thread of
  the process: the embedding runs on a second one), in total
  (``search.index_cost_*``, the indexed build minus the plain insert) and
  step by step (``search.step_*``). With a plain insert of P µs per row, the
  index rate is P / (P + ``search.index_cost_wall``) of the plain rate;
* ``search.fts5_build_raw``: SQLite's own FTS5 build of the same texts (apsw
  only, the replica's tokenizer) beside the plain insert: a floor under what
  the text index alone costs.

Targets (full size, 100,000 rows): hybrid p50 <= 50 ms (issue 5), and the
write path (insert with the index triggers, FTS5 journal applied) >= 0.85 of
its limit, the plain insert followed by SQLite's own FTS5 build of the same
rows (``search.write_path_vs_limit``, issue 17: issue 5's "indexing >= 50 %
of the plain insert" was set against the wrong limit). The machine is shared: each build
runs twice, alternating plain and indexed, and the best of each counts.

    python -m benchmarks.bench_search            # 100,000 rows (a few minutes)
    python -m benchmarks.bench_search --quick    # 5,000 rows (seconds)

Figures and what changed are in ``docs/search.md`` ("Benchmark").
"""

from __future__ import annotations

import os
import random
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import apsw
import numpy as np

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import Result, percentile, workdir
from shared.schema import Collection, Field, Schema, Vector
from sync_client.replica import Replica
from sync_search.embedders import get_embedder
from sync_search.indexer import refresh_text, refresh_vectors
from sync_search.indexes import FTS_HASH_BYTES, TOKENIZER

DIM = 256
K = 10
BATCH_ROWS = 2_000
REPEATS = 2
SCOPES = ("user:ada", "user:bob", "space:family", "space:work")
_FIELDS = [Field("kind", "text"), Field("title", "text", required=True), Field("body", "text", default=""),
           Field("createdAtMs", "timestamp")]
INDEXED = Schema(1, (Collection("memory", _FIELDS, fts=("title", "body"),
                                vector=Vector(fields=("title", "body"), dim=DIM)),))
PLAIN = Schema(1, (Collection("memory", _FIELDS),))
_FUNCTION_WORDS = ("the", "a", "to", "of", "and", "in", "on", "at", "for", "is", "it", "with", "my", "we", "i",
                   "be", "by", "or", "as", "so", "an", "our", "me", "up", "do", "was", "this", "that", "not",
                   "but", "from", "have", "are")


_ONSETS = ("", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "br", "cr",
           "dr", "fr", "gr", "pr", "tr", "bl", "cl", "fl", "pl", "sl", "sh", "ch", "th", "st", "sp", "sk", "sw", "qu")
_VOWELS = ("a", "e", "i", "o", "u", "ea", "ou", "ai", "ee", "oo")
_CODAS = ("", "", "n", "r", "s", "t", "l", "m", "nd", "st", "rt", "ck", "ng", "sh")


class Corpus:
    """Deterministic pseudo-English memory rows: a few function words carry
    40 % of the tokens, the rest come from 20,000 content words (one to three
    syllables of English-like onsets, vowels and codas) with Zipf
    frequencies, so word and trigram statistics look like notes, not noise."""

    def __init__(self, seed: int = 5) -> None:
        self.rng = random.Random(seed)
        syllables = [o + v + c for o in _ONSETS for v in _VOWELS for c in _CODAS]
        words: set[str] = set()
        while len(words) < 20_000:
            words.add("".join(self.rng.choice(syllables) for _ in range(self.rng.randint(1, 3))))
        self.content = sorted(words)
        self.rng.shuffle(self.content)
        self._cum = np.cumsum(1.0 / np.arange(1, len(self.content) + 1)).tolist()

    def _words(self, count: int) -> list[str]:
        content = self.rng.choices(self.content, cum_weights=self._cum, k=count)
        return [self.rng.choice(_FUNCTION_WORDS) if self.rng.random() < 0.4 else w for w in content]

    def row(self, i: int) -> dict[str, Any]:
        title = " ".join(self._words(self.rng.randint(3, 7))).capitalize()
        body = " ".join(self._words(self.rng.randint(12, 40))) + "."
        return {"kind": ("fact", "event", "preference")[i % 3], "title": title, "body": body,
                "createdAtMs": 1_700_000_000_000 + i * 1000}

    def query(self, row: dict[str, Any], typo: bool) -> str:
        """Two or three content words of the row; with ``typo``, two letters of one swapped."""
        words = [w for w in dict.fromkeys(f"{row['title']} {row['body']}".lower().rstrip(".").split())
                 if len(w) >= 4]
        picked = self.rng.sample(words, min(len(words), self.rng.randint(2, 3)))
        if typo:
            w = picked[0]
            j = self.rng.randrange(len(w) - 1)
            picked[0] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        return " ".join(picked)


def _insert_all(replica: Replica, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH_ROWS):
        chunk = rows[start:start + BATCH_ROWS]
        scope = SCOPES[(start // BATCH_ROWS) % len(SCOPES)]
        replica.insert_many("memory", chunk, scope=scope)


def _clocks() -> tuple[float, float]:
    """Wall seconds, and CPU seconds of this process (every thread, user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), usage.ru_utime + usage.ru_stime


def _build(folder: Path, name: str, schema: Schema, rows: list[dict[str, Any]]) -> tuple[Replica, dict[str, float]]:
    """A replica with ``rows`` inserted through the API (and indexed, if the
    schema declares indexes), and the wall (``step``) and CPU
    (``step cpu``) seconds each step took."""
    replica = Replica(str(folder / f"{name}.db"), schema)
    steps = [("insert", lambda: _insert_all(replica, rows)), ("text", lambda: refresh_text(replica)),
             ("vectors", lambda: refresh_vectors(replica))]
    times: dict[str, float] = {}
    for step, work in steps:
        wall, cpu = _clocks()
        work()
        wall_after, cpu_after = _clocks()
        times[step], times[f"{step} cpu"] = wall_after - wall, cpu_after - cpu
    return replica, times


def _latencies(search: Callable[[str], object], queries: list[str]) -> list[float]:
    for q in queries[:10]:  # warm the page cache and the embedder
        search(q)
    out = []
    for q in queries:
        start = time.perf_counter()
        search(q)
        out.append(time.perf_counter() - start)
    return out


def run(quick: bool) -> list[Result]:
    """Build the replicas, time them, return the figures (see the module docstring)."""
    n_rows = 5_000 if quick else 100_000
    n_queries = 40 if quick else 300
    corpus = Corpus()
    rows = [corpus.row(i) for i in range(n_rows)]
    params = {"rows": n_rows, "dim": DIM, "k": K, "queries": n_queries, "embedder": "hashed-ngrams",
              "vector_index": "vec0 int8 L2, top 20 re-ranked by cosine", "batch_rows": BATCH_ROWS,
              "load_average_1m_at_start": round(os.getloadavg()[0], 2)}
    out: list[Result] = []
    with workdir("search") as folder:
        best: dict[str, float] = {}
        replica = None
        repeats = 1 if quick else REPEATS
        for attempt in range(repeats):  # alternate, keep each one's best: the machine is shared
            plain, times = _build(folder, f"plain-{attempt}", PLAIN, rows)
            plain.close()
            best["plain"] = min(best.get("plain", 1e9), times["insert"])
            best["plain cpu"] = min(best.get("plain cpu", 1e9), times["insert cpu"])
            if replica is not None:
                replica.close()
            replica, times = _build(folder, f"indexed-{attempt}", INDEXED, rows)
            for step, seconds in times.items():
                best[step] = min(best.get(step, 1e9), seconds)
            best["all"] = min(best.get("all", 1e9), times["insert"] + times["text"] + times["vectors"])
            best["all cpu"] = min(best.get("all cpu", 1e9),
                                  times["insert cpu"] + times["text cpu"] + times["vectors cpu"])
        assert replica is not None
        plain_rate = n_rows / best["plain"]
        indexed_rate = n_rows / best["all"]
        rate_params = {**params, "repeats": repeats, "best_of": True}
        # issue 5's target (indexing >= 0.5 of the plain insert) was set against the
        # wrong limit: SQLite's own FTS5 build alone costs about what the plain insert
        # does. Issue 17: report the write path against plain insert + FTS5's own
        # build, measured here, and keep it near 0.9 of that
        fts5_rate = _raw_fts5_rate(folder, rows, repeats)
        write_path_rate = n_rows / (best["insert"] + best["text"])
        limit_rate = 1 / (1 / plain_rate + 1 / fts5_rate)
        out.append(Result("search.index_rate", indexed_rate, "rows/s", "replica.plain_insert_rate", plain_rate,
                          params={**rate_params, "what": "insert with the index triggers, FTS5 journal applied, "
                                                         "every row embedded into vec0"}))
        out.append(Result("search.write_path_rate", write_path_rate, "rows/s",
                          "replica.plain_insert_rate", plain_rate,
                          params={**rate_params, "what": "insert with the index triggers and FTS5 journal "
                                                         "applied (vectors computed off the write path)"}))
        out.append(Result("search.write_path_vs_limit", write_path_rate, "rows/s",
                          "search.plain_insert_plus_fts5_build", limit_rate,
                          params={**rate_params, "what": "the write path beside its limit: the plain insert "
                                                         "followed by SQLite's own FTS5 build of the same rows"},
                          target=">= 0.85 of plain insert + FTS5 build", met=write_path_rate >= 0.85 * limit_rate))
        out.append(Result("search.embed_rate", n_rows / best["vectors"], "rows/s", params={
            **rate_params, "what": "stale rows embedded and written to vec0 by refresh_vectors"}))
        out.extend(_cost_results(best, n_rows, rate_params))
        # the floor under the indexing target: SQLite's own FTS5 build of the same
        # texts, with no offsync code, beside the plain insert (issue 5 needs every
        # index together to cost no more than the plain insert)
        out.append(Result("search.fts5_build_raw", fts5_rate, "rows/s",
                          "replica.plain_insert_rate", plain_rate, params={
                              **rate_params, "tokenizer": TOKENIZER, "what": "apsw only: one INSERT INTO "
                              "fts5(rowid, title, body) SELECT over a plain table of the same rows"}))

        picks = [corpus.rng.randrange(n_rows) for _ in range(n_queries)]
        typos = [i % 3 == 0 for i in range(n_queries)]
        queries = [corpus.query(rows[p], t) for p, t in zip(picks, typos)]
        out.extend(_latency_results(replica, queries, params))
        out.extend(_quality_results(replica, rows, queries, picks, typos, params))
        replica.close()
    return out


def _raw_fts5_rate(folder: Path, rows: list[dict[str, Any]], repeats: int) -> float:
    """Rows/s of building an FTS5 index (the replica's tokenizer and hash size)
    over ``rows`` already in a plain table: no triggers, journal or Python."""
    best = 0.0
    for attempt in range(repeats):
        c = apsw.Connection(str(folder / f"fts5-{attempt}.db"))
        c.execute("PRAGMA journal_mode=WAL").fetchall()
        c.execute("CREATE TABLE memory (title TEXT, body TEXT)")
        with c:
            c.executemany("INSERT INTO memory VALUES (?, ?)", [(r["title"], r["body"]) for r in rows])
        c.execute(f"CREATE VIRTUAL TABLE fts USING fts5(title, body, content='memory', content_rowid='rowid', "
                  f"tokenize='{TOKENIZER}')")
        c.execute(f"INSERT INTO fts (fts, rank) VALUES ('hashsize', {FTS_HASH_BYTES})")
        start = time.perf_counter()
        with c:
            c.execute("INSERT INTO fts (rowid, title, body) SELECT rowid, title, body FROM memory")
        best = max(best, len(rows) / (time.perf_counter() - start))
        c.close()
    return best


def _cost_results(best: dict[str, float], n_rows: int, params: dict[str, Any]) -> list[Result]:
    """What indexing adds per row, in µs (best runs): wall clock, and CPU of
    every thread (the embedding runs on a second one), step by step. With a
    plain insert of P µs per row, the index rate is P / (P + the wall cost)
    of the plain rate."""
    per_row = 1e6 / n_rows
    out = [Result("search.index_cost_wall", (best["all"] - best["plain"]) * per_row, "us/row", params={
        **params, "what": "indexed insert + FTS refresh + vectors, minus the plain insert"})]
    out.append(Result("search.index_cost_cpu", (best["all cpu"] - best["plain cpu"]) * per_row, "us/row",
                      params=params))
    out.append(Result("replica.plain_insert_cpu", best["plain cpu"] * per_row, "us/row", params=params))
    for step in ("insert", "text", "vectors"):
        out.append(Result(f"search.step_{step}_wall", best[step] * per_row, "us/row", params=params))
        out.append(Result(f"search.step_{step}_cpu", best[f"{step} cpu"] * per_row, "us/row", params=params))
    return out


def _latency_results(replica: Replica, queries: list[str], params: dict[str, Any]) -> list[Result]:
    embedder = get_embedder("hashed-ngrams", DIM)
    texts = _all_texts(replica)
    matrix = embedder.embed(texts)

    def numpy_scan(q: str) -> np.ndarray:
        scores = matrix @ embedder.embed([q])[0]
        top = np.argpartition(-scores, K)[:K]
        return top[np.argsort(-scores[top])]

    base = _latencies(numpy_scan, queries)
    base_p = {p: percentile(base, p) * 1e3 for p in (50, 99)}
    out = [Result(f"search.numpy_scan_p{p}", base_p[p], "ms", params=params) for p in (50, 99)]
    for mode in ("fts", "vector", "hybrid"):
        lat = _latencies(lambda q, m=mode: replica.search("memory", q, k=K, mode=m), queries)
        for p in (50, 99):
            value = percentile(lat, p) * 1e3
            target = "<= 50 ms" if (mode, p) == ("hybrid", 50) else None
            out.append(Result(f"search.{mode}_p{p}", value, "ms", "search.numpy_scan", base_p[p], params=params,
                              target=target, met=None if target is None else value <= 50))
    lat = _latencies(lambda q: replica.search("memory", q, k=K, where="_scope = ?", params=(SCOPES[0],)), queries)
    for p in (50, 99):
        out.append(Result(f"search.hybrid_scoped_p{p}", percentile(lat, p) * 1e3, "ms", "search.numpy_scan",
                          base_p[p], params={**params, "where": "_scope = ? (a quarter of the rows)"}))
    return out


def _all_texts(replica: Replica) -> list[str]:
    rows = replica.connection.execute("SELECT title, body FROM memory ORDER BY rowid").fetchall()
    return [f"{t}\n{b}" for t, b in rows]


def _quality_results(replica: Replica, rows: list[dict[str, Any]], queries: list[str], picks: list[int],
                     typos: list[bool], params: dict[str, Any]) -> list[Result]:
    embedder = get_embedder("hashed-ngrams", DIM)
    matrix = embedder.embed(_all_texts(replica))
    rowids = [r[0] for r in replica.connection.execute("SELECT rowid FROM memory ORDER BY rowid")]
    overlap: list[float] = []
    found: list[bool] = []
    found_fts: list[bool] = []
    for q, pick, typo in zip(queries, picks, typos):
        scores = matrix @ embedder.embed([q])[0]
        exact = {rowids[i] for i in np.argsort(-scores)[:K]}
        got = replica.search("memory", q, k=K, mode="vector")
        got_rowids = {r[0] for r in replica.connection.execute(
            f"SELECT rowid FROM memory WHERE id IN ({', '.join('?' * len(got))})", got.ids())}
        overlap.append(len(exact & got_rowids) / K)
        if typo:
            found.append(rows[pick]["title"] in {h.row["title"] for h in replica.search("memory", q, k=K)})
            found_fts.append(rows[pick]["title"] in {
                h.row["title"] for h in replica.search("memory", q, k=K, mode="fts")})
    return [
        Result("search.vector_recall_at_10", float(np.mean(overlap)), "share", params={
            **params, "against": "exact float32 NumPy cosine top-10"}),
        Result("search.typo_found_hybrid", float(np.mean(found)), "share", "search.typo_found_fts",
               float(np.mean(found_fts)), params={
                   **params, "what": "queries with two letters of one word swapped whose row is in the top-10"}),
    ]


def main() -> None:
    quick = "--quick" in sys.argv
    results = run(quick)
    width = max(len(r.name) for r in results)
    print(f"{'benchmark':{width}}  {'value':>12}  unit    {'baseline':>12}  ratio   target")
    for r in results:
        base = "-" if r.baseline_value is None else f"{r.baseline_value:12.3f}"
        ratio = "-" if r.ratio is None else f"{r.ratio:.3f}"
        verdict = "" if r.target is None else f"{'met' if r.met else 'MISSED'}: {r.target}"
        print(f"{r.name:{width}}  {r.value:12.3f}  {r.unit:6}  {base:>12}  {ratio:6}  {verdict}")


if __name__ == "__main__":
    main()
