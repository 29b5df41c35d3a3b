"""Reconciling, and the month summary of the stored files: the Reconciliation page's (and the
import wizard's "Reconcile now") operations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import MonthSummary, ReconcileSummary
from pmpm_desktop.db.database import Database
from pmpm_desktop.progress import NOTHING_CHANGED, Cancelled, Progress
from pmpm_desktop.services.month_summary import month_summaries_of
from pmpm_desktop.services.reconciling import reconcile_payers
from pmpm_desktop.ui.context import Changed
from pmpm_desktop.ui.operations import Op

#: the month summary worked out from the stored files: a newer request replaces an older one
SUMMARY_KEY = "reconciliation month summary"


@dataclass(frozen=True)
class Reconciled:
    """What a reconcile did: the payers reconciled (all of them, unless the user cancelled
    after some were: then ``cancelled`` says which were kept)."""

    first: Month
    last: Month
    summaries: tuple[ReconcileSummary, ...]
    cancelled: str | None = None

    @property
    def found(self) -> int:
        """Discrepancies stored (open or not) over the range of the payers reconciled."""
        return sum(len(s.discrepancies) for s in self.summaries)

    @property
    def sentence(self) -> str:
        """The result in one sentence, for the page and the status bar."""
        who = ", ".join(s.payer_code for s in self.summaries)
        if self.cancelled is not None:
            return f"Reconciliation {self.cancelled}."
        return f"Reconciled {who}, {self.first} to {self.last}: {self.found:,} discrepancies stored"


def reconcile(db: Database, codes: Sequence[str], first: Month, last: Month) -> Op[Reconciled]:
    """Reconcile the payers of ``codes`` over ``first``..``last`` (each payer in its own
    transaction). A Cancel before any payer was reconciled changes nothing (the op is
    cancelled); after some, those are kept and the op succeeds saying so."""
    chosen = list(codes)

    def work(progress: Progress) -> Reconciled:
        try:
            summaries = reconcile_payers(db, chosen, first, last, progress)
        except Cancelled as stop:
            if str(stop) == NOTHING_CHANGED:
                raise
            return Reconciled(first, last, (), str(stop))
        return Reconciled(first, last, tuple(summaries))

    return Op(
        title=f"Reconcile {', '.join(chosen)}, {first} to {last}",
        work=work,
        changes=(Changed.DISCREPANCIES,),
        says=lambda done: done.sentence,
    )


def month_summaries(
    db: Database, codes: Sequence[str], first: Month, last: Month
) -> Op[dict[str, list[MonthSummary]]]:
    """The month summary a reconciliation would give, worked out from the stored files
    without writing anything (payer code → months)."""
    chosen = list(codes)
    return Op(
        title="Month summary",
        work=lambda progress: month_summaries_of(db, chosen, first, last, progress),
        latest=SUMMARY_KEY,
    )
