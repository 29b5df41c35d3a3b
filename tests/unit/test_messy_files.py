"""The messy-file corpus (tests/unit/messy_files.py): every file imports with no mapping, the
same as with an explicit sheet / header row / mapping, and as the generator wrote it. Plus
property tests of detection and the messages for files that cannot be read."""

from __future__ import annotations

import random
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.detect import Detection
from pmpm_desktop.io.parsed import ParsedFile
from pmpm_desktop.io.rate_file import read_rates
from pmpm_desktop.io.remittance_file import read_remittance
from pmpm_desktop.io.roster_file import read_roster
from pmpm_desktop.io.table import FileReadError
from tests.unit.messy_files import CORPUS, DOB, IDS, LAST, NPI, SEX, Messy, text_file, us

JAN = Month(2026, 1)


def read(case: Messy, path: Path, **kw: object) -> ParsedFile:
    if case.kind == "roster":
        return read_roster(path, roster_month=JAN, id_width=case.id_width, **kw)  # type: ignore[arg-type]
    if case.kind == "remittance":
        return read_remittance(path, id_width=case.id_width, **kw)  # type: ignore[arg-type]
    return read_rates(path, **kw)  # type: ignore[arg-type]


def test_corpus_is_wide_enough() -> None:
    assert len(CORPUS) >= 15
    assert len({c.name for c in CORPUS}) == len(CORPUS)
    suffixes = {Path(c.name).suffix for c in CORPUS}
    assert {".xlsx", ".xls", ".csv", ".tsv", ".txt"} <= suffixes


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_messy_file_imports_without_mapping(tmp_path: Path, case: Messy) -> None:
    path = case.write(tmp_path / case.name)
    auto = read(case, path)
    assert auto.ok, auto.problems
    explicit = read(case, path, mapping=case.mapping, sheet=case.sheet, header_row=case.header_row)
    assert explicit.ok, explicit.problems
    assert auto.frame.equals(explicit.frame), (auto.mapping, explicit.mapping)
    assert auto.header_row == case.header_row
    if case.sheet is not None:
        assert auto.sheet == case.sheet
    for name, column in case.mapping.items():
        assert auto.mapping.get(name) == column, (name, auto.mapping)
    for column, values in case.expected.items():
        assert auto.frame[column].to_list() == values, column
    detection = auto.detection
    assert isinstance(detection, Detection)
    assert detection.header_row == case.header_row and not detection.given
    assert detection.confident, detection
    assert detection.score > detection.runner_up
    assert detection.mapping == auto.mapping
    assert all(0 <= f.confidence <= 1 for f in detection.fields)
    assert explicit.detection.given


# --- properties ---------------------------------------------------------------------------

ROSTER_COLUMNS = {
    "Member ID": lambda i: IDS[i],
    "Last Name": lambda i: LAST[i],
    "DOB": lambda i: us(DOB[i]),
    "Gender": lambda i: SEX[i],
    "PCP NPI": lambda i: NPI[i],
    "Eff Date": lambda i: "01/01/2026",
}
JUNK = {
    "Notes": lambda i: "call member" if i % 2 else "",
    "Column 12": lambda i: str(i * 7),
    "": lambda i: "",
    "Office Use Only": lambda i: "",
    "Seq": lambda i: str(i + 1),
    "Claim Count": lambda i: str(i % 3),
    "Group Number": lambda i: "G-100",
}


