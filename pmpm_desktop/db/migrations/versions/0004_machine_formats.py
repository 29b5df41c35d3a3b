"""file formats and X12 interchanges on imports; payer-level payments

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_IMPORTS = ("roster_imports", "remittance_imports")


def upgrade() -> None:
    for table in _IMPORTS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("file_format", sa.String(20), nullable=True))
            batch.add_column(sa.Column("interchange", sa.String(100), nullable=True))
            batch.create_index(f"ix_{table}_interchange", ["interchange"])
    op.create_table(
        "payer_payments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "import_id",
            sa.Integer(),
            sa.ForeignKey("remittance_imports.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "payer_id", sa.Integer(), sa.ForeignKey("payers.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("code", sa.String(10), nullable=False),
        sa.Column("reference", sa.String(100), nullable=True),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
    )
    op.create_index("ix_payer_payments_import_id", "payer_payments", ["import_id"])


def downgrade() -> None:
    op.drop_index("ix_payer_payments_import_id", "payer_payments")
    op.drop_table("payer_payments")
    for table in _IMPORTS:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_interchange")
            batch.drop_column("interchange")
            batch.drop_column("file_format")
