"""Polar's device-side writes on a replica: budget spend and the run ledger.

The schema and the row-id helpers are in :mod:`shared.apps.polar`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.apps.polar import budget_id, run_event_key

from . import insert_or_ignore

if TYPE_CHECKING:
    from sync_client.replica import Replica


def record_usage(replica: Replica, scope: str, target_id: str, *, at_ms: int, **amounts: int) -> str:
    """Add spend to a budget's usage row, creating it at zero if needed.

    The row is created with zeros and the amounts are added by ``increment``,
    so two devices recording spend offline both count: the server sums the
    deltas, and the second device's insert of the same id does not reset them.

    Args:
        amounts: ``spentMicros``, ``inputTokens``, ``outputTokens``, ``calls``.

    Returns:
        The usage row's id.
    """
    row_id = budget_id(scope, target_id)
    with replica.transaction():
        insert_or_ignore(replica, "polar_budget_usage", {"id": row_id, "scope": scope, "targetId": target_id})
        replica.increment("polar_budget_usage", row_id, amounts)
        replica.update("polar_budget_usage", row_id, {"updatedAtMs": at_ms})
    return row_id


def record_run_event(replica: Replica, event: dict[str, Any]) -> str:
    """Append one run to the ledger under its deterministic ``runKey``; a replay
    of the same ``(source, id, runId)`` changes nothing. Returns the key."""
    key = run_event_key(event["source"], event["id"], event["runId"])
    insert_or_ignore(replica, "polar_run_events", {**event, "runKey": key})
    return key
