"""Benchmark: bad files through ``pmpm roster import``, each in its own process; prints the
time, the peak memory (RSS) and the first line of the message, one file a line.

    .venv/bin/python bench/bench_bad_files.py [--rows 1000000] [--only NAME]

Files (tests/unit/bad_files.py): a 3 GiB whitespace bomb declared honestly and one lying
about its size, a 600 MiB sharedStrings.xml, billion laughs, XXE, a million junk rows (two bad
cells each: 2,000,000 problems), a million junk rows with --errors-out .xlsx, 10,000 columns,
and an honest 100k-row workbook for the cost of the zip guard (its full import). The promise:
any refused file peaks below 500 MB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.unit import bad_files  # noqa: E402

_RUN = "import sys; from pmpm_desktop.cli import main; sys.exit(main(sys.argv[1:]))"


def _pmpm(db: Path, *args: str | Path) -> tuple[int, str, float, float]:
    """Exit code, stderr, seconds and peak RSS (MB) of one ``pmpm`` run in a new process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(
            [sys.executable, "-c", _RUN, "--db", str(db), *map(str, args)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=err,
            text=True,
        )
        # wait4: this child's own peak, not the largest of all children so far
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read()
    return child.returncode, text, time.perf_counter() - start, usage.ru_maxrss / 1024


def _honest(path: Path, rows: int) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Roster")
    ws.write_row(0, 0, list(bad_files.ROSTER_HEADERS))
    for r in range(1, rows + 1):
        ws.write_row(r, 0, [f"{r:09d}", f"NAME{r % 997}", "ANN", "2001-03-04", "F", "MCD"])
    wb.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--only", default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pmpm-bad-"))
    db = work / "bench.sqlite3"
    _pmpm(db, "payer", "add", "--code", "SUN", "--name", "Sunrise")
    _pmpm(db, "contract", "add", "--payer", "SUN", "--name", "M", "--from", "2026-01",
          "--products", "MCD")  # fmt: skip
    cases: list[tuple[str, Callable[[Path], Path], tuple[str, ...]]] = [
        ("billion laughs", lambda p: bad_files.billion_laughs(p), ()),
        ("XXE", lambda p: bad_files.xxe(p), ()),
        ("bomb 3 GiB", lambda p: bad_files.bomb(p), ()),
        ("bomb, lying size", lambda p: bad_files.bomb(p, lying=True), ()),
        ("sharedStrings 600 MiB", lambda p: bad_files.shared_strings_bomb(p), ()),
        ("10,000 columns", lambda p: bad_files.wide(p, "roster"), ()),
        ("honest 100k rows", lambda p: _honest(p, 100_000), ()),
        (f"{args.rows:,} junk rows", lambda p: bad_files.junk_rows(p, "roster", args.rows), ()),
        (
            f"{args.rows:,} junk rows --errors-out .xlsx",
            lambda p: bad_files.junk_rows(p, "roster", args.rows),
            ("--errors-out", str(work / "problems.xlsx")),
        ),
    ]
    print(f"{'file':<40} {'exit':>4} {'seconds':>8} {'peak MB':>8}  message")
    for n, (name, build, extra) in enumerate(cases):
        if args.only and args.only.lower() not in name.lower():
            continue
        suffix = ".csv" if "junk" in name or "columns" in name else ".xlsx"
        path = build(work / f"case{n}{suffix}")
        code, err, seconds, peak = _pmpm(
            db, "roster", "import", "--payer", "SUN", "--month", "2026-01", path, *extra
        )
        first = err.strip().splitlines()[0][:110] if err.strip() else "(imported)"
        print(f"{name:<40} {code:>4} {seconds:>8.2f} {peak:>8.0f}  {first}")
        if "errors-out" in name:
            lines = len(err.splitlines())
            print(f"{'':<40} stderr: {len(err):,} characters on {lines} lines")


if __name__ == "__main__":
    main()
