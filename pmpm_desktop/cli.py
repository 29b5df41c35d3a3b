"""The ``pmpm`` command line (shared/docs/CLI.md): automation over the same core as the app."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmpm_desktop import __version__, cli_db
from pmpm_desktop.core.money import dollars_text, format_money
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import (
    DISCREPANCY_KINDS,
    KINDS,
    STATUSES,
    DiscrepancyRow,
    PayerLevel,
    ReconcileSummary,
)
from pmpm_desktop.db import busy, db_errors
from pmpm_desktop.db.database import Database, resolve_url
from pmpm_desktop.errors import PmpmError, UsageError
from pmpm_desktop.io.private_files import remove_stale

if TYPE_CHECKING:
    from pmpm_desktop.core.member_ids import IdRule


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month (expected YYYY-MM): {text!r}") from None


def _date(text: str) -> dt.date:
    from pmpm_desktop.io.values import parse_date

    try:
        value = parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value is None:
        raise argparse.ArgumentTypeError("a date is required")
    return value


def _amount(text: str) -> Decimal:
    """An amount typed on the command line, read as the files' amounts are."""
    from pmpm_desktop.errors import InputRejected
    from pmpm_desktop.services.importing import parse_stated_total

    try:
        value = parse_stated_total(text)
    except InputRejected as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value is None:
        raise argparse.ArgumentTypeError("an amount is required")
    return value


def _values(pairs: Sequence[str] | None) -> dict[str, str] | None:
    """``--set FIELD=VALUE`` pairs as a dict (the value may hold ``=``)."""
    if not pairs:
        return None
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UsageError(f"--set expects FIELD=VALUE, got {pair!r}")
        out[name.strip()] = value.strip()
    return out


def _mapping(pairs: Sequence[str] | None) -> dict[str, str] | None:
    if not pairs:
        return None
    result: dict[str, str] = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise UsageError(f"--map takes FIELD=COLUMN, not {pair!r}")
        result[field.strip()] = column.strip()
    return result


