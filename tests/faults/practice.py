"""The small practice the fault-injection runs work on, and its payer files.

One payer (FLT), one flat-rate contract, 120 members whose IDs (``7391…``) and last names
(``Zarquo…``) appear nowhere else, so a scan of a folder for them finds only member data we
wrote. Every run works in its own folder::

    work/db/pmpm.sqlite3   the database (and its WAL, pre-upgrade copies, demo-files/)
    work/in/               the payer files the operation reads
    work/out/              what it writes (report, backup)
    work/tmp/              TMPDIR of the killed process
    work/private/          PMPM_TMPDIR of the killed process (our private temp folder)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database, open_database
from pmpm_desktop.services import importing, payers
from pmpm_desktop.services.reconciling import reconcile
from tests.unit.files import REMIT_HEADERS, ROSTER_HEADERS, csv_file, xlsx
from tests.unit.x12_files import Coverage834, Member834, enrollment

PAYER = "FLT"
CONTRACT = "Cap"
MEMBERS = 120
JAN, FEB, MAR = Month(2026, 1), Month(2026, 2), Month(2026, 3)
FOLDERS = ("db", "in", "out", "tmp", "private")


@dataclass(frozen=True)
class Person:
    member_id: str
    last: str
    first: str
    dob: dt.date
    sex: str


def _letters(i: int) -> str:
    return "".join(chr(ord("a") + (i // 26**k) % 26) for k in (2, 1, 0))


def people(count: int = MEMBERS) -> list[Person]:
    """The practice's members (deterministic)."""
    return [
        Person(
            f"{739100000 + i:09d}",
            f"Zarquo{_letters(i)}",
            f"Ilse{_letters(i)}",
            dt.date(1950 + i % 60, 1 + i % 12, 1 + i % 28),
            "FM"[i % 2],
        )
        for i in range(count)
    ]


def db_file(work: Path) -> Path:
    return work / "db" / "pmpm.sqlite3"


def make_folders(work: Path) -> None:
    for name in FOLDERS:
        (work / name).mkdir(parents=True, exist_ok=True)


def roster_rows(members: list[Person]) -> list[list[object]]:
    return [
        [p.member_id, p.last, p.first, p.dob, p.sex, "MCD", "TANF", None, None] for p in members
    ]


def statement_rows(members: list[Person], months: list[Month]) -> list[list[object]]:
    """Capitation at the contract's 100.00, with the usual mistakes: every 7th member unpaid,
    every 11th short by 10.00, and one member paid twice."""
    rows: list[list[object]] = []
    for month in months:
        for i, p in enumerate(members):
            if i % 7 == 3:
                continue
            amount = "90.00" if i % 11 == 5 else "100.00"
            rows.append([p.member_id, str(month), amount, "Capitation"])
        rows.append([members[0].member_id, str(month), "100.00", "Capitation"])
    return rows


def write_inputs(work: Path) -> None:
    """Every payer file the operations read, into ``work/in``."""
    members = people()
    inbox = work / "in"
    csv_file(inbox / "rates.csv", ["effective_from", "amount"], [["2026-01", "100.00"]])
    xlsx(inbox / "roster-2026-01.xlsx", ROSTER_HEADERS, roster_rows(members[:100]))
    xlsx(inbox / "roster-2026-02.xlsx", ROSTER_HEADERS, roster_rows(members))
    csv_file(inbox / "statement.csv", REMIT_HEADERS, statement_rows(members, [JAN, FEB]))
    roster_834 = [
        Member834(
            p.member_id,
            last=p.last.upper(),
            first=p.first.upper(),
            dob=p.dob.strftime("%Y%m%d"),
            sex=p.sex,
            coverages=(Coverage834(plan="MCD", refs={"17": "TANF"}),),
        )
        for p in members
    ]
    (inbox / "enrollment-2026-03.834").write_bytes(enrollment(roster_834))


def _payer(db: Database, work: Path) -> None:
    payers.add_payer(db, PAYER, "Fault Test Health", 9)
    payers.add_contract(db, PAYER, payers.ContractSpec(CONTRACT, JAN, products=("MCD",)))
    importing.import_rates(db, PAYER, CONTRACT, work / "in" / "rates.csv")


def build(work: Path, stage: str) -> None:
    """The database an operation starts from, at ``stage``:

    * ``empty``: a new database;
    * ``payer``: the payer, its contract and rates, the January roster (committed data a
      killed import must leave as it was);
    * ``rosters``: and the February roster;
    * ``practice``: and the statement, reconciled (what reconcile, report, backup and the
      schema upgrade start from).
    """
    make_folders(work)
    write_inputs(work)
    db = open_database(db_file(work))
    try:
        if stage == "empty":
            return
        _payer(db, work)
        importing.import_roster(db, PAYER, JAN, work / "in" / "roster-2026-01.xlsx")
        if stage == "payer":
            return
        importing.import_roster(db, PAYER, FEB, work / "in" / "roster-2026-02.xlsx")
        if stage == "rosters":
            return
        importing.import_remittance(db, PAYER, work / "in" / "statement.csv")
        reconcile(db, PAYER, JAN, FEB)
    finally:
        db.dispose()


def downgrade(work: Path, revision: str) -> None:
    """Take the database back to an older schema ``revision`` (Alembic's own downgrade), as a
    database made by an earlier version of the app would be."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from pmpm_desktop.db.database import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(f"sqlite:///{db_file(work)}")
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revision)
    finally:
        engine.dispose()
