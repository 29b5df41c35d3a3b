"""Preview and validation of a payer file for the import wizard: nothing is written.

``preview()`` reads the file exactly as the import would (same profile choice, same reader,
same checks), and tells the UI what it found: sheets, header row, field → column with where
each came from, the first rows as parsed, and every problem. Committing is the ordinary import
(``services.importing.import_roster`` / ``import_remittance`` / ``import_rates``) called with
the preview's ``sheet``, ``header_row`` and ``mapping_dict()`` (or the user's corrections).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import fastexcel
import polars as pl

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.money import cents_to_money
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.rates import validate_rate_rows
from pmpm_desktop.db.database import Database
from pmpm_desktop.errors import InputRejected
from pmpm_desktop.io.fields import KINDS, fields
from pmpm_desktop.io.fixed_layout import FixedLayout
from pmpm_desktop.io.kinds import WrongKind
from pmpm_desktop.io.machine_file import Fact, Format
from pmpm_desktop.io.number_style import DecimalQuestion
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.io.parsed import ParsedFile, RowProblem
from pmpm_desktop.io.read_errors import UnreadableFile
from pmpm_desktop.io.read_report import ReadReport
from pmpm_desktop.io.table import EXCEL_SUFFIXES, SOURCE_ROW, FileReadError
from pmpm_desktop.io.zip_guard import check_workbook
from pmpm_desktop.services import importing
from pmpm_desktop.services.id_suggestions import id_rule_notes
from pmpm_desktop.services.machine_import import LayoutNeeded
from pmpm_desktop.services.payers import get_payer, list_payers, payers_named
from pmpm_desktop.services.profiles import ReadPlan, plan_read

Value = str | int | Decimal | dt.date | None


@dataclass(frozen=True)
class FieldMapping:
    """One field's column, and where that choice came from: ``override`` (the user's mapping),
    ``profile`` (the payer's saved profile) or ``detected`` (the field dictionary)."""

    field: str
    column: str
    source: str
    required: bool


@dataclass(frozen=True)
class Preview:
    kind: str
    payer_code: str
    file_name: str
    #: SHA-256 of the file's bytes ("" when the file could not be read)
    sha256: str
    #: every sheet of a workbook, in order (empty for CSV/TXT)
    sheets: tuple[str, ...]
    #: the sheet read (None for CSV/TXT, or when the file could not be read)
    sheet: str | None
    header_row: int | None
    #: every column of the header, as written (made unique), left to right
    headers: tuple[str, ...]
    mapping: tuple[FieldMapping, ...]
    #: fields of this kind with no column (optional ones; a missing required one is an error)
    unmapped: tuple[str, ...]
    #: name of the saved profile used, if any
    profile: str | None
    #: names of the values of each row in ``rows``: ``row`` (row number in the file) first
    columns: tuple[str, ...]
    #: the first good rows as parsed: text, dates, ints, Decimals (money, risk scores), None
    rows: tuple[tuple[Value, ...], ...]
    #: how many rows would be imported
    row_count: int
    #: every refused cell or row
    problems: tuple[RowProblem, ...]
    #: problems of the whole file (overlapping rates, a product no contract takes)
    file_problems: tuple[str, ...]
    #: the file cannot be read at all (not a table, no column for a required field, …)
    error: str | None
    #: (file name, imported at) of an earlier import of the same content
    already_imported: tuple[str, dt.datetime] | None
    #: the roster month the rows were checked for (rosters only)
    roster_month: Month | None = None
    #: the file's numbers read either with a decimal comma or a decimal point: ask, then
    #: preview again with ``decimal_comma`` (its sentence is also in ``file_problems``)
    decimal_question: DecimalQuestion | None = None
    #: sentences for the user about the file (e.g. the ID rule that would match its IDs)
    notes: tuple[str, ...] = ()
    #: how the file was read: header rows, sections, rows skipped, styles, certainty
    read: ReadReport | None = None
    #: the kind the file plainly is when it was refused as another (``error`` says why)
    wrong_kind: FileKind | None = None
    # --- machine formats (services.machine_preview) ------------------------------------
    #: the file's format, recognised from its content
    format: Format = Format.SPREADSHEET
    #: the standard as a clerk or analyst names it: "X12 834 (005010X220A1)"
    standard: str | None = None
    #: what was found: sender, receiver, dates, control numbers, members or lines, totals
    facts: tuple[Fact, ...] = ()
    #: a fixed-width file with no layout given and none saved for the payer: ask for one
    needs_layout: LayoutNeeded | None = None
    #: the fixed-width layout the file was read with
    layout: FixedLayout | None = None
    #: per field, the elements the payer may choose it from (``member_id``: NM1*IL09, REF*0F,
    #: REF*23); a mapped field not named here is fixed by the format
    element_choices: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    #: the X12 interchange by which ``already_imported`` was found (the bytes differ)
    duplicate_interchange: str | None = None
    #: payer-level payments (an 835's PLB lines) the statement holds beside its member lines
    payer_payments: int = 0
    #: an 834 change file: its rows are applied to the payer's latest roster
    change_file: bool = False
    #: not even the file's cells can be read (damaged, empty, not a spreadsheet): no choice
    #: of sheet, header row or column helps, only another file (``error`` says why)
    unreadable: bool = False
    # --- statements ------------------------------------------------------------------------
    #: the sum of the amounts of the lines to import (None for rosters and rate exhibits)
    total_paid: Decimal | None = None
    #: the sum of the payer-level payments (an 835's PLB), when the statement has any
    payer_level_paid: Decimal | None = None
    #: the payment date the file states (a payment-date column, an 835's BPR16), if any
    payment_date: dt.date | None = None
    #: the codes of the practice's payers the file's content names (its title rows, sheet
    #: names, sender): the wizard asks when the payer chosen is not among them
    named_payers: tuple[str, ...] = ()

    @property
    def importable(self) -> bool:
        """The import would succeed: the file reads, has rows, no problem, not imported yet."""
        return (
            self.error is None
            and (self.row_count > 0 or self.payer_payments > 0)
            and not self.problems
            and not self.file_problems
            and self.already_imported is None
        )

    def mapping_dict(self) -> dict[str, str]:
        """field → column, to pass to the import as ``mapping`` when committing."""
        return {m.field: m.column for m in self.mapping}

    def all_problems(self) -> list[RowProblem | str]:
        """Row problems then whole-file problems: what ``io.problems_export`` writes."""
        return [*self.problems, *self.file_problems]


def sheet_names(path: Path) -> tuple[str, ...]:
    """A workbook's sheet names (empty for text files or a file that is not a workbook)."""
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        return ()
    try:
        data = path.read_bytes()
        check_workbook(data, path.name)  # calamine inflates shared strings just to list sheets
        return tuple(fastexcel.read_excel(data).sheet_names)
    except Exception:  # not a workbook: the reader says why, not this
        return ()


def preview(
    db: Database,
    payer_code: str,
    kind: str,
    path: Path,
    *,
    roster_month: Month | None = None,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    rows: int = 20,
    use_profile: bool = True,
    values: dict[str, str] | None = None,
    decimal_comma: bool | None = None,
    layout: FixedLayout | None = None,
) -> Preview:
    """Read and check ``path`` as the import of ``kind`` would, writing nothing.

    ``roster_month`` (rosters): the month the duplicate-member check uses; the current month
    when None. Raises NotFound for an unknown payer or a missing file; a file that cannot be
    read comes back with ``error`` set (and its header, when one was found, so the user can
    map the missing field). X12, MMR, ATR and fixed-width files (``layout``, or the payer's
    saved one) are read by :mod:`services.machine_preview`, as their import reads them.
    """
    if kind not in KINDS:
        raise InputRejected(f"unknown file kind {kind!r} (expected one of {', '.join(KINDS)})")
    with db.sessions() as s:
        payer = get_payer(s, payer_code)
        code = payer.code
    if kind == FileKind.ROSTER and roster_month is None:
        roster_month = Month.of(now().date())
    # Imported here: machine_preview builds its Preview from this module.
    from pmpm_desktop.services.machine_preview import machine_preview

    machine = machine_preview(
        db,
        code,
        kind,
        path,
        roster_month=roster_month,
        mapping=mapping,
        rows=rows,
        values=values,
        layout=layout,
    )
    if machine is not None:
        return machine
    plan = plan_read(
        db,
        code,
        kind,
        path,
        mapping=mapping,
        sheet=sheet,
        header_row=header_row,
        use_profile=use_profile,
        values=values,
        decimal_comma=decimal_comma,
    )
    sheets = sheet_names(path)
    try:
        parsed = importing.read_planned(plan, path, roster_month)
    except FileReadError as exc:
        unreadable = _unreadable(plan, code, kind, path, sheets, importing.read_error(exc, path))
        if isinstance(exc, WrongKind):
            return dataclasses.replace(unreadable, wrong_kind=exc.kind)
        return dataclasses.replace(unreadable, unreadable=isinstance(exc, UnreadableFile))
    header = plan.probe.at(parsed.sheet, parsed.header_row)
    preamble = plan.probe.read(parsed.sheet, parsed.header_row).preamble
    file_problems, extra_rows = _store_checks(db, code, kind, parsed)
    problems = sorted([*parsed.problems, *extra_rows], key=lambda p: p.row)
    shown = parsed.frame.filter(~parsed.frame[SOURCE_ROW].is_in([p.row for p in extra_rows]))
    columns, cells = plain_rows(shown.head(max(rows, 0)))
    return Preview(
        kind=kind,
        payer_code=code,
        file_name=path.name,
        sha256=parsed.sha256,
        sheets=sheets,
        sheet=parsed.sheet,
        header_row=parsed.header_row,
        headers=header.headers if header is not None else (),
        mapping=_field_mappings(plan, parsed.mapping),
        unmapped=tuple(f.name for f in fields(kind) if f.name not in parsed.mapping),
        profile=plan.profile.name if plan.profile is not None else None,
        columns=columns,
        rows=cells,
        row_count=shown.height,
        problems=tuple(problems),
        file_problems=(*parsed.file_problems, *file_problems),
        error=None,
        already_imported=importing.already_imported(db, code, kind, parsed.sha256),
        roster_month=roster_month,
        decimal_question=parsed.decimal_question,
        read=importing.read_report(parsed, plan),
        notes=_notes(db, code, kind, shown),
        named_payers=payers_named(list_payers(db), (*preamble, *sheets)),
        **statement_figures(kind, shown),
    )


def statement_figures(
    kind: str, lines: pl.DataFrame, payer_payments: pl.DataFrame | None = None
) -> dict[str, Any]:
    """A statement's total paid, payer-level total and stated payment date, as the import
    stores them (``Preview`` fields; nothing for the other kinds)."""
    if kind != FileKind.STATEMENT:
        return {}
    cents = int(lines["amount_cents"].sum()) if "amount_cents" in lines.columns else 0
    level = None
    if payer_payments is not None and payer_payments.height:
        level = cents_to_money(int(payer_payments["amount_cents"].sum()))
    return {
        "total_paid": cents_to_money(cents),
        "payer_level_paid": level,
        "payment_date": importing.file_payment_date(lines),
    }


def _notes(db: Database, code: str, kind: str, frame: pl.DataFrame) -> tuple[str, ...]:
    """What the import would note about the file (the ID rule that would match its IDs)."""
    if kind == FileKind.RATES or "member_id" not in frame.columns:
        return ()
    return id_rule_notes(db, code, kind, frame["member_id"])


def unread(kind: str, code: str, path: Path, error: str, **known: Any) -> Preview:
    """The preview of a file that cannot be imported as asked: ``error`` says why; ``known``
    holds what was learnt of it anyway (its header, its standard and facts, …)."""
    empty: dict[str, Any] = {
        "sha256": "",
        "sheets": (),
        "sheet": None,
        "header_row": None,
        "headers": (),
        "mapping": (),
        "unmapped": tuple(f.name for f in fields(kind)),
        "profile": None,
        "columns": (),
        "rows": (),
        "row_count": 0,
        "problems": (),
        "file_problems": (),
        "already_imported": None,
    }
    return Preview(kind=kind, payer_code=code, file_name=path.name, error=error, **(empty | known))


def _unreadable(
    plan: ReadPlan, code: str, kind: str, path: Path, sheets: tuple[str, ...], error: str
) -> Preview:
    header = plan.probe.at(plan.sheet, plan.header_row)
    return unread(
        kind,
        code,
        path,
        error,
        sheets=sheets,
        sheet=header.sheet if header is not None else None,
        header_row=header.header_row if header is not None else None,
        headers=header.headers if header is not None else (),
        profile=plan.profile.name if plan.profile is not None else None,
    )


def _field_mappings(plan: ReadPlan, mapping: dict[str, str]) -> tuple[FieldMapping, ...]:
    required = {f.name: f.required for f in fields(plan.kind)}
    return tuple(
        FieldMapping(name, column, plan.source(name), required.get(name, False))
        for name, column in mapping.items()
    )


def _store_checks(
    db: Database, code: str, kind: str, parsed: ParsedFile
) -> tuple[list[str], list[RowProblem]]:
    """The checks the import makes after the reader (the same functions): (whole-file
    problems, row problems)."""
    info: dict[str, object] = {"fields": parsed.mapping}
    found: list[RowProblem | str]
    if parsed.frame.height == 0:
        return [], []
    if kind == FileKind.ROSTER:
        found = importing.roster_problems(db, code, parsed.frame, info)
    elif kind == FileKind.STATEMENT:
        found = importing.remittance_problems(parsed.frame, info)
    else:
        found = list(validate_rate_rows(importing.rate_specs(parsed.frame)))
    return [p for p in found if isinstance(p, str)], [p for p in found if isinstance(p, RowProblem)]


_SCALED = {"risk_score": ("risk_score", 6), "amount_cents": ("amount", 2)}


def plain_rows(frame: pl.DataFrame) -> tuple[tuple[str, ...], tuple[tuple[Value, ...], ...]]:
    """Rows as plain values: scaled integers (risk in millionths, cents) become Decimals."""
    names = [c for c in frame.columns if c != SOURCE_ROW]
    columns = ("row", *(_SCALED.get(c, (c, 0))[0] for c in names))
    out: list[tuple[Value, ...]] = []
    for record in frame.iter_rows(named=True):
        values: list[Value] = [int(record[SOURCE_ROW])]
        for c in names:
            v = record[c]
            if c in _SCALED and v is not None:
                v = Decimal(int(v)).scaleb(-_SCALED[c][1])
            values.append(v)
        out.append(tuple(values))
    return columns, tuple(out)
