"""Alembic environment: run against the connection PMPM hands over (see db/database.py)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from pmpm_desktop.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        # Command-line use (``alembic -x url=...``) for developers writing migrations.
        url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///pmpm-dev.sqlite3")
        with create_engine(url).connect() as conn:
            _run(conn)
    else:
        _run(connection)


def _run(connection: Connection) -> None:
    dbapi = connection.connection.dbapi_connection
    if connection.dialect.name == "sqlite" and not getattr(dbapi, "in_transaction", True):
        # Python's sqlite3 opens a transaction only before INSERT/UPDATE/DELETE: each ALTER or
        # CREATE before the first of them commits by itself, and a kill mid-upgrade left a
        # half-upgraded schema under the old revision that no later start could upgrade. One
        # BEGIN of our own makes the whole upgrade one transaction (SQLite's DDL is
        # transactional); SQLAlchemy's commit then commits it.
        connection.exec_driver_sql("BEGIN")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
