"""Screenshots of every page of PMPM Desktop on the demo practice (``scripts/screenshots``).

Builds the demo practice into a temporary database, opens the main window at 1280×800 (or
``--size``), visits every page and saves ``<page-key>.png``. Offscreen by default (the window's
own pixels); ``--real`` starts an Xvfb screen of that size with a window manager and shows the
real X11 window maximised on it, saving the whole screen as a clerk sees it. The
Reconciliation page shows its first underpaid discrepancy selected (so the detail pane
explains it), the Members page shows that same member. Nothing of the user's (database,
settings) is touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the Xvfb and real-screen helpers live in tests/window

from tests.window.xvfb import Xvfb, XvfbError, xvfb_missing  # noqa: E402

DEFAULT_SIZE = (1280, 800)


def _select_first_row(view: Any) -> Any | None:
    """Select row 0 of a table view like a click would; the row object (if the model has one)."""
    model = view.model()
    if model is None or model.rowCount() == 0:
        return None
    view.setFocus()
    view.selectRow(0)
    row = getattr(model, "row", None)
    return row(0) if callable(row) else None


def _prepare(key: str, page: Any, ctx: Any, chosen: dict[str, Any]) -> None:
    """Page-specific setup; every page API is checked first (pages evolve independently)."""
    from tests.window.screen import settle

    if key == "reconciliation":
        if hasattr(page, "apply_filters"):
            page.apply_filters({"kind": "underpaid"})
            settle(ctx)
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


def take(out: Path, members: int = 300, size: tuple[int, int] = DEFAULT_SIZE) -> list[Path]:
    """Every page as ``out/<key>.png``; on the real screen when ``QT_QPA_PLATFORM`` is xcb."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from pmpm_desktop.app import _build
    from pmpm_desktop.db.database import open_database
    from pmpm_desktop.services.demo import build_demo
    from tests.window.screen import grab_screen, settle, show_maximised

    real = os.environ["QT_QPA_PLATFORM"] == "xcb"
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
        if real:
            if not show_maximised(window):
                raise RuntimeError("the window did not appear on the X screen")
        else:
            window.resize(*size)
            window.show()
        settle(ctx)
        chosen: dict[str, Any] = {}
        for key in list(window.pages):
            page = window.go_to(key)
            settle(ctx)
            _prepare(key, page, ctx, chosen)
            settle(ctx)
            path = out / f"{key}.png"
            if real:
                grab_screen(path)
            elif not window.grab().save(str(path)):
                raise OSError(f"could not write {path}")
            saved.append(path)
        window.close()
        ctx.tasks.wait(30_000)
        ctx.db.dispose()
    return saved


def take_real(out: Path, members: int, size: tuple[int, int]) -> list[Path]:
    """``take`` on the real X11 window, on an Xvfb screen of ``size`` started for it."""
    missing = xvfb_missing()
    if missing is not None:
        raise XvfbError(missing)
    with Xvfb(*size) as screen:
        os.environ.update(screen.env())  # before Qt starts: it picks its display plugin then
        from pmpm_desktop.app import display_problem

        problem = display_problem()
        if problem is not None:
            raise XvfbError(problem)
        return take(out, members, size)


def _size(text: str) -> tuple[int, int]:
    width, sep, height = text.lower().partition("x")
    if not (sep and width.isdigit() and height.isdigit()):
        raise argparse.ArgumentTypeError(f"“{text}” is not a size such as 1024x680")
    return int(width), int(height)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        help="folder for the PNGs (default: docs/screenshots at 1280x800, else "
        "bench/out/screenshots/WIDTHxHEIGHT)",
    )
    parser.add_argument("--members", type=int, default=300, help="demo practice size")
    parser.add_argument(
        "--real",
        action="store_true",
        help="the real X11 window on an Xvfb screen it starts (needs Xvfb; openbox if present)",
    )
    parser.add_argument(
        "--size", type=_size, default=DEFAULT_SIZE, help="window (or screen) size, e.g. 1024x680"
    )
    args = parser.parse_args()
    out = args.out
    if out is None:
        width, height = args.size
        out = ROOT / "docs" / "screenshots"
        if args.size != DEFAULT_SIZE:
            out = ROOT / "bench" / "out" / "screenshots" / f"{width}x{height}"
    try:
        if args.real:
            saved = take_real(out.resolve(), args.members, args.size)
        else:
            saved = take(out.resolve(), args.members, args.size)
    except XvfbError as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 1
    for path in saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
