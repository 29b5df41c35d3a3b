"""The `pmpm` command line end to end, on real .xlsx and CSV files the tests write."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from tests.unit.files import (
    B_MAY,
    REMIT_HEADERS,
    ROSTER_HEADERS,
    A,
    B,
    csv_file,
    worked_example_rates,
    xlsx,
)


@pytest.fixture
def practice(cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    """SPEC §8's practice: payer, contract, rates, the January–March and May rosters."""
    assert (
        cli(
            "payer", "add", "--code", "SUN", "--name", "Sunrise Health Plan", "--id-width", "9"
        ).code
        == 0
    )
    r = cli(
        "contract",
        "add",
        "--payer",
        "SUN",
        "--name",
        "Medicaid HMO",
        "--from",
        "2026-01",
        "--products",
        "MCD",
        "--withhold",
        "2",
    )
    assert r.code == 0, r.err
    r = cli(
        "rates",
        "import",
        "--payer",
        "SUN",
        "--contract",
        "Medicaid HMO",
        worked_example_rates(tmp_path / "rates.xlsx"),
    )
    assert r.code == 0, r.err
    rosters = [
        ("2026-01", xlsx(tmp_path / "jan.xlsx", ROSTER_HEADERS, [A, B], title="Sunrise roster")),
        ("2026-02", csv_file(tmp_path / "feb.csv", ROSTER_HEADERS, [B])),
        ("2026-03", xlsx(tmp_path / "mar.xlsx", ROSTER_HEADERS, [B])),
        ("2026-05", xlsx(tmp_path / "may.xlsx", ROSTER_HEADERS, [B_MAY])),
    ]
    for month, path in rosters:
        r = cli("roster", "import", "--payer", "SUN", "--month", month, path)
        assert r.code == 0, r.err
    return tmp_path


def _pay(cli, path: Path, rows) -> None:  # type: ignore[no-untyped-def]
    r = cli("remit", "import", "--payer", "SUN", xlsx(path, REMIT_HEADERS, rows))
    assert r.code == 0, r.err


def _by_key(data):  # type: ignore[no-untyped-def]
    return {(d["member_id"], d["month"]): d for d in data["discrepancies"]}


