"""The Excel report, end to end: reconcile the range, gather what the sheets need, write the
workbook (and, if asked, one dispute packet per payer).

Used by ``pmpm report`` and by the desktop's Reports page, so both export the same figures:
the ones a reconciliation of the range gives right now (new files since the last run count).
Each payer is reported for the months of the range it has files for (``services.file_months``):
after only SUN's July was imported, a January–July report covers the others January–June.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl
from sqlalchemy import select
from xlsxwriter.exceptions import FileCreateError

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import ReconcileSummary
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import Payer
from pmpm_desktop.errors import NotFound, PmpmError, UsageError
from pmpm_desktop.io.report import write_report
from pmpm_desktop.io.report_data import ReportExtras
from pmpm_desktop.io.report_packet import packet_file_name, packet_items, write_packet
from pmpm_desktop.progress import Progress, report, scaled
from pmpm_desktop.services.file_months import (
    PayerSpan,
    gaps_text,
    months_text,
    months_with_files,
    payer_spans,
)
from pmpm_desktop.services.payers import get_payer
from pmpm_desktop.services.reconciling import reconcile_payers
from pmpm_desktop.services.report_extras import (
    CANCELLED,
    LEDGER_MAX_ROWS,
    THREAD_NAME,
    RosterChangesAhead,
    gather_extras,
)

__all__ = [
    "CANCELLED",
    "GATHER_END",
    "LEDGER_MAX_ROWS",
    "PROGRESS_TOTAL",
    "RECONCILE_SHARE",
    "THREAD_NAME",
    "ReportResult",
    "build_report",
    "check_packet_dir",
    "check_report_path",
    "gather_extras",
    "payer_codes",
]

#: the roster comparisons beside the reconciliation (its own module; the name tests use)
_RosterChangesAhead = RosterChangesAhead

#: progress units: reconciling takes the first RECONCILE_SHARE of them, gathering the other
#: sheets' data up to GATHER_END, writing the rest
PROGRESS_TOTAL = 1000
RECONCILE_SHARE = 400
GATHER_END = 500


@dataclass(frozen=True)
class ReportResult:
    path: Path
    summaries: list[ReconcileSummary]
    generated_at: dt.datetime
    #: the dispute packets written (one per payer with something to act on)
    packets: list[Path] = field(default_factory=list)
    #: what the report covers per payer asked for (months with files; none: left out)
    spans: list[PayerSpan] = field(default_factory=list)


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


def check_packet_dir(folder: Path) -> Path:
    """The folder the packets go to: created when missing if its parent exists."""
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise PmpmError(f"{folder} is not a folder: choose a folder for the dispute packets")
    if not folder.exists():
        if not folder.parent.is_dir():
            raise PmpmError(f"the folder {folder.parent} does not exist: choose another folder")
        folder.mkdir(mode=0o700)  # ours: the packets in it name members
    return folder


def _scaled(progress: Progress | None, start: int, span: int) -> Progress | None:
    """A progress callback for one phase, reporting into ``start .. start + span``."""
    return scaled(progress, start, span, PROGRESS_TOTAL)


def _check(progress: Progress | None, done: int) -> None:
    report(progress, done, PROGRESS_TOTAL, cancelled=CANCELLED)


def payer_codes(db: Database, payer_code: str | None) -> list[str]:
    """The one payer asked for (checked), or every payer by code."""
    with db.sessions() as s:
        if payer_code:
            return [get_payer(s, payer_code).code]
        return list(s.scalars(select(Payer.code).order_by(Payer.code)))


def _ledger_frame(summary: ReconcileSummary, kinds: pl.DataFrame) -> pl.DataFrame:
    """The engine's member-months of the members with a discrepancy: the ledger's rows."""
    listed = pl.DataFrame(
        {"member_ref": sorted({d.member_id for d in summary.discrepancies})},
        schema={"member_ref": pl.Utf8},
    )
    return kinds.join(listed, on="member_ref", how="semi").select(
        "member_ref", "month", "eligible", "expected_cents", "paid_cents", "kind"
    )


def _write_error(path: Path, exc: Exception) -> PmpmError:
    if isinstance(exc, FileCreateError):  # xlsxwriter wraps the OSError of its final zip
        cause = exc.args[0] if exc.args else exc
        reason = getattr(cause, "strerror", None) or str(cause)
    else:
        reason = getattr(exc, "strerror", None) or str(exc)
    return PmpmError(f"cannot write {path}: {reason}")


def build_report(
    db: Database,
    path: Path,
    payer_code: str | None,
    first: Month,
    last: Month,
    practice_name: str | None = None,
    progress: Progress | None = None,
    *,
    packet_dir: Path | None = None,
) -> ReportResult:
    """Reconcile for one payer (or every payer when None) the months of ``first``..``last``
    it has files for, storing the discrepancies as ``pmpm reconcile`` does, and write the
    report to ``path``; with ``packet_dir``, also one dispute packet per payer that has
    something to act on. A payer without files in the range is left out (the Cover says so);
    when no payer has any, nothing is written and ``NotFound`` says why.

    ``progress(done, total)`` returning False stops the export: ``Cancelled`` is raised and no
    file is left at ``path`` (payers reconciled before the stop keep their refreshed
    discrepancies, as after ``pmpm reconcile``).
    """
    path = check_report_path(path)
    if last < first:
        raise UsageError(f"the range ends ({last}) before it starts ({first})")
    if packet_dir is not None:
        packet_dir = check_packet_dir(packet_dir)
    asked = payer_codes(db, payer_code)
    spans = payer_spans(months_with_files(db, asked), asked, first, last)
    covered = [s for s in spans if s.first is not None and s.last is not None]
    if not covered:
        who = f"{spans[0].payer_code} has no" if payer_code and spans else "no payer has"
        raise NotFound(
            f"{who} files for {months_text(first, last)}: nothing to report (import the "
            "rosters and statements of those months, or choose other months)"
        )
    codes = [s.payer_code for s in covered]
    ledgers: list[pl.DataFrame] = []
    ahead = RosterChangesAhead(db, codes, first, last) if RosterChangesAhead.possible(db) else None
    ranges = {s.payer_code: (s.first, s.last) for s in covered if s.first and s.last}
    try:
        summaries = reconcile_payers(
            db, codes, first, last, _scaled(progress, 0, RECONCILE_SHARE),
            each=lambda summary, kinds: ledgers.append(_ledger_frame(summary, kinds)),
            cancelled="report export cancelled",
            ranges=ranges,
        )  # fmt: skip
        _check(progress, RECONCILE_SHARE)
        generated_at = now()
        extras = gather_extras(
            db, summaries, ledgers, first, last,
            payer_code=codes[0] if payer_code and codes else None, as_of=generated_at.date(),
            progress=_scaled(progress, RECONCILE_SHARE, GATHER_END - RECONCILE_SHARE),
            roster_diffs=ahead,
        )  # fmt: skip
    finally:
        if ahead is not None:
            ahead.stop()
    extras = replace(extras, notes=[*_span_notes(spans, first, last), *extras.notes])
    ledgers.clear()  # the ledger's lines are in extras: free the engine's frames
    _check(progress, GATHER_END)
    writing = PROGRESS_TOTAL - GATHER_END
    report_span = writing if packet_dir is None else writing * 4 // 5
    try:
        write_report(
            path,
            summaries,
            generated_at=generated_at,
            practice_name=practice_name or None,
            extras=extras,
            progress=_scaled(progress, GATHER_END, report_span),
        )
    except (OSError, FileCreateError) as exc:
        raise _write_error(path, exc) from None
    packets: list[Path] = []
    if packet_dir is not None:
        packets = _write_packets(packet_dir, summaries, extras, generated_at, practice_name)
    if progress is not None:
        progress(PROGRESS_TOTAL, PROGRESS_TOTAL)
    return ReportResult(path, summaries, generated_at, packets, spans)


def _span_notes(spans: Sequence[PayerSpan], first: Month, last: Month) -> list[str]:
    """The Cover's notes on payer-months without files: left out, or reported from the other
    months' rosters (a gap inside a payer's months)."""
    notes = [
        f"{s.payer_code} has no files for {months_text(first, last)}: it is not in this report."
        for s in spans
        if not s.has_files
    ]
    for s in spans:
        if s.first is None or s.last is None:
            continue
        left_out = [
            months_text(a, b) for a, b in ((first, s.first - 1), (s.last + 1, last)) if a <= b
        ]
        if left_out:
            notes.append(
                f"{s.payer_code} has no files for {' or '.join(left_out)}, so this report "
                f"covers {s.payer_code} for {months_text(s.first, s.last)}."
            )
    return notes + gaps_text(spans)


def _write_packets(
    folder: Path,
    summaries: Sequence[ReconcileSummary],
    extras: ReportExtras,
    generated_at: dt.datetime,
    practice_name: str | None,
) -> list[Path]:
    """One packet per payer, of the months reported for it; a payer with nothing to act on
    gets none."""
    written = []
    late = list(extras.late_recoupments or ())
    for s in summaries:
        target = folder / packet_file_name(s.payer_code, s.first, s.last)
        mine = [r for r in late if r.payer_code == s.payer_code]
        if not mine and not packet_items(s.discrepancies):
            continue  # nothing for this payer to act on
        try:
            write_packet(
                target,
                payer_code=s.payer_code,
                payer_name=s.payer_name,
                first=s.first,
                last=s.last,
                discrepancies=s.discrepancies,
                late=mine,
                generated_at=generated_at,
                practice_name=practice_name or None,
            )
        except (OSError, FileCreateError) as exc:
            raise _write_error(target, exc) from None
        written.append(target)
    return written
