"""The error every payer-file reader raises for a file it cannot read as a table."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class FileReadError(Exception):
    """The file cannot be read as a table at all; the message is one line a user can act on."""


class UnreadableFile(FileReadError):
    """Not even its cells can be read (damaged, empty, not a spreadsheet or text file, an
    encoding no codec reads): no choice of sheet, header row or column helps, only another
    file."""


def file_bytes(path: Path) -> bytes:
    """The bytes of a payer file; FileReadError in a sentence when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFile(f"file not found: {path}") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot read {path}: {exc.strerror or exc}") from None


#: how many names (columns, sheets) a message lists before it counts the rest
LISTED_NAMES = 20


def some_names(names: Sequence[str], limit: int = LISTED_NAMES) -> str:
    """``'A', 'B', 'C'``, or the first ``limit`` of them and "… and 9,980 more": a file with
    ten thousand columns must not make a ninety-kilobyte message."""
    shown = ", ".join(repr(n) for n in names[:limit])
    more = len(names) - limit
    return f"{shown} … and {more:,} more" if more > 0 else shown
