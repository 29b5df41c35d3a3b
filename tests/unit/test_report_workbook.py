"""The whole report workbook of the demo practice (``pmpm report``), re-opened with openpyxl:
every figure equals ``pmpm reconcile --json`` and the services behind the other sheets; the
formats a manager expects are there."""

from __future__ import annotations

import shutil
import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from pmpm_desktop.core.age import bucket_label
from pmpm_desktop.core.money import CENT, ZERO
from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import open_database
from pmpm_desktop.io.report import (
    AGING_SHEET,
    CHANGES_SHEET,
    COVER_SHEET,
    DISCREPANCY_SHEET,
    KIND_LABELS,
    LATE_SHEET,
    LEDGER_SHEET,
    MEMBERSHIP_SHEET,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    STATUS_LABELS,
    SUMMARY_SHEET,
)
from pmpm_desktop.io.report_packet import PACKET_KINDS, PACKET_SHEET
from pmpm_desktop.services import aging
from pmpm_desktop.services.member_ledger import member_ledger
from pmpm_desktop.services.roster_changes import roster_diff, summarise_changes
from tests.conftest import cli_runner

FIRST, LAST = "2026-01", "2026-06"
PRACTICE = "Main Street Pediatrics & Family"
PAYERS = ("BAY", "HCA", "SUN")
ALL_SHEETS = [
    COVER_SHEET,
    SUMMARY_SHEET,
    DISCREPANCY_SHEET,
    AGING_SHEET,
    LATE_SHEET,
    MEMBERSHIP_SHEET,
    CHANGES_SHEET,
    LEDGER_SHEET,
]
LABEL_KIND = {v: k for k, v in KIND_LABELS.items()}
LABEL_STATUS = {v: k for k, v in STATUS_LABELS.items()}


def money(value: Any) -> Decimal:
    assert isinstance(value, int | float), value
    return Decimal(str(value)).quantize(CENT)


def text(value: Decimal | str) -> str:
    return f"{Decimal(value):.2f}"


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pmpm_desktop.services.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    db = open_database(path)
    try:
        build_demo(db, members=150)
    finally:
        db.dispose()
    return path


@pytest.fixture
def exported(demo_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """The demo practice, its report and packets written by ``pmpm report``, and the JSON of
    ``pmpm reconcile`` for each payer afterwards."""
    db_path = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_template, db_path)
    cli = cli_runner(db_path, capsys)
    out = tmp_path / "report.xlsx"
    r = cli(
        "report", "--from", FIRST, "--to", LAST, "--out", out,
        "--practice", PRACTICE, "--packet", tmp_path / "packets",
    )  # fmt: skip
    assert r.code == 0, r.err
    assert f"wrote {out}" in r.out
    recon = {}
    for code in PAYERS:
        r = cli("reconcile", "--payer", code, "--from", FIRST, "--to", LAST, "--json")
        assert r.code == 0, r.err
        recon[code] = r.json()
    return {
        "db_path": db_path,
        "out": out,
        "wb": openpyxl.load_workbook(out),
        "packets": tmp_path / "packets",
        "json": recon,
    }


def table(ws: Worksheet, header_cell: str, first_row: int = 1) -> list[dict[str, Any]]:
    """The rows under the first row whose column A is ``header_cell``, up to a blank A."""
    rows = list(ws.iter_rows(min_row=first_row, values_only=True))
    at = next(i for i, r in enumerate(rows) if r and r[0] == header_cell)
    header = rows[at]
    out = []
    for r in rows[at + 1 :]:
        if r[0] is None:
            break
        out.append(dict(zip(header, r, strict=False)))
    return out


_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def charts_on(path: Path, sheet: str) -> int:
    """How many charts a sheet shows, read from the file's parts as Excel reads them: the
    sheet's drawing and the charts that drawing places."""

    def targets(z: zipfile.ZipFile, part: str) -> dict[str, str]:
        folder, name = part.rsplit("/", 1)
        rels = f"{folder}/_rels/{name}.rels"
        if rels not in z.namelist():
            return {}
        out = {}
        for rel in ElementTree.fromstring(z.read(rels)).iter(_REL):
            target = rel.get("Target", "")
            full = target.lstrip("/") if target.startswith("/") else f"{folder}/{target}"
            parts: list[str] = []
            for piece in full.split("/"):
                if piece == "..":
                    parts.pop()
                else:
                    parts.append(piece)
            out[rel.get("Id", "")] = "/".join(parts)
        return out

    with zipfile.ZipFile(path) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rid = next(s.get(_R_ID) for s in book.iter(f"{_MAIN}sheet") if s.get("name") == sheet)
        sheet_part = targets(z, "xl/workbook.xml")[rid]
        drawings = [t for t in targets(z, sheet_part).values() if "/drawings/" in t]
        return sum(1 for d in drawings for t in targets(z, d).values() if "/charts/chart" in t)


