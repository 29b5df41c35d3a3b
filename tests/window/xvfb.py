"""A throwaway X server (Xvfb) with a window manager, for the real-window test and
``scripts/screenshots.py --real``: the app then runs on Qt's xcb plugin, as on a desktop.

No Qt here: the caller starts the app (in a subprocess, or in-process before its
QApplication exists) with :meth:`Xvfb.env`. The display number is chosen by Xvfb itself
(``-displayfd``), so parallel runs never race for one.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

#: the window manager the real-window runs use when it is installed (scripts/setup.sh does)
WINDOW_MANAGER = "openbox"
_START_TIMEOUT = 15.0


class XvfbError(RuntimeError):
    """The X server or its window manager did not start."""


def xvfb_missing() -> str | None:
    """Why no X server can be started here (None when Xvfb is installed)."""
    if shutil.which("Xvfb") is None:
        return "Xvfb is not installed (Debian: xvfb; scripts/setup.sh installs it when run as root)"
    return None


class Xvfb:
    """``with Xvfb(1280, 800) as x:`` an X screen of that size, a window manager on it when
    one is installed, both stopped (and their files removed) on leaving."""

    def __init__(self, width: int, height: int, *, window_manager: bool = True) -> None:
        self.width, self.height = width, height
        self.display = ""
        self._want_wm = window_manager
        self._server: subprocess.Popen[bytes] | None = None
        self._wm: subprocess.Popen[bytes] | None = None
        self._folder = Path(tempfile.mkdtemp(prefix="pmpm-xvfb-"))

    @property
    def window_manager(self) -> str | None:
        """The window manager running (None when there is none)."""
        return WINDOW_MANAGER if self._wm is not None else None

    def env(self) -> dict[str, str]:
        """What a process needs in its environment to open its windows on this screen."""
        return {"DISPLAY": self.display, "QT_QPA_PLATFORM": "xcb"}

    def __enter__(self) -> Xvfb:
        try:
            self._start_server()
            if self._want_wm and shutil.which(WINDOW_MANAGER) is not None:
                self._start_window_manager()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _start_server(self) -> None:
        xvfb = shutil.which("Xvfb")
        if xvfb is None:
            raise XvfbError(xvfb_missing())
        read, write = os.pipe()
        screen = f"{self.width}x{self.height}x24"
        with (self._folder / "xvfb.log").open("wb") as log:
            self._server = subprocess.Popen(
                [xvfb, "-displayfd", str(write), "-screen", "0", screen, "-nolisten", "tcp"],
                pass_fds=(write,),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        os.close(write)
        try:
            number = self._read_display_number(read)
        finally:
            os.close(read)
        self.display = f":{number}"

    def _read_display_number(self, fd: int) -> str:
        """Xvfb writes its display number to ``fd`` once it accepts connections."""
        deadline = time.monotonic() + _START_TIMEOUT
        text = b""
        while not text.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise XvfbError(f"Xvfb did not start within {_START_TIMEOUT:.0f} s{self._log()}")
            chunk = os.read(fd, 32)
            if not chunk:
                raise XvfbError(f"Xvfb stopped while starting{self._log()}")
            text += chunk
        return text.decode().strip()

    def _start_window_manager(self) -> None:
        """openbox, waited for: it runs ``--startup`` once it manages the screen."""
        ready = self._folder / "wm-ready"
        home = self._folder / "wm-home"  # its own config and cache, never the user's
        home.mkdir()
        env = {**os.environ, "DISPLAY": self.display, "HOME": str(home)}
        env.pop("XDG_CONFIG_HOME", None)
        env.pop("XDG_CACHE_HOME", None)
        with (self._folder / "wm.log").open("wb") as log:
            self._wm = subprocess.Popen(
                [WINDOW_MANAGER, "--sm-disable", "--startup", f"touch {ready}"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + _START_TIMEOUT
        while not ready.exists():
            if self._wm.poll() is not None:
                raise XvfbError(f"{WINDOW_MANAGER} stopped while starting{self._log('wm.log')}")
            if time.monotonic() > deadline:
                raise XvfbError(f"{WINDOW_MANAGER} did not start within {_START_TIMEOUT:.0f} s")
            time.sleep(0.05)

    def _log(self, name: str = "xvfb.log") -> str:
        path = self._folder / name
        text = path.read_text(errors="replace").strip()[-800:] if path.exists() else ""
        return f": {text}" if text else ""

    def stop(self) -> None:
        """Stop the window manager, then the server (each once; never raises)."""
        for process in (self._wm, self._server):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(10)
        self._wm = self._server = None
        shutil.rmtree(self._folder, ignore_errors=True)
