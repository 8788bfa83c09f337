"""offsync's device side: the local replica, search, and the sync loop."""

from . import search as _search  # noqa: F401  (keeps search indexes on every replica; Replica.search)
from .replica import Conflict, QueueEntry, Replica

__all__ = ["Conflict", "QueueEntry", "Replica"]
