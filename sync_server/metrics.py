"""What a running server tells its operator: Prometheus metrics at
``GET /metrics``, and the same picture as JSON at ``GET /admin/status`` (what
``offsync status`` shows).

Both need a token with the admin scope (:data:`ADMIN_SCOPE`, from ``offsync
token --user ops --scope offsync:admin``), sent as ``Authorization: Bearer``:
device ids and user names are not for everyone. ``OFFSYNC_METRICS_PUBLIC=1``
serves ``/metrics`` without one (for a scraper on a private network).

Metrics (each server has its own registry, so several in one process do not
mix):

=====================================  =====================================================
``offsync_pushes_total``               pushes taken (WebSocket and HTTP)
``offsync_mutations_total{status}``    mutations answered, by status
``offsync_operations_total{status}``   their operations, by the mutation's status
``offsync_conflicts_total{policy,      conflicts recorded (every conflict, however resolved)
resolution}``
``offsync_batch_operations``           histogram: operations per group commit
``offsync_commit_seconds``             histogram: time to apply and commit one group
``offsync_batch_failures_total``       group commits that failed (nothing of them stored)
``offsync_batch_races_total``          group commits tried again after a race with another node's
``offsync_connected_devices``          open WebSocket connections past Hello
``offsync_rows_pulled_total``          rows sent in pulled pages (WebSocket and HTTP)
``offsync_head``                       the server's head (the newest seq)
``offsync_device_lag{device,user}``    head - the cursor last sent to each connected device
``offsync_errors_total{code}``         Error messages and HTTP errors sent, by code
=====================================  =====================================================

This module only observes: the app calls it at the points where things
happen (a commit, a page, an error), and the gauges are read at scrape time.
"""

from __future__ import annotations

import os
import time
from collections import Counter as Tally
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from shared.merge import Conflict
from shared.messages import MutationResult

#: the scope a token needs for /metrics and /admin/status
ADMIN_SCOPE = "offsync:admin"
#: errors kept for ``offsync status``
RECENT_ERRORS = 20
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True)
class DeviceView:
    """One connected device, as the operator sees it."""

    device: str
    user: str
    cursor: int


@dataclass(frozen=True)
class RecentError:
    at: float  # unix seconds
    code: str
    message: str
    device: str


class _Gauges(Collector):
    """The gauges read at scrape time: connections, head, each device's lag."""

    def __init__(self, head: Callable[[], int], devices: Callable[[], list[DeviceView]]) -> None:
        self._head = head
        self._devices = devices

    def collect(self) -> Iterator[GaugeMetricFamily]:
        head = self._head()
        devices = self._devices()
        yield GaugeMetricFamily("offsync_connected_devices", "open WebSocket connections past Hello",
                                value=len(devices))
        yield GaugeMetricFamily("offsync_head", "the server's head (the newest seq)", value=head)
        lag = GaugeMetricFamily("offsync_device_lag", "head - the cursor last sent to the device",
                                labels=["device", "user"])
        for d in devices:
            lag.add_metric([d.device, d.user], max(0, head - d.cursor))
        yield lag


class Metrics:
    """The counters of one server, and the recent errors.

    Args:
        head: reads the server's head.
        devices: lists the connected devices.
    """

    def __init__(self, head: Callable[[], int], devices: Callable[[], list[DeviceView]]) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.pushes = Counter("offsync_pushes", "pushes taken", registry=r)
        self.mutations = Counter("offsync_mutations", "mutations answered, by status", ["status"], registry=r)
        self.operations = Counter("offsync_operations", "operations answered, by their mutation's status",
                                  ["status"], registry=r)
        self.conflicts = Counter("offsync_conflicts", "conflicts recorded", ["policy", "resolution"], registry=r)
        self.batch_operations = Histogram(
            "offsync_batch_operations", "operations per group commit", registry=r,
            buckets=(1, 10, 100, 1_000, 5_000, 20_000, 100_000, 500_000, float("inf")))
        self.commit_seconds = Histogram(
            "offsync_commit_seconds", "time to apply and commit one group", registry=r,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, float("inf")))
        self.batch_failures = Counter("offsync_batch_failures", "group commits that failed", registry=r)
        self.batch_races = Counter("offsync_batch_races", "group commits tried again after a race with "
                                   "another node's (the same new row, a deadlock)", registry=r)
        self.rows_pulled = Counter("offsync_rows_pulled", "rows sent in pulled pages", registry=r)
        self.errors = Counter("offsync_errors", "Error messages and HTTP errors sent, by code", ["code"],
                              registry=r)
        r.register(_Gauges(head, devices))
        self.devices = devices
        self.head = head
        self.recent: deque[RecentError] = deque(maxlen=RECENT_ERRORS)
        self.started = time.time()

    # -- observing -------------------------------------------------------------

    def batch(self, seconds: float, mutations: Iterable[tuple[int, MutationResult]],
              conflicts: Iterable[Conflict]) -> None:
        """A committed group: ``mutations`` as (operation count, result)."""
        by_status: Tally[str] = Tally()
        ops_by_status: Tally[str] = Tally()
        total = 0
        for ops, result in mutations:
            by_status[result.status] += 1
            ops_by_status[result.status] += ops
            total += ops
        for status, n in by_status.items():
            self.mutations.labels(status).inc(n)
        for status, n in ops_by_status.items():
            self.operations.labels(status).inc(n)
        for (policy, resolution), n in Tally((c.policy, c.resolution) for c in conflicts).items():
            self.conflicts.labels(policy, resolution).inc(n)
        self.batch_operations.observe(total)
        self.commit_seconds.observe(seconds)

    def pushed(self, n: int = 1) -> None:
        self.pushes.inc(n)

    def pulled(self, rows: int) -> None:
        if rows:
            self.rows_pulled.inc(rows)

    def error(self, code: str, message: str, device: str = "") -> None:
        """An error sent to a peer (its wire code and message only)."""
        self.errors.labels(code).inc()
        self.recent.append(RecentError(time.time(), code, message, device))

    # -- reading ---------------------------------------------------------------

    def exposition(self) -> bytes:
        """The Prometheus text format of every metric."""
        return generate_latest(self.registry)

    def status(self) -> dict[str, Any]:
        """What ``offsync status`` shows: health, devices and their lag, recent errors."""
        head = self.head()
        devices = sorted(self.devices(), key=lambda d: (d.user, d.device))
        return {
            "status": "ok",
            "head": head,
            "uptime_s": round(time.time() - self.started, 1),
            "devices": [{"device": d.device, "user": d.user, "cursor": d.cursor, "lag": max(0, head - d.cursor)}
                        for d in devices],
            "mutations": _by_label(self.mutations),
            "errors": _by_label(self.errors),
            "recent_errors": [{"at": e.at, "code": e.code, "message": e.message, "device": e.device}
                              for e in reversed(self.recent)],
        }


def _by_label(counter: Counter) -> dict[str, int]:
    """A one-label counter as {label value: count}."""
    found: dict[str, int] = {}
    for metric in counter.collect():
        for sample in metric.samples:
            if sample.name.endswith("_total"):
                found[next(iter(sample.labels.values()))] = int(sample.value)
    return found


def metrics_public() -> bool:
    """``OFFSYNC_METRICS_PUBLIC=1``: serve /metrics without an admin token."""
    return os.environ.get("OFFSYNC_METRICS_PUBLIC", "") in ("1", "true", "yes")