def _payer_id_options(sp: argparse.ArgumentParser) -> None:
    from pmpm_desktop.core.member_ids import RULE_FORMAT

    sp.add_argument(
        "--id-rule",
        metavar="RULE",
        help=f"how the payer writes member IDs: {RULE_FORMAT}".replace("%", "%%"),
    )
    sp.add_argument(
        "--cr-means",
        choices=("paid", "recouped"),
        help="what CR means on the payer's statements: paid to the practice (default) or "
        "taken back",
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pmpm", description="PMPM capitation reconciliation (command line)."
    )
    p.add_argument(
        "--db",
        help="database file or SQLAlchemy URL (default: $PMPM_DB, else the user data folder)",
    )
    p.add_argument("--version", action="version", version=f"pmpm {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("init", help="create or upgrade the database")

    payer = sub.add_parser("payer", help="add, change or list payers").add_subparsers(
        dest="action", required=True
    )
    pa = payer.add_parser("add", help="add a payer")
    pa.add_argument("--code", required=True)
    pa.add_argument("--name", required=True)
    pa.add_argument("--id-width", type=int)
    _payer_id_options(pa)
    pu = payer.add_parser(
        "update",
        help="change a payer's name, ID width, ID rule or CR meaning (only what is given)",
        description="Change what is given; the rest stays. A new ID rule or ID width is "
        "re-applied to the payer's stored member IDs (rosters, statements, aliases) at once, "
        "or refused, nothing changed, when it would make two members one.",
    )
    pu.add_argument("--code", required=True)
    pu.add_argument("--name")
    pu.add_argument("--id-width", metavar="W", help="digits to pad numeric IDs to, or 'none'")
    _payer_id_options(pu)
    pl_ = payer.add_parser("list", help="list payers")
    pl_.add_argument("--json", action="store_true")

    contract = sub.add_parser("contract", help="add a contract").add_subparsers(
        dest="action", required=True
    )
    ca = contract.add_parser("add", help="add a contract")
    ca.add_argument("--payer", required=True)
    ca.add_argument("--name", required=True)
    ca.add_argument("--from", dest="start", required=True, type=_month)
    ca.add_argument("--to", dest="end", type=_month)
    ca.add_argument("--products", default="", help="comma-separated roster product values")
    ca.add_argument("--eligibility", default="first-of-month")
    ca.add_argument("--age-basis", default="first-of-month")
    ca.add_argument("--withhold", default="0")
    ca.add_argument("--risk-adjusted", action="store_true")
    ca.add_argument("--tolerance", default="0.01")
    ca.add_argument("--retro-window", type=int, default=12)
    ca.add_argument("--due-day", type=int, default=15)

    def file_options(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--payer", required=True)
        sp.add_argument("--map", action="append", metavar="FIELD=COLUMN")
        sp.add_argument(
            "--json",
            action="store_true",
            help="print what was stored and how the file was read as JSON",
        )
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
        sp.add_argument("--sheet")
        sp.add_argument("--header-row", type=int)
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
        sp.add_argument("file", type=Path)

    rates = sub.add_parser("rates", help="load a rate exhibit").add_subparsers(
        dest="action", required=True
    )
    ri = rates.add_parser("import", help="load a rate exhibit, replacing the contract's rates")
    ri.add_argument("--contract", required=True)
    file_options(ri)

    roster = sub.add_parser("roster", help="load a roster").add_subparsers(
        dest="action", required=True
    )
    ro = roster.add_parser("import", help="load a roster for one month")
    ro.add_argument("--month", required=True, type=_month)
    file_options(ro)
    rdf = roster.add_parser("diff", help="what changed since the previous roster month")
    rdf.add_argument("--payer", required=True)
    rdf.add_argument("--month", required=True, type=_month)
    rdf.add_argument("--json", action="store_true")

    remit = sub.add_parser("remit", help="load a remittance").add_subparsers(
        dest="action", required=True
    )
    rm = remit.add_parser("import", help="load a remittance / statement")
    rm.add_argument("--payment-date", type=_date)
    rm.add_argument("--reference")
    rm.add_argument(
        "--stated-total",
        type=_amount,
        metavar="AMOUNT",
        help="the total the statement states (check / EFT amount), checked against its lines",
    )
    file_options(rm)

    rc = sub.add_parser("reconcile", help="reconcile and store discrepancies")
    rc.add_argument("--payer", required=True)
    rc.add_argument("--from", dest="start", required=True, type=_month)
    rc.add_argument("--to", dest="end", required=True, type=_month)
    rc.add_argument("--json", action="store_true")

    ds = sub.add_parser("discrepancies", help="list discrepancies")
    ds.add_argument("--payer")
    ds.add_argument("--kind", choices=DISCREPANCY_KINDS)
    ds.add_argument("--status", choices=STATUSES)
    ds.add_argument("--json", action="store_true")

    d1 = sub.add_parser("discrepancy", help="change a discrepancy").add_subparsers(
        dest="action", required=True
    )
    ss = d1.add_parser("set-status", help="change a status")
    ss.add_argument("--payer", required=True)
    ss.add_argument("--member", required=True)
    ss.add_argument("--month", required=True, type=_month)
    ss.add_argument("--status", required=True, choices=STATUSES)
    ss.add_argument("--note")

    ex = sub.add_parser("explain", help="why a member-month is expected to pay what it does")
    ex.add_argument("--payer", required=True)
    ex.add_argument("--member", required=True)
    ex.add_argument("--month", required=True, type=_month)
    ex.add_argument("--json", action="store_true")

    rp = sub.add_parser("report", help="export the Excel report")
    rp.add_argument("--payer", help="one payer (default: every payer)")
    rp.add_argument("--from", dest="start", required=True, type=_month)
    rp.add_argument("--to", dest="end", required=True, type=_month)
    rp.add_argument("--out", required=True, type=Path)
    rp.add_argument("--practice", help="the practice's name, on the cover and every page")
    rp.add_argument(
        "--packet",
        type=Path,
        metavar="DIR",
        help="also write one dispute packet per payer into DIR (created if missing)",
    )

    pf = sub.add_parser("profile", help="list, rename or delete import profiles").add_subparsers(
        dest="action", required=True
    )
    pf_list = pf.add_parser("list", help="list the saved import profiles")
    pf_list.add_argument("--payer")
    pf_list.add_argument("--kind", choices=("roster", "remittance", "rates"))
    pf_list.add_argument("--json", action="store_true")
    pf_rename = pf.add_parser("rename", help="rename an import profile")
    pf_rename.add_argument("--payer", required=True)
    pf_rename.add_argument("--name", required=True)
    pf_rename.add_argument("--to", required=True)
    pf_rename.add_argument("--kind", choices=("roster", "remittance", "rates"))
    pf_delete = pf.add_parser("delete", help="delete an import profile")
    pf_delete.add_argument("--payer", required=True)
    pf_delete.add_argument("--name", required=True)
    pf_delete.add_argument("--kind", choices=("roster", "remittance", "rates"))

    member = sub.add_parser("member", help="link a payer's other IDs to roster members")
    member_actions = member.add_subparsers(dest="action", required=True)
    msg = member_actions.add_parser("suggest", help="roster members an unknown ID may stand for")
    msg.add_argument("--payer", required=True)
    msg.add_argument("--id", dest="payer_id", required=True, metavar="PAYER_ID")
    msg.add_argument("--dob", type=_date, help="the date of birth, if the payer gave one")
    msg.add_argument("--limit", type=int, default=5)
    msg.add_argument("--json", action="store_true")
    mli = member_actions.add_parser("link", help="record a payer ID as a member's alias")
    mli.add_argument("--payer", required=True)
    mli.add_argument("--alias", required=True, metavar="PAYER_ID")
    mli.add_argument("--member", required=True, metavar="ROSTER_ID")
    mli.add_argument("--note")
    mul = member_actions.add_parser("unlink", help="remove an alias")
    mul.add_argument("--payer", required=True)
    mul.add_argument("--alias", required=True, metavar="PAYER_ID")

    dm = sub.add_parser("demo", help="fill the database with a realistic demo practice")
    dm.add_argument("--members", type=int, default=300)

    au = sub.add_parser(
        "audit",
        help="who imported, rolled back, linked or changed what, and when",
        description="The audit trail, oldest first. Days are local days, both included; "
        "a month (YYYY-MM) stands for all its days.",
    )
    au.add_argument("--from", dest="start", type=_first_day, metavar="YYYY-MM-DD")
    au.add_argument("--to", dest="end", type=_last_day, metavar="YYYY-MM-DD")
    au.add_argument("--payer")
    au.add_argument("--actor", metavar="NAME", help="one user's entries (any case)")
    au.add_argument("--json", action="store_true")
    cli_db.add_parser(sub)
    return p


def _audit_day(text: str, last: bool) -> dt.date:
    """YYYY-MM-DD, or YYYY-MM for the month's first (``last``: its last) day."""
    text = text.strip()
    try:
        return dt.date.fromisoformat(text) if len(text) > 7 else _month_day(text, last)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a day (expected YYYY-MM-DD, or YYYY-MM for a whole month): {text!r}"
        ) from None


def _month_day(text: str, last: bool) -> dt.date:
    month = Month.parse(text)
    return month.last_day if last else month.first_day


def _first_day(text: str) -> dt.date:
    return _audit_day(text, last=False)


def _last_day(text: str) -> dt.date:
    return _audit_day(text, last=True)


def _money(value: Decimal) -> str:
    return format_money(value)


def summary_json(summary: ReconcileSummary) -> dict[str, Any]:
    """The exact shape CLI.md gives for ``reconcile --json``."""
    return {
        "payer": summary.payer_code,
        "from": str(summary.first),
        "to": str(summary.last),
        "totals": {
            "expected": _money(summary.expected),
            "paid": _money(summary.paid),
            "variance": _money(summary.variance),
            **(
                {"payer_level_paid": _money(summary.payer_level_paid)}
                if summary.payer_level_paid is not None
                else {}
            ),
        },
        "months": [
            {
                "month": str(m.month),
                "eligible_members": m.eligible_members,
                "paid_members": m.paid_members,
                "expected": _money(m.expected),
                "paid": _money(m.paid),
                "variance": _money(m.variance),
                **_payer_level_json(m.payer_level),
            }
            for m in summary.months
        ],
        "counts": {k: summary.counts.get(k, 0) for k in KINDS},
        "discrepancies": [_discrepancy_json(d) for d in summary.discrepancies],
    }


def _payer_level_json(level: PayerLevel | None) -> dict[str, Any]:
    """A month's payer-level keys (none without payer-level payments): CLI.md's extension."""
    if level is None:
        return {}
    return {
        "payer_level_paid": _money(level.paid),
        "payer_level_by_code": {c: _money(v) for c, v in level.by_code.items()},
        "payer_withhold": _money(level.withhold_reported),
        "contract_withhold": _money(level.withhold_contract),
    }


def _discrepancy_json(d: DiscrepancyRow, with_payer: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if with_payer:
        out["payer"] = d.payer_code
    out.update(
        {
            "member_id": d.member_id,
            "month": str(d.month),
            "kind": d.kind,
            "expected": _money(d.expected),
            "paid": _money(d.paid),
            "variance": _money(d.variance),
            "status": d.status,
        }
    )
    if with_payer:
        out["last_note"] = d.last_note
    return out


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[object]], right: set[int]) -> None:
    cells = [[str(h) for h in headers]] + [[("" if c is None else str(c)) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, r in enumerate(cells):
        print(
            "  ".join(
                c.rjust(w) if i in right else c.ljust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))


def _print_summary(s: ReconcileSummary) -> None:
    print(f"{s.payer_code} — {s.payer_name}: {s.first} to {s.last}")
    _print_table(
        ["month", "eligible", "paid members", "expected", "paid", "variance"],
        [
            [
                str(m.month),
                m.eligible_members,
                m.paid_members,
                _money(m.expected),
                _money(m.paid),
                _money(m.variance),
            ]
            for m in s.months
        ]
        + [["total", "", "", _money(s.expected), _money(s.paid), _money(s.variance)]],
        {1, 2, 3, 4, 5},
    )
    for m in s.months:
        if m.payer_level is not None:
            print(f"{m.month} payer-level: {m.payer_level.describe()}")
    print()
    print("  ".join(f"{k}: {s.counts.get(k, 0)}" for k in KINDS))
    print(
        f"{len(s.discrepancies)} discrepancies stored "
        f"(see `pmpm discrepancies --payer {s.payer_code}`)"
    )


def _run(args: argparse.Namespace) -> int:
    if args.command == "db":
        return cli_db.run(args)
    db = cli_db.open_asking(args.db)
    try:
        return _dispatch(db, args)
    finally:
        db.dispose()


def _dispatch(db: Database, args: argparse.Namespace) -> int:  # noqa: C901 - one branch per command
    from pmpm_desktop.services import payers

    cmd = args.command
    if cmd == "init":
        print(f"database ready: {resolve_url(args.db)}")
        return 0
    if cmd == "payer":
        return _payer(db, args)
    if cmd == "contract":
        spec = payers.ContractSpec(
            name=args.name,
            effective_from=args.start,
            effective_to=args.end,
            products=[x for x in args.products.split(",") if x.strip()],
            eligibility=args.eligibility,
            age_basis=args.age_basis,
            withhold_pct=args.withhold,
            risk_adjusted=args.risk_adjusted,
            tolerance=args.tolerance,
            retro_window_months=args.retro_window,
            payment_due_day=args.due_day,
        )
        payers.add_contract(db, args.payer, spec)
        print(f"added contract {args.name!r} to {args.payer.upper()}")
        return 0
    if cmd == "roster" and args.action == "diff":
        return _roster_diff(db, args)
    if cmd == "member":
        return _member(db, args)
    if cmd in ("rates", "roster", "remit"):
        return _with_errors_out(args.errors_out, lambda: _import(db, args))
    if cmd == "profile":
        return _profile(db, args)
    if cmd == "reconcile":
        from pmpm_desktop.services.reconciling import reconcile

        summary = reconcile(db, args.payer, args.start, args.end)
        if args.json:
            print(json.dumps(summary_json(summary), indent=2))
        else:
            _print_summary(summary)
        return 0
    if cmd == "discrepancies":
        from pmpm_desktop.services.discrepancies import discrepancy_rows

        rows = discrepancy_rows(db, payer_code=args.payer, kind=args.kind, status=args.status)
        if args.json:
            print(json.dumps([_discrepancy_json(d, with_payer=True) for d in rows], indent=2))
        elif not rows:
            print("no discrepancies match")
        else:
            _print_table(
                [
                    "payer",
                    "member",
                    "name",
                    "month",
                    "kind",
                    "expected",
                    "paid",
                    "variance",
                    "status",
                ],
                [
                    [
                        d.payer_code,
                        d.member_id,
                        ", ".join(x for x in (d.last_name, d.first_name) if x),
                        str(d.month),
                        d.kind,
                        _money(d.expected),
                        _money(d.paid),
                        _money(d.variance),
                        d.status,
                    ]
                    for d in rows
                ],
                {5, 6, 7},
            )
        return 0
    if cmd == "discrepancy":
        from pmpm_desktop.services.discrepancies import set_status

        d = set_status(db, args.payer, args.member, args.month, args.status, args.note)
        print(f"{d.payer_code} {d.member_id} {d.month}: {d.kind}, status {d.status}")
        return 0
    if cmd == "explain":
        from pmpm_desktop.services.explain import explain, explanation_json, explanation_text

        exp = explain(db, args.payer, args.member, args.month)
        print(json.dumps(explanation_json(exp), indent=2) if args.json else explanation_text(exp))
        return 0
    if cmd == "report":
        return _report(db, args)
    if cmd == "audit":
        return _audit(db, args)
    if cmd == "demo":
        from pmpm_desktop.services.demo import build_demo

        if not 10 <= args.members <= 200_000:
            raise UsageError("--members must be between 10 and 200000")
        result = build_demo(db, members=args.members)
        print(result.describe())
        return 0
    raise UsageError(f"unknown command {cmd}")


def _audit(db: Database, args: argparse.Namespace) -> int:
    from pmpm_desktop.services.audit import audit_entries, audit_json

    entries = audit_entries(
        db, first=args.start, last=args.end, payer_code=args.payer, actor=args.actor
    )
    if args.json:
        print(json.dumps(audit_json(entries), indent=2, ensure_ascii=False))
    elif not entries:
        span = f"from {args.start or 'the start'} to {args.end or 'today'}"
        who = (f" for {args.payer.strip().upper()}" if args.payer else "") + (
            f" by {args.actor.strip()}" if args.actor else ""
        )
        print(f"no audit entries {span}{who}")
    else:
        _print_table(
            ["when", "who", "action", "payer", "what"],
            [
                [
                    f"{e.local_at:%Y-%m-%d %H:%M}",
                    e.actor,
                    e.action,
                    e.payer_code or "",
                    f"{e.subject}: {e.detail}" if e.detail else e.subject,
                ]
                for e in entries
            ],
            set(),
        )
    return 0


def _payer(db: Database, args: argparse.Namespace) -> int:
    from pmpm_desktop.services import payers

    if args.action == "add":
        info = payers.add_payer(
            db,
            args.code,
            args.name,
            args.id_width,
            id_rule=args.id_rule,
            credit_is_payment=args.cr_means,
        )
        print(f"added payer {info.code} ({info.name}){_rule_words(info.id_rule)}")
        return 0
    if args.action == "update":
        current = payers.payer_info(db, args.code)
        width: int | str | None = current.id_width
        if args.id_width is not None:
            width = "" if args.id_width.strip().lower() == "none" else args.id_width
        info = payers.update_payer(
            db,
            current.code,
            current.name if args.name is None else args.name,
            width,
            id_rule=args.id_rule,
            credit_is_payment=args.cr_means,
        )
        print(f"saved payer {info.code} ({info.name}){_rule_words(info.id_rule)}")
        if info.id_change is not None and info.id_change.changed:
            print(info.id_change.describe())
        return 0
    items = payers.list_payers(db)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "code": p.code,
                        "name": p.name,
                        "id_width": p.id_width,
                        "id_rule": str(p.id_rule),
                        "cr_means": p.cr_means.value,
                        "contracts": list(p.contracts),
                    }
                    for p in items
                ],
                indent=2,
            )
        )
    elif not items:
        print("no payers yet: add one with `pmpm payer add --code CODE --name NAME`")
    else:
        _print_table(
            ["code", "name", "ID width", "ID rule", "CR means", "contracts"],
            [
                [
                    p.code,
                    p.name,
                    p.id_width or "",
                    str(p.id_rule),
                    p.cr_means.value,
                    ", ".join(p.contracts),
                ]
                for p in items
            ],
            set(),
        )
    return 0


