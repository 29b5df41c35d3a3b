"""The database as a whole, as operations: open another, back it up, build the demo practice,
protect it with a password or take the password off."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pmpm_desktop.db.database import Database, open_database
from pmpm_desktop.services.backup import backup_database
from pmpm_desktop.services.demo import DemoResult, build_demo
from pmpm_desktop.ui.context import Changed
from pmpm_desktop.ui.operations import Op


def open_other(target: str, key: str | None) -> Op[Database]:
    """Open (and if needed upgrade) another database; the window switches to it."""
    return Op(
        "Opening the database",
        lambda _progress: open_database(target, key=key),
        cancellable=False,
    )


def back_up(db: Database, path: Path) -> Op[Path]:
    """A verified copy of the open database at ``path``."""
    return Op(
        "Backing up the database",
        lambda progress: backup_database(db, path, progress),
        says=lambda done: f"Backed up to {done}",
    )


def demo_practice(db: Database) -> Op[DemoResult]:
    """The demo practice, built aside and moved in at the end: a Cancel before that leaves
    the database empty."""
    return Op(
        "Building the demo practice",
        lambda progress: build_demo(db, progress=progress),
        changes=(Changed.EVERYTHING,),
        says=lambda result: (
            f"Demo practice ready: 3 payers, {result.members:,} members, files in {result.folder}"
        ),
    )


def convert(path: Path, new_key: str | None, work: Callable[[], object]) -> Op[Database]:
    """Run a conversion of the (closed) database file (encrypt, decrypt), then open it again
    with ``new_key``."""

    def run(_progress: object) -> Database:
        work()
        return open_database(path, key=new_key)

    return Op(
        "Protecting the database" if new_key else "Removing the password",
        run,
        cancellable=False,
    )