def roster_csv(path: Path, columns: list[str]) -> Path:
    source = {**ROSTER_COLUMNS, **JUNK}
    rows = [columns, *[[source[c](i) for c in columns] for i in range(len(IDS))]]
    return text_file(path, rows)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    order=st.permutations(list(ROSTER_COLUMNS)),
    junk=st.lists(st.sampled_from(list(JUNK)), max_size=4, unique=True),
    seed=st.integers(0, 10_000),
    title=st.booleans(),
)
def test_detection_is_stable_under_shuffles_and_junk(
    tmp_path: Path, order: list[str], junk: list[str], seed: int, title: bool
) -> None:
    columns = list(order)
    rnd = random.Random(seed)
    for name in junk:
        columns.insert(rnd.randrange(len(columns) + 1), name)
    path = roster_csv(tmp_path / "r.csv", columns)
    if title:
        path.write_bytes(b"Sunrise Health Plan roster\r\n\r\n" + path.read_bytes())
    parsed = read_roster(path, roster_month=JAN)
    assert parsed.ok, parsed.problems
    assert parsed.header_row == 1 + 2 * title
    assert parsed.mapping == {
        "member_id": "Member ID",
        "last_name": "Last Name",
        "dob": "DOB",
        "sex": "Gender",
        "pcp": "PCP NPI",
        "effective_date": "Eff Date",
    }
    assert parsed.frame["member_id"].to_list() == IDS
    assert parsed.detection.confident


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=st.permutations([0, 1, 2, 3]), generic=st.booleans())
def test_values_decide_between_same_named_columns(
    tmp_path: Path, order: list[int], generic: bool
) -> None:
    """Member IDs beside NPIs, birth dates beside effective dates, whatever the order."""
    id_name = "ID" if generic else "Mbr ID"
    source = [
        ("ID", lambda i: NPI[i]),
        (id_name, lambda i: IDS[i]),
        ("Date", lambda i: "01/01/2026"),
        ("Date", lambda i: us(DOB[i])),
    ]
    picked = [source[k] for k in order]
    rows = [[h for h, _ in picked], *[[f(i) for _, f in picked] for i in range(len(IDS))]]
    parsed = read_roster(text_file(tmp_path / "r.csv", rows), roster_month=JAN)
    assert parsed.ok, parsed.problems
    assert parsed.frame["member_id"].to_list() == IDS
    assert parsed.frame["dob"].to_list() == DOB
    assert parsed.frame["effective_date"].to_list() == [JAN.first_day] * len(IDS)


# --- files that cannot be read ------------------------------------------------------------


def test_png_renamed_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
    with pytest.raises(FileReadError, match="roster.xlsx is not a spreadsheet"):
        read_roster(path, roster_month=JAN)


def docx_bytes() -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def test_word_document(tmp_path: Path) -> None:
    renamed = tmp_path / "roster.xlsx"
    renamed.write_bytes(docx_bytes())
    with pytest.raises(FileReadError, match="roster.xlsx is a Word document, not a spreadsheet"):
        read_roster(renamed, roster_month=JAN)
    docx = tmp_path / "roster.docx"
    docx.write_bytes(docx_bytes())
    with pytest.raises(FileReadError, match=r"unsupported file type \.docx"):
        read_roster(docx, roster_month=JAN)


def test_empty_sheet_and_empty_csv(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    assert wb.active is not None
    wb.active.title = "Roster"
    wb.save(tmp_path / "empty.xlsx")
    with pytest.raises(FileReadError, match="sheet 'Roster' is empty"):
        read_roster(tmp_path / "empty.xlsx", roster_month=JAN)
    (tmp_path / "empty.csv").write_bytes(b"\r\n,,\r\n")
    with pytest.raises(FileReadError, match="empty.csv is empty"):
        read_remittance(tmp_path / "empty.csv")


def test_no_recognisable_header_names_what_was_looked_for(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sheet1"
    for row in [["Quarterly newsletter"], ["Topic", "Owner"], ["Flu shots", "Pat"]]:
        ws.append(row)
    wb.save(tmp_path / "notes.xlsx")
    with pytest.raises(
        FileReadError,
        match=r"no header row found in the first 30 rows of sheet 'Sheet1': "
        r"looked for a member ID column \(Member ID, Member #, Member No, Member Number, …\)",
    ):
        read_roster(tmp_path / "notes.xlsx", roster_month=JAN)
    with pytest.raises(
        FileReadError,
        match=r"looked for a member ID column \(.*\), a coverage month column \(Coverage Month,"
        r".*\) and an amount column \(Amount,",
    ):
        read_remittance(tmp_path / "notes.xlsx")


def test_several_sheets_none_recognisable(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Hello"])
    wb.create_sheet("Other").append(["World", "Again"])
    wb.save(tmp_path / "two.xlsx")
    with pytest.raises(FileReadError, match="no header row found .* of any sheet of two.xlsx"):
        read_roster(tmp_path / "two.xlsx", roster_month=JAN)


def test_detection_is_plain_data(tmp_path: Path) -> None:
    case = next(c for c in CORPUS if c.name == "pcp_npi.xlsx")
    parsed = read(case, case.write(tmp_path / case.name))
    detection = parsed.detection
    assert detection.sheet == "Sheet1" and detection.sheets == (("Sheet1", detection.score),)
    member = detection.choice("member_id")
    # The merged group cells over the two "ID" columns make their names: no rival any more.
    assert member is not None and member.column == "Member ID"
    assert 0 < member.confidence <= 1
    assert detection.header_rows == (1, 2)
    assert isinstance(pl.DataFrame([vars(f) for f in detection.fields]), pl.DataFrame)