def _rule_words(rule: IdRule) -> str:
    """``; member IDs: dashes and spaces are ignored`` (nothing for the identity rule)."""
    if rule.is_identity:
        return ""
    words = rule.describe()
    return f"; member IDs: {words[:1].lower()}{words[1:]}"


def _import(db: Database, args: argparse.Namespace) -> int:
    from pmpm_desktop.services import importing

    kind = {"rates": "rates", "roster": "roster"}.get(args.command, "remittance")
    res = importing.import_file(
        db,
        kind,
        args.payer,
        args.file,
        roster_month=getattr(args, "month", None),
        contract=getattr(args, "contract", None),
        mapping=_mapping(args.map),
        sheet=args.sheet,
        header_row=args.header_row,
        payment_date=getattr(args, "payment_date", None),
        reference=getattr(args, "reference", None),
        stated_total=getattr(args, "stated_total", None),
        values=_values(args.set_values),
        decimal_comma=None if args.decimal is None else args.decimal == "comma",
        save_values=args.save_values,
        layout=_layout(args.layout, kind),
    )
    if args.json:
        print(json.dumps(_import_json(kind, args.file.name, res), indent=2))
        return 0
    if isinstance(res, importing.RatesResult):
        print(f"loaded {res.rows} rate rows into {res.contract!r} (replaced {res.replaced})")
    elif kind == "roster":
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
    for note in getattr(res, "notes", ()):
        print(f"note: {note}")
    if getattr(res, "standard", None):
        print(f"what was found ({res.standard}):")
        for fact in res.facts:
            print(f"  - {fact.label}: {fact.value}")
    if res.read is not None:
        print("how it was read:")
        for line in res.read.lines():
            print(f"  - {line}")
    return 0


