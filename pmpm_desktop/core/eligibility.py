"""Contract eligibility rules (SPEC §3) and age bases (SPEC §4)."""

from __future__ import annotations

import re
from dataclasses import dataclass

AGE_BASES: tuple[str, ...] = ("first-of-month", "first-of-year")
_MID_MONTH = re.compile(r"^mid-month:(\d{1,2})$")


@dataclass(frozen=True)
class EligibilityRule:
    """How a contract turns an eligibility span into a month's payable fraction.

    ``kind`` is ``point`` (payable when the span covers ``day`` of the month: first-of-month and
    mid-month:N), ``any-day`` or ``daily`` (covered days ÷ days in the month).
    """

    kind: str
    day: int = 1

    @classmethod
    def parse(cls, text: str) -> EligibilityRule:
        """Read ``first-of-month``, ``mid-month:N`` (1..28), ``any-day`` or ``daily``."""
        value = text.strip().lower()
        if value == "first-of-month":
            return cls("point", 1)
        if value == "any-day":
            return cls("any-day")
        if value == "daily":
            return cls("daily")
        m = _MID_MONTH.match(value)
        if m and 1 <= int(m.group(1)) <= 28:
            return cls("point", int(m.group(1)))
        raise ValueError(
            f"unknown eligibility rule {text!r} "
            "(use first-of-month, mid-month:N with N from 1 to 28, any-day or daily)"
        )

    def __str__(self) -> str:
        if self.kind == "point":
            return "first-of-month" if self.day == 1 else f"mid-month:{self.day}"
        return self.kind


def parse_age_basis(text: str) -> str:
    """Validate an age basis (``first-of-month`` or ``first-of-year``)."""
    value = text.strip().lower()
    if value not in AGE_BASES:
        raise ValueError(f"unknown age basis {text!r} (use first-of-month or first-of-year)")
    return value