def test_worked_example_figure_by_figure(cli, practice: Path) -> None:
    _pay(
        cli,
        practice / "feb-statement.xlsx",
        [
            ["000000001", "2026-01", 176.40, "CAP"],
            ["000000002", "01/2026", "$210.30", "CAP"],
            ["2", "Feb 2026", 97.60, "CAP"],  # an ID that lost its zeros is padded back to width 9
            ["000000002", "202603", 97.60, "CAP"],
        ],
    )
    r = cli("reconcile", "--payer", "SUN", "--from", "2026-01", "--to", "2026-04", "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert data["payer"] == "SUN" and data["from"] == "2026-01" and data["to"] == "2026-04"
    found = _by_key(data)
    assert found[("000000001", "2026-01")] == {
        "member_id": "000000001",
        "month": "2026-01",
        "kind": "underpaid",
        "expected": "180.90",
        "paid": "176.40",
        "variance": "-4.50",
        "status": "open",
    }
    assert found[("000000002", "2026-03")]["kind"] == "not_eligible"
    assert found[("000000002", "2026-03")]["expected"] == "0.00"
    assert found[("000000002", "2026-03")]["paid"] == "97.60"
    assert len(found) == 2  # B's January (210.30) and February (97.60) match
    months = {m["month"]: m for m in data["months"]}
    assert months["2026-01"] == {
        "month": "2026-01",
        "eligible_members": 2,
        "paid_members": 2,
        "expected": "391.20",
        "paid": "386.70",
        "variance": "-4.50",
    }
    assert months["2026-02"]["expected"] == "97.60"
    assert months["2026-03"]["eligible_members"] == 0 and months["2026-03"]["paid"] == "97.60"
    assert months["2026-04"] == {
        "month": "2026-04",
        "eligible_members": 0,
        "paid_members": 0,
        "expected": "0.00",
        "paid": "0.00",
        "variance": "0.00",
    }
    assert data["totals"] == {"expected": "488.80", "paid": "581.90", "variance": "93.10"}
    assert data["counts"] == {
        "matched": 2,
        "missing": 0,
        "underpaid": 1,
        "overpaid": 0,
        "duplicate": 0,
        "not_eligible": 1,
        "unknown_member": 0,
        "no_rate": 0,
    }

    # The payer recoups March: it drops out, and the stored discrepancy resolves itself.
    _pay(cli, practice / "jun-statement.xlsx", [["000000002", "2026-03", "(97.60)", "RECOUP"]])
    data = cli(
        "reconcile", "--payer", "SUN", "--from", "2026-01", "--to", "2026-04", "--json"
    ).json()
    assert ("000000002", "2026-03") not in {
        k for k, d in _by_key(data).items() if d["status"] in ("open", "disputed")
    }
    r = cli("discrepancies", "--payer", "SUN", "--status", "resolved", "--json")
    resolved = r.json()
    assert [(d["member_id"], d["month"]) for d in resolved] == [("000000002", "2026-03")]
    explain = cli("explain", "--payer", "SUN", "--member", "000000002", "--month", "2026-03").out
    assert "no longer a difference" in explain or "paid in a later remittance" in explain


def test_status_and_notes_survive_reconciling_again(cli, practice: Path) -> None:
    _pay(cli, practice / "s.xlsx", [["000000001", "2026-01", 176.40, "CAP"]])
    cli("reconcile", "--payer", "SUN", "--from", "2026-01", "--to", "2026-02")
    r = cli(
        "discrepancy",
        "set-status",
        "--payer",
        "SUN",
        "--member",
        "000000001",
        "--month",
        "2026-01",
        "--status",
        "disputed",
        "--note",
        "CM fee missing, ticket 4411",
    )
    assert r.code == 0, r.err
    cli("reconcile", "--payer", "SUN", "--from", "2026-01", "--to", "2026-02")
    rows = cli("discrepancies", "--payer", "SUN", "--kind", "underpaid", "--json").json()
    assert rows == [
        {
            "payer": "SUN",
            "member_id": "000000001",
            "month": "2026-01",
            "kind": "underpaid",
            "expected": "180.90",
            "paid": "176.40",
            "variance": "-4.50",
            "status": "disputed",
            "last_note": "CM fee missing, ticket 4411",
        }
    ]
    # The payer pays the fee later: the disputed discrepancy is closed as resolved.
    _pay(cli, practice / "s2.xlsx", [["000000001", "2026-01", 4.50, "CM ADJ"]])
    cli("reconcile", "--payer", "SUN", "--from", "2026-01", "--to", "2026-02")
    rows = cli("discrepancies", "--payer", "SUN", "--json").json()
    a = [d for d in rows if d["member_id"] == "000000001"][0]
    assert a["status"] == "resolved" and a["paid"] == "180.90"
    history = cli("explain", "--payer", "SUN", "--member", "000000001", "--month", "2026-01").out
    assert "disputed" in history and "paid in a later remittance" in history


def test_duplicate_file_is_refused_and_changes_nothing(cli, practice: Path) -> None:
    path = practice / "jan.xlsx"
    r = cli("roster", "import", "--payer", "SUN", "--month", "2026-01", path)
    assert r.code == 3
    assert "already imported" in r.err


def _table_counts(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["000000001", "2026-01", "12,3x", "CAP"]], "Paid Amount"),
        (
            [["000000001", "2026-13", "12.00", "CAP"], ["000000002", "garbage", "1.00", "CAP"]],
            "row 3",
        ),
    ],
)
def test_a_bad_statement_writes_nothing_and_lists_every_bad_row(
    cli,
    practice: Path,
    db_path: Path,
    rows,
    message,  # type: ignore[no-untyped-def]
) -> None:
    before = _table_counts(db_path)
    r = cli("remit", "import", "--payer", "SUN", xlsx(practice / "bad.xlsx", REMIT_HEADERS, rows))
    assert r.code == 3
    assert message in r.err
    assert r.err.count("row ") >= len(rows)
    assert _table_counts(db_path) == before


def test_a_roster_with_a_bad_date_or_missing_column_writes_nothing(
    cli, practice: Path, db_path: Path
) -> None:
    before = _table_counts(db_path)
    bad = list(A)
    bad[3] = "31/31/1990"
    r = cli(
        "roster",
        "import",
        "--payer",
        "SUN",
        "--month",
        "2026-04",
        xlsx(practice / "bad-roster.xlsx", ROSTER_HEADERS, [B, bad]),
    )
    assert r.code == 3 and "DOB" in r.err and "row 3" in r.err
    r = cli(
        "remit",
        "import",
        "--payer",
        "SUN",
        xlsx(practice / "no-month.xlsx", ["Member ID", "Paid Amount"], [["000000001", 1]]),
    )
    assert r.code == 3 and "coverage_month" in r.err
    assert _table_counts(db_path) == before


def test_reimporting_a_roster_month_replaces_it(cli, practice: Path) -> None:
    # A corrected March roster no longer lists B: B's March is not eligible by March's own word
    # (the May roster still speaks last, and also says not eligible).
    r = cli(
        "roster",
        "import",
        "--payer",
        "SUN",
        "--month",
        "2026-02",
        csv_file(practice / "feb-corrected.csv", ROSTER_HEADERS, [A]),
    )
    assert r.code == 0 and "replaced" in r.out
    _pay(cli, practice / "s.xlsx", [["000000001", "2026-02", 180.90, "CAP"]])
    data = cli(
        "reconcile", "--payer", "SUN", "--from", "2026-02", "--to", "2026-02", "--json"
    ).json()
    assert data["months"][0]["eligible_members"] == 2  # A by February's roster, B by May's
    assert data["counts"]["matched"] == 1 and data["counts"]["missing"] == 1


