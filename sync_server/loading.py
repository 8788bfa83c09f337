"""Finding what a command names: a schema (``module:attr`` or a bundled app),
an app's resolvers, a store (a SQLite file or a PostgreSQL URL).

Shared by :mod:`sync_server.cli` and :mod:`sync_server.admin_cli`, which both
import it (and not each other).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING

from shared.evolution import History
from shared.schema import Schema

if TYPE_CHECKING:
    from shared.merge import Resolver

    from .store.base import Store

APPS = {"notes": "shared.apps.notes:schema", "companion": "shared.apps.companion:schema",
        "polar": "shared.apps.polar:schema"}


def load_schema(spec: str) -> Schema:
    """Load a schema from ``module:attr`` (or a bundled app name); the module
    may live in the working folder. A schema history gives its current version.

    Raises:
        SystemExit: with a message naming what was not found.
    """
    return load_history(spec).current


def load_history(spec: str) -> History:
    """Load a schema history (a lone schema is a history of one version), as
    :func:`load_schema` finds it: the server serves its older versions too.

    Raises:
        SystemExit: with a message naming what was not found.
    """
    spec = APPS.get(spec, spec)
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise SystemExit(f"--schema must look like module:attr, got {spec!r}")
    if os.getcwd() not in sys.path and "" not in sys.path:
        # the console script does not put the working folder on the path (as
        # ``python -m`` would): a schema beside the user's database, the usual
        # place, was not found (uvicorn's --app-dir defaults to "." for the same reason)
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise SystemExit(f"cannot import schema module {module_name!r}: {exc}") from None
    schema = getattr(module, attr, None)
    if not isinstance(schema, Schema | History):
        raise SystemExit(f"{spec} is not a shared.schema.Schema nor a shared.evolution.History "
                         f"(got {type(schema).__name__})")
    return History.of(schema)


def resolvers_for(spec: str) -> dict[str, Resolver]:
    """A bundled app's custom resolvers (``RESOLVERS`` beside its schema), if any."""
    module_name = APPS.get(spec, spec).partition(":")[0]
    return dict(getattr(importlib.import_module(module_name), "RESOLVERS", {}))


def open_store(db: str, synchronous: str = "FULL") -> Store:
    """SQLite at ``db``, or PostgreSQL when ``db`` is a ``postgresql://`` URL."""
    if db.startswith(("postgresql://", "postgres://")):
        from .store.postgres import PostgresStore

        return PostgresStore(db)
    from .store.sqlite import SQLiteStore

    return SQLiteStore(db, synchronous=synchronous)
