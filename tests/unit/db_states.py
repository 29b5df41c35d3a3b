"""Databases in bad states, made for real by the tests: locked, read-only, damaged, full."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

#: one member whose data must never appear in a message (IDs, names and DOB are PHI)
MEMBER = ("000424242", "NGUYEN", "LINH", "2019-03-12")
ROSTER = (
    "Member ID,Last Name,First Name,DOB,Sex,Product,Rate Cell,Eff Date,Term Date\n"
    f"{MEMBER[0]},{MEMBER[1]},{MEMBER[2]},{MEMBER[3]},F,MCD,TANF,,\n"
)
#: what would show SQL or driver text leaking into a message
SQL_WORDS = ("INSERT", "SELECT", "UPDATE ", "[SQL", "parameters", "sqlalche.me", "Traceback")


def roster_file(folder: Path) -> Path:
    """A one-member roster for SUN (the demo's payer)."""
    path = folder / "roster-2026-07.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


def assert_clean(text: str) -> None:
    """No SQL text and none of MEMBER's data in ``text``."""
    for word in (*SQL_WORDS, *MEMBER, "Nguyen", "Linh", "2019"):
        assert word.lower() not in text.lower(), f"{word!r} leaked into: {text}"


def fingerprint(path: Path, *, immutable: bool = False) -> str:
    """The database's content (read-only, so looking does not change it), and it is sound.

    ``immutable``: for a database in a read-only folder (SQLite cannot make its -shm there)."""
    uri = path.as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
    with closing(sqlite3.connect(uri, uri=True)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        dump = "\n".join(conn.iterdump())
    return hashlib.sha256(dump.encode()).hexdigest()


def lock_holder(path: Path) -> subprocess.Popen[str]:
    """Another program holding ``path``'s write lock (BEGIN IMMEDIATE, WAL) until it reads a
    line on stdin; then it commits one payer and exits. Returns once the lock is held."""
    script = (
        "import sqlite3, sys\n"
        f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=WAL')\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "c.execute(\"INSERT INTO payers (code, name) VALUES ('OTH', 'Other program')\")\n"
        "print('locked', flush=True)\n"
        "sys.stdin.readline()\n"
        "c.execute('COMMIT')\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def release(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.write("go\n")
    proc.stdin.flush()
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0
    if proc.stdout is not None:
        proc.stdout.close()


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@contextmanager
def read_only_folder(folder: Path) -> Iterator[None]:
    """Make ``folder`` and its files unwritable for this process, as a user would meet it.

    A normal user: the modes (0555 folder, 0444 files). Root ignores modes, so then the
    folder is bind-mounted read-only over itself (skipped where mounting is not allowed).
    """
    if not _is_root():
        files = [p for p in folder.iterdir() if p.is_file()]
        for p in files:
            p.chmod(0o444)
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
            for p in files:
                p.chmod(0o644)
        return
    mount = shutil.which("mount")
    if mount is None:
        pytest.skip("mount is missing: cannot make a read-only folder as root")
    done = subprocess.run([mount, "--bind", str(folder), str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot bind-mount here: no read-only folder for root")
    try:
        subprocess.run(
            [mount, "-o", "remount,bind,ro", str(folder)], check=True, capture_output=True
        )
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True, capture_output=True)


@contextmanager
def read_only_file(path: Path) -> Iterator[None]:
    """``path`` unwritable in a writable folder: mode 0444, or for root the immutable flag."""
    if not _is_root():
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)]).returncode != 0:
        pytest.skip("cannot set the immutable flag here: no read-only file for root")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


@contextmanager
def small_disk(folder: Path, size_kb: int) -> Iterator[Path]:
    """A tmpfs of ``size_kb`` mounted at ``folder`` (root only; skipped elsewhere)."""
    if not _is_root() or shutil.which("mount") is None:
        pytest.skip("mounting a small disk needs root")
    folder.mkdir(exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(folder)],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True, capture_output=True)


def fill(folder: Path, leave_bytes: int) -> None:
    """Fill the disk holding ``folder`` until about ``leave_bytes`` remain free."""
    stats = os.statvfs(folder)
    free = stats.f_bavail * stats.f_frsize
    with open(folder / "filler", "wb") as out:
        out.write(b"\0" * max(0, free - leave_bytes))
