"""Screenshots of every page of PMPM Desktop on the demo practice (``scripts/screenshots``).

Builds the demo practice into a temporary database, opens the main window offscreen at
1280×800, visits every page and saves ``docs/screenshots/<page-key>.png``. The Reconciliation
page shows its first underpaid discrepancy selected (so the detail pane explains it), the
Members page shows that same member. Nothing of the user's (database, settings) is touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1280, 800


def _settle(app: Any, ctx: Any, *, timeout: float = 60.0, quiet_ms: int = 250) -> None:
    """Let background tasks finish and report back, then let the window repaint."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ctx.tasks.wait(200)
        app.processEvents()
        if not ctx.tasks.busy:
            loop = QEventLoop()
            QTimer.singleShot(quiet_ms, loop.quit)
            loop.exec()  # timers of the pages (debounced searches) fire in here
            app.processEvents()
            if not ctx.tasks.busy:
                return
    print(f"screenshots: background work still running after {timeout:.0f} s", file=sys.stderr)


def _select_first_row(view: Any) -> Any | None:
    """Select row 0 of a table view like a click would; the row object (if the model has one)."""
    model = view.model()
    if model is None or model.rowCount() == 0:
        return None
    view.setFocus()
    view.selectRow(0)
    row = getattr(model, "row", None)
    return row(0) if callable(row) else None


def _prepare(key: str, page: Any, window: Any, app: Any, ctx: Any, chosen: dict[str, Any]) -> None:
    """Page-specific setup; every page API is checked first (pages evolve independently)."""
    if key == "reconciliation":
        if hasattr(page, "apply_filters"):
            page.apply_filters({"kind": "underpaid"})
            _settle(app, ctx)
        if hasattr(page, "grid"):
            row = _select_first_row(page.grid)
            if row is not None:
                chosen["member"] = (
                    getattr(row, "payer_code", None),
                    getattr(row, "member_id", None),
                )
    elif key == "members":
        payer, member = chosen.get("member", (None, None))
        if payer and member and hasattr(page, "select_member"):
            page.select_member(payer, member)
        elif hasattr(page, "results_view"):
            _select_first_row(page.results_view)


def take(out: Path, members: int = 300) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from pmpm_desktop.app import _build
    from pmpm_desktop.db.database import open_database
    from pmpm_desktop.services.demo import build_demo

    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="pmpm-shots-") as tmp:
        # the app's log goes to the user's data folder: keep this run's out of it (Linux)
        os.environ["XDG_DATA_HOME"] = str(Path(tmp) / "data")
        db_file = Path(tmp) / "demo.sqlite3"
        database = open_database(db_file)
        try:
            build_demo(database, members=members)
        finally:
            database.dispose()
        app, ctx, window = _build(str(db_file), settings_file=Path(tmp) / "settings.ini")
        window.resize(WIDTH, HEIGHT)
        window.show()
        _settle(app, ctx)
        chosen: dict[str, Any] = {}
        for key in list(window.pages):
            page = window.go_to(key)
            _settle(app, ctx)
            _prepare(key, page, window, app, ctx, chosen)
            _settle(app, ctx)
            path = out / f"{key}.png"
            if not window.grab().save(str(path)):
                raise RuntimeError(f"could not write {path}")
            saved.append(path)
        window.close()
        ctx.tasks.wait(30_000)
        ctx.db.dispose()
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--members", type=int, default=300, help="demo practice size")
    args = parser.parse_args()
    for path in take(args.out.resolve(), args.members):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
