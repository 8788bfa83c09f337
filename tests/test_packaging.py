"""offsync ships PEP 561 markers: a user's ``mypy --strict`` checks calls into it."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("shared", "sync_search", "sync_client", "sync_server", "sync_demo")


def test_every_package_has_py_typed_in_its_package_data() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    for package in PACKAGES:
        assert (ROOT / package / "py.typed").is_file(), package
        assert "py.typed" in data[package], package


@pytest.mark.slow
def test_a_users_mypy_strict_checks_calls_into_the_installed_wheel(tmp_path: Path) -> None:
    # builds the wheel with pip (build isolation fetches setuptools: needs the package index)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "wheel"), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    wheel = next((tmp_path / "wheel").glob("offsync-*.whl"))
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    user = tmp_path / "user.py"
    user.write_text("from sync_client.connection import SyncClient\n"
                    "from shared.schema import Schema\n"
                    "from sync_server.cli import build_server\n"
                    "wrong: int = SyncClient.reconnect_now\n")
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(user)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300,
                          env={"PYTHONPATH": str(target), "PATH": str(Path(sys.executable).parent)})
    # found and typed: the one error is the user's, not "missing library stubs or py.typed marker"
    assert 'expression has type "Callable[[SyncClient], None]", variable has type "int"' in done.stdout, done.stdout
    assert "py.typed" not in done.stdout and "import-not-found" not in done.stdout, done.stdout
