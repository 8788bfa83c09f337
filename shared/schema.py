"""Schema declarations and row validation.

A :class:`Schema` is declared once in Python and shared by the client and the
server. Each :class:`Collection` becomes a real SQLite table on every device;
apps read it with plain SQL.

Values have two forms:

* *app values*, what the Python API takes and returns: ``bool`` for boolean
  fields, any JSON-able object for json fields;
* *stored values*, what SQLite holds and what travels on the wire: booleans as
  0/1, json as JSON text, timestamps as integer milliseconds since the epoch.

:meth:`Collection.to_stored` turns app values into stored values (the API
path); :meth:`Collection.check_stored` validates stored values that arrive
from a peer. Both raise :class:`~shared.errors.ValidationError` naming the
collection and the field, and neither changes anything.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Annotated, Any, Literal, get_args

import msgspec

from .errors import SchemaError, ValidationError

FieldType = Literal["text", "integer", "real", "boolean", "json", "blob", "timestamp"]
Policy = Literal["lww", "reject", "append_only", "custom"]

FIELD_TYPES: frozenset[str] = frozenset(get_args(FieldType))
POLICIES: frozenset[str] = frozenset(get_args(Policy))

#: Columns the engine adds to every collection table. ``insertOrder`` keeps the
#: name the seed apps already sort and trim by.
VERSION_COLUMN = "_version"
SCOPE_COLUMN = "_scope"
INSERT_ORDER_COLUMN = "insertOrder"
RESERVED_NAMES = frozenset({VERSION_COLUMN, SCOPE_COLUMN, INSERT_ORDER_COLUMN, "rowid", "oid", "_rowid_"})

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
_INT64 = (-(2**63), 2**63 - 1)
MAX_TEXT_BYTES = 1 << 20
#: the deepest nesting a json value may have: every device's SQLite json
#: functions stop at 1,000 and Python's json at its recursion limit, so a deeper
#: value accepted once would break every device of its scope for good
MAX_JSON_DEPTH = 100


@dataclass(frozen=True)
class Field:
    """One typed column of a collection.

    Args:
        name: column name (letters, digits, underscore; starts with a letter).
        type: one of text, integer, real, boolean, json, blob, timestamp.
        required: the value may not be null (``NOT NULL``).
        default: stored when an insert leaves the field out (an app value).
        counter: the field changes only by ``increment`` (deltas add up across
            devices); inserts set its start value, updates may not touch it.
    """

    name: str
    type: FieldType = "text"
    required: bool = False
    default: Any = None
    counter: bool = False

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise SchemaError(f"field name {self.name!r} must match {_NAME.pattern}")
        if self.name in RESERVED_NAMES:
            raise SchemaError(f"field name {self.name!r} is reserved for the engine")
        if self.type not in FIELD_TYPES:
            raise SchemaError(f"field {self.name!r}: type must be one of {sorted(FIELD_TYPES)}, got {self.type!r}")
        if self.counter and self.type not in ("integer", "real"):
            raise SchemaError(f"field {self.name!r}: a counter must be integer or real, not {self.type}")


@dataclass(frozen=True)
class Vector:
    """A vector index over some text fields of a collection (sqlite-vec ``vec0``).

    Args:
        fields: the text fields whose concatenation is embedded.
        dim: the vector dimension; must match the embedder.
        embedder: the embedder's registered name (see ``sync_search.embedders``).
    """

    fields: tuple[str, ...]
    dim: int = 256
    embedder: str = "hashed-ngrams"

    def __post_init__(self) -> None:
        if not self.fields:
            raise SchemaError("a vector needs at least one source field")
        if not 1 <= self.dim <= 8192:
            raise SchemaError(f"vector dim must be within 1..8192, got {self.dim}")


@dataclass(frozen=True)
class Retention:
    """Keep only the newest ``keep`` rows of a collection per scope, by ``insertOrder``.

    Trimming runs on the device after a local insert and is synced as ordinary
    deletes; a row with changes still in ``sync_queue`` is never trimmed.
    """

    keep: int

    def __post_init__(self) -> None:
        if self.keep < 1:
            raise SchemaError(f"retention must keep at least 1 row, got {self.keep}")


def _field_list(fields: Mapping[str, str] | Iterable[Field]) -> list[Field]:
    if isinstance(fields, Mapping):
        # an unknown type string is refused by Field itself, naming the field
        return [Field(name, kind) for name, kind in fields.items()]  # type: ignore[arg-type]
    return list(fields)


class Collection:
    """A synced table: typed fields, a primary key, a conflict policy.

    Args:
        name: the table name.
        fields: ``{"name": "type"}`` or a list of :class:`Field`.
        primary_key: the key field; added as ``text`` if not declared. Ids are
            made on the device (time-ordered, UUIDv7), so offline inserts never
            collide.
        policy: ``lww`` (default), ``reject``, ``append_only`` or ``custom``.
        resolver: with ``custom``, the name of the server-side resolver.
        scope_field: a field whose value is the row's scope; without one the
            row's scope is the writer's default scope.
        private: every row lives in its writer's own default scope (a
            user's data: singletons at a fixed id, ids derived from names);
            the server refuses a write naming another scope. The ids of a
            collection that is not private are unique across scopes: the
            first scope to use one keeps it (docs/security.md, "Row
            identity"), so no scope's row can stand in for another's on a
            device that reads both.
        unique: tuples of fields that must be unique together.
        fts: text fields indexed for full-text search.
        vector: a :class:`Vector` declaration.
        retention: keep only the newest N rows per scope (an int or :class:`Retention`).
        indexes: tuples of fields to index on the device (for app queries).
    """

    def __init__(
        self,
        name: str,
        fields: Mapping[str, str] | Iterable[Field],
        *,
        primary_key: str = "id",
        policy: Policy = "lww",
        resolver: str | None = None,
        scope_field: str | None = None,
        private: bool = False,
        unique: Iterable[Iterable[str]] = (),
        fts: Iterable[str] = (),
        vector: Vector | None = None,
        retention: int | Retention | None = None,
        indexes: Iterable[Iterable[str]] = (),
    ) -> None:
        if not _NAME.match(name) or name.startswith(("sync_", "_sync", "sqlite_")):
            raise SchemaError(f"collection name {name!r} must match {_NAME.pattern} and not start with sync_ or sqlite_")
        declared = _field_list(fields)
        if primary_key not in {f.name for f in declared}:
            declared.insert(0, Field(primary_key, "text", required=True))
        self.name = name
        self.fields: dict[str, Field] = {}
        for f in declared:
            if f.name in self.fields:
                raise SchemaError(f"{name}: field {f.name!r} declared twice")
            self.fields[f.name] = f
        self.primary_key = primary_key
        pk = self.fields[primary_key]
        if pk.type not in ("text", "integer"):
            raise SchemaError(f"{name}: primary key {primary_key!r} must be text or integer")
        if policy not in POLICIES:
            raise SchemaError(f"{name}: policy must be one of {sorted(POLICIES)}, got {policy!r}")
        if (policy == "custom") != (resolver is not None):
            raise SchemaError(f"{name}: a resolver goes with policy 'custom' and only with it")
        self.policy: Policy = policy
        self.resolver = resolver
        self.scope_field = scope_field
        if private and scope_field is not None:
            raise SchemaError(f"{name}: a private collection's rows live in their writer's scope: no scope_field")
        self.private = private
        self.unique = tuple(tuple(u) for u in unique)
        self.fts = tuple(fts)
        self.vector = vector
        self.retention = Retention(retention) if isinstance(retention, int) else retention
        self.indexes = tuple(tuple(i) for i in indexes)
        self._check_references()
        #: fields in declaration order, primary key first
        self.field_names: tuple[str, ...] = tuple(self.fields)
        self.counters = frozenset(f.name for f in self.fields.values() if f.counter)
        if primary_key in self.counters:
            raise SchemaError(f"{name}: the primary key cannot be a counter")
        # computed once: every insert the engine merges and every row a device applies asks
        self._defaults: Mapping[str, Any] = MappingProxyType({
            f.name: _app_to_stored(name, f, f.default, f.name) for f in self.fields.values() if f.default is not None
        })
        self._insert_type = self._compile_insert_type()
        self._stored_type = msgspec.defstruct(
            f"{name}_stored", [(f.name, _STORED_TYPES[f.type] | None, msgspec.UNSET) for f in self.fields.values()],
            kw_only=True, forbid_unknown_fields=True)
        self._stored_list_type = list[self._stored_type]  # type: ignore[name-defined]
        self._json_names = tuple(n for n in self.field_names if self.fields[n].type == "json")
        self._blob_names = tuple(n for n in self.field_names if self.fields[n].type == "blob")
        self._json_positions = tuple(i for i, n in enumerate(self.field_names) if self.fields[n].type == "json")
        self._blob_positions = tuple(i for i, n in enumerate(self.field_names) if self.fields[n].type == "blob")
        # no conversion of a valid stored value changes it (int -> float, base64 -> bytes)
        self._sent_is_stored = not any(f.type in ("real", "blob") for f in self.fields.values())

    def _check_references(self) -> None:
        def known(names: Iterable[str], what: str) -> None:
            for n in names:
                if n not in self.fields:
                    raise SchemaError(f"{self.name}: {what} names unknown field {n!r}")

        if self.scope_field is not None:
            known([self.scope_field], "scope_field")
            if self.fields[self.scope_field].type != "text":
                raise SchemaError(f"{self.name}: scope_field {self.scope_field!r} must be text")
        for u in self.unique:
            known(u, "unique")
        for i in self.indexes:
            known(i, "index")
        known(self.fts, "fts")
        for n in self.fts:
            if self.fields[n].type not in ("text", "json"):
                raise SchemaError(f"{self.name}: fts field {n!r} must be text or json")
        if self.vector is not None:
            known(self.vector.fields, "vector")

    def __repr__(self) -> str:
        return f"Collection({self.name!r}, policy={self.policy!r}, fields={list(self.fields)})"

    # -- validation -----------------------------------------------------

    def _field(self, name: str, path: str) -> Field:
        f = self.fields.get(name)
        if f is None:
            raise ValidationError(
                f"{self.name} has no field {name!r}", path=f"{path}.{name}", code="unknown_field"
            )
        return f

    def to_stored(self, values: Mapping[str, Any], *, path: str = "$") -> dict[str, Any]:
        """Validate app values and return their stored form.

        Raises:
            ValidationError: an unknown field or a value of the wrong type.
        """
        if not isinstance(values, Mapping):
            raise ValidationError(f"{self.name}: a row must be a mapping, got {type(values).__name__}", path=path)
        out: dict[str, Any] = {}
        for name, value in values.items():
            f = self._field(name, path)
            out[name] = _app_to_stored(self.name, f, value, f"{path}.{name}")
        return out

    def check_stored(
        self, values: Mapping[str, Any], *, path: str = "$", blobs_as_base64: bool = False
    ) -> dict[str, Any]:
        """Validate stored values from a peer (a wire operation) and return them.

        Args:
            blobs_as_base64: blob fields arrive as base64 text (the JSON codec).

        One compiled msgspec conversion checks the usual operation (1 µs
        against 2.5 for four fields); anything it refuses, or whose JSON or
        blob values need a closer look, is checked field by field, which
        gives the error.

        Raises:
            ValidationError: an unknown field or a value of the wrong type.
        """
        if isinstance(values, dict):
            try:
                stored: dict[str, Any] = msgspec.to_builtins(msgspec.convert(values, self._stored_type),
                                                             builtin_types=(bytes,))
            except (msgspec.ValidationError, TypeError):
                pass
            else:
                if self._fast_check_holds(values, stored, blobs_as_base64):
                    return stored
        return self._check_stored_slowly(values, path, blobs_as_base64)

    def check_stored_many(self, values: Sequence[Any], *, blobs_as_base64: bool = False) -> list[dict[str, Any]] | None:
        """What :meth:`check_stored` returns for each of ``values``, checked by one
        compiled conversion (0.2 µs an operation instead of 0.5 one by one), or
        None if any of them needs the closer look of :meth:`check_stored`, which
        gives the error: nothing here says which value failed."""
        try:
            stored: list[dict[str, Any]] = msgspec.to_builtins(msgspec.convert(values, self._stored_list_type),
                                                               builtin_types=(bytes,))
        except (msgspec.ValidationError, TypeError):
            return None
        if self._blob_names or self._json_names:
            for given, out in zip(values, stored, strict=True):
                if not self._fast_check_holds(given, out, blobs_as_base64):
                    return None
        return stored

    def stored_as_sent(self, values: Sequence[Any]) -> bool:
        """True if every mapping of ``values`` holds valid stored values as it
        stands: :meth:`check_stored_many` would return equal dicts (its keys in
        declaration order). One compiled check, without building the copies
        (0.5 us an operation of a push). False says nothing about validity: ask
        :meth:`check_stored_many`. A collection with real or blob fields never
        qualifies (an integer becomes a float, base64 text a blob)."""
        if not self._sent_is_stored:
            return False
        try:
            msgspec.convert(values, self._stored_list_type)
        except (msgspec.ValidationError, TypeError):
            return False
        for given in values:
            for name in self._json_names:
                text = given.get(name)
                if text is not None and json_problem(text) is not None:
                    return False
        return True

    def _fast_check_holds(self, given: dict[str, Any], stored: dict[str, Any], blobs_as_base64: bool) -> bool:
        """What the compiled conversion does not check: base64 text is a blob only
        from the JSON codec, and json fields must hold valid JSON text."""
        for name in self._blob_names:
            if isinstance(given.get(name), str) and not blobs_as_base64:
                return False
        for name in self._json_names:
            text = stored.get(name)
            if text is not None and json_problem(text) is not None:
                return False
        return True

    def _check_stored_slowly(self, values: Mapping[str, Any], path: str, blobs_as_base64: bool) -> dict[str, Any]:
        if not isinstance(values, Mapping):
            raise ValidationError(f"{self.name}: fields must be a mapping", path=path)
        out: dict[str, Any] = {}
        for name, value in values.items():
            f = self._field(name, path)
            out[name] = _check_stored(self.name, f, value, f"{path}.{name}", blobs_as_base64)
        return out

    def insert_values(self, rows: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
        """Validate whole rows of app values for insertion and return their stored
        values as tuples in :attr:`field_names` order, with defaults filled in
        and ``None`` for a text primary key left out (the device makes the id).

        The whole batch is checked by one compiled msgspec conversion; a batch
        it refuses is checked again row by row, so the error is the same one
        :meth:`to_stored` gives, with the row's index in its path.

        Raises:
            ValidationError: an unknown field, a value of the wrong type, or a
                missing required field (``$[i].field``). Nothing is returned.
        """
        try:
            converted = msgspec.convert(rows, list[self._insert_type])  # type: ignore[name-defined]
        except (msgspec.ValidationError, TypeError):
            return [self._insert_values_slowly(i, row) for i, row in enumerate(rows)]
        astuple = msgspec.structs.astuple
        values = [astuple(r) for r in converted]
        if self._blob_positions and any(isinstance(row.get(self.field_names[p]), str)
                                        for row in rows for p in self._blob_positions):
            return [self._insert_values_slowly(i, row) for i, row in enumerate(rows)]  # base64 text is not bytes
        if self._json_positions:
            values = [self._dump_json(i, v) for i, v in enumerate(values)]
        return values

    def _dump_json(self, index: int, values: tuple[Any, ...]) -> tuple[Any, ...]:
        out = list(values)
        for p in self._json_positions:
            f = self.fields[self.field_names[p]]
            given = out[p]
            out[p] = self._defaults.get(f.name) if given is msgspec.UNSET else \
                _app_to_stored(self.name, f, given, f"$[{index}].{f.name}")
        return tuple(out)

    def _insert_values_slowly(self, index: int, row: Mapping[str, Any]) -> tuple[Any, ...]:
        path = f"$[{index}]"
        stored = self.to_stored(row, path=path)
        pk = self.primary_key
        if stored.get(pk) is None and self.fields[pk].type != "text":
            raise ValidationError(f"{self.name}.{pk} is an integer key: give it a value", path=f"{path}.{pk}")
        values = {**self._defaults, **stored}
        self.check_required({**values, pk: values.get(pk, "")}, path=path)
        return tuple(values.get(n) for n in self.field_names)

    def _compile_insert_type(self) -> type:
        """The msgspec Struct that :meth:`insert_values` converts rows into."""
        spec: list[tuple[str, Any, Any]] = []
        for f in self.fields.values():
            kind = _APP_TYPES[f.type]
            if f.type == "json":
                spec.append((f.name, Any, msgspec.UNSET))  # dumped afterwards, so a default is told apart
            elif f.name == self.primary_key and f.type == "text":
                spec.append((f.name, kind | None, None))
            elif f.required and f.name not in self._defaults:
                spec.append((f.name, kind, msgspec.NODEFAULT))
            else:
                spec.append((f.name, kind if f.required else kind | None, self._defaults.get(f.name)))
        return msgspec.defstruct(self.name, [(n, t) if d is msgspec.NODEFAULT else (n, t, d) for n, t, d in spec],
                                 kw_only=True, forbid_unknown_fields=True)

    def check_required(self, stored: Mapping[str, Any], *, path: str = "$") -> None:
        """Raise if a required field is missing or null in a complete row."""
        for f in self.fields.values():
            if f.required and stored.get(f.name) is None:
                raise ValidationError(f"{self.name}.{f.name} is required", path=f"{path}.{f.name}")

    def defaults(self) -> Mapping[str, Any]:
        """The stored default of every field that declares one (read-only)."""
        return self._defaults

    def from_stored(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        """Turn stored values back into app values (booleans, parsed json)."""
        out = dict(stored)
        for name, value in stored.items():
            f = self.fields.get(name)
            if f is None or value is None:
                continue
            if f.type == "boolean":
                out[name] = bool(value)
            elif f.type == "json":
                out[name] = json.loads(value)
        return out


_APP_TYPES: dict[str, Any] = {
    "text": Annotated[str, msgspec.Meta(max_length=MAX_TEXT_BYTES)],
    "integer": Annotated[int, msgspec.Meta(ge=_INT64[0], le=_INT64[1])],
    "timestamp": Annotated[int, msgspec.Meta(ge=_INT64[0], le=_INT64[1])],
    "real": Annotated[float, msgspec.Meta(ge=-sys.float_info.max, le=sys.float_info.max)],  # finite
    "boolean": bool,
    "json": Any,
    "blob": bytes,
}


#: stored values, as they travel on the wire (see the module docstring)
_STORED_TYPES: dict[str, Any] = {
    **_APP_TYPES,
    "boolean": Annotated[int, msgspec.Meta(ge=0, le=1)],  # a bool goes the slow way, which takes it too
    "json": Annotated[str, msgspec.Meta(max_length=MAX_TEXT_BYTES)],
}


def _type_error(collection: str, f: Field, value: Any, path: str, expected: str) -> ValidationError:
    got = type(value).__name__
    return ValidationError(f"{collection}.{f.name} must be {expected}, got {got}", path=path)


def _check_int(collection: str, f: Field, value: Any, path: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _type_error(collection, f, value, path, "an integer")
    if not _INT64[0] <= value <= _INT64[1]:
        raise ValidationError(f"{collection}.{f.name} does not fit in 64 bits", path=path)
    return value


def _check_real(collection: str, f: Field, value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _type_error(collection, f, value, path, "a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValidationError(f"{collection}.{f.name} must be a finite number", path=path)
    return number


def _check_text(collection: str, f: Field, value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _type_error(collection, f, value, path, "text")
    if len(value) > MAX_TEXT_BYTES:
        raise ValidationError(f"{collection}.{f.name} is longer than {MAX_TEXT_BYTES} characters", path=path)
    return value


def _app_to_stored(collection: str, f: Field, value: Any, path: str) -> Any:
    if value is None:
        return None
    kind = f.type
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _type_error(collection, f, value, path, "a boolean")
        return int(value)
    if kind == "json":
        try:
            text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except RecursionError:
            raise ValidationError(f"{collection}.{f.name} is nested deeper than {MAX_JSON_DEPTH}", path=path) from None
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"{collection}.{f.name} is not JSON-serialisable: {exc}", path=path) from None
        problem = json_problem(text)
        if problem is not None:
            raise ValidationError(f"{collection}.{f.name} {problem}", path=path)
        return text
    return _STORED_CHECKS[kind](collection, f, value, path)


def _check_bool_stored(collection: str, f: Field, value: Any, path: str) -> int:
    if isinstance(value, bool):
        return int(value)
    if value in (0, 1) and isinstance(value, int):
        return value
    raise _type_error(collection, f, value, path, "0 or 1")


def _check_json_stored(collection: str, f: Field, value: Any, path: str) -> str:
    text = _check_text(collection, f, value, path)
    problem = json_problem(text)
    if problem is not None:
        raise ValidationError(f"{collection}.{f.name} {problem}", path=path)
    return text


def json_problem(text: str) -> str | None:
    """What keeps ``text`` from being a json value every store and device can
    hold (strict RFC 8259, as the devices' ``json_valid()`` CHECK: no NaN;
    nested at most :data:`MAX_JSON_DEPTH` deep), or None if nothing does."""
    if len(text) > MAX_TEXT_BYTES:
        return f"is longer than {MAX_TEXT_BYTES} characters"
    try:
        value = msgspec.json.decode(text)
    except msgspec.DecodeError:
        return "must hold valid JSON text"
    except RecursionError:  # the decoder's own guard, far past MAX_JSON_DEPTH
        return f"is nested deeper than {MAX_JSON_DEPTH}"
    # no value can be deeper than it has brackets: the usual value is done here
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH and _json_depth(value) > MAX_JSON_DEPTH:
        return f"is nested deeper than {MAX_JSON_DEPTH}"
    return None


def _json_depth(value: Any) -> int:
    """How deep arrays and objects nest in a decoded json value (without recursion)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        elif not isinstance(item, list):
            continue
        if depth > deepest:
            deepest = depth
            if deepest > MAX_JSON_DEPTH:
                return deepest
        stack.extend((child, depth + 1) for child in item if isinstance(child, (list, dict)))
    return deepest


def _check_blob(collection: str, f: Field, value: Any, path: str) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise _type_error(collection, f, value, path, "bytes")


_STORED_CHECKS: dict[str, Callable[[str, Field, Any, str], Any]] = {
    "text": _check_text,
    "integer": _check_int,
    "timestamp": _check_int,
    "real": _check_real,
    "boolean": _check_bool_stored,
    "json": _check_json_stored,
    "blob": _check_blob,
}


def _check_stored(collection: str, f: Field, value: Any, path: str, blobs_as_base64: bool) -> Any:
    if value is None:
        return None
    if f.type == "blob" and blobs_as_base64 and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError(f"{collection}.{f.name} must be base64 text", path=path) from None
    return _STORED_CHECKS[f.type](collection, f, value, path)


@dataclass(frozen=True)
class Schema:
    """A versioned set of collections, shared by client and server.

    Args:
        version: bump it when the declaration changes; a device whose schema
            version differs from the server's is refused at ``Hello``.
        collections: the collections, by declaration order.
    """

    version: int
    collections: tuple[Collection, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "collections", tuple(self.collections))
        names = [c.name for c in self.collections]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise SchemaError(f"collections declared twice: {sorted(dupes)}")
        if self.version < 1:
            raise SchemaError(f"schema version must be >= 1, got {self.version}")
        object.__setattr__(self, "_by_name", {c.name: c for c in self.collections})
        object.__setattr__(self, "fingerprint", fingerprint(self))

    #: a stable hash of the declaration (see :func:`fingerprint`), set on creation
    fingerprint: str = field(init=False, default="", compare=False)

    def __getitem__(self, name: str) -> Collection:
        try:
            return self._by_name[name]  # type: ignore[attr-defined,no-any-return]
        except KeyError:
            raise ValidationError(f"unknown collection {name!r}", code="unknown_collection") from None

    def __contains__(self, name: object) -> bool:
        return name in self._by_name  # type: ignore[attr-defined]

    def __iter__(self) -> Any:
        return iter(self.collections)


# -- the fingerprint of a declaration ---------------------------------------------


def _field_form(f: Field, stored_default: Any) -> dict[str, Any]:
    """A field as data: every attribute that differs from its default, so an
    attribute added to :class:`Field` later leaves existing fingerprints alone."""
    out: dict[str, Any] = {}
    for attr in dataclasses.fields(f):
        value = getattr(f, attr.name)
        if attr.name == "default":
            value = stored_default
        if attr.name == "name" or value != attr.default:
            out[attr.name] = value
    return out


def canonical_form(schema: Schema) -> dict[str, Any]:
    """What a device and the server must agree on, as plain data in a canonical
    order (collections and fields by name): what :func:`fingerprint` hashes.

    Search (``fts``, ``vector``), device indexes and retention are left out:
    they are each device's own (a replica rebuilds its indexes when they
    change) and never change what travels or how the server decides. So is
    ``private``: which scopes a writer may name is the server's rule, like a
    token's grants, and a device writes to its default scope either way."""
    collections = []
    for coll in sorted(schema.collections, key=lambda c: c.name):
        defaults = coll.defaults()
        form: dict[str, Any] = {
            "name": coll.name, "primary_key": coll.primary_key, "policy": coll.policy,
            "fields": [_field_form(coll.fields[n], defaults.get(n)) for n in sorted(coll.fields)],
        }
        optional = {"resolver": coll.resolver, "scope_field": coll.scope_field,
                    "unique": [list(u) for u in coll.unique]}
        form.update({k: v for k, v in optional.items() if v})
        collections.append(form)
    return {"version": schema.version, "collections": collections}


def fingerprint(schema: Schema) -> str:
    """A stable hash (SHA-256, hex) of the declaration's :func:`canonical_form`:
    two declarations share it exactly when they declare the same version, the
    same collections, fields, types, constraints, defaults, primary keys,
    scope fields, unique keys and policies. Order of declaration does not
    count, nor do the device-local parts (search, indexes, retention)."""
    text = msgspec.json.encode(canonical_form(schema), order="sorted")
    return hashlib.sha256(text).hexdigest()
