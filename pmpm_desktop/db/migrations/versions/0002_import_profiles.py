"""import profiles: how each payer's files are read, saved after a successful import

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A new table only: plain CREATE TABLE on every database (no batch rebuild needed).
    op.create_table(
        "import_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sheet", sa.String(length=200), nullable=True),
        sa.Column("header_row", sa.Integer(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("header_signature", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('roster', 'remittance', 'rates')", name=op.f("ck_import_profiles_kind")
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"],
            ["payers.id"],
            name=op.f("fk_import_profiles_payer_id_payers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_profiles")),
        sa.UniqueConstraint("payer_id", "kind", "name", name=op.f("uq_import_profiles_payer_id")),
    )


def downgrade() -> None:
    op.drop_table("import_profiles")