def _layout(path: Path | None, kind: str) -> Any:
    """The fixed-width layout a ``--layout`` file holds, for files of ``kind`` when it names
    none (UsageError in a sentence)."""
    if path is None:
        return None
    from pmpm_desktop.io.fixed_layout import FixedLayout
    from pmpm_desktop.io.options import FileKind

    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"--layout: {path} could not be read: {exc.strerror or exc}") from None
    try:
        return FixedLayout.from_json(text, FileKind(kind) if kind != "rates" else None)
    except ValueError as exc:
        raise UsageError(f"--layout: {path.name}: {exc}") from None


def _import_json(kind: str, file_name: str, res: Any) -> dict[str, Any]:
    """An import's outcome as JSON: what was stored and how the file was read."""
    from pmpm_desktop.services import importing

    out: dict[str, Any] = {"file": file_name, "kind": kind}
    if isinstance(res, importing.RatesResult):
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
        if kind == "remittance":
            out["payer_level_total"] = (
                None if res.payer_level_total is None else _money(res.payer_level_total)
            )
            out["lines_total"] = None if res.lines_total is None else _money(res.lines_total)
            out["stated_total"] = None if res.stated_total is None else _money(res.stated_total)
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


def _profile(db: Database, args: argparse.Namespace) -> int:
    from pmpm_desktop.services import profiles

    if args.action == "rename":
        p = profiles.rename_profile(db, args.payer, args.name, args.to, kind=args.kind)
        print(f"renamed {p.payer_code}'s {p.kind} profile {args.name!r} to {p.name!r}")
        return 0
    if args.action == "delete":
        p = profiles.delete_profile(db, args.payer, args.name, kind=args.kind)
        print(f"deleted {p.payer_code}'s {p.kind} profile {p.name!r}")
        return 0
    items = profiles.list_profiles(db, args.payer, args.kind)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "payer": p.payer_code,
                        "kind": p.kind,
                        "name": p.name,
                        "sheet": p.sheet,
                        "header_row": p.header_row,
                        "mapping": p.mapping,
                        "created_at": p.created_at.isoformat(timespec="seconds"),
                        "last_used_at": p.last_used_at.isoformat(timespec="seconds"),
                    }
                    for p in items
                ],
                indent=2,
            )
        )
    elif not items:
        print("no import profiles yet: one is saved by each successful import")
    else:
        _print_table(
            ["payer", "kind", "name", "sheet", "header row", "last used", "mapping"],
            [
                [
                    p.payer_code,
                    p.kind,
                    p.name,
                    p.sheet or "",
                    p.header_row,
                    f"{p.last_used_at:%Y-%m-%d %H:%M}",
                    ", ".join(f"{f}={c}" for f, c in p.mapping.items()),
                ]
                for p in items
            ],
            {4},
        )
    return 0


