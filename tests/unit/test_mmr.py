"""The CMS MMR detail file (io/mmr.py): read as the payment detail and the roster of its
payment month, retro adjustments counted to the months they adjust."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.fields import MappingError
from pmpm_desktop.io.machine_file import Format
from pmpm_desktop.io.mmr import amount_fields, looks_like_mmr, read_mmr
from pmpm_desktop.io.mmr_layout import AMOUNTS, FIELDS, RECORD_LENGTH, line_type
from pmpm_desktop.io.options import FileKind, ReadOptions
from pmpm_desktop.io.read_errors import FileReadError
from tests.unit.mmr_files import (
    POSITIONS,
    Record,
    record_line,
    sample_records,
    statement_line,
    write_mmr,
)

OPTIONS = ReadOptions()


def _by_month(frame: pl.DataFrame) -> dict[str, int]:
    sums = frame.group_by("coverage_month").agg(pl.col("amount_cents").sum())
    return dict(sums.sort("coverage_month").iter_rows())


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    # A file named as CMS names it; nothing in the reader looks at the name.
    return write_mmr(tmp_path / "P.R1234.MONMEMD.D260320.T0101010", sample_records())


def test_layout_table_matches_the_published_positions() -> None:
    by_name = {f.name: f for f in FIELDS}
    for name, (start, length) in POSITIONS.items():
        assert (by_name[name].start, by_name[name].length) == (start, length), name
    # The fields tile the record with no gap or overlap, up to its 495th column.
    for before, after in zip(FIELDS, FIELDS[1:], strict=False):
        assert after.start == before.end + 1, after.name
    assert FIELDS[0].start == 1 and FIELDS[-1].end == RECORD_LENGTH == 495
    assert len(record_line(sample_records()[0])) == 495


def test_sample_file_reconciles_to_its_figures_month_by_month(sample: Path) -> None:
    read = read_mmr(sample, options=OPTIONS)
    assert read.problems == []
    assert read.format is Format.MMR and read.kind is FileKind.STATEMENT
    assert read.month == Month(2026, 4)
    # Retro lines count to the months they adjust (figures in mmr_files.sample_records).
    assert _by_month(read.parsed.frame) == {
        "2026-01": 86050,
        "2026-02": -3951,
        "2026-03": -3950,
        "2026-04": 375050,
    }
    assert read.parsed.frame["amount_cents"].sum() == 453199
    assert read.parsed.frame.height == 12


def test_retro_enrollment_is_a_line_for_each_month_it_pays(sample: Path) -> None:
    frame = read_mmr(sample, options=OPTIONS).parsed.frame
    brown = frame.filter(pl.col("member_id") == "2FH5UF6NL84").sort("coverage_month")
    assert brown.select("coverage_month", "amount_cents", "line_type").rows() == [
        ("2026-01", 85050, "02 Retroactive Enrollment"),
        ("2026-02", 85050, "02 Retroactive Enrollment"),
        ("2026-03", 85050, "02 Retroactive Enrollment"),
        ("2026-04", 85050, "payment"),
    ]
    assert set(brown["source_row"]) == {2, 3}
    assert set(brown["reference"]) == {"MMR H1234 2026-04"}
    assert set(brown["member_name"]) == {"BROWN, M"}


def test_retro_disenrollment_is_a_negative_line_for_each_month_it_takes_back(
    sample: Path,
) -> None:
    frame = read_mmr(sample, options=OPTIONS).parsed.frame
    chen = frame.filter(pl.col("member_id") == "3GJ6VG7PM95").sort("coverage_month")
    # -1,800.01 over two months: the odd cent goes to the earliest month.
    assert chen.select("coverage_month", "amount_cents", "line_type").rows() == [
        ("2026-02", -90001, "03 Retroactive Disenrollment"),
        ("2026-03", -90000, "03 Retroactive Disenrollment"),
    ]


def test_raf_change_adjustment_is_spread_over_the_months_it_adjusts(sample: Path) -> None:
    read = read_mmr(sample, options=OPTIONS)
    diallo = read.parsed.frame.filter(pl.col("line_type").str.starts_with("25"))
    assert diallo["amount_cents"].to_list() == [1000, 1000, 1000]
    assert set(diallo["line_type"]) == {"25 Part C Risk Adjustment Factor Change/Recon"}
    spread = [d for d in read.parsed.decisions if "spread evenly" in d.text]
    assert len(spread) == 1 and spread[0].rows == (3, 4, 6)


def test_roster_is_the_members_paid_for_the_payment_month(sample: Path) -> None:
    roster = read_mmr(sample, options=OPTIONS).roster
    assert roster is not None and roster.problems == []
    rows = {r["member_id"]: r for r in roster.frame.iter_rows(named=True)}
    # CHEN was disenrolled: payment detail only. Four members are paid for April.
    assert set(rows) == {"1EG4TE5MK73", "2FH5UF6NL84", "4HK7WH8QN06", "5JM8XJ9RP17"}
    alvarez = rows["1EG4TE5MK73"]
    assert (alvarez["last_name"], alvarez["first_name"], alvarez["sex"]) == ("ALVAREZ", "J", "M")
    assert alvarez["dob"] == dt.date(1950, 1, 1)
    assert alvarez["product"] == "H1234-001"
    assert alvarez["risk_score"] == 1_234_500  # Part C RAF 1.2345, in millionths
    assert alvarez["effective_date"] == dt.date(2026, 4, 1)
    # A retroactive enrollment starts the member's span: the roster speaks for Jan-Mar too.
    assert rows["2FH5UF6NL84"]["effective_date"] == dt.date(2026, 1, 1)
    assert rows["5JM8XJ9RP17"]["product"] == "H1234-002"
    assert rows["5JM8XJ9RP17"]["sex"] == "F"
    assert rows["4HK7WH8QN06"]["risk_score"] == 876_500


def test_facts_say_contract_month_run_date_counts_and_total(sample: Path) -> None:
    read = read_mmr(sample, options=OPTIONS)
    facts = {f.label: f.value for f in read.facts}
    assert facts == {
        "Contract": "H1234",
        "Payment month": "2026-04",
        "Run date": "2026-03-20",
        "Records": "7",
        "Members": "4",
        "Adjustment records": "3",
        "Total payment (Total MA Payment Amount)": "$4,531.99",
    }
    assert read.interchange == "MMR H1234 2026-04 run 2026-03-20"


def test_products_resolve_against_the_payers_contract_codes(sample: Path) -> None:
    options = ReadOptions(products=("H1234-001", "H1234-002"))
    roster = read_mmr(sample, options=options).roster
    assert roster is not None
    assert sorted(set(roster.frame["product"])) == ["H1234-001", "H1234-002"]


def test_amount_may_be_another_pcug_field_or_a_sum_of_them(tmp_path: Path) -> None:
    records = [
        Record("1EG4TE5MK73", "ALVAREZ", "20260401", "20260430", "1000.00", part_d="55.25"),
        Record(
            "1EG4TE5MK73",
            "ALVAREZ",
            "20260101",
            "20260228",
            "-300.00",
            arc="03",
            months=2,
            part_d="-20.00",
        ),
    ]
    path = write_mmr(tmp_path / "mmr.txt", records)
    part_d = read_mmr(path, options=OPTIONS, mapping={"amount": "total part d payment"})
    assert _by_month(part_d.parsed.frame) == {"2026-01": -1000, "2026-02": -1000, "2026-04": 5525}
    both = read_mmr(
        path, options=OPTIONS, mapping={"amount": "Total MA Payment Amount + Total Part D Payment"}
    )
    assert _by_month(both.parsed.frame) == {
        "2026-01": -16000,
        "2026-02": -16000,
        "2026-04": 105525,
    }
    facts = {f.label: f.value for f in both.facts}
    assert facts["Total payment (Total MA Payment Amount + Total Part D Payment)"] == "$735.25"


def test_an_amount_field_must_be_one_the_record_has() -> None:
    with pytest.raises(MappingError, match="'Paid' is no amount field of the MMR"):
        amount_fields({"amount": "Paid"})
    with pytest.raises(MappingError, match="is a monthly rate of the MMR, not an amount paid"):
        amount_fields({"amount": "Part A Risk Adjusted Monthly Rate Amount for Pymt/Adj"})
    assert "Total MA Payment Amount" in AMOUNTS and "Total Part D Payment" in AMOUNTS
    assert "Risk Adjuster Factor A" not in AMOUNTS and "ESRD MSP Flag" not in AMOUNTS


def test_line_types_name_the_adjustment_reason() -> None:
    assert line_type("") == "payment" and line_type("00") == "payment"
    assert line_type("02") == "02 Retroactive Enrollment"
    assert line_type("26") == "26 Mid-year Part C Risk Adjustment Factor Change"
    assert line_type("77") == "77 adjustment (reason code not in the PCUG list)"


def test_bad_dates_are_problems_of_their_lines(tmp_path: Path) -> None:
    good = sample_records()[0]
    lines = [
        record_line(good),
        record_line(good, {"Paymt/Adjustmt Start Date": "20261340"}),
        record_line(
            Record("2FH5UF6NL84", "BROWN", "20260401", "20260430", "10.00"),
            {"Date of Birth": "19501232"},
        ),
    ]
    path = write_mmr(tmp_path / "mmr.txt", lines)
    assert looks_like_mmr(path.read_bytes())  # a bad date is the record's, still an MMR
    read = read_mmr(path, options=OPTIONS)
    problems = [str(p) for p in read.problems]
    assert problems == [
        "row 2, column 'Paymt/Adjustmt Start Date', value '20261340': not a date (expected e.g. "
        "2026-01-31 or 01/31/2026): there is no month 13",
        "row 3, column 'Date of Birth', value '19501232': not a date (expected e.g. 2026-01-31 "
        "or 01/31/2026): 1950-12 has no day 32",
    ]
    assert [p.row for p in read.problems] == [2, 3]
    assert 2 not in read.parsed.frame["source_row"].to_list()


def test_a_month_count_that_disagrees_with_the_dates_is_a_problem(tmp_path: Path) -> None:
    record = Record("3GJ6VG7PM95", "CHEN", "20260101", "20260331", "-900.00", arc="03", months=2)
    read = read_mmr(write_mmr(tmp_path / "mmr.txt", [record]), options=OPTIONS)
    assert [str(p) for p in read.problems] == [
        "row 1, column 'Number of Paymt/Adjustmt Months Part A', value '2': the record covers "
        "2026-01 to 2026-03 (3 months) but its Number of Paymt/Adjustmt Months Part A and Number "
        "of Paymt/Adjustmt Months Part B say 2: the amount of each month is not known"
    ]
    assert read.parsed.frame.height == 0


def test_a_retro_disenrollment_that_pays_is_a_problem(tmp_path: Path) -> None:
    record = Record("3GJ6VG7PM95", "CHEN", "20260101", "20260131", "900.00", arc="03")
    read = read_mmr(write_mmr(tmp_path / "mmr.txt", [record]), options=OPTIONS)
    assert len(read.problems) == 1
    assert "takes money back, but the record's amount is positive" in str(read.problems[0])


def test_an_amount_without_its_point_is_refused_not_scaled(tmp_path: Path) -> None:
    line = record_line(sample_records()[0], {"Total MA Payment Amount": "00000100000"})
    read = read_mmr(write_mmr(tmp_path / "mmr.txt", [line]), options=OPTIONS)
    assert [str(p) for p in read.problems] == [
        "row 1, column 'Total MA Payment Amount', value '00000100000': not an amount as the MMR "
        "writes it (a minus sign for a negative, digits, a point and two decimals)"
    ]


def test_a_factor_without_its_point_is_a_roster_problem(tmp_path: Path) -> None:
    line = record_line(sample_records()[0], {"Risk Adjuster Factor A": "0012345"})
    read = read_mmr(write_mmr(tmp_path / "mmr.txt", [line]), options=OPTIONS)
    assert read.roster is not None and read.roster.frame.height == 0
    assert [p.column for p in read.roster.problems] == ["Risk Adjuster Factor A"]
    assert read.parsed.problems == []  # the payment itself is fine


def test_a_short_line_names_its_line_and_the_columns(tmp_path: Path) -> None:
    lines = [record_line(r) for r in sample_records()[:2]]
    lines.append(lines[0][:200])
    with pytest.raises(FileReadError) as caught:
        read_mmr(write_mmr(tmp_path / "mmr.txt", lines), options=OPTIONS)
    assert str(caught.value) == (
        "line 3 is 200 characters long; the MMR detail record is 495 (Total MA Payment Amount "
        "is at columns 299–309)"
    )


def test_trailing_blanks_trimmed_and_crlf_read_the_same(tmp_path: Path) -> None:
    path = write_mmr(tmp_path / "mmr.txt", sample_records(), newline="\r\n", trim=True)
    read = read_mmr(path, options=OPTIONS)
    assert read.problems == []
    assert read.parsed.frame["amount_cents"].sum() == 453199
    assert any("trailing blanks trimmed" in d.text for d in read.parsed.decisions)


def test_a_line_that_is_no_detail_record_stops_the_read(tmp_path: Path) -> None:
    lines = [record_line(sample_records()[0]), "X9999" + record_line(sample_records()[0])[5:]]
    with pytest.raises(FileReadError) as caught:
        read_mmr(write_mmr(tmp_path / "mmr.txt", lines), options=OPTIONS)
    assert str(caught.value) == (
        "line 2 is not an MMR detail record: columns 1–5 (MCO Contract Number) hold 'X9999', "
        "not a contract number"
    )


def test_records_of_two_payment_months_are_a_file_problem(tmp_path: Path) -> None:
    march = Record("1EG4TE5MK73", "ALVAREZ", "20260301", "20260331", "1.00", payment_date="202603")
    read = read_mmr(write_mmr(tmp_path / "m.txt", [*sample_records(), march]), options=OPTIONS)
    assert read.file_problems == (
        "the records name 2 payment months (2026-03 and 2026-04): an MMR is the file of one "
        "payment month",
    )
    assert read.month == Month(2026, 4)


def test_an_empty_file_is_not_an_mmr(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("\n\n")
    with pytest.raises(FileReadError, match="has no MMR detail records"):
        read_mmr(path, options=OPTIONS)


def test_looks_like_mmr_from_the_records_not_the_name(sample: Path, tmp_path: Path) -> None:
    data = sample.read_bytes()
    assert looks_like_mmr(data)
    assert looks_like_mmr(data[:4096])  # a head that cuts the ninth record
    assert looks_like_mmr(data[:300])  # one record, cut: judged on its first columns
    csv = tmp_path / "roster.csv"
    csv.write_text("Member ID,Name,DOB\n1EG4TE5MK73,ALVAREZ,1950-01-01\n")
    assert not looks_like_mmr(csv.read_bytes())
    fixed = "\n".join(statement_line("A1", "202601", "10.00") for _ in range(5)) + "\n"
    assert not looks_like_mmr(fixed.encode())
    assert not looks_like_mmr(b"ISA*00*          *00*          *ZZ*SENDER~")
    assert not looks_like_mmr(data.replace(b"H1234", b"X1234"))
    assert not looks_like_mmr(b"")


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cents=st.integers(min_value=-99_999_999, max_value=99_999_999),
    months=st.integers(min_value=1, max_value=24),
)
def test_a_record_spread_over_its_months_sums_to_its_amount(
    tmp_path: Path, cents: int, months: int
) -> None:
    start = Month(2024, 1)
    end = start + (months - 1)
    total = Decimal(cents).scaleb(-2)
    arc = "03" if cents < 0 else "02"
    record = Record(
        "1EG4TE5MK73",
        "ALVAREZ",
        start.first_day.strftime("%Y%m%d"),
        end.last_day.strftime("%Y%m%d"),
        str(total),
        arc=arc,
        months=months,
    )
    read = read_mmr(write_mmr(tmp_path / "mmr.txt", [record]), options=OPTIONS)
    frame = read.parsed.frame.sort("coverage_month")
    assert read.problems == []
    assert frame["coverage_month"].to_list() == [str(start + k) for k in range(months)]
    shares = frame["amount_cents"].to_list()
    assert sum(shares) == cents
    assert max(shares) - min(shares) <= 1
    assert shares == sorted(shares, key=abs, reverse=True)  # leftover cents go first
