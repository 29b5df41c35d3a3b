"""Machine-format files broken at random (cut, bytes flipped, bytes inserted): each reader
either reads the file or refuses it with a FileReadError, never another exception (issue 10:
"a broken file names the segment and stores nothing")."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.file_format import read_machine, sniff
from pmpm_desktop.io.machine_file import Format
from pmpm_desktop.io.options import ReadOptions
from pmpm_desktop.io.read_errors import FileReadError
from tests.unit.mmr_files import record_line, sample_records
from tests.unit.x12_files import Coverage834, Member834, enrollment, interchange
from tests.unit.x12_pay_files import (
    Advice,
    PremiumLine,
    PremiumMember,
    premium_payment,
    remittance_advice,
)

_834 = enrollment(
    [
        Member834("100000001", coverages=(Coverage834(refs={"17": "TANF"}, pcp="1234567893"),)),
        Member834("100000002", subscriber=False, dob="20100101"),
    ]
)
_820 = interchange(
    [
        premium_payment(
            [PremiumMember("M1", "DOE", "JANE", [PremiumLine("100.00", "20260301-20260331")])],
            total="100.00",
        )
    ],
    code="820",
)
_835 = interchange(
    [
        remittance_advice(
            Advice(total="285.00", plbs=[[("CT:CAP202603", "-300.00"), ("E3:WH", "15.00")]])
        )
    ],
    code="835",
)
_MMR = ("\n".join(record_line(r) for r in sample_records()) + "\n").encode("ascii")
_FILES = {"834": _834, "820": _820, "835": _835, "mmr": _MMR}


@st.composite
def _broken(draw: st.DrawFn) -> bytes:
    data = bytearray(_FILES[draw(st.sampled_from(sorted(_FILES)))])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        how = draw(st.sampled_from(("cut", "flip", "insert", "delete")))
        if how == "cut":
            del data[at:]
        elif how == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif data:
            del data[at : at + draw(st.integers(1, 40))]
    return bytes(data)


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=_broken())
def test_a_broken_file_is_read_or_refused_in_a_sentence(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "payer.edi"
    path.write_bytes(data)
    fmt = sniff(path)
    if fmt is Format.SPREADSHEET:
        return  # no longer looks like any machine format: the table reader's to refuse
    try:
        found = read_machine(path, fmt, options=ReadOptions(), roster_month=Month(2026, 3))
    except FileReadError as exc:
        message = str(exc)
        assert message and "\n" not in message and "Traceback" not in message
        return
    # read: every problem is a sentence with its place
    for problem in found.problems:
        assert str(problem)
    assert found.parsed.sha256


def test_the_unbroken_files_read_cleanly(tmp_path: Path) -> None:
    for name, data in _FILES.items():
        path = tmp_path / f"{name}.dat"
        path.write_bytes(data)
        found = read_machine(path, sniff(path), options=ReadOptions(), roster_month=Month(2026, 3))
        assert not found.problems, (name, [str(p) for p in found.problems])
