"""Each payer is reported for the months it has files for: after only SUN's July was imported,
a January–July workbook covers SUN January–July and the others January–June, with no month of
zeros, no "members last month 0" and no chart point for a month without files."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.errors import NotFound
from pmpm_desktop.io.report import COVER_SHEET, SUMMARY_SHEET
from pmpm_desktop.services import importing
from pmpm_desktop.services.file_months import (
    default_range,
    months_with_files,
    payer_spans,
    spans_text,
)
from pmpm_desktop.services.reconciling import reconcile
from pmpm_desktop.services.reporting import build_report

JAN, JUN, JUL = Month(2026, 1), Month(2026, 6), Month(2026, 7)


@pytest.fixture
def july(demo: Database, _demo_template: Path) -> Database:
    """The demo practice after the clerk imported SUN's July roster and statement only."""
    folder = _demo_template.parent / "demo-files" / "new-month"
    importing.import_roster(demo, "SUN", JUL, folder / "SUN roster 2026-07.xlsx")
    importing.import_remittance(demo, "SUN", folder / "SUN statement 2026-07.xlsx")
    return demo


def _table(ws: Any, first: str) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and r[0] == first)
    out = []
    for r in rows[at + 1 :]:
        if r[0] is None:
            break
        out.append(dict(zip(rows[at], r, strict=False)))
    return out


def _chart_months(path: Path) -> dict[str, list[str]]:
    """Per Summary chart (by its title), the months along its axis, as a spreadsheet draws
    them (the categories' cached labels)."""
    found = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if re.fullmatch(r"xl/charts/chart\d+\.xml", name):
                xml = z.read(name).decode()
                title = re.search(r"<a:t>([^<]*)</a:t>", xml).group(1)  # type: ignore[union-attr]
                axis = re.search(r"<c:cat>.*?</c:cat>", xml, re.S).group(0)  # type: ignore[union-attr]
                found[title] = re.findall(r"<c:v>([^<]*)</c:v>", axis)
    return found


def test_months_with_files_per_payer(july: Database) -> None:
    files = months_with_files(july)
    assert files["SUN"][-1] == JUL
    assert files["BAY"] == files["HCA"] == tuple(JAN + i for i in range(6))
    assert months_with_files(july, ["bay"]) == {"BAY": files["BAY"]}
    # the page's default: the union for all payers, each payer's own when one is chosen
    assert default_range(files) == (JAN, JUL)
    assert default_range(files, "BAY") == (JAN, JUN)
    assert default_range({"ACME": ()}) is None
    spans = payer_spans(files, ["BAY", "HCA", "SUN"], JAN, JUL)
    assert spans_text(spans) == "BAY, HCA 2026-01 to 2026-06 · SUN 2026-01 to 2026-07"


def test_gaps_and_payers_without_files() -> None:
    files = {"BAY": (JAN, Month(2026, 3)), "ZED": ()}
    bay, zed = payer_spans(files, ["BAY", "ZED"], JAN, JUN)
    assert (bay.first, bay.last, bay.gaps) == (JAN, Month(2026, 3), (Month(2026, 2),))
    assert not zed.has_files
    assert spans_text([bay, zed]) == "BAY 2026-01 to 2026-03 · ZED no files in these months"


def test_the_workbook_leaves_out_payer_months_without_files(july: Database, tmp_path: Path) -> None:
    result = build_report(july, tmp_path / "r.xlsx", None, JAN, JUL, "Clinic")
    assert [(s.payer_code, s.first, s.last) for s in result.summaries] == [
        ("BAY", JAN, JUN),
        ("HCA", JAN, JUN),
        ("SUN", JAN, JUL),
    ]
    wb = openpyxl.load_workbook(result.path)

    months = {(r["Payer"], r["Month"]) for r in _table(wb[SUMMARY_SHEET], "Payer")}
    assert ("SUN", "2026-07") in months
    assert ("BAY", "2026-07") not in months and ("HCA", "2026-07") not in months
    assert ("BAY", "2026-06") in months

    cover = wb[COVER_SHEET]
    glance = {r["Payer"]: r for r in _table(cover, "Payer")}
    for code in ("BAY", "HCA"):
        june = reconcile(july, code, JUN, JUN).months[0].eligible_members
        january = reconcile(july, code, JAN, JAN).months[0].eligible_members
        assert june > 0
        assert glance[code]["Members last month"] == june
        assert glance[code]["Membership change"] == june - january
    facts = {r[0]: r[1] for r in cover.iter_rows(values_only=True) if r[0]}
    assert facts["Months per payer"] == "BAY, HCA 2026-01 – 2026-06 · SUN 2026-01 – 2026-07"
    notes = [r[1] for r in cover.iter_rows(values_only=True) if r[0] == "Note"]
    assert (
        "BAY has no files for 2026-07, so this report covers BAY for 2026-01 to 2026-06." in notes
    )

    # the charts plot the months each payer has files for: six points for BAY, seven for SUN
    charts = _chart_months(result.path)
    assert charts["BAY: Bayview Medicare Advantage"] == [str(JAN + i) for i in range(6)]
    assert charts["SUN: Sunrise Health Plan"] == [str(JAN + i) for i in range(7)]


def test_a_range_without_files_is_refused_in_words(july: Database, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="BAY has no files for 2026-07: nothing to report"):
        build_report(july, tmp_path / "r.xlsx", "BAY", JUL, JUL)
    with pytest.raises(NotFound, match="no payer has files for 2027-01 to 2027-02"):
        build_report(july, tmp_path / "r.xlsx", None, Month(2027, 1), Month(2027, 2))
    assert not (tmp_path / "r.xlsx").exists()
    # one payer with files is enough; the others are named as left out
    result = build_report(july, tmp_path / "r.xlsx", None, JUL, JUL)
    assert [s.payer_code for s in result.summaries] == ["SUN"]
    notes = [r[1] for r in openpyxl.load_workbook(result.path)[COVER_SHEET].iter_rows(
        values_only=True) if r[0] == "Note"]  # fmt: skip
    assert "BAY has no files for 2026-07: it is not in this report." in notes


def test_the_cover_labels_fit_their_column(july: Database, tmp_path: Path) -> None:
    """No label of the Cover runs into its value ("Recovered by disputes" did): column A is at
    least as wide as its longest label, in Excel's character widths, bold included."""
    result = build_report(july, tmp_path / "r.xlsx", None, JAN, JUL, "Clinic")
    ws = openpyxl.load_workbook(result.path)[COVER_SHEET]
    labels = []
    for row in ws.iter_rows(min_row=4, values_only=True):
        if row[0] == "At a glance":
            break
        if row[0]:
            labels.append(str(row[0]))
    assert "Recovered by disputes" in labels and "Days since due counted to" in labels
    width = ws.column_dimensions["A"].width
    assert all(len(label) * 1.1 <= width for label in labels), (width, labels)
