"""Status changes on many discrepancies at once, and taking them back (Edit ▸ Undo), on the demo
practice: what a change replaced is put back exactly, and the history says so."""

from __future__ import annotations

import dataclasses

import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.errors import UsageError
from pmpm_desktop.services import discrepancy_query as dq
from pmpm_desktop.services.audit import actor_for
from pmpm_desktop.services.discrepancies import discrepancy_rows, history, set_status
from pmpm_desktop.services.discrepancy_status import (
    restore,
    set_status_many,
    set_status_matching,
    set_status_of,
)
from pmpm_desktop.services.disputes import dispute_facts


def _by_key(db: Database) -> dict:  # type: ignore[type-arg]
    return {(r.payer_code, r.member_id, r.month): r for r in discrepancy_rows(db)}


def test_set_status_many_one_event_each(demo: Database) -> None:
    rows = discrepancy_rows(demo)[:3]
    keys = [(r.payer_code, r.member_id, r.month) for r in rows]
    change = set_status_many(demo, keys, "disputed", "  called the payer  ")
    assert change.count == 3 and change.note == "called the payer"
    assert [b.status for b in change.before] == ["open"] * 3
    for code, member, month in keys:
        entries = history(demo, code, member, month)
        assert [(e.event, e.new_status, e.note, e.actor) for e in entries[-1:]] == [
            ("status", "disputed", "called the payer", actor_for(demo))
        ]
        assert sum(e.actor != "reconcile" for e in entries) == 1
    after = _by_key(demo)
    assert all(
        after[k].status == "disputed" and after[k].last_note == "called the payer" for k in keys
    )
    # Same status and no note: nothing to record, nothing to undo.
    assert set_status_many(demo, keys, "disputed").count == 0
    assert dq.count(demo, dq.DiscrepancyQuery(statuses=("disputed",))) == 3


def test_set_status_many_is_all_or_nothing(demo: Database) -> None:
    first = discrepancy_rows(demo)[0]
    keys = [(first.payer_code, first.member_id, first.month), ("SUN", "000000000", Month(2026, 1))]
    with pytest.raises(UsageError, match="nothing was changed"):
        set_status_many(demo, keys, "written_off")
    assert discrepancy_rows(demo)[0].status == "open"
    with pytest.raises(UsageError):
        set_status_many(demo, keys[:1], "closed")


def test_set_status_matching(demo: Database) -> None:
    query = dq.DiscrepancyQuery(payers=("HCA",), kinds=("underpaid",))
    n = dq.count(demo, query)
    assert n > 0
    assert set_status_matching(demo, query, "resolved", "paid on appeal").count == n
    assert dq.count(demo, dq.DiscrepancyQuery(payers=("HCA",), statuses=("resolved",))) == n
    # set_status shares the event writing: a note alone is a "note" event.
    r = discrepancy_rows(demo, payer_code="HCA", kind="underpaid")[0]
    set_status(demo, "HCA", r.member_id, r.month, "resolved", "second note")
    assert history(demo, "HCA", r.member_id, r.month)[-1].event == "note"


def test_undo_puts_back_the_status_and_the_note_before(demo: Database) -> None:
    rows = discrepancy_rows(demo)[:3]
    keys = [(r.payer_code, r.member_id, r.month) for r in rows]
    set_status_many(demo, keys[:1], "open", "first note")  # a note alone
    before = _by_key(demo)
    assert before[keys[0]].last_note == "first note"
    change = set_status_many(demo, keys, "disputed", "asked the payer")
    assert {b.note for b in change.before} == {"first note", None}
    assert restore(demo, change.before) == 3
    after = _by_key(demo)
    assert after == before  # status, last note, everything the grid shows
    entries = history(demo, *keys[0])
    assert [(e.event, e.old_status, e.new_status, e.note) for e in entries[-3:]] == [
        ("note", "open", "open", "first note"),
        ("undone", "open", "disputed", "asked the payer"),  # kept, no longer counted
        ("undo", "disputed", "open", None),
    ]
    # an undone dispute is no dispute
    assert not [f for f in dispute_facts(demo) if (f.payer_code, f.member_id, f.month) in keys]
    # made again (redo): the same discrepancies, by id
    again = set_status_of(demo, change.ids, "disputed", "asked the payer")
    assert again.ids == change.ids
    assert all(r.status == "disputed" for k, r in _by_key(demo).items() if k in keys)
    assert len(dispute_facts(demo)) == 3


def test_undo_of_a_removed_discrepancy_changes_nothing(demo: Database) -> None:
    rows = discrepancy_rows(demo)[:2]
    keys = [(r.payer_code, r.member_id, r.month) for r in rows]
    change = set_status_many(demo, keys, "written_off")
    gone = dataclasses.replace(change.before[0], discrepancy_id=10**9)
    with pytest.raises(UsageError, match="no longer exist"):
        restore(demo, [gone, change.before[1]])
    assert {r.status for k, r in _by_key(demo).items() if k in keys} == {"written_off"}