def _report(db: Database, args: argparse.Namespace) -> int:
    from pmpm_desktop.services.reporting import build_report

    if args.out.suffix.lower() != ".xlsx":
        raise UsageError("--out must name an .xlsx file")
    result = build_report(
        db, args.out, args.payer, args.start, args.end, args.practice, packet_dir=args.packet
    )
    from pmpm_desktop.io.report_base import PHI_NOTICE

    print(f"wrote {args.out}")
    for packet in result.packets:
        print(f"wrote {packet}")
    if args.packet is not None and not result.packets:
        print("no dispute packet: no payer has anything to act on in these months")
    print(PHI_NOTICE)
    return 0


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
        _print_table(
            ["member", "name", "change", "before", "after", "months"],
            [
                [
                    c.member_id,
                    c.name,
                    c.kind,
                    c.before or "",
                    c.after or "",
                    _months_text(c.months),
                ]
                for c in diff.changes
            ],
            set(),
        )
    return 0


def _months_text(months: Sequence[Month]) -> str:
    if not months:
        return ""
    if len(months) == 1:
        return str(months[0])
    if months[0].months_until(months[-1]) == len(months) - 1:
        return f"{months[0]} to {months[-1]}"
    return ", ".join(str(m) for m in months)


def _member(db: Database, args: argparse.Namespace) -> int:
    from pmpm_desktop.services import members

    if args.action == "suggest":
        found = members.suggest_matches(db, args.payer, args.payer_id, args.limit, dob=args.dob)
        if args.json:
            print(
                json.dumps(
                    [
                        {
                            "member_id": x.member_id,
                            "name": x.name,
                            "dob": x.dob.isoformat() if x.dob else None,
                            "reason": x.reason,
                            "score": x.score,
                        }
                        for x in found
                    ],
                    indent=2,
                    ensure_ascii=False,
                )
            )
        elif not found:
            print(f"no roster member of {args.payer.upper()} looks like {args.payer_id}")
        else:
            _print_table(
                ["member", "name", "DOB", "score", "why"],
                [
                    [
                        x.member_id,
                        x.name,
                        x.dob.isoformat() if x.dob else "",
                        f"{x.score:.2f}",
                        x.reason,
                    ]
                    for x in found
                ],
                {3},
            )
            print(
                f"\nlink one with `pmpm member link --payer {args.payer.upper()} "
                f"--alias {args.payer_id} --member ROSTER_ID`"
            )
        return 0
    if args.action == "link":
        link = members.link_alias(db, args.payer, args.alias, args.member, args.note)
        who = f"{link.member_id} ({link.name})" if link.name else link.member_id
        if link.created:
            print(
                f"linked {link.alias_id} to member {who} at {link.payer_code}; "
                "reconcile again to count its lines as the member's"
            )
        else:
            print(f"{link.alias_id} was already linked to member {who}; nothing changed")
        return 0
    link = members.unlink_alias(db, args.payer, args.alias)
    print(
        f"unlinked {link.alias_id} from member {link.member_id} at {link.payer_code}; "
        "reconcile again to count its lines as unknown"
    )
    return 0


