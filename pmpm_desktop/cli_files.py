"""``pmpm rates|roster|remit import`` and ``pmpm roster diff``: loading a payer's files."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmpm_desktop.cli_args import (
    add_json,
    add_month,
    add_payer,
    amount,
    date,
    money,
    months_text,
    pairs,
    print_table,
)
from pmpm_desktop.core.money import dollars_text
from pmpm_desktop.db.database import Database
from pmpm_desktop.errors import UsageError
from pmpm_desktop.io.options import FileKind

if TYPE_CHECKING:  # the services load polars: only the commands that need them import them
    from pmpm_desktop.cli_args import Subparsers
    from pmpm_desktop.services.importing import ImportResult, RatesResult

_SPREADSHEETS = ".xlsx, .xls, .ods or .csv"
#: what each kind of file may be (the format is recognised from the content)
_FILE_HELP = {
    FileKind.RATES: f"the rate exhibit: a spreadsheet ({_SPREADSHEETS})",
    FileKind.ROSTER: f"the roster: a spreadsheet ({_SPREADSHEETS}), an X12 834 or 271, a CMS "
    "MMR, a FHIR attribution list (ATR), or a fixed-width file with --layout",
    FileKind.STATEMENT: f"the statement: a spreadsheet ({_SPREADSHEETS}), an X12 835 or 820, a "
    "CMS MMR, or a fixed-width file with --layout",
}
#: the command that imports each kind of file
_COMMAND_KIND = {"rates": FileKind.RATES, "roster": FileKind.ROSTER, "remit": FileKind.STATEMENT}


def add_parsers(sub: Subparsers) -> None:
    rates = sub.add_parser("rates", help="load a rate exhibit")
    rates.set_defaults(run=run)
    ri = rates.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
        "import", help="load a rate exhibit, replacing the contract's rates"
    )
    ri.add_argument("--contract", required=True, help="the contract's name (Medicaid HMO)")
    _file_options(ri, FileKind.RATES)

    roster = sub.add_parser("roster", help="load a roster, or see what changed in one")
    roster.set_defaults(run=run)
    actions = roster.add_subparsers(dest="action", required=True, metavar="ACTION")
    ro = actions.add_parser("import", help="load a roster for one month")
    add_month(ro, "the month the roster is for, as YYYY-MM")
    _file_options(ro, FileKind.ROSTER)
    rdf = actions.add_parser("diff", help="what changed since the previous roster month")
    add_payer(rdf)
    add_month(rdf, "the roster month to compare with the one before, as YYYY-MM")
    add_json(rdf)

    remit = sub.add_parser("remit", help="load a payment statement (remittance)")
    remit.set_defaults(run=run)
    rm = remit.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
        "import", help="load a remittance / statement"
    )
    rm.add_argument(
        "--payment-date",
        type=date,
        metavar="YYYY-MM-DD",
        help="the day the payment was made, when the file does not say",
    )
    rm.add_argument("--reference", metavar="CHECK_OR_EFT", help="the check or EFT number")
    rm.add_argument(
        "--stated-total",
        type=amount,
        metavar="AMOUNT",
        help="the total the statement states (check / EFT amount), checked against its lines",
    )
    _file_options(rm, FileKind.STATEMENT)


def _file_options(sp: argparse.ArgumentParser, kind: FileKind) -> None:
    add_payer(sp)
    sp.add_argument(
        "--map",
        action="append",
        metavar="FIELD=COLUMN",
        help="read FIELD from the column headed COLUMN (repeat for each field; the rest are "
        "detected from the header)",
    )
    add_json(sp, "print what was stored and how the file was read as JSON")
    sp.add_argument(
        "--set",
        action="append",
        dest="set_values",
        metavar="FIELD=VALUE",
        help="a value the file does not carry, for every row (e.g. product=MCD, "
        "coverage_month=2026-02)",
    )
    sp.add_argument(
        "--save-values",
        action="store_true",
        help="remember the --set values with the payer's layout for its next files",
    )
    sp.add_argument(
        "--decimal",
        choices=("comma", "point"),
        help="how the file writes decimals (1.234,56 or 1,234.56); by default decided "
        "from the file's numbers",
    )
    sp.add_argument("--sheet", metavar="NAME", help="the workbook sheet to read (default: found)")
    sp.add_argument(
        "--header-row",
        type=int,
        metavar="N",
        help="the row number of the column headers (default: found)",
    )
    sp.add_argument(
        "--layout",
        type=Path,
        metavar="LAYOUT.json",
        help="a fixed-width file's layout: start and length of each field (kept for the "
        "payer's next files)",
    )
    sp.add_argument(
        "--errors-out",
        type=Path,
        metavar="FILE",
        help="when the file is refused, also write every problem to FILE (.csv or .xlsx)",
    )
    sp.add_argument("file", type=Path, metavar="FILE", help=_FILE_HELP[kind])


def run(db: Database, args: argparse.Namespace) -> int:
    if args.action == "diff":
        return _roster_diff(db, args)
    return _with_errors_out(args.errors_out, lambda: _import(db, args))


def _import(db: Database, args: argparse.Namespace) -> int:
    from pmpm_desktop.services import importing

    kind = _COMMAND_KIND[args.command]
    res = importing.import_file(
        db,
        kind,
        args.payer,
        args.file,
        roster_month=getattr(args, "month", None),
        contract=getattr(args, "contract", None),
        mapping=pairs("--map", args.map, "FIELD=COLUMN"),
        sheet=args.sheet,
        header_row=args.header_row,
        payment_date=getattr(args, "payment_date", None),
        reference=getattr(args, "reference", None),
        stated_total=getattr(args, "stated_total", None),
        values=pairs("--set", args.set_values, "FIELD=VALUE"),
        decimal_comma=None if args.decimal is None else args.decimal == "comma",
        save_values=args.save_values,
        layout=_layout(args.layout, kind),
    )
    if args.json:
        print(json.dumps(_import_json(kind, args.file.name, res), indent=2))
        return 0
    if isinstance(res, importing.RatesResult):
        print(f"loaded {res.rows} rate rows into {res.contract!r} (replaced {res.replaced})")
    else:
        _print_stored(kind, res, args)
    if res.read is not None:
        print("how it was read:")
        for line in res.read.lines():
            print(f"  - {line}")
    return 0


def _print_stored(kind: FileKind, res: ImportResult, args: argparse.Namespace) -> None:
    """What a roster or statement import stored, its notes and what a machine file held."""
    if kind is FileKind.ROSTER:
        replaced = f"; replaced the earlier {args.month} roster" if res.replaced_import_id else ""
        print(
            f"imported {res.file_name}: {res.rows} rows, {res.members} members "
            f"({res.new_members} new){replaced}"
        )
    else:
        if res.rows or res.payer_level_total is None:
            print(f"imported {res.file_name}: {res.rows} lines for {res.members} member IDs")
        else:
            print(f"imported {res.file_name}: no member lines")
        if res.payer_level_total is not None:
            print(f"payer-level payments (no members): {dollars_text(res.payer_level_total)}")
        if res.total_mismatch is not None:
            print(f"note: {res.total_mismatch}")
    for note in res.notes:
        print(f"note: {note}")
    if res.standard:
        print(f"what was found ({res.standard}):")
        for fact in res.facts:
            print(f"  - {fact.label}: {fact.value}")


def _layout(path: Path | None, kind: FileKind) -> Any:
    """The fixed-width layout a ``--layout`` file holds, for files of ``kind`` when it names
    none (UsageError in a sentence)."""
    if path is None:
        return None
    from pmpm_desktop.io.fixed_layout import FixedLayout

    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"--layout: {path} could not be read: {exc.strerror or exc}") from None
    try:
        return FixedLayout.from_json(text, None if kind is FileKind.RATES else kind)
    except ValueError as exc:
        raise UsageError(f"--layout: {path.name}: {exc}") from None


def _import_json(kind: FileKind, file_name: str, res: ImportResult | RatesResult) -> dict[str, Any]:
    """An import's outcome as JSON: what was stored and how the file was read."""
    from pmpm_desktop.services.importing import RatesResult

    out: dict[str, Any] = {"file": file_name, "kind": str(kind)}
    if isinstance(res, RatesResult):
        out.update(contract=res.contract, rows=res.rows, replaced=res.replaced)
    else:
        out.update(
            import_id=res.import_id,
            rows=res.rows,
            members=res.members,
            new_members=res.new_members,
            replaced_import_id=res.replaced_import_id,
            notes=list(res.notes),
        )
        if res.standard is not None:
            out["format"] = res.standard
            out["found"] = {f.label: f.value for f in res.facts}
        if kind is FileKind.STATEMENT:
            out["payer_level_total"] = (
                None if res.payer_level_total is None else money(res.payer_level_total)
            )
            out["lines_total"] = None if res.lines_total is None else money(res.lines_total)
            out["stated_total"] = None if res.stated_total is None else money(res.stated_total)
            out["total_mismatch"] = res.total_mismatch
    out["read"] = res.read.as_json() if res.read is not None else None
    return out


