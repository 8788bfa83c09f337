"""The bundled example schema: notes with tags, and a per-user counter.

It is what ``offsync serve`` and ``offsync demo`` use by default, and the
shape an app's own schema takes (``--schema module:attr``).
"""

from shared.schema import Collection, Field, Schema, Vector

notes = Collection(
    "notes",
    [
        Field("title", "text", required=True),
        Field("body", "text", default=""),
        Field("tags", "json", default=[]),
        Field("pinned", "boolean", default=False),
        Field("updatedAtMs", "timestamp"),
    ],
    fts=("title", "body"),
    vector=Vector(fields=("title", "body"), dim=256),
    indexes=[("pinned",)],
)

journal = Collection(
    "journal",
    {"title": "text", "body": "text", "mood": "integer"},
    policy="reject",  # a person should choose between two concurrent edits
)

counters = Collection(
    "counters",
    [Field("name", "text", required=True), Field("value", "integer", counter=True, default=0)],
)

schema = Schema(version=1, collections=(notes, journal, counters))
