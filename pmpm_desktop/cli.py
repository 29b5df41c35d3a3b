"""The ``pmpm`` command line (shared/docs/CLI.md): automation over the same core as the app.

Each command group lives in its own ``cli_<group>.py`` module, which adds its parsers and sets
``run`` (``run(db, args) -> exit code``) on them; this module builds the parser, opens the
database and turns errors into one sentence and an exit code (``errors.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence

from pmpm_desktop import (
    __version__,
    cli_db,
    cli_files,
    cli_imports,
    cli_payers,
    cli_reconcile,
    cli_report,
)
from pmpm_desktop.cli_args import add_json, add_payer, print_table
from pmpm_desktop.cli_reconcile import summary_json
from pmpm_desktop.core.month import Month
from pmpm_desktop.db import busy, db_errors
from pmpm_desktop.db.database import Database, resolve_url
from pmpm_desktop.errors import PmpmError
from pmpm_desktop.io.private_files import remove_stale

__all__ = ["build_parser", "main", "summary_json"]

_DESCRIPTION = (
    "PMPM capitation reconciliation (command line). Months are written YYYY-MM, days "
    "YYYY-MM-DD, payers by their code (SUN). `pmpm COMMAND --help` tells more about each."
)
_EPILOG = (
    "exit codes: 0 done, 1 failed, 2 bad usage, 3 input refused (nothing written), "
    "4 not found (payer, contract, import, or no files to report)"
)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pmpm", description=_DESCRIPTION, epilog=_EPILOG)
    p.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        help="database file or SQLAlchemy URL (default: $PMPM_DB, else the user data folder)",
    )
    p.add_argument("--version", action="version", version=f"pmpm {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("init", help="create or upgrade the database").set_defaults(run=_init)
    cli_payers.add_parsers(sub)
    cli_files.add_parsers(sub)
    cli_reconcile.add_parsers(sub)
    cli_report.add_parsers(sub)
    cli_imports.add_parsers(sub)
    cli_payers.add_layout_parsers(sub)

    dm = sub.add_parser("demo", help="fill the database with a realistic demo practice")
    dm.set_defaults(run=_demo)
    dm.add_argument(
        "--members",
        type=int,
        default=300,
        metavar="N",
        help="about how many members (10 to 200000, default 300)",
    )

    au = sub.add_parser(
        "audit",
        help="who imported, rolled back, linked or changed what, and when",
        description="The audit trail, oldest first. Days are local days, both included; "
        "a month (YYYY-MM) stands for all its days.",
    )
    au.set_defaults(run=_audit)
    au.add_argument(
        "--from",
        dest="start",
        type=_first_day,
        metavar="YYYY-MM-DD",
        help="the first day (or YYYY-MM: from the month's first day)",
    )
    au.add_argument(
        "--to",
        dest="end",
        type=_last_day,
        metavar="YYYY-MM-DD",
        help="the last day (or YYYY-MM: to the month's last day)",
    )
    add_payer(au, required=False, text="only this payer's entries (its code, e.g. SUN)")
    au.add_argument("--actor", metavar="NAME", help="one user's entries (any case)")
    add_json(au)
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
        print_table(
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


def _init(db: Database, args: argparse.Namespace) -> int:
    print(f"database ready: {resolve_url(args.db)}")
    return 0


def _demo(db: Database, args: argparse.Namespace) -> int:
    from pmpm_desktop.cli_progress import ticking
    from pmpm_desktop.errors import UsageError
    from pmpm_desktop.services.demo import build_demo

    if not 10 <= args.members <= 200_000:
        raise UsageError("--members must be between 10 and 200000")
    with ticking("Building the demo practice") as ticker:
        result = build_demo(db, members=args.members, progress=ticker)
    print(result.describe())
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "db":
        return cli_db.run(args)
    db = cli_db.open_asking(args.db)
    try:
        code: int = args.run(db, args)
        return code
    finally:
        db.dispose()


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
