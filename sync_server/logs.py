"""The server's logs: plain text or one JSON object a line, never a token or
a query string.

``configure(json=True)`` makes every record (the server's and uvicorn's) one
JSON line::

    {"ts": "2026-12-04T21:00:00.123Z", "level": "info", "logger": "offsync.server",
     "message": "device connected", "device": "01J...", "user": "ada"}

``device`` and ``user`` come from a record's ``extra`` (the app logs a
device's connect and disconnect with them). Whatever the format, a filter on
the handler rewrites each record before it is written:

* a query string is cut from anything that looks like a path or URL
  (uvicorn's access log prints the full path, and a browser client may put a
  token in ``?token=``): ``GET /sync?token=abc`` becomes ``GET /sync?…``;
* a JWT (three base64url parts, the first starting ``eyJ``) becomes ``[token]``;
* ``Authorization: Bearer …`` loses its credential.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import re
import sys
from typing import Any, TextIO

#: ``OFFSYNC_LOG_FORMAT`` chooses ``text`` (default) or ``json``
FORMATS = ("text", "json")
#: record attributes carried into JSON when set (``extra={...}``)
CONTEXT_FIELDS = ("device", "user", "scope", "code", "client_seq")

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s,;\"']+")
# a path or URL, then ?query up to whitespace or a quote
_QUERY = re.compile(r"((?:[a-z][a-z0-9+.-]*://[^\s?\"']*|/[^\s?\"']*))\?[^\s\"']*", re.I)
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def redact(text: str) -> str:
    """``text`` without tokens or query strings."""
    if "?" in text:
        text = _QUERY.sub(r"\1?…", text)
    if "eyJ" in text:
        text = _JWT.sub("[token]", text)
    if "earer" in text:
        text = _BEARER.sub(r"\1[token]", text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a record's message and string arguments with :func:`redact`
    (arguments one by one: uvicorn's access formatter reads them as a tuple)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ts, level, logger, message, the context fields
    set on the record, and the exception's type and traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds")
                  .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None and value != "":
                entry[name] = value
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__ if record.exc_info[0] else "error"
            entry["traceback"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_format(value: str | None = None) -> str:
    """The format asked for (``value``, else ``OFFSYNC_LOG_FORMAT``, else text).

    Raises:
        ValueError: neither ``text`` nor ``json``.
    """
    chosen = (value or os.environ.get("OFFSYNC_LOG_FORMAT") or "text").lower()
    if chosen not in FORMATS:
        raise ValueError(f"the log format must be text or json, got {chosen!r}")
    return chosen


def configure(fmt: str = "text", level: str | int = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Send every log record (offsync's and uvicorn's) to ``stream`` (stderr)
    in ``fmt``, redacted; replaces the root logger's handlers. Returns the handler.

    Run uvicorn with ``log_config=None`` after this, or it installs its own
    handlers (unredacted) on its loggers.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format(fmt) == "json" else logging.Formatter(_TEXT_FORMAT))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.propagate = True
    return handler
