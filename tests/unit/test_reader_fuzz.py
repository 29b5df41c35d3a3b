"""Every reader fed real payer files broken at random (issue 11, "Tests" bullet 2).

The files come from the test generators (xlsx and CSV rosters, X12 834/820/835/271, an MMR, a
FHIR attribution bundle, a fixed-width roster); hypothesis flips bits, cuts them anywhere,
inserts and deletes byte runs and repeats whole lines or segments; for a workbook it also
breaks the XML inside a zip whose checksums still hold. A reader either reads the file or
refuses it with FileReadError (InputRejected through the import), never another exception.
Through the import service, a refused file leaves the database exactly as it was.

CI runs a fixed set of examples (``derandomize``); ``PMPM_FUZZ_EXAMPLES=5000`` runs that many
per reader with fresh randomness, for a long local hunt.
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import open_database
from pmpm_desktop.errors import PmpmError
from pmpm_desktop.io.file_format import read_machine, sniff
from pmpm_desktop.io.fixed_layout import FixedLayout
from pmpm_desktop.io.machine_file import Format
from pmpm_desktop.io.options import ReadOptions
from pmpm_desktop.io.read_errors import FileReadError
from pmpm_desktop.io.table import read_table
from pmpm_desktop.services import importing, payers
from tests.faults.checks import digest
from tests.unit.atr_files import export
from tests.unit.files import REMIT_HEADERS, ROSTER_HEADERS, csv_file, xlsx
from tests.unit.mmr_files import ROSTER_LAYOUT, record_line, roster_line, sample_records
from tests.unit.x12_files import (
    Coverage834,
    Member271,
    Member834,
    eligibility,
    enrollment,
    interchange,
)
from tests.unit.x12_pay_files import (
    Advice,
    PremiumLine,
    PremiumMember,
    premium_payment,
    remittance_advice,
)

MONTH = Month(2026, 3)
_LONG = int(os.environ.get("PMPM_FUZZ_EXAMPLES", "0"))
fuzz = settings(
    max_examples=_LONG or 50,
    derandomize=not _LONG,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

_ROSTER = [
    ["739100001", "ZARQUO", "ANN", "05/10/1990", "F", "MCD", "TANF", "", ""],
    ["739100002", "MUÑOZ", "BEN", "01/15/2024", "M", "MCD", "TANF", "", ""],
    ["739100003", "O'NEIL", "CARA", "12/31/1955", "F", "MCD", "TANF", "", ""],
]
_STATEMENT = [
    ["739100001", "2026-03", "100.00", "Capitation"],
    ["739100002", "2026-03", "(12.50)", "Adjustment"],
]


def _seeds(folder: Path) -> dict[str, bytes]:
    """The unbroken files, each written by its generator."""
    folder.mkdir(parents=True, exist_ok=True)
    atr = export(3).write_bundle(folder / "atr.json")
    members_834 = [
        Member834("739100001", coverages=(Coverage834(refs={"17": "TANF"}),)),
        Member834("739100002", subscriber=False, dob="20100101"),
    ]
    premium = premium_payment(
        [PremiumMember("M1", "DOE", "JANE", [PremiumLine("100.00", "20260301-20260331")])],
        total="100.00",
    )
    advice = Advice(total="285.00", plbs=[[("CT:CAP202603", "-300.00"), ("E3:WH", "15.00")]])
    fixed = [
        roster_line("A000000001", "ALVAREZ", "MARIA", "19500101", "F", "MCD"),
        roster_line("A000000002", "BROWN", "JAMES", "19621231", "M", "MCD"),
    ]
    fixed_text = "\r\n".join(["HDR ACME HEALTH PLAN  ROSTER 202603", *fixed, "TRL 000002"])
    return {
        "xlsx": xlsx(folder / "r.xlsx", ROSTER_HEADERS, _ROSTER).read_bytes(),
        "csv": csv_file(folder / "r.csv", ROSTER_HEADERS, _ROSTER).read_bytes(),
        "statement_csv": csv_file(folder / "s.csv", REMIT_HEADERS, _STATEMENT).read_bytes(),
        "834": enrollment(members_834),
        "820": interchange([premium], code="820"),
        "835": interchange([remittance_advice(advice)], code="835"),
        "271": eligibility([Member271("739100001"), Member271("739100002", dependent=True)]),
        "mmr": ("\n".join(record_line(r) for r in sample_records()) + "\n").encode("ascii"),
        "atr": atr.read_bytes(),
        "fixed": (fixed_text + "\r\n").encode("ascii"),
    }


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return _seeds(tmp_path_factory.mktemp("seeds"))


def _chunks(data: bytes) -> list[bytes]:
    """Lines, or X12 segments when the file has no line breaks, each with its terminator."""
    sep = b"\n" if b"\n" in data else b"~"
    parts = data.split(sep)
    return [p + sep for p in parts[:-1]] + [parts[-1]]


@st.composite
def broken(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` after 1–4 random harms: a bit flipped, cut short, a byte run inserted or
    deleted, a line or segment repeated."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(("flip", "cut", "insert", "delete", "repeat")))
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        if how == "flip" and out:
            out[at] ^= 1 << draw(st.integers(0, 7))
        elif how == "cut":
            del out[at:]
        elif how == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif how == "delete":
            del out[at : at + draw(st.integers(1, 64))]
        elif out:
            chunks = _chunks(bytes(out))
            i = draw(st.integers(0, len(chunks) - 1))
            chunks.insert(i, chunks[i])
            out = bytearray(b"".join(chunks))
    return bytes(out)


@st.composite
def broken_inside(draw: st.DrawFn, workbook: bytes) -> bytes:
    """A workbook whose zip is sound but one of its XML parts is broken."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    name = draw(st.sampled_from(sorted(parts)))
    parts[name] = draw(broken(parts[name]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for part, content in parts.items():
            zf.writestr(part, content)
    return buffer.getvalue()


def read_or_refuse(read: Callable[[], object]) -> None:
    """Run a reader: reading or a one-sentence refusal is fine, any other exception (a Rust
    panic included, which is no Exception) fails the test."""
    try:
        read()
    except (FileReadError, PmpmError) as exc:
        message = str(exc)
        assert message and "Traceback" not in message
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # what we hunt: every other kind of error
        raise AssertionError(f"{type(exc).__name__}: {exc}") from exc


_OPTIONS = ReadOptions()
_LAYOUT = FixedLayout.from_json(ROSTER_LAYOUT)


def _read_machine(path: Path, fmt: Format | None = None) -> None:
    found = fmt or sniff(path)
    if found is Format.SPREADSHEET:
        read_table(path)  # no longer looks like a machine format: the table reader's file
        return
    layout = _LAYOUT if found is Format.FIXED_WIDTH else None
    read_machine(path, found, options=_OPTIONS, roster_month=MONTH, layout=layout)


# --- each reader on its own ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["xlsx", "csv"])
@fuzz
@given(data=st.data())
def test_a_broken_table_is_read_or_refused(
    tmp_path: Path, seeds: dict[str, bytes], name: str, data: st.DataObject
) -> None:
    path = tmp_path / f"roster.{name}"
    path.write_bytes(data.draw(broken(seeds[name])))
    read_or_refuse(lambda: read_table(path))


@fuzz
@given(data=st.data())
def test_a_workbook_broken_inside_its_zip_is_read_or_refused(
    tmp_path: Path, seeds: dict[str, bytes], data: st.DataObject
) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(data.draw(broken_inside(seeds["xlsx"])))
    read_or_refuse(lambda: read_table(path))


@pytest.mark.parametrize("name", ["834", "820", "835", "271", "mmr", "atr"])
@fuzz
@given(data=st.data())
def test_a_broken_machine_file_is_read_or_refused(
    tmp_path: Path, seeds: dict[str, bytes], name: str, data: st.DataObject
) -> None:
    path = tmp_path / f"payer.{name}"
    path.write_bytes(data.draw(broken(seeds[name])))
    read_or_refuse(lambda: _read_machine(path))


@fuzz
@given(data=st.data())
def test_a_broken_fixed_width_file_is_read_or_refused_with_its_layout(
    tmp_path: Path, seeds: dict[str, bytes], data: st.DataObject
) -> None:
    path = tmp_path / "ROSTER.DAT"
    path.write_bytes(data.draw(broken(seeds["fixed"])))
    read_or_refuse(lambda: _read_machine(path, Format.FIXED_WIDTH))


def test_the_unbroken_files_are_read(tmp_path: Path, seeds: dict[str, bytes]) -> None:
    """The seeds themselves are good files (else the fuzzing only tries refusals)."""
    for name, content in seeds.items():
        suffix = {"xlsx": "xlsx", "csv": "csv", "statement_csv": "csv"}.get(name, "dat")
        path = tmp_path / f"{name}.{suffix}"
        path.write_bytes(content)
        if name in ("xlsx", "csv", "statement_csv"):
            assert read_table(path).frame.height
        else:
            fmt = Format.FIXED_WIDTH if name == "fixed" else None
            _read_machine(path, fmt)


# --- through the import service: a refusal writes nothing ----------------------------------


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the payer SUN (products MCD, a flat rate) and nothing imported."""
    folder = tmp_path_factory.mktemp("fuzz-practice")
    path = folder / "template.sqlite3"
    db = open_database(path)
    try:
        payers.add_payer(db, "SUN", "Sunrise Health", 9)
        payers.add_contract(
            db, "SUN", payers.ContractSpec("Cap", Month(2026, 1), products=("MCD",))
        )
        rates = csv_file(folder / "rates.csv", ["effective_from", "amount"], [["2026-01", "100"]])
        importing.import_rates(db, "SUN", "Cap", rates)
    finally:
        db.dispose()
    return path


#: seed → (kind of import, file suffix)
_IMPORTS = {
    "xlsx": ("roster", "xlsx"),
    "csv": ("roster", "csv"),
    "statement_csv": ("remittance", "csv"),
    "834": ("roster", "edi"),
    "820": ("remittance", "edi"),
    "835": ("remittance", "edi"),
    "271": ("roster", "edi"),
    "mmr": ("roster", "txt"),
    "atr": ("roster", "json"),
    "fixed": ("roster", "dat"),
}


@fuzz
@given(data=st.data())
def test_a_refused_import_writes_nothing(
    tmp_path: Path, seeds: dict[str, bytes], practice: Path, data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(sorted(_IMPORTS)))
    kind, suffix = _IMPORTS[name]
    path = tmp_path / f"payer-file.{suffix}"
    path.write_bytes(data.draw(broken(seeds[name])))
    db_path = tmp_path / "pmpm.sqlite3"
    shutil.copyfile(practice, db_path)
    before = digest(db_path)
    db = open_database(db_path)
    refused = False
    try:
        importing.import_file(
            db, kind, "SUN", path, roster_month=MONTH,
            layout=_LAYOUT if name == "fixed" else None,
        )  # fmt: skip
    except (FileReadError, PmpmError):
        refused = True
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # what we hunt
        raise AssertionError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        db.dispose()
    if refused:
        assert digest(db_path) == before
