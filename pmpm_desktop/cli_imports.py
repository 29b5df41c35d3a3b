"""``pmpm imports list|show|rollback``: every roster and statement imported, and rolling one
back, as the Rosters and Remittances pages do (through the same services)."""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pmpm_desktop.cli_args import (
    add_json,
    add_payer,
    enum_option,
    money,
    print_table,
)
from pmpm_desktop.db.database import Database
from pmpm_desktop.errors import NotFound, UsageError
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.progress import Cancelled

if TYPE_CHECKING:
    from pmpm_desktop.cli_args import Subparsers
    from pmpm_desktop.services.import_history import ImportDetails, ImportInfo


class ImportKind(StrEnum):
    """The kinds of import kept as history (a rate exhibit replaces the contract's rates and
    is not kept as an import); the words are the CLI's."""

    ROSTER = "roster"
    STATEMENT = "statement"

    @property
    def file_kind(self) -> FileKind:
        return FileKind.ROSTER if self is ImportKind.ROSTER else FileKind.STATEMENT

    @property
    def letter(self) -> str:
        """The prefix of the import's reference: ``R12`` is roster import 12."""
        return "R" if self is ImportKind.ROSTER else "S"

    @classmethod
    def of(cls, file_kind: str) -> ImportKind:
        return cls.ROSTER if file_kind == FileKind.ROSTER else cls.STATEMENT


class ImportStatus(StrEnum):
    ACTIVE = "active"
    #: a later import of the same roster month took its place (kept as history)
    REPLACED = "replaced"


_REF = re.compile(r"^\s*([RS])?\s*(\d+)\s*$", re.IGNORECASE)
_REF_HELP = (
    "the import as `pmpm imports list` shows it: R12 (roster import 12) or S7 (statement "
    "import 7); a bare number when only one kind has it"
)


def add_parsers(sub: Subparsers) -> None:
    group = sub.add_parser(
        "imports",
        help="every roster and statement imported: list, show or roll one back",
        description="The files imported, as the Rosters and Remittances pages show them. "
        "Rolling back an import removes exactly what it added and reconciles the payer again.",
    )
    group.set_defaults(run=run)
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    ls = actions.add_parser("list", help="one line per import, newest first, with a header")
    add_payer(ls, required=False, text="only this payer's imports (its code, e.g. SUN)")
    enum_option(ls, "--kind", tuple(ImportKind), "only rosters, or only statements")
    add_json(ls, "print a JSON list instead of a table")
    sh = actions.add_parser("show", help="one import: its file, fingerprint, rows, months, "
                            "what it changed")  # fmt: skip
    sh.add_argument("ref", metavar="ID", help=_REF_HELP)
    add_json(sh, "print a JSON object instead of text")
    rb = actions.add_parser(
        "rollback",
        help="remove exactly what one import added, then reconcile its payer again",
        description="Asks first (at a terminal); Ctrl+C before the removal is saved changes "
        "nothing.",
    )
    rb.add_argument("ref", metavar="ID", help=_REF_HELP)
    rb.add_argument(
        "--yes",
        action="store_true",
        help="do not ask for confirmation (needed when not run at a terminal)",
    )


def run(db: Database, args: argparse.Namespace) -> int:
    if args.action == "list":
        return _list(db, args.payer, args.kind, args.json)
    kind, import_id = _resolve(db, args.ref)
    if args.action == "show":
        return _show(db, kind, import_id, args.json)
    return _rollback(db, kind, import_id, args.yes)


# --- list -----------------------------------------------------------------------------------


def ref(info: ImportInfo) -> str:
    return f"{ImportKind.of(info.kind).letter}{info.id}"


def _status(info: ImportInfo) -> ImportStatus:
    return ImportStatus.ACTIVE if info.active else ImportStatus.REPLACED


def _status_text(info: ImportInfo) -> str:
    if info.active:
        return str(ImportStatus.ACTIVE)
    later = f" by R{info.replaced_by_id}" if info.replaced_by_id is not None else ""
    return f"{ImportStatus.REPLACED}{later}"


def _months(info: ImportInfo) -> str:
    if info.roster_month is not None:
        return str(info.roster_month)
    if info.first_month is None or info.last_month is None:
        return ""
    if info.first_month == info.last_month:
        return str(info.first_month)
    return f"{info.first_month} to {info.last_month}"


def _local(info: ImportInfo, fmt: str | None = None) -> str:
    """When it was imported, in the machine's time zone (stored as UTC)."""
    import datetime as dt

    at = info.imported_at.replace(tzinfo=dt.UTC).astimezone()
    return at.isoformat(timespec="seconds") if fmt is None else at.strftime(fmt)


