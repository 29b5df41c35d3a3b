"""The one place that reads the wall clock, so stamps share one format."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """Naive UTC now (SQLite keeps no time zones; everything stored is UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def now_stamp() -> str:
    """A file-name-safe stamp of now, e.g. ``20261122-073512``."""
    return now().strftime("%Y%m%d-%H%M%S")
