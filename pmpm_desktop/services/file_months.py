"""Which coverage months each payer has files for, and what a report of a range covers per payer.

A payer's month "has files" when a roster of that month is in use, or a stored statement pays
(or recoups) that coverage month, at member level or without members (an 835's PLB). A report
of January–July after only SUN's July was imported covers SUN January–July and the others
January–June: a payer-month without files is not reported as a month of zeros.

No Qt here: the Reports page, the report export and the Dashboard read the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import Payer, PayerPayment, RemittanceLine, RosterImport

#: payer code → the months it has files for, oldest first
FileMonths = Mapping[str, tuple[Month, ...]]


def months_with_files(
    db: Database, codes: Iterable[str] | None = None
) -> dict[str, tuple[Month, ...]]:
    """Every payer (or those of ``codes``), by code, with the coverage months its stored files
    speak about (a payer without files has none)."""
    wanted = None if codes is None else {c.upper() for c in codes}
    found: dict[int, set[Month]] = {}
    queries = (
        select(RosterImport.payer_id, RosterImport.roster_month)
        .where(RosterImport.active.is_(True))
        .distinct(),
        select(RemittanceLine.payer_id, RemittanceLine.coverage_month).distinct(),
        select(PayerPayment.payer_id, PayerPayment.month).distinct(),
    )
    with db.sessions() as s:
        payers = s.execute(select(Payer.id, Payer.code).order_by(Payer.code)).all()
        for query in queries:
            for payer_id, month in s.execute(query):
                found.setdefault(payer_id, set()).add(month)
    return {
        code: tuple(sorted(found.get(payer_id, ())))
        for payer_id, code in payers
        if wanted is None or code.upper() in wanted
    }


def months_text(first: Month, last: Month) -> str:
    """A span as the pages and file names say it: "2026-01 to 2026-07" (or one month)."""
    return str(first) if first == last else f"{first} to {last}"


@dataclass(frozen=True)
class PayerSpan:
    """What a report of a range covers for one payer."""

    payer_code: str
    #: the payer's first and last month with files inside the range (None: no file in it)
    first: Month | None
    last: Month | None
    #: months between ``first`` and ``last`` without any file (reported, and said so)
    gaps: tuple[Month, ...] = ()

    @property
    def has_files(self) -> bool:
        return self.first is not None


def payer_spans(
    files: FileMonths, codes: Sequence[str], first: Month, last: Month
) -> list[PayerSpan]:
    """For each payer of ``codes``, the part of ``first``..``last`` it has files for."""
    spans = []
    for code in codes:
        inside = [m for m in files.get(code, ()) if first <= m <= last]
        if not inside:
            spans.append(PayerSpan(code, None, None))
            continue
        have = set(inside)
        lo, hi = inside[0], inside[-1]
        gaps = tuple(lo + i for i in range(lo.months_until(hi) + 1) if lo + i not in have)
        spans.append(PayerSpan(code, lo, hi, gaps))
    return spans


def default_range(files: FileMonths, payer_code: str | None = None) -> tuple[Month, Month] | None:
    """The months a report defaults to: every month the payer (or any payer) has files for,
    first to last; None when there are none."""
    months = [
        m for code, ms in files.items() if payer_code is None or code == payer_code for m in ms
    ]
    return (min(months), max(months)) if months else None


def spans_text(spans: Sequence[PayerSpan]) -> str:
    """What each payer's part of a report is, payers of the same months together:
    "BAY, HCA 2026-01 to 2026-06 · SUN 2026-01 to 2026-07 · ZED no files in these months"."""
    groups: dict[str, list[str]] = {}
    for span in spans:
        if span.first is not None and span.last is not None:
            key = months_text(span.first, span.last)
        else:
            key = "no files in these months"
        groups.setdefault(key, []).append(span.payer_code)
    return " · ".join(f"{', '.join(codes)} {key}" for key, codes in groups.items())


def gaps_text(spans: Sequence[PayerSpan]) -> list[str]:
    """One sentence per payer with months without files inside its span."""
    return [
        f"{s.payer_code} has no files for {', '.join(str(m) for m in s.gaps)}: those months "
        "are reconciled from the other months' rosters."
        for s in spans
        if s.gaps
    ]
