"""The detail pane's words: an explanation (``services.explain``) as the sentences and amount
lines a billing clerk reads, top to bottom. Every amount is one the service computed; nothing
here does arithmetic on money."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from pmpm_desktop.core.summary import Kind
from pmpm_desktop.services.discrepancies import Event, HistoryEntry
from pmpm_desktop.services.explain import CAP, ComponentLine, Explanation
from pmpm_desktop.ui import format as fmt
from pmpm_desktop.ui.format import dollars

_RULES = {
    "first-of-month": "a month counts when the member is enrolled on its first day",
    "any-day": "a month counts when the member is enrolled on at least one of its days",
    "daily": "a month is paid by the day, for the days the member is enrolled",
}


def rule_text(rule: str | None) -> str:
    """A contract's eligibility rule in words."""
    if rule is None:
        return ""
    if rule.startswith("mid-month:"):
        day = rule.split(":", 1)[1]
        return f"a month counts when the member is enrolled on day {day}"
    return _RULES.get(rule, rule)


def payable_text(e: Explanation) -> str:
    """How much of the month is payable: "the whole month", "15 of 31 days"."""
    num, den = e.fraction_num, e.fraction_den
    if num is None or den is None:
        return ""
    if num == den:
        return "the whole month"
    if num == 0:
        return "none of the month"
    return f"{num} of {den} days"


#: a run of at least this many characters with no space: given places to break (file names)
_LONG_WORD = re.compile(r"\S{28,}")


def breakable(text: str) -> str:
    """``text`` with invisible break points after ``_ . / \\ -`` inside very long words, so a
    long file or contract name wraps in a narrow pane instead of widening it."""

    def soften(match: re.Match[str]) -> str:
        return re.sub(r"([_./\\-])", "\\1\u200b", match.group(0))

    return _LONG_WORD.sub(soften, text)


def _esc(text: str) -> str:
    return html.escape(breakable(text))


def why_lines(e: Explanation) -> list[str]:
    """The explanation as short sentences (HTML-escaped) a billing clerk reads top to bottom."""
    if e.deciding_roster is None:
        if e.kind == Kind.UNKNOWN_MEMBER or e.member_name is None:
            return [
                f"No roster lists ID {_esc(e.member_id)}: the payer paid someone the practice "
                "does not know, so nothing is expected."
            ]
        return [f"No roster lists this member for {e.month}, so nothing is expected."]
    out = [f"Decided by <b>{_esc(e.deciding_roster)}</b>; enrolled {_esc(e.span or '')}."]
    if e.contract is None:
        out.append(
            "No contract of the payer covers this product in this month, so no rate can be "
            "found: add or extend the contract, then reconcile again."
        )
        return out
    out.append(
        f"Contract <b>{_esc(e.contract)}</b>: {_esc(rule_text(e.rule))}. "
        f"Payable: {_esc(payable_text(e))}."
    )
    if not e.eligible:
        out.append("Under that rule the member is not eligible this month: nothing is expected.")
        return out
    facts = [
        f"age {e.age}" if e.age is not None else "age unknown (no date of birth)",
        f"sex {_esc(e.sex)}" if e.sex else "sex not given",
        f"rate cell {_esc(e.rate_cell)}" if e.rate_cell else "no rate cell",
    ]
    if e.risk_score is not None:
        facts.append(f"risk score {e.risk_score}")
    out.append("On the roster: " + ", ".join(facts) + ".")
    if not any(c.component.lower() == CAP for c in e.components):
        out.append(
            "No capitation rate of the contract fits this rate cell, sex and age: add the "
            "rate to the contract's rate exhibit, then reconcile again."
        )
    return out


def arithmetic(e: Explanation, c: ComponentLine) -> str:
    """How the component's amount comes from its rate, as the service worked it out:
    ``$688.90 PMPM × 15/31 of the month ($333.34) × risk score 1.484``."""
    parts = [f"{dollars(c.rate)} PMPM"]
    if not e.whole_month and e.fraction_num is not None:
        parts.append(f"{e.fraction_num}/{e.fraction_den} of the month ({dollars(c.prorated)})")
    if c.risk_score is not None:
        parts.append(f"risk score {c.risk_score}")
    return " × ".join(parts)


def _rate_row_text(label: str) -> str:
    """``row 2 (…)`` of the rate exhibit, said so."""
    return "Rate exhibit " + label if label.startswith("row ") else label


@dataclass(frozen=True)
class AmountLine:
    """A line of the expected amount: a component (and the rate exhibit row it comes from),
    the withhold, or the total."""

    label: str
    source: str
    amount: str
    total: bool = False


def amount_lines(e: Explanation) -> list[AmountLine]:
    """Components, withhold and total, top to bottom (none when nothing is expected)."""
    if e.deciding_roster is None or not e.eligible or e.contract is None:
        return []
    out = [
        AmountLine(
            c.component.replace("_", " ").capitalize(),
            f"{_rate_row_text(c.rate_row)}: {arithmetic(e, c)}",
            dollars(c.amount),
        )
        for c in e.components
    ]
    if e.withhold:
        out.append(
            AmountLine(f"Withhold {e.withhold_pct}% of capitation", "", dollars(-e.withhold))
        )
    out.append(AmountLine("Expected in total", "", dollars(e.expected), total=True))
    return out


def change_text(h: HistoryEntry) -> str:
    """A history entry's change in words: "Found", "Open → Disputed", "Undo: …"."""
    moved = f"{fmt.status(h.old_status)} → {fmt.status(h.new_status)}"
    if h.event == Event.CREATED:
        return "Found"
    if h.event == Event.STATUS:
        return moved
    if h.event == Event.AMOUNTS:
        return "Amounts changed"
    if h.event == Event.UNDO:
        return f"Undo: {moved}"
    if h.event == Event.UNDONE:
        # a note alone kept the status; a status change says which it was
        return "Note (undone)" if h.old_status == h.new_status else f"{moved} (undone)"
    return "Note"
