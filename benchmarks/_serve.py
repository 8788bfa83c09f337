"""Child-process servers for the benchmarks (started by :mod:`benchmarks.harness`).

``python -m benchmarks._serve sync --db PATH --port N [--synchronous FULL]``
    the offsync server over the benchmark schema, as ``offsync serve`` runs it.
``python -m benchmarks._serve plain --port N``
    the baseline: a plain ``websockets`` server that echoes each frame on
    ``/echo`` and relays each frame to every other connection on ``/fan``.
``python -m benchmarks._serve starlette --port N``
    the same relay on ``/fan`` as the least a Starlette app under uvicorn
    can be (the stack offsync's server runs on, started as the benchmark
    starts it): each frame received is sent to every other connection.

A server in its own process does not share the benchmark's GIL, as a real
deployment would not share it with its devices.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from typing import Any


def _uvicorn(app: Any, port: int) -> None:
    """Serve ``app`` as the sync server is served: the starlette relay runs the
    same way, so that it measures the stack and nothing else."""
    import uvicorn

    from sync_server.app import MAX_FRAME_BYTES

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", ws_max_size=MAX_FRAME_BYTES, lifespan="on",
                backlog=4096)


def _serve_sync(args: argparse.Namespace) -> None:
    from sync_server.app import SyncServer
    from sync_server.limits import Limits
    from sync_server.store.sqlite import SQLiteStore
    from sync_server.web import install

    from .harness import SECRET
    from .schema import schema

    # the fan-out benchmark connects up to 100 devices of one user, past the
    # default per-user limit (20); every other limit stays at its default
    limits = Limits(max_connections_per_user=1000)
    server = SyncServer(schema, SQLiteStore(args.db, synchronous=args.synchronous), SECRET, limits=limits)
    install(server)  # GET /schema and /client/ for the browser benchmark
    _uvicorn(server.app, args.port)


async def _plain(port: int) -> None:
    from websockets.asyncio.server import ServerConnection, broadcast, serve

    fan: set[ServerConnection] = set()

    async def handler(ws: ServerConnection) -> None:
        path = ws.request.path if ws.request is not None else "/echo"
        if path == "/fan":
            fan.add(ws)
            try:
                async for frame in ws:
                    broadcast(fan - {ws}, frame)
            finally:
                fan.discard(ws)
        else:
            async for frame in ws:
                await ws.send(frame)

    async with serve(handler, "127.0.0.1", port, max_size=None, compression=None, backlog=4096):
        await asyncio.Event().wait()


def _serve_starlette(port: int) -> None:
    from starlette.applications import Starlette
    from starlette.routing import WebSocketRoute
    from starlette.websockets import WebSocket, WebSocketDisconnect

    fan: set[WebSocket] = set()

    async def relay(ws: WebSocket) -> None:
        await ws.accept()
        fan.add(ws)
        try:
            while True:
                frame = await ws.receive_bytes()
                for other in [c for c in fan if c is not ws]:
                    await other.send_bytes(frame)
        except WebSocketDisconnect:
            pass
        finally:
            fan.discard(ws)

    _uvicorn(Starlette(routes=[WebSocketRoute("/fan", relay)]), port)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._serve")
    parser.add_argument("kind", choices=("sync", "plain", "starlette"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", default=os.devnull)
    parser.add_argument("--synchronous", default="FULL")
    args = parser.parse_args()
    if args.kind == "sync":
        _serve_sync(args)
    elif args.kind == "starlette":
        _serve_starlette(args.port)
    else:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_plain(args.port))


if __name__ == "__main__":
    main()
