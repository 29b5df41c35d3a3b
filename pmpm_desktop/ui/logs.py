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


def log_failure(task: str, exc: BaseException) -> None:
    """Record a failure: the task, the error's type and where it happened — no message text."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = "".join(traceback.format_list(frames)).rstrip()
    log.error("%s failed: %s\n%s", task, type(exc).__name__, where or "  (no traceback)")
