"""The JSON Schema of the protocol's messages, served at ``GET /protocol.schema.json``.

Made by ``msgspec.json.schema`` from :mod:`shared.messages`, so it is always
the schema the server decodes with: a client in another language (or a
service worker posting to ``/sync/push``) can validate what it sends against
it. ``$defs`` holds one definition per message and part; the top level is the
union of the messages, told apart by their ``type`` field.
"""

from __future__ import annotations

import functools
from typing import Any

import msgspec

from shared.messages import PROTOCOL_VERSION, Message


@functools.cache
def protocol_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of every message in its JSON form."""
    schema: dict[str, Any] = msgspec.json.schema(Message)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"offsync protocol version {PROTOCOL_VERSION} messages (JSON form)",
        "description": "docs/protocol.md describes each message; field values inside operations "
                       "and rows are stored values (blobs as base64 text in JSON)",
        **schema,
    }


@functools.cache
def protocol_schema_json() -> bytes:
    return msgspec.json.format(msgspec.json.encode(protocol_schema()), indent=2)
