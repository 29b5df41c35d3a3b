"""Start the desktop application: ``pmpm-desktop`` or ``python -m pmpm_desktop``.

``--db`` names the database (a file or any SQLAlchemy URL; default: ``$PMPM_DB``, else the
last database opened, else ``pmpm.sqlite3`` in the user's data folder). ``--smoke-test`` opens
the main window, visits every page and exits 0, or non-zero on any error (the packaged build
is checked with it).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from pmpm_desktop import __version__
from pmpm_desktop.io.private_files import remove_stale

NO_DISPLAY = (
    "PMPM Desktop needs a graphical display and none was found (DISPLAY and WAYLAND_DISPLAY "
    "are not set); on this machine use the `pmpm` command line instead (`pmpm --help`)."
)
_HEADLESS_PLATFORMS = ("offscreen", "minimal")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pmpm-desktop", description="PMPM Desktop (the window).")
    p.add_argument("--db", help="database file or SQLAlchemy URL")
    p.add_argument(
        "--smoke-test",
        action="store_true",
        help="open the main window, visit every page, exit 0 (non-zero on any error)",
    )
    p.add_argument("--version", action="version", version=f"pmpm-desktop {__version__}")
    p.add_argument("--probe-platform", action="store_true", help=argparse.SUPPRESS)
    return p


def _platform() -> str:
    return os.environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()


def display_problem() -> str | None:
    """Why no window can be opened here, in one sentence (None when it can)."""
    if sys.platform.startswith("linux") and _platform() not in _HEADLESS_PLATFORMS:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            return NO_DISPLAY
        # Qt aborts the whole process when its platform plugin cannot load (a missing
        # libxcb-cursor0, say), so try it in a child process first.
        command = [sys.executable, "--probe-platform"]
        if not getattr(sys, "frozen", False):
            command = [sys.executable, "-m", "pmpm_desktop", "--probe-platform"]
        try:
            probe = subprocess.run(command, capture_output=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if probe.returncode != 0:
            from pmpm_desktop.display_libraries import display_advice, missing_libraries

            advice = display_advice(missing_libraries()) if _platform() != "wayland" else ""
            return (
                "PMPM Desktop cannot open a window: Qt's display plugin failed to load"
                + (f" ({advice})" if advice else "")
                + "; the `pmpm` command line works without a display."
            )
    return None


def _probe_platform() -> int:
    from PySide6.QtGui import QGuiApplication

    QGuiApplication(["pmpm-desktop"])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.probe_platform:
        return _probe_platform()
    remove_stale()  # what killed runs left in our private folder (one listing, never raises)
    if args.smoke_test and sys.platform.startswith("linux") and not _platform():
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
    problem = display_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    if args.smoke_test:
        return _smoke_test(args.db)
    return _run(args.db)


def _build(target: str | None, *, settings_file: Path | None = None):  # type: ignore[no-untyped-def]
    """The QApplication, context and main window on the database ``target``."""
    from PySide6.QtWidgets import QApplication

    from pmpm_desktop.db.database import DatabaseError
    from pmpm_desktop.ui.context import AppContext
    from pmpm_desktop.ui.icon import app_icon
    from pmpm_desktop.ui.logs import setup_logging
    from pmpm_desktop.ui.main_window import MainWindow, database_label
    from pmpm_desktop.ui.password_dialog import open_asking
    from pmpm_desktop.ui.settings import Settings
    from pmpm_desktop.ui.theme import apply_theme

    setup_logging()
    running = QApplication.instance()
    app = running if isinstance(running, QApplication) else QApplication(["pmpm-desktop"])
    app.setApplicationName("PMPM Desktop")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("PMPM Desktop")
    app.setWindowIcon(app_icon())
    apply_theme(app)
    settings = Settings(settings_file)
    if target is None and not os.environ.get("PMPM_DB") and settings.last_database:
        target = settings.last_database
    db = open_asking(target, None)
    if db is None:
        raise DatabaseError("no password was given: the database stays closed")
    label = database_label(db)
    settings.add_recent_database(label)
    ctx = AppContext(db, label, settings)
    window = MainWindow(ctx)
    return app, ctx, window


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """An error that escaped a slot: log it, tell the user in words, keep the app running."""
    from PySide6.QtWidgets import QApplication

    from pmpm_desktop.ui import dialogs
    from pmpm_desktop.ui.logs import log_failure

    log_failure("the window", exc)
    app = QApplication.instance()
    parent = QApplication.activeWindow() if app is not None else None
    dialogs.show_error(parent, "PMPM Desktop", exc)


def _run(target: str | None) -> int:
    from pmpm_desktop.db.database import DatabaseError
    from pmpm_desktop.ui.logs import route_qt_messages

    try:
        app, ctx, window = _build(target)
    except DatabaseError as exc:
        print(f"pmpm-desktop: {exc}", file=sys.stderr)
        from PySide6.QtWidgets import QApplication, QMessageBox

        _ = QApplication.instance() or QApplication(["pmpm-desktop"])
        QMessageBox.critical(None, "PMPM Desktop", f"The database could not be opened: {exc}")
        return 1
    sys.excepthook = _excepthook
    route_qt_messages()
    window.show()
    from pmpm_desktop.ui.first_run import maybe_offer_first_run

    maybe_offer_first_run(ctx, window)
    code = app.exec()
    ctx.tasks.wait(30_000)
    ctx.db.dispose()
    return int(code)


def _smoke_test(target: str | None) -> int:
    """Open the window on ``target`` (or a temporary database), visit every page, exit."""
    errors: list[str] = []

    def record(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        errors.append("".join(traceback.format_exception(kind, exc, tb)))

    sys.excepthook = record
    with tempfile.TemporaryDirectory(prefix="pmpm-smoke-") as tmp:
        settings_file = Path(tmp) / "settings.ini"
        try:
            from PySide6.QtCore import QEventLoop, QTimer

            app, ctx, window = _build(
                target or str(Path(tmp) / "smoke.sqlite3"), settings_file=settings_file
            )
            window.show()
            for key in list(window.pages):
                window.go_to(key)
                loop = QEventLoop()
                QTimer.singleShot(100, loop.quit)
                loop.exec()
                ctx.tasks.wait(60_000)
                app.processEvents()
                if window.grab().isNull():
                    errors.append(f"page {key} did not render")
            window.close()
            ctx.db.dispose()
        except Exception:  # the smoke test reports, it does not crash
            errors.append(traceback.format_exc())
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        print(f"smoke test failed: {len(errors)} error(s)", file=sys.stderr)
        return 1
    print(f"smoke test passed: {len(window.pages)} pages visited")
    return 0


if __name__ == "__main__":
    sys.exit(main())