def _with_errors_out(out: Path | None, run: Callable[[], int]) -> int:
    """Run an import; when it is refused for its rows, also write every problem to ``out``."""
    from pmpm_desktop.errors import InputRejected
    from pmpm_desktop.io.problems_export import check_suffix, write_problems

    if out is None:
        return run()
    try:
        check_suffix(out)
    except ValueError as exc:
        raise UsageError(f"--errors-out: {exc}") from None
    try:
        return run()
    except InputRejected as exc:
        rows = getattr(exc, "rows", None) or exc.problems
        if not rows:
            raise
        try:
            write_problems(out, rows)
        except OSError as err:
            note = f"the problem list could not be written to {out}: {err.strerror or err}"
        else:
            note = (
                f"the {len(rows):,} problem(s) are listed in {out} "
                "(it contains member data (PHI): keep it private)"
            )
            full = f"all of them are in {out}"
            raise InputRejected(f"{exc.args[0]}; {note}", exc.problems, full_list=full) from None
        raise InputRejected(f"{exc.args[0]}; {note}", exc.problems) from None


def _roster_diff(db: Database, args: argparse.Namespace) -> int:
    from pmpm_desktop.services.roster_changes import roster_diff, summarise_changes

    diff = roster_diff(db, args.payer, args.month)
    counts = summarise_changes(diff)
    if args.json:
        out = {
            "payer": diff.payer_code,
            "month": str(diff.month),
            "previous_month": str(diff.previous_month) if diff.previous_month else None,
            "counts": counts,
            "changes": [
                {
                    "member_id": c.member_id,
                    "name": c.name,
                    "kind": c.kind,
                    "before": c.before,
                    "after": c.after,
                    "months": [str(m) for m in c.months],
                }
                for c in diff.changes
            ],
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    previous = (
        f"against {diff.previous_month}"
        if diff.previous_month
        else "first roster of this payer: nothing to compare with"
    )
    print(f"{diff.payer_code} roster {diff.month} {previous}")
    print(f"members: {diff.before} before, {diff.after} after")
    print("  ".join(f"{k}: {v}" for k, v in counts.items() if k not in ("before", "after")))
    if diff.changes:
        print()
        print_table(
            ["member", "name", "change", "before", "after", "months"],
            [
                [c.member_id, c.name, c.kind, c.before or "", c.after or "", months_text(c.months)]
                for c in diff.changes
            ],
            set(),
        )
    return 0
