"""What every benchmark shares: results, child-process servers, devices,
the raw baselines, percentiles, and a description of the machine.

Rules the benchmarks keep: a real server on loopback (in its own process, so
it does not share the benchmark's GIL), real devices on real files, and every
figure with a natural limit beside that limit measured in the same run.
"""

from __future__ import annotations

import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self

import apsw
import httpx
import msgspec

from sync_client.connection import SyncClient
from sync_client.ids import new_id
from sync_client.replica import Replica
from sync_server.auth import TokenAuthority

from .schema import INSERT_SQL, item, schema, stored_row

SECRET = "benchmark-secret-" + "b" * 40
AUTHORITY = TokenAuthority(SECRET)
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    """One figure. ``ratio`` is ``value / baseline_value``: for a rate, the
    share of the limit reached (higher is better); for a latency or a size,
    how many times the limit it costs (lower is better)."""

    name: str
    value: float
    unit: str
    baseline_name: str | None = None
    baseline_value: float | None = None
    ratio: float | None = None
    params: dict[str, Any] = field(default_factory=dict)
    target: str | None = None
    met: bool | None = None

    def __post_init__(self) -> None:
        if self.baseline_value and self.ratio is None:
            self.ratio = self.value / self.baseline_value

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        return {k: v for k, v in out.items() if v is not None or k in ("baseline_name", "baseline_value", "ratio")}


# -- time ---------------------------------------------------------------------