def test_sheets_in_order(exported) -> None:  # type: ignore[no-untyped-def]
    assert exported["wb"].sheetnames == ALL_SHEETS


def test_summary_equals_reconcile_json(exported) -> None:  # type: ignore[no-untyped-def]
    rows = table(exported["wb"][SUMMARY_SHEET], "Payer")
    by_key = {(r["Payer"], r["Month"]): r for r in rows}
    for code, data in exported["json"].items():
        for m in data["months"]:
            got = by_key[(code, m["month"])]
            assert got["Eligible members"] == m["eligible_members"]
            assert got["Paid members"] == m["paid_members"]
            assert text(money(got["Expected"])) == m["expected"]
            assert text(money(got["Paid"])) == m["paid"]
            assert text(money(got["Variance"])) == m["variance"]
            if Decimal(m["expected"]):
                assert got["Variance %"] == pytest.approx(
                    float(Decimal(m["variance"]) / Decimal(m["expected"]))
                )
        total = by_key[(code, "Total")]
        assert text(money(total["Expected"])) == data["totals"]["expected"]
        assert text(money(total["Paid"])) == data["totals"]["paid"]
        assert text(money(total["Variance"])) == data["totals"]["variance"]
        for kind, n in data["counts"].items():
            assert total[f"{KIND_LABELS[kind]} (count)"] == n, kind
    grand = by_key[("All payers", "Total")]
    want = sum((Decimal(d["totals"]["expected"]) for d in exported["json"].values()), ZERO)
    assert money(grand["Expected"]) == want


def test_discrepancies_equal_reconcile_json(exported) -> None:  # type: ignore[no-untyped-def]
    rows = table(exported["wb"][DISCREPANCY_SHEET], "Payer")
    got = {
        (r["Payer"], r["Member ID"], r["Month"]): (
            LABEL_KIND[r["Kind"]],
            text(money(r["Expected"])),
            text(money(r["Paid"])),
            text(money(r["Variance"])),
            LABEL_STATUS[r["Status"]],
        )
        for r in rows
    }
    want = {
        (code, d["member_id"], d["month"]): (
            d["kind"], d["expected"], d["paid"], d["variance"], d["status"]
        )
        for code, data in exported["json"].items()
        for d in data["discrepancies"]
    }  # fmt: skip
    assert len(rows) == len(want) > 50
    assert got == want


def test_cover_answers_at_a_glance(exported) -> None:  # type: ignore[no-untyped-def]
    ws = exported["wb"][COVER_SHEET]
    assert ws["A1"].value == PRACTICE
    facts = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 12)}
    assert facts["Coverage months"] == f"{FIRST} \u2013 {LAST}"
    assert "Made on" in facts and "BAY" in facts["Payers"]
    glance = {r["Payer"]: r for r in table(ws, "Payer")}
    assert set(glance) == set(PAYERS)
    for code, data in exported["json"].items():
        g = glance[code]
        assert text(money(g["Expected"])) == data["totals"]["expected"]
        assert text(money(g["Paid"])) == data["totals"]["paid"]
        assert text(money(g["Variance"])) == data["totals"]["variance"]
        waiting = [d for d in data["discrepancies"] if d["status"] in ("open", "disputed")]
        assert g["Open and disputed (count)"] == len(waiting)
        short = sum((-Decimal(d["variance"]) for d in waiting if Decimal(d["variance"]) < 0), ZERO)
        over = sum((Decimal(d["variance"]) for d in waiting if Decimal(d["variance"]) > 0), ZERO)
        assert money(g["Owed to the practice"]) == short
        assert money(g["Owed to the payer"]) == over
        months = data["months"]
        assert g["Members first month"] == months[0]["eligible_members"]
        assert g["Members last month"] == months[-1]["eligible_members"]
    # the contents link to every other sheet
    links = {c.value: c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink}
    assert set(links) == set(ALL_SHEETS[1:])
    assert links[SUMMARY_SHEET] == "'Summary'!A1"


