"""The schema the benchmarks sync: one plain collection, no search indexes.

Search has its own benchmark (``bench_search.py``); here we measure the sync
engine alone, so ``items`` declares no FTS fields and no vector.
"""

from __future__ import annotations

from typing import Any

from shared.schema import Collection, Field, Schema

items = Collection(
    "items",
    [
        Field("title", "text", required=True),
        Field("body", "text", default=""),
        Field("n", "integer", default=0),
        Field("done", "boolean", default=False),
    ],
)

schema = Schema(version=1, collections=(items,))

#: the columns of the raw baseline table, in insert order (``id`` first)
COLUMNS = ("id", "title", "body", "n", "done")

#: one row of :data:`COLUMNS` into ``items`` (for ``executemany``)
INSERT_SQL = f"INSERT INTO items ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"

_BODY = "lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor"


def item(i: int) -> dict[str, Any]:
    """The app values of the ``i``-th benchmark row (about 120 bytes stored)."""
    return {"title": f"item {i}", "body": _BODY, "n": i, "done": i % 2 == 0}


def stored_row(row_id: str, i: int) -> tuple[Any, ...]:
    """The same row as stored values, in :data:`COLUMNS` order."""
    return (row_id, f"item {i}", _BODY, i, int(i % 2 == 0))
