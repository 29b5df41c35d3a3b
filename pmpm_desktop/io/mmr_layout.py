"""The record of the CMS MARx Monthly Membership Report data file (MMR detail file, data set
``MONMEMD``), PCUG Appendix F "Monthly Membership Detail Report (Data File)".

Where the positions come from (the PCUG itself was not in reach here, so they were checked
against three public descriptions that agree with each other):

* a public importer of the data file, ``stephenmccready/CMS_MONMEMD`` (``ImportMONMEMD``,
  written for a 2015 file ``P.xxxxx.MONMEMD.D150301``): every field's start and length, which
  :data:`FIELDS` copies, names as the PCUG prints them;
* a public note quoting the PCUG table (``huangrh/MyNotes``, CMS.md): "47 RA Factor Type Code
  2 189-190", "48 Frailty Indicator 1 191", "49 OREC 1 192", the same positions;
* public descriptions of the current layout (healthdatamax.com, invene.com): a 495-character
  record of 91 fields, the beneficiary ID at 20–31 (HICN then, the MBI now: 11 characters in
  the same 12), ARC field 28, start and end dates fields 29–30, RAF A/B fields 24–25, Part D
  RA factor type field 86, Cleanup ID field 91 (ending at 495). PCUG 11.1 (2017) replaced
  the three MSA deposit fields (153–170) by the MTM add-on and filler, which moves the field
  numbers after them by one but no position this reader uses.

Assumed, not seen in the PCUG text: amounts are written with a leading minus and an explicit
decimal point (``-0001234.56``), as the public importer reads them (a plain cast to money);
RA factors likewise (``01.2345``). A value without a point is refused, never scaled by a
guess. Amounts of a record cover its whole payment/adjustment period, start to end date (the
public importer's splitter divides them by the number of months; the monthly rate itself has
its own fields, 88–90).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class MmrField:
    """One field of the detail record: its PCUG name, start column (from 1) and length."""

    name: str
    start: int
    length: int

    @property
    def end(self) -> int:
        return self.start + self.length - 1

    @property
    def columns(self) -> str:
        return f"{self.start}–{self.end}"


RECORD_LENGTH = 495

CONTRACT = MmrField("MCO Contract Number", 1, 5)
RUN_DATE = MmrField("Run Date of the File", 6, 8)
PAYMENT_DATE = MmrField("Payment Date", 14, 6)
BENEFICIARY_ID = MmrField("Beneficiary ID (MBI or HICN)", 20, 12)
SURNAME = MmrField("Surname", 32, 7)
FIRST_INITIAL = MmrField("First Initial", 39, 1)
SEX = MmrField("Sex", 40, 1)
BIRTH_DATE = MmrField("Date of Birth", 41, 8)
RAF_A = MmrField("Risk Adjuster Factor A", 72, 7)
MONTHS_A = MmrField("Number of Paymt/Adjustmt Months Part A", 86, 2)
MONTHS_B = MmrField("Number of Paymt/Adjustmt Months Part B", 88, 2)
ARC = MmrField("Adjustment Reason Code", 90, 2)
START_DATE = MmrField("Paymt/Adjustmt Start Date", 92, 8)
END_DATE = MmrField("Paymt/Adjustmt End Date", 100, 8)
PBP = MmrField("Plan Benefit Package Id", 185, 3)
MONTHS_D = MmrField("Number of Paymt/Adjustmt Months Part D", 390, 2)

#: Every field of the record, in order (the 2015 layout; 37–39 are the MTM add-on and filler
#: in the layout of 2017 on). Names as the PCUG prints them.
FIELDS: tuple[MmrField, ...] = (
    CONTRACT,
    RUN_DATE,
    PAYMENT_DATE,
    BENEFICIARY_ID,
    SURNAME,
    FIRST_INITIAL,
    SEX,
    BIRTH_DATE,
    MmrField("Age Group", 49, 4),
    MmrField("State & County Code", 53, 5),
    MmrField("Out of Area Indicator", 58, 1),
    MmrField("Part A Entitlement", 59, 1),
    MmrField("Part B Entitlement", 60, 1),
    MmrField("Hospice", 61, 1),
    MmrField("ESRD", 62, 1),
    MmrField("Aged/Disabled MSP", 63, 1),
    MmrField("Institutional", 64, 1),
    MmrField("NHC", 65, 1),
    MmrField("New Medicare Beneficiary Medicaid Status Flag", 66, 1),
    MmrField("LTI Flag", 67, 1),
    MmrField("Medicaid Indicator", 68, 1),
    MmrField("PIP-DCG", 69, 2),
    MmrField("Default Risk Factor Code", 71, 1),
    RAF_A,
    MmrField("Risk Adjuster Factor B", 79, 7),
    MONTHS_A,
    MONTHS_B,
    ARC,
    START_DATE,
    END_DATE,
    MmrField("Demographic Paymt/Adjustmt Amount A", 108, 9),
    MmrField("Demographic Paymt/Adjustmt Amount B", 117, 9),
    MmrField("Monthly Paymt/Adjustmt Amount A", 126, 9),
    MmrField("Monthly Paymt/Adjustmt Amount B", 135, 9),
    MmrField("LIS Premium Subsidy", 144, 8),
    MmrField("ESRD MSP Flag", 152, 1),
    MmrField("MSA Part A Deposit/Recovery Amount", 153, 8),
    MmrField("MSA Part B Deposit/Recovery Amount", 161, 8),
    MmrField("MSA Deposit/Recovery Months", 169, 2),
    MmrField("Current Medicaid Status", 171, 1),
    MmrField("Risk Adjuster Age Group (RAAG)", 172, 4),
    MmrField("Previous Disable Ratio (PRDIB)", 176, 7),
    MmrField("De Minimis", 183, 1),
    MmrField("Beneficiary Dual and Part D Enrollment Status Flag", 184, 1),
    PBP,
    MmrField("Race Code", 188, 1),
    MmrField("RA Factor Type Code", 189, 2),
    MmrField("Frailty Indicator", 191, 1),
    MmrField("Original Reason for Entitlement Code (OREC)", 192, 1),
    MmrField("Lag Indicator", 193, 1),
    MmrField("Segment ID", 194, 3),
    MmrField("Enrollment Source", 197, 1),
    MmrField("EGHP Flag", 198, 1),
    MmrField("Part C Basic Premium - Part A Amount", 199, 8),
    MmrField("Part C Basic Premium - Part B Amount", 207, 8),
    MmrField("Rebate for Part A Cost Sharing Reduction", 215, 8),
    MmrField("Rebate for Part B Cost Sharing Reduction", 223, 8),
    MmrField("Rebate for Other Part A Mandatory Supplemental Benefits", 231, 8),
    MmrField("Rebate for Other Part B Mandatory Supplemental Benefits", 239, 8),
    MmrField("Rebate for Part B Premium Reduction - Part A Amount", 247, 8),
    MmrField("Rebate for Part B Premium Reduction - Part B Amount", 255, 8),
    MmrField("Rebate for Part D Supplemental Benefits - Part A Amount", 263, 8),
    MmrField("Rebate for Part D Supplemental Benefits - Part B Amount", 271, 8),
    MmrField("Total Part A MA Payment", 279, 10),
    MmrField("Total Part B MA Payment", 289, 10),
    MmrField("Total MA Payment Amount", 299, 11),
    MmrField("Part D RA Factor", 310, 7),
    MmrField("Part D Low-Income Indicator", 317, 1),
    MmrField("Part D Low-Income Multiplier", 318, 7),
    MmrField("Part D Long-Term Institutional Indicator", 325, 1),
    MmrField("Part D Long-Term Institutional Multiplier", 326, 7),
    MmrField("Rebate for Part D Basic Premium Reduction", 333, 8),
    MmrField("Part D Basic Premium Amount", 341, 8),
    MmrField("Part D Direct Subsidy Monthly Payment Amount", 349, 10),
    MmrField("Reinsurance Subsidy Amount", 359, 10),
    MmrField("Low-Income Subsidy Cost-Sharing Amount", 369, 10),
    MmrField("Total Part D Payment", 379, 11),
    MONTHS_D,
    MmrField("PACE Premium Add On", 392, 10),
    MmrField("PACE Cost Sharing Add-on", 402, 10),
    MmrField("Part C Frailty Score Factor", 412, 7),
    MmrField("MSP Factor", 419, 7),
    MmrField("MSP Reduction/Reduction Adjustment Amount - Part A", 426, 10),
    MmrField("MSP Reduction/Reduction Adjustment Amount - Part B", 436, 10),
    MmrField("Medicaid Dual Status Code", 446, 2),
    MmrField("Part D Coverage Gap Discount Amount", 448, 8),
    MmrField("Part D RA Factor Type", 456, 2),
    MmrField("Default Part D Risk Factor Code", 458, 1),
    MmrField("Part A Risk Adjusted Monthly Rate Amount for Pymt/Adj", 459, 9),
    MmrField("Part B Risk Adjusted Monthly Rate Amount for Pymt/Adj", 468, 9),
    MmrField("Part D Direct Subsidy Monthly Rate Amount for Pymt/Adj", 477, 9),
    MmrField("Cleanup ID", 486, 10),
)

#: The field read as each line's amount unless the payer's mapping names another: the
#: member's Part C (Part A + Part B) payment, what an MA capitation is a share of.
DEFAULT_AMOUNT = "Total MA Payment Amount"

_PART_D = frozenset(
    {
        "Rebate for Part D Basic Premium Reduction",
        "Part D Basic Premium Amount",
        "Part D Direct Subsidy Monthly Payment Amount",
        "Reinsurance Subsidy Amount",
        "Low-Income Subsidy Cost-Sharing Amount",
        "Total Part D Payment",
        "Part D Coverage Gap Discount Amount",
        "LIS Premium Subsidy",
    }
)
# Monthly rates, not amounts paid: the same for each month of a record, whatever its sign.
RATES = frozenset(f.name for f in FIELDS if f.name.endswith("for Pymt/Adj"))
#: The money fields a line's amount may be read from, by PCUG name.
AMOUNTS: dict[str, MmrField] = {
    f.name: f
    for f in FIELDS
    if f.name not in RATES
    and f.start >= 108
    and any(w in f.name for w in ("Amount", "Payment", "Subsidy", "Rebate", "Premium", "Add"))
}


def months_field(amount: str) -> MmrField:
    """The field counting the months a record's ``amount`` covers (Part D or Part C)."""
    return MONTHS_D if amount in _PART_D else MONTHS_A


