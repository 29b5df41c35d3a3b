"""Run one operation on a work folder and kill -9 this process at a chosen point.

    python -m tests.faults.driver OPERATION WORK POINT

POINT is ``count`` (run to the end, then print how many times each hook was reached, as JSON)
or ``HOOK:N``: SIGKILL at the Nth time HOOK is reached, where HOOK is

* ``progress``: the operation's own ``progress(done, total)`` callback;
* ``sql``: SQLAlchemy's ``after_cursor_execute`` event (a statement just ran);
* ``commit``: SQLAlchemy's ``commit`` event (a transaction is about to be committed).

The kill is ``os.kill(os.getpid(), SIGKILL)``: no ``finally``, no ``atexit``, no flush, as when
the power goes or the task manager ends the app. The work folder is laid out as in
``tests.faults.practice``; the operations are the functions of :data:`OPERATIONS`, which the
tests also call in-process for the clean re-run.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from pmpm_desktop.db.database import open_database
from pmpm_desktop.progress import Progress
from tests.faults.practice import FEB, JAN, MAR, PAYER, db_file

HOOKS = ("progress", "sql", "commit")


def _with_db(work: Path, body: Callable[[Any], object]) -> None:
    db = open_database(db_file(work))
    try:
        body(db)
    finally:
        db.dispose()


def roster_xlsx(work: Path, progress: Progress | None) -> None:
    from pmpm_desktop.services import importing

    path = work / "in" / "roster-2026-02.xlsx"
    _with_db(work, lambda db: importing.import_roster(db, PAYER, FEB, path, progress=progress))


def statement_csv(work: Path, progress: Progress | None) -> None:
    from pmpm_desktop.services import importing

    path = work / "in" / "statement.csv"
    _with_db(work, lambda db: importing.import_remittance(db, PAYER, path, progress=progress))


def roster_834(work: Path, progress: Progress | None) -> None:
    from pmpm_desktop.services import importing

    path = work / "in" / "enrollment-2026-03.834"
    _with_db(work, lambda db: importing.import_roster(db, PAYER, MAR, path, progress=progress))


def reconcile(work: Path, progress: Progress | None) -> None:
    from pmpm_desktop.services.reconciling import reconcile as run

    _with_db(work, lambda db: run(db, PAYER, JAN, FEB, progress=progress))


def report(work: Path, progress: Progress | None) -> None:
    from pmpm_desktop.services.reporting import build_report

    target = work / "out" / "report.xlsx"
    _with_db(work, lambda db: build_report(db, target, PAYER, JAN, FEB, progress=progress))


def demo(work: Path, progress: Progress | None) -> None:
    """build_demo reports no progress: the kill points are its statements and commits."""
    from pmpm_desktop.services.demo import build_demo

    _with_db(work, lambda db: build_demo(db, members=40))


def backup(work: Path, progress: Progress | None) -> None:
    from pmpm_desktop.services.backup import backup_database

    target = work / "out" / "backup.sqlite3"
    _with_db(work, lambda db: backup_database(db, target, progress=progress))


def upgrade(work: Path, progress: Progress | None) -> None:
    """Opening a database of an older schema upgrades it (the statements are the kill points)."""
    open_database(db_file(work)).dispose()


OPERATIONS: dict[str, Callable[[Path, Progress | None], None]] = {
    "roster_xlsx": roster_xlsx,
    "statement_csv": statement_csv,
    "roster_834": roster_834,
    "reconcile": reconcile,
    "report": report,
    "demo": demo,
    "backup": backup,
    "upgrade": upgrade,
}


class Hooks:
    """Counts every hook; kills the process when ``kill_hook`` is reached ``kill_at`` times."""

    def __init__(self, kill_hook: str | None, kill_at: int) -> None:
        self.counts = dict.fromkeys(HOOKS, 0)
        self.kill_hook = kill_hook
        self.kill_at = kill_at

    def reached(self, hook: str) -> None:
        self.counts[hook] += 1
        if hook == self.kill_hook and self.counts[hook] == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def progress(self, _done: int, _total: int) -> bool:
        self.reached("progress")
        return True

    def install(self) -> None:
        # On the Engine class: every engine the operation creates (open_database makes its
        # own, and the schema upgrade runs before it returns) reports here.
        event.listen(Engine, "after_cursor_execute", lambda *_: self.reached("sql"))
        event.listen(Engine, "commit", lambda *_: self.reached("commit"))


def main(argv: list[str]) -> int:
    name, work, point = argv
    if point == "count":
        hooks = Hooks(None, 0)
    else:
        hook, _, at = point.partition(":")
        if hook not in HOOKS:
            raise SystemExit(f"unknown hook {hook!r} (hooks: {', '.join(HOOKS)})")
        hooks = Hooks(hook, int(at))
    hooks.install()
    OPERATIONS[name](Path(work), hooks.progress)
    print(json.dumps(hooks.counts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
