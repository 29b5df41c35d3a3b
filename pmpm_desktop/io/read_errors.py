"""The error every payer-file reader raises for a file it cannot read as a table."""

from __future__ import annotations

from pathlib import Path


class FileReadError(Exception):
    """The file cannot be read as a table at all; the message is one line a user can act on."""


def file_bytes(path: Path) -> bytes:
    """The bytes of a payer file; FileReadError in a sentence when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise FileReadError(f"file not found: {path}") from None
    except OSError as exc:
        raise FileReadError(f"cannot read {path}: {exc.strerror or exc}") from None
