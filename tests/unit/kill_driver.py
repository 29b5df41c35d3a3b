"""Run a service in this process and kill it (SIGKILL, no cleanup of any kind) at the first
call of its progress callback that reports ``done >= N``:
``python -m tests.unit.kill_driver demo DB N`` or
``python -m tests.unit.kill_driver report DB OUT N``. The kill tests run it in a subprocess."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from pmpm_desktop.db.database import open_database


def _killer(at: int):  # type: ignore[no-untyped-def]
    def progress(done: int, total: int) -> bool:
        if done >= at:
            os.kill(os.getpid(), signal.SIGKILL)
        return True

    return progress


def main(argv: list[str]) -> int:
    what, target = argv[0], argv[1]
    db = open_database(target)
    if what == "demo":
        from pmpm_desktop.services.demo import build_demo

        build_demo(db, members=30, progress=_killer(int(argv[2])))
    else:
        from pmpm_desktop.services.demo import FIRST, LAST
        from pmpm_desktop.services.reporting import build_report

        build_report(
            db, Path(argv[2]), None, FIRST, LAST, progress=_killer(int(argv[3])),
            packet_dir=Path(argv[2]).parent / "packets",
        )  # fmt: skip
    return 0  # not reached when the kill comes


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
