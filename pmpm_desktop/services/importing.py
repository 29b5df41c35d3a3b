"""Loading payer files into the database: each import is one transaction, all or nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, overload

import polars as pl
from sqlalchemy import Connection, Table, delete, func, insert, or_, select, update

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.money import dollars_text
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.rates import RateRowSpec, validate_rate_rows
from pmpm_desktop.db.bulk import insert_frame, inserted_ids, max_id
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.frame_cache import encode_frame
from pmpm_desktop.db.frames import frame_from, month_index
from pmpm_desktop.db.models import (
    Contract,
    Member,
    Payer,
    PayerPayment,
    RateRow,
    RemittanceImport,
    RemittanceLine,
    RosterImport,
    RosterRow,
    table_of,
)
from pmpm_desktop.errors import InputRejected, NotFound
from pmpm_desktop.io.fields import with_article
from pmpm_desktop.io.file_format import sniff
from pmpm_desktop.io.fixed_layout import FixedLayout
from pmpm_desktop.io.machine_file import Fact, Format, shown_interchange
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.io.parsed import ParsedFile, RowProblem
from pmpm_desktop.io.rate_file import read_rates
from pmpm_desktop.io.read_report import ReadReport
from pmpm_desktop.io.remittance_file import read_remittance
from pmpm_desktop.io.roster_file import read_roster
from pmpm_desktop.io.table import FileReadError
from pmpm_desktop.io.values import parse_amount
from pmpm_desktop.progress import Progress, report, tell
from pmpm_desktop.services.audit import AuditAction, import_subject, record
from pmpm_desktop.services.id_suggestions import id_rule_notes
from pmpm_desktop.services.payers import get_contract, get_payer, rate_row
from pmpm_desktop.services.profiles import ProfileDraft, ReadPlan, plan_read, save_profile

if TYPE_CHECKING:
    from pmpm_desktop.services.machine_import import MachinePlan
from pmpm_desktop.services.stale_discrepancies import mark_roster_stale

#: what a cancelled import keeps: nothing (every import is one transaction)
CANCELLED = "import cancelled: nothing was written"


@dataclass(frozen=True)
class FileSource:
    """What an import keeps of the file's format: its Format (io.machine_file) and, for X12,
    the interchange's identity, by which a re-sent interchange is refused as a duplicate."""

    format: str | None = None
    interchange: str | None = None


class RowsRejected(InputRejected):
    """A file refused for its contents: ``rows`` holds every problem, a RowProblem where it has
    a row and column, else a sentence (whole-file problems such as overlapping rates), so the
    list can be exported (``--errors-out``). ``problems`` holds the same, one sentence each."""

    def __init__(self, message: str, rows: list[RowProblem | str]) -> None:
        super().__init__(message, Sentences(rows))
        self.rows = list(rows)


class Sentences(Sequence[str]):
    """Problems as sentences, each made when asked for: a refusal of two million problems
    shows fifty, so the other sentences are never built (they would take ~300 MB)."""

    def __init__(self, items: Sequence[object]) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [str(p) for p in self._items[index]]
        return str(self._items[index])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class ImportResult:
    import_id: int
    file_name: str
    rows: int
    members: int
    new_members: int
    replaced_import_id: int | None = None
    #: statements: the sum of the lines stored, and the total the statement states (if given)
    lines_total: Decimal | None = None
    stated_total: Decimal | None = None
    #: sentences for the user about the file (e.g. the ID rule that would match its IDs)
    notes: tuple[str, ...] = ()
    #: how the file was read: header, columns, sections, totals skipped, styles, certainty
    read: ReadReport | None = None
    #: machine formats: what was found (sender, control numbers, totals …) and the standard
    facts: tuple[Fact, ...] = ()
    standard: str | None = None
    #: statements with payer-level payments (an 835's PLB): their sum, signed as paid
    payer_level_total: Decimal | None = None
    #: the name of the payer's saved layout the file's reading was remembered as
    layout: str | None = None

    @property
    def total_mismatch(self) -> str | None:
        """A statement whose lines (and payer-level payments) do not add up to its stated
        total, in a sentence."""
        if self.payer_level_total is None or self.lines_total is None:
            return total_mismatch(self.lines_total, self.stated_total)
        whole = self.lines_total + self.payer_level_total
        found = total_mismatch(whole, self.stated_total)
        if found is None:
            return None
        return found.replace("The lines add up", "The lines and payer-level payments add up", 1)


def total_mismatch(lines: Decimal | None, stated: Decimal | None) -> str | None:
    """ "The lines add up to $X, $Y less than the statement's total of $Z" (None when they
    match or no total is stated)."""
    if lines is None or stated is None or lines == stated:
        return None
    gap = stated - lines
    return (
        f"The lines add up to {dollars_text(lines)}, {dollars_text(abs(gap))} "
        f"{'less' if gap > 0 else 'more'} than the statement's total of {dollars_text(stated)}"
    )


def read_error(exc: FileReadError, path: Path) -> str:
    """A reader's one-line refusal, naming the file."""
    message = str(exc)
    return message if path.name in message else f"{path.name}: {message}"


