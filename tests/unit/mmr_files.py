"""Writers of real CMS MMR detail files (MARx Monthly Membership Report data file) and of
fixed-width rosters and statements, for tests.

The MMR positions here are typed in from the published record table (PCUG Appendix F, as
the public importer stephenmccready/CMS_MONMEMD reads it), independently of
``pmpm_desktop.io.mmr_layout``: a test compares the two tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

RECORD_LENGTH = 495

#: (start, length) of the fields these files fill in, from the PCUG table.
POSITIONS: dict[str, tuple[int, int]] = {
    "MCO Contract Number": (1, 5),
    "Run Date of the File": (6, 8),
    "Payment Date": (14, 6),
    "Beneficiary ID (MBI or HICN)": (20, 12),
    "Surname": (32, 7),
    "First Initial": (39, 1),
    "Sex": (40, 1),
    "Date of Birth": (41, 8),
    "Age Group": (49, 4),
    "State & County Code": (53, 5),
    "Part A Entitlement": (59, 1),
    "Part B Entitlement": (60, 1),
    "Hospice": (61, 1),
    "ESRD": (62, 1),
    "Medicaid Indicator": (68, 1),
    "Risk Adjuster Factor A": (72, 7),
    "Risk Adjuster Factor B": (79, 7),
    "Number of Paymt/Adjustmt Months Part A": (86, 2),
    "Number of Paymt/Adjustmt Months Part B": (88, 2),
    "Adjustment Reason Code": (90, 2),
    "Paymt/Adjustmt Start Date": (92, 8),
    "Paymt/Adjustmt End Date": (100, 8),
    "Plan Benefit Package Id": (185, 3),
    "RA Factor Type Code": (189, 2),
    "Segment ID": (194, 3),
    "Total Part A MA Payment": (279, 10),
    "Total Part B MA Payment": (289, 10),
    "Total MA Payment Amount": (299, 11),
    "Part D RA Factor": (310, 7),
    "Total Part D Payment": (379, 11),
    "Number of Paymt/Adjustmt Months Part D": (390, 2),
    "Part A Risk Adjusted Monthly Rate Amount for Pymt/Adj": (459, 9),
    "Part B Risk Adjusted Monthly Rate Amount for Pymt/Adj": (468, 9),
    "Cleanup ID": (486, 10),
}


def money(value: str | Decimal, width: int) -> str:
    """An amount as the MMR writes it: sign, zero-filled digits, a point, two decimals."""
    return f"{Decimal(value):0{width}.2f}"


def factor(value: str | Decimal) -> str:
    return f"{Decimal(value):07.4f}"


@dataclass
class Record:
    """One detail record; ``total`` is the Total MA Payment Amount of the whole period."""

    mbi: str
    surname: str
    start: str
    end: str
    total: str
    initial: str = "J"
    sex: str = "M"
    dob: str = "19500101"
    arc: str = ""
    months: int = 1
    raf: str = "1.0000"
    pbp: str = "001"
    contract: str = "H1234"
    run_date: str = "20260320"
    payment_date: str = "202604"
    part_d: str | None = None
    monthly_rate: str | None = None

    def values(self) -> dict[str, str]:
        total = Decimal(self.total)
        part_a = (total * Decimal("0.45")).quantize(Decimal("0.01"))
        out = {
            "MCO Contract Number": self.contract,
            "Run Date of the File": self.run_date,
            "Payment Date": self.payment_date,
            "Beneficiary ID (MBI or HICN)": self.mbi,
            "Surname": self.surname[:7],
            "First Initial": self.initial,
            "Sex": self.sex,
            "Date of Birth": self.dob,
            "Age Group": "7074",
            "State & County Code": "05200",
            "Part A Entitlement": "Y",
            "Part B Entitlement": "Y",
            "Hospice": " ",
            "ESRD": " ",
            "Medicaid Indicator": "N",
            "Risk Adjuster Factor A": factor(self.raf),
            "Risk Adjuster Factor B": factor(self.raf),
            "Number of Paymt/Adjustmt Months Part A": f"{self.months:02d}",
            "Number of Paymt/Adjustmt Months Part B": f"{self.months:02d}",
            "Adjustment Reason Code": self.arc,
            "Paymt/Adjustmt Start Date": self.start,
            "Paymt/Adjustmt End Date": self.end,
            "Plan Benefit Package Id": self.pbp,
            "RA Factor Type Code": "CN",
            "Segment ID": "000",
            "Total Part A MA Payment": money(part_a, 10),
            "Total Part B MA Payment": money(total - part_a, 10),
            "Total MA Payment Amount": money(total, 11),
        }
        if self.part_d is not None:
            out["Part D RA Factor"] = factor("0.9000")
            out["Total Part D Payment"] = money(self.part_d, 11)
            out["Number of Paymt/Adjustmt Months Part D"] = f"{self.months:02d}"
        if self.monthly_rate is not None:
            rate = Decimal(self.monthly_rate)
            out["Part A Risk Adjusted Monthly Rate Amount for Pymt/Adj"] = money(rate / 2, 9)
            out["Part B Risk Adjusted Monthly Rate Amount for Pymt/Adj"] = money(rate / 2, 9)
        return out


def record_line(record: Record, overrides: dict[str, str] | None = None) -> str:
    """The record as one 495-character line (``overrides`` writes raw text into fields)."""
    line = [" "] * RECORD_LENGTH
    for name, value in {**record.values(), **(overrides or {})}.items():
        start, length = POSITIONS[name]
        if len(value) > length:
            raise ValueError(f"{name}: {value!r} is longer than {length}")
        text = value.ljust(length)
        line[start - 1 : start - 1 + length] = list(text)
    return "".join(line)


def write_mmr(
    path: Path,
    records: Sequence[Record | str],
    *,
    newline: str = "\n",
    trim: bool = False,
) -> Path:
    """An MMR detail file of ``records`` (a str is written as the line itself); ``trim``
    drops trailing blanks, as some transfers do."""
    lines = [r if isinstance(r, str) else record_line(r) for r in records]
    if trim:
        lines = [line.rstrip() for line in lines]
    path.write_bytes((newline.join(lines) + newline).encode("ascii"))
    return path


# --- the sample month: payment month 2026-04 of contract H1234 ------------------------------

APRIL = "202604"


def sample_records() -> list[Record]:
    """Eight records of four members paid for April and one disenrolled retroactively.

    Lines per coverage month (Total MA Payment Amount, spread over each record's months):
    2026-01 860.50 (B retro enrollment 850.50, D RAF change 10.00);
    2026-02 -39.51 (B 850.50, C retro disenrollment -900.01, D 10.00);
    2026-03 -39.50 (B 850.50, C -900.00, D 10.00);
    2026-04 3,750.50 (A 1,000.00, B 850.50, D 700.00, E 1,200.00).
    Total 4,531.99; members paid for April: A, B, D, E.
    """
    return [
        Record("1EG4TE5MK73", "ALVAREZ", "20260401", "20260430", "1000.00", raf="1.2345"),
        Record("2FH5UF6NL84", "BROWN", "20260401", "20260430", "850.50", initial="M", sex="F"),
        Record(
            "2FH5UF6NL84",
            "BROWN",
            "20260101",
            "20260331",
            "2551.50",
            initial="M",
            sex="F",
            arc="02",
            months=3,
            monthly_rate="850.50",
        ),
        Record(
            "3GJ6VG7PM95",
            "CHEN",
            "20260201",
            "20260331",
            "-1800.01",
            arc="03",
            months=2,
            dob="19480315",
        ),
        Record("4HK7WH8QN06", "DIALLO", "20260401", "20260430", "700.00", raf="0.8765"),
        Record(
            "4HK7WH8QN06",
            "DIALLO",
            "20260101",
            "20260331",
            "30.00",
            arc="25",
            months=3,
            raf="0.8765",
        ),
        Record(
            "5JM8XJ9RP17",
            "EVANS",
            "20260401",
            "20260430",
            "1200.00",
            initial="K",
            sex="F",
            pbp="002",
            dob="19451231",
        ),
    ]


# --- fixed-width files with saved layouts -----------------------------------------------------

ROSTER_LAYOUT = {
    "kind": "roster",
    "fields": {
        "member_id": {"start": 2, "length": 10},
        "last_name": {"start": 12, "length": 12},
        "first_name": {"start": 24, "length": 10},
        "dob": {"start": 34, "length": 8},
        "sex": {"start": 42, "length": 1},
        "product": {"start": 43, "length": 6},
        "effective_date": {"start": 49, "length": 8},
    },
    "record_prefix": "D",
    "skip_lines": 1,
}


def fixed(values: Sequence[tuple[str, int]]) -> str:
    """A line of ``values``, each left-aligned in its width."""
    return "".join(text.ljust(width)[:width] for text, width in values)


def roster_line(member: str, last: str, first: str, dob: str, sex: str, product: str) -> str:
    return "D" + fixed(
        [(member, 10), (last, 12), (first, 10), (dob, 8), (sex, 1), (product, 6), ("20260101", 8)]
    )


def write_fixed_roster(path: Path, lines: Sequence[str], encoding: str = "ascii") -> Path:
    """A fixed-width roster: a header record, the member lines, a trailer record."""
    body = ["HDR ACME HEALTH PLAN  ROSTER 202601", *lines, f"TRL {len(lines):06d}"]
    path.write_bytes(("\r\n".join(body) + "\r\n").encode(encoding))
    return path


STATEMENT_LAYOUT = {
    "kind": "statement",
    "fields": {
        "member_id": {"start": 1, "length": 9},
        "coverage_month": {"start": 11, "length": 6},
        "amount": {"start": 18, "length": 10},
        "line_type": {"start": 29, "length": 12},
    },
}


def statement_line(member: str, month: str, amount: str, line_type: str = "CAPITATION") -> str:
    return fixed([(member, 10), (month, 7), (amount.rjust(10), 11), (line_type, 12)])
