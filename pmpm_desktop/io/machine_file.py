"""What a reader of a machine format returns: X12 834/271/820/835, the CMS MMR, HL7 Da Vinci ATR
attribution lists and fixed-width files through a saved layout (SPEC §6).

Each of those readers turns its file into a :class:`RawTable` of text cells (one column per
field, named as the format names it: ``NM1*IL09``, ``DMG02``, ``DTP*349``) and reads it with the
same roster or statement reader as a spreadsheet, so dates, IDs, products, amounts and
duplicates are judged by one set of rules. :class:`CellOrigins` then puts each problem back at
the segment and element it came from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum

import polars as pl

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.detect import Detection
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.io.parsed import ParsedFile, Place, RowProblem
from pmpm_desktop.io.table import SOURCE_ROW, RawTable


class Format(StrEnum):
    """The format of a payer file, recognised from its content (never from its extension)."""

    SPREADSHEET = "spreadsheet"  # xlsx/xls/ods/csv: io.table
    X12 = "x12"
    MMR = "mmr"
    FHIR_ATR = "fhir_atr"
    FIXED_WIDTH = "fixed_width"

    @property
    def label(self) -> str:
        return _FORMAT_LABELS[self]


_FORMAT_LABELS = {
    Format.SPREADSHEET: "spreadsheet",
    Format.X12: "X12 EDI",
    Format.MMR: "CMS Monthly Membership Report",
    Format.FHIR_ATR: "FHIR attribution list (Da Vinci ATR)",
    Format.FIXED_WIDTH: "fixed-width file",
}


class RosterChange(StrEnum):
    """What a line of a change file (an 834 with BGN08 = 2) does to the payer's latest roster."""

    ADD = "add"  # INS03 021
    TERM = "term"  # INS03 024
    CHANGE = "change"  # INS03 001
    REINSTATE = "reinstate"  # INS03 025


#: The column of a change file's roster frame holding each row's RosterChange value.
CHANGE = "change"


@dataclass(frozen=True)
class Fact:
    """One thing found in the file, shown in the preview and the import's output:
    ``Fact("Sender", "ACME HEALTH PLAN (ZZ 123456789)")``."""

    label: str
    value: str


#: Payer-level payments (SPEC §7: an 835's PLB): money paid to the practice without members.
#: ``amount_cents`` is signed as money *to the practice* (a PLB CT of -1000.00 is +100000;
#: an E3 withholding of 50.00 is -5000); ``month`` is ``YYYY-MM``; ``code`` the PLB03-1
#: adjustment reason (CT, CR, E3, RA, WO, FB, …); ``reference`` PLB03-2 as written;
#: ``source_row`` the PLB segment's number.
PAYER_PAYMENT_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "month": pl.String,
    "code": pl.String,
    "reference": pl.String,
    "amount_cents": pl.Int64,
    SOURCE_ROW: pl.Int64,
}


@dataclass(frozen=True)
class MachineFile:
    """A machine-format file, read and validated; nothing is stored yet.

    ``parsed`` is the roster (kind ROSTER) or statement (kind STATEMENT) frame in the columns
    of :mod:`io.roster_file` / :mod:`io.remittance_file`, with every problem. An MMR is both:
    ``parsed`` is its payment detail and ``roster`` its roster. A change file (``change_file``)
    has a ``change`` column (RosterChange values) in its roster frame: rows to apply on top of
    the payer's latest roster, not a whole roster.
    """

    format: Format
    #: what the content is: an 834 is a roster whatever command read it
    kind: FileKind
    #: the standard as a clerk or analyst names it: "X12 834 (005010X220A1)", "CMS MMR"
    standard: str
    parsed: ParsedFile
    facts: tuple[Fact, ...] = ()
    #: the identity of an interchange (``"X12 <ISA05>:<ISA06> <ISA13> #<digest>"``, the digest
    #: of its content without its sending dates): the same interchange re-sent with other bytes
    #: (a new date) is still a duplicate; :func:`shown_interchange` is what a clerk sees
    interchange: str | None = None
    change_file: bool = False
    #: the month the file itself names (the MMR's payment month), when it names one
    month: Month | None = None
    roster: ParsedFile | None = None
    #: PAYER_PAYMENT_SCHEMA rows (835 PLB), or None when the format has none
    payer_payments: pl.DataFrame | None = None
    stated_total: Decimal | None = None
    payment_date: dt.date | None = None
    reference: str | None = None
    #: problems of the whole file (a sentence each) found beside the rows' problems
    file_problems: tuple[str, ...] = ()

    @property
    def both_kinds(self) -> bool:
        """A roster and a statement in one file (an MMR): either import stores both."""
        return self.roster is not None and self.kind is FileKind.STATEMENT

    @property
    def problems(self) -> list[RowProblem | str]:
        """Every problem of the file and of its parts, a whole-file sentence first."""
        parts = [self.parsed, *([self.roster] if self.roster is not None else [])]
        found: list[RowProblem | str] = list(self.file_problems)
        for part in parts:
            found.extend(part.file_problems)
            found.extend(part.problems)
        return found


def shown_interchange(identity: str) -> str:
    """An interchange as a clerk reads it: its sender and control number (``X12 ZZ:ACME
    000000042``), without the digest of its content kept beside them."""
    return identity.split(" #", 1)[0]


def text_table(
    columns: Mapping[str, Sequence[str | None]],
    rows: Sequence[int],
    *,
    sha256: str,
    file_name: str,
) -> RawTable:
    """A RawTable of text cells, one column per field as the format names it, for the
    spreadsheet readers to read (``rows`` become ``source_row``: a segment or line number)."""
    frame = pl.DataFrame(
        {name: pl.Series(name, list(values), dtype=pl.String) for name, values in columns.items()}
    ).with_columns(pl.Series(SOURCE_ROW, list(rows), dtype=pl.Int64))
    headers = list(columns)
    return RawTable(
        frame=frame,
        headers=headers,
        sheet=None,
        header_row=0,
        sha256=sha256,
        file_name=file_name,
        detection=Detection(None, 0, 1.0, 0.0, True),
    )


@dataclass
class CellOrigins:
    """Where each cell of an X12 text table came from: per column, the segment as the guide
    names it (``DTP*349``), the element (``03``) and each row's segment number.

    A problem the roster or statement reader reports at (row, column) is put back at that
    segment and element by :meth:`place`."""

    #: column → (segment name, element)
    elements: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: column → {row number in the table → segment number}
    segments: dict[str, dict[int, int]] = field(default_factory=dict)

    def add(self, column: str, segment: str, element: str) -> None:
        self.elements[column] = (segment, element)
        self.segments.setdefault(column, {})

    def at(self, column: str, row: int, segment_number: int) -> None:
        self.segments[column][row] = segment_number

    def place(
        self, problems: Iterable[RowProblem], first_segment: dict[int, int]
    ) -> list[RowProblem]:
        """``problems`` at their segments; ``first_segment`` maps a table row to the number of
        the segment that opens its loop (INS, ENT, …) for problems of a whole row."""
        placed = []
        for p in problems:
            if p.place is Place.SEGMENT:
                placed.append(p)
                continue
            origin = self.elements.get(p.column)
            number = self.segments.get(p.column, {}).get(p.row)
            if origin is None or number is None:
                placed.append(replace(p, row=first_segment.get(p.row, p.row), place=Place.SEGMENT))
                continue
            segment, element = origin
            placed.append(
                replace(p, row=number, column=segment, element=element, place=Place.SEGMENT)
            )
        return placed