def _read(reader: Callable[[], ParsedFile], path: Path) -> ParsedFile:
    if not path.exists():
        raise NotFound(f"file not found: {path}")
    try:
        parsed = reader()
    except FileReadError as exc:
        raise InputRejected(read_error(exc, path)) from None
    if parsed.problems or parsed.file_problems:
        found: list[RowProblem | str] = [*parsed.file_problems, *parsed.problems]
        raise RowsRejected(
            f"{path.name} was not imported: {len(found):,} problem(s); nothing was written", found
        )
    if parsed.frame.height == 0:
        raise InputRejected(f"{path.name} was not imported: it has no data rows")
    return parsed


def _refuse_duplicate(
    conn: Connection,
    table: type[RosterImport] | type[RemittanceImport],
    payer_id: int,
    sha: str,
    name: str,
    interchange: str | None = None,
) -> None:
    earlier = conn.execute(
        select(table.file_name, table.imported_at).where(
            table.payer_id == payer_id, table.sha256 == sha
        )
    ).first()
    if earlier is not None:
        raise InputRejected(
            f"{name} is already imported (same content as {earlier[0]}, imported "
            f"{earlier[1]:%Y-%m-%d %H:%M}); nothing was written"
        )
    if interchange is None:
        return
    earlier = conn.execute(
        select(table.file_name, table.imported_at).where(
            table.payer_id == payer_id, table.interchange == interchange
        )
    ).first()
    if earlier is not None:
        shown = shown_interchange(interchange)
        what = "X12 interchange" if shown.startswith("X12 ") else "report"
        raise InputRejected(
            f"{name} is already imported: it is the same {what} ({shown}) as "
            f"{earlier[0]}, imported {earlier[1]:%Y-%m-%d %H:%M}, sent again; nothing was written"
        )


def merge_member_rows(frame: pl.DataFrame, roster_month: Month) -> pl.DataFrame:
    """Rows of one member whose spans overlap or touch become one row (SPEC §3: "the rows' spans
    are merged"); disjoint rows stay apart. The reader already refused conflicting rate cells."""
    dup = frame.filter(pl.col("member_id").is_duplicated())
    if dup.height == 0:
        return frame
    single = frame.filter(~pl.col("member_id").is_duplicated())
    far = dt.date(9999, 12, 31)
    merged: list[dict[str, object]] = []
    for _key, group in dup.group_by("member_id", maintain_order=True):
        rows = sorted(
            group.iter_rows(named=True),
            key=lambda r: r["effective_date"] or roster_month.first_day,
        )
        current: dict[str, object] | None = None
        for row in rows:
            start = row["effective_date"] or roster_month.first_day
            if row["effective_date"] is None and row["term_date"] is None:
                row = {
                    **row,
                    "effective_date": roster_month.first_day,
                    "term_date": roster_month.last_day,
                }
            if current is not None:
                cur_end: dt.date = current["term_date"] or far  # type: ignore[assignment]
                # Ordinals: the day after an open end (9999-12-31) is past date's range.
                if start.toordinal() <= cur_end.toordinal() + 1:
                    end: dt.date = row["term_date"] or far
                    new_end = max(cur_end, end)
                    current["term_date"] = None if new_end == far else new_end
                    continue
                merged.append(current)
            current = dict(row)
        if current is not None:
            merged.append(current)
    return pl.concat([single, pl.DataFrame(merged, schema=frame.schema)]).sort("source_row")


def _length_problems(
    frame: pl.DataFrame, table: Table, mapping: dict[str, object] | None
) -> list[RowProblem]:
    """Text longer than its column allows. SQLite would keep it and PostgreSQL refuse it; both
    refuse it here, naming the rows, so a file behaves the same on every database."""
    headers = mapping.get("fields", {}) if mapping else {}
    problems: list[RowProblem] = []
    for column in table.columns:
        length = getattr(column.type, "length", None)
        if (
            length is None
            or column.name not in frame.columns
            or frame.schema[column.name] != pl.Utf8
        ):
            continue
        too_long = frame.filter(pl.col(column.name).str.len_chars() > length)
        label = headers.get(column.name, column.name) if isinstance(headers, dict) else column.name
        problems.extend(
            RowProblem(row, str(label), value[:30] + "…", f"is longer than {length} characters")
            for row, value in too_long.select("source_row", column.name).iter_rows()
        )
    return problems


def roster_problems(
    db: Database, payer_code: str, frame: pl.DataFrame, mapping: dict[str, object] | None
) -> list[RowProblem | str]:
    """What store_roster refuses in rows the reader accepted: text too long for its column, a
    product that selects none of the payer's contracts."""
    with db.sessions() as s:
        payer = get_payer(s, payer_code)
        contracts = [(c.name, list(c.product_codes or [])) for c in payer.contracts]
    problems: list[RowProblem | str] = []
    problems += _length_problems(frame, table_of(RosterRow), mapping)
    problems += _length_problems(frame, table_of(Member), mapping)
    problems += _product_problems(frame, contracts)
    return problems


