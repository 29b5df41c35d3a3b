"""The app's log file, in the user data folder.

Members' IDs, names and amounts are protected health information, and error messages of the
core name them ("member 000123456 ..."). So the log records what happened (task names, error
types and the code path) and never an exception's message text. Still, the log folder is
0700 and its files (rotated ones too) 0600.
"""

from __future__ import annotations

import contextlib
import logging
import os
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

from pmpm_desktop.db.database import APP_NAME
from pmpm_desktop.io.private_files import FILE_MODE, make_private, private_dir

log = logging.getLogger("pmpm_desktop.ui")


def log_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "logs" / "pmpm-desktop.log"


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating log whose files only their owner can read: each file is opened (or created,
    after a rollover) 0600, and an older file with wider bits is narrowed."""

    def _open(self):  # type: ignore[no-untyped-def]
        path = Path(self.baseFilename)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags, FILE_MODE)
        make_private(path)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def setup_logging() -> Path:
    """Send the app's log to the rotating log file (idempotent); returns its path."""
    path = log_path()
    for handler in log.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path:
            return path
    private_dir(path.parent)
    for old in path.parent.glob(f"{path.name}*"):
        with contextlib.suppress(OSError):  # another user's file: the log still starts
            make_private(old)  # rotated files written before the log was private
    handler = PrivateRotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
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
