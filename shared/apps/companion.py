"""The Companion app's data model (seed ``000``): a student's companion PWA.

Every table of the Companion RuntimeStore is a synced collection here, with
the document's field names (camelCase, as the app already uses them). Each
collection becomes a STRICT table on every device, with the engine's
``insertOrder`` (a hybrid clock in microseconds: the column the app already
sorts and trims by), ``_version`` and ``_scope`` added.

How the document's rules map onto the engine:

* **Auto-trim** (``maxEvents = 100`` ...) is a declared ``retention``: after a
  local insert the device deletes the oldest rows beyond the limit by
  ``insertOrder``, the deletes sync like any other, and a row that still has
  changes in the device's queue is never trimmed.
* **Journal entries** use the ``reject`` policy: two devices editing the same
  entry offline is a conflict a person resolves; the late edit comes back to
  its device in ``replica.conflicts()`` with the server's version beside it.
  The document's "version tracking" is the engine's ``_version``.
* **Tags** are many-to-many through ``journal_entry_tags``; ids of tags and
  links are derived from their keys (:func:`~shared.apps.compound_id`),
  so the same tag made on two devices offline is one row. Foreign keys are not
  declared: rows arrive in server order, and a link may land before its entry.
* **Singletons** (``user_context``, ``notification_preferences``,
  ``push_delivery_metrics``) keep ``id = 1`` as in the document. Every
  collection is ``private`` (a student's own data): its rows live in their
  writer's scope, so every user has their own row 1, and fixed or derived ids
  are never claimed across users (docs/security.md, "Row identity").
* **Push delivery metrics** are counters: devices ``increment`` them and the
  server adds the deltas up, so no device's count overwrites another's.
* **Defaults** (agents, context, preferences, metrics, starter habits and
  goals) are seeded by :func:`sync_client.apps.companion_store.seed_defaults`
  with ``INSERT OR IGNORE`` and fixed ids.
* **Migrations**: ``photos`` was added to ``journal_entries`` after the first
  release (schema version 2), as in the document; opening an older replica
  file adds the column in place (``ALTER TABLE ADD COLUMN``) and keeps its rows.
* **sync_queue** (the document's 17th type) is the engine's own outbox table,
  created in every replica; it is not declared here.

Trim limits the document does not state are not invented: histories
(``context_history``, ``location_history``, check-ins, interactions) are kept
whole, so streaks and context stay computable.
"""

from __future__ import annotations

from shared.schema import Collection, Field, Schema

#: fixed id of the document's singleton rows ("Singleton record (id = 1)")
SINGLETON_ID = 1

#: the agents whose states the app tracks (seeded by ``seed_defaults``); each is also a
#: notification category, on by default in ``notification_preferences.categoryToggles``
AGENTS = ("notes", "lecture-plan", "assignment-tracker", "orchestrator")


def _singleton(name: str, fields: list[Field]) -> Collection:
    """A one-row-per-user table keyed by the integer ``id = 1``."""
    return Collection(name, [Field("id", "integer", required=True), *fields], private=True)


agent_events = Collection(
    "agent_events",
    [
        Field("agentName", "text", required=True),
        Field("eventType", "text", required=True),
        Field("priority", "text", default="medium"),
        Field("payload", "json", default={}),
        Field("timestamp", "timestamp", required=True),
    ],
    retention=100,
    indexes=[("agentName",), ("timestamp",)],
    private=True,
)

notifications = Collection(
    "notifications",
    [
        Field("source", "text", required=True),
        Field("title", "text", required=True),
        Field("message", "text", required=True),
        Field("priority", "text", default="medium"),
        Field("url", "text"),
        Field("read", "boolean", default=False),
        Field("timestamp", "timestamp", required=True),
    ],
    retention=40,
    indexes=[("timestamp",)],
    private=True,
)

# named by the document's index list: notification_interactions(timestamp, interactionType, notificationSource)
notification_interactions = Collection(
    "notification_interactions",
    [
        Field("notificationId", "text"),
        Field("notificationTitle", "text"),
        Field("notificationSource", "text"),
        Field("notificationPriority", "text"),
        Field("interactionType", "text", required=True),
        Field("actionType", "text"),
        Field("timeToInteractionMs", "integer"),
        Field("timestamp", "timestamp", required=True),
    ],
    indexes=[("timestamp",), ("interactionType",), ("notificationSource",)],
    private=True,
)

chat_messages = Collection(
    "chat_messages",
    [
        Field("role", "text", required=True),
        Field("content", "text", required=True),
        Field("metadata", "json"),
        Field("timestamp", "timestamp", required=True),
    ],
    retention=500,
    indexes=[("timestamp",)],
    private=True,
)

journal_entries = Collection(
    "journal_entries",
    [
        Field("title", "text"),
        Field("content", "text", required=True),
        Field("mood", "text"),
        Field("timestamp", "timestamp", required=True),
        Field("updatedAt", "timestamp"),
        # added in schema version 2: base64 data URLs, inline as in the document
        Field("photos", "json", default=[]),
    ],
    policy="reject",
    retention=100,
    indexes=[("timestamp",)],
    private=True,
)

tags = Collection(
    "tags",
    [Field("name", "text", required=True), Field("color", "text"), Field("createdAt", "timestamp")],
    unique=[("name",)],
    private=True,
)

journal_entry_tags = Collection(
    "journal_entry_tags",
    [Field("entryId", "text", required=True), Field("tagId", "text", required=True)],
    unique=[("entryId", "tagId")],
    indexes=[("tagId",)],
    private=True,
)

