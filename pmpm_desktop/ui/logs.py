"""The app's log file, in the user data folder.

Members' IDs, names and amounts are protected health information, and error messages of the
core name them ("member 000123456 ..."). So the log records what happened (task names, error
types and the code path) and never an exception's message text.
"""

from __future__ import annotations

import logging
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

from pmpm_desktop.db.database import APP_NAME

log = logging.getLogger("pmpm_desktop.ui")


def log_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "logs" / "pmpm-desktop.log"


def setup_logging() -> Path:
    """Send the app's log to the rotating log file (idempotent); returns its path."""
    path = log_path()
    for handler in log.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path:
            return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return path


#: Qt messages that say nothing to a user or to us (the offscreen platform cannot size windows)
_QT_NOISE = ("This plugin does not support propagateSizeHints",)


def route_qt_messages() -> object:
    """Qt's own warnings go to the log file (without the known noise), not to the terminal.

    Returns the handler it replaced (tests put it back)."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        if not message.startswith(_QT_NOISE):
            log.log(levels.get(kind, logging.WARNING), "Qt: %s", message)

    return qInstallMessageHandler(handler)


def log_failure(task: str, exc: BaseException) -> None:
    """Record a failure: the task, the error's type and where it happened — no message text."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = "".join(traceback.format_list(frames)).rstrip()
    log.error("%s failed: %s\n%s", task, type(exc).__name__, where or "  (no traceback)")