def remittance_problems(
    frame: pl.DataFrame, mapping: dict[str, object] | None
) -> list[RowProblem | str]:
    """What store_remittance refuses in lines the reader accepted (text too long)."""
    return list(_length_problems(frame, table_of(RemittanceLine), mapping))


def already_imported(
    db: Database, payer_code: str, kind: str, sha256: str
) -> tuple[str, dt.datetime] | None:
    """(file name, imported at) of an earlier import of the same content, for rosters and
    remittances (rate exhibits replace each other and may be loaded again)."""
    table: type[RosterImport] | type[RemittanceImport]
    if kind == FileKind.ROSTER:
        table = RosterImport
    elif kind == FileKind.STATEMENT:
        table = RemittanceImport
    else:
        return None
    with db.sessions() as s:
        payer_id = get_payer(s, payer_code).id
        earlier = s.execute(
            select(table.file_name, table.imported_at).where(
                table.payer_id == payer_id, table.sha256 == sha256
            )
        ).first()
    return None if earlier is None else (earlier[0], earlier[1])


def _product_problems(frame: pl.DataFrame, contracts: list[tuple[str, list[str]]]) -> list[str]:
    if len(contracts) <= 1 or "product" not in frame.columns:
        return []
    codes = {code.strip().upper() for _, cs in contracts for code in cs}
    values = frame.select(
        pl.col("product").str.strip_chars().str.to_uppercase().unique()
    ).to_series()
    unknown = sorted(
        v if v is not None else "(blank)" for v in values if v is None or v not in codes
    )
    if not unknown:
        return []
    known = "; ".join(f"{name}: {', '.join(cs) or '(no codes)'}" for name, cs in contracts)
    return [
        f"product value(s) {', '.join(unknown)} select no contract of this payer "
        f"(contracts: {known})"
    ]


def _machine_plan(
    db: Database,
    payer_code: str,
    kind: FileKind,
    path: Path,
    mapping: dict[str, str] | None,
    layout: FixedLayout | None,
) -> MachinePlan | None:
    """How to read ``path`` when it is a machine format (X12, MMR, ATR, fixed width)."""
    from pmpm_desktop.services import machine_import  # it stores through this module

    return machine_import.plan_machine(db, payer_code, kind, path, mapping=mapping, layout=layout)


def import_roster(
    db: Database,
    payer_code: str,
    roster_month: Month,
    path: Path,
    *,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    progress: Progress | None = None,
    use_profile: bool = True,
    values: dict[str, str] | None = None,
    decimal_comma: bool | None = None,
    save_values: bool = False,
    layout: FixedLayout | None = None,
) -> ImportResult:
    """Validate a roster file completely, then store it in one transaction.

    A roster month imported before is replaced (the earlier import is kept, inactive). The
    payer's import profile whose header matches the file is used (``mapping`` overrides it
    field by field; ``use_profile=False`` ignores profiles), and the profile is saved or
    refreshed with the import. X12, MMR, ATR and fixed-width files (``layout``, or the payer's
    saved one) are read by services.machine_import.
    """
    machine = _machine_plan(db, payer_code, FileKind.ROSTER, path, mapping, layout)
    if machine is not None:
        from pmpm_desktop.services.machine_import import import_machine

        return import_machine(
            db,
            payer_code,
            FileKind.ROSTER,
            path,
            machine,
            roster_month=roster_month,
            values=values,
            progress=progress,
        )
    report(progress, 0, 4, cancelled=CANCELLED)
    plan = plan_read(
        db,
        payer_code,
        FileKind.ROSTER,
        path,
        mapping=mapping,
        sheet=sheet,
        header_row=header_row,
        use_profile=use_profile,
        values=values,
        decimal_comma=decimal_comma,
        save_values=save_values,
    )
    parsed = _read(lambda: read_planned(plan, path, roster_month), path)
    report(progress, 1, 4, cancelled=CANCELLED)
    result = store_roster(
        db,
        payer_code,
        roster_month,
        parsed.frame,
        file_name=path.name,
        sha256=parsed.sha256,
        mapping=_mapping_info(parsed, plan),
        progress=progress,
        profile=_draft(plan, parsed, path),
    )
    return dataclasses.replace(result, read=read_report(parsed, plan))


class _Where(TypedDict):
    """Where and how a reader reads a file, as a plan says."""

    mapping: dict[str, str] | None
    sheet: str | None
    header_row: int | None


def read_planned(plan: ReadPlan, path: Path, roster_month: Month | None = None) -> ParsedFile:
    """Read ``path`` with the reader of the plan's kind, as the plan says (the preview and the
    import read through here, so what the preview shows is what the import stores).

    The table the plan's header probe already read at that place is reused, not read again."""
    table = plan.probe.read(plan.sheet, plan.header_row)
    where = _Where(mapping=plan.mapping, sheet=plan.sheet, header_row=plan.header_row)
    if plan.kind == FileKind.ROSTER:
        if roster_month is None:
            raise ValueError("a roster is read for a roster month")
        return read_roster(
            path, roster_month=roster_month, options=plan.options, table=table, **where
        )
    if plan.kind == FileKind.STATEMENT:
        return read_remittance(path, options=plan.options, table=table, **where)
    return read_rates(path, options=plan.options, table=table, **where)


