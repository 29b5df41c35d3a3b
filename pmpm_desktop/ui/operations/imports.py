"""Importing payer files and their history, as operations: the Rosters and Remittances pages'
reads and rollbacks, and the import wizard's steps (what a file is, its preview, its import).

Reads a newer request replaces carry a ``latest`` key (the pages' lists, the wizard's kind
proposal and preview, each wizard its own); the work itself is the services', run exactly as
the CLI runs it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from pmpm_desktop.db.database import Database
from pmpm_desktop.errors import PmpmError
from pmpm_desktop.io.machine_file import Format
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.io.table import FileReadError
from pmpm_desktop.progress import Progress
from pmpm_desktop.services import importing
from pmpm_desktop.services.import_history import (
    ImportInfo,
    RollbackResult,
    list_imports,
    rollback_import,
)
from pmpm_desktop.services.importing import RatesResult
from pmpm_desktop.services.payers import PayerInfo, list_payers
from pmpm_desktop.services.preview import preview
from pmpm_desktop.services.profiles import plan_read
from pmpm_desktop.services.roster_changes import RosterDiff, roster_diff
from pmpm_desktop.ui.context import Changed
from pmpm_desktop.ui.import_wizard.content_kind import ContentProposal, propose_from_content
from pmpm_desktop.ui.import_wizard.outcome_text import status_sentence
from pmpm_desktop.ui.operations import Op
from pmpm_desktop.ui.operations.import_data import (
    PREVIEW_ROWS,
    DetectionCache,
    ImportOutcome,
    PaymentDetails,
    PreviewOutcome,
    PreviewRequest,
)

# --- the Rosters and Remittances pages ----------------------------------------------------------


@dataclass(frozen=True)
class ImportsListing:
    """What an imports page shows: the payers (its filter) and the imports of its kind."""

    payers: list[PayerInfo]
    imports: list[ImportInfo]


def read_imports(db: Database, kind: FileKind) -> Op[ImportsListing]:
    """The payers and the imports of ``kind``, newest first (a newer read replaces it)."""
    what = "rosters" if kind is FileKind.ROSTER else "statements"
    return Op(
        f"Reading the {what}",
        lambda _progress: ImportsListing(list_payers(db), list_imports(db, kind)),
        latest=f"imports list {kind.value}",
        cancellable=False,
    )


def roll_back(db: Database, info: ImportInfo) -> Op[RollbackResult]:
    """Delete the import and its rows, then reconcile its payer again."""
    changes = (Changed.IMPORTS, Changed.DISCREPANCIES) + (
        (Changed.MEMBERS,) if info.kind == FileKind.ROSTER else ()
    )
    return Op(
        f"Rolling back {info.file_name}",
        lambda progress: rollback_import(db, info.kind, info.id, progress),
        changes=changes,
        says=lambda result: result.describe(),
    )


# --- the import wizard ------------------------------------------------------------------------


def propose_kind(path: Path, *, latest: str) -> Op[ContentProposal]:
    """What ``path`` is, from its content and name (a newer file chosen replaces it)."""
    return Op(
        "Looking at the file",
        lambda _progress: propose_from_content(path),
        latest=latest,
        cancellable=False,
    )


def read_preview(
    db: Database, request: PreviewRequest, cache: DetectionCache, *, latest: str
) -> Op[PreviewOutcome]:
    """The file read as the import will read it (a correction made meanwhile replaces it)."""
    return Op(
        "Reading the file",
        lambda _progress: run_preview(db, request, cache),
        latest=latest,
        cancellable=False,
    )


def import_file(
    db: Database,
    checked: PreviewOutcome,
    contract: str,
    payment: PaymentDetails,
    *,
    save_values: bool = False,
) -> Op[ImportOutcome]:
    """Import the file exactly as the preview read it (``run_import``)."""
    kind = checked.request.kind

    def work(progress: Progress) -> ImportOutcome:
        return run_import(db, checked, contract, payment, progress, save_values=save_values)

    return Op(
        f"Importing {checked.preview.file_name}",
        work,
        changes=(Changed.IMPORTS, Changed.PAYERS) if kind is FileKind.RATES else (Changed.IMPORTS,),
        says=status_sentence,
    )


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
        key = (request.path, stamp, request.kind.value, request.sheet)
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
        payment_date=payment.payment_date if r.kind is FileKind.STATEMENT else None,
    )
    if r.kind is not FileKind.ROSTER:
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
