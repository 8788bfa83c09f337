"""Search a replica's rows, offline: words (FTS5, BM25), vectors (sqlite-vec),
or both fused with reciprocal rank fusion. A replica is a device's (which
calls this as ``Replica.search``) or the server's read model.

    results = replica.search("notes", "dentist tuesday", k=10)
    for hit in results:
        hit.row["title"], hit.score, hit.sources   # e.g. {"fts", "vector"}
    results.stale        # rows whose vector is still being computed

A collection opts in with ``fts=(fields...)`` and/or ``vector=Vector(...)``;
:mod:`sync_search.indexes` keeps the indexes in step with every write
and :mod:`sync_search.indexer` brings them up to date.

Rankings:

``fts``
    BM25 over the FTS5 table; the query's words are OR-ed, so a row with more
    of them (and rarer ones) ranks higher. Where FTS5 is missing the same
    ranking is made with ``LIKE`` (rows ranked by how many query words they
    contain, newest first); ``results.text_engine`` says which ran.
``vector``
    cosine similarity of the embedded query to the rows' vectors: exact
    nearest neighbours over int8 vectors in a ``vec0`` table, re-ranked by
    cosine (recall@10 0.95-0.97 against float32; see the benchmark). A
    search first embeds up to :data:`CATCH_UP` stale rows; ``results.stale`` counts those
    still waiting (an :class:`~sync_search.indexer.Indexer` clears them in
    the background).
``hybrid``
    both, fused: a row scores ``sum(1 / (60 + rank))`` over the rankings that
    found it, so a row found by only one ranking still appears.

``where``/``params`` filter on the collection's columns (fields,
``_scope``, ``insertOrder``...) as in :meth:`Replica.query`, inside each
ranking, so the top k are the top k of the filtered rows.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, overload

import apsw
import numpy as np

from shared import tables
from shared.errors import UsageError, ValidationError
from shared.schema import INSERT_ORDER_COLUMN, SCOPE_COLUMN, VERSION_COLUMN, Collection

from .embedders import get_embedder
from .indexer import quantize, refresh_text, refresh_vectors, stale_count
from .database import Indexed, load_sqlite_vec
from .indexes import fts_table, has_vectors, uses_fts5, vec_table

MODES = ("hybrid", "fts", "vector")
MAX_K = 1000
MAX_TEXT = 1000
MAX_WORDS = 32
#: the constant of reciprocal rank fusion (the value of the original paper)
RRF_K = 60
#: stale rows a search embeds before it answers
CATCH_UP = 512
#: nearest neighbours fetched from vec0 before re-ranking by cosine
VECTOR_CANDIDATES = 20
READER_MMAP_BYTES = 1 << 30

_WORD = re.compile(r"\w+")

__all__ = ["CATCH_UP", "MODES", "Hit", "SearchResults", "search"]


@dataclass(frozen=True)
class Hit:
    """One ranked row.

    Attributes:
        id: the row's primary key.
        row: the row as app values, with ``insertOrder``, ``_version``, ``_scope``.
        score: hybrid: the fused RRF score; fts: BM25 (higher is better);
            vector: cosine similarity.
        sources: the rankings that found the row (``"fts"``, ``"vector"``).
        ranks: the row's 1-based rank in each of those rankings.
    """

    id: Any
    row: dict[str, Any]
    score: float
    sources: frozenset[str]
    ranks: dict[str, int]


@dataclass(frozen=True)
class SearchResults(Sequence[Hit]):
    """The hits, best first, and how fresh the indexes were.

    Attributes:
        hits: at most k rows.
        mode: the mode that ran.
        stale: rows whose vector was not computed yet (0: the vector index
            was current); always 0 when no vector ranking ran.
        text_engine: ``"fts5"``, ``"like"`` (the fallback), or ``""`` when no
            text ranking ran.
    """

    hits: list[Hit]
    mode: str
    stale: int = 0
    text_engine: str = ""
    rankings: tuple[str, ...] = field(default=())

    @overload
    def __getitem__(self, index: int) -> Hit: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Hit]: ...

    def __getitem__(self, index: int | slice) -> Hit | Sequence[Hit]:
        return self.hits[index]

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def ids(self) -> list[Any]:
        """The primary keys of the hits, best first."""
        return [h.id for h in self.hits]


def search(replica: Indexed, collection: str, text: str, *, k: int = 10, mode: str = "hybrid", where: str = "",
           params: Sequence[Any] | Mapping[str, Any] = ()) -> SearchResults:
    """Rank the rows of ``collection`` against ``text``; see the module docstring.

    Args:
        replica: the replica to search.
        collection: a collection that declares ``fts`` and/or ``vector``.
        text: what to look for (1..1000 characters, at least one word).
        k: how many rows to return, 1..1000.
        mode: ``"hybrid"`` (default), ``"fts"`` or ``"vector"``.
        where: an SQL condition on the collection's columns, e.g. ``"_scope = ?"``.
        params: the values of ``where``'s parameters.

    Raises:
        ValidationError: an unknown collection, a mode the collection has no
            index for, an empty or over-long text, k out of range, a bad mode.
        UsageError: a ``where`` clause SQLite refuses, or ``vector`` mode on a
            replica without sqlite-vec.
    """
    coll = _check(replica, collection, text, k, mode)
    use_text = mode != "vector" and bool(coll.fts)
    use_vectors = mode != "fts" and has_vectors(replica, coll)
    if mode == "vector" and not use_vectors:
        raise UsageError(f"{coll.name}: the vector index is off on this replica (sqlite-vec is not loaded)")
    # hybrid fuses each ranking's top 2k: a row ranked past that adds < 1/(60 + 2k)
    depth = k if mode != "hybrid" else max(2 * k, VECTOR_CANDIDATES)
    query_vector = None
    if use_text:
        refresh_text(replica, coll.name)
    if use_vectors:
        refresh_vectors(replica, coll.name, limit=CATCH_UP)
        assert coll.vector is not None
        query_vector = get_embedder(coll.vector.embedder, coll.vector.dim).embed([text])[0]
    ranking = _Ranking(coll, f"({where})" if where.strip() else "", params, depth)
    with replica.lock:
        replica._check_open()
        try:
            rankings = _rank(replica, ranking, text if use_text else None, query_vector)
        except (apsw.SQLError, apsw.BindingsError) as exc:
            raise UsageError(f"{coll.name}: SQLite refused the search with where={where!r}: {exc}") from None
        ranked = _fuse(rankings, k) if mode == "hybrid" else _single(rankings, k)
        rows = _fetch(replica, coll, [rowid for rowid, *_ in ranked])
        stale = stale_count(replica, coll) if use_vectors else 0
    pk = coll.primary_key
    hits = [Hit(rows[rowid][pk], rows[rowid], score, frozenset(ranks), ranks)
            for rowid, score, ranks in ranked if rowid in rows]
    engine = ("fts5" if uses_fts5(replica, coll) else "like") if use_text else ""
    return SearchResults(hits, mode, stale, engine, tuple(rankings))



@dataclass(frozen=True)
class _Ranking:
    """What every ranking of one search shares."""

    coll: Collection
    filter_sql: str
    params: Sequence[Any] | Mapping[str, Any]
    depth: int


def _rank(replica: Indexed, ranking: _Ranking, text: str | None,
          query_vector: np.ndarray | None) -> dict[str, list[tuple[int, float]]]:
    """The text and vector rankings. The vector scan (the slow one) runs on a
    second, memory-mapped connection where there is one, beside the text
    ranking on the replica's own (SQLite releases the GIL while it works)."""
    c = replica.connection
    rankings: dict[str, list[tuple[int, float]]] = {}
    reader = _reader(replica) if query_vector is not None else None
    pending = None
    if reader is not None and query_vector is not None and text is not None:
        pending = _pool().submit(_vector_ranking, reader, ranking, query_vector)
    if text is not None:
        try:
            rankings["fts"] = _text_ranking(c, ranking, text, uses_fts5(replica, ranking.coll))
        except BaseException:
            if pending is not None:  # never leave the reader busy on the pool: it may be closed next
                wait([pending])
            raise
    if pending is not None:
        rankings["vector"] = pending.result()
    elif query_vector is not None:
        rankings["vector"] = _vector_ranking(reader or c, ranking, query_vector)
    return rankings


