"""Databases and practices several test files set up the same way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database, open_database
from pmpm_desktop.services import importing, payers
from tests.unit.files import worked_example_rates


def sqlite_or_postgres(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Database]:
    """The body of a ``db`` fixture with ``params=["sqlite", "postgresql"]``: this test's SQLite
    file, or a fresh database on the session's throwaway PostgreSQL server."""
    if request.param == "sqlite":
        database = open_database(db_path)
    else:
        from tests.unit.test_postgres import _create_database

        database = open_database(_create_database(request.getfixturevalue("postgres_url")))
    yield database
    database.dispose()


def add_sunrise(db: Database, tmp_path: Path) -> Database:
    """SPEC §8's payer (SUN), its Medicaid HMO contract and the worked example's rates; no
    rosters or statements yet."""
    payers.add_payer(db, "SUN", "Sunrise Health", 9)
    payers.add_contract(
        db,
        "SUN",
        payers.ContractSpec("Medicaid HMO", Month(2026, 1), products=("MCD",), withhold_pct="2"),
    )
    importing.import_rates(db, "SUN", "Medicaid HMO", worked_example_rates(tmp_path / "rates.xlsx"))
    return db
