"""What the Rosters and Payment statements pages say: their subtitles, their empty states and
the question before rolling an import back (what goes, what counts again, what is reconciled)."""

from __future__ import annotations

from collections.abc import Sequence

from pmpm_desktop.services.import_history import ImportInfo
from pmpm_desktop.ui import format

ROSTERS_SUBTITLE = (
    "Every roster file imported, newest first. A roster imported again for the same month "
    "replaces the earlier one, which stays here greyed as history."
)
ROSTERS_EMPTY = (
    "Each month your payers send a roster: the members assigned to the practice. Import it "
    "(.xlsx, .xls or .csv) so the app knows who should be paid for. Add the payer and its "
    "contract on the Payers page first."
)
STATEMENTS_SUBTITLE = (
    "Every payment statement imported, newest first: what each payment paid, line by line. "
    "Where a statement states a total, it is checked against its lines."
)
STATEMENTS_EMPTY = (
    "With each capitation payment your payer sends a payment statement: one line per member "
    "and month paid. Import it (.xlsx, .xls or .csv) to compare what was paid with what "
    "should have been."
)


def roster_rollback(info: ImportInfo, imports: Sequence[ImportInfo]) -> str:
    """The question before rolling back a roster (``imports``: the page's, to name the
    earlier roster of the month that counts again)."""
    month = info.roster_month
    lines = [
        f"Roll back the {month} roster of {info.payer_name}?",
        "",
        f"File: {info.file_name}: {info.rows:,} rows, imported "
        f"{format.timestamp(info.imported_at)}.",
        "",
    ]
    earlier = next((i for i in imports if i.replaced_by_id == info.id), None)
    if not info.active:
        lines.append(
            f"It was replaced by {info.replaced_by_file or 'a later import'} and no longer "
            "counts: it only leaves the history."
        )
    elif earlier is not None:
        lines.append(f"The earlier {month} roster, {earlier.file_name}, counts again in its place.")
    else:
        lines.append(f"{info.payer_code} will have no roster for {month}.")
    lines += [
        "Members listed on no other roster of this payer are removed with it.",
        "",
        f"The reconciliation of {info.payer_code} will be refreshed: discrepancies that came "
        "from this file close, and new ones may appear.",
        "You can import the file again later.",
    ]
    return "\n".join(lines)


def statement_rollback(info: ImportInfo) -> str:
    """The question before rolling back a payment statement."""
    paid = format.dollars(info.total_paid)
    when = f"paid on {format.date(info.payment_date)}" if info.payment_date else "no date"
    reference = f", ref {info.reference}" if info.reference else ""
    months = info.months_text or "no months"
    return "\n".join(
        [
            f"Roll back the payment statement {info.file_name} of {info.payer_name}?",
            "",
            f"{info.rows:,} lines for {months} totalling {paid} ({when}{reference}), "
            f"imported {format.timestamp(info.imported_at)}.",
            "",
            f"The reconciliation of {info.payer_code} will be refreshed: the months it paid "
            "count as unpaid again unless another statement pays them, so discrepancies will "
            "change.",
            "You can import the file again later.",
        ]
    )
