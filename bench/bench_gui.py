"""Benchmark of the desktop grids on big tables; prints one figure a line.

    .venv/bin/python bench/bench_gui.py [--discrepancies 1000000]

Builds a database holding N stored discrepancies (100k members × N/100k months, each with a
name), then times what a clerk waits for: the Reconciliation page's grid opening (count +
first page, shown in a view), a sort by variance, a search by name, scrolling ten pages, and
the Members page's search over the 100k members. Runs offscreen.

Then the same grid with a task runner (as the app runs it): the reads happen on the worker,
and what matters is how long the UI thread is blocked. "UI blocked" is the longest single
stretch spent inside UI-thread calls (the call itself, then each ``processEvents`` until the
rows are in: the swap, the view's layout); "UI total" adds those stretches up; "rows in" is
the wall time until the new rows are shown (the worker's read, the UI stays responsive).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import polars as pl
from PySide6.QtWidgets import QApplication, QTableView

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.month import Month
from pmpm_desktop.db.bulk import insert_frame
from pmpm_desktop.db.database import Database, open_database
from pmpm_desktop.db.models import Discrepancy, Member
from pmpm_desktop.services import payers
from pmpm_desktop.services.discrepancy_query import DiscrepancyQuery, DiscrepancySource
from pmpm_desktop.services.member_ledger import search_members
from pmpm_desktop.ui.reconciliation_tables import grid_columns
from pmpm_desktop.ui.table_model import PagedRowsModel
from pmpm_desktop.ui.worker import TaskRunner

KINDS = ("missing", "underpaid", "overpaid", "duplicate", "not_eligible", "no_rate")
LAST_NAMES = ("Smith", "Garcia", "Nguyen", "Johnson", "Brown", "Lopez", "Martin", "Young")
FIRST_NAMES = ("Ava", "Liam", "Mia", "Noah", "Emma", "Leo", "Zoe", "Omar")


def figure(name: str, seconds: float) -> None:
    print(f"{name}: {seconds:.3f} s", flush=True)


def ui_figure(name: str, longest: float, total: float, wall: float) -> None:
    print(
        f"{name}: UI blocked {longest:.3f} s (UI total {total:.3f} s), rows in {wall:.3f} s",
        flush=True,
    )


def async_step(
    app: QApplication, model: PagedRowsModel, act: Callable[[], None]
) -> tuple[float, float, float]:
    """Run ``act`` on the UI thread, then the event loop until the model's rows are in.

    Returns (longest UI-thread stretch, sum of them, wall time until the rows were in)."""
    start = time.perf_counter()
    act()
    longest = total = time.perf_counter() - start
    while model.loading:
        t = time.perf_counter()
        app.processEvents()
        spent = time.perf_counter() - t
        longest, total = max(longest, spent), total + spent
        time.sleep(0.0005)  # idle, as a waiting event loop is: the worker gets the GIL
    return longest, total, time.perf_counter() - start


def wait_idle(app: QApplication, tasks: TaskRunner) -> float:
    """Let the worker finish (the ordered-ids prefetch); the wall time it took."""
    start = time.perf_counter()
    while tasks.busy:
        app.processEvents()
        time.sleep(0.001)
    return time.perf_counter() - start


def timed(act: Callable[[], None]) -> float:
    start = time.perf_counter()
    act()
    return time.perf_counter() - start


def scroll(model: PagedRowsModel, pages: int) -> Callable[[], None]:
    def act() -> None:
        for _ in range(pages):
            model.fetchMore()

    return act


def build(db: Database, n: int) -> None:
    payers.add_payer(db, "SUN", "Sunrise Health Plan", 9)
    members = 100_000
    months = max(1, n // members)
    rnd = random.Random(11)
    with db.sessions() as s:
        payer_id = s.query(payers.Payer).one().id  # type: ignore[attr-defined]
    ids = [f"{i:09d}" for i in rnd.sample(range(1, 999_999_999), members)]
    member_frame = pl.DataFrame(
        {
            "id": list(range(1, members + 1)),
            "payer_id": [payer_id] * members,
            "member_id": ids,
            "last_name": [rnd.choice(LAST_NAMES) for _ in ids],
            "first_name": [rnd.choice(FIRST_NAMES) for _ in ids],
            "dob": [None] * members,
            "sex": [rnd.choice("MF") for _ in ids],
        }
    )
    stamp = now()
    rows = members * months
    expected = [rnd.randint(5_000, 90_000) for _ in range(rows)]
    paid = [e - rnd.choice((450, 0, 9_760, -500)) for e in expected]
    frame = pl.DataFrame(
        {
            "id": list(range(1, rows + 1)),
            "payer_id": [payer_id] * rows,
            "member_id": ids * months,
            "month": [Month(2025, 1).index + i // members for i in range(rows)],
            "kind": [KINDS[i % len(KINDS)] for i in range(rows)],
            "expected": expected,
            "paid": paid,
            "variance": [p - e for p, e in zip(paid, expected, strict=True)],
            "status": ["open"] * rows,
            "auto_resolved": [False] * rows,
            "created_at": [stamp] * rows,
            "updated_at": [stamp] * rows,
        }
    )
    with db.engine.begin() as conn:
        insert_frame(conn, Member.__table__, member_frame)  # type: ignore[arg-type]
        insert_frame(
            conn,
            Discrepancy.__table__,  # type: ignore[arg-type]
            frame,
            {"expected": "cents", "paid": "cents", "variance": "cents", "month": "month"},
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--discrepancies", type=int, default=1_000_000)
    args = parser.parse_args()
    running = QApplication.instance()
    app = running if isinstance(running, QApplication) else QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="pmpm-bench-gui-") as tmp:
        db = open_database(Path(tmp) / "bench.sqlite3")
        t = time.perf_counter()
        build(db, args.discrepancies)
        figure(f"build {args.discrepancies:,} stored discrepancies", time.perf_counter() - t)

        source = DiscrepancySource(db, DiscrepancyQuery())
        model = PagedRowsModel(grid_columns(), source)
        view = QTableView()
        view.resize(1100, 700)
        view.setModel(model)
        view.show()
        t = time.perf_counter()
        model.reload()
        app.processEvents()
        figure(
            f"grid opens on {model.total:,} discrepancies (count + first page)",
            time.perf_counter() - t,
        )

        t = time.perf_counter()
        for _ in range(10):
            model.fetchMore()
        app.processEvents()
        figure("scroll 10 more pages (5,000 rows), default order", time.perf_counter() - t)

        t = time.perf_counter()
        model.sort(7)  # variance
        app.processEvents()
        figure("sort by variance (first page)", time.perf_counter() - t)

        t = time.perf_counter()
        for _ in range(10):
            model.fetchMore()
        app.processEvents()
        figure("scroll 10 more pages (5,000 rows), by variance", time.perf_counter() - t)

        t = time.perf_counter()
        source.query = DiscrepancyQuery(text="garcia ava")
        model.reload()
        app.processEvents()
        figure(f"search by name ({model.total:,} match)", time.perf_counter() - t)
        view.setModel(None)

        print("-- with a task runner (the app's way): reads on the worker --", flush=True)
        tasks = TaskRunner()
        source = DiscrepancySource(db, DiscrepancyQuery())
        model = PagedRowsModel(grid_columns(), source, tasks=tasks)
        view.setModel(model)
        ui_figure("grid opens", *async_step(app, model, model.reload))
        figure("  prefetch of the ordered ids on the worker", wait_idle(app, tasks))
        figure("first scroll past page one (UI thread)", timed(model.fetchMore))
        figure("scroll 9 more pages (UI thread)", timed(scroll(model, 9)))
        ui_figure("sort by variance", *async_step(app, model, lambda: model.sort(7)))
        figure("  prefetch of the ordered ids on the worker", wait_idle(app, tasks))
        figure("first scroll past page one, by variance (UI thread)", timed(model.fetchMore))
        figure("scroll 9 more pages, by variance (UI thread)", timed(scroll(model, 9)))

        def search() -> None:
            source.query = DiscrepancyQuery(text="garcia ava")
            model.reload()

        ui_figure("search by name", *async_step(app, model, search))
        figure(f"  ({model.total:,} match) prefetch on the worker", wait_idle(app, tasks))
        figure("first scroll past page one, search (UI thread)", timed(model.fetchMore))

        # Scrolling before the prefetch finished falls back to reading the ids on the UI thread.
        source.query = DiscrepancyQuery()
        ui_figure("sort by paid", *async_step(app, model, lambda: model.sort(6)))
        figure(
            "first scroll past page one before the prefetch finished (UI thread, fallback)",
            timed(model.fetchMore),
        )
        wait_idle(app, tasks)
        view.setModel(None)

        members = search_members(db, "Nguyen")
        t = time.perf_counter()
        total = members.count()
        members.fetch(0, 500, None, False)
        figure(f"members search over 100,000 ({total:,} match)", time.perf_counter() - t)
        view.close()
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
