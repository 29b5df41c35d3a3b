"""Shared fixtures: a fresh SQLite file per test, and the CLI run in-process."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Qt tests run without a display; set before anything imports Qt (pytest-qt included).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pmpm_desktop.cli import main
from pmpm_desktop.db.database import Database, open_database


@pytest.fixture(scope="session", autouse=True)
def _private_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Our private temp folder (``$PMPM_TMPDIR``) away from the user's, for the whole session
    (session fixtures such as the demo template run before any per-test setting)."""
    before = os.environ.get("PMPM_TMPDIR")
    os.environ["PMPM_TMPDIR"] = str(tmp_path_factory.mktemp("private"))
    yield
    if before is None:
        os.environ.pop("PMPM_TMPDIR", None)
    else:
        os.environ["PMPM_TMPDIR"] = before


@pytest.fixture
def private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own private temp folder (``$PMPM_TMPDIR``), to look into afterwards."""
    monkeypatch.setenv("PMPM_TMPDIR", str(tmp_path / "private"))
    return tmp_path / "private"


def mode(path: Path) -> int:
    """A file's or folder's permission bits (0o600, 0o700, …)."""
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the user's real database or data folder."""
    monkeypatch.setenv("PMPM_DB", str(tmp_path / "default.sqlite3"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("PMPM_SETTINGS", str(tmp_path / "settings.ini"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "pmpm.sqlite3"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = open_database(db_path)
    yield database
    database.dispose()


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def cli_runner(target: str | Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``pmpm --db TARGET ARGS`` in-process and capture what it prints."""

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()
        try:
            code = main(["--db", str(target), *map(str, args)])
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def cli(db_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """``pmpm --db <this test's SQLite file> ARGS``."""
    return cli_runner(db_path, capsys)


# --- the demo practice, built once per test session ---------------------------------------


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo practice (3 payers, 120 members, 2026-01..06, reconciled), built once; the
    payer files it was built from are beside it, in ``demo-files/``. Never write to it: tests
    get copies (``demo_db``, ``demo``)."""
    from pmpm_desktop.services.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    database = open_database(path)
    try:
        build_demo(database, members=120)
    finally:
        database.dispose()
    return path


@pytest.fixture
def demo_db(db_path: Path, _demo_template: Path) -> Path:
    """``db_path`` holding a copy of the demo practice (for tests that open it themselves)."""
    shutil.copyfile(_demo_template, db_path)
    return db_path


@pytest.fixture
def demo(_demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A copy of the demo practice, open (its own file, not ``db_path``)."""
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(_demo_template, path)
    database = open_database(path)
    yield database
    database.dispose()


# --- PostgreSQL: a throwaway server for the tests that prove the non-SQLite paths ------------


def _postgres_bin() -> Path:
    """The server binaries: ``$PMPM_PG_BIN``, else Debian's PostgreSQL 15, else the newest."""
    if "PMPM_PG_BIN" in os.environ:
        return Path(os.environ["PMPM_PG_BIN"])
    preferred = Path("/usr/lib/postgresql/15/bin")
    if preferred.exists():
        return preferred
    versions = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()]
    found = sorted(versions, key=lambda p: int(p.parent.name), reverse=True)
    return found[0] if found else preferred


PG_BIN = _postgres_bin()


def _as_postgres_user() -> list[str]:
    """initdb and postgres refuse to run as root: run them as the ``postgres`` OS user then."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return []
    import pwd

    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("running as root and runuser is missing: cannot start PostgreSQL")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and there is no postgres OS user to run PostgreSQL as")
    return [runuser, "-u", "postgres", "--"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A SQLAlchemy URL (psycopg 3) of a fresh database on a throwaway PostgreSQL cluster.

    The cluster lives in a temp folder, listens only on a unix socket there (no TCP), trusts
    local connections, and is stopped and removed at the end of the session. Tests that want a
    database of their own create one on the same server (see ``tests/unit/test_postgres.py``).
    """
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        pytest.skip(f"PostgreSQL server binaries not found in {PG_BIN} (Debian: postgresql-15)")
    pytest.importorskip("psycopg", reason="psycopg 3 is needed for the PostgreSQL tests")
    prefix = _as_postgres_user()
    # Not under pytest's basetemp: that is private to the current user (0700), and the server
    # runs as postgres. The path stays short, as a unix socket path must (~100 bytes).
    root = Path(tempfile.mkdtemp(prefix="pmpm-pg-"))
    data = root / "data"
    if prefix:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}

    def run(*args: str) -> None:
        done = subprocess.run(
            [*prefix, *args], env=env, capture_output=True, text=True, timeout=60, check=False
        )
        if done.returncode != 0:
            log = root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}\n{tail}")

    try:
        run(
            str(PG_BIN / "initdb"),
            "-D", str(data),
            "-U", "postgres",
            "-A", "trust",
            "-E", "UTF8",
            "--locale=C",
            "--no-sync",
        )  # fmt: skip
        options = (
            f"-c listen_addresses='' -c unix_socket_directories='{root}' -p {port} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        run(
            str(PG_BIN / "pg_ctl"),
            "-D", str(data),
            "-l", str(root / "server.log"),
            "-o", options,
            "-w",
            "-t", "30",
            "start",
        )  # fmt: skip
        import psycopg

        with psycopg.connect(
            host=str(root), port=port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE pmpm_test")
        yield f"postgresql+psycopg://postgres@/pmpm_test?host={root}&port={port}"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                 "stop"],
                env=env, capture_output=True, timeout=60, check=False,
            )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)
