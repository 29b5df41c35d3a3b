"""The age of what is still owed: ONE definition for every place that shows one.

The age of a member-month's difference counts from the day its coverage month should have been
paid (the contract's payment due day of that month, clamped to the month's length), not from
the day the difference was found: a member missing since January is as old in March whether it
was found in February or in March. Every screen and sheet names it the same way
(:data:`AGE_TITLE`, explained by :data:`AGE_TOOLTIP`) and buckets it the same way.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pmpm_desktop.core.month import Month

#: the column, axis and heading name of the age, everywhere
AGE_TITLE = "Days since due"
#: what it means, in the words of a tooltip or a subtitle
AGE_TOOLTIP = "Days since the payment for this month was due"

#: the age buckets, youngest first (their keys; :func:`bucket_label` gives their words)
BUCKETS: tuple[str, ...] = ("0–30", "31–60", "61–90", "90+")


class Owed(StrEnum):
    """Which way money is owed on an open or disputed difference (paid − expected)."""

    #: paid less than expected: the payer owes the practice
    TO_PRACTICE = "to_practice"
    #: paid more than expected: the practice owes the payer (the payer may recoup)
    TO_PAYER = "to_payer"


def due_date(month: Month, due_day: int) -> dt.date:
    """The day ``month`` should have been paid: its ``due_day`` (a due day of 30 in February
    is the month's last day, not an error)."""
    return month.day(max(1, min(due_day, month.days)))


def days_since_due(due: dt.date, as_of: dt.date) -> int:
    """Whole days from ``due`` to ``as_of``; 0 before it is due."""
    return max(0, (as_of - due).days)


def bucket_of(age_days: int) -> str:
    """The bucket of an age in days: 0–30, 31–60, 61–90, 90+ (91 days and more)."""
    if age_days <= 30:
        return BUCKETS[0]
    if age_days <= 60:
        return BUCKETS[1]
    if age_days <= 90:
        return BUCKETS[2]
    return BUCKETS[3]


def bucket_label(bucket: str) -> str:
    """A bucket in words: "0–30 days since due"."""
    return f"{bucket} {AGE_TITLE.lower()}"
