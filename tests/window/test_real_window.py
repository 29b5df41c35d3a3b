"""The app in a real X11 window (Qt's xcb plugin on Xvfb), driven with keys like a clerk.

What the offscreen suite cannot see: the window failing to start (issue 12: a missing xcb
library), shortcuts and default buttons as the real window handles them (Enter after Back in
the import wizard), and what the screen really shows. One pass at the default 1280×800, one at
a 1024×680 laptop panel; ``tests/window/drive.py`` does the driving and says each step.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.window.xvfb import Xvfb

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["dashboard", "payers", "rosters", "remittances", "reconciliation", "members", "reports"]

#: every step the drive must report, in order (``ok <step>``)
STEPS = [
    "platform xcb {size}",
    "window shown",
    *(f"page {key} (Ctrl+{n})" for n, key in enumerate(PAGES, start=1)),
    "wizard opened",
    "wizard file typed",
    "wizard asks the payer",  # the file's name says SUN: asked, never switched silently
    "wizard Enter: preview",
    "wizard Back: choose",
    "wizard Back, Enter: preview again",  # Enter goes forward, it does not close the wizard
    "wizard Enter: check",
    "wizard Escape: closed",
    "no message box",
    "window closed (Ctrl+Q)",
]


def distinct_colours(image: QImage, step: int = 8) -> int:
    """How many colours a grid of every ``step``-th pixel holds (1: one flat colour)."""
    return len(
        {
            image.pixel(x, y)
            for y in range(0, image.height(), step)
            for x in range(0, image.width(), step)
        }
    )


def drive(env: dict[str, str], tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run the driver on ``env``'s display; what it printed, and its screenshot folder."""
    shots = tmp_path / "shots"
    done = subprocess.run(
        [sys.executable, "-m", "tests.window.drive", "--db", str(tmp_path / "pmpm.sqlite3"),
         "--out", str(shots)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return done, shots


@pytest.mark.parametrize(
    ("width", "height"), [(1280, 800), (1024, 680)], ids=["1280x800", "1024x680"]
)
def test_every_page_and_the_import_wizard_in_a_real_window(
    width: int,
    height: int,
    screen: Callable[[int, int], AbstractContextManager[Xvfb]],
    fresh_home: dict[str, str],
    tmp_path: Path,
) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "PMPM_"))}
    with screen(width, height) as display:
        done, shots = drive({**base, **fresh_home, **display.env()}, tmp_path)
    said = done.stdout.splitlines()
    report = f"{done.stdout}\n{done.stderr}"
    assert done.returncode == 0, report
    steps = [line.removeprefix("ok ") for line in said if line.startswith("ok ")]
    assert steps[1:] == [s.format(size=f"{width}x{height}") for s in STEPS], report

    names = [line.removeprefix("screenshot ") for line in said if line.startswith("screenshot ")]
    assert [n.split("-", 1)[1] for n in names] == [
        *(f"{key}.png" for key in PAGES),
        "wizard-payer-question.png",
        "wizard-choose.png",
        "wizard-preview.png",
        "wizard-check.png",
    ]
    for name in names:
        image = QImage(str(shots / name))
        assert (image.width(), image.height()) == (width, height), name
        assert distinct_colours(image) > 20, f"{name} is (nearly) one flat colour"
