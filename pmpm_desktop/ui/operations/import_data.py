"""What the import wizard's operations take and hand back (``ui.operations.imports`` does the
work): the preview asked for and read, a statement's payment details, an import's outcome."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.detect import Detection
from pmpm_desktop.io.fixed_layout import FixedLayout
from pmpm_desktop.io.machine_file import Format
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.services.importing import ImportResult, RatesResult
from pmpm_desktop.services.preview import Preview
from pmpm_desktop.services.roster_changes import RosterDiff

PREVIEW_ROWS = 20


@dataclass(frozen=True)
class PreviewRequest:
    payer: str
    kind: FileKind
    path: Path
    roster_month: Month | None
    mapping: dict[str, str]
    sheet: str | None
    header_row: int | None
    #: field → value for every row (the "Values for every row" editor), in the editor's order
    values: tuple[tuple[str, str], ...] = ()
    #: the user's answer to the decimal question (None: the file decides)
    decimal_comma: bool | None = None
    #: a fixed-width file's layout as the user set it (None: the payer's saved one, if any)
    layout: FixedLayout | None = None

    def same_file(self, other: PreviewRequest) -> bool:
        """The same payer, kind and file (the user's corrections may differ)."""
        return (self.payer, self.kind, self.path) == (other.payer, other.kind, other.path)


@dataclass(frozen=True)
class PreviewOutcome:
    request: PreviewRequest
    preview: Preview
    #: how the header row was found (None when a saved layout or the user placed it)
    detection: Detection | None


@dataclass(frozen=True)
class PaymentDetails:
    """What the user says of a statement: the payment date (asked on the check step), the
    check or EFT reference and the total it states (step 1). Unused for the other kinds."""

    payment_date: dt.date | None = None
    reference: str | None = None
    stated_total: Decimal | None = None


@dataclass(frozen=True)
class ImportOutcome:
    kind: FileKind
    payer: str
    file_name: str
    result: ImportResult | None = None
    rates: RatesResult | None = None
    roster_month: Month | None = None
    diff: RosterDiff | None = None
    #: the roster changes could not be listed (the import itself succeeded)
    diff_error: str | None = None
    #: the values remembered with the payer's layout (field → value), when the user said so
    remembered: tuple[tuple[str, str], ...] | None = None
    #: the file's format; for a machine format, the elements the user chose (field → element)
    #: and the fixed-width layout it was read with, both kept for the payer
    format: Format = Format.SPREADSHEET
    elements: tuple[tuple[str, str], ...] = ()
    layout: FixedLayout | None = None
    #: a statement's payment date as stored (the one the user confirmed)
    payment_date: dt.date | None = None


DetectionCache = dict[tuple[Path, float, str, str | None], Detection | None]
