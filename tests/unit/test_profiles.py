"""Import profiles: saved after an import, reused for the same header, listed/renamed/deleted."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import _alembic_config, open_database
from pmpm_desktop.errors import InputRejected, NotFound
from pmpm_desktop.services import importing, payers, profiles
from pmpm_desktop.services.profiles import header_signature, merge_mapping
from tests.unit.files import REMIT_HEADERS, csv_file, xlsx

HEAD = "0005"  # the newest migration: an old database is upgraded all the way

# "Zq Key" is no synonym of anything, and "Zq Ref" holds codes just as ID-like: only a --map
# (or a profile) makes "Zq Key" the member ID.
HEADERS = [
    "Zq Key",
    "Last Name",
    "First Name",
    "DOB",
    "Sex",
    "Product",
    "Rate Cell",
    "Alt Cell",
    "Eff Date",
    "Term Date",
    "Zq Ref",
]
ROWS = [
    [
        "000000001",
        "ALPHA",
        "ANN",
        dt.date(1990, 5, 10),
        "F",
        "MCD",
        "TANF",
        "ABD",
        None,
        None,
        "400000017",
    ],
    [
        "000000002",
        "BRAVO",
        "BEN",
        dt.date(2024, 1, 15),
        "M",
        "MCD",
        "TANF",
        "ABD",
        None,
        None,
        "400000025",
    ],
    [
        "000000003",
        "MUÑOZ",
        "JOSÉ",
        dt.date(1980, 2, 29),
        "M",
        "MCD",
        "TANF",
        "SSI",
        None,
        None,
        "400000033",
    ],
]
ORDER = [7, 3, 0, 9, 1, 5, 2, 8, 4, 10, 6]  # the same columns, shuffled


def _shuffled(headers: list[str], rows: list[list[object]]) -> tuple[list[str], list[list[object]]]:
    return [headers[i] for i in ORDER], [[r[i] for i in ORDER] for r in rows]


def _roster_rows(db_path: Path, month: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(
            """SELECT m.member_id, r.last_name, r.first_name, r.dob, r.sex, r.product,
                      r.rate_cell, r.effective_date, r.term_date
               FROM roster_rows r JOIN members m ON m.id = r.member_pk
               JOIN roster_imports i ON i.id = r.import_id
               WHERE i.roster_month = ? AND i.active ORDER BY m.member_id""",
            (month,),
        ).fetchall()


def _import_mapping(db_path: Path, month: str) -> dict[str, object]:
    with sqlite3.connect(db_path) as conn:
        (text,) = conn.execute(
            "SELECT mapping FROM roster_imports WHERE roster_month = ? AND active", (month,)
        ).fetchone()
    return json.loads(text)  # type: ignore[no-any-return]


def _profiles(db_path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(
            "SELECT kind, name, sheet, header_row, mapping FROM import_profiles ORDER BY id"
        ).fetchall()


@pytest.fixture
def sun(cli):  # type: ignore[no-untyped-def]
    assert cli("payer", "add", "--code", "SUN", "--name", "Sunrise", "--id-width", "9").code == 0
    return cli


def _roster(cli, month: str, path: Path, *extra: str):  # type: ignore[no-untyped-def]
    return cli("roster", "import", "--payer", "SUN", "--month", month, *extra, path)


def test_a_profile_is_saved_and_reused_silently_for_the_same_header_in_another_order(
    sun, tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jan = xlsx(tmp_path / "jan.xlsx", HEADERS, ROWS, title="Sunrise roster January")
    r = _roster(sun, "2026-01", jan, "--map", "member_id=Zq Key")
    assert r.code == 0, r.err
    [(kind, name, sheet, header_row, mapping)] = _profiles(db_path)
    assert (kind, name, sheet, header_row) == ("roster", "SUN roster layout", "Sheet", 3)
    assert json.loads(str(mapping))["member_id"] == "Zq Key"

    # February: same columns in another order, no title rows, CSV, no --map.
    headers, rows = _shuffled(HEADERS, ROWS)
    feb = csv_file(tmp_path / "feb.csv", headers, rows)
    r = _roster(sun, "2026-02", feb)
    assert r.code == 0, r.err
    assert _import_mapping(db_path, "2026-02")["profile"] == "SUN roster layout"
    assert len(_profiles(db_path)) == 1  # refreshed, not duplicated
    assert _profiles(db_path)[0][2:4] == (None, 1)  # now where February's file had it

    # The same file imported with an explicit --map into another database: the same rows.
    from tests.conftest import cli_runner

    other_db = tmp_path / "explicit.sqlite3"
    other = cli_runner(other_db, capsys)
    assert other("payer", "add", "--code", "SUN", "--name", "Sunrise", "--id-width", "9").code == 0
    r = _roster(other, "2026-02", feb, "--map", "member_id=Zq Key")
    assert r.code == 0, r.err
    assert _roster_rows(db_path, "2026-02") == _roster_rows(other_db, "2026-02")
    assert len(_roster_rows(db_path, "2026-02")) == 3
    assert ("000000003", "MUÑOZ", "JOSÉ") in {r[:3] for r in _roster_rows(db_path, "2026-02")}


def test_without_a_profile_the_unknown_column_is_refused(sun, tmp_path: Path) -> None:
    r = _roster(sun, "2026-01", xlsx(tmp_path / "jan.xlsx", HEADERS, ROWS))
    assert r.code == 3 and "member_id" in r.err


def test_a_changed_header_does_not_use_the_profile_and_gets_one_of_its_own(
    sun, tmp_path: Path, db_path: Path
) -> None:
    assert _roster(sun, "2026-01", xlsx(tmp_path / "a.xlsx", HEADERS, ROWS), "--map",
                   "member_id=Zq Key").code == 0  # fmt: skip
    changed = ["Member ID" if h == "Zq Key" else h for h in HEADERS] + ["Notes"]
    r = _roster(sun, "2026-02", xlsx(tmp_path / "b.xlsx", changed, [[*x, "n"] for x in ROWS]))
    assert r.code == 0, r.err
    info = _import_mapping(db_path, "2026-02")
    assert "profile" not in info  # detection read it
    assert info["fields"]["member_id"] == "Member ID"  # type: ignore[index]
    assert [p[1] for p in _profiles(db_path)] == ["SUN roster layout", "SUN roster layout 2"]

    # The first layout again, header moved down by title rows: profile 1 is found and used.
    r = _roster(sun, "2026-03", xlsx(tmp_path / "c.xlsx", HEADERS, ROWS, title="March"))
    assert r.code == 0, r.err
    assert _import_mapping(db_path, "2026-03")["profile"] == "SUN roster layout"


def test_a_map_overrides_the_profile_field_by_field_and_updates_it(
    sun, tmp_path: Path, db_path: Path
) -> None:
    assert _roster(sun, "2026-01", xlsx(tmp_path / "a.xlsx", HEADERS, ROWS), "--map",
                   "member_id=Zq Key").code == 0  # fmt: skip
    r = _roster(
        sun,
        "2026-02",
        xlsx(tmp_path / "b.xlsx", HEADERS, ROWS[::-1]),
        "--map",
        "rate_cell=Alt Cell",
    )
    assert r.code == 0, r.err  # member_id still came from the profile
    info = _import_mapping(db_path, "2026-02")
    assert info["profile"] == "SUN roster layout"
    assert info["fields"]["rate_cell"] == "Alt Cell"  # type: ignore[index]
    assert info["fields"]["member_id"] == "Zq Key"  # type: ignore[index]
    assert [r[6] for r in _roster_rows(db_path, "2026-02")] == ["ABD", "ABD", "SSI"]
    # The correction is remembered: March needs no --map and reads Alt Cell again.
    assert (
        _roster(
            sun, "2026-03", xlsx(tmp_path / "c.xlsx", HEADERS, [ROWS[1], ROWS[0], ROWS[2]])
        ).code
        == 0
    )
    assert [r[6] for r in _roster_rows(db_path, "2026-03")] == ["ABD", "ABD", "SSI"]
    assert [r[6] for r in _roster_rows(db_path, "2026-01")] == ["TANF", "TANF", "TANF"]


def test_merge_drops_a_profile_field_whose_column_an_override_takes() -> None:
    profile = {"member_id": "Zq Key", "rate_cell": "Rate Cell", "gone_field": "X"}
    merged = merge_mapping("roster", profile, {"product": "rate cell"})
    assert merged == {"member_id": "Zq Key", "product": "rate cell"}
    assert header_signature(["B x", "a#"]) == header_signature(["anumber", "BX"])


def test_remittance_profiles_are_their_own(sun, tmp_path: Path, db_path: Path) -> None:
    headers = ["Zq Key" if h == "Member ID" else h for h in REMIT_HEADERS] + ["Zq Ref"]
    first = xlsx(
        tmp_path / "s1.xlsx", headers, [["000000001", "2026-01", 12.5, "CAP", "400000017"]]
    )
    r = sun("remit", "import", "--payer", "SUN", "--map", "member_id=Zq Key", first)
    assert r.code == 0, r.err
    second = xlsx(
        tmp_path / "s2.xlsx", headers, [["000000002", "2026-02", 7.25, "CAP", "400000025"]]
    )
    r = sun("remit", "import", "--payer", "SUN", second)
    assert r.code == 0, r.err
    assert [p[:2] for p in _profiles(db_path)] == [("remittance", "SUN payment statement layout")]
    # A roster with the same kind of header does not use the remittance profile.
    assert _roster(sun, "2026-01", xlsx(tmp_path / "r.xlsx", HEADERS, ROWS)).code == 3


def test_profile_list_rename_delete_through_the_cli(sun, tmp_path: Path) -> None:
    assert sun("profile", "list").out.startswith("no import profiles yet")
    assert _roster(sun, "2026-01", xlsx(tmp_path / "a.xlsx", HEADERS, ROWS), "--map",
                   "member_id=Zq Key").code == 0  # fmt: skip
    r = sun("profile", "list", "--payer", "sun", "--json")
    assert r.code == 0, r.err
    [item] = r.json()
    assert item["payer"] == "SUN" and item["kind"] == "roster"
    assert item["name"] == "SUN roster layout" and item["header_row"] == 1
    assert item["mapping"]["member_id"] == "Zq Key"
    r = sun("profile", "list")
    assert "SUN roster layout" in r.out and "member_id=Zq Key" in r.out

    r = sun("profile", "rename", "--payer", "SUN", "--name", "SUN roster layout", "--to", "Monthly")
    assert r.code == 0 and "'Monthly'" in r.out
    assert sun("profile", "list", "--json").json()[0]["name"] == "Monthly"
    r = sun("profile", "rename", "--payer", "SUN", "--name", "nope", "--to", "x")
    assert r.code == 4 and "no import profile named 'nope'" in r.err and "Monthly" in r.err
    r = sun("profile", "rename", "--payer", "SUN", "--name", "Monthly", "--to", "  ")
    assert r.code == 3 and "needs a name" in r.err
    assert sun("profile", "list", "--payer", "XYZ").code == 4
    assert sun("profile", "rename", "--payer", "SUN", "--name", "Monthly").code == 2

    # Renamed, the profile still matches by header.
    assert _roster(sun, "2026-02", xlsx(tmp_path / "b.xlsx", HEADERS, ROWS[::-1])).code == 0
    r = sun("profile", "delete", "--payer", "SUN", "--name", "monthly")
    assert r.code == 0 and "deleted SUN's roster profile 'Monthly'" in r.out
    assert sun("profile", "delete", "--payer", "SUN", "--name", "Monthly").code == 4
    assert sun("profile", "list", "--json").json() == []
    # Without the profile, the layout needs --map again.
    assert _roster(sun, "2026-03", xlsx(tmp_path / "c.xlsx", HEADERS, ROWS[:2])).code == 3


def test_service_errors_are_clear(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    payers.add_payer(db, "SUN", "Sunrise")
    for n in (1, 2):
        path = xlsx(tmp_path / f"{n}.xlsx", HEADERS if n == 1 else [*HEADERS, "X"], ROWS)
        importing.import_roster(db, "SUN", Month(2026, n), path, mapping={"member_id": "Zq Key"})
    names = [p.name for p in profiles.list_profiles(db, "SUN")]
    assert names == ["SUN roster layout", "SUN roster layout 2"]
    with pytest.raises(InputRejected, match="already has a roster profile named"):
        profiles.rename_profile(db, "SUN", "SUN roster layout", "SUN roster layout 2")
    with pytest.raises(NotFound, match="no payer"):
        profiles.list_profiles(db, "NOPE")
    with pytest.raises(InputRejected, match="at most 100"):
        profiles.rename_profile(db, "SUN", "SUN roster layout", "x" * 101)
    with pytest.raises(InputRejected, match="unknown file kind"):
        profiles.list_profiles(db, kind="claims")
    # One profile per header: importing the first layout again refreshes profile 1 only.
    importing.import_roster(db, "SUN", Month(2026, 3), xlsx(tmp_path / "3.xlsx", HEADERS, ROWS[:1]))
    after = profiles.list_profiles(db, "SUN")
    assert [p.name for p in after] == names
    assert after[0].last_used_at >= after[1].last_used_at


def test_upgrading_a_0001_database_keeps_its_data_and_backs_it_up(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.exec_driver_sql("INSERT INTO payers (code, name) VALUES ('OLD', 'Old Plan')")
    engine.dispose()

    db = open_database(path)
    assert [p.code for p in payers.list_payers(db)] == ["OLD"]
    assert profiles.list_profiles(db) == []
    db.dispose()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
    [backup] = tmp_path.glob("old.before-upgrade-*.sqlite3")
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert conn.execute("SELECT code FROM payers").fetchall() == [("OLD",)]
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
        assert "import_profiles" not in tables

    # And back down: 0002's downgrade drops only its table.
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
        tables = {n for (n,) in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
        assert "import_profiles" not in tables and "payers" in tables
    engine.dispose()


def test_profiles_on_postgresql(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same flow on the throwaway PostgreSQL server (JSON mapping, Text signature,
    the save inside the import's transaction, rename/delete through the ORM)."""
    from tests.conftest import cli_runner
    from tests.unit.test_postgres import _create_database

    pg = cli_runner(_create_database(postgres_url), capsys)
    assert pg("payer", "add", "--code", "SUN", "--name", "Sunrise", "--id-width", "9").code == 0
    jan = xlsx(tmp_path / "jan.xlsx", HEADERS, ROWS, title="January")
    assert _roster(pg, "2026-01", jan, "--map", "member_id=Zq Key").code == 0
    headers, rows = _shuffled(HEADERS, ROWS)
    r = _roster(pg, "2026-02", csv_file(tmp_path / "feb.csv", headers, rows))
    assert r.code == 0, r.err
    [item] = pg("profile", "list", "--json").json()
    assert item["mapping"]["member_id"] == "Zq Key" and item["sheet"] is None
    assert pg("profile", "rename", "--payer", "SUN", "--name", item["name"], "--to", "M").code == 0
    assert pg("profile", "delete", "--payer", "SUN", "--name", "M", "--kind", "roster").code == 0
    assert pg("profile", "list", "--json").json() == []
