"""Growth curves as PNG (matplotlib, Agg backend), written beside the JSON:
``<stem>.bootstrap.png``, ``<stem>.push_batch.png``, ``<stem>.fanout.png``."""

from __future__ import annotations

from pathlib import Path

from .harness import Result


def _by_prefix(results: list[Result], prefix: str, suffix: str = "") -> list[Result]:
    return [r for r in results if r.name.startswith(prefix) and r.name.endswith(suffix)]


def write_plots(results: list[Result], json_path: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    stem = json_path.with_suffix("")

    boot = sorted(_by_prefix(results, "bootstrap.", ".seconds"), key=lambda r: r.params["rows"])
    if boot:
        fig, ax = plt.subplots(figsize=(6, 4))
        xs = [r.params["rows"] for r in boot]
        ax.loglog(xs, [r.value for r in boot], "o-", label="offsync bootstrap")
        ax.loglog(xs, [r.baseline_value for r in boot], "s--", label="raw apsw insert of the same rows")
        ax.set_xlabel("rows pulled from cursor 0")
        ax.set_ylabel("seconds")
        ax.set_title("bootstrap: time grows with rows")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        written.append(_save(fig, plt, Path(f"{stem}.bootstrap.png")))

    batch = sorted((r for r in _by_prefix(results, "push_batch.") if r.name.count(".") == 1),
                   key=lambda r: r.params["ops_per_mutation"])
    if batch:
        fig, ax = plt.subplots(figsize=(6, 4))
        xs = [r.params["ops_per_mutation"] for r in batch]
        ax.semilogx(xs, [r.value for r in batch], "o-", label="offsync push (acked after commit)")
        ax.semilogx(xs, [r.baseline_value for r in batch], "s--", label="raw apsw insert")
        ax.set_yscale("log")
        ax.set_xlabel("operations per mutation")
        ax.set_ylabel("operations / s")
        ax.set_title("push: throughput by batch size")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        written.append(_save(fig, plt, Path(f"{stem}.push_batch.png")))

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


def _save(fig: object, plt: object, path: Path) -> Path:
    fig.tight_layout()  # type: ignore[attr-defined]
    fig.savefig(path, dpi=110)  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[attr-defined]
    return path
