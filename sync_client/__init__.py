"""offsync's device side: the local replica, search, and the sync loop."""

from . import search as _search  # noqa: F401  (registers Replica.search)
from .replica import Conflict, QueueEntry, Replica
from .search_index import open_indexes as _open_indexes  # noqa: F401  (keeps search indexes on every replica)

__all__ = ["Conflict", "QueueEntry", "Replica"]