def read_report(parsed: ParsedFile, plan: ReadPlan) -> ReadReport:
    """How the file was read, naming the saved layout used."""
    report = parsed.report()
    profile = plan.profile.name if plan.profile is not None else None
    return dataclasses.replace(report, profile=profile)


def _draft(plan: ReadPlan, parsed: ParsedFile, path: Path) -> ProfileDraft:
    try:
        return plan.draft(parsed.sheet, parsed.header_row, parsed.mapping)
    except FileReadError as exc:
        raise InputRejected(read_error(exc, path)) from None


def _mapping_info(parsed: ParsedFile, plan: ReadPlan | None = None) -> dict[str, object]:
    info: dict[str, object] = {
        "fields": parsed.mapping,
        "sheet": parsed.sheet,
        "header_row": parsed.header_row,
    }
    if plan is not None and plan.profile is not None:
        info["profile"] = plan.profile.name
    return info


def store_roster(
    db: Database,
    payer_code: str,
    roster_month: Month,
    frame: pl.DataFrame,
    *,
    file_name: str,
    sha256: str,
    mapping: dict[str, object] | None = None,
    progress: Progress | None = None,
    profile: ProfileDraft | None = None,
    source: FileSource | None = None,
) -> ImportResult:
    """Store validated roster rows (the reader's canonical frame) as one import, atomically;
    with ``profile``, the payer's import profile is saved in the same transaction."""
    stored = checked_roster(db, payer_code, roster_month, frame, file_name, mapping)
    with db.engine.begin() as conn:
        result = insert_roster(
            conn,
            stored,
            file_name=file_name,
            sha256=sha256,
            mapping=mapping,
            progress=progress,
            profile=profile,
            source=source,
        )
    tell(progress, 4, 4)  # stored: a Cancel now changes nothing
    return result


@dataclass(frozen=True)
class CheckedRoster:
    """Roster rows ready to store: checked against the payer's contracts, members merged."""

    payer_id: int
    roster_month: Month
    frame: pl.DataFrame
    notes: tuple[str, ...]


def checked_roster(
    db: Database,
    payer_code: str,
    roster_month: Month,
    frame: pl.DataFrame,
    file_name: str,
    mapping: dict[str, object] | None,
) -> CheckedRoster:
    """``frame`` checked as store_roster stores it (RowsRejected naming every problem)."""
    with db.sessions() as s:
        payer_id = get_payer(s, payer_code).id
    problems = roster_problems(db, payer_code, frame, mapping)
    if problems:
        raise RowsRejected(f"{file_name} was not imported; nothing was written", problems)
    frame = merge_member_rows(frame, roster_month)
    notes = id_rule_notes(db, payer_code, FileKind.ROSTER, frame["member_id"])
    return CheckedRoster(payer_id, roster_month, frame, notes)


def insert_roster(
    conn: Connection,
    roster: CheckedRoster,
    *,
    file_name: str,
    sha256: str,
    mapping: dict[str, object] | None = None,
    progress: Progress | None = None,
    profile: ProfileDraft | None = None,
    source: FileSource | None = None,
) -> ImportResult:
    """Store a checked roster inside the caller's transaction."""
    source = source or FileSource()
    payer_id, roster_month, frame = roster.payer_id, roster.roster_month, roster.frame
    _refuse_duplicate(conn, RosterImport, payer_id, sha256, file_name, source.interchange)
    new_members, member_pks = _add_new_members(conn, payer_id, frame)
    report(progress, 2, 4, cancelled=CANCELLED)
    previous = conn.execute(
        select(RosterImport.id).where(
            RosterImport.payer_id == payer_id,
            RosterImport.roster_month == roster_month,
            RosterImport.active.is_(True),
        )
    ).scalar()
    import_id = conn.execute(
        insert(RosterImport)
        .values(
            payer_id=payer_id,
            roster_month=roster_month,
            file_name=file_name,
            sha256=sha256,
            imported_at=now(),
            row_count=frame.height,
            mapping=mapping or {},
            active=True,
            file_format=source.format,
            interchange=source.interchange,
        )
        .returning(RosterImport.id)
    ).scalar_one()
    if previous is not None:
        conn.execute(
            update(RosterImport)
            .where(RosterImport.id == previous)
            .values(active=False, replaced_by_id=import_id)
        )
    rows = frame.join(member_pks, on="member_id").select(
        pl.lit(import_id, dtype=pl.Int64).alias("import_id"),
        "member_pk",
        "last_name",
        "first_name",
        "dob",
        "sex",
        "product",
        "rate_cell",
        "pcp",
        "effective_date",
        "term_date",
        "risk_score",
        "source_row",
    )
    before = max_id(conn, table_of(RosterRow))
    insert_frame(conn, table_of(RosterRow), rows, {"risk_score": "micro"})
    _cache_roster(conn, import_id, rows, before)
    if previous is not None:
        mark_roster_stale(conn, payer_id, [previous, import_id], roster_month)
    # Members created from this very import, a row each, already hold what a refresh copies.
    if not (new_members == frame.height and frame["member_id"].n_unique() == frame.height):
        _refresh_members(conn, payer_id, import_id, roster_month)
    layout = save_profile(conn, payer_id, profile) if profile is not None else None
    replaced = f"; replaced roster import {previous}" if previous is not None else ""
    record(
        conn,
        AuditAction.IMPORT_ROSTER,
        _code(conn, payer_id),
        import_subject("roster", import_id),
        f"{file_name}: {frame.height:,} rows, roster month {roster_month}{replaced}",
    )
    report(progress, 3, 4, cancelled=CANCELLED)
    return ImportResult(
        import_id,
        file_name,
        frame.height,
        frame["member_id"].n_unique(),
        new_members,
        previous,
        notes=roster.notes,
        layout=layout,
    )


