"""Calendar months as first-class values (``YYYY-MM``)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import total_ordering

_ISO_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


@total_ordering
@dataclass(frozen=True, slots=True)
class Month:
    """One calendar month. Ordered, hashable, and arithmetic in whole months."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, not {self.month}")
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year out of range: {self.year}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse ``YYYY-MM`` (payer formats: ``io.values.parse_month``)."""
        m = _ISO_MONTH.match(text)
        if not m:
            raise ValueError(f"not a month (expected YYYY-MM): {text!r}")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        """The month a date falls in."""
        return cls(day.year, day.month)

    @classmethod
    def from_index(cls, index: int) -> Month:
        """Inverse of :attr:`index`."""
        return cls(index // 12, index % 12 + 1)

    @property
    def index(self) -> int:
        """Months since year 0: consecutive months have consecutive indexes."""
        return self.year * 12 + self.month - 1

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, self.days)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    def day(self, n: int) -> dt.date:
        return dt.date(self.year, self.month, n)

    def __add__(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    def __sub__(self, other: int) -> Month:
        return Month.from_index(self.index - other)

    def months_until(self, other: Month) -> int:
        """Number of months from self to other (0 when equal, negative when other is earlier)."""
        return other.index - self.index

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Month):
            return NotImplemented
        return self.index < other.index

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __repr__(self) -> str:
        return f"Month({str(self)!r})"


def month_range(first: Month, last: Month) -> list[Month]:
    """Every month from first to last, both included (empty when last < first)."""
    return [Month.from_index(i) for i in range(first.index, last.index + 1)]
