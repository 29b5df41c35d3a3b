"""The Excel report, end to end: reconcile the range, then write the workbook.

Used by ``pmpm report`` and by the desktop's Reports page, so both export the same figures:
the ones a reconciliation of the range gives right now (new files since the last run count).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from xlsxwriter.exceptions import FileCreateError

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import ReconcileSummary
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import Payer, RosterImport
from pmpm_desktop.errors import PmpmError, UsageError
from pmpm_desktop.io.report import ReportCancelled, write_report
from pmpm_desktop.services.payers import get_payer
from pmpm_desktop.services.reconciling import Cancelled, reconcile

Progress = Callable[[int, int], bool]

#: progress units: reconciling takes the first RECONCILE_SHARE of them, writing the rest
PROGRESS_TOTAL = 1000
RECONCILE_SHARE = 400


@dataclass(frozen=True)
class ReportResult:
    path: Path
    summaries: list[ReconcileSummary]
    generated_at: dt.datetime


def check_report_path(path: Path) -> Path:
    """Refuse, in words, a target the workbook cannot be written to (before any work)."""
    path = Path(path).expanduser()
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"the report must be an .xlsx file, not {path.name!r}")
    folder = path.parent
    if not folder.exists():
        raise PmpmError(f"the folder {folder} does not exist: choose another folder")
    if not folder.is_dir():
        raise PmpmError(f"{folder} is not a folder: choose another folder")
    if path.is_dir():
        raise PmpmError(f"{path} is a folder: give the report a file name")
    return path


def _scaled(progress: Progress | None, start: int, span: int) -> Progress | None:
    """A progress callback for one phase, reporting into ``start .. start + span``."""
    if progress is None:
        return None

    def report(done: int, total: int) -> bool:
        part = span * done // total if total > 0 else 0
        return progress(start + min(part, span), PROGRESS_TOTAL)

    return report


def payer_codes(db: Database, payer_code: str | None) -> list[str]:
    """The one payer asked for (checked), or every payer by code."""
    with db.sessions() as s:
        if payer_code:
            return [get_payer(s, payer_code).code]
        return list(s.scalars(select(Payer.code).order_by(Payer.code)))


def roster_range(db: Database, payer_code: str | None) -> tuple[Month, Month] | None:
    """The first and last roster month stored (in use) for one payer or all; None if none."""
    q = select(func.min(RosterImport.roster_month), func.max(RosterImport.roster_month)).where(
        RosterImport.active.is_(True)
    )
    with db.sessions() as s:
        if payer_code:
            q = q.where(RosterImport.payer_id == get_payer(s, payer_code).id)
        lo, hi = s.execute(q).one()
    return (lo, hi) if lo is not None and hi is not None else None


def build_report(
    db: Database,
    path: Path,
    payer_code: str | None,
    first: Month,
    last: Month,
    practice_name: str | None = None,
    progress: Progress | None = None,
) -> ReportResult:
    """Reconcile ``first``..``last`` for one payer (or every payer when None), storing the
    discrepancies as ``pmpm reconcile`` does, and write the report to ``path``.

    ``progress(done, total)`` returning False stops the export: :class:`ReportCancelled` is
    raised and no file is left at ``path`` (payers reconciled before the stop keep their
    refreshed discrepancies, as after ``pmpm reconcile``).
    """
    path = check_report_path(path)
    if last < first:
        raise UsageError(f"the range ends ({last}) before it starts ({first})")
    codes = payer_codes(db, payer_code)
    summaries: list[ReconcileSummary] = []
    share = RECONCILE_SHARE // max(len(codes), 1)
    try:
        for i, code in enumerate(codes):
            summaries.append(
                reconcile(db, code, first, last, progress=_scaled(progress, i * share, share))
            )
    except Cancelled:
        raise ReportCancelled("report export cancelled") from None
    if progress is not None and progress(RECONCILE_SHARE, PROGRESS_TOTAL) is False:
        raise ReportCancelled("report export cancelled")
    generated_at = now()
    try:
        write_report(
            path,
            summaries,
            generated_at=generated_at,
            practice_name=practice_name or None,
            progress=_scaled(progress, RECONCILE_SHARE, PROGRESS_TOTAL - RECONCILE_SHARE),
        )
    except OSError as exc:
        raise PmpmError(f"cannot write {path}: {exc.strerror or exc}") from None
    except FileCreateError as exc:  # xlsxwriter wraps the OSError of its final zip
        cause = exc.args[0] if exc.args else exc
        reason = getattr(cause, "strerror", None) or str(cause)
        raise PmpmError(f"cannot write {path}: {reason}") from None
    return ReportResult(path, summaries, generated_at)
