"""The browser client's JSDoc types hold: ``tsc --noEmit`` over sync_client/web
(run where the dev tools are installed: ``npm ci``; skipped otherwise)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TSC = ROOT / "node_modules" / ".bin" / "tsc"


@pytest.mark.skipif(not TSC.exists(), reason="typescript is not installed (npm ci at the repository root)")
def test_browser_client_type_checks() -> None:
    done = subprocess.run([str(TSC), "--noEmit", "-p", str(ROOT / "sync_client" / "web" / "tsconfig.json")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
