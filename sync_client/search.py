"""Search on the device: ``Replica.search`` and the indexes of every replica.

The search itself (indexes, rankings, embedders) is :mod:`sync_search`,
which the server imports too; this module plugs it into the replica: every
replica keeps the indexes of its searchable collections
(:func:`sync_search.indexes.open_indexes` runs as it opens), and
:meth:`Replica.search` is :func:`sync_search.ranking.search`. The package's
``__init__`` imports it, so both hold for every replica.

It also names what a device app uses of search, so that one import serves:
``from sync_client.search import start_indexer, register_embedder``.
"""

from __future__ import annotations

from sync_search.embedders import Embedder, get_embedder, register_embedder
from sync_search.indexer import Indexer, refresh_text, refresh_vectors, start_indexer
from sync_search.indexes import open_indexes, rebuild_indexes
from sync_search.ranking import CATCH_UP, MODES, Hit, SearchResults, search

from .replica import on_open, set_searcher

__all__ = ["CATCH_UP", "MODES", "Embedder", "Hit", "Indexer", "SearchResults", "get_embedder", "rebuild_indexes",
           "refresh_text", "refresh_vectors", "register_embedder", "search", "start_indexer"]

on_open(open_indexes)
set_searcher(search)
