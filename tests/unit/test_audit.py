"""The audit trail: every import, rollback, status change, note, link and unlink is recorded
with who did it, in the action's own transaction, and `pmpm audit` lists them."""

from __future__ import annotations

import datetime as dt
import getpass
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import _alembic_config, open_database
from pmpm_desktop.db.models import AuditEntry, Discrepancy, DiscrepancyEvent
from pmpm_desktop.progress import Cancelled
from pmpm_desktop.services import importing, payers
from pmpm_desktop.services.audit import (
    UNKNOWN_ACTOR,
    UNRECORDED_ACTOR,
    AuditAction,
    actor_for,
    audit_entries,
    record,
)
from pmpm_desktop.services.discrepancies import history
from pmpm_desktop.services.import_history import rollback_import
from tests.conftest import CliResult
from tests.unit.files import REMIT_HEADERS, ROSTER_HEADERS, A, B, xlsx
from tests.unit.test_cli_end_to_end import practice  # noqa: F401 - the fixture

Run = Callable[..., CliResult]
ME = getpass.getuser()
#: what no audit text may hold: the practice's member names and dates of birth
MEMBER_DATA = ("ALPHA", "ANN", "BRAVO", "BEN", "1990-05-10", "2024-01-15")


def _paid_and_reconciled(cli: Run, folder: Path) -> None:
    rows = [["000000001", "2026-01", 176.40, "CAP"], ["000000099", "2026-01", 50, "CAP"]]
    r = cli("remit", "import", "--payer", "SUN", xlsx(folder / "stmt.xlsx", REMIT_HEADERS, rows))
    assert r.code == 0, r.err
    r = cli("reconcile", "--payer", "SUN", "--from", "2026-01", "--to", "2026-03")
    assert r.code == 0, r.err


def test_every_action_is_recorded_with_the_os_user_and_no_member_data(
    cli: Run,
    practice: Path,  # noqa: F811
    db_path: Path,
) -> None:
    _paid_and_reconciled(cli, practice)
    member = ("--payer", "SUN", "--member", "000000001", "--month", "2026-01")
    assert cli("discrepancy", "set-status", *member, "--status", "disputed").code == 0
    note = ("--status", "disputed", "--note", "ALPHA called")
    assert cli("discrepancy", "set-status", *member, *note).code == 0
    link = ("--payer", "SUN", "--alias", "000000099")
    assert cli("member", "link", *link, "--member", "000000002").code == 0
    assert cli("member", "unlink", *link).code == 0

    r = cli("audit", "--json")
    assert r.code == 0, r.err
    entries = r.json()
    assert [(e["action"], e["subject"]) for e in entries] == [
        ("import_rates", "contract Medicaid HMO"),
        ("import_roster", "roster import 1"),
        ("import_roster", "roster import 2"),
        ("import_roster", "roster import 3"),
        ("import_roster", "roster import 4"),
        ("import_statement", "statement import 1"),
        ("status", "discrepancy 1 (2026-01)"),
        ("note", "discrepancy 1 (2026-01)"),
        ("link", "alias 000000099"),
        ("unlink", "alias 000000099"),
    ]
    assert {e["actor"] for e in entries} == {ME}
    assert {e["payer"] for e in entries} == {"SUN"}
    assert set(entries[0]) == {"at", "actor", "action", "payer", "subject", "detail"}
    assert dt.datetime.fromisoformat(entries[0]["at"]).tzinfo is not None
    details = [e["detail"] for e in entries]
    assert details[0] == "rates.xlsx: 5 rate rows (replaced 0)"
    assert details[1] == "jan.xlsx: 2 rows, roster month 2026-01"
    assert details[5] == "stmt.xlsx: 2 lines"
    assert details[6:] == [
        "open → disputed",
        "note added",
        "linked to member 000000002",
        "unlinked from member 000000002",
    ]
    assert not any(word in str(entries) for word in MEMBER_DATA)
    # The discrepancy's own history names the same person.
    db = open_database(db_path)
    try:
        events = history(db, "SUN", "000000001", Month(2026, 1))
        assert [(e.event, e.actor) for e in events] == [
            ("created", "reconcile"),
            ("status", ME),
            ("note", ME),
        ]
    finally:
        db.dispose()

    table = cli("audit").out.splitlines()
    assert table[0].split() == ["when", "who", "action", "payer", "what"]
    assert "status" in table[8] and "discrepancy 1 (2026-01): open → disputed" in table[8]


