"""The kind of a payer file from its columns and its name (io/kinds.py)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.kinds import WrongKind, assess_kind, check_kind, kind_from_name, propose_kind
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.io.remittance_file import read_remittance
from pmpm_desktop.io.roster_file import read_roster

ROSTER = ["Member ID", "Member Name", "DOB", "Gender", "Product", "Rate Cell", "PCP", "Eff Date"]
STATEMENT = ["Member ID", "Member Name", "Coverage Month", "Paid Amount", "Line Type"]
RATES = [
    "Effective From",
    "Effective To",
    "Component",
    "Rate Cell",
    "Sex",
    "Age Min",
    "Age Max",
    "PMPM",
]


@pytest.mark.parametrize(
    ("headers", "kind"),
    [(ROSTER, FileKind.ROSTER), (STATEMENT, FileKind.STATEMENT), (RATES, FileKind.RATES)],
)
def test_each_kind_reads_as_itself(headers: list[str], kind: FileKind) -> None:
    verdict = assess_kind(headers)
    assert verdict.kind is kind
    for asked in FileKind:
        assert verdict.looks_like(asked) == (None if asked is kind else kind)


def test_a_statement_given_as_a_roster_is_refused_with_the_reason() -> None:
    with pytest.raises(WrongKind) as refused:
        check_kind("SUN statement 2026-06.xlsx", FileKind.ROSTER, STATEMENT)
    text = str(refused.value)
    assert refused.value.kind is FileKind.STATEMENT
    assert "this looks like a payment statement" in text
    assert "coverage months" in text and "paid amounts" in text
    assert "no eligibility or demographic columns" in text
    assert "Nothing was written" in text


def test_a_roster_with_a_cap_amount_is_still_a_roster() -> None:
    headers = ["Member ID", "Member Name", "DOB", "Sex", "Eff Date", "Term Date", "Cap Amount"]
    assert check_kind("r.xlsx", FileKind.ROSTER, headers).kind is FileKind.ROSTER


def test_a_minimal_roster_of_ids_and_names_is_not_refused_as_anything() -> None:
    verdict = check_kind("r.csv", FileKind.ROSTER, ["Member ID", "Member Name"])
    assert all(verdict.looks_like(k) is None for k in FileKind)


def test_a_member_id_column_named_by_the_user_is_a_member_id() -> None:
    headers = ["Zq Key", "Gender", "Eff Date"]
    assert check_kind("r.xlsx", FileKind.ROSTER, headers, member_ids=True).has_member_ids


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("SUN roster 2026-06.xlsx", FileKind.ROSTER),
        ("SUN_ELIG_DETAIL_FEB2026.xlsx", FileKind.ROSTER),
        ("SUN statement 2026-06.xlsx", FileKind.STATEMENT),
        ("BAY_REMIT_ADVICE_FEB2026.xlsx", FileKind.STATEMENT),
        ("SUN capitation roster.xlsx", FileKind.ROSTER),
        ("Exhibit B - Capitation Rates 2026.xlsx", FileKind.RATES),
        ("HCA rates Exchange.xlsx", FileKind.RATES),
        ("export.xlsx", None),
    ],
)
def test_the_kind_a_name_says(name: str, kind: FileKind | None) -> None:
    assert kind_from_name(name) == kind


def _book(path: Path, headers: list[str], rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Sunrise Health Plan"])
    ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_the_proposal_says_when_name_and_columns_disagree(tmp_path: Path) -> None:
    statement = _book(
        tmp_path / "SUN roster 2026-06.xlsx",
        STATEMENT,
        [["000123456", "SMITH, ANA", "2026-06", 165.0, "CAP"]],
    )
    proposal = propose_kind(statement)
    assert proposal.kind is FileKind.STATEMENT and proposal.disagree
    assert "says a roster, but its columns say a payment statement" in proposal.sentence
    plain = _book(tmp_path / "export.xlsx", ["Member ID", "Member Name"], [["000123456", "A, B"]])
    unsure = propose_kind(plain)
    assert unsure.from_content is None and unsure.kind is None


def test_readers_refuse_the_other_kinds(tmp_path: Path) -> None:
    statement = _book(
        tmp_path / "s.xlsx", STATEMENT, [["000123456", "SMITH, ANA", "2026-06", 165.0, "CAP"]]
    )
    rates = _book(
        tmp_path / "rates.xlsx", RATES, [["2026-01", None, "Capitation", "TANF", None, 0, 1, 210]]
    )
    with pytest.raises(WrongKind, match="looks like a payment statement"):
        read_roster(statement, roster_month=Month(2026, 6))
    with pytest.raises(WrongKind, match="looks like a rate exhibit"):
        read_remittance(rates)
    with pytest.raises(WrongKind, match="looks like a rate exhibit"):
        read_roster(rates, roster_month=Month(2026, 6))


def test_a_one_row_roster_with_an_unnamed_id_column_is_no_rate_exhibit(tmp_path: Path) -> None:
    headers = ["Record Key", "Last Name", "Sex", "Eff Date", "Term Date"]
    path = _book(tmp_path / "odd.xlsx", headers, [["000000001", "ALPHA", "F", "01/01/2026", None]])
    assert propose_kind(path).kind is not FileKind.RATES
    assert check_kind("odd.xlsx", FileKind.ROSTER, headers).looks_like(FileKind.ROSTER) is None
