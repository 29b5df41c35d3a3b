"""The pages of the main window, in navigation order."""

from __future__ import annotations

from pmpm_desktop.ui.pages.base import Page


def page_classes() -> list[type[Page]]:
    from pmpm_desktop.ui.pages.dashboard import DashboardPage
    from pmpm_desktop.ui.pages.imports import RemittancesPage, RostersPage
    from pmpm_desktop.ui.pages.members import MembersPage
    from pmpm_desktop.ui.pages.payers import PayersPage
    from pmpm_desktop.ui.pages.reconciliation import ReconciliationPage
    from pmpm_desktop.ui.pages.reports import ReportsPage

    return [
        DashboardPage,
        PayersPage,
        RostersPage,
        RemittancesPage,
        ReconciliationPage,
        MembersPage,
        ReportsPage,
    ]
