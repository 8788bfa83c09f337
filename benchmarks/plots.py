"""Growth curves as PNG (matplotlib, Agg backend), written beside the JSON:
``<stem>.bootstrap.png``, ``<stem>.push_batch.png``, ``<stem>.fanout.png``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .harness import Result


def _by_prefix(results: list[Result], prefix: str, suffix: str = "") -> list[Result]:
    return [r for r in results if r.name.startswith(prefix) and r.name.endswith(suffix)]


def write_plots(results: list[Result], json_path: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    stem = json_path.with_suffix("")

    boot = _by_prefix(results, "bootstrap.", ".seconds")
    if boot:
        written.append(_against_baseline(plt, boot, "rows", Path(f"{stem}.bootstrap.png"),
                                         label="offsync bootstrap", baseline_label="raw apsw insert of the same rows",
                                         xlabel="rows pulled from cursor 0", ylabel="seconds",
                                         title="bootstrap: time grows with rows"))

    batch = [r for r in _by_prefix(results, "push_batch.") if r.name.count(".") == 1]
    if batch:
        written.append(_against_baseline(plt, batch, "ops_per_mutation", Path(f"{stem}.push_batch.png"),
                                         label="offsync push (acked after commit)", baseline_label="raw apsw insert",
                                         xlabel="operations per mutation", ylabel="operations / s",
                                         title="push: throughput by batch size"))

    fan = _by_prefix(results, "fanout_latency.")
    if fan:
        fig, ax = plt.subplots(figsize=(6, 4))
        for p, style in (("p50", "o-"), ("p99", "^-")):
            points = sorted((r for r in fan if r.name.endswith(p)), key=lambda r: r.params["devices"])
            xs = [r.params["devices"] for r in points]
            ax.plot(xs, [r.value for r in points], style, label=f"offsync {p}")
            ax.plot(xs, [r.baseline_value for r in points], style.replace("-", "--"), alpha=0.6,
                    label=f"plain websockets relay {p}")
        ax.axhline(50, color="grey", linestyle=":", label="target p99 at 100 devices")
        ax.set_xlabel("connected devices")
        ax.set_ylabel("ms from write to seen")
        ax.set_title("live fan-out latency")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        written.append(_save(fig, plt, Path(f"{stem}.fanout.png")))
    return written


def _against_baseline(plt: Any, points: list[Result], x: str, path: Path, *, label: str, baseline_label: str,
                      xlabel: str, ylabel: str, title: str) -> Path:
    """``value`` and ``baseline_value`` of ``points`` against ``params[x]``, both axes log."""
    points = sorted(points, key=lambda r: r.params[x])
    fig, ax = plt.subplots(figsize=(6, 4))
    xs = [r.params[x] for r in points]
    ax.loglog(xs, [r.value for r in points], "o-", label=label)
    ax.loglog(xs, [r.baseline_value for r in points], "s--", label=baseline_label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return _save(fig, plt, path)


def _save(fig: object, plt: object, path: Path) -> Path:
    fig.tight_layout()  # type: ignore[attr-defined]
    fig.savefig(path, dpi=110)  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[attr-defined]
    return path
