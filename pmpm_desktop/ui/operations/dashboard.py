"""The Dashboard's action: read its figures (a newer read replaces a running one)."""

from __future__ import annotations

from pmpm_desktop.db.database import Database
from pmpm_desktop.services.overview import Overview, overview
from pmpm_desktop.ui.operations import Op

#: the supersede key of the figures' read: a refresh cancels the read still running
FIGURES = "dashboard figures"


def read_figures(db: Database) -> Op[Overview]:
    """Every figure of the Dashboard (``services.overview``), as of now."""
    return Op(
        title="Reading the dashboard figures",
        work=lambda progress: overview(db, progress),
        latest=FIGURES,
    )
