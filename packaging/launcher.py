"""Entry point of the frozen build: one program, two executables.

``pmpm-desktop`` (windowed on Windows) starts the window (``pmpm_desktop.app.main``); ``pmpm``
(a console program) is the command line (``pmpm_desktop.cli.main``), so a packaged install
also has the CLI that the no-display message points to. Both share the one folder of
libraries, so the CLI costs only its small executable.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _main() -> int:
    if Path(sys.executable).stem.lower() == "pmpm":
        from pmpm_desktop.cli import main
    else:
        from pmpm_desktop.app import main
    return int(main() or 0)


if __name__ == "__main__":
    sys.exit(_main())
