"""What a chosen file is, from its content: its format (X12, MMR, ATR, fixed width or a
spreadsheet) and the kind to propose. Run on the worker (an MMR is read whole for its month;
an X12 file's first bytes name its transaction set).

An X12, MMR or ATR file says what it is (an 834 is a roster, an 820 a statement): that kind is
proposed plainly, whatever the file is called. A fixed-width file's kind is in its layout, so
its name proposes one; a spreadsheet's kind comes from its columns (``io.kinds``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.fields import with_article
from pmpm_desktop.io.file_format import file_head, format_of, read_machine
from pmpm_desktop.io.fixed_width import looks_fixed_width
from pmpm_desktop.io.kinds import KindProposal, kind_from_name, propose_kind
from pmpm_desktop.io.machine_file import Format
from pmpm_desktop.io.options import FileKind, ReadOptions
from pmpm_desktop.io.read_errors import FileReadError, UnreadableFile
from pmpm_desktop.io.table import EXCEL_SUFFIXES, read_table
from pmpm_desktop.io.x12.envelope import KINDS, transaction_of_guide
from pmpm_desktop.io.x12.segments import split_segments
from pmpm_desktop.io.x12.transaction import transaction_label


@dataclass(frozen=True)
class ContentProposal:
    """The kind proposed for a file, its format, and the month it names (an MMR's)."""

    proposal: KindProposal
    format: Format = Format.SPREADSHEET
    month: Month | None = None
    #: why not even the file's cells can be read (None: they can)
    unreadable: str | None = None


def file_format(path: Path) -> Format:
    """The format of ``path`` from its first bytes (fixed width told from a table here)."""
    head = file_head(path)
    found = format_of(head)
    if found is not Format.SPREADSHEET or path.suffix.lower() in EXCEL_SUFFIXES:
        return found
    return Format.FIXED_WIDTH if looks_fixed_width(head) else found


def propose_from_content(path: Path) -> ContentProposal:
    """What to propose for ``path`` on step 1 (OSError when it cannot be opened)."""
    fmt = file_format(path)
    if fmt is Format.SPREADSHEET:
        proposal = propose_kind(path)
        if proposal.from_content is None:  # its columns say nothing plainly: can they be read?
            return ContentProposal(proposal, unreadable=_unreadable(path))
        return ContentProposal(proposal)
    by_name = kind_from_name(path.name)
    if fmt is Format.FIXED_WIDTH:
        says = f" Its name says {_a(by_name)}." if by_name is not None else ""
        sentence = (
            "This is a fixed-width file (lines of equal length, no delimiter): where each field "
            f"sits on a line is set with its layout on the next step, once per payer.{says}"
        )
        return ContentProposal(KindProposal(by_name, None, by_name, sentence), fmt)
    if fmt is Format.MMR:
        return _mmr(path, by_name)
    if fmt is Format.FHIR_ATR:  # an attribution list is a roster, whatever it holds
        return _plainly(FileKind.ROSTER, fmt.label, by_name, fmt)
    return _x12(path, by_name)


def _unreadable(path: Path) -> str | None:
    """Why the cells of a file no kind was found in cannot be read (None when they can: its
    columns just say nothing)."""
    try:
        read_table(path)
    except UnreadableFile as exc:
        return str(exc)
    except FileReadError:
        pass
    return None


def _x12(path: Path, by_name: FileKind | None) -> ContentProposal:
    """An X12 file's kind from its first transaction set (ST01), read in its first bytes: a
    large 834 is read whole once, by the preview."""
    try:
        items = split_segments(file_head(path)).items
    except FileReadError as exc:
        sentence = f"This is {with_article(Format.X12.label)} file, but it cannot be read: {exc}."
        return ContentProposal(KindProposal(by_name, None, by_name, sentence), Format.X12)
    gs = next((seg for seg in items if seg[0] == "GS"), [])
    st = next((seg for seg in items if seg[0] == "ST"), [])
    guide = (st[3] if len(st) > 3 else "") or (gs[8] if len(gs) > 8 else "")
    code = (st[1] if len(st) > 1 else "") or transaction_of_guide(guide) or ""
    kind = KINDS.get(code)
    if kind is None:
        what = transaction_label(code) if code else "no transaction set PMPM can name"
        sentence = (
            f"This X12 file holds {what}: PMPM reads rosters (834, 271) and payment statements "
            "(820, 835)."
        )
        return ContentProposal(KindProposal(by_name, None, by_name, sentence), Format.X12)
    standard = f"X12 {code} ({guide})" if guide else f"X12 {code}"
    return _plainly(kind, standard, by_name, Format.X12)


def _mmr(path: Path, by_name: FileKind | None) -> ContentProposal:
    """An MMR is both the payment detail and the roster of its payment month (read for it)."""
    try:
        machine = read_machine(path, Format.MMR, options=ReadOptions())
    except FileReadError as exc:
        sentence = f"This is {with_article(Format.MMR.label)}, but it cannot be read: {exc}."
        return ContentProposal(KindProposal(by_name, None, by_name, sentence), Format.MMR)
    month = f" of payment month {machine.month}" if machine.month is not None else ""
    sentence = (
        f"This is a {Format.MMR.label}{month}: both the payment detail and the roster of that "
        "month. Importing it as either stores both."
    )
    proposal = KindProposal(machine.kind, None, by_name, sentence)
    return ContentProposal(proposal, Format.MMR, machine.month)


def _plainly(
    kind: FileKind, standard: str, by_name: FileKind | None, fmt: Format
) -> ContentProposal:
    """A file whose content says what it is, whatever its name says."""
    if by_name is not None and by_name is not kind:
        sentence = (
            f"The name says {_a(by_name)}, but the file is {with_article(standard)} file: "
            f"{_a(kind)}."
        )
    else:
        sentence = f"This is {with_article(standard)} file: {_a(kind)}."
    return ContentProposal(KindProposal(kind, kind, by_name, sentence), fmt)


def _a(kind: FileKind) -> str:
    return with_article(kind.label)
