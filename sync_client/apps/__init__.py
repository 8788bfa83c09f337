"""The bundled apps' device-side code, on top of a replica.

Their schemas are in :mod:`shared.apps` (both sides import them); the helpers
here take a device replica (:class:`sync_client.replica.Replica`) and use its
API, so the capture triggers queue each write in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync_client.replica import Replica


def insert_or_ignore(replica: Replica, collection: str, row: Mapping[str, Any], *,
                     insert_order: int | None = None) -> bool:
    """``INSERT OR IGNORE`` one row (app values) with plain SQL, as the seed apps do.

    The capture triggers queue the insert only if the row was new. Declared
    defaults fill the fields the row leaves out.

    Args:
        insert_order: the row's ``insertOrder``; None lets the device's clock set it.

    Returns:
        True if the row was inserted, False if its id existed.

    Raises:
        ValidationError: an unknown field, a wrong type, or a missing required field.
    """
    coll = replica.schema[collection]
    stored = {**coll.defaults(), **coll.to_stored(row)}
    coll.check_required(stored)
    if insert_order is not None:
        stored["insertOrder"] = insert_order
    names = ", ".join(f'"{name}"' for name in stored)  # schema names never hold a quote
    with replica.transaction():
        replica.connection.execute(
            f'INSERT OR IGNORE INTO "{collection}" ({names}) VALUES ({", ".join("?" * len(stored))})',
            list(stored.values()))
        return bool(replica.connection.changes())
