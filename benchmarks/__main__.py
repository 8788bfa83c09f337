"""Run every benchmark, print a table, write JSON and growth curves.

    python -m benchmarks                    # the full suite (several minutes)
    python -m benchmarks --quick            # small N, well under a minute (CI smoke run)
    python -m benchmarks --json out.json    # results as JSON, PNG curves beside it
    python -m benchmarks --only push,pull   # some groups only

Groups: local_write, push (push_throughput, push_batch, push_concurrent),
pull (bootstrap, catch_up), fanout (fanout_latency), idle (idle_connections),
search (``benchmarks/bench_search.py``, when present), flood (flood_small_push_p99,
flood_server_peak_rss: docs/security.md), browser (the browser client in
Chromium; skipped where Chromium or Playwright is missing).

The exit status is 0 when every benchmark ran, whatever the figures: CI
asserts that they run, never how fast (see ``benchmarks/README.md``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

from .harness import Result, machine

GROUPS: dict[str, str] = {
    "local_write": "benchmarks.bench_local_write",
    "push": "benchmarks.bench_push",
    "pull": "benchmarks.bench_pull",
    "fanout": "benchmarks.bench_fanout",
    "idle": "benchmarks.bench_idle",
    "search": "benchmarks.bench_search",
    "flood": "benchmarks.bench_flood",
    "browser": "benchmarks.bench_browser",
}
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "latest.json"


def _load(group: str) -> Callable[[bool], list[Any]] | None:
    module_name = GROUPS[group]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:  # an optional benchmark that is not written yet
            return None
        raise
    return module.run  # type: ignore[no-any-return]


def _as_result(item: Any) -> Result:
    if isinstance(item, Result):
        return item
    known = {f.name for f in fields(Result)}
    return Result(**{k: v for k, v in dict(item).items() if k in known})


def run_groups(groups: list[str], quick: bool) -> tuple[list[Result], list[str]]:
    results: list[Result] = []
    failed: list[str] = []
    for group in groups:
        started = time.perf_counter()
        print(f"-- {group} ...", file=sys.stderr, flush=True)
        try:
            bench = _load(group)
            if bench is None:
                print(f"   {group}: not present, skipped", file=sys.stderr)
                continue
            produced = [_as_result(r) for r in bench(quick)]
        except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed.append(group)
            continue
        results.extend(produced)
        print(f"   {group}: {len(produced)} results in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return results, failed


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def table(results: list[Result]) -> str:
    header = ("benchmark", "value", "unit", "baseline", "baseline value", "ratio", "target")
    rows = [header]
    for r in results:
        verdict = "" if r.target is None else f"{'met' if r.met else 'MISSED' if r.met is False else 'n/a'}: {r.target}"
        rows.append((r.name, _fmt(r.value), r.unit, r.baseline_name or "-", _fmt(r.baseline_value),
                     "-" if r.ratio is None else f"{r.ratio:.3f}", verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = [c.ljust(w) if i in (0, 2, 3, 6) else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="offsync benchmarks")
    parser.add_argument("--quick", action="store_true", help="small N: a smoke run, under a minute")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON,
                        help=f"write results here, PNG curves beside it (default {DEFAULT_JSON})")
    parser.add_argument("--only", default="", help=f"comma-separated groups of {', '.join(GROUPS)}")
    parser.add_argument("--no-plots", action="store_true", help="skip the PNG curves")
    args = parser.parse_args(argv)
    groups = [g.strip() for g in args.only.split(",") if g.strip()] or list(GROUPS)
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        parser.error(f"unknown group(s) {', '.join(unknown)}; choose from {', '.join(GROUPS)}")

    started = time.perf_counter()
    info = machine()
    results, failed = run_groups(groups, args.quick)
    if args.quick:  # targets are set for the full sizes: small N says nothing about them
        for r in results:
            r.met = None
    info["quick"] = args.quick
    info["seconds"] = round(time.perf_counter() - started, 1)
    info["load_avg_1m_at_end"] = round(os.getloadavg()[0], 2)
    print(table(results))
    print(f"\n{len(results)} results in {info['seconds']} s on {info['cores']} cores ({info['cpu']}), "
          f"commit {info['commit']}{' (modified)' if info['dirty'] else ''}, load average "
          f"{info['load_avg_1m_at_start']} -> {info['load_avg_1m_at_end']}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"machine": info, "results": [r.to_json() for r in results]}, indent=2))
    print(f"wrote {args.json}")
    if not args.no_plots:
        from .plots import write_plots

        for path in write_plots(results, args.json):
            print(f"wrote {path}")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
