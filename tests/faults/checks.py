"""What is checked after a kill: the file's integrity, a content digest of its tables, and
member data left in files outside the database."""

from __future__ import annotations

import hashlib
import sqlite3
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

#: Digest: table → (row count, SHA-256 of its rows, sorted). Columns of type DATETIME are
#: left out: they hold the moment of the run, which a re-run cannot repeat.
Digest = dict[str, tuple[int, str]]


def integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` of a SQLite file ("ok" when sound)."""
    conn = sqlite3.connect(path)
    try:
        return "; ".join(str(r[0]) for r in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def digest(path: Path) -> Digest:
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        out: Digest = {}
        for table in tables:
            columns = [
                r[1]
                for r in conn.execute(f'PRAGMA table_info("{table}")')
                if str(r[2]).upper() != "DATETIME"
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = sorted(repr(r) for r in conn.execute(f'SELECT {listed} FROM "{table}"'))
            out[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return out
    finally:
        conn.close()


def differing(a: Digest, b: Digest) -> list[str]:
    """The tables whose content differs (or that only one side has)."""
    return sorted(t for t in a.keys() | b.keys() if a.get(t) != b.get(t))


def count(path: Path, sql: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def _is_database(path: Path, db: Path) -> bool:
    """The database itself, its WAL and shared memory, and the copies made before an upgrade."""
    name = path.name
    return path.parent == db.parent and (
        name.startswith(db.name)
        and name[len(db.name) :] in ("", "-wal", "-shm", "-journal")
        or name.startswith(f"{db.stem}.before-upgrade-")
    )


def _contents(path: Path) -> Iterator[bytes]:
    """The file's bytes, and the inflated members when it is a zip (an .xlsx hides its cells)."""
    data = path.read_bytes()
    yield data
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    yield zf.read(info)
        except (zipfile.BadZipFile, OSError, EOFError):
            pass  # a zip cut short: its raw bytes were scanned above


def files_with_member_data(
    roots: Iterable[Path], needles: Iterable[str], *, db: Path, skip: Iterable[Path] = ()
) -> list[str]:
    """Every file under ``roots`` holding any of ``needles`` (member IDs, last names), except
    the database's own files and the folders in ``skip``; each as 'path (what it holds)'."""
    wanted = [n.encode() for n in needles]
    skipped = [s.resolve() for s in skip]
    found: list[str] = []
    for root in roots:
        if not root.exists():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            resolved = path.resolve()
            if _is_database(path, db) or any(resolved.is_relative_to(s) for s in skipped):
                continue
            hits = {n for data in _contents(path) for n in wanted if n in data}
            if hits:
                shown = ", ".join(sorted(h.decode() for h in hits)[:3])
                found.append(f"{path} ({len(hits)} IDs or names, e.g. {shown})")
    return found
