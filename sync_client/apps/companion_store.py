"""Companion app code on top of a device replica: seeded defaults and the few
multi-row writes the document names (tags, check-ins, context history, chat
pagination, push metrics).

Everything here is plain SQL or the replica API on
:class:`~sync_client.replica.Replica`; the capture triggers queue each write
in the same transaction, so these helpers know nothing about sync.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from shared.apps import compound_id
from shared.apps.companion import AGENTS, SINGLETON_ID, goal_check_ins, habit_check_ins
from shared.errors import ValidationError

from . import insert_or_ignore

if TYPE_CHECKING:
    from sync_client.replica import Replica

#: the ``insertOrder`` of seeded rows: older than any real write, so under
#: last-writer-wins a default never overwrites a setting a person made on
#: another device, whichever device seeded last
SEED_INSERT_ORDER = 1

#: rows that exist on every device from the first start (``INSERT OR IGNORE``)
DEFAULT_ROWS: Mapping[str, list[dict[str, Any]]] = {
    "user_context": [{"id": SINGLETON_ID}],
    "notification_preferences": [{"id": SINGLETON_ID}],
    "push_delivery_metrics": [{"id": SINGLETON_ID}],
    "agent_states": [{"id": name} for name in AGENTS],
}

#: seeded only into a fresh database (see :func:`seed_defaults`)
STARTER_ROWS: Mapping[str, list[dict[str, Any]]] = {
    "habits": [
        {"id": "starter-study-sprint", "name": "Study sprint", "cadence": "daily", "targetPerWeek": 5,
         "motivation": "Short focused blocks beat long unfocused ones."},
        {"id": "starter-sleep", "name": "Sleep before midnight", "cadence": "daily", "targetPerWeek": 6},
        {"id": "starter-move", "name": "Move for 20 minutes", "cadence": "daily", "targetPerWeek": 4},
    ],
    "goals": [
        {"id": "starter-assignments", "title": "Hand in every assignment on time", "cadence": "weekly",
         "targetCount": 1},
        {"id": "starter-review", "title": "Review lecture notes weekly", "cadence": "weekly", "targetCount": 1},
    ],
}

#: check-in collection -> the field naming its habit or goal (the first of its unique pair)
_CHECK_IN_OWNER = {c.name: c.unique[0][0] for c in (habit_check_ins, goal_check_ins)}


def seed_defaults(replica: Replica) -> int:
    """Insert the default rows the app expects, once (``INSERT OR IGNORE``).

    Singletons and agent states get fixed ids, so seeding twice, or on two
    devices offline, never duplicates: the server merges the two inserts into
    one row. Starter habits and goals go only into a *fresh* database: one
    whose ``user_context`` row is absent, i.e. neither seeded here before nor
    pulled from the server (a device that syncs first gets the user's own).

    Returns:
        The number of rows inserted (0 when everything was there).
    """
    with replica.transaction():
        fresh = replica.get("user_context", SINGLETON_ID) is None
        seeds = [*DEFAULT_ROWS.items(), *(STARTER_ROWS.items() if fresh else ())]
        return sum(insert_or_ignore(replica, name, row, insert_order=SEED_INSERT_ORDER)
                   for name, rows in seeds for row in rows)


# -- tags ------------------------------------------------------------------------


def tag_id(name: str) -> str:
    """The id of the tag called ``name`` (case-insensitive), the same on every device."""
    return compound_id("tag", name.strip().casefold())


def tag_entry(replica: Replica, entry_id: str, name: str, *, color: str | None = None) -> str:
    """Attach the tag ``name`` to a journal entry, creating the tag if needed.

    Both rows are written in one transaction (one mutation). Returns the tag id.
    """
    tid = tag_id(name)
    with replica.transaction():
        insert_or_ignore(replica, "tags", {"id": tid, "name": name.strip(), "color": color})
        insert_or_ignore(replica, "journal_entry_tags", {"id": compound_id(entry_id, tid), "entryId": entry_id,
                                                         "tagId": tid})
    return tid


def untag_entry(replica: Replica, entry_id: str, name: str) -> None:
    """Remove the tag ``name`` from a journal entry (the tag itself stays)."""
    replica.execute("DELETE FROM journal_entry_tags WHERE id = ?", (compound_id(entry_id, tag_id(name)),))


def entry_tags(replica: Replica, entry_id: str) -> list[str]:
    """The names of an entry's tags, sorted."""
    rows = replica.execute(
        "SELECT t.name FROM journal_entry_tags l JOIN tags t ON t.id = l.tagId WHERE l.entryId = ? ORDER BY t.name",
        (entry_id,))
    return [r[0] for r in rows]


# -- habits and goals ----------------------------------------------------------------


def check_in(replica: Replica, collection: str, owner_id: str, date: str, **values: Any) -> str:
    """Record a habit or goal check-in for one day; twice the same day is one row.

    Args:
        collection: ``habit_check_ins`` or ``goal_check_ins``.
        owner_id: the habit's or goal's id.
        date: the local day, ``YYYY-MM-DD``.
        values: more fields (``completed``, ``value``, ``note``, ``timestamp``).

    Raises:
        ValidationError: an unknown collection or field.
    """
    owner = _CHECK_IN_OWNER.get(collection)
    if owner is None:
        raise ValidationError(f"check-ins live in habit_check_ins or goal_check_ins, not {collection!r}",
                              path="$.collection")
    row_id = compound_id(owner_id, date)
    with replica.transaction():
        if replica.get(collection, row_id) is None:
            replica.insert(collection, {"id": row_id, owner: owner_id, "date": date, **values})
        elif values:
            replica.update(collection, row_id, values)
    return row_id


# -- context, chat, push --------------------------------------------------------------


def set_context(replica: Replica, at_ms: int, **levels: str) -> None:
    """Change the user's context singleton and append the change to ``context_history``.

    Args:
        at_ms: when, in milliseconds since the epoch.
        levels: ``stressLevel``, ``energyLevel`` and/or ``mode``.
    """
    with replica.transaction():
        replica.update("user_context", SINGLETON_ID, {**levels, "updatedAt": at_ms})
        current = replica.get("user_context", SINGLETON_ID) or {}
        replica.insert("context_history", {"stressLevel": current.get("stressLevel"),
                                           "energyLevel": current.get("energyLevel"),
                                           "mode": current.get("mode"), "timestamp": at_ms})


def chat_history(replica: Replica, *, page: int = 1, page_size: int = 20) -> list[dict[str, Any]]:
    """One page of chat messages, newest page first, oldest-first within the page
    (the document's ``getChatHistory({ page, pageSize })``)."""
    if page < 1 or page_size < 1:
        raise ValidationError("page and page_size start at 1", path="$.page")
    rows = replica.query("chat_messages", order_by='"insertOrder" DESC', limit=page_size * page)
    return list(reversed(rows[(page - 1) * page_size:]))


def record_push_delivery(replica: Replica, *, delivered: bool, at_ms: int, error: str | None = None) -> None:
    """Count one push delivery attempt; counts from several devices add up."""
    with replica.transaction():
        replica.increment("push_delivery_metrics", SINGLETON_ID,
                          {"attempted": 1, "delivered" if delivered else "failed": 1})
        stamp = {"lastSuccessAt": at_ms} if delivered else {"lastFailureAt": at_ms, "lastError": error}
        replica.update("push_delivery_metrics", SINGLETON_ID, stamp)