def _code(conn: Connection, payer_id: int) -> str:
    return str(conn.scalar(select(Payer.code).where(Payer.id == payer_id)))


def _cache_roster(conn: Connection, import_id: int, rows: pl.DataFrame, before: int) -> None:
    """Keep the import's rows, with their ids, as the Arrow blob reconciliation reads."""
    ids = inserted_ids(conn, table_of(RosterRow), before, rows.height)
    if ids is not None:
        with_ids = rows.with_columns(row_id=ids)
    else:
        # A workbook with a sheet per product repeats row numbers: the member tells them apart.
        read_back = conn.execute(
            select(RosterRow.source_row, RosterRow.member_pk, RosterRow.id).where(
                RosterRow.import_id == import_id
            )
        ).all()
        id_frame = pl.DataFrame(
            {
                "source_row": [r[0] for r in read_back],
                "member_pk": [r[1] for r in read_back],
                "row_id": [r[2] for r in read_back],
            },
            schema={"source_row": pl.Int64, "member_pk": pl.Int64, "row_id": pl.Int64},
        )
        with_ids = rows.join(id_frame, on=["source_row", "member_pk"])
    cache = with_ids.select(
        "row_id",
        "member_pk",
        "effective_date",
        "term_date",
        "product",
        "rate_cell",
        "dob",
        "sex",
        pl.col("risk_score").alias("risk_micro"),
    )
    conn.execute(
        update(RosterImport)
        .where(RosterImport.id == import_id)
        .values(rows_cache=encode_frame(cache))
    )


_MEMBER_FIELDS = ("last_name", "first_name", "dob", "sex")


_IDS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "member_id": pl.Utf8,
    "member_pk": pl.Int64,
}


def _member_ids(conn: Connection, payer_id: int) -> pl.DataFrame:
    return frame_from(
        conn,
        select(Member.member_id, Member.id).where(Member.payer_id == payer_id),
        _IDS_SCHEMA,
    )


def _add_new_members(
    conn: Connection, payer_id: int, frame: pl.DataFrame
) -> tuple[int, pl.DataFrame]:
    """Create the members first seen in this roster. Returns (how many, member_id → member_pk)."""
    existing = _member_ids(conn, payer_id)
    new = (
        frame.unique("member_id", keep="first", maintain_order=True)
        .select("member_id", *_MEMBER_FIELDS)
        .join(existing, on="member_id", how="anti")
    )
    if new.height == 0:
        return 0, existing
    insert_frame(
        conn,
        table_of(Member),
        new.select(
            pl.lit(payer_id, dtype=pl.Int64).alias("payer_id"), "member_id", *_MEMBER_FIELDS
        ),
    )
    return new.height, _member_ids(conn, payer_id)


def _refresh_members(conn: Connection, payer_id: int, import_id: int, month: Month) -> None:
    """Names, DOB and sex follow the payer's newest roster month: copy what changed from this
    import's rows, set-based (UPDATE … FROM: SQLite 3.33+, PostgreSQL)."""
    newest = conn.execute(
        select(func.max(RosterImport.roster_month)).where(
            RosterImport.payer_id == payer_id, RosterImport.active.is_(True)
        )
    ).scalar()
    if newest is not None and month < newest:
        return
    rows = (
        select(
            RosterRow.member_pk,
            func.min(RosterRow.last_name).label("last_name"),
            func.min(RosterRow.first_name).label("first_name"),
            func.min(RosterRow.dob).label("dob"),
            func.min(RosterRow.sex).label("sex"),
        )
        .where(RosterRow.import_id == import_id)
        .group_by(RosterRow.member_pk)
        .subquery()
    )
    members = table_of(Member)
    conn.execute(
        update(members)
        .where(members.c.id == rows.c.member_pk)
        .where(or_(*(members.c[f].is_distinct_from(rows.c[f]) for f in _MEMBER_FIELDS)))
        .values({f: rows.c[f] for f in _MEMBER_FIELDS})
    )


