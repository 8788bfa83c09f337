"""The Polar assistant runtime's data model (seed ``004``) as synced collections.

SQLite stays the source of truth, now one replica per device plus the server.
Every table of the document is declared here with its field names; the engine
adds ``insertOrder`` (hybrid clock, µs), ``_version`` and ``_scope`` to each.
Polar's own ``scope`` columns (memory scope, budget scope) are ordinary fields:
they do not meet the engine's ``_scope``.
Every collection is ``private``: one user's assistant state, in that user's
scope, so the ids derived from keys below are never claimed across users
(docs/security.md, "Row identity").

Where the document's SQL does not carry over to a synced store, and why:

* **Composite primary keys** — ``polar_scheduler_events (eventId, queue)`` and
  the budget tables' ``(scope, targetId)`` — become a text ``id`` derived from
  the key (:func:`scheduler_event_id`, :func:`budget_id`), with the pair
  declared ``unique``. Two devices that create the row for the same key
  offline make the same id, so the server merges them into one row.
* **Budget usage** amounts are ``counter`` fields changed only by
  ``increment``: spend recorded on several devices adds up on the server
  instead of the last device overwriting the others. They are integers
  (micro-units of currency, tokens, calls) because integer sums are exact in
  any order and float sums are not.
* **The run ledger** ``polar_run_events`` keeps the document's ``id`` column
  (the automation or policy id) as a field, so its row key is ``runKey``.
  ``sequence INTEGER PRIMARY KEY AUTOINCREMENT`` cannot be a synced key: two
  devices offline would hand out the same numbers. ``insertOrder`` (a hybrid
  clock, monotonic per device and across what it has heard) orders the ledger
  instead. The ledger is ``append_only`` with ``UNIQUE (source, id, runId)``:
  the same run recorded twice, even under two row ids on two devices, ends as
  one row everywhere (the server keeps the first and deletes the other id), so
  replaying it into the task board is idempotent.
* **Feedback events** and the **scheduler run log** are append-only too.
* **Automation jobs** are enabled by default once created (``enabled = 1``).
* ``polar_memory_fts``: ``polar_memory`` declares ``fts`` over its JSON text
  fields and a ``vector`` over the same; the device's search index
  (``sync_search``) keeps both in step, with a ``LIKE`` fallback where
  FTS5 is missing, as the document asks.
* The Markdown "living files" are projections written by
  ``offsync project-markdown`` (:mod:`sync_server.apps.polar_markdown`) and
  never read back.
* ``polar_personality_profiles``: the document points to a spec we do not
  have; the fields here (name, prompt, traits) are the smallest useful set.
"""

from __future__ import annotations

from shared.schema import Collection, Field, Schema, Vector

from . import compound_id

polar_memory = Collection(
    "polar_memory",
    [
        Field("memoryId", "text", required=True),
        Field("sessionId", "text", required=True),
        Field("userId", "text", required=True),
        Field("scope", "text", required=True),
        Field("type", "text", required=True),
        Field("record", "json", required=True),
        Field("metadata", "json", required=True, default={}),
        Field("createdAtMs", "timestamp", required=True),
        Field("updatedAtMs", "timestamp", required=True),
    ],
    primary_key="memoryId",
    fts=("record", "metadata"),
    vector=Vector(fields=("record", "metadata"), dim=256),
    indexes=[("sessionId", "updatedAtMs"), ("userId", "type")],
    private=True,
)

polar_scheduler_events = Collection(
    "polar_scheduler_events",
    [
        Field("eventId", "text", required=True),
        Field("queue", "text", required=True),
        Field("payload", "json"),
    ],
    unique=[("eventId", "queue")],
    indexes=[("queue",)],
    private=True,
)

polar_scheduler_run_log = Collection(
    "polar_scheduler_run_log",
    [Field("runId", "text", required=True), Field("payload", "json"), Field("createdAtMs", "timestamp")],
    primary_key="runId",
    policy="append_only",
    private=True,
)


