"""The preview of a machine-format file (X12 834/271/820/835, the CMS MMR, a Da Vinci ATR list, a
fixed-width file through its layout): read exactly as ``services.machine_import`` reads it for
the import (same plan, same reader, same store checks), nothing written.

``services.preview.preview`` calls :func:`machine_preview` first; None means the file is a
spreadsheet and the table preview reads it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from sqlalchemy import select

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import ImportProfile, RemittanceImport, RosterImport
from pmpm_desktop.errors import InputRejected
from pmpm_desktop.io.fhir_sources import MEMBER_ID_SOURCES, PRODUCT_SOURCES
from pmpm_desktop.io.fields import fields
from pmpm_desktop.io.file_format import sniff
from pmpm_desktop.io.fixed_layout import FixedLayout
from pmpm_desktop.io.machine_file import CHANGE, Format, MachineFile, shown_interchange
from pmpm_desktop.io.mmr_layout import AMOUNTS
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.io.parsed import ParsedFile, RowProblem
from pmpm_desktop.io.table import SOURCE_ROW
from pmpm_desktop.io.x12.sources import CHOICES
from pmpm_desktop.services import importing
from pmpm_desktop.services.change_file import change_counts, latest_roster
from pmpm_desktop.services.id_suggestions import id_rule_notes
from pmpm_desktop.services.machine_import import (
    LayoutNeeded,
    MachineKindRefused,
    MachinePlan,
    plan_machine,
    read_planned_machine,
)
from pmpm_desktop.services.payers import get_payer, list_payers, payers_named
from pmpm_desktop.services.preview import (
    FieldMapping,
    Preview,
    plain_rows,
    statement_figures,
    unread,
)

_X12_CODE = re.compile(r"^X12 (\d{3})\b")


@dataclass(frozen=True)
class _Asked:
    """What the preview was asked: the payer, the kind, the file and the user's choices."""

    code: str
    kind: FileKind
    path: Path
    roster_month: Month | None
    mapping: Mapping[str, str]


def machine_preview(
    db: Database,
    code: str,
    kind: str,
    path: Path,
    *,
    roster_month: Month | None,
    mapping: Mapping[str, str] | None = None,
    rows: int = 20,
    values: Mapping[str, str] | None = None,
    layout: FixedLayout | None = None,
) -> Preview | None:
    """The preview of ``path`` when it is a machine format, None for a spreadsheet.

    A fixed-width file with no layout (given or saved for the payer) comes back with
    ``needs_layout``; a file of the other kind with ``wrong_kind``; a rate exhibit is never a
    machine format, so such a file given as one is refused with the kind it is."""
    asked = _Asked(code, FileKind(kind), path, roster_month, dict(mapping or {}))
    if asked.kind is FileKind.RATES:
        return _as_rates(db, asked)
    try:
        plan = plan_machine(db, code, asked.kind, path, mapping=mapping, layout=layout)
    except LayoutNeeded as exc:
        return _unread(asked, str(exc), Format.FIXED_WIDTH, needs_layout=exc)
    except InputRejected as exc:  # the payer's saved layout is refused
        return _unread(asked, str(exc), _format_of(path))
    if plan is None:
        return None
    if plan.format is Format.FHIR_ATR and asked.kind is not FileKind.ROSTER:
        # an attribution list is a roster whatever it holds (read only for a roster month)
        error = _refusal(asked, FileKind.ROSTER, Format.FHIR_ATR.label)
        return _unread(asked, error, plan.format, wrong_kind=FileKind.ROSTER)
    try:
        machine = read_planned_machine(
            db, code, plan, path, roster_month=roster_month, values=values
        )
    except InputRejected as exc:
        # A fixed-width file misread is its layout's fault (the layout editor helps); another
        # format that cannot be read is damaged: only another file helps.
        unreadable = plan.format is not Format.FIXED_WIDTH
        return _unread(asked, str(exc), plan.format, layout=plan.layout, unreadable=unreadable)
    both = machine.both_kinds
    if not both and machine.kind is not asked.kind:
        error = _refusal(asked, machine.kind, machine.standard)
        return _unread(asked, error, machine.format, machine=machine, wrong_kind=machine.kind)
    return _read(db, asked, plan, machine, rows)