def import_remittance(
    db: Database,
    payer_code: str,
    path: Path,
    *,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    payment_date: dt.date | None = None,
    reference: str | None = None,
    stated_total: Decimal | None = None,
    progress: Progress | None = None,
    use_profile: bool = True,
    values: dict[str, str] | None = None,
    decimal_comma: bool | None = None,
    save_values: bool = False,
    layout: FixedLayout | None = None,
) -> ImportResult:
    """Validate a remittance / statement file completely, then store it in one transaction
    (import profiles and machine formats as for :func:`import_roster`).

    ``stated_total`` is the total the statement states (the check / EFT amount), stored to be
    compared with the sum of its lines; it does not enter reconciliation."""
    stated_total = checked_stated_total(stated_total)  # refused before the file is read
    machine = _machine_plan(db, payer_code, FileKind.STATEMENT, path, mapping, layout)
    if machine is not None:
        from pmpm_desktop.services.machine_import import import_machine

        return import_machine(
            db,
            payer_code,
            FileKind.STATEMENT,
            path,
            machine,
            values=values,
            payment_date=payment_date,
            reference=reference,
            stated_total=stated_total,
            progress=progress,
        )
    report(progress, 0, 3, cancelled=CANCELLED)
    plan = plan_read(
        db,
        payer_code,
        FileKind.STATEMENT,
        path,
        mapping=mapping,
        sheet=sheet,
        header_row=header_row,
        use_profile=use_profile,
        values=values,
        decimal_comma=decimal_comma,
        save_values=save_values,
    )
    parsed = _read(lambda: read_planned(plan, path), path)
    report(progress, 1, 3, cancelled=CANCELLED)
    result = store_remittance(
        db,
        payer_code,
        parsed.frame,
        file_name=path.name,
        sha256=parsed.sha256,
        mapping=_mapping_info(parsed, plan),
        payment_date=payment_date,
        reference=reference,
        stated_total=stated_total,
        progress=progress,
        profile=_draft(plan, parsed, path),
    )
    return dataclasses.replace(result, read=read_report(parsed, plan))


_STATED = "the statement total"


class AmountRefused(InputRejected):
    """A statement total typed that is not an amount; ``why`` says why in words."""

    def __init__(self, text: str, why: str) -> None:
        super().__init__(f"{_STATED} {text!r} is {why}")
        self.text = text
        self.why = why


def parse_stated_total(text: str | None) -> Decimal | None:
    """A statement total the user typed (``1234.56``, ``$1,234.56``), read by the same amount
    parser as the files' amounts; blank is None (no total stated). Refused in words."""
    try:
        return parse_amount(text)
    except ValueError as exc:
        why = str(exc)
        why = why if why.startswith("not an amount") else f"not an amount: {why}"
        raise AmountRefused(str(text), why) from None


