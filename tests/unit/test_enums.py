"""Every reconciliation kind, discrepancy status and file kind the database stores is a member
of its enum (core.summary.Kind / Status, io.options.FileKind), so code that compares with the
enum sees every stored word."""

from __future__ import annotations

import re
from importlib import resources

from sqlalchemy import CheckConstraint, select, text

from pmpm_desktop.core.summary import Kind, Status
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import Discrepancy, ImportProfile, Payer
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.io.report_base import KIND_LABELS, STATUS_LABELS
from pmpm_desktop.services.discrepancies import set_status

_QUOTED = re.compile(r"'([a-z_]+)'")


def _words(constraint_text: str) -> set[str]:
    return set(_QUOTED.findall(constraint_text))


def test_the_file_kinds_the_schema_allows_are_the_file_kind_enum() -> None:
    (model,) = [c for c in ImportProfile.__table_args__ if isinstance(c, CheckConstraint)]
    assert _words(str(model.sqltext)) == set(FileKind)
    migration = (
        resources.files("pmpm_desktop.db.migrations")
        .joinpath("versions/0002_import_profiles.py")
        .read_text(encoding="utf-8")
    )
    (allowed,) = re.findall(r'"kind IN \(([^)]*)\)"', migration)
    assert _words(allowed) == set(FileKind)


def test_a_new_discrepancy_starts_with_a_status_of_the_enum() -> None:
    default = Discrepancy.__table__.c.status.default
    assert default is not None and Status(default.arg) is Status.OPEN


def test_every_word_a_reconciled_practice_stores_is_an_enum_member(demo: Database) -> None:
    # every status a person can give, so the events hold each of them too
    with demo.sessions() as s:
        some = s.execute(
            select(Payer.code, Discrepancy.member_id, Discrepancy.month)
            .join(Payer, Payer.id == Discrepancy.payer_id)
            .order_by(Discrepancy.id)
            .limit(1)
        ).one()
    for status in (Status.DISPUTED, Status.RESOLVED, Status.WRITTEN_OFF, Status.OPEN):
        set_status(demo, some.code, some.member_id, some.month, status)
    with demo.engine.connect() as conn:

        def stored(sql: str) -> set[str]:
            return {r[0] for r in conn.execute(text(sql)) if r[0] is not None}

        kinds = stored("SELECT DISTINCT kind FROM discrepancies")
        statuses = stored("SELECT DISTINCT status FROM discrepancies")
        events = stored(
            "SELECT old_status FROM discrepancy_events UNION SELECT new_status FROM "
            "discrepancy_events"
        )
        profiles = stored("SELECT DISTINCT kind FROM import_profiles")
    assert kinds and kinds <= set(Kind) - {Kind.MATCHED}
    assert statuses and statuses <= set(Status)
    assert events == set(Status)
    assert profiles <= set(FileKind)


def test_every_kind_and_status_has_its_label() -> None:
    assert set(KIND_LABELS) == set(Kind)
    assert set(STATUS_LABELS) == set(Status)