def _all_imports(db: Database, payer: str | None, kind: ImportKind | None) -> list[ImportInfo]:
    from pmpm_desktop.services.import_history import list_imports

    kinds = [kind] if kind is not None else list(ImportKind)
    found = [i for k in kinds for i in list_imports(db, k.file_kind, payer)]
    return sorted(found, key=lambda i: (i.imported_at, i.id), reverse=True)


def _info_json(info: ImportInfo) -> dict[str, Any]:
    kind = ImportKind.of(info.kind)
    out: dict[str, Any] = {
        "id": ref(info),
        "import_id": info.id,
        "kind": str(kind),
        "payer": info.payer_code,
        "first_month": None,
        "last_month": None,
        "file": info.file_name,
        "rows": info.rows,
        "imported_at": _local(info),
        "status": str(_status(info)),
    }
    first = info.roster_month or info.first_month
    last = info.roster_month or info.last_month
    out.update(first_month=first and str(first), last_month=last and str(last))
    if kind is ImportKind.ROSTER:
        out["replaced_by"] = None if info.replaced_by_id is None else f"R{info.replaced_by_id}"
    else:
        out.update(
            payment_date=info.payment_date and info.payment_date.isoformat(),
            reference=info.reference,
            lines_total=None if info.total_paid is None else money(info.total_paid),
            stated_total=None if info.stated_total is None else money(info.stated_total),
        )
    return out


def _list(db: Database, payer: str | None, kind: ImportKind | None, as_json: bool) -> int:
    found = _all_imports(db, payer, kind)
    if as_json:
        print(json.dumps([_info_json(i) for i in found], indent=2, ensure_ascii=False))
        return 0
    if not found:
        what = f"{kind}s" if kind is not None else "rosters or statements"
        who = f" of {payer.strip().upper()}" if payer else ""
        print(f"no {what}{who} imported yet: import one with `pmpm roster import` or "
              "`pmpm remit import`")  # fmt: skip
        return 0
    print_table(
        ["id", "payer", "kind", "month(s)", "file", "rows", "imported at", "status"],
        [
            [
                ref(i),
                i.payer_code,
                ImportKind.of(i.kind),
                _months(i),
                i.file_name,
                f"{i.rows:,}",
                _local(i, "%Y-%m-%d %H:%M"),
                _status_text(i),
            ]
            for i in found
        ],
        {5},
    )
    return 0


# --- one import -----------------------------------------------------------------------------


def _resolve(db: Database, text: str) -> tuple[ImportKind, int]:
    """``R12`` / ``S7`` / ``12`` as (kind, id); NotFound or UsageError in a sentence."""
    from pmpm_desktop.services.import_history import get_import

    match = _REF.match(text)
    if match is None:
        raise UsageError(f"{text!r} is not an import: give it as R12, S7 or 12")
    letter, number = match.group(1), int(match.group(2))
    if letter:
        kind = ImportKind.ROSTER if letter.upper() == "R" else ImportKind.STATEMENT
        return kind, number
    found: list[ImportKind] = []
    for kind in ImportKind:
        try:
            get_import(db, kind.file_kind, number)
        except NotFound:
            continue
        found.append(kind)
    if not found:
        raise NotFound(f"there is no roster or statement import {number} (it may be rolled back)")
    if len(found) > 1:
        raise UsageError(
            f"both roster import {number} and statement import {number} exist: "
            f"say R{number} or S{number}"
        )
    return found[0], number


def _show(db: Database, kind: ImportKind, import_id: int, as_json: bool) -> int:
    from pmpm_desktop.services.import_history import import_details

    details = import_details(db, kind.file_kind, import_id)
    if as_json:
        print(json.dumps(_details_json(details), indent=2, ensure_ascii=False))
        return 0
    width = max(len(label) for label, _ in _facts(details))
    for label, value in _facts(details):
        print(f"{label.ljust(width)}  {value}")
    return 0


def _changed(d: ImportDetails) -> list[str]:
    """What the import changed, in sentences."""
    info = d.info
    if info.roster_month is not None:
        out = [f"{d.new_members:,} member(s) on no earlier roster of {info.payer_code}"]
        if d.replaced_id is not None:
            out.append(
                f"replaced R{d.replaced_id} ({d.replaced_file}), the earlier "
                f"{info.roster_month} roster, which counts again if this one is rolled back"
            )
        if not info.active:
            later = f"R{info.replaced_by_id} ({info.replaced_by_file})"
            out.append(f"no longer counts: {later} replaced it")
        return out
    paid = money(info.total_paid) if info.total_paid is not None else "0.00"
    out = [f"{info.rows:,} line(s) paying {paid} for {_months(info) or 'no months'}"]
    if d.payer_level_total is not None:
        out.append(f"payer-level payments (no members): {money(d.payer_level_total)}")
    return out


