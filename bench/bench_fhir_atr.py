"""Benchmark: a Da Vinci ATR bulk export of N members (Group.ndjson beside Patient, Coverage
and Practitioner NDJSON, Patients with US Core addresses, telecom and race extensions) read as
a roster; prints the file sizes, the read time (best of three, wall and CPU), the part spent
parsing JSON, and peak memory.

    PYTHONPATH=. .venv/bin/python bench/bench_fhir_atr.py [members, default 100000]
"""

from __future__ import annotations

import hashlib
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.collector import collection_paused
from pmpm_desktop.io.fhir_atr import read_atr
from pmpm_desktop.io.fhir_resources import file_values
from pmpm_desktop.io.options import ReadOptions
from tests.unit.atr_files import export

_US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"


def _dress(patient: dict[str, object], i: int) -> None:
    """What a real export's Patient carries beside the fields a roster reads."""
    patient["text"] = {"status": "generated", "div": f"<div>Patient {i}</div>"}
    patient["extension"] = [
        {
            "url": _US_CORE + "us-core-race",
            "extension": [
                {
                    "url": "ombCategory",
                    "valueCoding": {"system": "urn:oid:2.16.840.1.113883.6.238", "code": "2106-3"},
                },
                {"url": "text", "valueString": "White"},
            ],
        }
    ]
    patient["telecom"] = [{"system": "phone", "value": f"555-01{i % 100:02d}", "use": "home"}]
    patient["address"] = [
        {"line": [f"{i} Main St"], "city": "Tulsa", "state": "OK", "postalCode": "74126"}
    ]


def measure(folder: Path) -> None:
    """Read the export in ``folder`` (in a process of its own, so that peak memory is the
    read's and not the writer's)."""
    path = folder / "Group.ndjson"
    with collection_paused():
        start = time.perf_counter()
        for p in sorted(folder.iterdir()):
            sum(1 for _ in file_values(p, hashlib.sha256()))
        json_only = time.perf_counter() - start
    best_wall = best_cpu = float("inf")
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        found = read_atr(path, options=ReadOptions(), roster_month=Month(2026, 1))
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    assert found.parsed.ok, found.problems[:3]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"read_atr (JSON, join, validate) of {found.parsed.frame.height:,} members: "
        f"{best_wall:.2f} s wall, {best_cpu:.2f} s CPU; of which parsing the JSON alone "
        f"{json_only:.2f} s; peak memory {peak:.0f} MB"
    )


def main() -> None:
    if sys.argv[1:2] == ["--read"]:
        measure(Path(sys.argv[2]))
        return
    members = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        exp = export(members)
        for i, patient in enumerate(exp.patients):
            _dress(patient, i)
        exp.write_folder(Path(folder))
        sizes = ", ".join(
            f"{p.name} {p.stat().st_size / 1e6:.0f} MB" for p in sorted(Path(folder).iterdir())
        )
        print(f"{members:,} members: {sizes}")
        subprocess.run([sys.executable, __file__, "--read", folder], check=True)


if __name__ == "__main__":
    main()