_readers: weakref.WeakKeyDictionary[Indexed, apsw.Connection] = weakref.WeakKeyDictionary()
_threads: list[ThreadPoolExecutor] = []


def _pool() -> ThreadPoolExecutor:
    if not _threads:
        _threads.append(ThreadPoolExecutor(2, thread_name_prefix="offsync-search"))
    return _threads[0]


def _reader(replica: Indexed) -> apsw.Connection | None:
    """A read-only second connection to the replica's file, memory-mapped
    (vec0 reads its chunks without copying them through the page cache:
    measured 29 ms instead of 35 ms over 100,000 vectors), or None where it
    would not see what the replica sees: an in-memory replica, or a search
    inside an open transaction (its writes are not committed yet)."""
    if replica.path in ("", ":memory:") or "mode=memory" in replica.path or replica.connection.in_transaction:
        return None
    reader = _readers.get(replica)
    if reader is None:
        try:
            reader = apsw.Connection(replica.path, flags=apsw.SQLITE_OPEN_READONLY)
            reader.set_busy_timeout(5000)
            reader.execute(f"PRAGMA mmap_size={READER_MMAP_BYTES}").fetchall()
            if not load_sqlite_vec(reader):
                return None
        except apsw.Error:
            return None  # the replica's own connection will do
        _readers[replica] = reader
        weakref.finalize(replica, reader.close)
    return reader


