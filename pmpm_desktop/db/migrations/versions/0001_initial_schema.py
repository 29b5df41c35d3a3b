"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 07:47:55.296412
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "payers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("id_width", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payers")),
        sa.UniqueConstraint("code", name=op.f("uq_payers_code")),
    )
    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("product_codes", sa.JSON(), nullable=False),
        sa.Column("effective_from", sa.String(length=7), nullable=False),
        sa.Column("effective_to", sa.String(length=7), nullable=True),
        sa.Column("eligibility", sa.String(length=20), nullable=False),
        sa.Column("age_basis", sa.String(length=20), nullable=False),
        sa.Column("risk_adjusted", sa.Boolean(), nullable=False),
        sa.Column("withhold_pct", sa.Numeric(12, 6), nullable=False),
        sa.Column("tolerance", sa.Numeric(12, 2), nullable=False),
        sa.Column("retro_window_months", sa.Integer(), nullable=False),
        sa.Column("payment_due_day", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["payer_id"],
            ["payers.id"],
            name=op.f("fk_contracts_payer_id_payers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("payer_id", "name", name=op.f("uq_contracts_payer_id")),
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contracts_payer_id"), ["payer_id"], unique=False)

    op.create_table(
        "discrepancies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=40), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("expected", sa.Numeric(12, 2), nullable=False),
        sa.Column("paid", sa.Numeric(12, 2), nullable=False),
        sa.Column("variance", sa.Numeric(12, 2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("auto_resolved", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["payer_id"],
            ["payers.id"],
            name=op.f("fk_discrepancies_payer_id_payers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discrepancies")),
        sa.UniqueConstraint(
            "payer_id", "member_id", "month", name=op.f("uq_discrepancies_payer_id")
        ),
    )
    with op.batch_alter_table("discrepancies", schema=None) as batch_op:
        batch_op.create_index("ix_discrepancies_payer_month", ["payer_id", "month"], unique=False)

    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=40), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("dob", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["payers.id"], name=op.f("fk_members_payer_id_payers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("payer_id", "member_id", name=op.f("uq_members_payer_id")),
    )
    op.create_table(
        "remittance_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=400), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("payment_date", sa.Date(), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("stated_total", sa.Numeric(12, 2), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("lines_cache", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["payer_id"],
            ["payers.id"],
            name=op.f("fk_remittance_imports_payer_id_payers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remittance_imports")),
    )
    with op.batch_alter_table("remittance_imports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_remittance_imports_payer_id"), ["payer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_remittance_imports_sha256"), ["sha256"], unique=False)

    op.create_table(
        "roster_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.Integer(), nullable=False),
        sa.Column("roster_month", sa.String(length=7), nullable=False),
        sa.Column("file_name", sa.String(length=400), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.Column("rows_cache", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["payer_id"],
            ["payers.id"],
            name=op.f("fk_roster_imports_payer_id_payers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["roster_imports.id"],
            name=op.f("fk_roster_imports_replaced_by_id_roster_imports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_imports")),
    )
    with op.batch_alter_table("roster_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_imports_payer_id"), ["payer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_roster_imports_sha256"), ["sha256"], unique=False)

    op.create_table(
        "discrepancy_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("discrepancy_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("old_status", sa.String(length=20), nullable=True),
        sa.Column("new_status", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["discrepancy_id"],
            ["discrepancies.id"],
            name=op.f("fk_discrepancy_events_discrepancy_id_discrepancies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discrepancy_events")),
    )
    with op.batch_alter_table("discrepancy_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_discrepancy_events_discrepancy_id"), ["discrepancy_id"], unique=False
        )

    op.create_table(
        "member_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.Integer(), nullable=False),
        sa.Column("alias_id", sa.String(length=40), nullable=False),
        sa.Column("member_pk", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_pk"],
            ["members.id"],
            name=op.f("fk_member_aliases_member_pk_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"],
            ["payers.id"],
            name=op.f("fk_member_aliases_payer_id_payers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_aliases")),
        sa.UniqueConstraint("payer_id", "alias_id", name=op.f("uq_member_aliases_payer_id")),
    )
    op.create_table(
        "rate_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.String(length=7), nullable=False),
        sa.Column("effective_to", sa.String(length=7), nullable=True),
        sa.Column("component", sa.String(length=60), nullable=False),
        sa.Column("rate_cell", sa.String(length=60), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("age_min", sa.Integer(), nullable=True),
        sa.Column("age_max", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_rate_rows_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_rows")),
    )
    with op.batch_alter_table("rate_rows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_rows_contract_id"), ["contract_id"], unique=False)

    op.create_table(
        "remittance_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=40), nullable=False),
        sa.Column("coverage_month", sa.String(length=7), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("line_type", sa.String(length=100), nullable=True),
        sa.Column("member_name", sa.String(length=200), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["remittance_imports.id"],
            name=op.f("fk_remittance_lines_import_id_remittance_imports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"],
            ["payers.id"],
            name=op.f("fk_remittance_lines_payer_id_payers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remittance_lines")),
    )
    with op.batch_alter_table("remittance_lines", schema=None) as batch_op:
        batch_op.create_index("ix_remittance_lines_import", ["import_id"], unique=False)
        batch_op.create_index(
            "ix_remittance_lines_payer_month", ["payer_id", "coverage_month"], unique=False
        )

    op.create_table(
        "roster_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("member_pk", sa.Integer(), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("dob", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("product", sa.String(length=60), nullable=True),
        sa.Column("rate_cell", sa.String(length=60), nullable=True),
        sa.Column("pcp", sa.String(length=60), nullable=True),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("term_date", sa.Date(), nullable=True),
        sa.Column("risk_score", sa.Numeric(12, 6), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["roster_imports.id"],
            name=op.f("fk_roster_rows_import_id_roster_imports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_pk"], ["members.id"], name=op.f("fk_roster_rows_member_pk_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_rows")),
    )
    with op.batch_alter_table("roster_rows", schema=None) as batch_op:
        batch_op.create_index("ix_roster_rows_import", ["import_id"], unique=False)
        batch_op.create_index("ix_roster_rows_member", ["member_pk"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("roster_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_roster_rows_member")
        batch_op.drop_index("ix_roster_rows_import")

    op.drop_table("roster_rows")
    with op.batch_alter_table("remittance_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_remittance_lines_payer_month")
        batch_op.drop_index("ix_remittance_lines_import")

    op.drop_table("remittance_lines")
    with op.batch_alter_table("rate_rows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_rows_contract_id"))

    op.drop_table("rate_rows")
    op.drop_table("member_aliases")
    with op.batch_alter_table("discrepancy_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_discrepancy_events_discrepancy_id"))

    op.drop_table("discrepancy_events")
    with op.batch_alter_table("roster_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_imports_sha256"))
        batch_op.drop_index(batch_op.f("ix_roster_imports_payer_id"))

    op.drop_table("roster_imports")
    with op.batch_alter_table("remittance_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_remittance_imports_sha256"))
        batch_op.drop_index(batch_op.f("ix_remittance_imports_payer_id"))

    op.drop_table("remittance_imports")
    op.drop_table("members")
    with op.batch_alter_table("discrepancies", schema=None) as batch_op:
        batch_op.drop_index("ix_discrepancies_payer_month")

    op.drop_table("discrepancies")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contracts_payer_id"))

    op.drop_table("contracts")
    op.drop_table("payers")
