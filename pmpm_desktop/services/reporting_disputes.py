"""The report's "What disputes came to" rows (Aging sheet, Cover): the facts and the rule of
``services.disputes`` in the shape the workbook writer takes. No rule of its own here."""

from __future__ import annotations

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.io.report_data import DisputeOutcome
from pmpm_desktop.services.disputes import by_payer, dispute_facts


def dispute_outcomes(
    db: Database, payers: dict[str, str], first: Month, last: Month
) -> list[DisputeOutcome]:
    """One outcome per payer of ``payers`` (code → name), coverage months ``first``..``last``."""
    codes = sorted(payers)
    facts = dispute_facts(db, payers=codes, first=first, last=last)
    return [
        DisputeOutcome(
            payer_code=d.payer_code,
            payer_name=payers[d.payer_code],
            disputed=d.disputed,
            pending=d.pending,
            pending_amount=d.pending_amount,
            resolved=d.resolved,
            recovered=d.recovered.amount,
            written_off=d.written_off,
            written_off_amount=d.written_off_amount,
        )
        for d in by_payer(facts, codes)
    ]
