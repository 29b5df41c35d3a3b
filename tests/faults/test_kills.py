"""kill -9 in the middle of every operation that writes (issue 11, "Tests" bullet 1).

Each case runs one operation in a subprocess (``tests.faults.driver``) on its own copy of a
small practice and kills it at a hook: early, in the middle, just before the commit, or after
it. Then, as after a power cut: the file passes ``PRAGMA integrity_check``; its tables hold
exactly what they held before or exactly what an unkilled run leaves (no half batch, nothing
committed before lost); the operation run again gives what an unkilled run gives; and after
the next start (``pmpm payer list``, which cleans up what a killed run left) no file outside
the database holds a member's ID or name.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.faults import checks, practice
from tests.faults.driver import OPERATIONS

ROOT = Path(__file__).resolve().parents[2]
#: the file an operation is asked to write (in work/out): the user's, not a leak, once complete
OUTPUTS = {"report": "report.xlsx", "backup": "backup.sqlite3"}
FILES = "issue 11 part files"
DB = "issue 11 part db"


@dataclass(frozen=True)
class Operation:
    name: str
    #: the practice.build stage the operation starts from
    stage: str
    #: the schema revision the database is taken back to first (None: the latest)
    revision: str | None = None


OPS = {
    op.name: op
    for op in (
        Operation("roster_xlsx", "payer"),
        Operation("statement_csv", "rosters"),
        Operation("roster_834", "rosters"),
        Operation("reconcile", "practice"),
        Operation("report", "practice"),
        Operation("demo", "empty"),
        Operation("backup", "practice"),
        Operation("upgrade", "practice", revision="0003"),
    )
}


@dataclass(frozen=True)
class Case:
    op: str
    hook: str
    #: the time the hook is reached in an unkilled run: "first", "middle", "penultimate" or
    #: "last"
    when: str
    #: why member data is still left outside the database after this kill (an xfail reason)
    leaks: str | None = None

    @property
    def id(self) -> str:
        return f"{self.op}-{self.hook}-{self.when}"


CASES = [
    Case("roster_xlsx", "progress", "first"),
    Case("roster_xlsx", "sql", "middle"),
    Case("roster_xlsx", "commit", "last"),
    Case("statement_csv", "sql", "middle"),
    Case("statement_csv", "commit", "last"),
    Case("roster_834", "progress", "first"),
    Case("roster_834", "commit", "last"),
    Case("reconcile", "progress", "middle"),
    Case("reconcile", "commit", "last"),
    Case("report", "commit", "last"),
    # the last tick inside the workbook, before xlsxwriter's close() zips its row files
    Case(
        "report",
        "progress",
        "penultimate",
    ),
    Case("report", "progress", "last"),
    Case("demo", "commit", "middle"),
    Case(
        "backup",
        "progress",
        "last",
    ),
    Case("upgrade", "sql", "first"),
    Case("upgrade", "sql", "middle"),
    Case("upgrade", "commit", "last"),
]


@dataclass
class Reference:
    """An operation's starting point and what an unkilled run of it leaves."""

    base: Path
    counts: dict[str, int]
    before: checks.Digest
    after: checks.Digest
    needles: list[str]


@dataclass
class Killed:
    work: Path
    returncode: int
    integrity: str
    state: checks.Digest
    next_start: subprocess.CompletedProcess[str]
    leaks: list[str] = field(default_factory=list)


def _env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PMPM_DB",)}
    env.update(
        TMPDIR=str(work / "tmp"),
        PMPM_TMPDIR=str(work / "private"),
        PYTHONPATH=str(ROOT),
        XDG_DATA_HOME=str(work / "xdg-data"),
        XDG_CONFIG_HOME=str(work / "xdg-config"),
        PMPM_SETTINGS=str(work / "settings.ini"),
    )
    return env


