"""Schema history: each version of an app's schema, what changed between
them, the migrations breaking changes need, and the fingerprint of each.

An app declares every version it has shipped, oldest first, and a migration
for each breaking change::

    HISTORY = History(
        Schema(1, (Collection("notes", {"title": "text"}),)),
        Schema(2, (Collection("notes", {"title": "text", "pinned": Field(...)}),)),  # additive
        Schema(3, (Collection("notes", {"heading": "text", ...}),)),                 # breaking
        migrations={3: [RenameField("notes", "title", "heading")]},
    )

Each step from one version to the next is compared when the history is
declared (:func:`diff`):

* **additive** (compatible): a new collection, a new field that is optional
  or has a default, a relaxed ``required``, a changed default, search (fts,
  vector), unique keys, indexes, retention. Devices on the older version keep
  syncing; the server translates (``sync_server.evolution``).
* **breaking**: a collection or field dropped, a field renamed or retyped, a
  counter made or unmade, ``required`` tightened, the policy changed. Each
  needs a migration (:class:`RenameField`, :class:`DropField`,
  :class:`Retype`, :class:`DropCollection`, :class:`ChangePolicy`) declared
  under the version that makes it, else :class:`~shared.errors.SchemaError`
  names the field. A breaking version is the oldest the server serves from
  then on: older devices get ``schema_mismatch`` naming it, and migrate their
  rows and queue when the app is updated and the replica opened.
* **refused**: a changed primary key or scope field, a new required field
  without a default (an old device's insert could not fill it).

Migrations are pure functions of one row's stored fields, so the server (on
its rows, at start) and every device (on its rows and queued operations, at
open) reach the same rows without exchanging them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import SchemaError, SchemaMismatch
from .schema import Collection, Schema

# -- migrations ---------------------------------------------------------------


@dataclass(frozen=True)
class RenameField:
    """``collection.old`` is now called ``new`` (its values and history move with it)."""

    collection: str
    old: str
    new: str


@dataclass(frozen=True)
class DropField:
    """``collection.field`` is gone; its values are dropped."""

    collection: str
    field: str


@dataclass(frozen=True)
class Retype:
    """``collection.field`` changed its type, counter flag or ``required``.

    Args:
        convert: turns one stored value of the old declaration into the new
            one; called for every row, with ``None`` for a null. Must be pure
            (every device and the server run it on their own copy). Without
            it values are kept as they are.
    """

    collection: str
    field: str
    convert: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class DropCollection:
    """The collection is gone, with its rows and queued writes."""

    collection: str


@dataclass(frozen=True)
class ChangePolicy:
    """The collection's conflict policy (or resolver) changed; rows stay as they are."""

    collection: str


Migration = RenameField | DropField | Retype | DropCollection | ChangePolicy


