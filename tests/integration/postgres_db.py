"""A throwaway PostgreSQL database for one test, on 127.0.0.1:5432 (trust auth).

Skipped with the reason where no server answers; under
OFFSYNC_REQUIRE_POSTGRES=1 (CI) that is a failure instead, so the PostgreSQL
tests cannot silently stop running there.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sync_server.store.base import Store
    from sync_server.store.postgres import PostgresStore

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def fresh_database() -> Iterator[str]:
    """Create a database with a unique name, yield its URL, drop it afterwards."""
    import psycopg

    try:
        admin = psycopg.connect(ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("OFFSYNC_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required here but unreachable: {exc}")
        pytest.skip(f"PostgreSQL is not reachable on 127.0.0.1:5432: {exc}")
    name = f"offsync_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        admin.close()


@contextmanager
def fresh_store() -> Iterator[PostgresStore]:
    """A :class:`PostgresStore` on a :func:`fresh_database`, closed afterwards."""
    from sync_server.store.postgres import PostgresStore

    with fresh_database() as url:
        store = PostgresStore(url)
        try:
            yield store
        finally:
            store.close()


#: ``@pytest.fixture(params=STORES)``: a test over both server stores
STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def store_of(kind: str, tmp_path: Path, synchronous: str = "OFF") -> Iterator[Store]:
    """A server store of ``kind`` (one of :data:`STORES`): SQLite in
    ``tmp_path``, or PostgreSQL on a :func:`fresh_database`; closed afterwards."""
    if kind == "sqlite":
        from sync_server.store.sqlite import SQLiteStore

        opened = SQLiteStore(str(tmp_path / "server.db"), synchronous=synchronous)
        try:
            yield opened
        finally:
            opened.close()
        return
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[postgres]')")
    with fresh_store() as pg:
        yield pg
