"""What a reader of one kind of X12 transaction set is given, and the words they share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.machine_file import MachineFile
from pmpm_desktop.io.options import ReadOptions
from pmpm_desktop.io.values import parse_date
from pmpm_desktop.io.x12.codes import TRANSACTION_NAMES
from pmpm_desktop.io.x12.envelope import Interchange, TransactionSet
from pmpm_desktop.io.x12.segments import Segments


@dataclass(frozen=True)
class X12Input:
    """An interchange split and checked, the transaction sets to read (all of one ST01), and
    what the caller asked: a reader of 834, 271, 820 or 835 gets this and returns a
    MachineFile."""

    path: Path
    sha256: str
    segments: Segments
    interchange: Interchange
    sets: tuple[TransactionSet, ...]
    options: ReadOptions
    #: field → the element to read it from (``{"member_id": "REF*0F", "product": "HD04"}``):
    #: the payer's import profile, or the user's choice in the preview
    mapping: Mapping[str, str]
    roster_month: Month | None = None

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def items(self) -> list[list[str]]:
        """The segments (``items[i]`` is segment number ``i + 1``)."""
        return self.segments.items

    @property
    def guide(self) -> str:
        """The implementation guide of the sets read (``005010X220A1``)."""
        return self.sets[0].guide if self.sets else ""

    def standard(self) -> str:
        """``X12 834 (005010X220A1)``."""
        code = self.sets[0].code if self.sets else "?"
        return f"X12 {code} ({self.guide})" if self.guide else f"X12 {code}"


TransactionReader = Callable[[X12Input], MachineFile]


def transaction_label(code: str) -> str:
    """``an 837 (health care claim)``: a transaction set as a sentence names one."""
    name = TRANSACTION_NAMES.get(code)
    article = "an" if code[:1] == "8" else "a"
    return f"{article} {code} ({name})" if name else f"{article} {code}"


def element(segment: list[str], n: int) -> str:
    """Element ``n`` of a segment, trimmed; empty when the segment stops before it."""
    return segment[n].strip() if n < len(segment) else ""


def counted(n: int, noun: str) -> str:
    """``1 subscriber``, ``1,204 subscribers``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def month_of(text: str) -> Month | None:
    """The month of a CCYYMMDD date of a file's header, None when it is not a date."""
    day = _day(text)
    return Month.of(day) if day is not None else None


def shown_date(text: str) -> str:
    """A CCYYMMDD date of a file's header as ``2026-04-01`` (as written when not a date)."""
    day = _day(text)
    return day.isoformat() if day is not None else text


def _day(text: str) -> dt.date | None:
    try:
        return parse_date(text) if text else None
    except ValueError:
        return None
