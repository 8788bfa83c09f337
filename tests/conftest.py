"""Shared fixtures. Slow tests (long property runs, many kill cycles) run only
with ``--slow`` or ``OFFSYNC_SLOW=1``; their short versions always run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.apps.notes import schema as notes_schema
from shared.schema import Schema
from sync_server.app import SyncServer
from sync_server.store.sqlite import SQLiteStore

from .servers import SECRET, ThreadServer


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="run the long property and crash profiles")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--slow"):
        # the long profiles size themselves from this variable (tests/property/test_model.py):
        # without it, --slow ran the long model test at the short size
        os.environ.setdefault("OFFSYNC_SLOW", "1")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--slow") or os.environ.get("OFFSYNC_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="long profile: run with --slow or OFFSYNC_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def schema() -> Schema:
    return notes_schema


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ThreadServer]:
    """A real server on a loopback port over a real SQLite file."""
    sync = SyncServer(notes_schema, SQLiteStore(str(tmp_path / "server.db"), synchronous="NORMAL"), SECRET)
    with ThreadServer(sync) as running:
        yield running
