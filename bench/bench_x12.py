"""Benchmark: reading a 100k-member X12 834; prints one figure a line.

    .venv/bin/python bench/bench_x12.py [--members 100000] [--repeat 3]

Figures (the best of ``--repeat`` runs, as the machine's other work only adds to them): the
split into segments, the envelope check, the whole ``read_x12`` (split, envelope, INS loops,
roster table and ``read_roster`` with every check), and beside it ``read_roster`` of the same
roster written as a CSV file, the spreadsheet path the 834 is measured against. The 834 is
``tests/unit/x12_files.x12_834``: REF*0F, NM1*IL, N3, N4, DMG, one HD (HD04 the product) with
DTP*348, REF*17 and a PCP loop per member, about 11 segments a member.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import open_database
from pmpm_desktop.io.options import ReadOptions
from pmpm_desktop.io.roster_file import read_roster
from pmpm_desktop.io.x12.envelope import check_envelope
from pmpm_desktop.io.x12.read import read_x12
from pmpm_desktop.io.x12.segments import collection_paused, split_segments
from pmpm_desktop.services import importing, payers
from tests.unit.x12_files import x12_834

MONTH = Month(2026, 4)
OPTIONS = ReadOptions(products=("MCD", "CHIP"))


def figure(name: str, seconds: float) -> None:
    print(f"{name}: {seconds:.3f} s")


def best(repeat: int, run: object) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pmpm-bench-x12-"))
    data = x12_834(args.members)
    path = work / "members.834"
    path.write_bytes(data)
    print(f"834 size: {len(data) / 1e6:.1f} MB, {data.count(b'~'):,} segments")

    def split() -> None:
        with collection_paused():
            split_segments(data)

    segments = split_segments(data)
    figure("split into segments", best(args.repeat, split))
    figure("envelope check", best(args.repeat, lambda: check_envelope(segments)))
    machine = read_x12(path, options=OPTIONS, roster_month=MONTH)
    assert not machine.problems and machine.parsed.frame.height == args.members
    figure(
        f"read_x12 834, {args.members:,} members (parse + read_roster)",
        best(args.repeat, lambda: read_x12(path, options=OPTIONS, roster_month=MONTH)),
    )
    csv = work / "members.csv"
    machine.parsed.frame.drop("source_row", "risk_score").rename(
        {
            "member_id": "Member ID",
            "last_name": "Last Name",
            "first_name": "First Name",
            "dob": "DOB",
            "sex": "Sex",
            "product": "Product",
            "rate_cell": "Rate Cell",
            "pcp": "PCP NPI",
            "effective_date": "Eff Date",
            "term_date": "Term Date",
        }
    ).write_csv(csv)
    figure(
        "read_roster of the same roster as CSV",
        best(args.repeat, lambda: read_roster(csv, roster_month=MONTH, options=OPTIONS)),
    )

    def plain_paused() -> None:
        with collection_paused():
            plain(data)

    figure("baseline: a plain splitter grouping INS loops", best(args.repeat, plain_paused))
    imports = []
    for k in range(args.repeat):
        db = open_database(work / f"import-{k}.sqlite3")
        payers.add_payer(db, "SUN", "Sunrise Health", 9)
        payers.add_contract(
            db, "SUN", payers.ContractSpec("Medicaid HMO", Month(2026, 1), products=("MCD", "CHIP"))
        )
        start = time.perf_counter()
        importing.import_roster(db, "SUN", MONTH, path)
        imports.append(time.perf_counter() - start)
        db.dispose()
    figure(
        f"834 import, {args.members:,} members (read, validate, store; target 2 s)", min(imports)
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")
    return 0


def plain(data: bytes) -> list[list[list[str]]]:
    """The least an 834 reader does: split on the terminator and the separator and group the
    segments by INS loop (no envelope check, no dates, nothing stored): the floor to beat."""
    members: list[list[list[str]]] = []
    for text in data.decode("latin-1").replace("\n", "").split("~"):
        items = text.split("*")
        if items[0] == "INS":
            members.append([items])
        elif members:
            members[-1].append(items)
    return members


if __name__ == "__main__":
    raise SystemExit(main())
