"""The packaged app: ``bash packaging/build.sh`` builds a folder whose programs actually run.

The slow part builds once per session with the real spec into a temp folder (~40 s on two
cores) and then starts the BUILT programs: the window's smoke test on a new database, on the
demo practice and on PostgreSQL, the command line importing the demo's .xlsx files and writing
the Excel report (the frozen fastexcel/xlsxwriter/Alembic paths), the no-display messages, and
the Linux install script. Set ``PMPM_SKIP_BUILD=1`` to leave the build out.

The fast part (no build) checks the same entry points from source, the exported icons, the
Windows version resource, the .desktop file and the NSIS script.
"""

from __future__ import annotations

import ast
import configparser
import os
import shutil
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pmpm_desktop import __version__
from pmpm_desktop.app import NO_DISPLAY

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
sys.path.insert(0, str(PACKAGING))

import make_icons  # noqa: E402
import version_info  # noqa: E402

WINDOWS = sys.platform == "win32"


def _env(**changes: str | None) -> dict[str, str]:
    """This process's environment (already hermetic: see tests/conftest.py) with changes."""
    env = dict(os.environ)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _headless(**changes: str | None) -> dict[str, str]:
    """No display at all: the situation of a server, a CI job, an SSH session."""
    return _env(**{"DISPLAY": None, "WAYLAND_DISPLAY": None, "QT_QPA_PLATFORM": None, **changes})


def _run(
    command: list[str | Path], env: dict[str, str], timeout: int = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=ROOT,
    )