def _budget(name: str, fields: list[Field]) -> Collection:
    return Collection(
        name,
        [Field("scope", "text", required=True), Field("targetId", "text", required=True), *fields],
        unique=[("scope", "targetId")],
        private=True,
    )


polar_budget_policies = _budget("polar_budget_policies", [Field("policy", "json"), Field("updatedAtMs", "timestamp")])

polar_budget_usage = _budget(
    "polar_budget_usage",
    [
        Field("spentMicros", "integer", counter=True, default=0),
        Field("inputTokens", "integer", counter=True, default=0),
        Field("outputTokens", "integer", counter=True, default=0),
        Field("calls", "integer", counter=True, default=0),
        Field("updatedAtMs", "timestamp"),
    ],
)

polar_feedback_events = Collection(
    "polar_feedback_events",
    [
        Field("type", "text", required=True),
        Field("sessionId", "text", required=True),
        Field("messageId", "text"),
        Field("emoji", "text"),
        Field("polarity", "text"),
        Field("payload", "json"),
        Field("createdAtMs", "timestamp", required=True),
    ],
    policy="append_only",
    indexes=[("sessionId", "createdAtMs"), ("type", "createdAtMs")],
    private=True,
)

polar_run_events = Collection(
    "polar_run_events",
    [
        Field("runKey", "text", required=True),
        Field("source", "text", required=True),
        Field("id", "text", required=True),
        Field("runId", "text", required=True),
        Field("profileId", "text", required=True),
        Field("trigger", "text", required=True),
        Field("output", "json", required=True),
        Field("metadata", "json"),
        Field("createdAtMs", "timestamp", required=True),
    ],
    primary_key="runKey",
    policy="append_only",
    unique=[("source", "id", "runId")],
    indexes=[("source", "createdAtMs")],
    private=True,
)

polar_automation_jobs = Collection(
    "polar_automation_jobs",
    [
        Field("ownerUserId", "text", required=True),
        Field("sessionId", "text", required=True),
        Field("schedule", "text", required=True),
        Field("promptTemplate", "text", required=True),
        Field("enabled", "boolean", required=True, default=True),
        Field("quietHoursJson", "json"),
        Field("limitsJson", "json"),
        Field("createdAtMs", "timestamp", required=True),
        Field("updatedAtMs", "timestamp", required=True),
    ],
    indexes=[("sessionId", "enabled"), ("enabled",)],
    private=True,
)

polar_personality_profiles = Collection(
    "polar_personality_profiles",
    [
        Field("profileId", "text", required=True),
        Field("scope", "text", default="global"),
        Field("userId", "text"),
        Field("sessionId", "text"),
        Field("name", "text", required=True),
        Field("prompt", "text", default=""),
        Field("traits", "json", default={}),
        Field("createdAtMs", "timestamp", required=True),
        Field("updatedAtMs", "timestamp", required=True),
    ],
    primary_key="profileId",
    indexes=[("userId",)],
    private=True,
)

schema = Schema(version=1, collections=(
    polar_memory, polar_scheduler_events, polar_scheduler_run_log, polar_budget_policies, polar_budget_usage,
    polar_feedback_events, polar_run_events, polar_automation_jobs, polar_personality_profiles,
))


def scheduler_event_id(event_id: str, queue: str) -> str:
    """The row id of the scheduler event ``(eventId, queue)``."""
    return compound_id(queue, event_id)


def budget_id(scope: str, target_id: str) -> str:
    """The row id of a budget policy or usage row for ``(scope, targetId)``."""
    return compound_id(scope, target_id)


def run_event_key(source: str, owner_id: str, run_id: str) -> str:
    """A deterministic ``runKey`` for ``(source, id, runId)``.

    Using it makes a local replay a no-op on the device too; rows recorded
    under other keys are still deduplicated by the server's unique rule.
    """
    return compound_id(source, owner_id, run_id)