def percentile(samples: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``samples``."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


# -- files --------------------------------------------------------------------


@contextmanager
def workdir(prefix: str) -> Iterator[Path]:
    """A temporary folder under /tmp, removed afterwards (never in the repo)."""
    path = Path(tempfile.mkdtemp(prefix=f"offsync-bench-{prefix}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# -- servers in child processes -------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChildServer:
    """``python -m benchmarks._serve KIND`` in a child process.

    Args:
        kind: ``sync`` (the offsync server), ``plain`` (a websockets echo and relay) or
            ``starlette`` (the relay as a bare Starlette app under uvicorn).
        db: the server's SQLite file (``sync`` only).
        synchronous: SQLite's synchronous level for the server store.
        prefix: a command prefix, e.g. ``["py-spy", "record", ...]`` to profile it.
    """

    def __init__(self, kind: str, db: Path | None = None, *, synchronous: str = "FULL",
                 prefix: Sequence[str] = ()) -> None:
        self.kind = kind
        self.db = db
        self.synchronous = synchronous
        self.prefix = list(prefix)
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def ws_url(self) -> str:
        return self.url("/sync")

    def url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def start(self) -> Self:
        cmd = [*self.prefix, sys.executable, "-m", "benchmarks._serve", self.kind, "--port", str(self.port),
               "--synchronous", self.synchronous]
        if self.db is not None:
            cmd += ["--db", str(self.db)]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"the {self.kind} server exited with {self.proc.returncode}")
            try:
                if self.kind == "sync":
                    if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1.0).status_code == 200:
                        return
                else:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1.0):
                        return
            except (httpx.HTTPError, OSError):
                pass
            time.sleep(0.05)
        raise TimeoutError(f"the {self.kind} server did not start in {timeout}s")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def rss_bytes(self) -> int:
        """Resident memory of the server process (its children included, e.g. under py-spy)."""
        import psutil

        proc = psutil.Process(self.pid)
        procs = [proc, *proc.children(recursive=True)]
        if self.prefix:  # a profiler wraps the server: count the python child only
            procs = [p for p in procs if "python" in p.name().lower()] or procs
        return max(p.memory_info().rss for p in procs)

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far (under a
        profiler, the python child it runs: the profiler's own CPU is not the server's)."""
        import psutil

        proc = psutil.Process(self.pid)
        if self.prefix:
            proc = next((p for p in proc.children(recursive=True) if "python" in p.name().lower()), proc)
        times = proc.cpu_times()
        return float(times.user + times.system)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(2)  # SIGINT: uvicorn and py-spy both finish cleanly
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def server_prefix(name: str) -> list[str]:
    """``OFFSYNC_BENCH_PROFILE=DIR`` runs each sync server under py-spy, writing
    ``DIR/<name>.svg`` (a flame graph), or ``DIR/<name>.txt`` (collapsed stacks)
    with ``OFFSYNC_BENCH_PROFILE_FORMAT=raw``; ``OFFSYNC_BENCH_PROFILE_RATE``
    samples a second, ``OFFSYNC_BENCH_PROFILE_GIL=1`` only the GIL's holder.
    Off by default."""
    out_dir = os.environ.get("OFFSYNC_BENCH_PROFILE")
    if not out_dir:
        return []
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    fmt = os.environ.get("OFFSYNC_BENCH_PROFILE_FORMAT", "flamegraph")
    suffix = "txt" if fmt == "raw" else "svg"
    rate = os.environ.get("OFFSYNC_BENCH_PROFILE_RATE", "250")
    gil = ["--gil"] if os.environ.get("OFFSYNC_BENCH_PROFILE_GIL") else []
    return ["py-spy", "record", "--rate", rate, *gil, "--format", fmt, "-o", str(Path(out_dir) / f"{name}.{suffix}"), "--"]


# -- devices ------------------------------------------------------------------------


def token(user: str) -> str:
    return AUTHORITY.issue(user)


def new_device(folder: Path, name: str) -> Replica:
    return Replica(str(folder / f"{name}.db"), schema)


class TimedClient(SyncClient):
    """A :class:`SyncClient` that notes when its queue first became empty
    (every pushed mutation acked after the server's commit)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acked_at: float | None = None

    def _update(self, protocol: Any, *, connected: bool, recount: bool = True) -> None:
        super()._update(protocol, connected=connected, recount=recount)
        if self.acked_at is None and protocol.pushed and self.status.pending == 0:
            self.acked_at = time.perf_counter()


def fill(replica: Replica, ops: int, per_mutation: int) -> None:
    """Queue ``ops`` benchmark inserts on ``replica``, ``per_mutation`` rows per
    ``insert_many`` (one mutation each)."""
    values = [item(i) for i in range(ops)]
    for start in range(0, ops, per_mutation):
        replica.insert_many("items", values[start:start + per_mutation])


class CpuMeter:
    """CPU time used since it was made, by a child server and by this process
    (the devices' side)."""

    def __init__(self, server: ChildServer) -> None:
        self.server = server
        self.server_start, self.device_start = server.cpu_seconds(), time.process_time()

    def per(self, count: int, unit: str, digits: int) -> dict[str, float]:
        """Microseconds of CPU per ``unit`` on each side, rounded to ``digits``:
        ``server_cpu_us_per_<unit>`` and ``device_cpu_us_per_<unit>``."""
        server, device = self.server.cpu_seconds() - self.server_start, time.process_time() - self.device_start
        return {f"server_cpu_us_per_{unit}": round(server / count * 1e6, digits),
                f"device_cpu_us_per_{unit}": round(device / count * 1e6, digits)}


# -- baselines ------------------------------------------------------------------------


def time_ordered_ids(n: int) -> list[str]:
    return [new_id() for _ in range(n)]


def raw_insert_rate(rows: Sequence[tuple[Any, ...]], folder: Path, *, repeat: int = 2) -> float:
    """Rows/s of ``executemany`` of ``rows`` into a plain table on a fresh file
    (WAL, synchronous=NORMAL, one transaction): what SQLite itself can do."""
    best = 0.0
    for attempt in range(repeat):
        path = folder / f"raw-{attempt}-{time.monotonic_ns()}.db"
        c = apsw.Connection(str(path))
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL"):
            c.execute(f"PRAGMA {pragma}").fetchall()
        c.execute("CREATE TABLE items (id TEXT PRIMARY KEY, title TEXT, body TEXT, n INTEGER, done INTEGER)")
        start = time.perf_counter()
        with c:
            c.executemany(INSERT_SQL, rows)
        seconds = time.perf_counter() - start
        c.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        best = max(best, len(rows) / seconds)
    return best


def raw_rows(n: int, start: int = 0) -> list[tuple[Any, ...]]:
    ids = time_ordered_ids(n)
    return [stored_row(row_id, start + i) for i, row_id in enumerate(ids)]


def codec_rate(messages: Sequence[Any], count: int, *, repeat: int = 3) -> float:
    """Items/s of encoding and decoding ``messages`` with the protocol's own
    MessagePack codec (``count`` items in all): the serialisation limit."""
    from shared.messages import MSGPACK

    best = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        for message in messages:
            MSGPACK.decode(MSGPACK.encode(message))
        best = max(best, count / (time.perf_counter() - start))
    return best


async def ws_echo_rate(url: str, frames: Sequence[bytes], count: int, *, window: int = 4) -> float:
    """Items/s of sending ``frames`` to a plain websockets echo server and
    reading each back (``window`` frames in flight, as the client pushes)."""
    from websockets.asyncio.client import connect

    async with connect(url, max_size=None, compression=None) as ws:
        start = time.perf_counter()
        sent = received = 0
        while received < len(frames):
            while sent < len(frames) and sent - received < window:
                await ws.send(frames[sent])
                sent += 1
            await ws.recv()
            received += 1
        return count / (time.perf_counter() - start)


# -- the machine ------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import psutil
    import starlette
    import uvicorn
    import websockets

    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=False)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True, check=False)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "commit": commit.stdout.strip() or None,
        "dirty": bool(dirty.stdout.strip()),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        # other work on the machine skews every figure: say how busy it was
        "load_avg_1m_at_start": round(os.getloadavg()[0], 2),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": apsw.sqlite_lib_version(),
        "apsw": apsw.apsw_version(),
        "msgspec": msgspec.__version__,
        "websockets": websockets.__version__,
        "starlette": starlette.__version__,
        "uvicorn": uvicorn.__version__,
    }

