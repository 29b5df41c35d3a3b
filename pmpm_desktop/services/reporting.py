"""The Excel report, end to end: reconcile the range, gather what the sheets need, write the
workbook (and, if asked, one dispute packet per payer).

Used by ``pmpm report`` and by the desktop's Reports page, so both export the same figures:
the ones a reconciliation of the range gives right now (new files since the last run count).
Each payer is reported for the months of the range it has files for (``services.file_months``):
after only SUN's July was imported, a January–July report covers the others January–June.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl
from sqlalchemy import select
from xlsxwriter.exceptions import FileCreateError

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.reconcile import summarise
from pmpm_desktop.core.summary import ReconcileSummary
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import Payer, RosterImport
from pmpm_desktop.errors import PmpmError, UsageError
from pmpm_desktop.io.report import write_report
from pmpm_desktop.io.report_data import LedgerLine, ReportExtras
from pmpm_desktop.io.report_packet import packet_file_name, packet_items, write_packet
from pmpm_desktop.progress import Progress, report, scaled
from pmpm_desktop.services import aging
from pmpm_desktop.services.file_months import (
    PayerSpan,
    gaps_text,
    months_text,
    months_with_files,
    payer_spans,
)
from pmpm_desktop.services.payer_level import payer_payment_lines, with_payer_level
from pmpm_desktop.services.payers import get_payer
from pmpm_desktop.services.reconciling import (
    build_summary,
    compute,
    load_inputs,
    store_discrepancies,
)
from pmpm_desktop.services.reporting_disputes import dispute_outcomes
from pmpm_desktop.services.roster_changes import RosterDiff, iter_roster_changes

#: progress units: reconciling takes the first RECONCILE_SHARE of them, gathering the other
#: sheets' data up to GATHER_END, writing the rest
PROGRESS_TOTAL = 1000
RECONCILE_SHARE = 400
GATHER_END = 500
#: the member ledger stops at this many member-months (Excel and the 5 s export budget):
#: whole members are kept, the rest are counted on the sheet
LEDGER_MAX_ROWS = 150_000
#: the thread comparing rosters while the range is reconciled
THREAD_NAME = "pmpm-roster-changes"
#: what a cancelled export leaves (reconciling stores each payer in its own transaction)
CANCELLED = (
    "export cancelled: no file was written (payers reconciled before the stop keep their "
    "refreshed discrepancies)"
)


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


def _roster_months(db: Database, code: str, first: Month, last: Month) -> list[Month]:
    with db.sessions() as s:
        payer_id = get_payer(s, code).id
        return list(
            s.scalars(
                select(RosterImport.roster_month)
                .where(
                    RosterImport.payer_id == payer_id,
                    RosterImport.active.is_(True),
                    RosterImport.roster_month >= first,
                    RosterImport.roster_month <= last,
                )
                .distinct()
                .order_by(RosterImport.roster_month)
            )
        )


def _reconcile(
    db: Database, code: str, first: Month, last: Month, progress: Progress | None
) -> tuple[ReconcileSummary, pl.DataFrame]:
    """``reconciling.reconcile`` step by step, keeping the engine's member-months of the members
    with a discrepancy (the ledger's rows) instead of throwing them away."""
    if first.months_until(last) > 240:
        raise UsageError("reconcile at most 20 years at a time")

    def step(done: int) -> None:
        report(progress, done, 5, cancelled=CANCELLED)

    step(0)
    inputs = load_inputs(db, code, first, last)
    step(1)
    expected, kinds = compute(inputs, first, last)
    step(2)
    months = summarise(kinds, first.index, last.index)
    step(3)
    with db.engine.begin() as conn:
        store_discrepancies(conn, db, inputs.payer_id, first, last, kinds)
    # Stored: from here a Cancel cannot undo anything, so the reports no longer ask.
    if progress is not None:
        progress(4, 5)
    summary = build_summary(db, inputs.payer_code, inputs.payer_name, first, last, months)
    summary = with_payer_level(db, inputs.payer_id, summary, expected.member_months)
    if progress is not None:
        progress(5, 5)
    listed = pl.DataFrame(
        {"member_ref": sorted({d.member_id for d in summary.discrepancies})},
        schema={"member_ref": pl.Utf8},
    )
    ledger = kinds.join(listed, on="member_ref", how="semi").select(
        "member_ref", "month", "eligible", "expected_cents", "paid_cents", "kind"
    )
    return summary, ledger


def _ledger_lines(
    summaries: Sequence[ReconcileSummary], frames: Sequence[pl.DataFrame]
) -> tuple[list[LedgerLine], int]:
    """The ledger's rows, payer by payer, member by member, month by month; capped at
    LEDGER_MAX_ROWS (whole members). Returns the rows and the number of members left out.

    Names and statuses are joined on in polars and the rows built in one pass: a Python loop
    with dictionary look-ups per member-month took longer than the sheet takes to write."""
    lines: list[LedgerLine] = []
    left_out = 0
    for summary, frame in zip(summaries, frames, strict=True):
        ds = summary.discrepancies
        # the last discrepancy of a member (and of a member-month) wins, as a dict would keep it
        found = pl.DataFrame(
            {
                "member_ref": [d.member_id for d in ds],
                "month": [d.month.index for d in ds],
                "last_name": [d.last_name for d in ds],
                "first_name": [d.first_name for d in ds],
                "status": [d.status for d in ds],
            },
            schema={
                "member_ref": pl.Utf8,
                "month": pl.Int32,
                "last_name": pl.Utf8,
                "first_name": pl.Utf8,
                "status": pl.Utf8,
            },
        )
        names = found.unique("member_ref", keep="last").select(
            "member_ref", "last_name", "first_name"
        )
        statuses = found.unique(["member_ref", "month"], keep="last").select(
            "member_ref", "month", "status"
        )
        rows = frame.with_columns(pl.col("month").cast(pl.Int32)).sort("member_ref", "month")
        # a member's months are kept together: whole members while the ledger has room
        sizes = rows.group_by("member_ref", maintain_order=True).len()
        starts = sizes["len"].cum_sum() - sizes["len"] + len(lines)
        kept = sizes.filter(starts < LEDGER_MAX_ROWS).select("member_ref")
        left_out += sizes.height - kept.height
        rows = (
            rows.join(kept, on="member_ref", how="semi", maintain_order="left")
            .join(names, on="member_ref", how="left", maintain_order="left")
            .join(statuses, on=["member_ref", "month"], how="left", maintain_order="left")
        )
        code = summary.payer_code
        month_of = {i: Month.from_index(i) for i in rows["month"].unique().to_list()}
        lines += [
            # a month the engine finds matched but that has a stored (closed) discrepancy
            # shows its kind as the engine gives it: matched
            LedgerLine(code, member, last_n, first_n, month_of[m], bool(el), int(e), int(p), k, st)
            for member, last_n, first_n, m, el, e, p, k, st in rows.select(
                "member_ref", "last_name", "first_name", "month", "eligible",
                "expected_cents", "paid_cents", "kind", "status",
            ).iter_rows()
        ]  # fmt: skip
    return lines, left_out


class _RosterChangesAhead:
    """Every payer's roster comparisons for the range, computed on a second thread while the
    range is reconciled: they read only the rosters, not what reconciling stores, and SQLite
    (WAL) and polars let the two run side by side. Iterating hands the diffs over as they come;
    :meth:`stop` ends the thread after the month it is on."""

    _DONE = object()

    def __init__(self, db: Database, codes: Sequence[str], first: Month, last: Month) -> None:
        self._queue: queue.Queue[object] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(db, list(codes), first, last), name=THREAD_NAME, daemon=True
        )
        self._thread.start()

    def _run(self, db: Database, codes: list[str], first: Month, last: Month) -> None:
        try:
            for code in codes:
                for diff in iter_roster_changes(db, code, first, last):
                    if self._stop.is_set():
                        return
                    self._queue.put(diff)
        except Exception as exc:  # noqa: BLE001 - handed to the reading thread, raised there
            self._queue.put(exc)
        finally:
            self._queue.put(self._DONE)

    def __iter__(self) -> Iterator[RosterDiff]:
        while (item := self._queue.get()) is not self._DONE:
            if isinstance(item, Exception):
                raise item
            yield item  # type: ignore[misc]

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    @staticmethod
    def possible(db: Database) -> bool:
        """Not for an in-memory SQLite database: another thread's connection to it would be
        a different, empty database."""
        return not db.is_sqlite or db.engine.url.database not in (None, "", ":memory:")