# -- what changed -----------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One difference between a version and the one before it.

    ``kind`` is one of: add_collection, drop_collection, add_field, drop_field,
    rename_field, retype_field, relax_field, change_policy, change_other.
    """

    kind: str
    collection: str
    field: str = ""
    breaking: bool = False
    detail: str = ""
    new_name: str = ""  # rename_field: the field's new name

    def as_step(self) -> dict[str, Any]:
        """The change as data (``GET /schema``'s ``history``: the browser replica
        migrates by it; the text form is for people)."""
        return {"kind": self.kind, "collection": self.collection, "field": self.field,
                "breaking": self.breaking, "new_name": self.new_name}

    def __str__(self) -> str:
        where = f"{self.collection}.{self.field}" if self.field else self.collection
        text = f"{self.kind} {where}"
        return f"{text} ({self.detail})" if self.detail else text


def _field_shape(coll: Collection, name: str) -> tuple[Any, ...]:
    f = coll.fields[name]
    return (f.type, f.counter)


def diff(old: Schema, new: Schema, migrations: Sequence[Migration] = ()) -> list[Change]:
    """What changed from ``old`` to ``new``, given the migrations declared for ``new``.

    Raises:
        SchemaError: a breaking change no migration covers, a migration naming
            something that is not there, or a change no migration can make;
            the message names the collection and field.
    """
    _check_migrations(old, new, migrations)
    renamed = {(m.collection, m.old): m.new for m in migrations if isinstance(m, RenameField)}
    dropped = {(m.collection, m.field) for m in migrations if isinstance(m, DropField)}
    retyped = {(m.collection, m.field) for m in migrations if isinstance(m, Retype)}
    dropped_colls = {m.collection for m in migrations if isinstance(m, DropCollection)}
    policy = {m.collection for m in migrations if isinstance(m, ChangePolicy)}
    out: list[Change] = []
    for coll in old:
        if coll.name in new:
            continue
        if coll.name not in dropped_colls:
            raise SchemaError(f"version {new.version}: collection {coll.name!r} was dropped; "
                              f"declare DropCollection({coll.name!r})")
        out.append(Change("drop_collection", coll.name, breaking=True))
    for coll in new:
        if coll.name not in old:
            out.append(Change("add_collection", coll.name))
            continue
        out += _diff_collection(old[coll.name], coll, new.version, renamed, dropped, retyped, coll.name in policy)
    return out


def _diff_collection(before: Collection, after: Collection, version: int, renamed: Mapping[tuple[str, str], str],
                     dropped: set[tuple[str, str]], retyped: set[tuple[str, str]], policy_declared: bool) -> list[Change]:
    name = after.name
    where = f"version {version}: {name}"
    if before.primary_key != after.primary_key:
        raise SchemaError(f"{where}: the primary key cannot change ({before.primary_key!r} -> {after.primary_key!r}); "
                          "make a new collection")
    if before.scope_field != after.scope_field:
        raise SchemaError(f"{where}: scope_field cannot change ({before.scope_field!r} -> {after.scope_field!r}); "
                          "make a new collection")
    # the server keeps an index of every row's unique keys, written as rows are;
    # no migration rebuilds it yet, so a unique key and its fields stay as they were
    if before.unique != after.unique:
        raise SchemaError(f"{where}: unique keys cannot change yet ({list(before.unique)} -> {list(after.unique)}): "
                          "the server's unique-key index is not rebuilt; make a new collection")
    for field_name in {f for key in before.unique for f in key}:
        if (name, field_name) in renamed or (name, field_name) in dropped or (name, field_name) in retyped:
            raise SchemaError(f"{where}.{field_name} is part of a unique key and cannot be renamed, dropped or "
                              "retyped yet: the server's unique-key index is not rebuilt")
    out: list[Change] = []
    targets: dict[str, str] = {}  # new name -> old name
    for f in before.fields.values():
        if f.name in after.fields and (name, f.name) not in renamed:
            continue
        new_name = renamed.get((name, f.name))
        if new_name is not None:
            targets[new_name] = f.name
            out.append(Change("rename_field", name, f.name, True, f"now {new_name!r}", new_name))
        elif (name, f.name) in dropped:
            out.append(Change("drop_field", name, f.name, True))
        else:
            raise SchemaError(f"{where}.{f.name} was dropped or renamed; declare DropField({name!r}, {f.name!r}) "
                              f"or RenameField({name!r}, {f.name!r}, <new name>)")
    for f in after.fields.values():
        old_name = targets.get(f.name, f.name)
        if old_name not in before.fields or (old_name == f.name and (name, f.name) in renamed):
            if f.required and f.default is None:
                raise SchemaError(f"{where}.{f.name} is new and required: give it a default "
                                  "(a device on an older version cannot send it)")
            out.append(Change("add_field", name, f.name))
            continue
        was = before.fields[old_name]
        tightened = f.required and not was.required
        changed = _field_shape(before, old_name) != _field_shape(after, f.name) or tightened
        if changed:
            if (name, f.name) not in retyped:
                what = f"{was.type}{' counter' if was.counter else ''}{' required' if was.required else ''} -> " \
                       f"{f.type}{' counter' if f.counter else ''}{' required' if f.required else ''}"
                raise SchemaError(f"{where}.{f.name} changed ({what}); declare Retype({name!r}, {f.name!r}, convert)")
            out.append(Change("retype_field", name, f.name, True))
        elif (name, f.name) in retyped:
            out.append(Change("retype_field", name, f.name, True, "values converted"))
        elif was.required and not f.required:
            if was.default is None and old_name == f.name:
                raise SchemaError(
                    f"{where}.{f.name} is no longer required, but devices of version {version - 1} need a value "
                    f"and have no default for it; declare Retype({name!r}, {f.name!r}) (a breaking change)")
            out.append(Change("relax_field", name, f.name, detail="no longer required"))
        elif was != f and old_name == f.name:
            out.append(Change("change_other", name, f.name, detail="default or limits"))
    if (before.policy, before.resolver) != (after.policy, after.resolver):
        if not policy_declared:
            raise SchemaError(f"{where}: policy changed ({before.policy} -> {after.policy}); "
                              f"declare ChangePolicy({name!r})")
        out.append(Change("change_policy", name, breaking=True, detail=f"{before.policy} -> {after.policy}"))
    elif policy_declared:
        out.append(Change("change_policy", name, breaking=True, detail="resolver or rules"))
    for what in ("fts", "vector", "indexes", "retention"):
        if getattr(before, what) != getattr(after, what):
            out.append(Change("change_other", name, detail=what))
    return out


def _check_migrations(old: Schema, new: Schema, migrations: Sequence[Migration]) -> None:
    """Every migration names what it works on, as it is before and after."""
    for m in migrations:
        label = f"version {new.version}: {type(m).__name__}"
        if isinstance(m, DropCollection):
            if m.collection not in old or m.collection in new:
                raise SchemaError(f"{label}({m.collection!r}): the collection must exist before and not after")
            continue
        if m.collection not in old or m.collection not in new:
            raise SchemaError(f"{label}({m.collection!r}): no such collection in versions {old.version} and "
                              f"{new.version}")
        before, after = old[m.collection], new[m.collection]
        if isinstance(m, RenameField):
            if m.old not in before.fields or m.new not in after.fields or m.new in before.fields:
                raise SchemaError(f"{label}: {m.collection}.{m.old} must exist before, and {m.new!r} only after")
        elif isinstance(m, DropField):
            if m.field not in before.fields or m.field in after.fields:
                raise SchemaError(f"{label}: {m.collection}.{m.field} must exist before and not after")
        elif isinstance(m, Retype):
            if m.field not in after.fields:
                raise SchemaError(f"{label}: {m.collection}.{m.field} is not declared in version {new.version}")


# -- the history ---------------------------------------------------------------


class History:
    """Every version of a schema an app has shipped, oldest first.

    Args:
        versions: the schemas, by increasing version.
        migrations: by version, the migrations from the version before it.
        oldest: the oldest version the server still serves (default: the
            newest breaking version, or the first declared).

    Raises:
        SchemaError: versions out of order, or a step :func:`diff` refuses.
    """

    def __init__(self, *versions: Schema, migrations: Mapping[int, Sequence[Migration]] | None = None,
                 oldest: int | None = None) -> None:
        if not versions:
            raise SchemaError("a history needs at least one schema version")
        numbers = [s.version for s in versions]
        if any(b <= a for a, b in zip(numbers, numbers[1:], strict=False)):
            raise SchemaError(f"schema versions must increase, got {numbers}")
        self.versions: tuple[Schema, ...] = tuple(versions)
        self.migrations: dict[int, tuple[Migration, ...]] = {v: tuple(ms) for v, ms in (migrations or {}).items()}
        for v in self.migrations:
            if v not in numbers or v == numbers[0]:
                raise SchemaError(f"migrations are declared for version {v}, which is not a later declared version")
        self._by_version = {s.version: s for s in versions}
        self.changes: dict[int, list[Change]] = {}
        breaking = numbers[0]
        for before, after in zip(versions, versions[1:], strict=False):
            self.changes[after.version] = diff(before, after, self.migrations.get(after.version, ()))
            if any(c.breaking for c in self.changes[after.version]):
                breaking = after.version
        self.current: Schema = versions[-1]
        if oldest is not None and not breaking <= oldest <= self.current.version:
            raise SchemaError(f"oldest served version {oldest} must be within {breaking}..{self.current.version} "
                              "(no older version can be served past a breaking change)")
        self.oldest: int = breaking if oldest is None else oldest

    @classmethod
    def of(cls, schema: Schema | History) -> History:
        """``schema`` as a history (a lone :class:`Schema` is a history of one version)."""
        return schema if isinstance(schema, History) else cls(schema)

    def __getitem__(self, version: int) -> Schema:
        return self._by_version[version]

    def __contains__(self, version: object) -> bool:
        return version in self._by_version

    def check_peer(self, version: int, fingerprint: str = "", *, where: str = "$") -> Schema:
        """The declaration of a peer's schema version, if this side serves it.

        Args:
            fingerprint: the peer's fingerprint of that version ('' = not sent:
                a client from before fingerprints; the version is taken on trust).
            where: the path prefix of the version and fingerprint in errors.

        Raises:
            SchemaMismatch: too old, too new, unknown, or another declaration
                with the same number.
        """
        current = self.current.version
        if version > current:
            raise SchemaMismatch(f"schema version {version} is newer than the server's {current}: "
                                 "update the server first", path=f"{where}.schema_version")
        if version < self.oldest:
            raise SchemaMismatch(f"schema version {version} is no longer served: this server needs schema version "
                                 f"{self.oldest} or later (update the app)", path=f"{where}.schema_version")
        schema = self._by_version.get(version)
        if schema is None:
            raise SchemaMismatch(f"schema version {version} is not declared in the server's history "
                                 f"(it serves {self.served()})", path=f"{where}.schema_version")
        if fingerprint and fingerprint != schema.fingerprint:
            raise SchemaMismatch(f"schema version {version} here has another declaration than the server's "
                                 f"(fingerprint {fingerprint[:12]} against {schema.fingerprint[:12]}): "
                                 "a changed schema needs a new version number", path=f"{where}.schema_fingerprint")
        return schema

    def served(self) -> list[int]:
        """The versions a server with this history serves."""
        return [v for v in self._by_version if v >= self.oldest]

    def steps(self, from_version: int) -> list[Migration]:
        """The migrations that take rows from ``from_version`` to the current one, in order."""
        return [m for v in sorted(self.migrations) if v > from_version for m in self.migrations[v]]

    def describe(self) -> dict[str, Any]:
        """The history as JSON-able data (``GET /schema``, docs)."""
        return {"current": self.current.version, "oldest_served": self.oldest,
                "versions": [{"version": s.version, "fingerprint": s.fingerprint,
                              "changes": [str(c) for c in self.changes.get(s.version, [])],
                              "steps": [c.as_step() for c in self.changes.get(s.version, [])]}
                             for s in self.versions]}


def migrate_fields(migrations: Iterable[Migration], collection: str, fields: dict[str, Any]) -> dict[str, Any] | None:
    """Apply ``migrations`` to the stored fields of one row (or one queued
    operation) of ``collection``; None if the collection is dropped. Fields the
    dict does not hold stay absent (an update carries changed fields only),
    except that a :class:`Retype` of a field an insert left out is not run."""
    out = dict(fields)
    for m in migrations:
        if m.collection != collection:
            continue
        if isinstance(m, DropCollection):
            return None
        if isinstance(m, RenameField):
            if m.old in out:
                out[m.new] = out.pop(m.old)
        elif isinstance(m, DropField):
            out.pop(m.field, None)
        elif isinstance(m, Retype) and m.convert is not None and m.field in out:
            out[m.field] = m.convert(out[m.field])
    return out


def migrate_names(migrations: Iterable[Migration], collection: str, names: Iterable[str]) -> list[str]:
    """Register names (a row's stamp keys) after ``migrations``: renamed or dropped."""
    out = list(names)
    for m in migrations:
        if m.collection != collection:
            continue
        if isinstance(m, RenameField):
            out = [m.new if n == m.old else n for n in out]
        elif isinstance(m, DropField):
            out = [n for n in out if n != m.field]
    return out
