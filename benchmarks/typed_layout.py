"""The limit of the stored layout issue 17 asks for, measured beside today's.

Today the server keeps every row in one ``rows`` table, its fields and their
stamps as two MessagePack blobs, and merges in Python: each op is read back,
decoded, merged and encoded again. Issue 17 proposes a table per collection
with a typed column per field and a stamp per field beside it (NULL: the row's
own stamp), merged by SQLite itself in one multi-row
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` per mutation.

:class:`TypedStore` runs that layout on the same Push frames the push
benchmark sends (``bench_push`` decodes and times them): one upsert
statement per mutation (per field: the value, its ``insert_order`` and
``client_id`` kept only if the incoming write wins; the version moves on and
the row takes a new seq only if some field won), the device's
``last_client_seq``, one durable commit per frame. It does
what a correct last-writer-wins server must store and nothing else: no
validation, no results, no fan-out, no socket. So it is a ceiling: the
figure ``push_throughput.typed_layout`` says how far the redesign could take
the engine, in the same run as the raw insert and today's engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import cast

import apsw

from shared.messages import Push

from .schema import COLUMNS

FIELDS = COLUMNS[1:]

_DDL = f"""
CREATE TABLE items (
    row_id ANY NOT NULL, scope TEXT NOT NULL, seq INTEGER NOT NULL, version INTEGER NOT NULL,
    insert_order INTEGER NOT NULL, client_id TEXT NOT NULL, deleted INTEGER NOT NULL,
    {', '.join(f'{f} ANY' for f in FIELDS)},
    {', '.join(f'{f}_io INTEGER, {f}_cid TEXT' for f in FIELDS)},
    UNIQUE (row_id, scope)
) STRICT;
CREATE UNIQUE INDEX items_scope_seq ON items (scope, seq);
CREATE TABLE devices (client_id TEXT PRIMARY KEY, user TEXT NOT NULL, last_client_seq INTEGER NOT NULL) STRICT;
"""

_DEVICE = ("INSERT INTO devices VALUES (?, ?, ?) "
           "ON CONFLICT (client_id) DO UPDATE SET last_client_seq = excluded.last_client_seq")


def _wins(field: str) -> str:
    """True where the incoming write's stamp beats the one ``field`` holds."""
    io, cid = f"coalesce(items.{field}_io, items.insert_order)", f"coalesce(items.{field}_cid, items.client_id)"
    return f"(excluded.insert_order > {io} OR (excluded.insert_order = {io} AND excluded.client_id > {cid}))"


def upsert_sql(rows: int, fields: Sequence[str]) -> str:
    """One statement writing ``rows`` rows that each set ``fields``."""
    columns = f"row_id,scope,seq,version,insert_order,client_id,deleted,{','.join(fields)}"
    one = f"({','.join('?' * (7 + len(fields)))})"
    sets = []
    for f in fields:
        won = _wins(f)
        sets += [f"{f} = iif({won}, excluded.{f}, items.{f})",
                 f"{f}_io = iif({won}, excluded.insert_order, items.{f}_io)",
                 f"{f}_cid = iif({won}, excluded.client_id, items.{f}_cid)"]
    any_won = " OR ".join(_wins(f) for f in fields)
    sets += [f"version = items.version + ({any_won})", f"seq = iif({any_won}, excluded.seq, items.seq)"]
    return (f"INSERT INTO items({columns}) VALUES {','.join([one] * rows)} "
            f"ON CONFLICT (row_id, scope) DO UPDATE SET {', '.join(sets)} RETURNING version")


class TypedStore:
    """One file in the proposed layout (WAL, ``synchronous=FULL``)."""

    def __init__(self, path: Path) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        self.c = apsw.Connection(str(path))
        self.c.execute("PRAGMA journal_mode=WAL").fetchall()
        self.c.execute("PRAGMA synchronous=FULL")
        self.c.execute(_DDL)
        self.head = 0

    def apply(self, push: Push, client_id: str, user: str) -> None:
        """Merge one decoded push, in one durable commit."""
        c, scope = self.c, f"user:{user}"
        with c:
            for mutation in push.mutations:
                params: list[object] = []
                extend, head = params.extend, self.head
                for op in mutation.ops:
                    head += 1
                    extend((op.row_id, scope, head, op.base_version + 1, op.insert_order, client_id, 0,
                            *op.fields.values()))
                self.head = head
                c.execute(upsert_sql(len(mutation.ops), tuple(mutation.ops[0].fields)), params).fetchall()
            c.execute(_DEVICE, (client_id, user, push.mutations[-1].client_seq))

    def titles(self) -> dict[str, int]:
        """How many rows hold each title (the check that losing writes lost)."""
        found = self.c.execute("SELECT title, count(*) FROM items GROUP BY title").fetchall()
        return {str(title): cast(int, count) for title, count in found}

    def close(self) -> None:
        self.c.close()
