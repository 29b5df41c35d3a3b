"""The Reports page's action: export the workbook (and the dispute packets, if asked)."""

from __future__ import annotations

from pathlib import Path

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.services.reporting import ReportResult, build_report
from pmpm_desktop.ui.context import Changed
from pmpm_desktop.ui.operations import Op

#: a second export asked for while one runs replaces it (the page allows one at a time)
EXPORT = "report export"


def export_report(
    db: Database,
    target: Path,
    payer_code: str | None,
    first: Month,
    last: Month,
    practice_name: str,
    *,
    packet_dir: Path | None = None,
) -> Op[ReportResult]:
    """Reconcile the months each payer has files for in ``first``..``last`` and write the
    workbook to ``target`` (``services.reporting.build_report``); exporting reconciles, so the
    other pages' discrepancies change."""
    return Op(
        title="Exporting the report",
        work=lambda progress: build_report(
            db, target, payer_code, first, last, practice_name, progress, packet_dir=packet_dir
        ),
        changes=(Changed.DISCREPANCIES,),
        says=lambda result: f"Report written: {result.path.name}",
        latest=EXPORT,
    )
