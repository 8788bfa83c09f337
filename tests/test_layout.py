"""The package layout of DESIGN.md's "Parts": each side imports only what it
uses, and no package has an import circle.

* ``shared`` (the pure core, and the bundled apps' schemas in ``shared/apps``)
  imports neither side, nor apsw, asyncio, starlette or numpy;
* ``sync_search`` (the indexes and rankings both sides use) imports neither
  side, nor asyncio or starlette;
* ``sync_client`` (a device) never imports ``sync_server``;
* ``sync_server`` never imports ``sync_client``, not even inside a function;
  ``sync_demo`` (a server and devices in one process) only inside the
  function of ``offsync demo`` (:data:`SERVER_RUNS_DEVICES_IN`);
* within each package, the imports (module level and inside functions; not
  those under ``if TYPE_CHECKING:``) form no circle.

The import checks run in a fresh interpreter with an import hook that fails
on the forbidden package, so they see what really loads, late imports too
when a module is imported; the imports inside functions, which importing a
module does not run, and the circles are read from the sources with ``ast``.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("shared", "sync_search", "sync_client", "sync_server", "sync_demo")

#: the server module that may import ``sync_demo`` (inside the function of
#: ``offsync demo``, which runs devices beside a server), and nothing else may
SERVER_RUNS_DEVICES_IN = "sync_server.cli"

_CHECK = r"""
import importlib, importlib.abc, json, pkgutil, sys

forbidden = tuple(json.loads(sys.argv[1]))
roots = json.loads(sys.argv[2])
skip = set(json.loads(sys.argv[3]))

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in forbidden:
            raise ImportError(f"forbidden import of {name}")
        return None

sys.meta_path.insert(0, Refuse())
failures = {}
imported = []
for root in roots:
    pkg = importlib.import_module(root)
    names = [root] + [m.name for m in pkgutil.walk_packages(pkg.__path__, root + ".")]
    for name in names:
        if name in skip:
            continue
        try:
            importlib.import_module(name)
            imported.append(name)
        except ImportError as exc:
            failures[name] = str(exc)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in forbidden)
print(json.dumps({"failures": failures, "loaded": loaded, "imported": imported}))
"""


def _import_all(roots: list[str], forbidden: list[str], skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Import every module under ``roots`` in a fresh interpreter that refuses ``forbidden``."""
    done = subprocess.run([sys.executable, "-c", _CHECK, json.dumps(forbidden), json.dumps(roots),
                           json.dumps(sorted(skip))], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_shared_core_and_the_app_schemas_import_neither_side_nor_io() -> None:
    result = _import_all(["shared"], ["sync_client", "sync_server", "sync_search", "sync_demo", "apsw", "asyncio",
                                      "starlette", "numpy"])
    assert (result["failures"], result["loaded"]) == ({}, [])
    assert {"shared.apps.notes", "shared.apps.companion", "shared.apps.polar"} <= set(result["imported"])


def test_search_imports_neither_side() -> None:
    result = _import_all(["sync_search"], ["sync_client", "sync_server", "sync_demo", "asyncio", "starlette"])
    assert (result["failures"], result["loaded"]) == ({}, [])
    assert {"sync_search.ranking", "sync_search.indexer", "sync_search.read_model"} <= set(result["imported"])
    for name in _modules("sync_search"):
        assert _imported_packages(name) & {"sync_client", "sync_server", "sync_demo"} == set(), name


def test_the_device_package_never_imports_the_server() -> None:
    result = _import_all(["sync_client", "shared"], ["sync_server", "sync_demo"])
    assert (result["failures"], result["loaded"]) == ({}, [])
    # the apps' device-side code is client code
    assert {"sync_client.apps.companion_store", "sync_client.apps.polar"} <= set(result["imported"])
    for name in _modules("sync_client"):
        assert _imported_packages(name) & {"sync_server", "sync_demo"} == set(), name


def test_the_server_never_imports_the_device_package() -> None:
    result = _import_all(["sync_server"], ["sync_client", "sync_demo"])
    assert (result["failures"], result["loaded"]) == ({}, [])
    assert {"sync_server.app", "sync_server.cli", "sync_server.search_api",
            "sync_server.apps.polar_markdown"} <= set(result["imported"])
    # not even inside a function, which importing the module does not run
    for name in _modules("sync_server"):
        packages = _imported_packages(name)
        assert "sync_client" not in packages, name
        assert "sync_demo" not in packages or name == SERVER_RUNS_DEVICES_IN, name


def test_the_import_checks_can_fail() -> None:
    """A server module that imports a refused package fails, and the sources
    show what the hook cannot: that ``offsync demo`` imports the demo, which
    imports the client."""
    result = _import_all(["sync_server"], ["sync_search"])
    assert "sync_server.search_api" in result["failures"] and result["loaded"] == []
    assert "sync_client" in _imported_packages("sync_demo.demo")
    assert "sync_demo" in _imported_packages(SERVER_RUNS_DEVICES_IN)


# -- circles ----------------------------------------------------------------------------


def _modules(package: str) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in (ROOT / package).rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules ``name`` imports, at module level or inside functions, not under TYPE_CHECKING."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for other in node.orelse:
                visit(other)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[:len(base_parts) - (node.level - 1)]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def _imported_packages(name: str) -> set[str]:
    package = name.split(".")[0]
    modules = _modules(package)
    return {imported.split(".")[0] for imported in _imports(name, modules[name], set(modules))}


def _circles(package: str) -> list[list[str]]:
    modules = _modules(package)
    graph = {name: sorted(m for m in _imports(name, path, set(modules)) if m in modules and m != name)
             for name, path in modules.items()}
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                circles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name)
    return circles


def test_no_package_has_an_import_circle() -> None:
    for package in PACKAGES:
        assert _circles(package) == [], package


def test_the_circle_finder_sees_late_imports_and_ignores_type_checking(tmp_path: Path) -> None:
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import B\n"
              "def f():\n    from .b import g\n")
    (tmp_path / "a.py").write_text(source)
    known = {"pkg.a", "pkg.b"}
    assert _imports("pkg.a", tmp_path / "a.py", known) == {"typing", "pkg.b"}
    (tmp_path / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import B\n")
    assert _imports("pkg.c", tmp_path / "c.py", known) == {"typing"}
