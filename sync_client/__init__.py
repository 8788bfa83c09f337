"""offsync's device side: the local replica, search, and the sync loop."""

from .replica import Conflict, QueueEntry, Replica

__all__ = ["Conflict", "QueueEntry", "Replica"]