#: Adjustment reason codes (PCUG, "Adjustment Reason Codes"), as a line type shows them.
ADJUSTMENT_REASONS: dict[str, str] = {
    "01": "Notification of Death of Beneficiary",
    "02": "Retroactive Enrollment",
    "03": "Retroactive Disenrollment",
    "04": "Correction to Enrollment Date",
    "05": "Correction to Disenrollment Date",
    "06": "Correction to Part A Entitlement",
    "07": "Retroactive Hospice Status",
    "08": "Retroactive ESRD Status",
    "09": "Retroactive Institutional Status",
    "10": "Retroactive Medicaid Status",
    "11": "Retroactive Change to State County Code",
    "12": "Date of Death Correction",
    "13": "Date of Birth Correction",
    "14": "Correction to Sex Code",
    "17": "For APPS use only",
    "18": "Part C Rate Change",
    "19": "Correction to Part B Entitlement",
    "20": "Retroactive Working Aged Status",
    "21": "Retroactive NHC Status",
    "22": "Disenrolled Due to Prior ESRD",
    "23": "Demo Factor Adjustment",
    "25": "Part C Risk Adjustment Factor Change/Recon",
    "26": "Mid-year Part C Risk Adjustment Factor Change",
    "27": "Retroactive Change to Congestive Heart Failure (CHF) Payment",
    "28": "Retroactive Change to BIPA Part B Premium Reduction Amount",
    "29": "Retroactive Change to Hospice Rate",
    "30": "Retroactive Change to Basic Part D Premium",
    "31": "Retroactive Change to Part D Low Income Status",
    "32": "Retroactive Change to Estimated Cost-Sharing Amount",
    "33": "Retroactive Change to Estimated Reinsurance Amount",
    "34": "Retroactive Change to Basic Part C Premium",
    "35": "Retroactive Change to Rebate Amount",
    "36": "Part D Rate Change",
    "37": "Part D Risk Adjustment Factor Change",
    "38": "Part C Segment ID Change",
    "41": "Part D Risk Adjustment Factor Change (ongoing)",
    "42": "Retroactive MSP Status",
    "44": "Retroactive correction of previously failed Payment",
    "45": "Disenroll for Failure to Pay Part D IRMAA Premium",
    "46": "Correction of Part D Eligibility",
    "50": "Payment adjustment due to Beneficiary Merge",
    "60": "Part C Payment Adjustment from RAS overpayment file processing",
    "61": "Part D Payment Adjustment from RAS overpayment file processing",
    "65": "Confirmed Incarceration",
    "66": "Not Lawfully Present",
    "90": "System of Record History Alignment",
    "94": "Special Payment Adjustment Due to Cleanup",
}
#: ARCs of a prospective payment (the payment month itself): blank, or 00 in some files.
PAYMENT_CODES = frozenset({"", "00"})
RETRO_ENROLLMENT = "02"
RETRO_DISENROLLMENT = "03"
PAYMENT_LINE = "payment"


def line_type(code: str) -> str:
    """What a record is, as its statement line shows it: ``payment``, ``02 Retroactive
    Enrollment``, ``99 adjustment (reason code not in the PCUG list)``."""
    if code in PAYMENT_CODES:
        return PAYMENT_LINE
    meaning = ADJUSTMENT_REASONS.get(code)
    return (
        f"{code} {meaning}" if meaning else f"{code} adjustment (reason code not in the PCUG list)"
    )


#: A contract number: H (MA), R (regional PPO) or E (employer direct) and four digits.
CONTRACT_NUMBER = re.compile(r"^[HRE]\d{4}$")
#: An amount as the PCUG writes it: optional minus, digits, a point and two decimals,
#: right-aligned (leading blanks or zeros).
PCUG_AMOUNT = r"^\s*(-?)\s*(\d*)\.(\d{2})\s*$"
#: A factor as the PCUG writes it: digits, a point and up to four decimals.
PCUG_FACTOR = r"^\s*\d*\.\d{1,4}\s*$"
