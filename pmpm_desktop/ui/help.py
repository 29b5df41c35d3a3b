"""The user guide (Help ▸ User guide, F1): the monthly routine in a billing clerk's words."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from pmpm_desktop.io.report import KIND_LABELS, STATUS_LABELS

#: SPEC §7's kinds in plain words, in the order they are tested
KIND_MEANINGS: dict[str, str] = {
    "unknown_member": "The payer paid a member ID that none of its rosters ever listed. Often a "
    "typo or an old ID: look at the suggested members with the same name and date of birth, "
    "and link the ID to the right member (Members page).",
    "no_rate": "The member is on the roster, but the contract has no rate for their rate cell, "
    "sex or age. This is a set-up problem on our side: add the missing rate to the contract's "
    "rate exhibit, then reconcile again.",
    "not_eligible": "Money was paid for a month the rosters say the member was not covered "
    "(for example a retro-termed member). Expect the payer to take it back (a recoupment).",
    "missing": "The member was eligible and something was due, but nothing was paid.",
    "duplicate": "The same amount was paid twice (or more) for one member and month, so the "
    "month was overpaid.",
    "underpaid": "Less was paid than the contract says: a wrong rate cell or age band, or a fee "
    "(care management) left out.",
    "overpaid": "More was paid than the contract says.",
}

STATUS_MEANINGS: dict[str, str] = {
    "open": "found by a reconciliation, nobody has acted on it yet",
    "disputed": "you sent it to the payer and are waiting for an answer",
    "resolved": "settled: the payer paid or took back the difference, or it was explained. "
    "A reconciliation closes it by itself when a later statement makes the month match",
    "written_off": "you decided to give the amount up",
}


def guide_html() -> str:
    kinds = "".join(
        f"<tr><td><b>{escape(KIND_LABELS[k])}</b></td><td>{escape(text)}</td></tr>"
        for k, text in KIND_MEANINGS.items()
    )
    statuses = "".join(
        f"<li><b>{escape(STATUS_LABELS[s])}</b> — {escape(text)}.</li>"
        for s, text in STATUS_MEANINGS.items()
    )
    shortcuts = [
        ("Ctrl+R", "Import a roster"),
        ("Ctrl+T", "Import a payment statement"),
        ("Ctrl+Shift+R", "Import a contract's rate exhibit"),
        ("Ctrl+K", "Reconcile (opens the Reconciliation page)"),
        ("Ctrl+E", "Export a report"),
        ("Ctrl+B", "Back up the database"),
        (
            "Ctrl+1 … Ctrl+7",
            "Go to a page, in the order of the list on the left (Ctrl+1 is the Dashboard)",
        ),
        ("Ctrl+N / Ctrl+O", "New database / open another database"),
        ("F1", "This guide"),
    ]
    keys = "".join(
        f"<tr><td><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>" for k, v in shortcuts
    )
    return f"""
<h2>PMPM Desktop — user guide</h2>
<p>Your practice is paid a fixed amount <b>per member per month</b> (PMPM) for every plan
member assigned to it. Each month a payer sends a <b>roster</b> (who is assigned to you) and a
<b>payment statement</b> (what they paid, member by member). PMPM Desktop works out what each
member-month <i>should</i> have paid under the contract, compares it with what <i>was</i> paid,
and keeps a list of every difference until it is settled. No more VLOOKUPs.</p>

<h3>Before the first month</h3>
<p>On the <b>Payers</b> page add each payer and its contract (products, eligibility rule,
withhold), then import the contract's rate exhibit. The Dashboard tells you what is still
missing.</p>

<h3>The monthly routine</h3>
<ol>
<li><b>Import this month's rosters</b> — File ▸ Import roster (Ctrl+R), or drop the file on the
window. The first time, check which column is which; next month the same payer's file imports
in one step. A file with errors is not imported at all: you get every bad row to fix.</li>
<li><b>Import the payment statements</b> — File ▸ Import statement (Ctrl+T). Importing the same
file twice does nothing and says so.</li>
<li><b>Reconcile</b> — on the Reconciliation page (Ctrl+K) pick the payer and months and press
Reconcile. Late payments and roster changes for earlier months are taken into account, so
reconcile the whole year to date, not only the new month.</li>
<li><b>Work the discrepancies</b> — each member-month that does not match gets one kind:
<table border="0" cellspacing="0" cellpadding="4">{kinds}</table>
<p>Everything else is <b>Matched</b> (a difference within the contract's tolerance, one cent
unless the contract says otherwise, counts as matched) and needs no work.</p>
<p>Every discrepancy has a status. It starts <b>Open</b>, may become <b>Disputed</b>, and ends
<b>Resolved</b> or <b>Written off</b>:</p>
<ul>{statuses}</ul>
<p>Add a note whenever you change a status (whom you called, the claim number): the history
keeps every change with its date. Reconciling again keeps your statuses and notes.</p></li>
<li><b>Export the report</b> — File ▸ Export report (Ctrl+E) writes an Excel workbook for your
manager: a cover with each payer at a glance, the summary by month with charts, every
discrepancy, the open amounts by age (days since the payment was due), recoupments older than
the contract allows, membership and roster changes, and each member's months. Tick
<b>Dispute packets</b> to also get one workbook per payer with only what the payer must act on
and a column for the payer's answer, ready to email.</li>
</ol>

<h3>Reading “Why this amount”</h3>
<p>Select a discrepancy to see how its expected amount was worked out, top to bottom:
which roster decided that the member was eligible that month (the latest roster that speaks
about the month wins, so a later roster can add or term a member back in time), the contract
and its eligibility rule, the member's age, sex and rate cell, each rate used (with its row in
the rate exhibit), the withhold taken off, and then every payment line counted, with the
statement file and row it came from. If the expected amount looks wrong, the mistake is in one
of those lines — usually a roster field or a missing rate.</p>

<h3>Where your data lives</h3>
<p>Everything is kept in one database file on this computer (its name is shown at the bottom
right of the window). Back it up regularly with <b>File ▸ Back up database</b> (Ctrl+B) and keep
the copy somewhere safe; it holds member names and dates of birth. To use a copy, open it with
File ▸ Open database.</p>

<h3>Keyboard shortcuts</h3>
<table border="0" cellspacing="0" cellpadding="3">{keys}</table>
"""


class UserGuide(QDialog):
    """The guide in a window of its own that stays open beside the main window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("userGuide")
        self.setWindowTitle("PMPM Desktop — User guide")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setModal(False)
        self.resize(760, 720)
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setObjectName("guideText")
        self.browser.setOpenExternalLinks(False)
        self.browser.document().setDocumentMargin(14)
        self.browser.setHtml(guide_html())
        layout.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