def gather_extras(
    db: Database,
    summaries: Sequence[ReconcileSummary],
    ledgers: Sequence[pl.DataFrame],
    first: Month,
    last: Month,
    *,
    payer_code: str | None,
    as_of: dt.date,
    progress: Progress | None = None,
    roster_diffs: Iterable[RosterDiff] | None = None,
) -> ReportExtras:
    """Everything the sheets beyond Summary and Discrepancies need.

    ``roster_diffs``, when given, are the payers' roster comparisons for the range in payer
    then month order (as build_report computes them beside the reconciliation); otherwise they
    are computed here. ``progress(done, total)`` is called after each step (one roster month's
    comparison); returning False stops with ``Cancelled``."""
    payers = {s.payer_code: s.payer_name for s in summaries}
    wanted = [
        (s.payer_code, m) for s in summaries for m in _roster_months(db, s.payer_code, first, last)
    ]
    steps = len(wanted) + 3

    def step(done: int) -> None:
        report(progress, done, steps, cancelled=CANCELLED)

    items = aging.aging_items(db, payer_code, as_of=as_of, first=first, last=last)
    items = [i for i in items if i.payer_code in payers]
    late = [
        r
        for r in aging.late_recoupments(db, payer_code, first=first, last=last)
        if r.payer_code in payers
    ]
    step(1)
    # the ledger first: roster comparisons made on another thread keep coming meanwhile
    ledger, left_out = _ledger_lines(summaries, ledgers)
    step(2)
    if roster_diffs is None:
        roster_diffs = (d for code in payers for d in iter_roster_changes(db, code, first, last))
    diffs = []
    for diff in roster_diffs:
        diffs.append(diff)
        step(2 + len(diffs))
    notes = []
    if left_out:
        notes.append(
            f"The member ledger lists the first {LEDGER_MAX_ROWS:,} member-months; "
            f"{left_out:,} more members with a discrepancy are not in it."
        )
    return ReportExtras(
        as_of=as_of,
        aging_buckets=aging.BUCKETS,
        aging_short=aging.aging_table([i for i in items if i.variance < 0], payers),
        aging_over=aging.aging_table([i for i in items if i.variance > 0], payers),
        late_recoupments=late,
        disputes=dispute_outcomes(db, payers, first, last),
        roster_diffs=diffs,
        ledger=ledger,
        ledger_members_left_out=left_out,
        payer_payments=payer_payment_lines(db, list(payers), first, last),
        notes=notes,
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
    when no payer has any, nothing is written and ``UsageError`` says why.

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
        raise UsageError(
            f"{who} files for {months_text(first, last)}: nothing to report (import the "
            "rosters and statements of those months, or choose other months)"
        )
    codes = [s.payer_code for s in covered]
    summaries: list[ReconcileSummary] = []
    ledgers: list[pl.DataFrame] = []
    share = RECONCILE_SHARE // max(len(codes), 1)
    ahead = (
        _RosterChangesAhead(db, codes, first, last) if _RosterChangesAhead.possible(db) else None
    )
    try:
        for i, span in enumerate(covered):
            assert span.first is not None and span.last is not None
            summary, ledger = _reconcile(
                db, span.payer_code, span.first, span.last, _scaled(progress, i * share, share)
            )
            summaries.append(summary)
            ledgers.append(ledger)
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
    del ledgers
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