def test_aging_equals_the_aging_service_and_the_discrepancies(exported) -> None:  # type: ignore[no-untyped-def]
    ws = exported["wb"][AGING_SHEET]
    db = open_database(exported["db_path"])
    try:
        items = aging.aging_items(
            db, as_of=exported["wb"].properties.created.date(),
            first=Month.parse(FIRST), last=Month.parse(LAST),
        )  # fmt: skip
    finally:
        db.dispose()
    rows = list(ws.iter_rows(values_only=True))
    headings = [i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("Owed to the")]
    assert len(headings) == 2
    for at, sign in zip(headings, (-1, 1), strict=True):
        header = rows[at + 1]
        assert header[2:6] == tuple(bucket_label(b) for b in aging.BUCKETS)
        assert header[2] == "0–30 days since due"
        body = {}
        for r in rows[at + 2 :]:
            if r[0] is None:
                break
            body[r[0]] = dict(zip(header, r, strict=False))
        assert set(body) == {*PAYERS, "All payers"}
        for code in PAYERS:
            mine = [i for i in items if i.payer_code == code and sign * i.variance > 0]
            for bucket in aging.BUCKETS:
                want = sum((sign * i.variance for i in mine if i.bucket == bucket), ZERO)
                assert money(body[code][bucket_label(bucket)]) == want
            assert body[code]["Discrepancies"] == len(mine)
        # and the totals are those of the open and disputed rows of the Discrepancies sheet
        listed = table(exported["wb"][DISCREPANCY_SHEET], "Payer")
        waiting = [money(r["Variance"]) for r in listed if r["Status"] in ("Open", "Disputed")]
        want = sum((sign * v for v in waiting if sign * v > 0), ZERO)
        assert money(body["All payers"]["Total"]) == want
    assert "tbl_aging_owed" in ws.tables and "tbl_disputes" in ws.tables


def test_membership_equals_roster_diff(exported) -> None:  # type: ignore[no-untyped-def]
    rows = table(exported["wb"][MEMBERSHIP_SHEET], "Payer")
    db = open_database(exported["db_path"])
    try:
        for r in rows:
            diff = roster_diff(db, r["Payer"], Month.parse(r["Roster month"]))
            counts = summarise_changes(diff)
            assert r["Members now"] == counts["after"]
            assert r["Added"] == counts["add"]
            assert r["Termed"] == counts["term"]
            assert r["Retro adds"] == counts["retro_add"]
            assert r["Retro terms"] == counts["retro_term"]
            if diff.previous_month is not None:
                assert r["Members before"] == counts["before"]
                assert r["Net change"] == counts["after"] - counts["before"]
        changes = table(exported["wb"][CHANGES_SHEET], "Payer")
        assert len(changes) == sum(
            len(roster_diff(db, r["Payer"], Month.parse(r["Roster month"])).changes) for r in rows
        )
    finally:
        db.dispose()
    assert len(rows) == 3 * 6
    assert charts_on(exported["out"], MEMBERSHIP_SHEET) == 1


