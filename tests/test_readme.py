"""The README's snippets run as printed.

Every ```python block runs; one whose first line is ``# name.py`` is a file the
others import or run, written first. The ```sh blocks of the sections a reader
follows step by step ("Using it", "Operating it") run in one shell, in order,
in a fresh folder: an ``offsync serve`` line starts the server in the
background (on a free port, added as ``--port``, and ``OFFSYNC_URL`` /
``OFFSYNC_STATUS_URL`` point there: 8787 may be taken on a shared machine),
every other line runs as printed. A ```text block right after an sh block is
that block's output, compared line by line with what it printed (numbers
and times may differ, see ``_shape``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from .servers import free_port, wait_healthy

README = Path(__file__).resolve().parent.parent / "README.md"
STEP_BY_STEP = ("Using it", "Operating it")
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)


@dataclass
class Block:
    lang: str
    code: str
    section: str


def readme_blocks() -> list[Block]:
    text = README.read_text()
    blocks = []
    for match in _BLOCK.finditer(text):
        headings = re.findall(r"^## (.+)$", text[: match.start()], re.M)
        blocks.append(Block(match.group(1), match.group(2), headings[-1] if headings else ""))
    return blocks


def _file_name(block: Block) -> str | None:
    first = block.code.splitlines()[0] if block.code else ""
    found = re.fullmatch(r"# ([\w./-]+\.py)", first.strip())
    return found.group(1) if found else None


def _shape(line: str) -> str:
    """A line with its ids, numbers and times blanked and its spaces folded:
    they differ run to run (and the widths of table columns with them)."""
    line = re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+Z?", "T", line)
    line = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "U", line)
    line = re.sub(r"\d+(\.\d+)?", "N", line)
    return re.sub(r"\s+", " ", line).strip()


def test_the_readme_has_the_snippets_this_test_runs() -> None:
    blocks = readme_blocks()
    files = {_file_name(b) for b in blocks if b.lang == "python"}
    assert {"myapp.py", "device.py"} <= files
    assert any("offsync serve --schema myapp:schema" in b.code for b in blocks if b.lang == "sh")


def test_every_readme_snippet_runs_as_printed(tmp_path: Path) -> None:
    blocks = readme_blocks()
    port = free_port()
    bin_dir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFSYNC_")}
    env.pop("PYTHONPATH", None)  # myapp.py must be found as a reader's shell finds it: in the working folder
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", OFFSYNC_URL=f"ws://127.0.0.1:{port}/sync", OFFSYNC_STATUS_URL=f"http://127.0.0.1:{port}")
    for block in blocks:
        name = _file_name(block) if block.lang == "python" else None
        if name is not None:
            (tmp_path / name).write_text(block.code)
    servers: list[subprocess.Popen[bytes]] = []
    try:
        for i, block in enumerate(blocks):
            if block.lang == "python" and _file_name(block) is None:
                done = subprocess.run([sys.executable, "-c", block.code], cwd=tmp_path, env=env,
                                      capture_output=True, text=True, timeout=120)
                assert done.returncode == 0, f"README python block {i} failed:\n{block.code}\n{done.stderr}"
            if block.lang != "sh" or block.section not in STEP_BY_STEP:
                continue
            script = []
            for line in block.code.splitlines():
                if line.startswith("offsync serve"):
                    servers.append(subprocess.Popen(
                        [*line.split("#")[0].split(), "--port", str(port)], cwd=tmp_path, env=env,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                    wait_healthy(f"http://127.0.0.1:{port}", timeout=30)
                else:
                    script.append(line)
            if not script:
                continue
            # one shell for the block, with what earlier blocks exported kept in env
            done = subprocess.run(["bash", "-ec", "\n".join([*script, "env -0 > .readme-env"])], cwd=tmp_path,
                                  env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, f"README sh block {i} failed:\n{block.code}\n{done.stdout}{done.stderr}"
            env = dict(item.split("=", 1) for item in (tmp_path / ".readme-env").read_text().split("\0") if item)
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            if following is not None and following.lang == "text":
                assert [_shape(x) for x in done.stdout.splitlines()] == \
                    [_shape(x) for x in following.code.splitlines()], done.stdout
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
