"""The `pmpm` command line end to end on a real PostgreSQL server (psycopg 3).

Every other test uses SQLite; these run the same flow through the non-SQLite paths (Core
executemany inserts, typed result rows, Numeric money, UPDATE … FROM, JSON and bytea columns,
the Alembic migration on PostgreSQL). Each test gets a database of its own on the session's
throwaway server (the ``postgres_url`` fixture of ``tests/conftest.py``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select, table
from sqlalchemy.engine import make_url

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database, open_database
from pmpm_desktop.db.models import Base, Contract
from pmpm_desktop.db.types import Money, Scaled
from pmpm_desktop.services import payers
from tests.conftest import CliResult, cli_runner
from tests.unit import test_cli_end_to_end as sqlite_e2e
from tests.unit import test_services as sqlite_services
from tests.unit.files import REMIT_HEADERS, ROSTER_HEADERS, A, B, xlsx

_numbers = itertools.count(1)
NUMERIC_OID = 1700

# Fixtures of the SQLite tests, here resolved against our ``cli`` and ``db`` (PostgreSQL):
# the SPEC §8 practice, and the two-contract payer of the service tests.
practice = sqlite_e2e.practice
two_contracts = sqlite_services.two_contracts

Run = Callable[..., CliResult]


def _create_database(server_url: str, options: str = "") -> str:
    """CREATE DATABASE test_<n> on the server of ``server_url``; its SQLAlchemy URL."""
    import psycopg

    url = make_url(server_url)
    name = f"test_{next(_numbers)}"
    with psycopg.connect(
        host=url.query["host"],
        port=int(url.query["port"]),  # type: ignore[arg-type]
        user=url.username,
        dbname=url.database,
        autocommit=True,
    ) as conn:
        conn.execute(f'CREATE DATABASE "{name}" {options}')
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def pg_url(postgres_url: str) -> str:
    """A new, empty database on the session's server, for this test alone."""
    return _create_database(postgres_url)


@pytest.fixture
def cli(pg_url: str, capsys: pytest.CaptureFixture[str]) -> Run:
    """``pmpm --db <this test's PostgreSQL database> ARGS``, in-process."""
    return cli_runner(pg_url, capsys)


@pytest.fixture
def db(pg_url: str) -> Iterator[Database]:
    database = open_database(pg_url)
    yield database
    database.dispose()


def _table_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
            return {
                n: conn.execute(select(func.count()).select_from(table(n))).scalar_one()
                for n in names
            }
    finally:
        engine.dispose()


def test_the_migration_builds_exactly_the_models(cli: Run, pg_url: str, db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    counts = _table_counts(pg_url)
    assert counts["alembic_version"] == 1
    # Opening again finds the schema current and changes nothing.
    assert cli("init").code == 0
    assert _table_counts(pg_url) == counts


def test_money_and_decimals_are_read_as_decimal_never_through_float(db: Database) -> None:
    dialect = db.engine.dialect
    for column_type in (Money(), Scaled(4), Scaled(6)):
        numeric = column_type.dialect_impl(dialect).impl_instance  # type: ignore[attr-defined]
        # No result processor: the driver's Decimal is used as it is (no float conversion).
        assert numeric.result_processor(dialect, NUMERIC_OID) is None
    payers.add_payer(db, "SUN", "Sunrise", None)
    with db.sessions.begin() as s:
        payer_id = payers.get_payer(s, "SUN").id
        s.add(
            Contract(
                payer_id=payer_id,
                name="Big",
                product_codes=["MCD", "Ñ"],
                effective_from=Month.parse("2026-01"),
                withhold_pct=Decimal("2.1234"),
                tolerance=Decimal("9999999999.99"),
            )
        )
    with db.sessions() as s:
        contract = s.scalars(select(Contract)).one()
        assert contract.tolerance == Decimal("9999999999.99")
        assert str(contract.withhold_pct) == "2.1234"
        assert contract.product_codes == ["MCD", "Ñ"]  # a JSON column


def test_member_details_follow_the_newest_roster_month(two_contracts: Database) -> None:
    # UPDATE … FROM on PostgreSQL (services/importing._refresh_members).
    sqlite_services.test_member_details_follow_the_newest_roster_month(two_contracts)


def test_an_alias_counts_as_the_member_and_explain_tells_why(two_contracts: Database) -> None:
    sqlite_services.test_an_alias_counts_as_the_member_and_explain_tells_why(two_contracts)


def test_a_sql_ascii_database_still_reads_text_as_utf8(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # A server initialised in the C locale makes SQL_ASCII databases; psycopg would hand back
    # bytes there unless the connection says UTF-8 (db/database.open_database does).
    url = _create_database(postgres_url, "TEMPLATE template0 ENCODING 'SQL_ASCII'")
    run = cli_runner(url, capsys)
    assert run("payer", "add", "--code", "MUN", "--name", "Muñoz Salud").code == 0
    listed = run("payer", "list", "--json")
    assert listed.code == 0, listed.err
    assert listed.json()[0]["name"] == "Muñoz Salud"


def test_worked_example_figure_by_figure(cli: Run, practice: Path) -> None:
    # The SQLite test's every assertion (figures, recoupment, auto-resolve), on PostgreSQL.
    sqlite_e2e.test_worked_example_figure_by_figure(cli, practice)


def test_status_and_notes_survive_reconciling_again(cli: Run, practice: Path) -> None:
    sqlite_e2e.test_status_and_notes_survive_reconciling_again(cli, practice)


def test_bad_files_leave_the_database_unchanged(cli: Run, practice: Path, pg_url: str) -> None:
    before = _table_counts(pg_url)
    r = cli(
        "remit",
        "import",
        "--payer",
        "SUN",
        xlsx(
            practice / "bad.xlsx",
            REMIT_HEADERS,
            [["000000001", "2026-01", "176.40", "CAP"], ["000000002", "garbage", "1.00", "CAP"]],
        ),
    )
    assert r.code == 3 and "row 3" in r.err
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
    r = cli("roster", "import", "--payer", "SUN", "--month", "2026-01", practice / "jan.xlsx")
    assert r.code == 3 and "already imported" in r.err
    assert _table_counts(pg_url) == before


def test_demo_gives_every_kind_and_the_same_figures_as_sqlite(
    cli: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sqlite_cli = cli_runner(tmp_path / "demo.sqlite3", capsys)
    assert cli("demo", "--members", "60").code == 0
    assert sqlite_cli("demo", "--members", "60").code == 0
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
        args = ("reconcile", "--payer", code, "--from", "2026-01", "--to", "2026-06", "--json")
        on_postgres = cli(*args)
        on_sqlite = sqlite_cli(*args)
        assert on_postgres.code == 0, on_postgres.err
        assert on_sqlite.code == 0, on_sqlite.err
        assert on_postgres.json()["counts"]["matched"] > 0
        assert on_postgres.out == on_sqlite.out
    assert cli("discrepancies", "--json").out == sqlite_cli("discrepancies", "--json").out
