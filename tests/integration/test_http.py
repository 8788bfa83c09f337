"""Push and pull over plain HTTP (a PWA's service worker) give the socket's results."""

from __future__ import annotations

from pathlib import Path

import httpx
import msgspec

from shared.messages import JSON, MSGPACK, Changes, Mutation, Operation, Pull, Push
from sync_client.replica import Replica

from ..servers import ThreadServer
from .helpers import converged, device, sync


def pending_push(replica: Replica) -> bytes:
    mutations: dict[int, list[Operation]] = {}
    for e in replica.pending():
        mutations.setdefault(e.client_seq, []).append(e.to_operation())
    return JSON.encode(Push(mutations=[Mutation(client_seq=s, ops=ops) for s, ops in mutations.items()]))


def http_push(server: ThreadServer, token: str, replica: Replica, body: bytes) -> dict:
    response = httpx.post(f"{server.base}/sync/push", content=body,
                          headers={"authorization": f"Bearer {token}", "offsync-client-id": replica.device_id,
                                   "content-type": "application/json"})
    assert response.status_code == 200, response.text
    ack = JSON.decode(response.content)
    replica.apply_results(ack.results, ack.server_clock, ack.cursor)
    return msgspec.json.decode(response.content)


def http_pull(server: ThreadServer, token: str, replica: Replica, limit: int = 3) -> int:
    pages = 0
    while True:
        body = MSGPACK.encode(Pull(cursor=replica.cursor, limit=limit))
        response = httpx.post(f"{server.base}/sync/pull", content=body,
                              headers={"authorization": f"Bearer {token}", "content-type": "application/msgpack"})
        assert response.status_code == 200 and response.headers["content-type"] == "application/msgpack"
        changes = MSGPACK.decode(response.content)
        assert isinstance(changes, Changes)
        replica.apply_changes(changes)
        pages += 1
        if not changes.more:
            return pages


def test_http_push_and_pull_give_the_same_result_as_the_socket(server: ThreadServer, schema,
                                                              tmp_path: Path) -> None:
    token = server.token("ada")
    pwa, app = device(tmp_path, "pwa", schema), device(tmp_path, "app", schema)
    pwa.insert_many("notes", [{"title": f"from the pwa {i}"} for i in range(5)])
    pwa.insert("counters", {"id": "c", "name": "n"})
    pwa.increment("counters", "c", {"value": 2})
    body = pending_push(pwa)
    ack = http_push(server, token, pwa, body)
    assert [r["status"] for r in ack["results"]] == ["applied"] * 3
    app.insert("notes", {"title": "from the app"})
    app.insert("counters", {"id": "c", "name": "n"})
    app.increment("counters", "c", {"value": 5})
    sync(app, server, token)
    assert http_pull(server, token, pwa) > 1  # several pages
    sync(app, server, token)
    assert pwa.get("counters", "c")["value"] == app.get("counters", "c")["value"] == 7
    assert converged(server.sync, ["user:ada"], pwa, app)
    # the same HTTP push sent again (its response lost, say) is answered duplicate and applied once
    head = server.sync.store.head()
    again = http_push(server, token, pwa, body)
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 3
    assert server.sync.store.head() == head


def test_http_errors_are_clear(server: ThreadServer) -> None:
    token = server.token("ada")
    url = f"{server.base}/sync/push"
    ok_headers = {"authorization": f"Bearer {token}", "offsync-client-id": "d1"}
    push = JSON.encode(Push(mutations=[Mutation(client_seq=1, ops=[Operation(
        kind="insert", collection="notes", row_id="n", insert_order=1, fields={"title": "x"})])]))
    assert httpx.post(url, content=push).status_code == 401
    assert httpx.post(url, content=push, headers={"authorization": "Bearer nope", "offsync-client-id": "d"}
                      ).status_code == 401
    missing = httpx.post(url, content=push, headers={"authorization": f"Bearer {token}"})
    assert missing.status_code == 400 and missing.json()["path"] == "headers.offsync-client-id"
    bad = httpx.post(url, content=b'{"type":"push","mutations":[{"client_seq":0,"ops":[]}]}', headers=ok_headers)
    assert bad.status_code == 400 and bad.json()["path"] == "$.mutations[0].client_seq"
    wrong = httpx.post(url, content=JSON.encode(Pull()), headers=ok_headers)
    assert wrong.status_code == 400 and "expected push" in wrong.json()["message"]
    big = httpx.post(url, content=b"x" * (server.sync.max_frame_bytes + 1), headers=ok_headers)
    assert big.status_code == 413
    assert server.sync.store.head() == 0
    assert httpx.post(url, content=push, headers=ok_headers).status_code == 200
    assert server.sync.store.head() == 1
