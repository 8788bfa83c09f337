"""Reading a token's times on the device, and when to ask the app for a fresh one.

The device cannot verify a token (it has no secret) and need not: it only
reads ``exp`` and ``iat`` to know when the server will close the socket
(protocol 2, ``Token`` in docs/protocol.md), so :class:`SyncClient` can send
a fresh token before then.
"""

from __future__ import annotations

import base64
import binascii
import json

#: ask for a fresh token this long before expiry at most...
REFRESH_LEAD_S = 60.0
#: ...and at most this share of the token's life before it
REFRESH_LEAD_SHARE = 0.2


def token_times(token: str) -> tuple[float, float] | None:
    """``(iat, exp)`` of a JWT, read without verifying it; None if it has no
    numeric ``exp`` (or is not a JWT): such a token is never refreshed."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(claims, dict):
        return None
    exp, iat = claims.get("exp"), claims.get("iat", 0)
    if not isinstance(exp, (int, float)) or isinstance(exp, bool) or not isinstance(iat, (int, float)):
        return None
    return float(iat), float(exp)


def refresh_at(token: str) -> float | None:
    """When to ask for a fresh token (seconds since the epoch), or None: never."""
    times = token_times(token)
    if times is None:
        return None
    iat, exp = times
    return exp - min(REFRESH_LEAD_S, max(exp - iat, 0.0) * REFRESH_LEAD_SHARE)
