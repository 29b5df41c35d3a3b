"""What the user does to discrepancies: explain one, change statuses and notes, link an
unknown ID to a roster member — and the ops that take each change back (Edit ▸ Undo)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import DiscrepancyRow, Kind, ReconcileSummary, Status
from pmpm_desktop.db.database import Database
from pmpm_desktop.progress import Progress
from pmpm_desktop.services import discrepancy_status as changes
from pmpm_desktop.services.discrepancy_query import DiscrepancyQuery, Key
from pmpm_desktop.services.discrepancy_status import StatusChange
from pmpm_desktop.services.explain import Explanation, explain
from pmpm_desktop.services.members import (
    AliasLink,
    Suggestion,
    link_alias,
    paid_names,
    suggest_matches,
    unlink_alias,
)
from pmpm_desktop.services.reconciling import reconcile
from pmpm_desktop.ui import format as fmt
from pmpm_desktop.ui.context import Changed
from pmpm_desktop.ui.dialogs import error_text
from pmpm_desktop.ui.operations import Op

#: the detail pane's explanation: the row the user moved to replaces the one before
DETAIL_KEY = "discrepancy detail"


# --- explaining ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Detail:
    """What the worker found for one member-month."""

    explanation: Explanation | None
    #: why there is no explanation (in words), when there is none
    problem: str | None = None
    suggestions: tuple[Suggestion, ...] = ()
    paid_names: tuple[str, ...] = ()


def load_detail(db: Database, row: DiscrepancyRow) -> Detail:
    """Explain the member-month and, for an unknown member, look for who it may be."""
    try:
        e = explain(db, row.payer_code, row.member_id, row.month)
    except Exception as exc:  # shown in the pane in words, not as a dialog
        return Detail(None, error_text(exc)[0])
    if row.kind != Kind.UNKNOWN_MEMBER:
        return Detail(e)
    names = tuple(paid_names(db, row.payer_code, row.member_id))
    try:
        found = tuple(suggest_matches(db, row.payer_code, row.member_id, limit=5))
    except Exception:
        found = ()
    return Detail(e, None, found, names)


def explain_row(db: Database, row: DiscrepancyRow) -> Op[Detail]:
    """The detail pane's explanation of ``row`` (a newer one replaces it)."""
    return Op(
        title="Explaining a discrepancy",
        work=lambda _progress: load_detail(db, row),
        latest=DETAIL_KEY,
    )


# --- statuses and notes ---------------------------------------------------------------------------


def _changed_sentence(change: StatusChange) -> str:
    n = change.count
    if n == 0:
        return "Nothing to change: the discrepancies already have that status."
    noun = "discrepancy" if n == 1 else "discrepancies"
    return f"Set {n:,} {noun} to {fmt.status(change.status)}"


def set_status(
    db: Database,
    keys: Sequence[Key] | None,
    status: Status,
    note: str | None,
    *,
    matching: DiscrepancyQuery | None = None,
    ids: Sequence[int] | None = None,
) -> Op[StatusChange]:
    """Give discrepancies ``status`` and ``note``: those of ``ids`` (a change made again), or
    every one ``matching`` matches, or those of ``keys``."""
    chosen = list(keys or ())

    def work(_progress: Progress) -> StatusChange:
        if ids is not None:
            return changes.set_status_of(db, ids, status, note)
        if matching is not None:
            return changes.set_status_matching(db, matching, status, note)
        return changes.set_status_many(db, chosen, status, note)

    return Op(
        title="Set status",
        work=work,
        changes=(Changed.DISCREPANCIES,),
        says=_changed_sentence,
        cancellable=False,
    )


def restore_status(db: Database, change: StatusChange) -> Op[int]:
    """Take ``change`` back: every discrepancy it changed as it was before."""

    def says(n: int) -> str:
        noun = "discrepancy" if n == 1 else "discrepancies"
        return f"Undone: {n:,} {noun} back to what they were"

    return Op(
        title="Undo set status",
        work=lambda _progress: changes.restore(db, change.before),
        changes=(Changed.DISCREPANCIES,),
        says=says,
        cancellable=False,
    )


# --- links -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Linked:
    """A link made (or taken back), and the payer reconciled again over the months shown."""

    link: AliasLink
    #: None when nothing changed (the ID was already linked so)
    summary: ReconcileSummary | None
    #: False when taken back (unlinked)
    linked: bool = True

    @property
    def status_sentence(self) -> str:
        """The result for the status bar (no member data there: payer and what happened)."""
        code = self.link.payer_code
        if self.summary is None:
            return f"That {code} ID was already linked to that member."
        now = "now" if self.linked else "no longer"
        return f"An unknown {code} ID is {now} linked to a roster member; {code} reconciled again."

    @property
    def sentence(self) -> str:
        """The result for the page, naming the ID and the member."""
        link = self.link
        who = f"{link.name or link.member_id} ({link.member_id})"
        if self.summary is None:
            return f"ID {link.alias_id} was already linked to {who}."
        now = "now" if self.linked else "no longer"
        return f"ID {link.alias_id} is {now} linked to {who}; {link.payer_code} reconciled again."


def link_member(
    db: Database, row: DiscrepancyRow, member_id: str, first: Month, last: Month
) -> Op[Linked]:
    """Link the payer's unknown ID of ``row`` to roster member ``member_id``, then reconcile
    the payer over ``first``..``last`` so the payments count as the member's."""

    def work(_progress: Progress) -> Linked:
        link = link_alias(db, row.payer_code, row.member_id, member_id)
        if not link.created:
            return Linked(link, None)
        return Linked(link, reconcile(db, row.payer_code, first, last))

    return Op(
        title="Link to member",
        work=work,
        changes=(Changed.MEMBERS, Changed.DISCREPANCIES),
        says=lambda done: done.status_sentence,
        cancellable=False,
    )


def unlink_member(db: Database, link: AliasLink, first: Month, last: Month) -> Op[Linked]:
    """Take a link back (the ID is unknown again) and reconcile the payer again; a link that
    was there before (``created`` False) stays."""

    def work(_progress: Progress) -> Linked:
        if not link.created:
            return Linked(link, None)
        gone = unlink_alias(db, link.payer_code, link.alias_id)
        return Linked(gone, reconcile(db, link.payer_code, first, last), linked=False)

    return Op(
        title="Undo link to member",
        work=work,
        changes=(Changed.MEMBERS, Changed.DISCREPANCIES),
        says=lambda done: done.status_sentence,
        cancellable=False,
    )
