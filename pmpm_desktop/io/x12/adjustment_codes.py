"""What the adjustment reason codes of an 820's ADX and an 835's PLB mean (X12 element 426,
as the 820 and 835 guides use it), in the words a billing clerk reads on a statement."""

from __future__ import annotations

from pmpm_desktop.core.payer_level import PLB_CODES

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

#: the PLB codes that pay capitation (X12 RFI 1921, 005010X221A1 §1.10.2.10): an 835 without
#: one of them holds no capitation
CAPITATION_CODES = frozenset({"CT", "CR", "E3"})


def adjustment_line_type(code: str) -> str:
    """An 820 adjustment's line type: ``adjustment 52 credit for overpayment``."""
    meaning = ADX_REASONS.get(code)
    return f"adjustment {code} {meaning}" if meaning else f"adjustment {code}"


def plb_label(code: str) -> str:
    """``CT capitation payment``; an unknown code as written (the meanings are
    core.payer_level's, which the pages and the report show too)."""
    meaning = PLB_CODES.get(code)
    return f"{code} {meaning[0].lower()}{meaning[1:]}" if meaning else code
