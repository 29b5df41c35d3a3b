"""What the adjustment reason codes of an 820's ADX and an 835's PLB mean (X12 element 426,
as the 820 and 835 guides use it), in the words a billing clerk reads on a statement."""

from __future__ import annotations

#: ADX02 in the 820 (005010X218 loops 2200B/2320B, 004010X061A1 loop 2320B)
ADX_REASONS = {
    "20": "balance due declined",
    "52": "credit for overpayment",
    "53": "remittance for previous underpayment",
    "80": "overpayment",
    "81": "credit as agreed",
    "86": "duplicate payment",
    "AA": "prepaid benefit or advances",
    "AX": "person no longer employed",
    "BJ": "insurance charge",
    "H1": "information forthcoming",
    "H6": "partial payment remitted",
    "IA": "invoice amount does not match account analysis statement",
    "J3": "promised adjustment not received",
    "RU": "interest",
    "WO": "overpayment recovery",
}

#: PLB03-1 (and PLB05-1 … PLB13-1) in the 835 (005010X221A1, 004010X091A1)
PLB_REASONS = {
    "50": "late charge",
    "51": "interest penalty charge",
    "72": "authorized return",
    "90": "early payment allowance",
    "AH": "origination fee",
    "AM": "applied to borrower's account",
    "AP": "acceleration of benefits",
    "B2": "rebate",
    "B3": "recovery allowance",
    "BD": "bad debt adjustment",
    "BN": "bonus",
    "C5": "temporary allowance",
    "CR": "capitation interest",
    "CS": "adjustment",
    "CT": "capitation payment",
    "CV": "capital passthru",
    "CW": "certified registered nurse anesthetist passthru",
    "DM": "direct medical education passthru",
    "E3": "withholding",
    "FB": "forwarding balance",
    "FC": "fund allocation",
    "GO": "graduate medical education passthru",
    "HM": "hemophilia clotting factor supplement",
    "IP": "incentive premium payment",
    "IR": "internal revenue service withholding",
    "IS": "interim settlement",
    "J1": "nonreimbursable",
    "L3": "penalty",
    "L6": "interest owed",
    "LE": "levy",
    "LS": "lump sum",
    "OA": "organ acquisition passthru",
    "OB": "offset for affiliated providers",
    "PI": "periodic interim payment",
    "PL": "payment final",
    "RA": "retro-activity adjustment",
    "RE": "return on equity",
    "SL": "student loan repayment",
    "TL": "third party liability",
    "WO": "overpayment recovery",
    "WU": "unspecified recovery",
}

#: the PLB codes that pay capitation (X12 RFI 1921, 005010X221A1 §1.10.2.10): an 835 without
#: one of them holds no capitation
CAPITATION_CODES = frozenset({"CT", "CR", "E3"})


def adjustment_line_type(code: str) -> str:
    """An 820 adjustment's line type: ``adjustment 52 credit for overpayment``."""
    meaning = ADX_REASONS.get(code)
    return f"adjustment {code} {meaning}" if meaning else f"adjustment {code}"


def plb_label(code: str) -> str:
    """``CT capitation payment``; an unknown code as written."""
    meaning = PLB_REASONS.get(code)
    return f"{code} {meaning}" if meaning else code
