"""The device replica's SQL: it lives in :mod:`shared.tables` (the server hands
the same DDL to browsers), and is read here under its old name."""

from shared.tables import *  # noqa: F403
from shared.tables import SEQ_SHIFT as SEQ_SHIFT
