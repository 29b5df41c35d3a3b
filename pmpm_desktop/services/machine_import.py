"""Importing machine formats: X12 834/271/820/835, the CMS MMR, Da Vinci ATR lists and
fixed-width files through a saved layout (SPEC §6, issue 10).

The format is recognised from the content; the file is read whole and checked (every problem
at its segment or row), then stored in one transaction through the same stores as a
spreadsheet: a roster import, a statement import, or both for an MMR.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl
from sqlalchemy import select

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import ImportProfile
from pmpm_desktop.errors import InputRejected, NotFound
from pmpm_desktop.io.fields import with_article
from pmpm_desktop.io.file_format import file_head, format_of, read_machine
from pmpm_desktop.io.fixed_layout import FixedLayout
from pmpm_desktop.io.fixed_width import looks_fixed_width
from pmpm_desktop.io.machine_file import Format, MachineFile
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.io.read_errors import FileReadError
from pmpm_desktop.progress import Progress, report, tell
from pmpm_desktop.services.change_file import (
    apply_changes,
    change_counts,
    change_sentence,
    latest_roster,
)
from pmpm_desktop.services.importing import (
    CANCELLED,
    FileSource,
    ImportResult,
    RowsRejected,
    checked_roster,
    checked_stated_total,
    checked_statement,
    insert_remittance,
    insert_roster,
    read_error,
)
from pmpm_desktop.services.payers import get_payer, read_options
from pmpm_desktop.services.profiles import ProfileDraft

_COMMANDS = {FileKind.ROSTER: "pmpm roster import", FileKind.STATEMENT: "pmpm remit import"}


class MachineKindRefused(InputRejected):
    """A machine-format file of another kind than the one asked for (an 820 given as a
    roster): ``kind`` is what it is."""

    def __init__(
        self,
        file_name: str,
        asked: FileKind,
        kind: FileKind,
        standard: str,
        *,
        command: bool = True,
    ) -> None:
        """``command``: name the command to use (the CLI); the wizard offers a button."""
        self.asked, self.kind = asked, kind
        other = with_article(kind.label)
        how = f" ({_COMMANDS.get(kind, 'pmpm remit import')})" if command else ""
        super().__init__(
            f"{file_name} was not imported as {with_article(asked.label)}: it is {other} "
            f"({standard}). Nothing was written; import it as {other}{how}"
        )


class LayoutNeeded(InputRejected):
    """A fixed-width file with no layout given and none saved for the payer: the wizard then
    opens its layout editor, the CLI says to give ``--layout``."""


@dataclass(frozen=True)
class MachinePlan:
    """How a machine-format file of a payer is read: its format, the payer's remembered
    choices (element per field, a fixed-width layout) and the user's."""

    format: Format
    kind: FileKind
    overrides: dict[str, str]
    layout: FixedLayout | None = None
    values: dict[str, str] = dataclasses.field(default_factory=dict)
    profile_id: int | None = None

    def draft(self) -> ProfileDraft | None:
        """What to remember for the payer: the user's choices of elements, the layout."""
        if not self.overrides and self.layout is None:
            return None
        options = {"layout": self.layout.to_json()} if self.layout is not None else None
        return ProfileDraft(
            kind=self.kind.value,
            sheet=None,
            header_row=0,
            mapping=dict(self.overrides),
            signature=self.format.value,
            profile_id=self.profile_id,
            options=options,
        )


def plan_machine(
    db: Database,
    payer_code: str,
    kind: FileKind,
    path: Path,
    *,
    mapping: Mapping[str, str] | None = None,
    layout: FixedLayout | None = None,
) -> MachinePlan | None:
    """The plan for ``path`` when it is a machine format, None for a spreadsheet.

    A text file of fixed-width lines is read with ``layout``, else with the payer's saved
    layout for files of this kind; without either it is refused with a sentence saying how
    to give one (never read as a table of one column)."""
    if not path.exists():
        raise NotFound(f"file not found: {path}")
    try:
        head = file_head(path)
    except OSError as exc:
        raise InputRejected(f"{path.name} could not be read: {exc.strerror or exc}") from None
    found = format_of(head)
    if found is Format.SPREADSHEET and layout is None and not _fixed_width(path, head):
        return None
    fmt = Format.FIXED_WIDTH if found is Format.SPREADSHEET else found
    with db.sessions() as s:
        payer = get_payer(s, payer_code)
        saved = s.scalars(
            select(ImportProfile)
            .where(
                ImportProfile.payer_id == payer.id,
                ImportProfile.kind == kind.value,
                ImportProfile.header_signature == fmt.value,
            )
            .order_by(ImportProfile.last_used_at.desc())
        ).first()
        remembered = dict(saved.mapping or {}) if saved is not None else {}
        options = dict(saved.options or {}) if saved is not None else {}
        profile_id = saved.id if saved is not None else None
    if fmt is Format.FIXED_WIDTH and layout is None:
        if "layout" not in options:
            raise LayoutNeeded(
                f"{path.name} is a fixed-width file (lines of equal length, no delimiter): "
                "give its layout once with --layout LAYOUT.json (or in the import wizard); "
                "the layout is then kept for this payer. Nothing was written"
            )
        try:
            layout = FixedLayout.from_json(options["layout"])
        except ValueError as exc:
            raise InputRejected(f"the payer's saved fixed-width layout is refused: {exc}") from None
    return MachinePlan(
        format=fmt,
        kind=kind,
        overrides={**remembered, **dict(mapping or {})},
        layout=layout,
        profile_id=profile_id,
    )


