"""How values look on screen: one function per kind of value, shared by every table and label."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pmpm_desktop.core.money import round_money
from pmpm_desktop.core.month import Month
from pmpm_desktop.io.report import KIND_LABELS, STATUS_LABELS


def money(value: Decimal | None) -> str:
    """``1,234.56`` / ``-12.30``; blank for None."""
    if value is None:
        return ""
    return f"{round_money(value):,.2f}"


def dollars(value: Decimal | int | None, blank: str = "") -> str:
    """``$1,234.56`` / ``−$4.50`` (a real minus before the $, as accountants write it)."""
    if value is None:
        return blank
    amount = Decimal(value)
    text = "$" + money(abs(amount))
    return ("−" + text) if amount < 0 else text


def count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def date(value: dt.date | None) -> str:
    return "" if value is None else value.isoformat()


def timestamp(value: dt.datetime | None) -> str:
    """A stored UTC time shown in the machine's local time, to the minute."""
    if value is None:
        return ""
    local = value.replace(tzinfo=dt.UTC).astimezone()
    return local.strftime("%Y-%m-%d %H:%M")


def month(value: Month | None) -> str:
    return "" if value is None else str(value)


def kind(value: str | None) -> str:
    return "" if value is None else KIND_LABELS.get(value, value)


def status(value: str | None) -> str:
    return "" if value is None else STATUS_LABELS.get(value, value)


def person(last: str | None, first: str | None) -> str:
    """``LAST, FIRST`` as rosters write it; whichever part is known."""
    parts = [p for p in (last, first) if p]
    return ", ".join(parts)


def display(value: object, kind_of_value: str) -> str:
    """Format by column kind (see ``table_model.Column.kind``)."""
    if value is None:
        return ""
    if kind_of_value == "money":
        assert isinstance(value, Decimal)
        return money(value)
    if kind_of_value == "int":
        assert isinstance(value, int)
        return count(value)
    if kind_of_value == "date":
        assert isinstance(value, dt.date)
        return date(value)
    if kind_of_value == "datetime":
        assert isinstance(value, dt.datetime)
        return timestamp(value)
    if kind_of_value == "kind":
        return kind(str(value))
    if kind_of_value == "status":
        return status(str(value))
    if kind_of_value == "percent":
        return f"{value}%"
    return str(value)
