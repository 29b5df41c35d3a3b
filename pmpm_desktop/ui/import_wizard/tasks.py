"""What the wizard's background tasks take and hand back, and the work they do on the worker
thread: reading the file for the preview, and importing it through the ordinary service."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.errors import PmpmError
from pmpm_desktop.io.detect import Detection
from pmpm_desktop.io.fixed_layout import FixedLayout
from pmpm_desktop.io.machine_file import Format
from pmpm_desktop.io.table import FileReadError
from pmpm_desktop.progress import Progress
from pmpm_desktop.services import importing
from pmpm_desktop.services.importing import ImportResult, RatesResult
from pmpm_desktop.services.preview import Preview, preview
from pmpm_desktop.services.profiles import plan_read
from pmpm_desktop.services.roster_changes import RosterDiff, roster_diff

PREVIEW_ROWS = 20


@dataclass(frozen=True)
class PreviewRequest:
    payer: str
    kind: str
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
    """What step 1 says of a statement (none of it is used for the other kinds)."""

    payment_date: dt.date | None = None
    reference: str | None = None
    stated_total: Decimal | None = None


@dataclass(frozen=True)
class ImportOutcome:
    kind: str
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


DetectionCache = dict[tuple[Path, float, str, str | None], Detection | None]


def run_preview(
    db: Database, request: PreviewRequest, cache: DetectionCache | None = None
) -> PreviewOutcome:
    """The preview, and how sure header detection was (on the worker thread).

    ``cache`` keeps the detection per file and sheet: correcting a column does not move the
    header, so it is not looked for again."""
    found = preview(
        db,
        request.payer,
        request.kind,
        request.path,
        roster_month=request.roster_month,
        mapping=request.mapping or None,
        sheet=request.sheet,
        header_row=request.header_row,
        rows=PREVIEW_ROWS,
        values=dict(request.values) or None,
        decimal_comma=request.decimal_comma,
        layout=request.layout,
    )
    detection = None
    spreadsheet = found.format is Format.SPREADSHEET
    if spreadsheet and found.profile is None and request.header_row is None and found.error is None:
        # Preview does not carry the detection; reading the header again is the same call
        # the preview made (plan_read probes the file once per place).
        try:
            stamp = request.path.stat().st_mtime
        except OSError:
            stamp = 0.0
        key = (request.path, stamp, request.kind, request.sheet)
        if cache is not None and key in cache:
            return PreviewOutcome(request, found, cache[key])
        plan = plan_read(
            db, request.payer, request.kind, request.path, sheet=request.sheet, header_row=None
        )
        try:
            detection = plan.probe.read(plan.sheet, plan.header_row).detection
        except FileReadError:
            detection = None
        if cache is not None:
            cache[key] = detection
    return PreviewOutcome(request, found, detection)


def run_import(
    db: Database,
    checked: PreviewOutcome,
    contract: str,
    payment: PaymentDetails,
    progress: Progress,
    *,
    save_values: bool = False,
) -> ImportOutcome:
    """Import the file exactly as the preview read it (on the worker thread); for a roster,
    also list what changed since the previous roster month. ``save_values`` remembers the
    values given for every row with the payer's layout. A machine format is imported with the
    elements the user chose (the format places the others: they are not saved as choices) and
    the fixed-width layout the preview read it with, which is saved for the payer."""
    r, p = checked.request, checked.preview
    machine = p.format is not Format.SPREADSHEET
    stored = importing.import_file(
        db,
        r.kind,
        r.payer,
        r.path,
        roster_month=r.roster_month,
        contract=contract,
        mapping=(dict(r.mapping) or None) if machine else p.mapping_dict(),
        sheet=p.sheet,
        header_row=p.header_row,
        payment_date=payment.payment_date,
        reference=payment.reference,
        stated_total=payment.stated_total,
        progress=progress,
        values=dict(r.values) or None,
        decimal_comma=r.decimal_comma,
        save_values=save_values,
        layout=p.layout,
    )
    remembered = r.values if save_values else None
    if isinstance(stored, RatesResult):
        return ImportOutcome(r.kind, r.payer, r.path.name, rates=stored, remembered=remembered)
    outcome = ImportOutcome(
        r.kind,
        r.payer,
        r.path.name,
        stored,
        remembered=remembered,
        format=p.format,
        elements=tuple(r.mapping.items()) if machine else (),
        layout=p.layout,
    )
    if r.kind != "roster":
        return outcome
    assert r.roster_month is not None
    try:
        diff: RosterDiff | None = roster_diff(db, r.payer, r.roster_month)
        diff_error = None
    except PmpmError as exc:
        diff, diff_error = None, str(exc)
    return dataclasses.replace(
        outcome, roster_month=r.roster_month, diff=diff, diff_error=diff_error
    )
