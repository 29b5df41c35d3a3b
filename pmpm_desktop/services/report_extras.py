"""What the workbook's sheets beyond Summary and Discrepancies need: aging, late recoupments,
dispute outcomes, roster comparisons (computed on a second thread while the range is
reconciled), the member ledger and payments without members."""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence

import polars as pl
from sqlalchemy import select

from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import ReconcileSummary
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import RosterImport
from pmpm_desktop.io.report_data import LedgerLine, ReportExtras
from pmpm_desktop.progress import Progress, report
from pmpm_desktop.services import aging
from pmpm_desktop.services.payer_level import payer_payment_lines
from pmpm_desktop.services.payers import get_payer
from pmpm_desktop.services.reporting_disputes import dispute_outcomes
from pmpm_desktop.services.roster_changes import RosterDiff, iter_roster_changes

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


class RosterChangesAhead:
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
        except Exception as exc:  # handed to the reading thread, raised there
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
