"""``pmpm payer``, ``pmpm contract``, ``pmpm profile`` and ``pmpm member``: the set-up a
payer's files are read and reconciled with."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from pmpm_desktop.cli_args import (
    PAYER_HELP,
    add_json,
    add_payer,
    date,
    enum_option,
    month,
    print_table,
)
from pmpm_desktop.db.database import Database
from pmpm_desktop.io.options import FileKind

if TYPE_CHECKING:
    from pmpm_desktop.cli_args import Subparsers
    from pmpm_desktop.core.member_ids import IdRule

_KIND_HELP = (
    "the kind of file the layout reads (when the payer has layouts of one name for several)"
)


def add_parsers(sub: Subparsers) -> None:
    """``payer`` and ``contract``."""
    _add_payer(sub)
    _add_contract(sub)


def add_layout_parsers(sub: Subparsers) -> None:
    """``profile`` (saved import layouts) and ``member`` (a payer's other IDs)."""
    _add_profile(sub)
    _add_member(sub)


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


def _add_payer(sub: Subparsers) -> None:
    group = sub.add_parser("payer", help="add, change or list payers")
    group.set_defaults(run=run_payer)
    payer = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    pa = payer.add_parser("add", help="add a payer")
    pa.add_argument(
        "--code", required=True, help="a short code for the payer, used in every command (SUN)"
    )
    pa.add_argument("--name", required=True, help="the payer's name (Sunrise Health Plan)")
    pa.add_argument(
        "--id-width", type=int, metavar="W", help="digits to pad numeric member IDs to (e.g. 9)"
    )
    _payer_id_options(pa)
    pu = payer.add_parser(
        "update",
        help="change a payer's name, ID width, ID rule or CR meaning (only what is given)",
        description="Change what is given; the rest stays. A new ID rule or ID width is "
        "re-applied to the payer's stored member IDs (rosters, statements, aliases) at once, "
        "or refused, nothing changed, when it would make two members one.",
    )
    pu.add_argument("--code", required=True, metavar="CODE", help=PAYER_HELP)
    pu.add_argument("--name", help="the payer's new name")
    pu.add_argument("--id-width", metavar="W", help="digits to pad numeric IDs to, or 'none'")
    _payer_id_options(pu)
    add_json(payer.add_parser("list", help="list payers"))


def _add_contract(sub: Subparsers) -> None:
    group = sub.add_parser("contract", help="add a contract")
    group.set_defaults(run=run_contract)
    ca = group.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
        "add", help="add a contract"
    )
    add_payer(ca)
    ca.add_argument("--name", required=True, help="the contract's name (Medicaid HMO)")
    ca.add_argument(
        "--from",
        dest="start",
        required=True,
        type=month,
        metavar="YYYY-MM",
        help="the first month the contract covers, as YYYY-MM",
    )
    ca.add_argument(
        "--to",
        dest="end",
        type=month,
        metavar="YYYY-MM",
        help="the last month it covers, as YYYY-MM (default: open-ended)",
    )
    ca.add_argument("--products", default="", help="comma-separated roster product values")
    ca.add_argument(
        "--eligibility",
        default="first-of-month",
        metavar="RULE",
        help="when a member counts for a month: enrolled on its first day (first-of-month, "
        "default), on day N (mid-month:N), on any day (any-day), or a share by days (daily)",
    )
    ca.add_argument(
        "--age-basis",
        default="first-of-month",
        metavar="BASIS",
        help="the age rates are looked up by: on the first of the month (first-of-month, "
        "default) or of the year (first-of-year)",
    )
    ca.add_argument(
        "--withhold", default="0", metavar="PCT", help="percent withheld from each payment (0-100)"
    )
    ca.add_argument(
        "--risk-adjusted",
        action="store_true",
        help="rates are multiplied by each member's risk score",
    )
    ca.add_argument(
        "--tolerance",
        default="0.01",
        metavar="DOLLARS",
        help="a difference up to this many dollars counts as paid in full (default 0.01)",
    )
    ca.add_argument(
        "--retro-window",
        type=int,
        default=12,
        metavar="MONTHS",
        help="how many months back the payer may recoup (default 12)",
    )
    ca.add_argument(
        "--due-day",
        type=int,
        default=15,
        metavar="DAY",
        help="the day of the coverage month by which it should be paid (default 15)",
    )


def _add_profile(sub: Subparsers) -> None:
    group = sub.add_parser("profile", help="list, rename or delete saved import layouts")
    group.set_defaults(run=run_profile)
    pf = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    kinds = tuple(FileKind)
    pf_list = pf.add_parser("list", help="list the saved import layouts")
    add_payer(pf_list, required=False, text="only this payer's layouts (its code, e.g. SUN)")
    enum_option(pf_list, "--kind", kinds, "only layouts for this kind of file")
    add_json(pf_list)
    pf_rename = pf.add_parser("rename", help="rename a saved import layout")
    add_payer(pf_rename)
    pf_rename.add_argument("--name", required=True, help="the layout's current name")
    pf_rename.add_argument("--to", required=True, metavar="NAME", help="its new name")
    enum_option(pf_rename, "--kind", kinds, _KIND_HELP)
    pf_delete = pf.add_parser("delete", help="delete a saved import layout")
    add_payer(pf_delete)
    pf_delete.add_argument("--name", required=True, help="the layout's name")
    enum_option(pf_delete, "--kind", kinds, _KIND_HELP)


def _add_member(sub: Subparsers) -> None:
    member = sub.add_parser("member", help="link a payer's other IDs to roster members")
    member.set_defaults(run=run_member)
    actions = member.add_subparsers(dest="action", required=True, metavar="ACTION")
    msg = actions.add_parser("suggest", help="roster members an unknown ID may stand for")
    add_payer(msg)
    msg.add_argument(
        "--id",
        dest="payer_id",
        required=True,
        metavar="PAYER_ID",
        help="the member ID the payer paid under",
    )
    msg.add_argument(
        "--dob", type=date, help="the date of birth, if the payer gave one (YYYY-MM-DD)"
    )
    msg.add_argument(
        "--limit", type=int, default=5, metavar="N", help="at most N suggestions (default 5)"
    )
    add_json(msg)
    mli = actions.add_parser("link", help="record a payer ID as a member's alias")
    add_payer(mli)
    mli.add_argument(
        "--alias", required=True, metavar="PAYER_ID", help="the other ID the payer uses"
    )
    mli.add_argument(
        "--member", required=True, metavar="ROSTER_ID", help="the member's ID on the roster"
    )
    mli.add_argument("--note", help="why they are the same person (kept in the audit trail)")
    mul = actions.add_parser("unlink", help="remove an alias")
    add_payer(mul)
    mul.add_argument("--alias", required=True, metavar="PAYER_ID", help="the alias to remove")


def run_contract(db: Database, args: argparse.Namespace) -> int:
    from pmpm_desktop.services import payers

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


def run_payer(db: Database, args: argparse.Namespace) -> int:
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
        print_table(
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


def run_profile(db: Database, args: argparse.Namespace) -> int:
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
        print_table(
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


def run_member(db: Database, args: argparse.Namespace) -> int:
    from pmpm_desktop.services import members

    if args.action == "suggest":
        return _suggest(db, args)
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
    gone = members.unlink_alias(db, args.payer, args.alias)
    print(
        f"unlinked {gone.alias_id} from member {gone.member_id} at {gone.payer_code}; "
        "reconcile again to count its lines as unknown"
    )
    return 0


def _suggest(db: Database, args: argparse.Namespace) -> int:
    from pmpm_desktop.services import members

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
        print_table(
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
