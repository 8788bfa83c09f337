"""What the server checks of every pushed operation, before anything is
decided or stored: the collection and its rules, the row id, the kind, the
stored values (``Collection.check_stored``), required fields, the scope and
the writer's grant. (An ``insert_order`` too far ahead is clamped by the
engine, not refused: see ``Engine``.) A refused operation raises with a path relative
to the operation (``.fields.title``); the engine prefixes where it sits.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from typing import Any

from shared.errors import AuthError, ValidationError
from shared.messages import Operation
from shared.schema import Collection

from .auth import USER_SCOPE_PREFIX
from .store.base import fits_64_bits

class Rules:
    """What the engine checks and builds for one collection, worked out once
    (a per-operation ``{**defaults(), ...}`` of the read-only mapping alone
    was 11 % of a 100k-op push)."""

    __slots__ = ("claims_ids", "coll", "defaults", "pk_is_text", "pk_type", "plain_insert", "position", "private",
                 "required", "scope_field")

    def __init__(self, coll: Collection) -> None:
        self.coll = coll
        self.pk_type = coll.fields[coll.primary_key].type
        self.pk_is_text = self.pk_type == "text"
        self.defaults: dict[str, object] = dict(coll.defaults())
        #: (name, stored default) of the required fields other than the key (an
        #: operation always carries the key as its row_id), in declaration order
        self.required = tuple((f.name, self.defaults.get(f.name)) for f in coll.fields.values()
                              if f.required and f.name != coll.primary_key)
        #: an insert of a row that does not exist is decided without shared.merge:
        #: no unique key to look up and no server function to call
        self.plain_insert = coll.policy != "custom" and not coll.unique
        self.scope_field = coll.scope_field
        self.private = coll.private
        #: a new row takes its id for its scope: no other scope may use it (docs/security.md)
        self.claims_ids = not coll.private
        #: each field's place in the declaration (the order checked fields come in)
        self.position = {name: i for i, name in enumerate(coll.field_names)}


def own_scope(scope: str, default_scope: str) -> bool:
    """Whether ``scope`` is the writer's own user scope: the one scope a row of
    a private collection may live in (docs/security.md, "Row identity")."""
    return scope == default_scope and scope.startswith(USER_SCOPE_PREFIX)


def check_fields_together(rules_by_name: Mapping[str, Rules], ops: Sequence[Operation], *,
                          blobs_as_base64: bool) -> list[dict[str, Any]] | None:
    """The stored fields of every operation of a mutation on one collection,
    checked by one conversion (``Collection.check_stored_many``); None where
    :func:`check_operation` must check each operation's own (a mutation of one
    operation or of several collections, or fields one of them gets wrong)."""
    if len(ops) < 2:
        return None
    name = ops[0].collection
    rules = rules_by_name.get(name)
    if rules is None or any(op.collection != name for op in ops):
        return None
    return rules.coll.check_stored_many([op.fields for op in ops], blobs_as_base64=blobs_as_base64)


def check_operation(rules_by_name: Mapping[str, Rules], op: Operation, *, blobs_as_base64: bool,
                    writable: Container[str], default_scope: str,
                    stored: dict[str, Any] | None = None) -> tuple[Rules, dict[str, Any], str]:
    """Check one operation against the schema and the scopes the writer may
    write; returns its collection's rules, its stored fields and its scope.

    Args:
        blobs_as_base64: the push came as JSON (blob fields are base64 text).
        default_scope: the scope of an operation that names none.
        stored: the operation's fields as :func:`check_fields_together`
            checked them, if it did.

    Raises:
        InvalidInput: with a path relative to the operation (``.fields.title``):
            the caller knows where the operation sits, and formatting the
            full path for every valid operation was 3 % of a push.
    """
    rules = rules_by_name.get(op.collection)
    if rules is None:
        raise ValidationError(f"unknown collection {op.collection!r}", path=".collection",
                              code="unknown_collection")
    coll = rules.coll
    if rules.pk_is_text != isinstance(op.row_id, str):
        raise ValidationError(f"{coll.name}.{coll.primary_key} must be {rules.pk_type}", path=".row_id")
    if not fits_64_bits(op.row_id):  # it could never be stored: the commit of the whole batch would fail
        raise ValidationError(f"{coll.name}.{coll.primary_key} does not fit in 64 bits", path=".row_id")
    if rules.pk_is_text and "\x00" in op.row_id:  # type: ignore[operator]
        # PostgreSQL text holds no NUL, and a device's SQLite cuts keys there
        raise ValidationError(f"{coll.name}.{coll.primary_key} may not contain NUL", path=".row_id")
    kind = op.kind
    if kind != "insert" and coll.policy == "append_only":
        raise ValidationError(f"{coll.name} is append-only: {kind} is not allowed", path=".kind",
                              code="invalid_op")
    fields = stored if stored is not None else coll.check_stored(op.fields, path=".fields",
                                                                 blobs_as_base64=blobs_as_base64)
    pk = coll.primary_key
    if pk in fields:
        if fields[pk] != op.row_id:
            raise ValidationError(f"{coll.name}.{pk} disagrees with row_id", path=f".fields.{pk}")
        del fields[pk]  # a device may repeat the key among the fields
    if kind == "insert":
        _check_insert(rules, fields)
    else:
        _check_change(coll, kind, fields)
    if not op.insert_order and kind in ("update", "delete"):
        # lww decides by insert_order: without one the write would lose to every
        # earlier write of the field and be answered `merged`, silently
        raise ValidationError(f"an {kind} needs its insert_order (the write's hybrid clock, microseconds)",
                              path=".insert_order", code="invalid_op")
    if rules.scope_field is None:
        scope = op.scope or default_scope
    else:
        scope = _declared_scope(rules, rules.scope_field, op, fields, default_scope)
    if scope not in writable:
        raise AuthError(f"scope {scope!r} is not writable with this token", path=".scope", code="forbidden")
    if rules.private and not own_scope(scope, default_scope):
        raise AuthError(f"{coll.name} is private: its rows live only in the writer's own user scope",
                        path=".scope", code="forbidden")
    return rules, fields, scope


def _declared_scope(rules: Rules, scope_field: str, op: Operation, fields: Mapping[str, object],
                    default_scope: str) -> str:
    """The scope of an operation on a collection with a scope field: the field
    names it on insert, and no other operation may change it."""
    declared = fields.get(scope_field)
    if op.kind == "insert":
        if not isinstance(declared, str) or not declared:
            raise ValidationError(f"{rules.coll.name}.{scope_field} names the row's scope and is required",
                                  path=f".fields.{scope_field}")
        return declared
    if declared is not None:
        raise ValidationError(f"{rules.coll.name}.{scope_field} cannot change", path=f".fields.{scope_field}")
    return op.scope or default_scope


def _check_insert(rules: Rules, fields: Mapping[str, object]) -> None:
    """Every required field is set, by the insert or by its default."""
    for name, default in rules.required:
        if fields.get(name, default) is None:
            raise ValidationError(f"{rules.coll.name}.{name} is required", path=f".fields.{name}")


def _check_change(coll: Collection, kind: str, fields: Mapping[str, object]) -> None:
    """The fields an update, increment or delete may carry."""
    if kind == "update":
        for name, value in fields.items():
            if name in coll.counters:
                raise ValidationError(f"{coll.name}.{name} is a counter: use increment", path=f".fields.{name}")
            if value is None and coll.fields[name].required:
                raise ValidationError(f"{coll.name}.{name} is required", path=f".fields.{name}")
    elif kind == "increment":
        for name, delta in fields.items():
            if name not in coll.counters or delta is None:
                raise ValidationError(f"{coll.name}.{name} is not a counter field", path=f".fields.{name}")
        if not fields:
            raise ValidationError("an increment needs at least one field", path=".fields")
    elif fields:
        raise ValidationError("a delete carries no fields", path=".fields")
