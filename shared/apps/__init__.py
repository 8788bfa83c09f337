"""The bundled apps' schemas (``offsync serve --app NAME``): pure declarations
that both sides import.

These modules import only ``shared`` and the standard library: a server loads
a schema from here without any device code, and a device without the server.
The apps' device-side code (seeding, multi-row writes on a replica) lives in
:mod:`sync_client.apps`; server-only app code in :mod:`sync_server.apps`.
"""

from __future__ import annotations

from urllib.parse import quote


def compound_id(*parts: str | int) -> str:
    """A deterministic text row id for a composite key, e.g. ``(queue, eventId)``.

    Two devices that create the row for the same key offline make the same id,
    so the server merges them into one row instead of keeping two. Each part
    is percent-encoded, so ``("a:b", "c")`` and ``("a", "b:c")`` never meet.
    """
    return ":".join(quote(str(part), safe="") for part in parts)
