"""Machine formats imported as a new user would, with `pmpm … import` and no option (issue 10):
each file reconciles to the figures stated here; broken files name their place and store
nothing; the same interchange sent again is a duplicate."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.unit.atr_files import export
from tests.unit.files import csv_file
from tests.unit.mmr_files import (
    ROSTER_LAYOUT,
    roster_line,
    sample_records,
    write_fixed_roster,
    write_mmr,
)
from tests.unit.x12_files import (
    Coverage834,
    Member271,
    Member834,
    Wrong,
    eligibility,
    enrollment,
)
from tests.unit.x12_pay_files import (
    Advice,
    Claim,
    PremiumLine,
    PremiumMember,
    premium_payment,
    write_820,
    write_835,
)

Cli = Callable[..., CliResult]


def _payer(
    cli: Cli,
    tmp_path: Path,
    code: str = "SUN",
    products: str = "MCD",
    rate: str = "100.00",
    withhold: str = "0",
) -> None:
    assert cli("payer", "add", "--code", code, "--name", f"{code} plan").code == 0
    contract = ["contract", "add", "--payer", code, "--name", "Cap", "--from", "2026-01"]
    contract += ["--products", products, "--withhold", withhold]
    assert cli(*contract).code == 0
    rates = csv_file(
        tmp_path / f"{code}-rates.csv", ["effective_from", "amount"], [["2026-01", rate]]
    )
    assert cli("rates", "import", "--payer", code, "--contract", "Cap", rates).code == 0


def _members(n: int, **coverage: object) -> list[Member834]:
    return [
        Member834(f"{100000000 + i:09d}", last=f"LAST{i}", coverages=(Coverage834(**coverage),))  # type: ignore[arg-type]
        for i in range(n)
    ]


def _imports(db_path: Path) -> tuple[int, int]:
    """(roster imports, statement imports) stored."""
    with sqlite3.connect(db_path) as conn:
        return (
            conn.execute("SELECT count(*) FROM roster_imports").fetchone()[0],
            conn.execute("SELECT count(*) FROM remittance_imports").fetchone()[0],
        )


def _month(cli: Cli, code: str, month: str) -> dict[str, object]:
    out = cli("reconcile", "--payer", code, "--from", month, "--to", month, "--json")
    assert out.code == 0, out.err
    months = out.json()["months"]
    assert len(months) == 1
    return dict(months[0])


def test_a_full_834_is_a_roster_with_no_option(cli: Cli, tmp_path: Path) -> None:
    _payer(cli, tmp_path)
    path = tmp_path / "ACME_ENROLL"  # no extension at all
    path.write_bytes(enrollment(_members(3)))
    out = cli("roster", "import", "--payer", "SUN", "--month", "2026-03", path)
    assert out.code == 0, out.err
    assert "3 rows, 3 members (3 new)" in out.out
    assert "X12 834 (005010X220A1)" in out.out
    assert "Interchange control number" in out.out
    summary = _month(cli, "SUN", "2026-03")
    assert summary["eligible_members"] == 3
    assert summary["expected"] == "300.00"
    assert summary["paid"] == "0.00"


def test_the_same_interchange_sent_again_is_a_duplicate(cli: Cli, tmp_path: Path) -> None:
    _payer(cli, tmp_path)
    first = tmp_path / "first.edi"
    first.write_bytes(enrollment(_members(2), control=42))
    again = tmp_path / "again.edi"  # the same interchange re-sent a day later: other bytes
    resent = enrollment(_members(2), control=42, when=dt.datetime(2026, 4, 2, 8, 0))
    again.write_bytes(
        resent.replace(b"BGN*00*20260401-0001*20260401*0930", b"BGN*00*20260401-0001*20260402*0800")
    )
    assert b"20260402*0800" in again.read_bytes()
    assert first.read_bytes() != again.read_bytes()
    assert cli("roster", "import", "--payer", "SUN", "--month", "2026-03", first).code == 0
    out = cli("roster", "import", "--payer", "SUN", "--month", "2026-03", again)
    assert out.code == 3
    assert "same X12 interchange (X12 ZZ:ACMEHEALTH 000000042)" in out.err
    assert "first.edi" in out.err and "nothing was written" in out.err
    # Another roster under the same control number (a generator's default) is no re-send.
    other = tmp_path / "other.edi"
    other.write_bytes(enrollment(_members(3), control=42))
    assert cli("roster", "import", "--payer", "SUN", "--month", "2026-04", other).code == 0


def test_a_change_file_is_applied_to_the_latest_roster(cli: Cli, tmp_path: Path) -> None:
    _payer(cli, tmp_path)
    full = tmp_path / "full.834"
    full.write_bytes(enrollment(_members(3), control=1))
    assert cli("roster", "import", "--payer", "SUN", "--month", "2026-03", full).code == 0
    changes = [
        Member834(
            "100000003", last="NEW", maintenance="021", coverages=(Coverage834(begin="20260401"),)
        ),
        Member834(
            "100000001",
            last="LAST1",
            maintenance="024",
            coverages=(Coverage834(begin=None, end="20260331", maintenance="024"),),
        ),
    ]
    change = tmp_path / "change.834"
    change.write_bytes(enrollment(changes, change=True, control=2))
    out = cli("roster", "import", "--payer", "SUN", "--month", "2026-04", change)
    assert out.code == 0, out.err
    assert "a change file: 1 add, 1 term applied to the roster of 2026-03" in out.out
    april = _month(cli, "SUN", "2026-04")
    assert april["eligible_members"] == 3  # 0, 2 and the new 3; 1 termed on 03-31
    diff = cli("roster", "diff", "--payer", "SUN", "--month", "2026-04", "--json")
    assert diff.code == 0, diff.err
    kinds = {c["member_id"]: c["kind"] for c in diff.json()["changes"]}
    assert kinds.get("100000003") == "add"
    assert kinds.get("100000001") == "term"


def test_a_broken_envelope_names_the_segment_and_stores_nothing(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    _payer(cli, tmp_path)
    path = tmp_path / "broken.x12"
    path.write_bytes(enrollment(_members(2), wrong=Wrong(se_count={0: 99})))
    out = cli("roster", "import", "--payer", "SUN", "--month", "2026-03", path)
    assert out.code == 3
    assert "(SE)" in out.err and "Traceback" not in out.err
    assert _imports(db_path) == (0, 0)


def test_a_bad_date_is_placed_at_its_segment_and_element(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    _payer(cli, tmp_path)
    members = _members(2)
    members[1] = Member834("100000001", coverages=(Coverage834(begin="20260101", end="20261340"),))
    path = tmp_path / "baddate.834"
    path.write_bytes(enrollment(members))
    out = cli("roster", "import", "--payer", "SUN", "--month", "2026-03", path)
    assert out.code == 3
    assert "(DTP*349), element 03: '20261340' is not a date" in out.err
    assert _imports(db_path) == (0, 0)


def test_an_834_given_as_a_statement_is_refused(cli: Cli, tmp_path: Path) -> None:
    _payer(cli, tmp_path)
    path = tmp_path / "roster.txt"
    path.write_bytes(enrollment(_members(2)))
    out = cli("remit", "import", "--payer", "SUN", path)
    assert out.code == 3
    assert "is a roster (X12 834" in out.err and "pmpm roster import" in out.err


def test_an_mmr_is_the_roster_and_the_payment_detail_of_its_month(cli: Cli, tmp_path: Path) -> None:
    _payer(cli, tmp_path, "BAY", products="H1234-001,H1234-002", rate="1000.00")
    path = write_mmr(tmp_path / "P.R0001.MONMEMD.D260320", sample_records())
    out = cli("roster", "import", "--payer", "BAY", "--month", "2026-04", path)
    assert out.code == 0, out.err
    assert "its roster of 2026-04 was stored as well" in out.out
    april = _month(cli, "BAY", "2026-04")
    assert april["eligible_members"] == 4
    assert april["expected"] == "4000.00"
    assert april["paid"] == "3750.50"
    whole = cli("reconcile", "--payer", "BAY", "--from", "2026-01", "--to", "2026-04", "--json")
    assert whole.json()["totals"]["paid"] == "4531.99"
    again = cli("remit", "import", "--payer", "BAY", path)
    assert again.code == 3 and "already imported" in again.err


def test_an_mmr_of_another_month_is_refused(cli: Cli, tmp_path: Path) -> None:
    _payer(cli, tmp_path, "BAY", products="H1234-001,H1234-002")
    path = write_mmr(tmp_path / "mmr.txt", sample_records())
    out = cli("roster", "import", "--payer", "BAY", "--month", "2026-05", path)
    assert out.code == 3
    assert "payment month 2026-04, not 2026-05" in out.err


def test_a_fixed_width_layout_is_given_once_and_kept(cli: Cli, tmp_path: Path) -> None:
    _payer(cli, tmp_path, products="MCD")
    layout = tmp_path / "layout.json"
    layout.write_text(json.dumps(ROSTER_LAYOUT))
    lines = [roster_line(f"M{i:08d}", f"LAST{i}", "ANN", "19800101", "F", "MCD") for i in range(3)]
    first = write_fixed_roster(tmp_path / "roster-01.txt", lines)
    refused = cli("roster", "import", "--payer", "SUN", "--month", "2026-01", first)
    assert refused.code == 3 and "--layout" in refused.err
    out = cli("roster", "import", "--payer", "SUN", "--month", "2026-01", "--layout", layout, first)
    assert out.code == 0, out.err
    assert "3 rows, 3 members" in out.out
    second = write_fixed_roster(tmp_path / "roster-02.txt", lines[:2])
    out = cli("roster", "import", "--payer", "SUN", "--month", "2026-02", second)
    assert out.code == 0, out.err
    assert _month(cli, "SUN", "2026-02")["eligible_members"] == 2


@pytest.mark.parametrize("suffix", [".edi", ".x12", ".txt", ".dat", ""])
def test_the_extension_does_not_matter(cli: Cli, tmp_path: Path, suffix: str) -> None:
    _payer(cli, tmp_path)
    path = tmp_path / f"roster{suffix}"
    path.write_bytes(enrollment(_members(1)))
    out = cli("roster", "import", "--payer", "SUN", "--month", "2026-03", path)
    assert out.code == 0, out.err


def test_an_attribution_list_beside_its_exports_is_a_roster(cli: Cli, tmp_path: Path) -> None:
    _payer(cli, tmp_path, products="MCD")
    group = export(4).write_folder(tmp_path / "export")
    out = cli("roster", "import", "--payer", "SUN", "--month", "2026-02", group)
    assert out.code == 0, out.err
    assert "4 rows, 4 members (4 new)" in out.out
    assert "Da Vinci ATR" in out.out
    feb = _month(cli, "SUN", "2026-02")
    assert feb["eligible_members"] == 4
    assert feb["expected"] == "400.00"
    bundle = export(2).write_bundle(tmp_path / "bundle.json")
    out = cli("remit", "import", "--payer", "SUN", bundle)
    assert out.code == 3 and "is a roster" in out.err


def _roster_of(cli: Cli, tmp_path: Path, n: int, month: str = "2026-03") -> None:
    path = tmp_path / f"roster-{month}.834"
    path.write_bytes(enrollment(_members(n), control=900 + n))
    assert cli("roster", "import", "--payer", "SUN", "--month", month, path).code == 0


def test_an_820_is_a_statement_with_retro_adjustments(cli: Cli, tmp_path: Path) -> None:
    _payer(cli, tmp_path)
    _roster_of(cli, tmp_path, 3)
    body = premium_payment(
        [
            PremiumMember("100000000", "LAST0", "A", [PremiumLine("100.00", "20260301-20260331")]),
            PremiumMember(
                "100000001",
                "LAST1",
                "B",
                [PremiumLine("100.00", "20260301-20260331", adjustments=[("-25.00", "52")])],
            ),
            PremiumMember("100000002", "LAST2", "C", [PremiumLine("100.00", "20260201-20260228")]),
        ],
        total="275.00",
    )
    path = write_820(tmp_path / "payment.820", [body])
    out = cli("remit", "import", "--payer", "SUN", path)
    assert out.code == 0, out.err
    assert "X12 820" in out.out
    march = _month(cli, "SUN", "2026-03")
    assert march["expected"] == "300.00"
    assert march["paid"] == "175.00"  # 100 + (100 - 25); member 2's line is for February
    counts = cli("reconcile", "--payer", "SUN", "--from", "2026-03", "--to", "2026-03", "--json")
    assert counts.json()["counts"]["missing"] == 1
    assert counts.json()["counts"]["underpaid"] == 1


def test_an_820_line_over_several_months_is_refused_at_its_dtm(cli: Cli, tmp_path: Path) -> None:
    _payer(cli, tmp_path)
    body = premium_payment(
        [PremiumMember("100000000", "LAST0", "A", [PremiumLine("300.00", "20260101-20260331")])],
        total="300.00",
    )
    out = cli("remit", "import", "--payer", "SUN", write_820(tmp_path / "q1.820", [body]))
    assert out.code == 3
    assert "(DTM*582)" in out.err and "2026-01 to 2026-03" in out.err


def test_an_835_pays_capitation_at_payer_level(cli: Cli, tmp_path: Path) -> None:
    _payer(cli, tmp_path, withhold="5")
    _roster_of(cli, tmp_path, 3)
    advice = Advice(total="285.00", plbs=[[("CT:CAP202603", "-300.00"), ("E3:WH202603", "15.00")]])
    path = write_835(tmp_path / "cap.835", [advice])
    out = cli("remit", "import", "--payer", "SUN", path)
    assert out.code == 0, out.err
    assert "payer-level payments (no members): $285.00" in out.out
    march = _month(cli, "SUN", "2026-03")
    assert march["paid"] == "0.00"  # member level
    assert march["payer_level_paid"] == "285.00"
    assert march["payer_level_by_code"] == {"CT": "300.00", "E3": "-15.00"}
    assert march["payer_withhold"] == "15.00"
    assert march["contract_withhold"] == "15.00"  # 5 % of 3 × 100.00
    text = cli("reconcile", "--payer", "SUN", "--from", "2026-03", "--to", "2026-03")
    assert "2026-03 payer-level: $285.00 without members" in text.out


def test_a_claims_only_835_is_refused(cli: Cli, tmp_path: Path) -> None:
    _payer(cli, tmp_path)
    advice = Advice(total="300.00", claims=[Claim("1"), Claim("2")])
    out = cli("remit", "import", "--payer", "SUN", write_835(tmp_path / "claims.835", [advice]))
    assert out.code == 3
    assert "holds claim payments" in out.err and "not capitation" in out.err


def test_an_unsolicited_271_is_a_roster(cli: Cli, tmp_path: Path) -> None:
    _payer(cli, tmp_path, products="GOLD PLAN")
    members = [
        Member271("100000000", plan="GOLD PLAN"),
        Member271("100000001", plan="GOLD PLAN", end="20260228"),
        Member271("100000002", plan="GOLD PLAN", pcp="1234567893"),
    ]
    path = tmp_path / "roster.271"
    path.write_bytes(eligibility(members))
    out = cli("roster", "import", "--payer", "SUN", "--month", "2026-03", path)
    assert out.code == 0, out.err
    assert "X12 271" in out.out
    march = _month(cli, "SUN", "2026-03")
    assert march["eligible_members"] == 2  # the second's plan ended in February
    assert march["expected"] == "200.00"


def test_an_004010_834_reads_as_the_005010_one(cli: Cli, tmp_path: Path) -> None:
    _payer(cli, tmp_path)
    path = tmp_path / "old.834"
    path.write_bytes(enrollment(_members(2), version="004010"))
    out = cli("roster", "import", "--payer", "SUN", "--month", "2026-03", path)
    assert out.code == 0, out.err
    assert "004010X095A1" in out.out
    assert _month(cli, "SUN", "2026-03")["expected"] == "200.00"


def test_dependents_under_their_subscribers_number_are_not_one_member(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    """No NM1*IL09 anywhere: REF*0F is then read, and a dependent carrying the subscriber's
    number is refused at its INS, never merged into the subscriber."""
    _payer(cli, tmp_path)
    family = [
        Member834("123456789", first="JANE", dob="19800101"),
        Member834("123456789", first="JIM", dob="20100101", subscriber=False),
    ]
    body = enrollment(family).replace(b"*ZZ*123456789~", b"~")  # no NM108/NM109
    path = tmp_path / "family.834"
    path.write_bytes(body)
    out = cli("roster", "import", "--payer", "SUN", "--month", "2026-03", path)
    assert out.code == 3
    assert "(INS): this member has the member ID (REF*0F) of the member at segment" in out.err
    assert _imports(db_path) == (0, 0)
    both = [
        Member834("123456789", first="JANE", dob="19800101", client_number="123456789-01"),
        Member834(
            "123456789", first="JIM", dob="20100101", subscriber=False, client_number="123456789-02"
        ),
    ]
    path.write_bytes(enrollment(both, control=2).replace(b"*ZZ*123456789~", b"~"))
    out = cli("roster", "import", "--payer", "SUN", "--month", "2026-03", path)
    assert out.code == 0, out.err
    assert "2 rows, 2 members" in out.out and "REF*23" in out.out


def test_a_machine_format_given_as_a_rate_exhibit_is_refused_in_words(
    cli: Cli, tmp_path: Path
) -> None:
    _payer(cli, tmp_path)
    path = tmp_path / "rates.txt"
    path.write_bytes(enrollment(_members(1)))
    out = cli("rates", "import", "--payer", "SUN", "--contract", "Cap", path)
    assert out.code == 3
    assert "it is an X12 EDI file, and rate exhibits are spreadsheets" in out.err


def test_the_problem_list_of_an_x12_file_names_segments_and_elements(
    cli: Cli, tmp_path: Path
) -> None:
    _payer(cli, tmp_path)
    members = [Member834("100000001", coverages=(Coverage834(begin="20260101", end="20261340"),))]
    path = tmp_path / "bad.834"
    path.write_bytes(enrollment(members))
    out_csv = tmp_path / "problems.csv"
    out = cli(
        "roster", "import", "--payer", "SUN", "--month", "2026-03", "--errors-out", out_csv, path
    )
    assert out.code == 3
    lines = out_csv.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "segment,segment ID,element,value,reason"
    assert lines[1].startswith("15,DTP*349,03,20261340,not a date")
