"""``pmpm reconcile``, ``pmpm discrepancies``, ``pmpm discrepancy set-status`` and
``pmpm explain``: what was paid against what was expected."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from pmpm_desktop.cli_args import (
    add_json,
    add_month,
    add_payer,
    add_range,
    enum_option,
    money,
    print_table,
)
from pmpm_desktop.core.summary import (
    DISCREPANCY_KINDS,
    KINDS,
    STATUSES,
    DiscrepancyRow,
    PayerLevel,
    ReconcileSummary,
)
from pmpm_desktop.db.database import Database

_MEMBER_HELP = "the member's ID as on the roster (or as the payer paid it, for unknown members)"

if TYPE_CHECKING:
    from pmpm_desktop.cli_args import Subparsers


def add_parsers(sub: Subparsers) -> None:
    rc = sub.add_parser("reconcile", help="reconcile and store discrepancies")
    rc.set_defaults(run=run_reconcile)
    add_payer(rc)
    add_range(rc)
    add_json(rc, "print the summary as JSON (the shape CLI.md gives)")

    ds = sub.add_parser("discrepancies", help="list discrepancies (of a payer, kind or status)")
    ds.set_defaults(run=run_discrepancies)
    add_payer(ds, required=False, text="only this payer's (its code, e.g. SUN)")
    enum_option(ds, "--kind", DISCREPANCY_KINDS, "only discrepancies of this kind")
    enum_option(ds, "--status", STATUSES, "only discrepancies in this status")
    add_json(ds, "print a JSON list instead of a table")

    group = sub.add_parser("discrepancy", help="change a discrepancy's status")
    group.set_defaults(run=run_set_status)
    ss = group.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
        "set-status", help="change a status"
    )
    add_payer(ss)
    ss.add_argument("--member", required=True, metavar="ID", help=_MEMBER_HELP)
    add_month(ss, "the member-month's month, as YYYY-MM")
    enum_option(ss, "--status", STATUSES, "the new status", required=True)
    ss.add_argument("--note", help="a note kept with the change (why, who was called)")

    ex = sub.add_parser("explain", help="why a member-month is expected to pay what it does")
    ex.set_defaults(run=run_explain)
    add_payer(ex)
    ex.add_argument("--member", required=True, metavar="ID", help=_MEMBER_HELP)
    add_month(ex, "the month to explain, as YYYY-MM")
    add_json(ex, "print the explanation as JSON")


def summary_json(summary: ReconcileSummary) -> dict[str, Any]:
    """The exact shape CLI.md gives for ``reconcile --json``."""
    return {
        "payer": summary.payer_code,
        "from": str(summary.first),
        "to": str(summary.last),
        "totals": {
            "expected": money(summary.expected),
            "paid": money(summary.paid),
            "variance": money(summary.variance),
            **(
                {"payer_level_paid": money(summary.payer_level_paid)}
                if summary.payer_level_paid is not None
                else {}
            ),
        },
        "months": [
            {
                "month": str(m.month),
                "eligible_members": m.eligible_members,
                "paid_members": m.paid_members,
                "expected": money(m.expected),
                "paid": money(m.paid),
                "variance": money(m.variance),
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
        "payer_level_paid": money(level.paid),
        "payer_level_by_code": {c: money(v) for c, v in level.by_code.items()},
        "payer_withhold": money(level.withhold_reported),
        "contract_withhold": money(level.withhold_contract),
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
            "expected": money(d.expected),
            "paid": money(d.paid),
            "variance": money(d.variance),
            "status": d.status,
        }
    )
    if with_payer:
        out["last_note"] = d.last_note
    return out


def _print_summary(s: ReconcileSummary) -> None:
    print(f"{s.payer_code} — {s.payer_name}: {s.first} to {s.last}")
    print_table(
        ["month", "eligible", "paid members", "expected", "paid", "variance"],
        [
            [
                str(m.month),
                m.eligible_members,
                m.paid_members,
                money(m.expected),
                money(m.paid),
                money(m.variance),
            ]
            for m in s.months
        ]
        + [["total", "", "", money(s.expected), money(s.paid), money(s.variance)]],
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


def run_reconcile(db: Database, args: argparse.Namespace) -> int:
    from pmpm_desktop.cli_progress import ticking
    from pmpm_desktop.services.reconciling import reconcile

    with ticking(f"Reconciling {args.payer.strip().upper()}") as ticker:
        summary = reconcile(db, args.payer, args.start, args.end, ticker)
    if args.json:
        print(json.dumps(summary_json(summary), indent=2))
    else:
        _print_summary(summary)
    return 0


def run_discrepancies(db: Database, args: argparse.Namespace) -> int:
    from pmpm_desktop.services.discrepancies import discrepancy_rows

    rows = discrepancy_rows(db, payer_code=args.payer, kind=args.kind, status=args.status)
    if args.json:
        print(json.dumps([_discrepancy_json(d, with_payer=True) for d in rows], indent=2))
        return 0
    if not rows:
        print("no discrepancies match")
        return 0
    print_table(
        ["payer", "member", "name", "month", "kind", "expected", "paid", "variance", "status"],
        [
            [
                d.payer_code,
                d.member_id,
                ", ".join(x for x in (d.last_name, d.first_name) if x),
                str(d.month),
                d.kind,
                money(d.expected),
                money(d.paid),
                money(d.variance),
                d.status,
            ]
            for d in rows
        ],
        {5, 6, 7},
    )
    return 0


def run_set_status(db: Database, args: argparse.Namespace) -> int:
    from pmpm_desktop.services.discrepancies import set_status

    d = set_status(db, args.payer, args.member, args.month, args.status, args.note)
    print(f"{d.payer_code} {d.member_id} {d.month}: {d.kind}, status {d.status}")
    return 0


def run_explain(db: Database, args: argparse.Namespace) -> int:
    from pmpm_desktop.services.explain import explain, explanation_json, explanation_text

    exp = explain(db, args.payer, args.member, args.month)
    print(json.dumps(explanation_json(exp), indent=2) if args.json else explanation_text(exp))
    return 0
