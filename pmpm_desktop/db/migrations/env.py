"""Alembic environment: run against the connection PMPM hands over (see db/database.py)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

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


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
