"""offsync's device side: the local replica, search, and the sync loop."""

from sync_search.indexes import open_indexes
from sync_search.ranking import search

from .replica import Conflict, QueueEntry, Replica, on_open, set_searcher

__all__ = ["Conflict", "QueueEntry", "Replica"]

on_open(open_indexes)  # every replica keeps the indexes of its searchable collections
set_searcher(search)  # Replica.search
