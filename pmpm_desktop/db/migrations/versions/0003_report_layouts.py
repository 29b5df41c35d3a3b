"""payer ID rules and amount signs, stale discrepancies, values and options in import profiles

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added columns only; batch mode rebuilds the SQLite tables, PostgreSQL just alters them.
    with op.batch_alter_table("payers") as batch:
        batch.add_column(sa.Column("id_rule", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("credit_is_payment", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("discrepancies") as batch:
        batch.add_column(
            sa.Column("stale", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("import_profiles") as batch:
        batch.add_column(sa.Column("values", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("options", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_profiles") as batch:
        batch.drop_column("options")
        batch.drop_column("values")
    with op.batch_alter_table("discrepancies") as batch:
        batch.drop_column("stale")
    with op.batch_alter_table("payers") as batch:
        batch.drop_column("credit_is_payment")
        batch.drop_column("id_rule")
