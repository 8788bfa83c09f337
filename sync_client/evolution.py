"""Opening a replica made under an older schema version.

Runs inside the transaction that opens the replica (``Replica.__init__``), so
the tables, their rows and the queued operations change together or not at
all. The replica records in ``sync_state`` the version (``schema_version``)
and declaration (``schema_fingerprint``) its tables were made for:

* the same version and fingerprint: nothing to do;
* the same version and another fingerprint: the declaration changed without a
  new version number: :class:`~shared.errors.SchemaMismatch`, nothing opened;
* an older version the app's :class:`~shared.evolution.History` declares: its
  migrations run on the tables that need them (each table is rebuilt with
  its rows converted, rowids kept, so search indexes stay valid) and on the
  queued operations (fields renamed, dropped, converted), so a write made
  under the old version is pushed as the new version says;
* a newer version than the app's: refused (an older app on a newer file).

Then the tables are compared with the declaration: a column whose type or
``required`` differs, or a column no field declares, is a change no migration
covered, and :class:`~shared.errors.SchemaMismatch` names it (before this, a
replica opened silently with the old column types and every later sync
failed inside SQLite).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import apsw
import msgspec

from shared import tables
from shared.errors import SchemaMismatch
from shared.evolution import DropCollection, History, Migration, migrate_fields
from shared.schema import INSERT_ORDER_COLUMN, SCOPE_COLUMN, VERSION_COLUMN, Collection, Field, Schema

from . import queue

_ENGINE_COLUMNS = frozenset({INSERT_ORDER_COLUMN, VERSION_COLUMN, SCOPE_COLUMN})
_msgpack = msgspec.msgpack.Encoder().encode
_json = msgspec.json.Encoder().encode


def open_schema(c: apsw.Connection, path: str, history: History, state: dict[str, Any]) -> None:
    """Bring the replica's tables and queue to ``history.current`` (see the module docstring).

    Raises:
        SchemaMismatch: a change no migration covers, naming the field; or a
            replica made by a newer app, or by another declaration of this version.
    """
    current = history.current
    stored = state.get("schema_version")
    fingerprint = state.get("schema_fingerprint")
    if stored is not None and int(stored) > current.version:
        raise SchemaMismatch(f"{path} holds schema version {stored}, newer than this app's {current.version}: "
                             "open it with the newer app")
    if stored is not None and int(stored) == current.version:
        if fingerprint and fingerprint != current.fingerprint:
            raise SchemaMismatch(f"{path} was made by another declaration of schema version {current.version}: "
                                 "a changed schema needs a new version number, with its changes declared "
                                 "(see docs/schema.md)", path="schema_fingerprint")
    elif stored is not None and int(stored) in history:
        _migrate(c, history, history[int(stored)], history.steps(int(stored)))
    _check_tables(c, path, current)


def _migrate(c: apsw.Connection, history: History, old: Schema, steps: Sequence[Migration]) -> None:
    current = history.current
    # a relaxed ``required`` also rebuilds: the column's NOT NULL must go
    relaxed = {coll.name for coll in current if coll.name in old and any(
        old[coll.name].fields[f.name].required and not f.required
        for f in coll.fields.values() if f.name in old[coll.name].fields)}
    touched = dict.fromkeys([*(m.collection for m in steps), *sorted(relaxed)])
    for name in touched:
        mine = [m for m in steps if m.collection == name]
        if not _exists(c, name):
            continue
        _freeze_entries(c, name)
        if any(isinstance(m, DropCollection) for m in mine):
            c.execute(f"DROP TABLE {tables.quote(name)}")
            # its queued writes go, but a mutation made of nothing else stays (the
            # server refuses it into sync_conflicts): a client_seq left with no
            # entry would leave a gap the server waits on for ever
            c.execute("DELETE FROM sync_queue WHERE collection = ?1 AND client_seq IN "
                      "(SELECT client_seq FROM sync_queue WHERE collection != ?1)", (name,))
            continue
        _rebuild(c, current[name], mine)
        _migrate_entries(c, name, mine)


def _exists(c: apsw.Connection, name: str) -> bool:
    return bool(c.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", (name,)).fetchall())


def _columns(c: apsw.Connection, name: str) -> dict[str, tuple[str, bool]]:
    """column -> (declared SQL type, NOT NULL), in table order."""
    rows = c.execute(f"PRAGMA table_info({tables.quote(name)})").fetchall()
    return {cast(str, r[1]): (cast(str, r[2]).upper(), bool(r[3]) or bool(r[5])) for r in rows}


def _freeze_entries(c: apsw.Connection, name: str) -> None:
    """Insert entries that read their fields from their row (``fields`` NULL, see
    ``shared.tables``) take a copy first: the row is about to change shape."""
    columns = [n for n in _columns(c, name) if n not in _ENGINE_COLUMNS]
    pk = _primary_key(c, name)
    names = [n for n in columns if n != pk]
    if not names:
        return
    packed = "json_object(" + ", ".join(f"'{n}', r.{tables.quote(n)}" for n in names) + ")"
    c.execute(f"UPDATE sync_queue SET fields = (SELECT {packed} FROM {tables.quote(name)} r "
              f"WHERE r.{tables.quote(pk)} = sync_queue.row_id) "
              "WHERE collection = ? AND kind = 'insert' AND fields IS NULL", (name,))


def _primary_key(c: apsw.Connection, name: str) -> str:
    rows = c.execute(f"PRAGMA table_info({tables.quote(name)})").fetchall()
    return next(cast(str, r[1]) for r in rows if r[5])


def _rebuild(c: apsw.Connection, coll: Collection, steps: Sequence[Migration]) -> None:
    """Make the table as ``coll`` declares it, with every row migrated (rowids kept)."""
    name = coll.name
    old_columns = list(_columns(c, name))
    rows = c.execute(f"SELECT rowid, {', '.join(map(tables.quote, old_columns))} FROM {tables.quote(name)}").fetchall()
    temp = f"{name}__offsync_migrating"
    c.execute(f"DROP TABLE IF EXISTS {tables.quote(temp)}")
    c.execute(tables.create_table_sql(coll).replace(f"EXISTS {tables.quote(name)}", f"EXISTS {tables.quote(temp)}", 1))
    columns = (*coll.field_names, INSERT_ORDER_COLUMN, VERSION_COLUMN, SCOPE_COLUMN)
    insert = (f"INSERT INTO {tables.quote(temp)} (rowid, {', '.join(map(tables.quote, columns))}) "
              f"VALUES (?, {', '.join('?' * len(columns))})")
    defaults = coll.defaults()
    values = []
    for row in rows:
        stored = dict(zip(old_columns, row[1:], strict=True))
        fields = migrate_fields(steps, name, {k: v for k, v in stored.items() if k not in _ENGINE_COLUMNS})
        assert fields is not None  # a dropped collection is not rebuilt
        checked = {n: fields.get(n, defaults.get(n)) for n in coll.field_names}
        values.append((row[0], *(checked[n] for n in coll.field_names),
                       *(stored.get(n) for n in (INSERT_ORDER_COLUMN, VERSION_COLUMN)),
                       stored.get(SCOPE_COLUMN, "")))
    try:
        c.executemany(insert, values)
    except apsw.ConstraintError as exc:
        raise SchemaMismatch(f"{name}: a migrated row does not fit the new declaration ({exc}); "
                             "check the migration's convert function", path=name) from None
    c.execute(f"DROP TABLE {tables.quote(name)}")
    c.execute(f"ALTER TABLE {tables.quote(temp)} RENAME TO {tables.quote(name)}")


def _migrate_entries(c: apsw.Connection, name: str, steps: Sequence[Migration]) -> None:
    """Rewrite the queued operations on ``name`` as the new version names them,
    in the encoding each had (see ``sync_client.queue``)."""
    found = c.execute("SELECT id, fields FROM sync_queue WHERE collection = ? AND fields IS NOT NULL",
                      (name,)).fetchall()
    updates = []
    for entry_id, raw in found:
        fields = queue.decode_fields(cast("str | bytes", raw))
        migrated = migrate_fields(steps, name, fields) or {}
        if migrated != fields:
            encoded: str | bytes = _json(migrated).decode() if isinstance(raw, str) else _msgpack(migrated)
            updates.append((encoded, entry_id))
    c.executemany("UPDATE sync_queue SET fields = ? WHERE id = ?", updates)


def _sql_type(coll: Collection, f: Field) -> str:
    """The SQLite type of a field's column, as ``tables.column_sql`` declares it."""
    return tables.column_sql(coll, f).split()[1]  # '"name" TYPE ...'; names hold no spaces


def _check_tables(c: apsw.Connection, path: str, schema: Schema) -> None:
    """Every existing collection table has the declared column types and
    ``required``, and no column the declaration lacks."""
    for coll in schema:
        if not _exists(c, coll.name):
            continue
        have = _columns(c, coll.name)
        for column, (sql_type, not_null) in have.items():
            if column in _ENGINE_COLUMNS:
                continue
            f = coll.fields.get(column)
            where = f"{coll.name}.{column}"
            if f is None:
                raise SchemaMismatch(
                    f"{path}: the replica holds {where}, which schema version {schema.version} does not declare: "
                    f"declare its removal (DropField or RenameField) in a new version of the schema history",
                    path=where)
            if sql_type != _sql_type(coll, f):
                raise SchemaMismatch(
                    f"{path}: the replica stores {where} as {sql_type}, schema version {schema.version} declares "
                    f"{f.type}: declare the change (Retype) in a new version of the schema history", path=where)
            wanted = f.required or column == coll.primary_key
            if not_null != wanted:
                raise SchemaMismatch(
                    f"{path}: {where} is {'required' if not_null else 'optional'} in the replica and "
                    f"{'required' if wanted else 'optional'} in schema version {schema.version}: declare the "
                    "change in a new version of the schema history", path=where)
