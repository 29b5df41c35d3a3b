"""Errors the user can act on. Each carries the CLI exit code of CLI.md and a plain message."""

from __future__ import annotations


class PmpmError(Exception):
    """Anything that went wrong in a way we can explain in words (exit code 1)."""

    exit_code = 1


class UsageError(PmpmError):
    """A command or option was used wrongly (exit code 2)."""

    exit_code = 2


class InputRejected(PmpmError):
    """A file or value was refused; nothing was written (exit code 3).

    ``problems`` lists every problem, one sentence each, in the order found.
    """

    exit_code = 3

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        return head + "\n" + "\n".join(f"  - {p}" for p in self.problems)


class NotFound(PmpmError):
    """A payer, contract, member or file does not exist (exit code 4)."""

    exit_code = 4
