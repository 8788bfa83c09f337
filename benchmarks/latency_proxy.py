"""A loopback TCP proxy that adds latency, for the multi-node benchmark.

    python -m benchmarks.latency_proxy --port 6432 --to 127.0.0.1:5432 --delay-ms 0.5

Every chunk is forwarded ``delay-ms`` after it arrived, in each direction and
in order (a round trip through the proxy costs twice the delay more), as a
database one network hop away would: chunks in flight at once are delayed
together, as packets on a wire are, not one after another. Two threads per
direction: one reads and stamps each chunk with its arrival time, the other
sends it at that time plus the delay, sleeping with ``time.sleep``
(sub-millisecond on Linux; an asyncio timer is rounded up to whole
milliseconds by epoll, which made a 1 ms round trip 2-7 ms). Runs in its own
process, so it shares no GIL with the nodes or the benchmark.

(An earlier version slept ``delay`` after reading each chunk, in one thread:
a message that left in several chunks, as libpq's pipeline mode sends them,
then paid the delay once per chunk, which no network does.)
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import threading
import time
from collections import deque


def _pump(source: socket.socket, target: socket.socket, delay: float) -> None:
    """Forward ``source`` to ``target``, each chunk ``delay`` seconds after it arrived."""
    chunks: deque[tuple[float, bytes]] = deque()
    ready = threading.Condition()
    done = False

    def send() -> None:
        with contextlib.suppress(OSError):
            while True:
                with ready:
                    while not chunks and not done:
                        ready.wait()
                    if not chunks:
                        break
                    due, data = chunks.popleft()
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                target.sendall(data)
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            with ready:
                chunks.append((time.monotonic() + delay, data))
                ready.notify()
    with ready:
        done = True
        ready.notify()
    sender.join()


def _handle(client: socket.socket, upstream: tuple[str, int], delay: float) -> None:
    try:
        server = socket.create_connection(upstream)
    except OSError:
        client.close()
        return
    for s in (client, server):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    back = threading.Thread(target=_pump, args=(server, client, delay), daemon=True)
    back.start()
    _pump(client, server, delay)
    back.join()
    client.close()
    server.close()


def serve(port: int, upstream: tuple[str, int], delay: float) -> None:
    listener = socket.create_server(("127.0.0.1", port))
    while True:
        client, _ = listener.accept()
        threading.Thread(target=_handle, args=(client, upstream, delay), daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--to", default="127.0.0.1:5432", help="host:port to forward to")
    parser.add_argument("--delay-ms", type=float, default=0.5, help="added to each direction")
    args = parser.parse_args()
    host, _, port = args.to.rpartition(":")
    with contextlib.suppress(KeyboardInterrupt):
        serve(args.port, (host, int(port)), args.delay_ms / 1000)


if __name__ == "__main__":
    main()