def _check(replica: Indexed, collection: str, text: str, k: int, mode: str) -> Collection:
    if mode not in MODES:
        raise ValidationError(f"mode must be one of {', '.join(MODES)}; got {mode!r}", path="$.mode")
    if not isinstance(collection, str) or collection not in replica.schema:
        raise ValidationError(f"unknown collection {collection!r}", path="$.collection", code="unknown_collection")
    coll = replica.schema[collection]
    if not coll.fts and coll.vector is None:
        raise ValidationError(f"{coll.name} declares neither fts fields nor a vector: it cannot be searched",
                              path="$.collection", code="not_searchable")
    if mode == "fts" and not coll.fts:
        raise ValidationError(f"{coll.name} declares no fts fields: search it with mode='vector'", path="$.mode",
                              code="not_searchable")
    if mode == "vector" and coll.vector is None:
        raise ValidationError(f"{coll.name} declares no vector: search it with mode='fts'", path="$.mode",
                              code="not_searchable")
    if not isinstance(text, str) or not text.strip():
        raise ValidationError("the search text is empty", path="$.text")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"the search text is longer than {MAX_TEXT} characters", path="$.text")
    if not _WORD.search(text):
        raise ValidationError("the search text has no words (letters or digits)", path="$.text")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise ValidationError(f"k must be an integer within 1..{MAX_K}; got {k!r}", path="$.k")
    return coll


def _words(text: str) -> list[str]:
    return list(dict.fromkeys(w.casefold() for w in _WORD.findall(text)))[:MAX_WORDS]


def _in_filter(ranking: _Ranking, *, hidden: bool = False) -> str:
    """``AND rowid IN (rows passing where)``: a subquery, so that ``where``
    sees the collection's columns and nothing else.

    vec0 takes the set as a pre-filter of its scan. FTS5 would run its MATCH
    once per rowid of the set, so for FTS5 the rowid is ``hidden`` from it
    (``+rowid``) and the set is checked against its matches instead.
    """
    if not ranking.filter_sql:
        return ""
    rowid = "+rowid" if hidden else "rowid"
    return f" AND {rowid} IN (SELECT rowid FROM {tables.quote(ranking.coll.name)} WHERE {ranking.filter_sql})"


def _text_ranking(c: apsw.Connection, ranking: _Ranking, text: str, fts5: bool) -> list[tuple[int, float]]:
    """(rowid, score) best first: BM25 over FTS5, or the LIKE fallback."""
    words = _words(text)
    if not fts5:
        return _like_ranking(c, ranking, words)
    fts = tables.quote(fts_table(ranking.coll))
    # every word quoted: the query language's operators in the text stay words
    match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
    sql = (f"SELECT rowid, bm25({fts}) FROM {fts} WHERE {fts} MATCH {tables.literal(match)}"
           f"{_in_filter(ranking, hidden=True)} ORDER BY bm25({fts}) LIMIT {ranking.depth}")
    return [(rowid, -score) for rowid, score in c.execute(sql, ranking.params)]


