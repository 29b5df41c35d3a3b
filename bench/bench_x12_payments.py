"""What reading X12 payment files costs (issue 10): an 820 premium payment of MEMBERS members
(each an ENT/NM1 loop with a month's RMR, REF and DTM*582; every tenth with a retro line and an
ADX adjustment) and an 835 paying capitation in PLB segments. Prints the seconds (wall and CPU)
of ``read_x12`` on each, from the file on disk to the MachineFile with every problem placed.

    .venv/bin/python bench/bench_x12_payments.py [MEMBERS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pmpm_desktop.io.options import ReadOptions
from pmpm_desktop.io.x12.read import read_x12


def envelope(code: str, guide: str, body: list[str]) -> str:
    isa = (
        "ISA*00*          *00*          *ZZ*ACMEHEALTH     *ZZ*SUNPRACTICE    *260401*0930*^*"
        "00501*000000001*0*P*:~"
    )
    group = "RA" if code == "820" else "HP"
    return "\n".join(
        [
            isa,
            f"GS*{group}*ACMEHEALTH*SUNPRACTICE*20260401*0930*1*X*{guide}~",
            f"ST*{code}*0001*{guide}~",
            *body,
            f"SE*{len(body) + 2}*0001~",
            "GE*1*1~",
            "IEA*1*000000001~",
        ]
    )


def premium_payment(members: int) -> str:
    body = [
        "BPR*I*0*C*ACH*CCP*01*011000015*DA*123456789*1512345678**01*021000021*DA*987654321*20260315~",
        "TRN*1*EFT0315*1512345678~",
        "N1*PE*SUN VALLEY PRIMARY CARE*FI*123456789~",
        "N1*PR*ACME HEALTH PLAN*FI*987654321~",
    ]
    for n in range(members):
        body += [
            f"ENT*{n + 1}*2J*EI*E{n:09d}~",
            f"NM1*IL*1*LAST{n % 997}*FIRST****N*M{n:09d}~",
            f"RMR*IK*INV{n}**{250 + n % 50}.00~",
            "REF*ZZ*CAPITATION~",
            "DTM*582****RD8*20260301-20260331~",
        ]
        if n % 10 == 0:
            body += [
                f"RMR*IK*INV{n}R**{250 + n % 50}.00~",
                "REF*ZZ*CAPITATION~",
                "DTM*582****RD8*20260201-20260228~",
                "ADX*-25.00*52~",
            ]
    return envelope("820", "005010X218", body)


def remittance_advice(adjustments: int) -> str:
    body = [
        "BPR*I*0*C*ACH*CCP*01*011000015*DA*123456789*1512345678**01*021000021*DA*987654321*20260315~",
        "TRN*1*EFT0315*1512345678~",
        "N1*PR*ACME HEALTH PLAN~",
        "N1*PE*SUN VALLEY PRIMARY CARE*XX*1234567890~",
    ]
    for n in range(adjustments // 2):
        body.append(f"PLB*1234567890*20261231*CT:CAP20260{n % 9 + 1}*-{n % 500}.00*E3:WH*5.00~")
    return envelope("835", "005010X221A1", body)


def timed(path: Path) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    found = read_x12(path, options=ReadOptions())
    rows = found.parsed.frame.height + (
        found.payer_payments.height if found.payer_payments is not None else 0
    )
    return time.perf_counter() - wall, time.process_time() - cpu, rows


def main() -> None:
    members = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        for name, text in (
            ("820", premium_payment(members)),
            ("835", remittance_advice(members)),
        ):
            path = Path(folder) / f"bench.{name}"
            path.write_text(text)
            size = path.stat().st_size / 1e6
            best = min(timed(path) for _ in range(3))
            print(
                f"X12 {name}: {size:.1f} MB, {best[2]:,} lines read in {best[0]:.2f} s "
                f"({best[1]:.2f} s CPU), best of 3"
            )


if __name__ == "__main__":
    main()
