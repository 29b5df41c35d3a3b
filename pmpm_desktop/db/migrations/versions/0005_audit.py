"""the audit trail: who imported, rolled back, linked or changed what, and when

Revision ID: 0005
Revises: 0004
Create Date: 2027-01-11 10:00:00

The work done before this revision is entered into the trail too, so the trail starts with
the database and not with the upgrade: every stored import, alias link and person's status
change or note, dated as it was stored, under the actor ``unrecorded`` (no one recorded who it
was). The texts are this revision's own (a migration never imports the app's code); they match
what services/audit.py writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UNRECORDED = "unrecorded"
_BATCH = 1000

_audit = sa.table(
    "audit_entries",
    sa.column("at", sa.DateTime()),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("payer_code", sa.String()),
    sa.column("subject", sa.String()),
    sa.column("detail", sa.Text()),
)


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("payer_code", sa.String(20), nullable=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_audit_entries_at", "audit_entries", ["at"])
    conn = op.get_bind()
    # Read everything before the first insert: no cursor stays open across the writes.
    earlier = list(_earlier_work(conn))
    for start in range(0, len(earlier), _BATCH):
        conn.execute(sa.insert(_audit), earlier[start : start + _BATCH])


def downgrade() -> None:
    op.drop_index("ix_audit_entries_at", "audit_entries")
    op.drop_table("audit_entries")


def _entry(at: Any, action: str, payer: str, subject: str, detail: str) -> dict[str, Any]:
    return {
        "at": at,
        "actor": UNRECORDED,
        "action": action,
        "payer_code": payer,
        "subject": subject,
        "detail": detail,
    }


def _earlier_work(conn: sa.Connection) -> Iterator[dict[str, Any]]:
    """The entries of what the database already holds, oldest first within each kind."""
    for id_, payer, at, file_name, rows, month, replaced_by in conn.execute(
        sa.text(
            "SELECT r.id, p.code, r.imported_at AS at, r.file_name, r.row_count, r.roster_month, "
            "r.replaced_by_id FROM roster_imports r JOIN payers p ON p.id = r.payer_id "
            "ORDER BY r.id"
        ).columns(at=sa.DateTime())
    ):
        detail = f"{file_name}: {rows:,} rows, roster month {month}"
        if replaced_by is not None:
            detail += f"; later replaced by roster import {replaced_by}"
        yield _entry(at, "import_roster", payer, f"roster import {id_}", detail)
    for id_, payer, at, file_name, rows in conn.execute(
        sa.text(
            "SELECT r.id, p.code, r.imported_at AS at, r.file_name, r.row_count "
            "FROM remittance_imports r JOIN payers p ON p.id = r.payer_id ORDER BY r.id"
        ).columns(at=sa.DateTime())
    ):
        detail = f"{file_name}: {rows:,} lines"
        yield _entry(at, "import_statement", payer, f"statement import {id_}", detail)
    for payer, at, alias, member in conn.execute(
        sa.text(
            "SELECT p.code, a.created_at AS at, a.alias_id, m.member_id FROM member_aliases a "
            "JOIN payers p ON p.id = a.payer_id JOIN members m ON m.id = a.member_pk "
            "ORDER BY a.id"
        ).columns(at=sa.DateTime())
    ):
        yield _entry(at, "link", payer, f"alias {alias}", f"linked to member {member}")
    for payer, at, event, discrepancy, month, old, new in conn.execute(
        sa.text(
            "SELECT p.code, e.at AS at, e.event, d.id, d.month, e.old_status, e.new_status "
            "FROM discrepancy_events e JOIN discrepancies d ON d.id = e.discrepancy_id "
            "JOIN payers p ON p.id = d.payer_id "
            "WHERE e.actor <> 'reconcile' AND e.event IN ('status', 'note') ORDER BY e.id"
        ).columns(at=sa.DateTime())
    ):
        subject = f"discrepancy {discrepancy} ({month})"
        detail = f"{old} → {new}" if event == "status" else "note added"
        yield _entry(at, event, payer, subject, detail)