def _read(
    db: Database, asked: _Asked, plan: MachinePlan, machine: MachineFile, rows: int
) -> Preview:
    both = machine.both_kinds
    roster = machine.roster if both else machine.parsed if asked.kind is FileKind.ROSTER else None
    statement = machine.parsed if machine.kind is FileKind.STATEMENT else None
    part = roster if asked.kind is FileKind.ROSTER and roster is not None else machine.parsed
    problems = [p for p in machine.problems if isinstance(p, RowProblem)]
    sentences = [p for p in machine.problems if isinstance(p, str)]
    # The checks the import makes after the reader, on every part it stores.
    hidden: list[int] = []
    for checked, check in ((roster, _roster_checks), (statement, _statement_checks)):
        if checked is None or checked.frame.height == 0:
            continue
        found = check(db, asked.code, checked)
        problems += [p for p in found if isinstance(p, RowProblem)]
        sentences += [p for p in found if isinstance(p, str)]
        if checked is part:
            hidden = [p.row for p in found if isinstance(p, RowProblem)]
    sentences += _month_problem(asked, machine)
    shown = part.frame.filter(~pl.col(SOURCE_ROW).is_in(hidden))
    columns, values = plain_rows(shown.head(max(rows, 0)))
    choices = _choices(machine, asked.kind)
    duplicate, interchange = _already(db, asked, machine, both)
    figures = statement_figures(asked.kind, shown, machine.payer_payments)
    if figures and machine.payment_date is not None:
        figures["payment_date"] = machine.payment_date  # an 835's BPR16, an 820's DTM
    return Preview(
        kind=asked.kind.value,
        payer_code=asked.code,
        file_name=asked.path.name,
        sha256=machine.parsed.sha256,
        sheets=(),
        sheet=None,
        header_row=None,
        headers=_headers(part, choices),
        mapping=_field_mappings(part, plan, asked, choices, machine.format),
        unmapped=tuple(f.name for f in fields(asked.kind.value) if f.name not in part.mapping),
        profile=_profile_name(db, plan),
        columns=columns,
        rows=values,
        row_count=shown.height,
        problems=tuple(sorted(problems, key=lambda p: p.row)),
        file_problems=tuple(sentences),
        error=None,
        already_imported=duplicate,
        roster_month=asked.roster_month,
        notes=_notes(db, asked, machine, shown, both),
        read=dataclasses.replace(part.report(), standard=machine.standard),
        format=machine.format,
        standard=machine.standard,
        facts=machine.facts,
        layout=plan.layout,
        element_choices=choices,
        duplicate_interchange=interchange,
        payer_payments=machine.payer_payments.height if machine.payer_payments is not None else 0,
        change_file=machine.change_file,
        named_payers=payers_named(list_payers(db), (f.value for f in machine.facts)),
        **figures,
    )


def _roster_checks(db: Database, code: str, roster: ParsedFile) -> list[RowProblem | str]:
    frame = roster.frame.drop(CHANGE) if CHANGE in roster.frame.columns else roster.frame
    return importing.roster_problems(db, code, frame, {"fields": dict(roster.mapping)})


def _statement_checks(db: Database, code: str, statement: ParsedFile) -> list[RowProblem | str]:
    return importing.remittance_problems(statement.frame, {"fields": dict(statement.mapping)})


def _month_problem(asked: _Asked, machine: MachineFile) -> list[str]:
    """An MMR is the roster of its own payment month: the import refuses another."""
    own = machine.month if machine.format is Format.MMR else None
    if asked.kind is not FileKind.ROSTER or own is None or asked.roster_month in (None, own):
        return []
    return [
        f"it is the MMR of payment month {own}, not {asked.roster_month}: choose "
        f"{own.first_day:%B %Y} as the roster month"
    ]


def _choices(machine: MachineFile, kind: FileKind) -> dict[str, tuple[str, ...]]:
    """Per field, the elements the payer may choose it from (fields not named are fixed by the
    format)."""
    if machine.format is Format.X12:
        found = _X12_CODE.match(machine.standard)
        return dict(CHOICES.get(found.group(1), {})) if found else {}
    if machine.format is Format.MMR and kind is FileKind.STATEMENT:
        return {"amount": tuple(AMOUNTS)}
    if machine.format is Format.FHIR_ATR:
        return {"member_id": MEMBER_ID_SOURCES, "product": PRODUCT_SOURCES}
    return {}