def _like_ranking(c: apsw.Connection, ranking: _Ranking, words: list[str]) -> list[tuple[int, float]]:
    """Rows ranked by how many of the words they contain (ASCII case-insensitive), newest first."""
    def contains(word: str) -> str:
        pattern = tables.literal("%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        return "(" + " OR ".join(f"{tables.quote(f)} LIKE {pattern} ESCAPE '\\'" for f in ranking.coll.fts) + ")"

    found = [contains(w) for w in words]
    condition = f"({' OR '.join(found)})" + (f" AND {ranking.filter_sql}" if ranking.filter_sql else "")
    sql = (f"SELECT rowid, {' + '.join(found)} AS _search_score FROM {tables.quote(ranking.coll.name)} "
           f"WHERE {condition} ORDER BY _search_score DESC, {tables.quote(INSERT_ORDER_COLUMN)} DESC "
           f"LIMIT {ranking.depth}")
    return [(rowid, float(score)) for rowid, score in c.execute(sql, ranking.params)]


def _vector_ranking(c: apsw.Connection, ranking: _Ranking, query: np.ndarray) -> list[tuple[int, float]]:
    """(rowid, cosine similarity) best first.

    vec0 finds the exact nearest neighbours by L2 over the int8 vectors, at
    least :data:`VECTOR_CANDIDATES` of them; they are re-ranked by cosine
    against the float query, because rounding makes the stored vectors'
    lengths differ a little, which L2 counts and cosine does not (measured:
    recall@10 0.88 without, 0.97 with 20 candidates).
    """
    stored = quantize(query[None, :])[0]
    if not stored.any():
        return []  # the text embeds to nothing (no n-gram): no row is near it
    vec = tables.quote(vec_table(ranking.coll))
    candidates = max(ranking.depth, VECTOR_CANDIDATES)
    sql = (f"SELECT rowid, embedding FROM {vec} WHERE embedding MATCH vec_int8(X'{stored.tobytes().hex()}') "
           f"AND k = {candidates}{_in_filter(ranking)}")
    found = c.execute(sql, ranking.params).fetchall()
    if not found:
        return []
    blobs: list[bytes] = [r[1] for r in found]  # type: ignore[misc]
    vectors = np.frombuffer(b"".join(blobs), dtype=np.int8).reshape(len(found), -1).astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1)
    cosine = (vectors @ query) / np.where(norms > 0, norms, 1.0) / float(np.linalg.norm(query))
    order = np.argsort(-cosine, kind="stable")[:ranking.depth]
    return [(found[i][0], float(cosine[i])) for i in order]


def _single(rankings: dict[str, list[tuple[int, float]]], k: int) -> list[tuple[int, float, dict[str, int]]]:
    (name, ranking), = rankings.items()
    return [(rowid, score, {name: rank}) for rank, (rowid, score) in enumerate(ranking[:k], 1)]


def _fuse(rankings: dict[str, list[tuple[int, float]]], k: int) -> list[tuple[int, float, dict[str, int]]]:
    """Reciprocal rank fusion: each ranking adds 1 / (RRF_K + rank) to the rows it found."""
    scores: dict[int, float] = {}
    ranks: dict[int, dict[str, int]] = {}
    for name, ranking in rankings.items():
        for rank, (rowid, _) in enumerate(ranking, 1):
            scores[rowid] = scores.get(rowid, 0.0) + 1.0 / (RRF_K + rank)
            ranks.setdefault(rowid, {})[name] = rank
    best = sorted(scores, key=lambda r: (-scores[r], min(ranks[r].values()), r))[:k]
    return [(rowid, scores[rowid], ranks[rowid]) for rowid in best]


def _fetch(replica: Indexed, coll: Collection, rowids: list[int]) -> dict[int, dict[str, Any]]:
    if not rowids:
        return {}
    columns = (*coll.field_names, INSERT_ORDER_COLUMN, VERSION_COLUMN, SCOPE_COLUMN)
    sql = (f"SELECT rowid, {', '.join(map(tables.quote, columns))} FROM {tables.quote(coll.name)} "
           f"WHERE rowid IN ({', '.join('?' * len(rowids))})")
    return {r[0]: coll.from_stored(dict(zip(columns, r[1:]))) for r in replica.connection.execute(sql, rowids)}
