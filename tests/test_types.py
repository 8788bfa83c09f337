"""The packages type-check under ``mypy --strict`` (the files and
settings are pyproject.toml's ``[tool.mypy]``): about 6 s, so it runs with the
rest of the suite."""

from __future__ import annotations

from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api", reason="mypy is not installed (pip install -e '.[test]')")

ROOT = Path(__file__).resolve().parents[1]


def test_the_packages_type_check_strictly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # mypy reads [tool.mypy] from the working directory's pyproject.toml
    out, err, status = mypy_api.run([])
    assert status == 0, out + err
    assert "Success" in out