def _facts(d: ImportDetails) -> list[tuple[str, str]]:
    info = d.info
    kind = ImportKind.of(info.kind)
    who = f" by {d.imported_by}" if d.imported_by else ""
    facts = [
        ("import", f"{ref(info)} ({kind} import {info.id})"),
        ("payer", f"{info.payer_code} ({info.payer_name})"),
        ("file", info.file_name),
        ("SHA-256", info.sha256),
        ("month(s)", _months(info) or "none"),
        ("rows", f"{info.rows:,}"),
        ("imported", f"{_local(info, '%Y-%m-%d %H:%M')}{who}"),
        ("status", _status_text(info)),
    ]
    if kind is ImportKind.STATEMENT:
        facts += [
            ("paid on", info.payment_date.isoformat() if info.payment_date else "not given"),
            ("reference", info.reference or "none"),
            ("stated total", _stated(info)),
        ]
    facts += [("changed", line) for line in _changed(d)]
    facts.append(
        (
            "discrepancies",
            f"{d.open_discrepancies:,} open or disputed of {d.discrepancies:,} stored for "
            f"{info.payer_code} in {_months(info) or 'its months'}",
        )
    )
    return facts


def _stated(info: ImportInfo) -> str:
    if info.stated_total is None:
        return "none stated"
    difference = info.total_difference
    if not difference:
        return f"{money(info.stated_total)} (the lines add up to it)"
    more = "more" if difference > 0 else "less"
    return f"{money(info.stated_total)} ({money(abs(difference))} {more} than the lines)"


def _details_json(d: ImportDetails) -> dict[str, Any]:
    out = _info_json(d.info)
    out.update(
        sha256=d.info.sha256,
        imported_by=d.imported_by,
        discrepancies={"open": d.open_discrepancies, "all": d.discrepancies},
    )
    if d.info.roster_month is not None:
        out.update(
            new_members=d.new_members,
            replaced=None if d.replaced_id is None else f"R{d.replaced_id}",
        )
    else:
        out["payer_level_total"] = (
            None if d.payer_level_total is None else money(d.payer_level_total)
        )
    return out


# --- rollback -------------------------------------------------------------------------------


def _plan(d: ImportDetails) -> list[str]:
    """What a rollback will do, as the page's confirmation says it."""
    info = d.info
    if info.roster_month is None:
        months = _months(info) or "no months"
        lines = [
            f"Roll back {ref(info)}, a statement of {info.payer_code} ({info.file_name}, "
            f"{info.rows:,} line(s) for {months})?"
        ]
    else:
        lines = [
            f"Roll back {ref(info)}, {info.payer_code}'s {info.roster_month} roster "
            f"({info.file_name}, {info.rows:,} row(s))?"
        ]
        if not info.active:
            lines.append("It was replaced and no longer counts: it only leaves the history.")
        elif d.replaced_file is not None:
            lines.append(f"The earlier {info.roster_month} roster, {d.replaced_file}, counts "
                         "again in its place.")  # fmt: skip
        else:
            lines.append(f"{info.payer_code} will have no roster for {info.roster_month}.")
        lines.append("Members listed on no other roster of this payer are removed with it.")
    lines.append(
        f"{info.payer_code} is reconciled again: discrepancies that came from this file close, "
        "and new ones may appear. The file can be imported again later."
    )
    return [textwrap.fill(line, 78) for line in lines]


def _confirmed(d: ImportDetails) -> bool:
    stdin = sys.stdin
    if stdin is None or not stdin.isatty():
        raise UsageError(
            f"rolling back {ref(d.info)} asks for confirmation: run it at a terminal, or add "
            "--yes; nothing was changed"
        )
    print("\n".join(_plan(d)))
    try:
        answer = input(f"Roll back {ref(d.info)}? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def _rollback(db: Database, kind: ImportKind, import_id: int, yes: bool) -> int:
    from pmpm_desktop.cli_progress import ticking
    from pmpm_desktop.services.import_history import import_details, rollback_import

    details = import_details(db, kind.file_kind, import_id)
    if not yes and not _confirmed(details):
        raise Cancelled("not rolled back: nothing was changed")
    with ticking(f"Rolling back {ref(details.info)}") as ticker:
        result = rollback_import(db, kind.file_kind, import_id, ticker)
    print(result.describe())
    if result.members_kept:
        print(
            f"{result.members_kept:,} member(s) on no roster any more were kept: an alias or "
            "a person's work refers to them"
        )
    if ticker.stop_asked:
        print(
            "pmpm: Ctrl+C came after the removal was saved; the rollback was finished",
            file=sys.stderr,
        )
    return 0
