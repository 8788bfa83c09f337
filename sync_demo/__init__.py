"""``offsync demo``: a server and simulated devices in one process.

It runs both sides, so it is neither: it imports ``sync_server`` and
``sync_client``, and the server's CLI imports it only when the command runs
(a server installed without the device side serves all the same).
:func:`server_rows` and :func:`replica_rows` put a server's and a replica's
rows in one form, to compare them (tests use them too).
"""

from .demo import replica_rows, run_demo, server_rows

__all__ = ["replica_rows", "run_demo", "server_rows"]
