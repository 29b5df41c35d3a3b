"""Roster changes: one roster month against the payer's previous one, on a real SQLite file."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import polars as pl
import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.errors import NotFound
from pmpm_desktop.io.roster_file import ROSTER_SCHEMA
from pmpm_desktop.services import importing, payers, reporting
from pmpm_desktop.services.roster_changes import (
    CHANGE_KINDS,
    RosterChange,
    roster_changes_range,
    roster_diff,
    summarise_changes,
)
from tests.unit.files import csv_file, xlsx

M = Month.parse
D = dt.date
# The reader's canonical roster frame: what store_roster takes.
COLUMNS = ROSTER_SCHEMA
BASE = {
    "last_name": "DOE",
    "first_name": "JAN",
    "dob": D(1980, 1, 1),
    "sex": "F",
    "product": "MCD",
    "rate_cell": "TANF",
    "pcp": "DR A",
}


def frame(*rows: dict[str, object]) -> pl.DataFrame:
    data = [
        {k: ({**BASE, **r}).get(k) for k in COLUMNS} | {"source_row": i + 2}
        for i, r in enumerate(rows)
    ]
    return pl.DataFrame(data, schema=COLUMNS)


@pytest.fixture
def sun(db: Database) -> Database:
    payers.add_payer(db, "SUN", "Sunrise", None)
    payers.add_contract(db, "SUN", payers.ContractSpec("HMO", M("2026-01")))
    return db


def store(db: Database, month: str, *rows: dict[str, object], name: str | None = None) -> int:
    tag = name or month
    return importing.store_roster(
        db, "SUN", M(month), frame(*rows), file_name=f"{tag}.csv", sha256=tag * 4
    ).import_id


def changes_of(db: Database, month: str) -> dict[tuple[str, str], RosterChange]:
    diff = roster_diff(db, "SUN", M(month))
    return {(c.member_id, c.kind): c for c in diff.changes}


def test_first_roster_is_a_baseline_with_counts_only(sun: Database) -> None:
    store(sun, "2026-01", {"member_id": "A1"}, {"member_id": "A2"})
    diff = roster_diff(sun, "SUN", M("2026-01"))
    assert (diff.previous_month, diff.before, diff.after, diff.changes) == (None, 0, 2, ())


def test_unknown_payer_or_month_without_roster_is_not_found(sun: Database) -> None:
    store(sun, "2026-01", {"member_id": "A1"})
    with pytest.raises(NotFound, match="no roster for 2026-02"):
        roster_diff(sun, "SUN", M("2026-02"))
    with pytest.raises(NotFound, match="no payer"):
        roster_diff(sun, "XYZ", M("2026-01"))


def test_unchanged_members_give_no_changes(sun: Database) -> None:
    for month in ("2026-01", "2026-02"):
        store(
            sun,
            month,
            {"member_id": "A1"},
            {"member_id": "A2", "effective_date": D(2025, 6, 1)},
            # Case and accents written differently are the same name, product, PCP.
            {"member_id": "A3", "last_name": "Muñoz" if month == "2026-01" else "MUÑOZ"},
            {"member_id": "A4", "pcp": "dr a " if month == "2026-01" else "DR A"},
        )
    diff = roster_diff(sun, "SUN", M("2026-02"))
    assert diff.changes == () and (diff.before, diff.after) == (4, 4)


def test_every_kind_of_change_against_the_previous_month(sun: Database) -> None:
    store(
        sun,
        "2026-01",
        {"member_id": "STAY"},
        {"member_id": "RTERM", "effective_date": D(2025, 6, 1)},
    )
    store(
        sun,
        "2026-02",
        {"member_id": "STAY"},
        {"member_id": "DROP"},
        {"member_id": "TERMIN"},
        {"member_id": "RTERM", "effective_date": D(2025, 6, 1)},
        {"member_id": "EARLIER", "effective_date": D(2026, 2, 1)},
        {"member_id": "PCP"},
        {"member_id": "CELL"},
        {"member_id": "PROD"},
        {"member_id": "DOB"},
        {"member_id": "NAME"},
        {"member_id": "SEX"},
        {"member_id": "SAME", "effective_date": D(2026, 2, 1), "term_date": D(2026, 2, 28)},
    )
    store(
        sun,
        "2026-03",
        {"member_id": "STAY"},
        {"member_id": "ADD"},
        {"member_id": "TERMIN", "term_date": D(2026, 3, 20)},
        {"member_id": "RTERM", "effective_date": D(2025, 6, 1), "term_date": D(2026, 1, 31)},
        {"member_id": "RADD", "effective_date": D(2026, 1, 1)},
        {"member_id": "EARLIER", "effective_date": D(2026, 1, 1)},
        {"member_id": "PCP", "pcp": "DR B"},
        {"member_id": "CELL", "rate_cell": "SSI"},
        {"member_id": "PROD", "product": "CHIP"},
        {"member_id": "DOB", "dob": D(1980, 1, 2)},
        {"member_id": "NAME", "last_name": "DOE-SMITH"},
        {"member_id": "SEX", "sex": "M"},
        {"member_id": "SAME", "effective_date": D(2026, 2, 1), "term_date": D(2026, 2, 28)},
    )
    diff = roster_diff(sun, "SUN", M("2026-03"))
    assert (diff.previous_month, diff.before, diff.after) == (M("2026-02"), 12, 13)
    got = {(c.member_id, c.kind): c for c in diff.changes}
    mar, jan, feb = M("2026-03"), M("2026-01"), M("2026-02")
    assert got[("ADD", "add")] == RosterChange("ADD", "DOE, JAN", "add", None, None, (mar,))
    assert got[("DROP", "term")] == RosterChange("DROP", "DOE, JAN", "term", None, None, (mar,))
    assert got[("TERMIN", "term")].after == "2026-03-20" and got[("TERMIN", "term")].months == ()
    # A term date before the month: the member ends, and February (paid on the February roster)
    # is no longer eligible; January still is (its day 1 is inside the span).
    assert got[("RTERM", "term")].after == "2026-01-31"
    assert got[("RTERM", "retro_term")] == RosterChange(
        "RTERM", "DOE, JAN", "retro_term", None, "2026-01-31", (feb,)
    )
    assert got[("RADD", "add")].after == "2026-01-01"
    assert got[("RADD", "retro_add")].months == (jan, feb)
    # Listed in February from February 1; now from January 1: January becomes eligible.
    assert got[("EARLIER", "retro_add")] == RosterChange(
        "EARLIER", "DOE, JAN", "retro_add", "2026-02-01", "2026-01-01", (jan,)
    )
    assert ("EARLIER", "add") not in got
    assert (
        got[("PCP", "pcp_change")].before == "DR A" and got[("PCP", "pcp_change")].after == "DR B"
    )
    assert (got[("CELL", "rate_cell_change")].before, got[("CELL", "rate_cell_change")].after) == (
        "TANF",
        "SSI",
    )
    assert got[("PROD", "product_change")].after == "CHIP"
    assert (got[("DOB", "dob_correction")].before, got[("DOB", "dob_correction")].after) == (
        "1980-01-01",
        "1980-01-02",
    )
    assert got[("NAME", "name_correction")].before == "DOE, JAN"
    assert got[("NAME", "name_correction")].after == "DOE-SMITH, JAN"
    assert got[("SEX", "sex_correction")].after == "M"
    # SAME ended in February on both rosters: no new term; STAY never changed.
    assert not any(k[0] in ("SAME", "STAY") for k in got)
    assert set(CHANGE_KINDS) == {c.kind for c in diff.changes}
    counts = summarise_changes(diff)
    assert counts["before"] == 12 and counts["after"] == 13
    assert counts["add"] == 2 and counts["term"] == 3 and counts["retro_add"] == 2
    assert counts["retro_term"] == 1 and counts["pcp_change"] == 1
    assert sum(counts[k] for k in CHANGE_KINDS) == len(diff.changes)


def test_a_term_already_on_the_previous_roster_is_not_a_new_term(sun: Database) -> None:
    store(sun, "2026-01", {"member_id": "A1"})
    store(sun, "2026-02", {"member_id": "A1", "term_date": D(2026, 2, 10)})
    store(sun, "2026-03", {"member_id": "A1", "term_date": D(2026, 2, 10)})
    assert [c.kind for c in roster_diff(sun, "SUN", M("2026-02")).changes] == ["term"]
    assert roster_diff(sun, "SUN", M("2026-03")).changes == ()


def test_retro_months_follow_the_latest_word_of_every_earlier_roster(sun: Database) -> None:
    # January listed R1 from 2025; February's roster dropped it; the March roster brings it back
    # from 2025 on: only February (said "not listed" by its own roster) is a retro add. Months
    # before the payer's first roster were never on any roster and do not count.
    store(sun, "2026-01", {"member_id": "R1", "effective_date": D(2025, 1, 1)})
    store(sun, "2026-02", {"member_id": "OTHER"})
    store(
        sun, "2026-03", {"member_id": "R1", "effective_date": D(2025, 1, 1)}, {"member_id": "OTHER"}
    )
    got = changes_of(sun, "2026-03")
    assert got[("R1", "retro_add")].months == (M("2026-02"),)
    assert got[("R1", "add")].months == (M("2026-03"),)


def test_a_month_without_roster_carries_the_previous_span_forward(sun: Database) -> None:
    store(
        sun,
        "2026-01",
        {"member_id": "OPEN", "effective_date": D(2025, 6, 1)},
        {"member_id": "JANONLY"},
    )
    # No February roster. OPEN is unchanged; JANONLY covered only January and now reaches back.
    store(
        sun,
        "2026-03",
        {"member_id": "OPEN", "effective_date": D(2025, 6, 1), "term_date": D(2026, 1, 31)},
        {"member_id": "JANONLY", "effective_date": D(2025, 12, 1)},
    )
    got = changes_of(sun, "2026-03")
    assert got[("OPEN", "retro_term")].months == (M("2026-02"),)
    assert got[("JANONLY", "retro_add")].months == (M("2026-02"),)
    assert ("JANONLY", "add") not in got


def test_the_replacing_import_of_a_month_is_the_one_compared(sun: Database) -> None:
    store(sun, "2026-01", {"member_id": "A1"})
    store(sun, "2026-02", {"member_id": "A1"}, {"member_id": "A2"}, name="first-feb")
    store(sun, "2026-02", {"member_id": "A1"}, name="second-feb")
    diff = roster_diff(sun, "SUN", M("2026-02"))
    assert diff.after == 1 and diff.changes == ()


def test_two_rows_of_one_member_are_one_member(sun: Database) -> None:
    store(sun, "2026-01", {"member_id": "A1"})
    store(
        sun,
        "2026-02",
        {"member_id": "A1", "effective_date": D(2026, 2, 1), "term_date": D(2026, 2, 5)},
        {"member_id": "A1", "effective_date": D(2026, 2, 20)},
    )
    diff = roster_diff(sun, "SUN", M("2026-02"))
    assert diff.after == 1 and diff.changes == ()


# --- the command line -------------------------------------------------------------------------

HEADERS = ["Member ID", "Last Name", "First Name", "DOB", "Sex", "Product", "Rate Cell", "PCP",
           "Eff Date", "Term Date"]  # fmt: skip


def _row(
    member: str, *, pcp: str = "DR A", eff: object = None, term: object = None
) -> list[object]:
    return [member, "DOE", "JAN", D(1980, 1, 1), "F", "MCD", "TANF", pcp, eff, term]


@pytest.fixture
def rosters(cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    assert cli("payer", "add", "--code", "SUN", "--name", "Sunrise", "--id-width", "9").code == 0
    r = cli("contract", "add", "--payer", "SUN", "--name", "HMO", "--from", "2026-01")
    assert r.code == 0, r.err
    feb = xlsx(
        tmp_path / "feb.xlsx",
        HEADERS,
        [_row("000000001"), _row("000000002"), _row("000000003", eff=D(2025, 6, 1))],
        title="Sunrise roster",
    )
    mar = csv_file(
        tmp_path / "mar.csv",
        HEADERS,
        [
            _row("000000001", pcp="DR B"),
            _row("000000003", eff="06/01/2025", term="01/31/2026"),
            _row("4", eff="2026-01-01"),
        ],
    )
    jan = csv_file(tmp_path / "jan.csv", HEADERS, [_row("000000003", eff="2025-06-01")])
    for month, path in (("2026-01", jan), ("2026-02", feb), ("2026-03", mar)):
        r = cli("roster", "import", "--payer", "SUN", "--month", month, path)
        assert r.code == 0, r.err
    return tmp_path


def test_cli_roster_diff_json_lists_every_change(cli, rosters: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("roster", "diff", "--payer", "sun", "--month", "2026-03", "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert data["payer"] == "SUN" and data["month"] == "2026-03"
    assert data["previous_month"] == "2026-02"
    assert data["counts"]["before"] == 3 and data["counts"]["after"] == 3
    kinds = {(c["member_id"], c["kind"]): c for c in data["changes"]}
    assert kinds[("000000001", "pcp_change")] == {
        "member_id": "000000001",
        "name": "DOE, JAN",
        "kind": "pcp_change",
        "before": "DR A",
        "after": "DR B",
        "months": [],
    }
    assert kinds[("000000002", "term")]["months"] == ["2026-03"]
    assert kinds[("000000003", "retro_term")]["months"] == ["2026-02"]
    assert kinds[("000000003", "retro_term")]["after"] == "2026-01-31"
    assert kinds[("000000004", "add")]["after"] == "2026-01-01"
    assert kinds[("000000004", "retro_add")]["months"] == ["2026-01", "2026-02"]
    assert data["counts"]["retro_add"] == 1 and data["counts"]["dob_correction"] == 0


def test_cli_roster_diff_text_table(cli, rosters: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("roster", "diff", "--payer", "SUN", "--month", "2026-03")
    assert r.code == 0, r.err
    assert "SUN roster 2026-03 against 2026-02" in r.out
    assert "members: 3 before, 3 after" in r.out
    assert "retro_add" in r.out and "2026-01 to 2026-02" in r.out
    first = cli("roster", "diff", "--payer", "SUN", "--month", "2026-01")
    assert first.code == 0 and "nothing to compare with" in first.out


def test_cli_roster_diff_exit_4_without_roster_or_payer(cli, rosters: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("roster", "diff", "--payer", "SUN", "--month", "2026-05")
    assert r.code == 4 and "no roster for 2026-05" in r.err
    assert cli("roster", "diff", "--payer", "NOPE", "--month", "2026-03").code == 4
    assert cli("roster", "diff", "--payer", "SUN", "--month", "March").code == 2


# --- every month at once (the report's path) ------------------------------------------------


def _same_as_roster_diff(db: Database, code: str, first: Month, last: Month) -> int:
    """roster_changes_range equals roster_diff month by month; returns the months compared."""
    ranged = roster_changes_range(db, code, first, last)
    assert ranged == [roster_diff(db, code, d.month) for d in ranged]
    return len(ranged)


def test_range_equals_roster_diff_for_every_month_of_the_demo(tmp_path: Path) -> None:
    from pmpm_desktop.db.database import open_database
    from pmpm_desktop.services.demo import FIRST, LAST, build_demo

    database = open_database(tmp_path / "demo.sqlite3")
    try:
        build_demo(database, members=120)
        for code in ("BAY", "HCA", "SUN"):
            assert _same_as_roster_diff(database, code, FIRST, LAST) == 6
            # a range starting mid-way still compares its first month with the month before
            mid = roster_changes_range(database, code, FIRST + 2, LAST - 1)
            assert [d.month for d in mid] == [FIRST + 2, FIRST + 3, FIRST + 4]
            assert mid == [roster_diff(database, code, d.month) for d in mid]
            assert any(d.changes for d in mid)
    finally:
        database.dispose()


def test_range_equals_roster_diff_on_the_worked_example(sun: Database, tmp_path: Path) -> None:
    # SPEC §8's rosters: A and B in January, B in February and March, no April roster, the May
    # roster's B with effective 2025-06-01 and term 2026-02-14 (a retro term of March).
    a = {"member_id": "000000001", "last_name": "ALPHA", "first_name": "ANN", "dob": D(1990, 5, 10)}
    b = {"member_id": "000000002", "last_name": "BRAVO", "first_name": "BEN", "sex": "M",
         "dob": D(2024, 1, 15)}  # fmt: skip
    store(sun, "2026-01", a, b)
    store(sun, "2026-02", b)
    store(sun, "2026-03", b)
    store(sun, "2026-05", b | {"effective_date": D(2025, 6, 1), "term_date": D(2026, 2, 14)})
    assert _same_as_roster_diff(sun, "SUN", M("2026-01"), M("2026-12")) == 4
    may = roster_changes_range(sun, "SUN", M("2026-05"), M("2026-05"))[0]
    assert may.previous_month == M("2026-03")
    # March becomes not eligible (the worked example); April had no roster and March's row
    # (no dates) covered March only, so April was never eligible.
    retro = [(c.member_id, c.kind, c.months) for c in may.changes if c.kind.startswith("retro")]
    assert retro == [("000000002", "retro_term", (M("2026-03"),))]


def test_range_of_every_kind_and_text_with_separators(sun: Database) -> None:
    # Names holding the separators the fast text read uses are read row by row instead.
    store(sun, "2026-01", {"member_id": "S1", "last_name": "A\x1fB"}, {"member_id": "S2"})
    store(
        sun,
        "2026-02",
        {"member_id": "S1", "last_name": "A\x1eB", "effective_date": D(2025, 12, 1)},
        {"member_id": "S3", "last_name": "", "pcp": None},
    )
    store(sun, "2026-03", {"member_id": "S1", "last_name": "A\x1eB"}, {"member_id": "S3"})
    assert _same_as_roster_diff(sun, "SUN", M("2026-01"), M("2026-03")) == 3
    feb = roster_diff(sun, "SUN", M("2026-02"))
    assert {(c.member_id, c.kind) for c in feb.changes} >= {("S2", "term"), ("S3", "add")}
    renamed = [c for c in feb.changes if c.kind == "name_correction"]
    assert [(c.before, c.after) for c in renamed] == [("A\x1fB, JAN", "A\x1eB, JAN")]


def test_range_without_rosters_in_it_is_empty_and_unknown_payer_not_found(sun: Database) -> None:
    store(sun, "2026-01", {"member_id": "A1"})
    assert roster_changes_range(sun, "SUN", M("2026-02"), M("2026-06")) == []
    with pytest.raises(NotFound, match="no payer"):
        roster_changes_range(sun, "XYZ", M("2026-01"), M("2026-06"))


# --- the report: roster changes compared beside the reconciliation ------------------------------


@pytest.fixture
def demo_db(tmp_path: Path) -> Database:
    from pmpm_desktop.db.database import open_database
    from pmpm_desktop.services.demo import build_demo

    database = open_database(tmp_path / "demo.sqlite3")
    build_demo(database, members=60)
    yield database  # type: ignore[misc]
    database.dispose()


def _comparing_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == reporting.THREAD_NAME and t.is_alive()]


def test_report_gathers_the_same_changes_on_its_second_thread(demo_db: Database) -> None:
    from pmpm_desktop.services.demo import FIRST, LAST

    codes = reporting.payer_codes(demo_db, None)
    summaries, ledgers = zip(
        *(reporting._reconcile(demo_db, c, FIRST, LAST, None) for c in codes), strict=True
    )
    as_of = D(2026, 8, 1)
    here = reporting.gather_extras(
        demo_db, summaries, ledgers, FIRST, LAST, payer_code=None, as_of=as_of
    )
    ahead = reporting._RosterChangesAhead(demo_db, codes, FIRST, LAST)
    beside = reporting.gather_extras(
        demo_db, summaries, ledgers, FIRST, LAST, payer_code=None, as_of=as_of, roster_diffs=ahead
    )
    ahead.stop()
    assert beside == here
    assert [(d.payer_code, d.month) for d in here.roster_diffs or ()] == [
        (c, m) for c in codes for m in (FIRST + i for i in range(6))
    ]
    assert here.roster_diffs == [
        roster_diff(demo_db, d.payer_code, d.month) for d in here.roster_diffs or ()
    ]


def test_a_failing_comparison_is_raised_where_the_report_reads_it(demo_db: Database) -> None:
    ahead = reporting._RosterChangesAhead(demo_db, ["BAY", "NOPE"], M("2026-01"), M("2026-06"))
    with pytest.raises(NotFound, match="no payer"):
        list(ahead)
    ahead.stop()
    assert not _comparing_threads()


def test_cancelling_a_report_while_reconciling_stops_the_comparisons(
    demo_db: Database, tmp_path: Path
) -> None:
    from pmpm_desktop.progress import Cancelled

    out = tmp_path / "r.xlsx"
    with pytest.raises(Cancelled):
        reporting.build_report(
            demo_db, out, None, M("2026-01"), M("2026-06"), progress=lambda done, total: done < 1
        )
    assert not out.exists() and not _comparing_threads()
    # and the report made afterwards is whole
    result = reporting.build_report(demo_db, out, None, M("2026-01"), M("2026-06"))
    assert result.path.exists() and not _comparing_threads()