def _fixed_width(path: Path, head: bytes) -> bool:
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        return False
    return looks_fixed_width(head)


def read_planned_machine(
    db: Database,
    payer_code: str,
    plan: MachinePlan,
    path: Path,
    *,
    roster_month: Month | None,
    values: Mapping[str, str] | None = None,
) -> MachineFile:
    """Read the file as the plan says (the preview and the import both read through here)."""
    with db.sessions() as s:
        options = read_options(get_payer(s, payer_code), values)
    try:
        return read_machine(
            path,
            plan.format,
            options=options,
            mapping=plan.overrides or None,
            roster_month=roster_month,
            layout=plan.layout,
        )
    except FileReadError as exc:
        raise InputRejected(read_error(exc, path)) from None


def import_machine(
    db: Database,
    payer_code: str,
    asked: FileKind,
    path: Path,
    plan: MachinePlan,
    *,
    roster_month: Month | None = None,
    values: Mapping[str, str] | None = None,
    payment_date: dt.date | None = None,
    reference: str | None = None,
    stated_total: Decimal | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Read, check and store a machine-format file in one transaction (SPEC §6)."""
    stated_total = checked_stated_total(stated_total)
    if plan.format is Format.FHIR_ATR and asked is not FileKind.ROSTER:
        # an attribution list is a roster whatever it holds: refused before it is read
        raise MachineKindRefused(path.name, asked, FileKind.ROSTER, Format.FHIR_ATR.label)
    report(progress, 0, 4, cancelled=CANCELLED)
    machine = read_planned_machine(
        db, payer_code, plan, path, roster_month=roster_month, values=values
    )
    report(progress, 1, 4, cancelled=CANCELLED)
    name = path.name
    both = machine.both_kinds
    if not both and machine.kind is not asked:
        raise MachineKindRefused(name, asked, machine.kind, machine.standard)
    problems = machine.problems
    if problems:
        raise RowsRejected(
            f"{name} was not imported: {len(problems):,} problem(s); nothing was written", problems
        )
    month = _roster_month(name, asked, machine, roster_month)
    source = FileSource(machine.format.value, machine.interchange)
    info: dict[str, object] = {
        "format": machine.format.value,
        "standard": machine.standard,
        "fields": dict(machine.parsed.mapping),
    }
    draft = plan.draft()
    notes: list[str] = []
    roster = statement = None
    if machine.kind is FileKind.ROSTER or both:
        part = machine.roster if both and machine.roster is not None else machine.parsed
        frame = part.frame
        if machine.change_file:
            with db.sessions() as s:
                payer_id = get_payer(s, payer_code).id
            assert month is not None
            base_month, base = latest_roster(db, payer_id, month)
            counts = change_counts(frame)
            frame = apply_changes(base, frame)
            notes.append(change_sentence(counts, base_month))
        if frame.height == 0:
            raise InputRejected(f"{name} was not imported: it lists no members")
        assert month is not None
        roster = checked_roster(db, payer_code, month, frame, name, info)
    if machine.kind is FileKind.STATEMENT:
        payments = machine.payer_payments
        if machine.parsed.frame.height == 0 and (payments is None or payments.height == 0):
            raise InputRejected(
                f"{name} was not imported: it has no member lines and no payer-level payments"
            )
        statement = checked_statement(db, payer_code, machine.parsed.frame, name, info)
    result: ImportResult | None = None
    with db.engine.begin() as conn:
        if roster is not None:
            result = insert_roster(
                conn,
                roster,
                file_name=name,
                sha256=machine.parsed.sha256,
                mapping=info,
                progress=progress,
                profile=draft if statement is None else None,
                source=source,
            )
        if statement is not None:
            stored = insert_remittance(
                conn,
                statement,
                file_name=name,
                sha256=machine.parsed.sha256,
                mapping=info,
                payment_date=payment_date or machine.payment_date,
                reference=reference or machine.reference,
                stated_total=stated_total if stated_total is not None else machine.stated_total,
                progress=progress,
                profile=draft,
                source=source,
                payer_payments=machine.payer_payments,
            )
            if result is not None:
                notes.append(
                    f"its roster of {month} was stored as well: {result.rows} rows, "
                    f"{result.members} members ({result.new_members} new)"
                )
                stored = dataclasses.replace(stored, new_members=result.new_members)
            result = stored
    tell(progress, 4, 4)  # stored: a Cancel now changes nothing
    assert result is not None
    return dataclasses.replace(
        result,
        notes=(*notes, *result.notes),
        read=dataclasses.replace(machine.parsed.report(), standard=machine.standard),
        facts=machine.facts,
        standard=machine.standard,
        payer_level_total=_payer_level_total(machine.payer_payments),
    )


def _roster_month(
    name: str, asked: FileKind, machine: MachineFile, given: Month | None
) -> Month | None:
    """The roster month: the one given; an MMR's own payment month must agree with it."""
    own = machine.month if machine.format is Format.MMR else None
    if own is not None and given is not None and own != given:
        raise InputRejected(
            f"{name} was not imported: it is the MMR of payment month {own}, not {given}. "
            "Nothing was written"
        )
    month = given or own
    if month is None and (machine.kind is FileKind.ROSTER or machine.roster is not None):
        raise InputRejected(f"{name} was not imported: a roster is imported for a roster month")
    return month


def _payer_level_total(payments: pl.DataFrame | None) -> Decimal | None:
    if payments is None or payments.height == 0:
        return None
    return Decimal(int(payments["amount_cents"].sum() or 0)).scaleb(-2)