def test_exit_codes(cli, practice: Path, tmp_path: Path) -> None:
    assert cli("reconcile", "--payer", "NOPE", "--from", "2026-01", "--to", "2026-02").code == 4
    assert (
        cli(
            "roster", "import", "--payer", "SUN", "--month", "2026-01", tmp_path / "nothere.xlsx"
        ).code
        == 4
    )
    assert cli("reconcile", "--payer", "SUN", "--from", "2026-13", "--to", "2026-02").code == 2
    assert (
        cli(
            "contract",
            "add",
            "--payer",
            "SUN",
            "--name",
            "X",
            "--from",
            "2026-01",
            "--eligibility",
            "weekly",
        ).code
        == 3
    )
    r = cli("payer", "add", "--code", "SUN", "--name", "Again")
    assert r.code == 3 and "already exists" in r.err
    assert "Traceback" not in r.err


def test_report_matches_reconcile_json(cli, practice: Path) -> None:
    _pay(
        cli,
        practice / "s.xlsx",
        [["000000001", "2026-01", 176.40, "CAP"], ["000000002", "2026-03", 97.60, "CAP"]],
    )
    data = cli(
        "reconcile", "--payer", "SUN", "--from", "2026-01", "--to", "2026-03", "--json"
    ).json()
    out = practice / "report.xlsx"
    r = cli("report", "--payer", "SUN", "--from", "2026-01", "--to", "2026-03", "--out", out)
    assert r.code == 0, r.err
    wb = openpyxl.load_workbook(out)
    assert {"Summary", "Discrepancies"} <= set(wb.sheetnames)
    ws = wb["Discrepancies"]
    header = [c.value for c in ws[1]]
    rows = [
        dict(zip(header, (c.value for c in row), strict=False)) for row in ws.iter_rows(min_row=2)
    ]
    rows = [x for x in rows if x.get("Member ID")]
    assert sorted((x["Member ID"], x["Month"]) for x in rows) == sorted(
        (d["member_id"], d["month"]) for d in data["discrepancies"]
    )
    for x in rows:
        d = _by_key(data)[(x["Member ID"], x["Month"])]
        assert f"{x['Expected']:.2f}" == d["expected"] and f"{x['Paid']:.2f}" == d["paid"]


def test_demo_practice_shows_every_kind(cli) -> None:
    r = cli("demo", "--members", "120")
    assert r.code == 0, r.err
    kinds = {d["kind"] for d in cli("discrepancies", "--json").json()}
    assert kinds == {
        "missing",
        "underpaid",
        "overpaid",
        "duplicate",
        "not_eligible",
        "unknown_member",
        "no_rate",
    }
    for code in ("SUN", "BAY", "HCA"):
        data = cli(
            "reconcile", "--payer", code, "--from", "2026-01", "--to", "2026-06", "--json"
        ).json()
        assert data["counts"]["matched"] > 0


def test_text_longer_than_its_column_is_refused_on_every_database(
    cli, practice: Path, db_path: Path
) -> None:
    before = _table_counts(db_path)
    r = cli(
        "remit",
        "import",
        "--payer",
        "SUN",
        xlsx(
            practice / "long.xlsx",
            REMIT_HEADERS,
            [
                ["000000001", "2026-01", 180.90, "CAP " + "x" * 120],
            ],
        ),
    )
    assert r.code == 3 and "row 2" in r.err and "longer than 100 characters" in r.err
    assert _table_counts(db_path) == before


def test_explain_names_a_missing_rate_as_a_contract_set_up_problem(cli, practice: Path) -> None:
    ssi = ["000000009", "CHARLIE", "CAT", dt.date(1970, 1, 1), "F", "MCD", "SSI", None, None]
    r = cli("roster", "import", "--payer", "SUN", "--month", "2026-04",
            xlsx(practice / "apr.xlsx", ROSTER_HEADERS, [ssi]))  # fmt: skip
    assert r.code == 0, r.err
    data = cli(
        "reconcile", "--payer", "SUN", "--from", "2026-04", "--to", "2026-04", "--json"
    ).json()
    assert data["counts"]["no_rate"] == 1 and data["totals"]["expected"] == "0.00"
    out = cli("explain", "--payer", "SUN", "--member", "000000009", "--month", "2026-04").out
    assert "rate cell SSI" in out and "No capitation rate row" in out and "kind no_rate" in out
