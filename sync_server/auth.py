"""Tokens: HS256 JWTs (PyJWT) naming a user and the scopes it may read and write.

Claims::

    sub          the user
    scopes       scopes the user may read and write
    read_scopes  extra scopes it may only read (optional)
    exp, iat     expiry and issue time (seconds)

A token without ``scopes`` gets the user's own scope, ``user:<sub>``. The first
write scope is the *default scope*: where a device's rows go when the app did
not name one.
"""

from __future__ import annotations

import math
import os
import secrets
import time
from collections.abc import Iterable
from pathlib import Path

import jwt
import msgspec

from shared.errors import AuthError, StateError, UsageError

ALGORITHM = "HS256"
DEFAULT_TTL = 30 * 24 * 3600


class Grant(msgspec.Struct, frozen=True):
    """What a verified token allows."""

    user: str
    write: frozenset[str]
    read: frozenset[str]
    #: when the token expires (seconds since the epoch): a live socket closes then
    expires_at: float = math.inf

    @property
    def default_scope(self) -> str:
        """Where rows go when the app names no scope: the user's own scope if
        granted, else the first write scope in sorted order."""
        own = user_scope(self.user)
        return own if own in self.write else min(self.write)


#: every user's own scope is named ``user:<name>`` (a private collection's rows live only there)
USER_SCOPE_PREFIX = "user:"


def user_scope(user: str) -> str:
    return f"{USER_SCOPE_PREFIX}{user}"


#: device ids the server keeps for itself (``import:<user>``: /api/import)
RESERVED_CLIENT_PREFIX = "import:"


def check_client_id_free(client_id: str) -> None:
    """Refuse a device id the server keeps for itself.

    Raises:
        AuthError: ``forbidden``, path ``$.client_id``.
    """
    if client_id.startswith(RESERVED_CLIENT_PREFIX):
        raise AuthError(f"device ids starting with {RESERVED_CLIENT_PREFIX!r} are reserved for the server",
                        path="$.client_id", code="forbidden")


class TokenAuthority:
    """Issues and verifies tokens with one shared secret.

    Args:
        secret: the HMAC key; at least 32 bytes.
    """

    def __init__(self, secret: str | bytes) -> None:
        key = secret.encode() if isinstance(secret, str) else secret
        if len(key) < 32:
            raise UsageError("the token secret must be at least 32 bytes")
        self._key = key

    def issue(self, user: str, scopes: Iterable[str] = (), *, read_scopes: Iterable[str] = (),
              ttl: int = DEFAULT_TTL, now: float | None = None) -> str:
        """A signed token for ``user`` (default scope ``user:<user>``)."""
        if not user:
            raise UsageError("a token needs a user")
        issued = int(time.time() if now is None else now)
        claims = {
            "sub": user,
            "scopes": list(scopes) or [user_scope(user)],
            "read_scopes": list(read_scopes),
            "iat": issued,
            "exp": issued + ttl,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def verify(self, token: str) -> Grant:
        """Check signature, expiry and claims.

        Raises:
            AuthError: missing, malformed, forged or expired token, or bad claims.
        """
        if not token:
            raise AuthError("a token is required", path="$.token")
        try:
            claims = jwt.decode(token, self._key, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]})
        except jwt.ExpiredSignatureError:
            raise AuthError("the token has expired", path="$.token", code="token_expired") from None
        except jwt.InvalidTokenError as exc:
            raise AuthError(f"the token is not valid: {type(exc).__name__}", path="$.token") from None
        user = claims.get("sub")
        scopes = claims.get("scopes", [user_scope(str(user))])
        read_only = claims.get("read_scopes", [])
        if not isinstance(user, str) or not user:
            raise AuthError("the token's sub must be a user name", path="$.token")
        if not _string_list(scopes) or not scopes or not _string_list(read_only):
            raise AuthError("the token's scopes must be a non-empty list of strings", path="$.token")
        write = frozenset(scopes)
        expires = claims["exp"]
        if not isinstance(expires, (int, float)) or isinstance(expires, bool):
            raise AuthError("the token's exp must be a number", path="$.token")
        return Grant(user=user, write=write, read=write | frozenset(read_only), expires_at=float(expires))


def _string_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def load_or_create_secret(db_path: str) -> str:
    """``OFFSYNC_SECRET`` if set, else a secret generated once and kept beside
    the database in ``<db>.secret`` (mode 0600, written whole or not at all).

    Raises:
        UsageError: the secret file is empty or too short (a full disk can
            leave one), or other users may read it; the message says what to do.
    """
    env = os.environ.get("OFFSYNC_SECRET")
    if env:
        return env
    path = Path(f"{db_path}.secret")
    if not path.exists():
        _create_secret(path)
    return _read_secret(path)


def _read_secret(path: Path) -> str:
    """The secret in ``path``, refused if it is unusable or others may read it."""
    mode = path.stat().st_mode
    if mode & 0o077:
        raise UsageError(f"{path} may be read by other users (mode {mode & 0o777:o}): run chmod 600 on it, "
                         "or replace the secret (tokens made with it stop working)")
    secret = path.read_text().strip()
    if len(secret.encode()) < 32:
        raise UsageError(f"{path} holds no usable secret ({len(secret.encode())} bytes, at least 32 needed): "
                         "remove it to make a new one (tokens made before stop working) or set OFFSYNC_SECRET")
    return secret


def _create_secret(path: Path) -> None:
    """Write a new secret to ``path`` atomically: a private temporary file,
    synced, then linked into place (never over a secret another process made
    meanwhile)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made one first: use it
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def find_secret(db_path: str) -> str:
    """The secret a server on ``db_path`` signs with, found as ``offsync serve``
    finds it (``OFFSYNC_SECRET``, else the file beside the database), never made.

    Raises:
        StateError: neither exists, saying where it looked: a new secret
            would sign tokens that server rejects.
    """
    env = os.environ.get("OFFSYNC_SECRET")
    if env:
        return env
    if db_path.startswith(("postgresql://", "postgres://")):
        raise StateError("with a postgresql:// database the secret comes from OFFSYNC_SECRET, which is not set: "
                         "set it to the value the server nodes use")
    path = Path(f"{db_path}.secret")
    if path.is_file():
        return _read_secret(path)
    raise StateError(f"no secret at {path} and OFFSYNC_SECRET is not set: pass --db with the database "
                     "`offsync serve` uses (it keeps its secret beside it), or set OFFSYNC_SECRET")
