"""GET /metrics, GET /admin/status and GET /protocol.schema.json on a real server."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from sync_client.connection import SyncClient
from sync_server.metrics import ADMIN_SCOPE

from ..servers import ThreadServer
from .helpers import device, sync


def _admin(server: ThreadServer) -> dict[str, str]:
    return {"authorization": f"Bearer {server.token('ops', (ADMIN_SCOPE,))}"}


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (0 if absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = "^" + re.escape(name) + (r"\{" + re.escape(want) + r"\}" if want else "") + r" (\S+)$"
    found = re.search(pattern, text, re.M)
    return float(found.group(1)) if found else 0.0


def _wait(condition, timeout: float = 10) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.02)


def test_metrics_need_an_admin_token(server: ThreadServer, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"{server.base}/metrics"
    assert httpx.get(url).status_code == 401
    user = httpx.get(url, headers={"authorization": f"Bearer {server.token('ada')}"})
    assert user.status_code == 403 and ADMIN_SCOPE in user.json()["message"]
    assert httpx.get(url, headers=_admin(server)).status_code == 200
    assert httpx.get(f"{server.base}/admin/status").status_code == 401
    monkeypatch.setenv("OFFSYNC_METRICS_PUBLIC", "1")
    assert httpx.get(url).status_code == 200
    assert httpx.get(f"{server.base}/admin/status").status_code == 401  # the status stays private


def test_metrics_count_what_the_server_did(server: ThreadServer, schema, tmp_path: Path) -> None:
    token = server.token("ada")
    a, b = device(tmp_path, "a", schema), device(tmp_path, "b", schema)
    a.insert_many("notes", [{"title": f"n{i}"} for i in range(5)])
    entry = a.insert("journal", {"title": "monday"})
    sync(a, server, token)
    sync(b, server, token)
    a.update("journal", entry, {"title": "from a"})
    b.update("journal", entry, {"title": "from b"})
    sync(a, server, token)
    assert sync(b, server, token).rejected == 1  # a reject conflict
    assert httpx.post(f"{server.base}/sync/pull", content=b"{}",
                      headers={"authorization": "Bearer forged"}).status_code == 401

    text = httpx.get(f"{server.base}/metrics", headers=_admin(server)).text
    assert _sample(text, "offsync_pushes_total") == 3  # b had nothing to push at first
    assert _sample(text, "offsync_mutations_total", status="applied") == 3
    assert _sample(text, "offsync_mutations_total", status="rejected") == 1
    assert _sample(text, "offsync_operations_total", status="applied") == 7  # 5 notes + 1 entry + 1 update
    assert _sample(text, "offsync_conflicts_total", policy="reject", resolution="rejected") == 1
    assert _sample(text, "offsync_batch_operations_count") == 3
    assert _sample(text, "offsync_batch_operations_sum") == 8
    assert _sample(text, "offsync_commit_seconds_count") == 3
    assert _sample(text, "offsync_rows_pulled_total") >= 6 + 1  # b's bootstrap, then a's update
    assert _sample(text, "offsync_errors_total", code="unauthorized") == 1
    assert _sample(text, "offsync_head") == server.sync.store.head()
    a.close()
    b.close()


def test_connected_devices_and_their_lag(server: ThreadServer, schema, tmp_path: Path) -> None:
    token = server.token("ada")
    live = device(tmp_path, "live", schema)
    client = SyncClient(live, server.ws_url, token)
    client.start()
    try:
        _wait(lambda: client.status.last_sync_at is not None)
        writer = device(tmp_path, "w", schema)
        writer.insert("notes", {"title": "seen live"})
        sync(writer, server, token)
        _wait(lambda: live.cursor == server.sync.store.head())
        text = httpx.get(f"{server.base}/metrics", headers=_admin(server)).text
        assert _sample(text, "offsync_connected_devices") == 1
        assert _sample(text, "offsync_device_lag", device=live.device_id, user="ada") == 0
        status = httpx.get(f"{server.base}/admin/status", headers=_admin(server)).json()
        assert status["status"] == "ok" and status["head"] == server.sync.store.head()
        assert status["devices"] == [{"device": live.device_id, "user": "ada", "cursor": status["head"], "lag": 0}]
        writer.close()
    finally:
        client.stop()
        live.close()
    _wait(lambda: not server.sync.connections)
    text = httpx.get(f"{server.base}/metrics", headers=_admin(server)).text
    assert _sample(text, "offsync_connected_devices") == 0


def test_recent_errors_are_kept_without_tokens(server: ThreadServer) -> None:
    forged = "eyJhbGciOiJIUzI1NiJ9.e30.forged"
    httpx.post(f"{server.base}/sync/push", content=b"{}",
               headers={"authorization": f"Bearer {forged}", "offsync-client-id": "d1"})
    status = httpx.get(f"{server.base}/admin/status", headers=_admin(server)).json()
    assert status["recent_errors"][0]["code"] == "unauthorized"
    assert forged not in str(status)
    assert status["errors"] == {"unauthorized": 1}


def test_the_protocol_json_schema_is_served(server: ThreadServer) -> None:
    response = httpx.get(f"{server.base}/protocol.schema.json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/schema+json"
    schema = response.json()
    assert schema["discriminator"]["propertyName"] == "type"
    assert {"Hello", "Welcome", "Push", "Ack", "Pull", "Changes", "Error"} <= set(schema["$defs"])
    operation = schema["$defs"]["Operation"]["properties"]
    assert {"kind", "collection", "row_id", "base_version", "insert_order", "fields", "scope"} == set(operation)
    assert schema["$defs"]["Push"]["properties"]["type"] == {"enum": ["push"]}
