"""SQLAlchemy models: one table per entity of SPEC §2."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.month import Month
from pmpm_desktop.db.types import Money, MonthType, Scaled

# Named constraints keep Alembic's batch mode (SQLite table rebuilds) deterministic.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def table_of(model: type[Base]) -> Table:
    """The Table of a mapped class, for Core inserts and updates (SQLAlchemy types a class's
    ``__table__`` as any FromClause; ours are all plain tables of ``Base.metadata``)."""
    return Base.metadata.tables[model.__tablename__]


class Payer(Base):
    __tablename__ = "payers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    id_width: Mapped[int | None] = mapped_column(Integer)
    #: how this payer writes member IDs (punctuation, dependent suffix, prefix): see
    #: core/member_ids.py; None = IDs are compared as written (SPEC §6)
    id_rule: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: what "CR" means on this payer's statements: True = paid to the practice (SPEC §6)
    credit_is_payment: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    contracts: Mapped[list[Contract]] = relationship(back_populates="payer")


class Contract(Base):
    __tablename__ = "contracts"
    __table_args__ = (UniqueConstraint("payer_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("payers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: roster product values that select this contract (trimmed, compared case-insensitively)
    product_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    effective_from: Mapped[Month] = mapped_column(MonthType())
    effective_to: Mapped[Month | None] = mapped_column(MonthType())
    eligibility: Mapped[str] = mapped_column(String(20), default="first-of-month")
    age_basis: Mapped[str] = mapped_column(String(20), default="first-of-month")
    risk_adjusted: Mapped[bool] = mapped_column(Boolean, default=False)
    withhold_pct: Mapped[Decimal] = mapped_column(Scaled(4), default=Decimal("0"))
    tolerance: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0.01"))
    retro_window_months: Mapped[int] = mapped_column(Integer, default=12)
    payment_due_day: Mapped[int] = mapped_column(Integer, default=15)

    payer: Mapped[Payer] = relationship(back_populates="contracts")


class RateRow(Base):
    __tablename__ = "rate_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    effective_from: Mapped[Month] = mapped_column(MonthType())
    effective_to: Mapped[Month | None] = mapped_column(MonthType())
    component: Mapped[str] = mapped_column(String(60), default="capitation")
    rate_cell: Mapped[str | None] = mapped_column(String(60))
    sex: Mapped[str | None] = mapped_column(String(1))
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money())
    #: the row of the rate exhibit file it came from, so overlaps and traces can name it
    source_row: Mapped[int | None] = mapped_column(Integer)


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("payer_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("payers.id", ondelete="CASCADE"))
    member_id: Mapped[str] = mapped_column(String(40))
    last_name: Mapped[str | None] = mapped_column(String(100))
    first_name: Mapped[str | None] = mapped_column(String(100))
    dob: Mapped[dt.date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))


class MemberAlias(Base):
    """Another ID under which the payer paid a roster member (linked by the user)."""

    __tablename__ = "member_aliases"
    __table_args__ = (UniqueConstraint("payer_id", "alias_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("payers.id", ondelete="CASCADE"))
    alias_id: Mapped[str] = mapped_column(String(40))
    member_pk: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class RosterImport(Base):
    __tablename__ = "roster_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("payers.id", ondelete="CASCADE"), index=True)
    roster_month: Mapped[Month] = mapped_column(MonthType())
    file_name: Mapped[str] = mapped_column(String(400))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    row_count: Mapped[int] = mapped_column(Integer)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: False once a later import of the same roster month replaced it (kept as history)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("roster_imports.id"))
    #: the import's rows as an Arrow blob for fast reconciliation (see db/frame_cache.py)
    rows_cache: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    #: io.machine_file.Format of the file (None for imports made before formats were kept)
    file_format: Mapped[str | None] = mapped_column(String(20))
    #: an X12 interchange's identity (sender and ISA13): the same interchange re-sent with
    #: other bytes is still a duplicate
    interchange: Mapped[str | None] = mapped_column(String(100), index=True)


class RosterRow(Base):
    __tablename__ = "roster_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("roster_imports.id", ondelete="CASCADE"))
    member_pk: Mapped[int] = mapped_column(ForeignKey("members.id"))
    last_name: Mapped[str | None] = mapped_column(String(100))
    first_name: Mapped[str | None] = mapped_column(String(100))
    dob: Mapped[dt.date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))
    product: Mapped[str | None] = mapped_column(String(60))
    rate_cell: Mapped[str | None] = mapped_column(String(60))
    pcp: Mapped[str | None] = mapped_column(String(60))
    effective_date: Mapped[dt.date | None] = mapped_column(Date)
    term_date: Mapped[dt.date | None] = mapped_column(Date)
    risk_score: Mapped[Decimal | None] = mapped_column(Scaled(6))
    source_row: Mapped[int] = mapped_column(Integer)


class RemittanceImport(Base):
    __tablename__ = "remittance_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("payers.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(400))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    payment_date: Mapped[dt.date | None] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(100))
    stated_total: Mapped[Decimal | None] = mapped_column(Money())
    row_count: Mapped[int] = mapped_column(Integer)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: the import's lines as an Arrow blob for fast reconciliation (see db/frame_cache.py)
    lines_cache: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    file_format: Mapped[str | None] = mapped_column(String(20))
    interchange: Mapped[str | None] = mapped_column(String(100), index=True)


class PayerPayment(Base):
    """Money a statement pays the practice without members (SPEC §7: an 835's PLB CT
    capitation, CR interest, E3 withholding, …), for the month it names."""

    __tablename__ = "payer_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("remittance_imports.id", ondelete="CASCADE"), index=True
    )
    payer_id: Mapped[int] = mapped_column(ForeignKey("payers.id", ondelete="CASCADE"))
    month: Mapped[Month] = mapped_column(MonthType())
    #: the payer's adjustment reason code (PLB03-1): CT, CR, E3, …
    code: Mapped[str] = mapped_column(String(10))
    #: the reference as written (PLB03-2), often a re-association key
    reference: Mapped[str | None] = mapped_column(String(100))
    #: signed as money to the practice: capitation positive, a withholding negative
    amount: Mapped[Decimal] = mapped_column(Money())
    source_row: Mapped[int] = mapped_column(Integer)


class RemittanceLine(Base):
    __tablename__ = "remittance_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("remittance_imports.id", ondelete="CASCADE"))
    #: denormalised so a payer's lines are read without a join
    payer_id: Mapped[int] = mapped_column(ForeignKey("payers.id", ondelete="CASCADE"))
    #: the member ID as the payer wrote it (normalised per SPEC §6), not a foreign key
    member_id: Mapped[str] = mapped_column(String(40))
    coverage_month: Mapped[Month] = mapped_column(MonthType())
    amount: Mapped[Decimal] = mapped_column(Money())
    line_type: Mapped[str | None] = mapped_column(String(100))
    member_name: Mapped[str | None] = mapped_column(String(200))
    source_row: Mapped[int] = mapped_column(Integer)


class Discrepancy(Base):
    __tablename__ = "discrepancies"
    __table_args__ = (UniqueConstraint("payer_id", "member_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("payers.id", ondelete="CASCADE"))
    #: the roster member's ID, or for unknown members the ID the payer paid under
    member_id: Mapped[str] = mapped_column(String(40))
    month: Mapped[Month] = mapped_column(MonthType())
    kind: Mapped[str] = mapped_column(String(20))
    expected: Mapped[Decimal] = mapped_column(Money())
    paid: Mapped[Decimal] = mapped_column(Money())
    variance: Mapped[Decimal] = mapped_column(Money())
    status: Mapped[str] = mapped_column(String(20), default="open")
    #: True when the reconciliation (not a person) closed it, so a new difference reopens it
    auto_resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    #: True once a roster or statement it may have come from was replaced or rolled back, until
    #: the next reconciliation of its month: still a difference → kept; else deleted, or closed
    #: with a note when a person worked on it (services/stale_discrepancies.py)
    stale: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)

    events: Mapped[list[DiscrepancyEvent]] = relationship(
        back_populates="discrepancy", order_by="DiscrepancyEvent.id"
    )


class DiscrepancyEvent(Base):
    """One dated change of a discrepancy: creation, status, amounts, note."""

    __tablename__ = "discrepancy_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    discrepancy_id: Mapped[int] = mapped_column(
        ForeignKey("discrepancies.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    #: created | status | amounts | note
    event: Mapped[str] = mapped_column(String(20))
    old_status: Mapped[str | None] = mapped_column(String(20))
    new_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    #: who made the change: the person's user name (services/audit.py ``actor_for``), or
    #: "reconcile"; events written before the audit trail say "user"
    actor: Mapped[str] = mapped_column(String(40), default="user")

    discrepancy: Mapped[Discrepancy] = relationship(back_populates="events")


class ImportProfile(Base):
    """How a payer's files of one kind are read: sheet, header row and field → column, saved
    after a successful import and reused when a file with the same header arrives."""

    __tablename__ = "import_profiles"
    __table_args__ = (
        UniqueConstraint("payer_id", "kind", "name"),
        CheckConstraint("kind IN ('roster', 'remittance', 'rates')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("payers.id", ondelete="CASCADE"))
    #: roster | remittance | rates
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    #: the sheet the data was on (None for CSV files)
    sheet: Mapped[str | None] = mapped_column(String(200))
    #: 1-based row of the header in the file
    header_row: Mapped[int] = mapped_column(Integer)
    #: field → column header as written in the file
    mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: field → value for every row, values the files do not carry (``--set``), when saved
    values: Mapped[dict[str, str] | None] = mapped_column(JSON)
    #: how the values are read (decimal comma, day/month order, …), decided once and kept
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: the header's columns, normalised, sorted and joined with "|" (see services/profiles.py)
    header_signature: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    last_used_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class AuditEntry(Base):
    """Who did what, when: one row per import, rollback, status change, note, link and unlink,
    written in the action's own transaction (services/audit.py).

    Self-contained on purpose: no foreign keys, the payer's code and the subject kept as text,
    so an entry outlives the import, alias or payer it names (a rollback deletes the import but
    never its audit entries).
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=now, index=True)
    #: the OS user (SQLite) or the database user (PostgreSQL)
    actor: Mapped[str] = mapped_column(String(100))
    #: services.audit.AuditAction
    action: Mapped[str] = mapped_column(String(20))
    payer_code: Mapped[str | None] = mapped_column(String(20))
    #: what the action was done to: "roster import 12", "discrepancy 40 (2026-03)", "alias X1"
    subject: Mapped[str] = mapped_column(String(200))
    #: the particulars: file name and rows, from → to status, the member linked (no names)
    detail: Mapped[str] = mapped_column(Text, default="")


# Indexes for the hot reads of reconciliation, declared apart so the bulk loader can find them.
Index("ix_roster_rows_import", RosterRow.import_id)
Index("ix_roster_rows_member", RosterRow.member_pk)
Index("ix_remittance_lines_payer_month", RemittanceLine.payer_id, RemittanceLine.coverage_month)
Index("ix_remittance_lines_import", RemittanceLine.import_id)
Index("ix_discrepancies_payer_month", Discrepancy.payer_id, Discrepancy.month)
