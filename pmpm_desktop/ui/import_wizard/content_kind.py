"""What a chosen file is, from its content: its format (X12, MMR, ATR, fixed width or a
spreadsheet) and the kind to propose. Run on the worker (a machine format is read whole).

An X12, MMR or ATR file says what it is (an 834 is a roster, an 820 a statement): that kind is
proposed plainly, whatever the file is called. A fixed-width file's kind is in its layout, so
its name proposes one; a spreadsheet's kind comes from its columns (``io.kinds``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.month import Month
from pmpm_desktop.io.fields import with_article
from pmpm_desktop.io.file_format import HEAD_BYTES, read_machine, sniff
from pmpm_desktop.io.fixed_width import looks_fixed_width
from pmpm_desktop.io.kinds import KindProposal, kind_from_name, propose_kind
from pmpm_desktop.io.machine_file import Format
from pmpm_desktop.io.options import FileKind, ReadOptions
from pmpm_desktop.io.read_errors import FileReadError
from pmpm_desktop.io.table import EXCEL_SUFFIXES


@dataclass(frozen=True)
class ContentProposal:
    """The kind proposed for a file, its format, and the month it names (an MMR's)."""

    proposal: KindProposal
    format: Format = Format.SPREADSHEET
    month: Month | None = None


def file_format(path: Path) -> Format:
    """The format of ``path`` from its first bytes (fixed width told from a table here)."""
    found = sniff(path)
    if found is not Format.SPREADSHEET or path.suffix.lower() in EXCEL_SUFFIXES:
        return found
    with path.open("rb") as f:
        return Format.FIXED_WIDTH if looks_fixed_width(f.read(HEAD_BYTES)) else found


def propose_from_content(path: Path) -> ContentProposal:
    """What to propose for ``path`` on step 1 (OSError when it cannot be opened)."""
    fmt = file_format(path)
    if fmt is Format.SPREADSHEET:
        return ContentProposal(propose_kind(path))
    by_name = kind_from_name(path.name)
    if fmt is Format.FIXED_WIDTH:
        says = f" Its name says {_a(by_name)}." if by_name is not None else ""
        sentence = (
            "This is a fixed-width file (lines of equal length, no delimiter): where each field "
            f"sits on a line is set with its layout on the next step, once per payer.{says}"
        )
        return ContentProposal(KindProposal(by_name, None, by_name, sentence), fmt)
    try:
        machine = read_machine(path, fmt, options=ReadOptions(), roster_month=Month.of(now()))
    except FileReadError as exc:
        sentence = f"This is {_an(fmt.label)}, but it cannot be read: {exc}."
        return ContentProposal(KindProposal(by_name, None, by_name, sentence), fmt)
    if fmt is Format.MMR:
        month = f" of payment month {machine.month}" if machine.month is not None else ""
        sentence = (
            f"This is a {fmt.label}{month}: both the payment detail and the roster of that "
            "month. Importing it as either stores both."
        )
        return ContentProposal(
            KindProposal(machine.kind, None, by_name, sentence), fmt, machine.month
        )
    kind = machine.kind
    if by_name is not None and by_name is not kind:
        sentence = (
            f"The name says {_a(by_name)}, but the file is {_an(machine.standard)} file: "
            f"{_a(kind)}."
        )
    else:
        sentence = f"This is {_an(machine.standard)} file: {_a(kind)}."
    return ContentProposal(KindProposal(kind, kind, by_name, sentence), fmt)


def _a(kind: FileKind) -> str:
    return with_article(kind.label)


def _an(name: str) -> str:
    """``an X12 834 …``, ``an HL7 …``, ``a CMS …``, ``a fixed-width file``."""
    return ("an " if name[0] in "aeiouAEIOUXH" else "a ") + name
