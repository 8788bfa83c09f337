"""What one connection's protocol version and schema version make of the
server's messages: the one place pages, live batches and Acks are shaped for
a device (``app``, ``hub`` and the in-memory wiring of the tests use it).

* Protocol 3 carries rows as positional arrays (``Changes.blocks``, see
  ``shared.blocks``), older protocols as maps (``Changes.rows``).
* Protocol 3 Acks tell the server version of each row that ends its batch as
  the device wrote it (``MutationResult.versions``), and the live batch to that
  device leaves those rows out (no echo). Older protocols get neither: they
  learn their rows' versions from the echo.
* A device on an older schema version gets rows translated
  (``sync_server.evolution``), and always the echo: its copy lacks the fields
  its version does not know, so the server cannot vouch that it equals the row.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from shared.blocks import as_blocks
from shared.messages import Changes, MutationResult
from shared.schema import Schema

from .evolution import Translation

#: the first protocol version with row arrays and echo-free pushes
ARRAYS = 3


def changes_for(translation: Translation, version: int, protocol: int, changes: Changes) -> Changes:
    """A page or live batch as a device on schema ``version`` and ``protocol`` reads it."""
    changes = translation.changes(version, changes)
    if protocol >= ARRAYS:
        changes = as_blocks(changes, translation.history[version])
    return changes


def pull_arrays(translation: Translation, version: int, protocol: int) -> Schema | None:
    """The schema to read a page's rows as blocks by, straight from the store
    (``store.base.row_blocks``), or None: read them as :class:`RowChange`
    (older protocols, and devices whose rows are translated first)."""
    return translation.history.current if echo_free_for(translation, version, protocol) else None


def echo_free_for(translation: Translation, version: int, protocol: int) -> bool:
    """Whether a connection may be spared the echo of its own rows: it reads
    rows as arrays, as the server holds them (none of its fields translated)."""
    return protocol >= ARRAYS and not translation.translates(version)


def without_own_rows(changes: Changes, client_id: str, echo_free: Mapping[int, str]) -> Changes:
    """A live batch less the rows that end it as ``client_id`` wrote them (its
    cursor and ``applied`` unchanged, so the device still moves past them)."""
    rows = [r for r in changes.rows if echo_free.get(r.seq) != client_id]
    return msgspec.structs.replace(changes, rows=rows)


def results_for(translation: Translation, version: int, protocol: int,
                results: list[MutationResult]) -> list[MutationResult]:
    """An Ack's results as a device on schema ``version`` and ``protocol`` reads them."""
    results = translation.results(version, results)
    if echo_free_for(translation, version, protocol) or not any(r.versions for r in results):
        return results
    return [msgspec.structs.replace(r, versions=[]) if r.versions else r for r in results]