def checked_stated_total(value: Decimal | None) -> Decimal | None:
    """``value`` as stored: a Decimal of at most two decimals (never a float), or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InputRejected(
            f"{_STATED} must be an exact amount (a Decimal), not {type(value).__name__} {value!r}"
        )
    try:
        checked = parse_amount(value)
    except ValueError as exc:
        raise InputRejected(f"{_STATED} {value} is refused: {exc}") from None
    assert checked is not None
    return checked


def store_remittance(
    db: Database,
    payer_code: str,
    frame: pl.DataFrame,
    *,
    file_name: str,
    sha256: str,
    mapping: dict[str, object] | None = None,
    payment_date: dt.date | None = None,
    reference: str | None = None,
    stated_total: Decimal | None = None,
    progress: Progress | None = None,
    profile: ProfileDraft | None = None,
    source: FileSource | None = None,
    payer_payments: pl.DataFrame | None = None,
) -> ImportResult:
    """Store validated remittance lines (the reader's canonical frame) as one import; with
    ``profile``, the payer's import profile is saved in the same transaction. ``stated_total``
    as for :func:`import_remittance`; ``payer_payments`` (io.machine_file.PAYER_PAYMENT_SCHEMA,
    an 835's PLB) are stored with the import."""
    stated_total = checked_stated_total(stated_total)
    statement = checked_statement(db, payer_code, frame, file_name, mapping)
    with db.engine.begin() as conn:
        result = insert_remittance(
            conn,
            statement,
            file_name=file_name,
            sha256=sha256,
            mapping=mapping,
            payment_date=payment_date,
            reference=reference,
            stated_total=stated_total,
            progress=progress,
            profile=profile,
            source=source,
            payer_payments=payer_payments,
        )
    tell(progress, 3, 3)  # stored: a Cancel now changes nothing
    return result


@dataclass(frozen=True)
class CheckedStatement:
    """Statement lines ready to store."""

    payer_id: int
    frame: pl.DataFrame
    notes: tuple[str, ...]


def checked_statement(
    db: Database,
    payer_code: str,
    frame: pl.DataFrame,
    file_name: str,
    mapping: dict[str, object] | None,
) -> CheckedStatement:
    """``frame`` checked as store_remittance stores it (RowsRejected naming every problem)."""
    with db.sessions() as s:
        payer_id = get_payer(s, payer_code).id
    problems = remittance_problems(frame, mapping)
    if problems:
        raise RowsRejected(f"{file_name} was not imported; nothing was written", problems)
    notes = (
        id_rule_notes(db, payer_code, FileKind.STATEMENT, frame["member_id"])
        if frame.height
        else ()
    )
    return CheckedStatement(payer_id, frame, notes)


def file_payment_date(lines: pl.DataFrame) -> dt.date | None:
    """The payment date a statement's lines state (its first, when a column holds one)."""
    if "payment_date" not in lines.columns:
        return None
    found = lines["payment_date"].drop_nulls()
    return found.first() if found.len() else None  # type: ignore[return-value]


def insert_remittance(
    conn: Connection,
    statement: CheckedStatement,
    *,
    file_name: str,
    sha256: str,
    mapping: dict[str, object] | None = None,
    payment_date: dt.date | None = None,
    reference: str | None = None,
    stated_total: Decimal | None = None,
    progress: Progress | None = None,
    profile: ProfileDraft | None = None,
    source: FileSource | None = None,
    payer_payments: pl.DataFrame | None = None,
) -> ImportResult:
    """Store checked statement lines inside the caller's transaction."""
    source = source or FileSource()
    payer_id, frame = statement.payer_id, statement.frame
    stated_total = checked_stated_total(stated_total)
    if payment_date is None:
        payment_date = file_payment_date(frame)
    if reference is None and "reference" in frame.columns:
        reference = frame["reference"].drop_nulls().first()  # type: ignore[assignment]
    _refuse_duplicate(conn, RemittanceImport, payer_id, sha256, file_name, source.interchange)
    import_id = conn.execute(
        insert(RemittanceImport)
        .values(
            payer_id=payer_id,
            file_name=file_name,
            sha256=sha256,
            imported_at=now(),
            payment_date=payment_date,
            reference=reference,
            stated_total=stated_total,
            row_count=frame.height,
            mapping=mapping or {},
            file_format=source.format,
            interchange=source.interchange,
        )
        .returning(RemittanceImport.id)
    ).scalar_one()
    optional = [
        pl.col(c) if c in frame.columns else pl.lit(None, dtype=pl.Utf8).alias(c)
        for c in ("line_type", "member_name")
    ]
    lines = frame.select(
        pl.lit(import_id, dtype=pl.Int64).alias("import_id"),
        pl.lit(payer_id, dtype=pl.Int64).alias("payer_id"),
        "member_id",
        "coverage_month",
        pl.col("amount_cents").alias("amount"),
        *optional,
        "source_row",
    )
    if lines.height:
        insert_frame(conn, table_of(RemittanceLine), lines, {"amount": "cents"})
    conn.execute(
        update(RemittanceImport)
        .where(RemittanceImport.id == import_id)
        .values(
            lines_cache=encode_frame(
                lines.select(
                    pl.lit(None, dtype=pl.Int64).alias("line_id"),
                    "member_id",
                    month_index(pl.col("coverage_month")).alias("month"),
                    pl.col("amount").alias("amount_cents"),
                )
            )
        )
    )
    if payer_payments is not None and payer_payments.height:
        insert_frame(
            conn,
            table_of(PayerPayment),
            payer_payments.select(
                pl.lit(import_id, dtype=pl.Int64).alias("import_id"),
                pl.lit(payer_id, dtype=pl.Int64).alias("payer_id"),
                "month",
                "code",
                "reference",
                pl.col("amount_cents").alias("amount"),
                "source_row",
            ),
            {"amount": "cents"},
        )
    layout = save_profile(conn, payer_id, profile) if profile is not None else None
    record(
        conn,
        AuditAction.IMPORT_STATEMENT,
        _code(conn, payer_id),
        import_subject("statement", import_id),
        f"{file_name}: {frame.height:,} lines",
    )
    report(progress, 2, 3, cancelled=CANCELLED)
    cents = frame["amount_cents"].sum()
    return ImportResult(
        import_id,
        file_name,
        frame.height,
        frame["member_id"].n_unique(),
        0,
        lines_total=Decimal(int(cents or 0)).scaleb(-2),
        stated_total=stated_total,
        notes=statement.notes,
        layout=layout,
    )


@dataclass(frozen=True)
class RatesResult:
    contract: str
    rows: int
    replaced: int
    read: ReadReport | None = None


def _refuse_machine_rates(path: Path) -> None:
    """A rate exhibit is a spreadsheet: an X12, MMR or ATR file given as one is refused in
    words, not as an unsupported extension."""
    if not path.exists():
        raise NotFound(f"file not found: {path}")
    try:
        found = sniff(path)
    except OSError:
        return  # the table reader says why it cannot read the file
    if found is not Format.SPREADSHEET:
        raise InputRejected(
            f"{path.name} was not imported as a rate exhibit: it is {with_article(found.label)} "
            "file, and rate exhibits are spreadsheets (xlsx, xls, ods or csv). Nothing was written"
        )


def import_rates(
    db: Database,
    payer_code: str,
    contract_name: str,
    path: Path,
    *,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    use_profile: bool = True,
    values: dict[str, str] | None = None,
    decimal_comma: bool | None = None,
    save_values: bool = False,
) -> RatesResult:
    """Load a rate exhibit, replacing the contract's rates; overlapping rows are refused.
    Import profiles (one set per payer, whatever the contract) as for :func:`import_roster`."""
    with db.sessions() as s:
        payer = get_payer(s, payer_code)
        contract = get_contract(s, payer, contract_name)
        contract_id, name = contract.id, contract.name
    _refuse_machine_rates(path)
    plan = plan_read(
        db,
        payer_code,
        FileKind.RATES,
        path,
        mapping=mapping,
        sheet=sheet,
        header_row=header_row,
        use_profile=use_profile,
        values=values,
        decimal_comma=decimal_comma,
        save_values=save_values,
    )
    parsed = _read(lambda: read_planned(plan, path), path)
    specs = rate_specs(parsed.frame)
    problems: list[RowProblem | str] = list(validate_rate_rows(specs))
    if problems:
        raise RowsRejected(f"{path.name} was not imported; nothing was written", problems)
    result = replace_rates(
        db,
        contract_id,
        name,
        specs,
        profile=_draft(plan, parsed, path),
        payer_id=plan.payer_id,
        file_name=path.name,
    )
    return dataclasses.replace(result, read=read_report(parsed, plan))


def import_file(
    db: Database,
    kind: str,
    payer_code: str,
    path: Path,
    *,
    roster_month: Month | None = None,
    contract: str | None = None,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    payment_date: dt.date | None = None,
    reference: str | None = None,
    stated_total: Decimal | None = None,
    progress: Progress | None = None,
    values: dict[str, str] | None = None,
    decimal_comma: bool | None = None,
    save_values: bool = False,
    layout: FixedLayout | None = None,
) -> ImportResult | RatesResult:
    """Import a payer file of ``kind`` (``roster``, ``remittance`` or ``rates``) with the
    options that kind takes: the one dispatch behind ``pmpm … import`` and the import wizard.

    A roster needs ``roster_month``, a rate exhibit ``contract``; the payment options are for
    statements only. The rate import reports no progress, so ``progress`` is asked once before
    it starts (a Cancel then stops it before anything is written)."""
    if kind == FileKind.ROSTER:
        if roster_month is None:
            raise ValueError("a roster import needs its roster month")
        return import_roster(
            db,
            payer_code,
            roster_month,
            path,
            mapping=mapping,
            sheet=sheet,
            header_row=header_row,
            progress=progress,
            values=values,
            decimal_comma=decimal_comma,
            save_values=save_values,
            layout=layout,
        )
    if kind == FileKind.STATEMENT:
        return import_remittance(
            db,
            payer_code,
            path,
            mapping=mapping,
            sheet=sheet,
            header_row=header_row,
            payment_date=payment_date,
            reference=reference,
            stated_total=stated_total,
            progress=progress,
            values=values,
            decimal_comma=decimal_comma,
            save_values=save_values,
            layout=layout,
        )
    if kind == FileKind.RATES:
        if contract is None:
            raise ValueError("a rate import needs the contract it is for")
        report(progress, 0, 1, cancelled=CANCELLED)
        return import_rates(
            db,
            payer_code,
            contract,
            path,
            mapping=mapping,
            sheet=sheet,
            header_row=header_row,
            values=values,
            decimal_comma=decimal_comma,
            save_values=save_values,
        )
    raise ValueError(f"unknown kind of payer file {kind!r} (kinds: roster, remittance, rates)")


def rate_specs(frame: pl.DataFrame) -> list[RateRowSpec]:
    """The rate reader's rows as the core's rate rows."""
    return [
        RateRowSpec(
            effective_from=Month.parse(r["effective_from"]),
            effective_to=Month.parse(r["effective_to"]) if r["effective_to"] else None,
            component=r["component"],
            rate_cell=r["rate_cell"],
            sex=r["sex"],
            age_min=r["age_min"],
            age_max=r["age_max"],
            amount=Decimal(r["amount_cents"]).scaleb(-2),
            source_row=r["source_row"],
        )
        for r in frame.iter_rows(named=True)
    ]


def replace_rates(
    db: Database,
    contract_id: int,
    name: str,
    specs: list[RateRowSpec],
    *,
    profile: ProfileDraft | None = None,
    payer_id: int | None = None,
    file_name: str | None = None,
) -> RatesResult:
    """The contract's rates replaced by ``specs`` in one transaction, audited as an import of
    ``file_name`` or, without one, as rates typed in the grid."""
    problems = validate_rate_rows(specs)
    if problems:
        raise InputRejected("the rates were not saved", problems)
    with db.sessions.begin() as s:
        if profile is not None and payer_id is not None:
            save_profile(s.connection(), payer_id, profile)
        gone = delete(RateRow).where(RateRow.contract_id == contract_id)
        replaced = s.connection().execute(gone).rowcount
        s.add_all(rate_row(contract_id, r) for r in specs)
        contract = s.get(Contract, contract_id)
        code = contract.payer.code if contract is not None else None
        rows = f"{len(specs):,} rate rows (replaced {replaced or 0:,})"
        if file_name is None:
            action, detail = AuditAction.EDIT_RATES, f"{rows} saved from the rate grid"
        else:
            action, detail = AuditAction.IMPORT_RATES, f"{file_name}: {rows}"
        record(s, action, code, f"contract {name}", detail)
    return RatesResult(name, len(specs), replaced or 0)
