"""Benchmark: reading a 100k-record CMS MMR and a 100k-line fixed-width statement (parsing and
validation only, nothing stored); prints one figure a line.

    .venv/bin/python bench/bench_fixed.py [--records 100000]

The MMR holds one payment record per member and, for every tenth member, a retro
disenrollment over three months (spread into three lines), so it yields the payment detail
and the roster of the month: both are timed together, as ``read_mmr`` returns both.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pmpm_desktop.io.fixed_width import FixedLayout, read_fixed_width
from pmpm_desktop.io.mmr import read_mmr
from pmpm_desktop.io.options import ReadOptions
from tests.unit.mmr_files import (
    STATEMENT_LAYOUT,
    Record,
    record_line,
    statement_line,
)


def _mmr(path: Path, records: int) -> Path:
    lines = []
    for i in range(records):
        mbi = f"{i % 9 + 1}AB{i:08d}"
        if i % 10 == 0:
            record = Record(mbi, "SURNAME", "20260101", "20260331", "-1800.01", arc="03", months=3)
        else:
            amount = f"{800 + i % 500}.{i % 100:02d}"
            raf = f"{0.5 + (i % 1000) / 1000:.4f}"
            record = Record(mbi, "SURNAME", "20260401", "20260430", amount, raf=raf)
        lines.append(record_line(record))
    path.write_text("\n".join(lines) + "\n")
    return path


def _statement(path: Path, lines: int) -> Path:
    body = [
        statement_line(f"{i:09d}", "202601", f"{100 + i % 900}.{i % 100:02d}") for i in range(lines)
    ]
    path.write_text("\n".join(body) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    options = ReadOptions()
    with tempfile.TemporaryDirectory() as folder:
        mmr = _mmr(Path(folder) / "mmr.txt", args.records)
        start = time.perf_counter()
        read = read_mmr(mmr, options=options)
        took = time.perf_counter() - start
        assert read.roster is not None
        print(
            f"MMR read ({args.records:,} records → {read.parsed.frame.height:,} lines, "
            f"{read.roster.frame.height:,} roster rows): {took:.2f} s"
        )
        statement = _statement(Path(folder) / "remit.txt", args.records)
        layout = FixedLayout.from_json(STATEMENT_LAYOUT)
        start = time.perf_counter()
        fixed = read_fixed_width(statement, layout, options=options)
        took = time.perf_counter() - start
        print(f"fixed-width statement read ({fixed.parsed.frame.height:,} lines): {took:.2f} s")


if __name__ == "__main__":
    main()
