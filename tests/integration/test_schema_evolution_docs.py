"""docs/schema.md's example runs as printed and prints what the page says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "schema.md"
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)


def test_the_schema_page_example_prints_what_the_page_says(tmp_path: Path) -> None:
    blocks = _BLOCK.findall(PAGE.read_text())
    code = next(body for lang, body in blocks if lang == "python")
    printed = next(body for lang, body in blocks if lang == "text")
    root = str(PAGE.parents[1])
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": root, "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == printed.splitlines()