def test_a_rollback_is_recorded_and_the_rolled_back_import_keeps_its_entry(
    cli: Run,
    practice: Path,  # noqa: F811
    db_path: Path,
) -> None:
    db = open_database(db_path)
    try:
        rollback_import(db, "roster", 4)
        [imported] = audit_entries(db, actor=ME.upper())[4:5]
        [rolled] = [e for e in audit_entries(db) if e.action == AuditAction.ROLLBACK]
    finally:
        db.dispose()
    assert (imported.action, imported.subject) == ("import_roster", "roster import 4")
    assert (rolled.subject, rolled.detail) == (
        "roster import 4",
        "may.xlsx: 1 rows of roster month 2026-05 removed",
    )
    assert rolled.actor == ME and rolled.payer_code == "SUN"


def test_an_import_that_is_refused_or_cancelled_leaves_no_entry(
    cli: Run,
    practice: Path,  # noqa: F811
    db_path: Path,
) -> None:
    before = cli("audit", "--json").json()
    again = cli("roster", "import", "--payer", "SUN", "--month", "2026-01", practice / "jan.xlsx")
    assert again.code == 3  # the same file twice
    db = open_database(db_path)
    try:
        # Cancelled after the import's rows and its audit entry were written, before the commit.
        with pytest.raises(Cancelled):
            importing.import_roster(
                db,
                "SUN",
                Month(2026, 6),
                xlsx(practice / "jun.xlsx", ROSTER_HEADERS, [A, B]),
                progress=lambda done, _total: done < 3,
            )
    finally:
        db.dispose()
    assert cli("audit", "--json").json() == before


def _entries_on(db_path: Path, days: list[tuple[dt.datetime, str, str]]) -> None:
    db = open_database(db_path)
    try:
        with db.sessions.begin() as s:
            for at, payer, subject in days:
                local_noon = at.astimezone(dt.UTC).replace(tzinfo=None)
                record(s, AuditAction.NOTE, payer, subject, "note added", local_noon)
    finally:
        db.dispose()


def test_from_to_payer_and_actor_narrow_the_list(cli: Run, db_path: Path) -> None:
    def noon(day: str) -> dt.datetime:
        return dt.datetime.fromisoformat(f"{day}T12:00").astimezone()

    _entries_on(
        db_path,
        [
            (noon("2026-02-28"), "SUN", "discrepancy 1 (2026-01)"),
            (noon("2026-03-01"), "SUN", "discrepancy 2 (2026-01)"),
            (noon("2026-03-31"), "BAY", "discrepancy 3 (2026-01)"),
            (noon("2026-04-01"), "SUN", "discrepancy 4 (2026-01)"),
        ],
    )

    def subjects(*args: str) -> list[str]:
        r = cli("audit", "--json", *args)
        assert r.code == 0, r.err
        return [e["subject"][:13] for e in r.json()]

    assert len(subjects()) == 4
    both_ends = subjects("--from", "2026-03-01", "--to", "2026-03-31")
    assert both_ends == ["discrepancy 2", "discrepancy 3"]
    assert subjects("--from", "2026-03", "--to", "2026-03") == both_ends
    assert subjects("--from", "2026-03-31") == ["discrepancy 3", "discrepancy 4"]
    assert subjects("--to", "2026-02") == ["discrepancy 1"]
    assert subjects("--payer", "bay") == ["discrepancy 3"]
    assert len(subjects("--actor", ME.upper())) == 4
    assert subjects("--actor", "someone-else") == []

    empty = cli("audit", "--from", "2025-01-01", "--to", "2025-01-31", "--payer", "sun")
    assert (empty.code, empty.out) == (
        0,
        "no audit entries from 2025-01-01 to 2025-01-31 for SUN\n",
    )
    assert cli("audit", "--from", "2026-13-01").code == 2
    backwards = cli("audit", "--from", "2026-04-01", "--to", "2026-03-01")
    assert backwards.code == 2 and "after" in backwards.err


