"""Errors the user can act on. Each carries the CLI exit code of CLI.md and a plain message."""

from __future__ import annotations

from collections.abc import Sequence


class PmpmError(Exception):
    """Anything that went wrong in a way we can explain in words (exit code 1)."""

    exit_code = 1


class UsageError(PmpmError):
    """A command or option was used wrongly (exit code 2)."""

    exit_code = 2


#: how many problems a refusal's message lists (CLI stderr and the window's error box); the
#: rest are counted, and ``--errors-out`` or the wizard's export writes them all
LISTED_PROBLEMS = 50


class InputRejected(PmpmError):
    """A file or value was refused; nothing was written (exit code 3).

    ``problems`` lists every problem, one sentence each, in the order found; ``str()`` shows
    the first LISTED_PROBLEMS and counts the rest. ``full_list`` says where all of them are
    (default: how to get them from the command line).
    """

    exit_code = 3

    def __init__(
        self,
        message: str,
        problems: Sequence[str] | None = None,
        *,
        full_list: str | None = None,
    ) -> None:
        super().__init__(message)
        self.problems: Sequence[str] = problems or []
        self.full_list = full_list

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        lines = [head, *(f"  - {p}" for p in self.problems[:LISTED_PROBLEMS])]
        more = len(self.problems) - LISTED_PROBLEMS
        if more > 0:
            where = self.full_list or "write them all with --errors-out FILE.csv"
            lines.append(f"  … and {more:,} more; {where}")
        return "\n".join(lines)


class NotFound(PmpmError):
    """A payer, contract, member or file does not exist (exit code 4)."""

    exit_code = 4