def _waiting_notice() -> busy.Listener:
    """Print "waiting for …" once per command, however many statements wait."""
    told = False

    def notice(database: str) -> None:
        nonlocal told
        if not told:
            told = True
            print(f"pmpm: waiting for another program using the database {database}…",
                  file=sys.stderr, flush=True)  # fmt: skip

    return notice


def _unexpected(exc: BaseException) -> str:
    """The type of an error we did not foresee and where the log is; never its text, which
    may name members."""
    try:
        from pmpm_desktop.ui.logs import log_failure, setup_logging

        where = setup_logging()
        log_failure("pmpm", exc)
    except Exception:  # a log we cannot write must not hide the error itself
        return f"unexpected error ({type(exc).__name__})"
    return f"unexpected error ({type(exc).__name__}); details are in the log file {where}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    remove_stale()  # what killed runs left in our private folder (one listing, never raises)
    previous = busy.on_wait(_waiting_notice())
    try:
        return _run(args)
    except PmpmError as exc:
        print(f"pmpm: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # The output went to a pager or `head` that stopped reading: not an error of ours.
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("pmpm: interrupted", file=sys.stderr)
        return 1
    except Exception as exc:  # never a traceback, SQL text or member data
        try:
            url: str | None = resolve_url(args.db)
        except Exception:  # the URL only names the database in the sentence
            url = None
        message = db_errors.explain(exc, url) or _unexpected(exc)
        print(f"pmpm: {message}", file=sys.stderr)
        return 1
    finally:
        busy.on_wait(previous)


if __name__ == "__main__":
    sys.exit(main())
