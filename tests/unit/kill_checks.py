"""What the kill tests share: run the kill driver in a subprocess, and look for member data
left in files outside the database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from tests.faults.checks import integrity as integrity  # one check for every kill test

ROOT = Path(__file__).resolve().parents[2]


def run_killed(tmp_path: Path, *args: str | Path) -> None:
    """``python -m tests.unit.kill_driver ARGS`` with our private folder and TMPDIR in
    ``tmp_path``; asserts that it died of SIGKILL (the hook was reached)."""
    env = {
        **os.environ,
        "PMPM_TMPDIR": str(tmp_path / "private"),
        "TMPDIR": str(tmp_path / "tmp"),
        "PYTHONPATH": str(ROOT),
    }
    (tmp_path / "tmp").mkdir(exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "tests.unit.kill_driver", *map(str, args)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]


def files_holding(folder: Path, needles: Iterable[str], skip: Iterable[Path] = ()) -> list[str]:
    """Every file under ``folder`` (but ``skip``) whose bytes contain one of ``needles``."""
    words = [n.encode() for n in needles]
    skipped = {p.resolve() for p in skip}
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and path.resolve() not in skipped:
            data = path.read_bytes()
            found += [f"{path.relative_to(folder)}: {w.decode()}" for w in words if w in data]
    return found


def members_of(db_file: Path) -> list[str]:
    """Member IDs and last names (long enough not to turn up by chance) stored in ``db_file``."""
    with sqlite3.connect(db_file) as conn:
        rows = conn.execute("SELECT member_id, last_name FROM members").fetchall()
    return sorted({v for row in rows for v in row if v and len(v) >= 6})
