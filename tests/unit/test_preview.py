"""The preview API (nothing written, what it shows is what the import stores) and the exported
problem list (``--errors-out``, CSV and .xlsx)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.io.parsed import RowProblem
from pmpm_desktop.io.problems_export import write_problems
from pmpm_desktop.services import importing, payers
from pmpm_desktop.services.preview import preview
from tests.unit.files import REMIT_HEADERS, ROSTER_HEADERS, csv_file, xlsx

JAN = Month(2026, 1)
HEADERS = [*ROSTER_HEADERS, "Risk Score", "Zq Key"]
ROWS = [
    ["000000001", "ALPHA", "ANN", dt.date(1990, 5, 10), "F", "MCD", "TANF", None, None, 1.234, "A"],
    ["000000002", "BRAVO", "BEN", dt.date(2024, 1, 15), "M", "MCD", "TANF", None, None, 0.9, "B"],
]


def _counts(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}


@pytest.fixture
def sun(db: Database) -> Database:
    payers.add_payer(db, "SUN", "Sunrise", id_width=9)
    return db


def test_preview_shows_mapping_sources_rows_and_writes_nothing(
    sun: Database, db_path: Path, tmp_path: Path
) -> None:
    # A first import saves a profile that maps Zq Key (no synonym) as the PCP.
    first = xlsx(tmp_path / "jan.xlsx", HEADERS, ROWS, title="Sunrise roster")
    importing.import_roster(sun, "SUN", JAN, first, mapping={"pcp": "Zq Key"})
    before = _counts(db_path)

    feb = xlsx(tmp_path / "feb.xlsx", HEADERS, ROWS[::-1], title="Sunrise roster")
    p = preview(sun, "sun", "roster", feb, roster_month=Month(2026, 2), mapping={"sex": "Sex"})
    assert _counts(db_path) == before
    assert p.importable and p.error is None and p.already_imported is None
    assert p.profile == "SUN roster layout"
    assert p.sheets == ("Sheet",) and p.sheet == "Sheet" and p.header_row == 3
    assert p.headers == tuple(HEADERS)
    sources = {m.field: (m.column, m.source) for m in p.mapping}
    assert sources["pcp"] == ("Zq Key", "profile")
    assert sources["sex"] == ("Sex", "override")
    assert sources["member_id"] == ("Member ID", "profile")
    assert "full_name" in p.unmapped
    assert p.row_count == 2 and p.problems == () and len(p.sha256) == 64
    assert p.columns[:2] == ("row", "member_id")
    first_row = dict(zip(p.columns, p.rows[0], strict=True))
    assert first_row["row"] == 4 and first_row["member_id"] == "000000002"
    assert first_row["dob"] == dt.date(2024, 1, 15)
    assert first_row["risk_score"] == Decimal("0.9")
    assert first_row["pcp"] == "B"

    # Without the profile, the same file's PCP is not found: detection alone.
    bare = preview(sun, "SUN", "roster", feb, roster_month=Month(2026, 2), use_profile=False)
    assert bare.profile is None and "pcp" in bare.unmapped
    assert {m.source for m in bare.mapping} == {"detected"}

    # Commit = the ordinary import with what the preview chose: it stores what was shown.
    result = importing.import_roster(
        sun, "SUN", Month(2026, 2), feb, mapping=p.mapping_dict(), sheet=p.sheet,
        header_row=p.header_row,
    )  # fmt: skip
    assert result.rows == p.row_count
    with sqlite3.connect(db_path) as conn:
        stored = conn.execute(
            "SELECT r.source_row, m.member_id, r.pcp, r.risk_score FROM roster_rows r "
            "JOIN members m ON m.id = r.member_pk WHERE r.import_id = ? ORDER BY r.source_row",
            (result.import_id,),
        ).fetchall()
    index = {c: i for i, c in enumerate(p.columns)}
    shown = [
        (r[index["row"]], r[index["member_id"]], r[index["pcp"]], r[index["risk_score"]])
        for r in p.rows
    ]
    assert [(a, b, c, Decimal(str(d))) for a, b, c, d in stored] == shown

    again = preview(sun, "SUN", "roster", feb, roster_month=Month(2026, 2))
    assert again.already_imported is not None and again.already_imported[0] == "feb.xlsx"
    assert not again.importable


def test_preview_lists_every_problem_and_is_not_importable(
    sun: Database, db_path: Path, tmp_path: Path
) -> None:
    before = _counts(db_path)
    bad = [
        ["000000001", "ALPHA", "ANN", "31/31/1990", "F", "MCD", "TANF", None, None, "x", "A"],
        ["000000002", "BRAVO", "BEN", dt.date(2024, 1, 15), "Q", "MCD", "TANF", None, None, 1, ""],
        ["000000003", "C" * 120, "CY", dt.date(2020, 1, 1), "M", "MCD", "TANF", None, None, 1, ""],
        ["000000004", "DELTA", "DEE", dt.date(2020, 1, 1), "M", "MCD", "TANF", None, None, 1, ""],
    ]
    p = preview(sun, "SUN", "roster", xlsx(tmp_path / "bad.xlsx", HEADERS, bad), roster_month=JAN)
    assert _counts(db_path) == before
    assert not p.importable
    got = {(x.row, x.column, x.value) for x in p.problems}
    assert got == {
        (2, "DOB", "31/31/1990"),
        (2, "Risk Score", "x"),
        (3, "Sex", "Q"),
        (4, "Last Name", "C" * 30 + "…"),
    }
    assert all(x.reason for x in p.problems)
    assert "longer than 100" in next(x.reason for x in p.problems if x.row == 4)
    assert [r[0] for r in p.rows] == [5] and p.row_count == 1  # only the good row shows


def test_preview_of_a_file_without_a_member_id_column_gives_its_header(
    sun: Database, tmp_path: Path
) -> None:
    path = csv_file(
        tmp_path / "x.csv", ["Zq Key", "Coverage Month", "Paid Amount"], [["1", "2026-01", "5"]]
    )
    p = preview(sun, "SUN", "remittance", path)
    assert p.error is not None and "member_id" in p.error
    assert p.headers == ("Zq Key", "Coverage Month", "Paid Amount") and p.header_row == 1
    assert not p.importable and p.sheets == ()
    fixed = preview(sun, "SUN", "remittance", path, mapping={"member_id": "Zq Key"})
    assert fixed.importable and fixed.rows[0][1:4] == ("000000001", "2026-01", Decimal("5.00"))


def test_rate_overlaps_are_whole_file_problems(sun: Database, tmp_path: Path) -> None:
    from tests.unit.files import RATE_HEADERS

    rows = [
        ["2026-01", None, "Capitation", "TANF", None, 0, 20, 95.00],
        ["2026-01", None, "Capitation", "TANF", None, 10, 30, 90.00],
    ]
    p = preview(sun, "SUN", "rates", xlsx(tmp_path / "r.xlsx", RATE_HEADERS, rows))
    assert p.problems == () and len(p.file_problems) == 1 and "overlaps" in p.file_problems[0]
    assert not p.importable and p.already_imported is None


# --- --errors-out ------------------------------------------------------------------------


@pytest.fixture
def cli_sun(cli):  # type: ignore[no-untyped-def]
    assert cli("payer", "add", "--code", "SUN", "--name", "Sunrise", "--id-width", "9").code == 0
    return cli


BAD_ROWS = [
    ["000000001", "ALPHA", "ANN", "=1+2", "F", "MCD", "TANF", "", ""],
    ["000000002", "MUÑOZ", "JOSÉ", "01/15/2024", "Mâle", "MCD", "TANF", "", ""],
    ["000000003", "OK", "OK", "01/15/2024", "M", "MCD", "TANF", "", ""],
]


def test_errors_out_csv(cli_sun, tmp_path: Path, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = _counts(db_path)
    out = tmp_path / "problems.csv"
    bad = csv_file(tmp_path / "bad.csv", ROSTER_HEADERS, BAD_ROWS)
    r = cli_sun(
        "roster", "import", "--payer", "SUN", "--month", "2026-01", "--errors-out", out, bad
    )
    assert r.code == 3
    assert f"listed in {out}" in r.err and "2 problem(s)" in r.err
    assert _counts(db_path) == before
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["row", "column", "value", "reason"]
    assert [r[:3] for r in rows[1:]] == [["2", "DOB", "'=1+2"], ["3", "Sex", "Mâle"]]
    assert all(r[3] for r in rows[1:])


def test_errors_out_xlsx_keeps_values_as_text(cli_sun, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "problems.xlsx"
    bad = csv_file(tmp_path / "bad.csv", ROSTER_HEADERS, BAD_ROWS)
    r = cli_sun(
        "roster", "import", "--payer", "SUN", "--month", "2026-01", "--errors-out", out, bad
    )
    assert r.code == 3 and str(out) in r.err
    ws = openpyxl.load_workbook(out).active
    assert ws is not None
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == ["row", "column", "value", "reason"]
    assert [v[:3] for v in values[1:]] == [[2, "DOB", "=1+2"], [3, "Sex", "Mâle"]]
    assert ws["C2"].data_type == "s"  # text, not a formula


def test_errors_out_for_remittance_and_rates_and_bad_suffix(cli_sun, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "remit.csv"
    long_line = xlsx(tmp_path / "long.xlsx", REMIT_HEADERS, [["1", "2026-01", 1.0, "x" * 120]])
    r = cli_sun("remit", "import", "--payer", "SUN", "--errors-out", out, long_line)
    assert r.code == 3 and "listed in" in r.err
    rows = list(csv.reader(out.read_text("utf-8-sig").splitlines()))
    assert rows[1][:2] == ["2", "Line Type"] and "longer than 100" in rows[1][3]

    assert cli_sun("contract", "add", "--payer", "SUN", "--name", "HMO", "--from",
                   "2026-01").code == 0  # fmt: skip
    from tests.unit.files import RATE_HEADERS

    overlapping = xlsx(
        tmp_path / "rates.xlsx",
        RATE_HEADERS,
        [
            ["2026-01", None, "Cap", "T", None, 0, 20, 1.0],
            ["2026-01", None, "Cap", "T", None, 5, 9, 2],
        ],
    )
    out = tmp_path / "rates.xlsx.csv"
    r = cli_sun("rates", "import", "--payer", "SUN", "--contract", "HMO", "--errors-out", out,
                overlapping)  # fmt: skip
    assert r.code == 3 and "listed in" in r.err
    rows = list(csv.reader(out.read_text("utf-8-sig").splitlines()))
    assert rows[1][0] == "" and "overlaps" in rows[1][3]

    r = cli_sun("remit", "import", "--payer", "SUN", "--errors-out", tmp_path / "p.txt", long_line)
    assert r.code == 2 and ".csv or .xlsx" in r.err
    # A file refused as a whole (not for its rows) writes no list.
    missing = tmp_path / "none.csv"
    r = cli_sun("remit", "import", "--payer", "SUN", "--errors-out", missing,
                csv_file(tmp_path / "e.csv", ["a", "b"], [["1", "2"]]))  # fmt: skip
    assert r.code == 3 and not missing.exists()


def test_export_neutralises_formulas_in_csv_but_keeps_numbers(tmp_path: Path) -> None:
    problems = [
        RowProblem(2, "Amount", "-12.34", "r"),
        RowProblem(3, "=Col", "@SUM(A1)", "+x"),
        RowProblem(4, "Name", "-cmd", "ok"),
        "a whole-file problem",
    ]
    rows = list(csv.reader(write_problems(tmp_path / "p.csv", problems).read_text("utf-8-sig")
                           .splitlines()))  # fmt: skip
    assert rows[1:] == [
        ["2", "Amount", "-12.34", "r"],
        ["3", "'=Col", "'@SUM(A1)", "'+x"],
        ["4", "Name", "'-cmd", "ok"],
        ["", "", "", "a whole-file problem"],
    ]
    ws = openpyxl.load_workbook(write_problems(tmp_path / "p.xlsx", problems)).active
    assert ws is not None
    assert [c.value for c in ws[3]] == [3, "=Col", "@SUM(A1)", "+x"]
    assert all(c.data_type == "s" for c in ws[3][1:])
    with pytest.raises(ValueError, match=".csv or .xlsx"):
        write_problems(tmp_path / "p.json", problems)