def _run(args: list[str], work: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=_env(work), capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def _copy(base: Path, work: Path) -> Path:
    shutil.copytree(base, work)
    return work


def _digest_of_copy(work: Path, scratch: Path) -> checks.Digest:
    """The digest of the database of ``work``, read from a copy in ``scratch`` (with its WAL)."""
    db = practice.db_file(work)
    scratch.mkdir(parents=True)
    for part in db.parent.glob(db.name + "*"):
        shutil.copy2(part, scratch / part.name)
    return checks.digest(scratch / db.name)


def _leave_committed_data_in_the_wal(work: Path) -> None:
    """A committed change still only in the WAL, as a killed app leaves it: the payer renamed."""
    code = (
        "import os, signal, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=WAL'); c.execute('PRAGMA wal_autocheckpoint=0')\n"
        "c.execute(\"UPDATE payers SET name = 'Renamed in the WAL'\")\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = _run(["-c", code, str(practice.db_file(work))], work)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert Path(f"{practice.db_file(work)}-wal").stat().st_size > 0


_references: dict[str, Reference] = {}
_killed: dict[str, Killed] = {}


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Reference]:
    def get(name: str) -> Reference:
        if name in _references:
            return _references[name]
        op = OPS[name]
        root = tmp_path_factory.mktemp(f"ref-{name}")
        base = root / "base"
        practice.build(base, op.stage)
        if op.revision is not None:
            practice.downgrade(base, op.revision)
            _leave_committed_data_in_the_wal(base)
        before = _digest_of_copy(base, root / "scratch")
        ref = _copy(base, root / "ref")
        done = _run(["-m", "tests.faults.driver", name, str(ref), "count"], ref)
        assert done.returncode == 0, done.stderr
        after = checks.digest(practice.db_file(ref))
        people = practice.people()
        needles = [p.member_id for p in people] + [p.last for p in people]
        if name == "demo":
            conn = __import__("sqlite3").connect(practice.db_file(ref))
            rows = conn.execute("SELECT member_id, last_name FROM members").fetchall()
            conn.close()
            needles = [r[0] for r in rows] + [r[1] for r in rows if r[1] and len(r[1]) >= 5]
        _references[name] = Reference(base, json.loads(done.stdout), before, after, needles)
        return _references[name]

    return get


def _at(counts: dict[str, int], hook: str, when: str) -> int:
    total = counts[hook]
    assert total > 0, f"an unkilled run never reaches the {hook} hook"
    return {
        "first": 1,
        "middle": max(1, total // 2),
        "penultimate": max(1, total - 1),
        "last": total,
    }[when]


@pytest.fixture
def killed(
    request: pytest.FixtureRequest,
    reference: Callable[[str], Reference],
    tmp_path_factory: pytest.TempPathFactory,
) -> Killed:
    """The case's operation killed (once per case; the tests of a case share the run)."""
    case: Case = request.param
    if case.id in _killed:
        return _killed[case.id]
    ref = reference(case.op)
    work = _copy(ref.base, tmp_path_factory.mktemp(f"kill-{case.id}") / "work")
    point = f"{case.hook}:{_at(ref.counts, case.hook, case.when)}"
    done = _run(["-m", "tests.faults.driver", case.op, str(work), point], work)
    db = practice.db_file(work)
    # Read from a copy: opening the file itself would checkpoint the WAL the kill left, which
    # the next start must find as the kill left it.
    scratch = work.parent / "scratch"
    state = _digest_of_copy(work, scratch)
    outcome = Killed(work, done.returncode, checks.integrity(scratch / db.name), state, done)
    outcome.next_start = _run(["-m", "pmpm_desktop.cli", "--db", str(db), "payer", "list"], work)
    roots = [work / "db", work / "out", work / "tmp", work / "private"]
    outcome.leaks = checks.files_with_member_data(
        roots, ref.needles, db=db, skip=[work / "db" / "demo-files", *_output(case.op, work)]
    )
    assert done.returncode == -signal.SIGKILL, f"not killed at {point}: {done.stderr[-2000:]}"
    _killed[case.id] = outcome
    return outcome


def _output(op: str, work: Path) -> list[Path]:
    return [work / "out" / OUTPUTS[op]] if op in OUTPUTS else []


def _params(marks: Callable[[Case], list[pytest.MarkDecorator]]) -> list[object]:
    return [pytest.param(c, id=c.id, marks=marks(c)) for c in CASES]


@pytest.mark.parametrize("killed", _params(lambda c: []), indirect=True)
def test_a_killed_run_leaves_a_sound_database(
    killed: Killed, request: pytest.FixtureRequest, reference: Callable[[str], Reference]
) -> None:
    """The database passes its integrity check, and the file asked for is there only whole."""
    assert killed.integrity == "ok"
    case: Case = request.node.callspec.params["killed"]
    for output in _output(case.op, killed.work):
        if output.exists():
            _assert_complete(output, reference(case.op))


def _assert_complete(output: Path, ref: Reference) -> None:
    if output.suffix == ".xlsx":
        with zipfile.ZipFile(output) as zf:
            assert zf.testzip() is None
            assert "xl/workbook.xml" in zf.namelist()
    else:
        assert checks.integrity(output) == "ok"
        assert checks.digest(output) == ref.after


def _all_or_nothing(c: Case) -> list[pytest.MarkDecorator]:
    return []


@pytest.mark.parametrize("killed", _params(_all_or_nothing), indirect=True)
def test_a_killed_run_wrote_all_or_nothing(
    killed: Killed, request: pytest.FixtureRequest, reference: Callable[[str], Reference]
) -> None:
    """No half batch, and nothing committed before is lost: every table is as before the run
    or as an unkilled run leaves it (the digest leaves out only the moments of the run)."""
    case: Case = request.node.callspec.params["killed"]
    ref = reference(case.op)
    if killed.state != ref.before:
        assert killed.state == ref.after, (
            "tables neither as before nor as after an unkilled run: "
            f"{checks.differing(killed.state, ref.after)}"
        )


def _rerun(case: Case) -> list[pytest.MarkDecorator]:
    return []


@pytest.mark.parametrize("killed", _params(_rerun), indirect=True)
def test_a_killed_run_can_be_run_again(
    killed: Killed, request: pytest.FixtureRequest, reference: Callable[[str], Reference]
) -> None:
    """The next start succeeds, and the operation run again leaves what an unkilled run does
    (when the kill came after the commit, the work is already there)."""
    case: Case = request.node.callspec.params["killed"]
    ref = reference(case.op)
    assert killed.next_start.returncode == 0, killed.next_start.stderr
    db = practice.db_file(killed.work)
    outputs = _output(case.op, killed.work)
    if checks.digest(db) != ref.after or not all(o.exists() for o in outputs):
        OPERATIONS[case.op](killed.work, None)
    assert checks.differing(checks.digest(db), ref.after) == []
    assert checks.integrity(db) == "ok"
    for output in outputs:
        _assert_complete(output, ref)


def _leaks(case: Case) -> list[pytest.MarkDecorator]:
    if case.leaks is None:
        return []
    return [pytest.mark.xfail(strict=True, reason=f"{FILES}: {case.leaks}")]


@pytest.mark.parametrize("killed", _params(_leaks), indirect=True)
def test_a_killed_run_leaves_no_member_data_outside_the_database(killed: Killed) -> None:
    """After the next start, no file in the output folder, TMPDIR, our private temp folder
    or beside the database holds a member's ID or last name."""
    assert killed.leaks == []


_UPGRADES = [c for c in CASES if c.op == "upgrade"]


@pytest.mark.parametrize("killed", [pytest.param(c, id=c.id) for c in _UPGRADES], indirect=True)
def test_the_copy_made_before_an_upgrade_is_the_database(
    killed: Killed, reference: Callable[[str], Reference]
) -> None:
    """Every copy made before an upgrade (the killed one's, the next start's) holds what the
    database held, the committed data still in its WAL included."""
    db = practice.db_file(killed.work)
    copies = sorted(db.parent.glob(f"{db.stem}.before-upgrade-*"))
    assert copies
    for copy in copies:
        assert checks.differing(checks.digest(copy), reference("upgrade").before) == []
