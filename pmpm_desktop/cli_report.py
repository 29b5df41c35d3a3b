"""``pmpm report``: the Excel report (and dispute packets), never an empty workbook."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from pmpm_desktop.cli_args import add_payer, add_range
from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.errors import NotFound, UsageError

if TYPE_CHECKING:
    from pmpm_desktop.cli_args import Subparsers


def add_parsers(sub: Subparsers) -> None:
    rp = sub.add_parser(
        "report",
        help="export the Excel report (reconciles the months first)",
        description="Reconciles the months asked for and writes the report. Refused, with "
        "nothing written, when no payer (or not the one asked for) has a roster or "
        "statement for those months.",
    )
    rp.set_defaults(run=run)
    add_payer(rp, required=False, text="one payer's code, e.g. SUN (default: every payer)")
    add_range(rp)
    rp.add_argument(
        "--out", required=True, type=Path, metavar="FILE.xlsx", help="the workbook to write"
    )
    rp.add_argument(
        "--practice", metavar="NAME", help="the practice's name, on the cover and every page"
    )
    rp.add_argument(
        "--packet",
        type=Path,
        metavar="DIR",
        help="also write one dispute packet per payer into DIR (created if missing)",
    )


def _span(first: Month, last: Month) -> str:
    return str(first) if first == last else f"{first} to {last}"


def check_files(db: Database, payer: str | None, first: Month, last: Month) -> list[str]:
    """Refuse (NotFound, one sentence) a report with nothing to report; else the payers without
    files in the months while others have some."""
    from pmpm_desktop.services.file_months import months_with_files, payer_spans
    from pmpm_desktop.services.reporting import payer_codes

    asked = payer_codes(db, payer)
    spans = payer_spans(months_with_files(db, asked), asked, first, last)
    if not spans:
        raise NotFound(
            "there are no payers yet: add one with `pmpm payer add`, then import its roster "
            "(`pmpm roster import`) before making a report; nothing was written"
        )
    if not any(s.has_files for s in spans):
        span = _span(first, last)
        if payer:
            lead = f"{spans[0].payer_code} has no roster or statement for {span}: import its roster"
        else:
            lead = f"no payer has a roster or statement for {span}: import a roster"
        raise NotFound(
            f"{lead} (`pmpm roster import`) or statement (`pmpm remit import`) for those "
            "months first; nothing was written"
        )
    return [s.payer_code for s in spans if not s.has_files]


def run(db: Database, args: argparse.Namespace) -> int:
    from pmpm_desktop.cli_progress import ticking
    from pmpm_desktop.io.report_base import PHI_NOTICE
    from pmpm_desktop.services.reporting import build_report

    if args.out.suffix.lower() != ".xlsx":
        raise UsageError("--out must name an .xlsx file")
    if args.end < args.start:
        raise UsageError(f"the range ends ({args.end}) before it starts ({args.start})")
    without = check_files(db, args.payer, args.start, args.end)
    with ticking(f"Writing {args.out.name}") as ticker:
        result = build_report(
            db,
            args.out,
            args.payer,
            args.start,
            args.end,
            args.practice,
            ticker,
            packet_dir=args.packet,
        )
    print(f"wrote {args.out}")
    for packet in result.packets:
        print(f"wrote {packet}")
    if args.packet is not None and not result.packets:
        print("no dispute packet: no payer has anything to act on in these months")
    if without:
        print(
            f"note: {', '.join(without)} {'has' if len(without) == 1 else 'have'} no roster or "
            f"statement for {_span(args.start, args.end)}"
        )
    print(PHI_NOTICE)
    return 0