def test_the_actor_is_unknown_when_the_os_will_not_say(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_user() -> str:
        raise OSError("no user name")

    monkeypatch.setattr(getpass, "getuser", no_user)
    db = open_database(db_path)
    try:
        assert actor_for(db) == UNKNOWN_ACTOR
    finally:
        db.dispose()


def test_upgrading_a_0004_database_enters_its_earlier_work_and_keeps_its_events(
    cli: Run,
    practice: Path,  # noqa: F811
    db_path: Path,
) -> None:
    _paid_and_reconciled(cli, practice)
    member = ("--payer", "SUN", "--member", "000000001", "--month", "2026-01")
    assert cli("discrepancy", "set-status", *member, "--status", "disputed").code == 0
    link = ("--payer", "SUN", "--alias", "000000099", "--member", "000000002")
    assert cli("member", "link", *link).code == 0
    # Back to 0004, with the events as a 0004 database wrote them.
    engine = create_engine(f"sqlite:///{db_path}")
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
        conn.exec_driver_sql(
            "UPDATE discrepancy_events SET actor = 'user' WHERE actor <> 'reconcile'"
        )
    engine.dispose()

    db = open_database(db_path)
    try:
        entries = audit_entries(db)
        with db.sessions() as s:
            actors = set(s.scalars(select(DiscrepancyEvent.actor).distinct()))
            alias_discrepancy = s.scalar(
                select(Discrepancy.id).where(Discrepancy.member_id == "000000099")
            )
            assert s.scalar(select(func.count()).select_from(AuditEntry)) == len(entries)
    finally:
        db.dispose()
    assert actors == {"reconcile", "user"}
    assert {e.actor for e in entries} == {UNRECORDED_ACTOR}
    assert sorted((e.action, e.subject) for e in entries) == sorted(
        [
            ("import_roster", "roster import 1"),
            ("import_roster", "roster import 2"),
            ("import_roster", "roster import 3"),
            ("import_roster", "roster import 4"),
            ("import_statement", "statement import 1"),
            ("link", "alias 000000099"),
            ("status", "discrepancy 1 (2026-01)"),
            # the link's note in the alias's discrepancy history
            ("note", f"discrepancy {alias_discrepancy} (2026-01)"),
        ]
    )  # (a 0004 database never dated its rates: they have no entry to enter)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0005",)


def test_two_clerks_on_one_postgresql_database_are_told_apart(
    postgres_url: str, tmp_path: Path
) -> None:
    """On a shared server the actor is the database login, not the OS user of the PC."""
    psycopg = pytest.importorskip("psycopg")
    from tests.unit.test_postgres import _create_database

    url = make_url(_create_database(postgres_url))
    with psycopg.connect(
        host=str(url.query["host"]),
        port=int(str(url.query["port"])),
        user=url.username,
        dbname=url.database,
    ) as conn:
        conn.execute("CREATE ROLE clerk_ana LOGIN")
        conn.execute("CREATE ROLE clerk_bo LOGIN")
        conn.execute("GRANT ALL ON SCHEMA public TO clerk_ana, clerk_bo")
        conn.commit()
    ana = open_database(url.set(username="clerk_ana").render_as_string(hide_password=False))
    try:
        assert actor_for(ana) == "clerk_ana"
        payers.add_payer(ana, "SUN", "Sunrise", 9)
        with ana.engine.begin() as conn:
            conn.exec_driver_sql("GRANT ALL ON ALL TABLES IN SCHEMA public TO clerk_bo")
            conn.exec_driver_sql("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO clerk_bo")
        importing.import_roster(
            ana, "SUN", Month(2026, 1), xlsx(tmp_path / "jan.xlsx", ROSTER_HEADERS, [A, B])
        )
    finally:
        ana.dispose()
    bo = open_database(url.set(username="clerk_bo").render_as_string(hide_password=False))
    try:
        importing.import_roster(
            bo, "SUN", Month(2026, 2), xlsx(tmp_path / "feb.xlsx", ROSTER_HEADERS, [B])
        )
        rows = [(e.actor, e.subject) for e in audit_entries(bo)]
        assert [e.as_json()["actor"] for e in audit_entries(bo, actor="CLERK_BO")] == ["clerk_bo"]
    finally:
        bo.dispose()
    assert rows == [("clerk_ana", "roster import 1"), ("clerk_bo", "roster import 2")]
