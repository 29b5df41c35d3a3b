"""The error every payer-file reader raises for a file it cannot read as a table."""

from __future__ import annotations


class FileReadError(Exception):
    """The file cannot be read as a table at all; the message is one line a user can act on."""
