"""X12 835 capitation: PLB adjustments stored as payer-level payments (signed as money to the
practice, for the month their reference names or the payment's), claims-only 835s refused,
claims beside capitation left out, problems at their segment and element."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.machine_file import PAYER_PAYMENT_SCHEMA, Format, MachineFile
from pmpm_desktop.io.options import DecisionKind, FileKind, ReadOptions
from pmpm_desktop.io.read_errors import FileReadError
from pmpm_desktop.io.x12.read import read_x12
from pmpm_desktop.io.x12.remittance_advice import months_named
from pmpm_desktop.io.x12.segments import Separators
from tests.unit.x12_files import Wrong
from tests.unit.x12_pay_files import Advice, Claim, remittance_advice, write_835

DATA = Path(__file__).parent.parent / "data" / "x12" / "835"

# March 2026's capitation, paid 2026-03-15 without members: CT and E3 in one PLB, then
# capitation interest, a retro-activity adjustment for February, an overpayment recovery and a
# forwarding balance. To the practice: 12,345.00 - 617.25 + 10.50 + 200.00 - 75.00 - 25.00.
CAPITATION = [
    [("CT:CAP202603", "-12345.00"), ("E3:WH202603", "617.25")],
    [("CR:CAP202603", "-10.50"), ("RA:RETRO 2026-02", "-200.00"), ("WO:RECOUP88", "75.00")],
    [("FB:FWD BAL", "25.00")],
]
TOTAL = "11838.25"


def read(path: Path) -> MachineFile:
    return read_x12(path, options=ReadOptions())


def facts(machine: MachineFile) -> dict[str, str]:
    return {f.label: f.value for f in machine.facts}


def plb_number(advice: Advice, k: int) -> int:
    """The number of the ``k``-th PLB segment in the file (ISA 1, GS 2, ST 3, body from 4)."""
    body = remittance_advice(advice)
    return [n for n, seg in enumerate(body, 4) if seg[0] == "PLB"][k]


def test_a_plb_only_835_is_stored_as_payer_level_payments(tmp_path: Path) -> None:
    advice = Advice(total=TOTAL, plbs=CAPITATION)
    machine = read(write_835(tmp_path / "cap.835", [advice]))

    assert machine.format is Format.X12
    assert machine.kind is FileKind.STATEMENT
    assert machine.standard == "X12 835 (005010X221A1)"
    assert machine.problems == []
    assert machine.parsed.frame.height == 0
    assert machine.parsed.frame.columns[:3] == ["member_id", "coverage_month", "amount_cents"]
    payments = machine.payer_payments
    assert payments is not None
    assert payments.schema == pl.Schema(PAYER_PAYMENT_SCHEMA)
    first, second, third = (plb_number(advice, k) for k in range(3))
    assert payments.rows() == [
        ("2026-03", "CT", "CAP202603", 1234500, first),
        ("2026-03", "E3", "WH202603", -61725, first),
        ("2026-03", "CR", "CAP202603", 1050, second),
        ("2026-02", "RA", "RETRO 2026-02", 20000, second),
        ("2026-03", "WO", "RECOUP88", -7500, second),
        ("2026-03", "FB", "FWD BAL", -2500, third),
    ]
    # Per month: March $11,638.25, February $200.00; together BPR02.
    by_month = dict(payments.group_by("month").agg(pl.col("amount_cents").sum()).rows())
    assert by_month == {"2026-03": 1163825, "2026-02": 20000}
    assert sum(by_month.values()) == 1183825
    assert machine.stated_total == Decimal("11838.25")
    assert machine.payment_date == dt.date(2026, 3, 15)
    assert machine.reference == "EFT0315"
    shown = facts(machine)
    assert shown["PLB CT capitation payment"] == "$12,345.00"
    assert shown["PLB E3 withholding"] == "-$617.25"
    assert shown["PLB CR capitation interest"] == "$10.50"
    assert shown["PLB RA retro-activity adjustment"] == "$200.00"
    assert shown["PLB WO overpayment recovery"] == "-$75.00"
    assert shown["PLB FB forwarding balance"] == "-$25.00"
    assert shown["Withheld by the payer (E3)"] == "$617.25"
    assert shown["Payer-level payments 2026-03"] == "$11,638.25"
    assert shown["Payer-level payments 2026-02"] == "$200.00"
    assert shown["Provider adjustments (PLB)"] == "6 adjustments in 3 PLB segments"
    assert shown["Payer (N1*PR)"] == "ACME HEALTH PLAN (payer ID ACME01)"
    assert shown["Payee (N1*PE)"] == "SUN VALLEY PRIMARY CARE (NPI 1234567890, TIN 123456789)"
    assert shown["Payment amount (BPR02)"] == "$11,838.25"
    assert (machine.interchange or "").startswith("X12 ZZ:ACMEHEALTH 000000001 #")
    assert machine.parsed.mapping == {}
    months = [d.text for d in machine.parsed.decisions if d.kind is DecisionKind.VALUE]
    assert months == [
        "4 payer-level payments take the month their reference names (CAP202603 → 2026-03, "
        "WH202603 → 2026-03, RETRO 2026-02 → 2026-02)",
        "2 payer-level payments take the payment's month (BPR16): their reference names no month",
    ]


@pytest.mark.parametrize(
    ("reference", "month"),
    [
        ("CAP202603", "2026-03"),
        ("2026-03", "2026-03"),
        ("03/2026", "2026-03"),
        ("MAR2026", "2026-03"),
        ("CAP MARCH 2026", "2026-03"),
        ("CAP20260301", "2026-03"),
        ("RA 1/2026", "2026-01"),
        ("BATCH 8841", "2026-05"),  # none named: BPR16's month
        ("ICN2026031512345", "2026-05"),  # digits of another number name no month
    ],
)
def test_the_month_comes_from_the_reference_else_bpr16(
    tmp_path: Path, reference: str, month: str
) -> None:
    advice = Advice(
        total="100.00", plbs=[[(f"CT:{reference}", "-100.00")]], paid=dt.date(2026, 5, 1)
    )
    payments = read(write_835(tmp_path / "one.835", [advice])).payer_payments

    assert payments is not None
    assert payments["month"].to_list() == [month]


def test_without_bpr16_the_fiscal_period_date_gives_the_month(tmp_path: Path) -> None:
    advice = Advice(total="100.00", plbs=[[("CT", "-100.00")]], paid=None, fiscal="20260430")
    machine = read(write_835(tmp_path / "fiscal.835", [advice]))

    assert machine.payer_payments is not None
    assert machine.payer_payments.rows() == [("2026-04", "CT", "", 10000, plb_number(advice, 0))]
    assert machine.payment_date is None


def test_a_reference_naming_two_months_takes_the_payments_month(tmp_path: Path) -> None:
    advice = Advice(total="300.00", plbs=[[("CT:CAP 202601-202603", "-300.00")]])
    machine = read(write_835(tmp_path / "quarter.835", [advice]))

    assert machine.payer_payments is not None
    assert machine.payer_payments["month"].to_list() == ["2026-03"]
    assert any(
        "names several months (2026-01, 2026-03)" in d.text for d in machine.parsed.decisions
    )


def test_a_claims_only_835_is_refused(tmp_path: Path) -> None:
    advice = Advice(total="1800.00", claims=[Claim(f"C{n:03d}") for n in range(12)])
    path = write_835(tmp_path / "claims.835", [advice])

    with pytest.raises(FileReadError) as caught:
        read(path)
    assert str(caught.value) == (
        "claims.835 holds claim payments (12 claims), not capitation: PMPM reads capitation "
        "from an 835's PLB segment (CT, CR, E3). Nothing was written"
    )


@pytest.mark.parametrize(
    ("name", "claims"),
    [
        ("pyx12-835_mult_loops.txt", "1 claim"),
        ("lfh-managed-care.835", "2 claims"),
        # claims and a PLB of capital pass-through (CV): no capitation either
        ("lfh-medicare-part-a.835", "2 claims"),
    ],
)
def test_public_claim_835s_are_refused(name: str, claims: str) -> None:
    with pytest.raises(FileReadError) as caught:
        read(DATA / name)
    assert str(caught.value).startswith(f"{name} holds claim payments ({claims}), not capitation")


def test_claims_beside_capitation_are_left_out(tmp_path: Path) -> None:
    advice = Advice(
        total="1950.00",
        claims=[Claim(f"C{n:03d}") for n in range(12)],
        plbs=[[("CT:CAP202603", "-150.00")]],
    )
    machine = read(write_835(tmp_path / "both.835", [advice]))

    assert machine.problems == []
    assert machine.parsed.frame.height == 0
    assert machine.payer_payments is not None
    assert machine.payer_payments.rows() == [
        ("2026-03", "CT", "CAP202603", 15000, plb_number(advice, 0))
    ]
    skipped = [d.text for d in machine.parsed.decisions if d.kind is DecisionKind.SKIPPED]
    assert skipped == [
        "12 claim payments (CLP, $1,800.00) are no capitation: left out; the capitation is "
        "read from the PLB"
    ]
    assert facts(machine)["Claims (CLP, left out)"] == "12 claims, paid $1,800.00"


def test_an_004010x091a1_835_reads_the_same(tmp_path: Path) -> None:
    advice = Advice(total=TOTAL, plbs=CAPITATION)
    machine = read(write_835(tmp_path / "old.835", [advice], version="004010"))

    assert machine.standard == "X12 835 (004010X091A1)"
    assert machine.payer_payments is not None
    assert machine.payer_payments["amount_cents"].sum() == 1183825


def test_bad_amounts_and_codes_are_placed_at_segment_and_element(tmp_path: Path) -> None:
    advice = Advice(
        total="100.00",
        plbs=[[("CT:CAP202603", "-12,3x"), (":NOCODE", "-5.00"), ("E3:WH", "")]],
    )
    machine = read(write_835(tmp_path / "bad.835", [advice]))

    plb = plb_number(advice, 0)
    assert [str(p) for p in machine.problems] == [
        f"segment {plb} (PLB), element 04: '-12,3x' is not an amount (expected e.g. 1234.56, "
        "$1,234.56 or (12.34))",
        f"segment {plb} (PLB), element 05: ':NOCODE': the adjustment has no reason code",
        f"segment {plb} (PLB), element 08: the adjustment E3 has no amount",
    ]


@pytest.mark.parametrize(
    ("separators", "line_breaks"),
    [
        (Separators("|", ">", "~", "^"), ""),
        (Separators("^", "\\", "\n", None), ""),
        (Separators("*", ":", "~", "^"), "\r\n"),
    ],
)
def test_any_separators_read_the_same(
    tmp_path: Path, separators: Separators, line_breaks: str
) -> None:
    path = write_835(
        tmp_path / "seps.dat",
        [Advice(total=TOTAL, plbs=CAPITATION)],
        separators=separators,
        line_breaks=line_breaks,
    )
    machine = read(path)

    assert machine.problems == []
    assert machine.payer_payments is not None
    assert machine.payer_payments.select("code", "reference", "amount_cents").rows()[:2] == [
        ("CT", "CAP202603", 1234500),
        ("E3", "WH202603", -61725),
    ]
    assert machine.stated_total == Decimal("11838.25")


def test_a_broken_envelope_names_the_segment(tmp_path: Path) -> None:
    advices = [Advice(total=TOTAL, plbs=CAPITATION)]
    path = write_835(tmp_path / "broken.835", advices, wrong=Wrong(ge_count=2))

    with pytest.raises(FileReadError, match=r"^segment \d+ \(GE\)"):
        read(path)


def test_an_835_with_nothing_to_read_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileReadError, match="holds no provider adjustments"):
        read(write_835(tmp_path / "empty.835", [Advice(total="0")]))


def test_two_835_sets_add_up(tmp_path: Path) -> None:
    march = Advice(total="100.00", plbs=[[("CT", "-100.00")]], trace="EFT1")
    april = Advice(
        total="200.00", plbs=[[("CT", "-200.00")]], trace="EFT2", paid=dt.date(2026, 4, 15)
    )
    machine = read(write_835(tmp_path / "two.835", [march, april]))

    assert machine.payer_payments is not None
    assert machine.payer_payments.select("month", "amount_cents").rows() == [
        ("2026-03", 10000),
        ("2026-04", 20000),
    ]
    assert machine.stated_total == Decimal("300.00")
    assert machine.payment_date is None
    assert machine.reference == "EFT1, EFT2"


_FORMS = ("CAP%Y%m", "%Y-%m", "%m/%Y", "%b%Y", "%B %Y", "CAP%Y%m%d", "X %Y/%m Y")


@given(
    st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)),
    st.sampled_from(_FORMS),
)
def test_a_month_written_in_any_form_is_found_in_a_reference(day: dt.date, form: str) -> None:
    assert months_named(day.strftime(form).upper()) == (Month.of(day),)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.decimals(min_value=-99999, max_value=99999, places=2, allow_nan=False),
        min_size=1,
        max_size=6,
    )
)
def test_plb_amounts_are_negated_as_money_to_the_practice(amounts: list[Decimal]) -> None:
    pairs = [(f"CT:CAP20260{k + 1}", f"{a}") for k, a in enumerate(amounts)]
    with tempfile.TemporaryDirectory() as folder:
        path = write_835(Path(folder) / "any.835", [Advice(total="0", plbs=[pairs])])
        payments = read(path).payer_payments

    assert payments is not None
    assert payments["amount_cents"].to_list() == [int(-a * 100) for a in amounts]
    assert payments["month"].to_list() == [f"2026-0{k + 1}" for k in range(len(amounts))]
