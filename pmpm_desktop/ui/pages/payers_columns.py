"""What the Payers & Contracts page shows of a payer and a contract: the tables' columns, the
payer's settings in words, and a contract's terms with their units.

The tables keep to what tells one payer or contract from another (so they fit a 1024-pixel
window without scrolling sideways); a contract's other terms are shown for the selected
contract under its table (``payers_terms.py``), each with its unit: money as dollars, months
and days as such.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pmpm_desktop.services.payers import ContractInfo, CrMeaning, PayerInfo
from pmpm_desktop.ui import format
from pmpm_desktop.ui.payer_dialogs import (
    age_basis_label,
    contract_dates,
    eligibility_label,
    plain_number,
)
from pmpm_desktop.ui.table_model import Column

PAYER_COLUMNS = [
    Column("Code", lambda p: p.code, tooltip="The payer's short code (files are filed under it)"),
    Column("Name", lambda p: p.name),
    Column("Contracts", lambda p: len(p.contracts), "int", "How many contracts the payer has"),
]

CONTRACT_COLUMNS = [
    Column("Contract", lambda c: c.name),
    Column(
        "Products",
        lambda c: ", ".join(c.products) or "(any)",
        tooltip="The roster product values that select this contract",
    ),
    Column("Effective", contract_dates, tooltip="The months the contract covers"),
    Column(
        "Eligibility",
        lambda c: eligibility_label(c.eligibility),
        tooltip="When a member counts as covered for a month",
    ),
]

_CR_WORDS = {CrMeaning.PAID: "paid to the practice", CrMeaning.RECOUPED: "taken back"}


def payer_settings_text(payer: PayerInfo) -> str:
    """The payer's member-ID width and rule and what CR means, in words, as the page shows
    them."""
    ids = payer.id_rule.describe()
    if payer.id_width is not None:
        ids += f"; numeric IDs are padded with zeros to {payer.id_width} digits"
    return f"Member IDs: {ids}. On statements, CR means {_CR_WORDS[payer.cr_means]}."


@dataclass(frozen=True)
class Term:
    """One of a contract's terms as the page shows it: its caption, the value in words with
    its unit, and what it means (the tooltip)."""

    key: str
    caption: str
    value: Callable[[ContractInfo], str]
    meaning: str


def _months(n: int) -> str:
    return f"{n} month{'s' * (n != 1)}"


#: in reading order, filled column by column (``payers_terms.TERM_ROWS`` rows a column)
TERMS = (
    Term(
        "withhold",
        "Withhold",
        lambda c: f"{plain_number(c.withhold_pct)}%",
        "The share of capitation the payer holds back (withhold %)",
    ),
    Term(
        "tolerance",
        "Tolerance",
        lambda c: format.dollars(c.tolerance),
        "Differences up to this amount count as paid correctly",
    ),
    Term(
        "risk_adjusted",
        "Risk-adjusted",
        lambda c: "Yes" if c.risk_adjusted else "No",
        "Whether capitation is multiplied by the member's risk score",
    ),
    Term(
        "age_basis",
        "Age basis",
        lambda c: age_basis_label(c.age_basis),
        "The day a member's age is taken on, to pick the rate for the age",
    ),
    Term(
        "retro_window",
        "Retro window",
        lambda c: _months(c.retro_window_months),
        "How many months back the payer may take money back (recoup)",
    ),
    Term(
        "due_day",
        "Payment due",
        lambda c: f"day {c.payment_due_day}",
        "The day of the coverage month by which its payment is due "
        "(what “Days since due” counts from)",
    ),
)
