"""Payer-level payments (SPEC §7) in the words every place that shows them uses: the column
titles, the sentence that says what they are, the meaning of each adjustment code, and the
sum of several months (a totals line)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from pmpm_desktop.core.money import ZERO
from pmpm_desktop.core.summary import PayerLevel

#: the column beside "Paid" (which stays the member-level sum)
PAID_TITLE = "Paid at payer level"
#: the column comparing the payer's stated withhold with the contracts'
WITHHOLD_TITLE = "Withhold: payer / contract"
WITHHOLD_PAYER_TITLE = "Withhold (payer)"
WITHHOLD_CONTRACT_TITLE = "Withhold (contract)"
#: what they are, in one sentence (a caption, a tooltip, a note on the workbook's Summary)
RULE_BODY = (
    "payments without members (835 PLB: CT capitation, CR capitation interest, E3 withholding, "
    "…), for the month they name; they take no part in the member kinds, and Paid and Variance "
    "stay member-level."
)
RULE = f"{PAID_TITLE}: {RULE_BODY}"
WITHHOLD_RULE = (
    "Withhold: what the payer says it withheld (its E3 lines) against what the contracts "
    "withhold of the month's eligible member-months."
)

#: X12 835 PLB03-1 provider adjustment reason codes (code source 967), as a clerk reads them
PLB_CODES: dict[str, str] = {
    "50": "Late charge",
    "51": "Interest penalty charge",
    "72": "Authorized return",
    "90": "Early payment allowance",
    "AH": "Origination fee",
    "AM": "Applied to borrower's account",
    "AP": "Acceleration of benefits",
    "B2": "Rebate",
    "B3": "Recovery allowance",
    "BD": "Bad debt adjustment",
    "BN": "Bonus",
    "C5": "Temporary allowance",
    "CR": "Capitation interest",
    "CS": "Adjustment",
    "CT": "Capitation payment",
    "CV": "Capital passthru",
    "CW": "Certified registered nurse anesthetist passthru",
    "DM": "Direct medical education passthru",
    "E3": "Withholding",
    "FB": "Forwarding balance",
    "FC": "Fund allocation",
    "GO": "Graduate medical education passthru",
    "HM": "Hemophilia clotting factor supplement",
    "IP": "Incentive premium payment",
    "IR": "Internal Revenue Service withholding",
    "IS": "Interim settlement",
    "J1": "Nonreimbursable",
    "L3": "Penalty",
    "L6": "Interest owed",
    "LE": "Levy",
    "LS": "Lump sum",
    "OA": "Organ acquisition passthru",
    "OB": "Offset for affiliated providers",
    "PI": "Periodic interim payment",
    "PL": "Payment final",
    "RA": "Retro-activity adjustment",
    "RE": "Return on equity",
    "SL": "Student loan repayment",
    "TL": "Third party liability",
    "WO": "Overpayment recovery",
    "WU": "Unspecified recovery",
}


def code_meaning(code: str) -> str:
    """``Capitation payment`` for CT; a code the list does not hold is named as such."""
    return PLB_CODES.get(code.strip().upper(), "Adjustment (code not in the X12 list)")


def code_text(code: str) -> str:
    """``CT (capitation payment)``: a code with its meaning, for a cell or a sentence."""
    meaning = code_meaning(code)
    return f"{code} ({meaning[0].lower()}{meaning[1:]})"


def total_payer_level(levels: Iterable[PayerLevel | None]) -> PayerLevel | None:
    """The sum of the months that have payer-level payments (None when none has): the
    contracts' withhold is summed over those months only, so the two withholds compare."""
    found = [lv for lv in levels if lv is not None]
    if not found:
        return None
    by_code: dict[str, Decimal] = {}
    for lv in found:
        for code, amount in lv.by_code.items():
            by_code[code] = by_code.get(code, ZERO) + amount
    return PayerLevel(
        paid=sum((lv.paid for lv in found), ZERO),
        by_code={code: by_code[code] for code in sorted(by_code)},
        withhold_reported=sum((lv.withhold_reported for lv in found), ZERO),
        withhold_contract=sum((lv.withhold_contract for lv in found), ZERO),
    )
