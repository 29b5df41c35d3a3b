"""The fast path of the big sheets (pmpm_desktop.io.report_stream) writes what xlsxwriter's
cell-by-cell calls write: the same values, types and formats, on awkward text too."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import KINDS, DiscrepancyRow, MonthSummary, ReconcileSummary
from pmpm_desktop.io import report_discrepancies, report_ledger, report_roster, report_stream
from pmpm_desktop.io.report import DISCREPANCY_SHEET, LEDGER_SHEET, write_report
from pmpm_desktop.io.report_data import LedgerLine, ReportExtras
from pmpm_desktop.progress import Cancelled
from pmpm_desktop.services.roster_changes import RosterChange, RosterDiff

AWKWARD = [
    "plain",
    "=1+1",
    "+15551234",
    "-2+3",
    "@SUM(A1)",
    'Tom & "Jerry" <b>',
    "a\x01b",
    "_x0041_ literal",
    " leading",
    "trailing ",
    "tab\tinside",
    "two\nlines",
    "emoji \U0001f600 and accents é ñ",
    "000123",
]
M = Month.parse
CREATED = dt.datetime(2026, 7, 1, 8, 0)


def _summary(n: int) -> ReconcileSummary:
    rows = []
    for i in range(n):
        text = AWKWARD[i % len(AWKWARD)]
        expected = Decimal("97.60") + i
        paid = Decimal("93.10") if i % 3 else Decimal("0.00")
        rows.append(
            DiscrepancyRow(
                "SUN", f"{i:09d}" if i % 5 else text, text if i % 2 else None, text,
                dt.date(1980, 2, 29) if i % 4 else None, M("2026-01") + i % 6,
                "underpaid" if i % 3 else "missing", expected, paid, paid - expected,
                "open", CREATED - dt.timedelta(days=i), text if i % 7 else None,
            )
        )  # fmt: skip
    months = [
        MonthSummary(M("2026-01") + k, 10, 9, Decimal("100.00"), Decimal("90.00"),
                     Decimal("-10.00"), dict.fromkeys(KINDS, 1), dict.fromkeys(KINDS, Decimal(0)))
        for k in range(6)
    ]  # fmt: skip
    return ReconcileSummary(
        "SUN", "Sunrise", M("2026-01"), M("2026-06"), months, dict.fromkeys(KINDS, 6),
        Decimal("600.00"), Decimal("540.00"), Decimal("-60.00"), rows,
    )  # fmt: skip


def _extras(summary: ReconcileSummary) -> ReportExtras:
    ledger = [
        LedgerLine("SUN", d.member_id, d.last_name, d.first_name, d.month, i % 2 == 0,
                   int(d.expected * 100), int(d.paid * 100), d.kind if i % 5 else None,
                   d.status if i % 3 else None)
        for i, d in enumerate(summary.discrepancies)
    ]  # fmt: skip
    changes = tuple(
        RosterChange(f"{i:09d}", text, "name_correction", text, None if i % 2 else text,
                     (M("2026-01"),) if i % 3 == 0 else ())
        for i, text in enumerate(AWKWARD * 3)
    )  # fmt: skip
    diffs = [RosterDiff("SUN", M("2026-02"), M("2026-01"), 2, 1, 10, 11, changes)]
    return ReportExtras(roster_diffs=diffs, ledger=ledger, ledger_members_left_out=3)


def _cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: [
            (c.coordinate, c.value, c.data_type, c.number_format)
            for row in ws.iter_rows()
            for c in row
            if c.value is not None
        ]
        for ws in wb.worksheets
    } | {
        f"{ws.title} setup": [(ws.auto_filter.ref, ws.freeze_panes, ws.max_row)]
        for ws in wb.worksheets
    }


def _without_streaming(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (report_discrepancies, report_ledger, report_roster):
        monkeypatch.setattr(module, "can_stream", lambda ws: False)


def test_streamed_sheets_equal_cell_by_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = _summary(300)
    extras = _extras(summary)
    fast, slow = tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"
    at = dt.datetime(2026, 7, 15, 9, 0)
    write_report(fast, [summary], generated_at=at, extras=extras)
    with monkeypatch.context() as m:
        _without_streaming(m)
        write_report(slow, [summary], generated_at=at, extras=extras)
    got, want = _cells(fast), _cells(slow)
    assert got.keys() == want.keys()
    for sheet in want:
        assert got[sheet] == want[sheet], sheet
    ws = openpyxl.load_workbook(fast)[DISCREPANCY_SHEET]
    kept = {c.value for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)}
    # (control characters and "_xHHHH_" are escaped the way Excel reads them back, which
    # openpyxl does not undo; both paths agree on them, above)
    for text in AWKWARD:
        if "\x01" not in text and "_x0" not in text:
            assert text in kept, text
    assert " leading" in kept and "trailing " in kept and "=1+1" in kept


def test_streaming_is_used_and_rich_text_markup_stays_text(tmp_path: Path) -> None:
    """xlsxwriter passes a string that looks like rich-text XML (``<r>…</r>``) through raw in
    constant_memory mode; the streamed sheets escape it like any other text."""
    summary = _summary(5)
    rows = [dataclasses.replace(d, last_note="<r>not markup</r>") for d in summary.discrepancies]
    summary = dataclasses.replace(summary, discrepancies=rows)
    out = tmp_path / "r.xlsx"
    used: list[bool] = []
    real = report_stream.stream_frame

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        used.append(True)
        return real(*args, **kwargs)

    report_discrepancies.stream_frame = spy  # type: ignore[assignment]
    try:
        write_report(out, [summary], generated_at=CREATED)
    finally:
        report_discrepancies.stream_frame = real  # type: ignore[assignment]
    assert used
    ws = openpyxl.load_workbook(out)[DISCREPANCY_SHEET]
    assert ws["N2"].value == "<r>not markup</r>"


def test_streamed_ledger_cancels_between_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_stream, "CHUNK_ROWS", 50)
    summary = _summary(400)
    extras = _extras(summary)
    seen: list[int] = []

    def progress(done: int, total: int) -> bool:
        seen.append(done)
        return done < 600  # stops inside the ledger (after the 400 discrepancies)

    out = tmp_path / "r.xlsx"
    with pytest.raises(Cancelled):
        write_report(out, [summary], generated_at=CREATED, extras=extras, progress=progress)
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert max(seen) >= 600
    write_report(out, [summary], generated_at=CREATED, extras=extras)
    assert openpyxl.load_workbook(out)[LEDGER_SHEET].max_row >= 401
