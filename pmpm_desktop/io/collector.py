"""Pausing Python's cyclic garbage collector while a big payer file is read."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """The cyclic garbage collector paused: a million small lists, dicts or loop objects made
    in a row (an 834's segments, a FHIR list's JSON) would otherwise set off full collections
    over and over (4 s instead of 0.3 s for a 100k-member 834). What the readers make while
    it is paused holds no reference cycle, so nothing is kept longer than it would be."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