schedule_events = Collection(
    "schedule_events",
    [
        Field("title", "text", required=True),
        Field("location", "text"),
        Field("startTime", "timestamp", required=True),
        Field("durationMinutes", "integer", default=60),
        Field("workload", "text"),
        # {"frequency": "weekly", "interval": 1, "byWeekday": [1, 3], "until": ms, "count": n}
        Field("recurrence", "json"),
        Field("recurrenceParentId", "text"),
        Field("createdAt", "timestamp"),
    ],
    retention=200,
    indexes=[("startTime",)],
    private=True,
)

deadlines = Collection(
    "deadlines",
    [
        Field("course", "text"),
        Field("task", "text", required=True),
        Field("dueDate", "timestamp", required=True),
        Field("priority", "text", default="medium"),
        Field("completed", "boolean", default=False),
        Field("effortHoursRemaining", "real"),
        Field("createdAt", "timestamp"),
    ],
    retention=200,
    indexes=[("dueDate",), ("completed",)],
    private=True,
)

habits = Collection(
    "habits",
    [
        Field("name", "text", required=True),
        Field("cadence", "text", default="daily"),
        Field("targetPerWeek", "integer", default=7),
        Field("graceDays", "integer", default=1),
        Field("motivation", "text"),
        Field("archived", "boolean", default=False),
        Field("createdAt", "timestamp"),
    ],
    private=True,
)


def _check_ins(name: str, owner: str) -> Collection:
    """Check-in history: one row per (owner, day), its id derived from both."""
    return Collection(
        name,
        [
            Field(owner, "text", required=True),
            Field("date", "text", required=True),  # the local day, YYYY-MM-DD
            Field("completed", "boolean", default=True),
            Field("value", "integer", default=1),
            Field("note", "text"),
            Field("timestamp", "timestamp"),
        ],
        unique=[(owner, "date")],
        private=True,
    )


habit_check_ins = _check_ins("habit_check_ins", "habitId")

goals = Collection(
    "goals",
    [
        Field("title", "text", required=True),
        Field("cadence", "text", default="weekly"),
        Field("targetCount", "integer", default=1),
        Field("dueDate", "timestamp"),
        Field("motivation", "text"),
        Field("archived", "boolean", default=False),
        Field("createdAt", "timestamp"),
    ],
    private=True,
)

goal_check_ins = _check_ins("goal_check_ins", "goalId")

user_context = _singleton(
    "user_context",
    [
        Field("stressLevel", "text", default="medium"),
        Field("energyLevel", "text", default="medium"),
        Field("mode", "text", default="balanced"),
        Field("updatedAt", "timestamp"),
    ],
)

context_history = Collection(
    "context_history",
    [
        Field("stressLevel", "text"),
        Field("energyLevel", "text"),
        Field("mode", "text"),
        Field("timestamp", "timestamp", required=True),
    ],
    indexes=[("timestamp",)],
    private=True,
)

notification_preferences = _singleton(
    "notification_preferences",
    [
        Field("quietHours", "json", default={"enabled": False, "startHour": 22, "endHour": 7}),
        Field("minimumPriority", "text", default="low"),
        Field("allowCriticalInQuietHours", "boolean", default=True),
        Field("categoryToggles", "json", default=dict.fromkeys(AGENTS, True)),
        Field("updatedAt", "timestamp"),
    ],
)

push_subscriptions = Collection(
    "push_subscriptions",
    [
        Field("endpoint", "text", required=True),
        Field("p256dh", "text", required=True),
        Field("auth", "text", required=True),
        Field("expirationTime", "timestamp"),
        Field("createdAt", "timestamp"),
    ],
    unique=[("endpoint",)],
    retention=50,
    private=True,
)

push_delivery_metrics = _singleton(
    "push_delivery_metrics",
    [
        Field("attempted", "integer", counter=True, default=0),
        Field("delivered", "integer", counter=True, default=0),
        Field("failed", "integer", counter=True, default=0),
        Field("droppedSubscriptions", "integer", counter=True, default=0),
        Field("lastSuccessAt", "timestamp"),
        Field("lastFailureAt", "timestamp"),
        Field("lastError", "text"),
    ],
)

agent_states = Collection(
    "agent_states",  # id = the agent's name
    [
        Field("status", "text", default="idle"),
        Field("lastRunAt", "timestamp"),
        Field("lastEvent", "json"),
    ],
    private=True,
)

email_digests = Collection(
    "email_digests",
    [
        Field("type", "text", default="daily"),
        Field("subject", "text", required=True),
        Field("body", "text", required=True),
        Field("generatedAt", "timestamp", required=True),
        Field("sentAt", "timestamp"),
    ],
    retention=50,
    indexes=[("generatedAt",)],
    private=True,
)

locations = Collection(
    "locations",
    [
        Field("latitude", "real", required=True),
        Field("longitude", "real", required=True),
        Field("accuracy", "real"),
        Field("label", "text"),
        Field("timestamp", "timestamp", required=True),
    ],
    indexes=[("timestamp",), ("label",)],
    private=True,
)

location_history = Collection(
    "location_history",
    [
        Field("locationId", "text"),
        Field("latitude", "real", required=True),
        Field("longitude", "real", required=True),
        Field("accuracy", "real"),
        Field("context", "json"),
        Field("timestamp", "timestamp", required=True),
    ],
    indexes=[("timestamp",), ("locationId",)],
    private=True,
)

#: version 2 added ``journal_entries.photos`` (the document's example migration)
schema = Schema(version=2, collections=(
    agent_events, notifications, notification_interactions, chat_messages, journal_entries, tags,
    journal_entry_tags, schedule_events, deadlines, habits, habit_check_ins, goals, goal_check_ins,
    user_context, context_history, notification_preferences, push_subscriptions, push_delivery_metrics,
    agent_states, email_digests, locations, location_history,
))
