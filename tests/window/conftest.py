"""The real-window tests: the app on Qt's X11 (xcb) plugin, on an Xvfb screen of their own.

tests/conftest.py makes this process offscreen; these tests therefore run the app in a
subprocess (``python -m tests.window.drive``) with ``QT_QPA_PLATFORM=xcb`` and the Xvfb's
``DISPLAY``, a fresh HOME and data folders in ``tmp_path``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from tests.window.xvfb import Xvfb, xvfb_missing


def _require_xvfb() -> None:
    """Skip where Xvfb is not installed, but never on CI (scripts/setup.sh installs it there,
    and a skipped real-window test is how issue 12's broken window went unseen)."""
    why = xvfb_missing()
    if why is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the real-window test, but {why}")
    pytest.skip(why)


@pytest.fixture
def screen() -> Iterator[Callable[[int, int], AbstractContextManager[Xvfb]]]:
    """``with screen(1280, 800) as x:`` an Xvfb of that size, a window manager on it when
    installed (``x.env()`` names the display)."""
    _require_xvfb()
    yield lambda width, height: Xvfb(width, height)


@pytest.fixture
def fresh_home(tmp_path: Path) -> dict[str, str]:
    """The environment of a user who never ran the app: HOME and the XDG folders in tmp_path."""
    home = tmp_path / "home"
    runtime = tmp_path / "runtime"  # Qt wants it private (0700), else it warns
    for folder in (home, runtime):
        folder.mkdir(mode=0o700)
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_RUNTIME_DIR": str(runtime),
        "PMPM_TMPDIR": str(tmp_path / "private"),
    }