def _assert_smoke_passed(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    from pmpm_desktop.ui.pages import page_classes

    assert f"smoke test passed: {len(page_classes())} pages visited" in done.stdout
    assert "Traceback" not in done.stderr


# --- the build ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    folder: Path
    seconds: float

    def program(self, name: str) -> Path:
        return self.folder / (f"{name}.exe" if WINDOWS else name)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    if os.environ.get("PMPM_SKIP_BUILD"):
        pytest.skip("PMPM_SKIP_BUILD is set: the packaged build is not tested")
    if shutil.which("bash") is None:
        pytest.skip("bash is needed to run packaging/build.sh")
    if sys.platform.startswith("linux") and shutil.which("objdump") is None:
        pytest.skip("PyInstaller needs objdump (binutils): run scripts/setup.sh as root")
    out = tmp_path_factory.mktemp("build")
    started = time.monotonic()
    done = _run(
        [
            "bash",
            PACKAGING / "build.sh",
            "--no-setup",
            "--no-icons",
            "--dist",
            out / "dist",
            "--work",
            out / "work",
        ],
        _env(),
        timeout=900,
    )
    seconds = time.monotonic() - started
    assert done.returncode == 0, f"build failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    build = Build(out / "dist" / "pmpm-desktop", seconds)
    assert build.program("pmpm-desktop").is_file()
    print(f"\npackaged build: {seconds:.0f} s, {done.stdout.strip().splitlines()[-2]}")
    yield build
    shutil.rmtree(out, ignore_errors=True)  # ~400 MB: do not leave it to pytest's rotation


def test_build_holds_the_data_files_and_leaves_out_what_we_do_not_use(built: Build) -> None:
    internal = built.folder / "_internal"
    migrations = internal / "pmpm_desktop" / "db" / "migrations"
    shipped = sorted(p.name for p in (migrations / "versions").glob("*.py"))
    source = sorted(p.name for p in (ROOT / "pmpm_desktop/db/migrations/versions").glob("*.py"))
    assert shipped == source  # Alembic loads them by path, as .py source
    assert (migrations / "env.py").is_file()
    assert (migrations / "script.py.mako").is_file()
    assert (internal / "pmpm_desktop" / "io" / "fields.json").is_file()
    for heavy in ("pyarrow", "numpy", "pandas", "tkinter", "pytest", "openpyxl"):
        assert not (internal / heavy).exists(), f"{heavy} should not be bundled"
    qt_files = [p.relative_to(internal).as_posix() for p in (internal / "PySide6").rglob("*")]
    assert not [p for p in qt_files if "/translations/" in p or "Qt6Network" in p or "qpdf" in p]
    assert built.seconds < 240, f"the build took {built.seconds:.0f} s (limit 4 minutes)"


def test_built_app_smoke_test_on_a_new_database(built: Build, tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    started = time.monotonic()
    done = _run(
        [built.program("pmpm-desktop"), "--smoke-test", "--db", db],
        _env(QT_QPA_PLATFORM="offscreen"),
    )
    print(f"\nsmoke test of the built app: {time.monotonic() - started:.1f} s")
    _assert_smoke_passed(done)
    assert db.is_file()  # created and migrated by the frozen Alembic


def test_built_app_smoke_test_on_the_demo_practice(built: Build, tmp_path: Path) -> None:
    from pmpm_desktop.db.database import open_database
    from pmpm_desktop.services.demo import build_demo

    path = tmp_path / "demo.sqlite3"
    database = open_database(path)
    try:
        build_demo(database, members=120)
    finally:
        database.dispose()
    done = _run(
        [built.program("pmpm-desktop"), "--smoke-test", "--db", path],
        _env(QT_QPA_PLATFORM="offscreen"),
    )
    _assert_smoke_passed(done)


def test_built_app_smoke_test_without_a_display_goes_offscreen(
    built: Build, tmp_path: Path
) -> None:
    done = _run(
        [built.program("pmpm-desktop"), "--smoke-test", "--db", tmp_path / "x.sqlite3"], _headless()
    )
    _assert_smoke_passed(done)


def test_built_command_line_imports_the_demo_files_and_writes_the_report(
    built: Build, tmp_path: Path
) -> None:
    pmpm = built.program("pmpm")
    db = tmp_path / "cli.sqlite3"
    demo = _run([pmpm, "--db", db, "demo"], _headless())
    assert demo.returncode == 0, demo.stderr
    assert "demo practice ready: 3 payers" in demo.stdout  # the .xlsx files read by fastexcel
    report = tmp_path / "report.xlsx"
    done = _run(
        [pmpm, "--db", db, "report", "--from", "2026-01", "--to", "2026-06", "--out", report],
        _headless(),
    )
    assert done.returncode == 0, done.stderr
    assert report.read_bytes()[:2] == b"PK"  # an .xlsx (zip) written by xlsxwriter
    version = _run([pmpm, "--version"], _headless())
    assert version.stdout.strip() == f"pmpm {__version__}"


def test_built_command_line_encrypts_and_opens_with_pmpm_db_key(
    built: Build, tmp_path: Path
) -> None:
    pmpm = built.program("pmpm")
    db = tmp_path / "secret.sqlite3"
    env = {**_headless(), "PMPM_DB_KEY": "s3cret"}
    done = _run([pmpm, "--db", db, "db", "encrypt"], env)  # SQLCipher frozen in
    assert done.returncode == 0, done.stderr
    assert b"SQLite format 3" not in db.read_bytes()
    listed = _run([pmpm, "--db", db, "payer", "list"], env)
    assert listed.returncode == 0, listed.stderr
    status = _run([pmpm, "--db", db, "db", "status"], env)  # keyring frozen in (any backend)
    assert "encrypted: yes (SQLCipher 4." in status.stdout, status.stderr


def test_built_command_line_reads_other_encodings_and_refuses_a_bomb(
    built: Build, tmp_path: Path
) -> None:
    """charset-normalizer (its compiled parts) and the zip guard are frozen in too."""
    from tests.unit import bad_files

    pmpm = built.program("pmpm")
    db = tmp_path / "enc.sqlite3"
    env = _headless()
    added = _run([pmpm, "--db", db, "payer", "add", "--code", "SUN", "--name", "Sun"], env)
    assert added.returncode == 0, added.stderr
    sjis = bad_files.encoded(tmp_path / "sjis.csv", "roster", "shift_jis", "山田")
    done = _run(
        [pmpm, "--db", db, "roster", "import", "--payer", "SUN", "--month", "2026-01", sjis], env
    )
    assert done.returncode == 0, done.stderr
    assert "read as Shift-JIS (Japanese)" in done.stdout
    bomb = bad_files.bomb(tmp_path / "bomb.xlsx", lying=True)
    refused = _run(
        [pmpm, "--db", db, "roster", "import", "--payer", "SUN", "--month", "2026-02", bomb], env
    )
    assert refused.returncode == 3 and "is not a usable workbook" in refused.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland are Linux things")
def test_built_app_without_a_display_says_so_in_one_sentence(built: Build) -> None:
    done = _run([built.program("pmpm-desktop")], _headless())
    assert done.returncode == 1
    assert done.stderr.strip() == NO_DISPLAY
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland are Linux things")
def test_built_app_probes_the_display_with_its_own_executable(built: Build) -> None:
    # DISPLAY names an X server that is not there: Qt would abort the process, so the frozen
    # app first runs itself with --probe-platform and answers in words when that child dies.
    done = _run([built.program("pmpm-desktop")], _headless(DISPLAY=":987"))
    assert done.returncode == 1
    assert done.stderr.strip().startswith("PMPM Desktop cannot open a window")
    assert "Traceback" not in done.stderr


def test_built_app_on_postgresql(built: Build, postgres_url: str) -> None:
    from tests.unit.test_postgres import _create_database

    target = _create_database(postgres_url)
    done = _run(
        [built.program("pmpm-desktop"), "--smoke-test", "--db", target],
        _env(QT_QPA_PLATFORM="offscreen"),
    )
    _assert_smoke_passed(done)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux install script")
def test_linux_install_script_installs_and_removes(built: Build, tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    script = PACKAGING / "linux" / "install.sh"
    done = _run(["bash", script, "--prefix", prefix, "--dist", built.folder], _headless())
    assert done.returncode == 0, done.stderr
    assert (prefix / "bin" / "pmpm-desktop").resolve() == (
        prefix / "lib" / "pmpm-desktop" / "pmpm-desktop"
    )
    assert (prefix / "share/icons/hicolor/256x256/apps/pmpm-desktop.png").is_file()
    entry = (prefix / "share/applications/pmpm-desktop.desktop").read_text()
    assert f"Exec={prefix}/lib/pmpm-desktop/pmpm-desktop\n" in entry
    version = _run([prefix / "bin" / "pmpm", "--version"], _headless())
    assert version.stdout.strip() == f"pmpm {__version__}"
    done = _run(["bash", script, "--uninstall", "--prefix", prefix], _headless())
    assert done.returncode == 0, done.stderr
    assert not (prefix / "lib" / "pmpm-desktop").exists()
    assert not (prefix / "bin" / "pmpm-desktop").exists()


# --- fast: no build ------------------------------------------------------------------------------


def test_smoke_test_from_source(tmp_path: Path) -> None:
    done = _run(
        [sys.executable, "-m", "pmpm_desktop", "--smoke-test", "--db", tmp_path / "src.sqlite3"],
        _env(QT_QPA_PLATFORM="offscreen"),
    )
    _assert_smoke_passed(done)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland are Linux things")
def test_installed_command_without_a_display_says_so_in_one_sentence() -> None:
    command = Path(sys.executable).with_name("pmpm-desktop")
    if not command.exists():
        pytest.skip("pmpm-desktop is not installed in this environment (pip install -e .)")
    done = _run([command], _headless())
    assert done.returncode == 1
    assert done.stderr.strip() == NO_DISPLAY
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_exported_icons_are_current(qapp: object, tmp_path: Path) -> None:
    """resources/ holds what packaging/make_icons.py draws today (re-run it after a change)."""
    written = make_icons.export(tmp_path)
    for path in written:
        checked_in = ROOT / "resources" / path.name
        assert checked_in.is_file(), f"resources/{path.name} is missing: run make_icons.py"
        assert checked_in.read_bytes() == path.read_bytes(), (
            f"resources/{path.name} is out of date: run python packaging/make_icons.py"
        )


def test_ico_holds_every_size_and_reads_back_as_drawn(qapp: object) -> None:
    from PySide6.QtGui import QImage, QImageReader

    from pmpm_desktop.ui.icon import draw_icon

    data = (ROOT / "resources" / "pmpm.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind, count) == (0, 1, len(make_icons.ICO_SIZES))
    reader = QImageReader(str(ROOT / "resources" / "pmpm.ico"))
    sizes = []
    for index in range(reader.imageCount()):
        reader.jumpToImage(index)
        image = reader.read().convertToFormat(QImage.Format.Format_ARGB32)
        sizes.append(image.width())
        assert image == draw_icon(image.width()).convertToFormat(QImage.Format.Format_ARGB32)
    assert sizes == list(make_icons.ICO_SIZES)
    png = QImage(str(ROOT / "resources" / "pmpm.png"))
    assert (png.width(), png.height()) == (256, 256)


def test_windows_version_resource_is_generated_from_the_version() -> None:
    assert version_info.version_tuple("0.1.0") == (0, 1, 0, 0)
    assert version_info.version_tuple("1.2.3rc1") == (1, 2, 3, 0)
    assert version_info.version_tuple("2.0.1.7.9") == (2, 0, 1, 7)
    text = version_info.render(__version__)
    ast.parse(text)  # PyInstaller evaluates it as a Python expression
    assert f"filevers={version_info.version_tuple(__version__)!r}" in text
    assert f"StringStruct('ProductVersion', '{__version__}')" in text


def test_desktop_file_is_valid() -> None:
    path = PACKAGING / "linux" / "pmpm-desktop.desktop"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(path, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"].split()[0] == "pmpm-desktop"
    assert section["Icon"] == "pmpm-desktop"
    assert section["Categories"] == "Office;Finance;"
    validate = shutil.which("desktop-file-validate")
    if validate is not None:
        done = _run([validate, path], _env())
        assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_nsis_installer_script_compiles(tmp_path: Path) -> None:
    makensis = shutil.which("makensis")
    if makensis is None:
        pytest.skip("makensis (NSIS) is not installed: bash packaging/build.sh --windows-installer")
    app = tmp_path / "app"
    (app / "_internal").mkdir(parents=True)
    for name in ("pmpm-desktop.exe", "pmpm.exe", "_internal/placeholder"):
        (app / name).write_bytes(b"")
    out = tmp_path / "setup-check.exe"
    done = _run(
        [
            makensis,
            "-V2",
            f"-DVERSION={__version__}",
            f"-DSOURCE_DIR={app}",
            f"-DOUTFILE={out}",
            PACKAGING / "windows" / "pmpm-desktop.nsi",
        ],
        _env(),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert out.read_bytes()[:2] == b"MZ"


def test_screenshots_script_saves_every_page(tmp_path: Path) -> None:
    from PySide6.QtGui import QImageReader

    from pmpm_desktop.ui.pages import page_classes

    done = _run(
        ["bash", ROOT / "scripts" / "screenshots", "--out", tmp_path, "--members", "60"],
        _headless(),
    )
    assert done.returncode == 0, done.stderr
    keys = [cls.key for cls in page_classes()]
    assert done.stdout.split() == [str(tmp_path / f"{key}.png") for key in keys]
    for key in keys:
        size = QImageReader(str(tmp_path / f"{key}.png")).size()
        assert size.width() >= 1280 and size.height() >= 800, key