def _headers(part: ParsedFile, choices: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The elements (fields, columns) the file offers: those read, then those to choose from."""
    names = [*part.mapping.values(), *(e for options in choices.values() for e in options)]
    return tuple(dict.fromkeys(names))


def _field_mappings(
    part: ParsedFile,
    plan: MachinePlan,
    asked: _Asked,
    choices: dict[str, tuple[str, ...]],
    fmt: Format,
) -> tuple[FieldMapping, ...]:
    required = {f.name: f.required for f in fields(asked.kind.value)}

    def source(name: str) -> str:
        if fmt is Format.FIXED_WIDTH:
            return "layout"
        if name in asked.mapping:
            return "override"
        if name in plan.overrides:
            return "profile"
        return "detected" if name in choices else "format"

    return tuple(
        FieldMapping(name, column, source(name), required.get(name, False))
        for name, column in part.mapping.items()
    )


def _profile_name(db: Database, plan: MachinePlan) -> str | None:
    if plan.profile_id is None:
        return None
    with db.sessions() as s:
        profile = s.get(ImportProfile, plan.profile_id)
        return profile.name if profile is not None else None


def _already(
    db: Database, asked: _Asked, machine: MachineFile, both: bool
) -> tuple[tuple[str, dt.datetime] | None, str | None]:
    """(file name, imported at) of an earlier import of the same content or of the same X12
    interchange, and the interchange when that is how it was found."""
    kinds = [FileKind.ROSTER, FileKind.STATEMENT] if both else [asked.kind]
    for kind in kinds:
        earlier = importing.already_imported(db, asked.code, kind.value, machine.parsed.sha256)
        if earlier is not None:
            return earlier, None
    if machine.interchange is None:
        return None, None
    tables: dict[FileKind, type[RosterImport] | type[RemittanceImport]] = {
        FileKind.ROSTER: RosterImport,
        FileKind.STATEMENT: RemittanceImport,
    }
    with db.sessions() as s:
        payer_id = get_payer(s, asked.code).id
        for kind in kinds:
            table = tables[kind]
            row = s.execute(
                select(table.file_name, table.imported_at).where(
                    table.payer_id == payer_id, table.interchange == machine.interchange
                )
            ).first()
            if row is not None:
                return (row[0], row[1]), shown_interchange(machine.interchange)
    return None, None


def _notes(
    db: Database, asked: _Asked, machine: MachineFile, frame: pl.DataFrame, both: bool
) -> tuple[str, ...]:
    notes: list[str] = []
    if both and machine.roster is not None:
        month = f" of payment month {machine.month}" if machine.month is not None else ""
        notes.append(
            f"This MMR is both the payment detail and the roster{month}: importing it stores "
            f"both ({machine.parsed.frame.height:,} payment lines, "
            f"{machine.roster.frame.height:,} roster rows)"
        )
    if machine.change_file and asked.roster_month is not None:
        with db.sessions() as s:
            payer_id = get_payer(s, asked.code).id
        base_month, _ = latest_roster(db, payer_id, asked.roster_month)
        counts = ", ".join(
            f"{n} {kind.value}{'s' if n != 1 else ''}"
            for kind, n in change_counts(machine.parsed.frame).items()
            if n
        )
        base = (
            f"the latest roster ({base_month})"
            if base_month is not None
            else "an empty roster (no roster of this payer is stored yet)"
        )
        notes.append(
            f"This is a change file: its rows ({counts or 'no changes'}) are applied to {base} "
            f"and the result is stored as the roster of {asked.roster_month}"
        )
    if "member_id" in frame.columns:
        notes += id_rule_notes(db, asked.code, asked.kind, frame["member_id"])
    return tuple(notes)


def _as_rates(db: Database, asked: _Asked) -> Preview | None:
    """A rate exhibit is a spreadsheet: an X12, MMR or ATR file given as one is refused with
    the kind it is (None for anything else: the table preview reads it)."""
    fmt = _format_of(asked.path)
    if fmt in (Format.SPREADSHEET, Format.FIXED_WIDTH):
        return None
    try:
        plan = plan_machine(db, asked.code, FileKind.ROSTER, asked.path)
        assert plan is not None
        machine = read_planned_machine(
            db, asked.code, plan, asked.path, roster_month=asked.roster_month or Month(2000, 1)
        )
    except InputRejected as exc:
        return _unread(asked, str(exc), fmt)
    error = _refusal(asked, machine.kind, machine.standard) + " (rate exhibits are spreadsheets)"
    return _unread(asked, error, fmt, machine=machine, wrong_kind=machine.kind)


def _refusal(asked: _Asked, kind: FileKind, standard: str) -> str:
    """The import's refusal of a file of another kind, without the CLI's command."""
    return str(MachineKindRefused(asked.path.name, asked.kind, kind, standard, command=False))


def _format_of(path: Path) -> Format:
    try:
        found = sniff(path)
    except OSError:
        return Format.SPREADSHEET
    return Format.FIXED_WIDTH if found is Format.SPREADSHEET else found


def _unread(
    asked: _Asked,
    error: str,
    fmt: Format,
    *,
    machine: MachineFile | None = None,
    wrong_kind: FileKind | None = None,
    needs_layout: LayoutNeeded | None = None,
    layout: FixedLayout | None = None,
    unreadable: bool = False,
) -> Preview:
    """A machine-format file that cannot be imported as asked: the sentence why, and what is
    known of it (its standard and facts when it was read)."""
    return unread(
        asked.kind.value,
        asked.code,
        asked.path,
        error,
        roster_month=asked.roster_month,
        wrong_kind=wrong_kind,
        format=fmt,
        standard=machine.standard if machine is not None else None,
        facts=machine.facts if machine is not None else (),
        needs_layout=needs_layout,
        layout=layout,
        unreadable=unreadable,
    )