def test_ledger_lists_the_reported_members_as_member_ledger_does(exported) -> None:  # type: ignore[no-untyped-def]
    ledger = table(exported["wb"][LEDGER_SHEET], "Payer")
    listed = table(exported["wb"][DISCREPANCY_SHEET], "Payer")
    assert {(r["Payer"], r["Member ID"]) for r in ledger} == {
        (r["Payer"], r["Member ID"]) for r in listed
    }
    by_member: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in ledger:
        by_member[(r["Payer"], r["Member ID"])][r["Month"]] = r
    # every discrepancy is a ledger month with the same figures
    for r in listed:
        month = by_member[(r["Payer"], r["Member ID"])][r["Month"]]
        assert money(month["Expected"]) == money(r["Expected"])
        assert money(month["Paid"]) == money(r["Paid"])
        assert month["Status"] == r["Status"]
    # a few members in full against the Members page's own ledger
    db = open_database(exported["db_path"])
    try:
        for payer, member in sorted(by_member)[:: max(1, len(by_member) // 6)]:
            rows = member_ledger(db, payer, member, Month.parse(FIRST), Month.parse(LAST))
            want = {str(x.month): (x.expected, x.paid, x.kind) for x in rows if x.kind is not None}
            got = {
                m: (money(v["Expected"]), money(v["Paid"]), LABEL_KIND[v["Kind"]])
                for m, v in by_member[(payer, member)].items()
            }
            assert got == want, (payer, member)
    finally:
        db.dispose()


def test_formats_a_manager_expects(exported) -> None:  # type: ignore[no-untyped-def]
    wb = exported["wb"]
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert setup.fitToHeight == 0 and setup.fitToWidth in (None, 1), ws.title
        header = ws.oddHeader
        assert header.left.text == PRACTICE.replace("&", "&&"), ws.title
        assert header.right.text == f"{FIRST} \u2013 {LAST}", ws.title
        assert ws.oddFooter.right.text == "Page &P of &N", ws.title
        assert ws.oddFooter.left.text == "&A", ws.title
    for name in (SUMMARY_SHEET, DISCREPANCY_SHEET, LATE_SHEET, CHANGES_SHEET, LEDGER_SHEET):
        assert wb[name].auto_filter.ref, name
        assert wb[name].freeze_panes, name
    for name in (COVER_SHEET, AGING_SHEET, MEMBERSHIP_SHEET):
        assert wb[name].tables, name
    for name in (DISCREPANCY_SHEET, LATE_SHEET, CHANGES_SHEET, LEDGER_SHEET):
        assert wb[name].print_title_rows == "$1:$1", name
    summary = wb[SUMMARY_SHEET]
    assert charts_on(exported["out"], SUMMARY_SHEET) == len(PAYERS)
    header_row = next(c.row for c in summary["A"] if c.value == "Payer")
    assert summary.cell(header_row + 1, 5).number_format == MONEY_FORMAT
    assert summary.cell(header_row + 1, 8).number_format == PERCENT_FORMAT
    ledger = wb[LEDGER_SHEET]
    assert ledger["G2"].number_format == MONEY_FORMAT
    assert ledger.freeze_panes == "C2"
    disc = wb[DISCREPANCY_SHEET]
    assert disc["E2"].number_format == "yyyy-mm-dd"
    assert disc.column_dimensions["C"].width >= 10
    # values only, never formulas
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)


def test_packets_hold_what_each_payer_must_act_on(exported) -> None:  # type: ignore[no-untyped-def]
    folder: Path = exported["packets"]
    files = sorted(p.name for p in folder.iterdir())
    assert files == [f"Dispute packet {c} {FIRST} to {LAST}.xlsx" for c in PAYERS]
    names = {r["Payer"]: r["Payer name"] for r in table(exported["wb"][COVER_SHEET], "Payer")}
    for code, data in exported["json"].items():
        wb = openpyxl.load_workbook(folder / f"Dispute packet {code} {FIRST} to {LAST}.xlsx")
        assert wb.sheetnames[0] == PACKET_SHEET
        ws = wb[PACKET_SHEET]
        assert ws["A1"].value == PRACTICE
        heads = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(2, 6)}
        assert heads["Coverage months"] == f"{FIRST} \u2013 {LAST}"
        assert heads["To"] == names[code]  # the payer's name, not its code
        rows = table(ws, "Item")
        items = [r for r in rows if isinstance(r["Item"], int)]
        want = sorted(
            (d["member_id"], d["month"], d["expected"], d["paid"])
            for d in data["discrepancies"]
            if d["kind"] in PACKET_KINDS and d["status"] in ("open", "disputed")
        )
        got = sorted(
            (r["Member ID"], r["Coverage month"], text(money(r["Contracted amount"])),
             text(money(r["Amount paid"])))
            for r in items
        )  # fmt: skip
        assert got == want and want
        total = next(r for r in rows if r["Item"] == "Total")
        due_provider = sum(
            (money(r["Due to provider"]) for r in items if r["Due to provider"]), ZERO
        )
        assert money(total["Due to provider"]) == due_provider
        assert all(r["Plan response"] is None for r in items)  # left for the payer
        # no raw codes: the issue is said in words
        assert not any("_" in r["Issue"] for r in items)
        assert ws.data_validations.dataValidation, "the answer column offers answers"
        assert ws.page_setup.orientation == "landscape"
        assert ws.oddFooter.right.text == "Page &P of &N"
        assert ws.freeze_panes and ws.auto_filter.ref
