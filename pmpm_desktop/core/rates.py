"""Rate exhibit rows (SPEC §2, §4): the domain value, and the overlap check run on import."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from pmpm_desktop.core.month import Month

BASE_COMPONENT = "capitation"
_SEPARATORS = re.compile(r"[\s_\-]+")


def normalize_component(name: str | None) -> str:
    """``Care Management`` → ``care_management``; blank → ``capitation``."""
    if name is None or not name.strip():
        return BASE_COMPONENT
    return _SEPARATORS.sub("_", name.strip().lower()).strip("_") or BASE_COMPONENT


def rate_cell_key(value: str | None) -> str | None:
    """The form rate cells are compared in: trimmed, upper-case; blank is None (matches any)."""
    if value is None:
        return None
    text = value.strip().upper()
    return text or None


@dataclass(frozen=True)
class RateRowSpec:
    """One line of a contract's rate exhibit, before it is stored."""

    effective_from: Month
    effective_to: Month | None
    component: str
    rate_cell: str | None
    sex: str | None
    age_min: int | None
    age_max: int | None
    amount: Decimal
    source_row: int | None = None

    def label(self) -> str:
        where = f"row {self.source_row}" if self.source_row is not None else "a row"
        cell = self.rate_cell or "any cell"
        sex = self.sex or "any sex"
        lo = "" if self.age_min is None else str(self.age_min)
        hi = "" if self.age_max is None else str(self.age_max)
        ages = "any age" if not lo and not hi else f"age {lo or '0'}–{hi or '+'}"
        to = str(self.effective_to) if self.effective_to else "open"
        return f"{where} ({self.component}, {cell}, {sex}, {ages}, {self.effective_from}–{to})"


def _ranges_overlap(a_lo: int, a_hi: int, b_lo: int, b_hi: int) -> bool:
    return a_lo <= b_hi and b_lo <= a_hi


def _age_bounds(row: RateRowSpec) -> tuple[int, int] | None:
    """Age interval, or None for a row without age limits (the only kind an unknown DOB matches)."""
    if row.age_min is None and row.age_max is None:
        return None
    return (
        row.age_min if row.age_min is not None else 0,
        row.age_max if row.age_max is not None else 10_000,
    )


def rows_overlap(a: RateRowSpec, b: RateRowSpec) -> bool:
    """True when both rows could match one member-month (same component, SPEC §4.2)."""
    if a.component != b.component:
        return False
    far = 10**6
    a_to = a.effective_to.index if a.effective_to else far
    b_to = b.effective_to.index if b.effective_to else far
    if not _ranges_overlap(a.effective_from.index, a_to, b.effective_from.index, b_to):
        return False
    a_cell, b_cell = rate_cell_key(a.rate_cell), rate_cell_key(b.rate_cell)
    if a_cell is not None and b_cell is not None and a_cell != b_cell:
        return False
    if a.sex is not None and b.sex is not None and a.sex != b.sex:
        return False
    a_age, b_age = _age_bounds(a), _age_bounds(b)
    if a_age is None or b_age is None:
        # A row without limits matches every known age too, so it overlaps any aged row.
        return True
    return _ranges_overlap(*a_age, *b_age)


def find_overlaps(rows: list[RateRowSpec]) -> list[tuple[RateRowSpec, RateRowSpec]]:
    """Every pair of rows that could both match one member-month."""
    by_component: dict[str, list[RateRowSpec]] = defaultdict(list)
    for row in rows:
        by_component[row.component].append(row)
    pairs: list[tuple[RateRowSpec, RateRowSpec]] = []
    for group in by_component.values():
        for i, a in enumerate(group):
            pairs.extend((a, b) for b in group[i + 1 :] if rows_overlap(a, b))
    return pairs


def validate_rate_rows(rows: list[RateRowSpec]) -> list[str]:
    """Problems of a whole exhibit, as sentences naming the rows (empty when it is usable)."""
    problems = []
    for row in rows:
        if row.effective_to is not None and row.effective_to < row.effective_from:
            problems.append(f"{row.label()}: effective to is before effective from")
        if row.age_min is not None and row.age_max is not None and row.age_min > row.age_max:
            problems.append(f"{row.label()}: age min is above age max")
        if row.amount < 0:
            problems.append(f"{row.label()}: negative rate")
    for a, b in find_overlaps(rows):
        problems.append(f"{a.label()} overlaps {b.label()}: both could match one member-month")
    return problems
