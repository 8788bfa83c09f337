"""Search over synced rows: SQLite FTS5 for words, sqlite-vec for vectors, fused
into one ranking (docs/search.md).

Both sides import it and it imports neither: a device searches its
``Replica`` (``sync_client`` registers :func:`search` as ``Replica.search``
and :func:`~sync_search.indexes.open_indexes` as a hook of every replica's
opening), the server its :class:`~sync_search.read_model.ReadModel` of the
rows it stores (``sync_server.search_api``). What it needs of either is
:class:`~sync_search.database.Indexed`.

==================  ============================================================
``indexes``         what the indexes are: tables, triggers, (re)building on open
``indexer``         bringing them up to date: text journal, embedding, ``Indexer``
``vec0_chunks``     writing vectors straight into vec0's chunk tables
``ranking``         the rankings, their fusion, the arguments' checks
``embedders``       embedders and their registry
``read_model``      a database of rows copied from elsewhere, indexed (the server's)
==================  ============================================================
"""

from .indexer import Indexer, refresh_text, refresh_vectors, start_indexer
from .indexes import open_indexes, rebuild_indexes
from .ranking import Hit, SearchResults, search

__all__ = ["Hit", "Indexer", "SearchResults", "open_indexes", "rebuild_indexes", "refresh_text", "refresh_vectors",
           "search", "start_indexer"]
