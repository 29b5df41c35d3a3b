"""An 834 change file applied to the latest roster (services/change_file.py), against a plain
reference written with dicts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.machine_file import CHANGE, RosterChange
from pmpm_desktop.io.roster_file import ROSTER_SCHEMA
from pmpm_desktop.services.change_file import apply_changes, change_counts, change_sentence

_IDS = st.sampled_from(["A1", "A2", "A3", "A4", "A5"])
_DATES = st.one_of(st.none(), st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)))
_TEXT = st.one_of(st.none(), st.sampled_from(["MCD", "CHIP", "X"]))


def _row(member_id: str, row: int, **values: Any) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(ROSTER_SCHEMA)
    out.update(member_id=member_id, source_row=row, **values)
    return out


@st.composite
def _rows(draw: st.DrawFn, changes: bool) -> list[dict[str, Any]]:
    ids = draw(st.lists(_IDS, max_size=5, unique=not changes))
    rows = []
    for i, member_id in enumerate(ids, start=1):
        row = _row(
            member_id,
            i,
            last_name=draw(st.one_of(st.none(), st.just(f"L{i}"))),
            product=draw(_TEXT),
            rate_cell=draw(_TEXT),
            effective_date=draw(_DATES),
            term_date=draw(_DATES),
        )
        if changes:
            row[CHANGE] = draw(st.sampled_from(list(RosterChange))).value
        rows.append(row)
    if changes:  # one change per member, as an 834 has one INS loop per member
        rows = list({r["member_id"]: r for r in rows}.values())
    return rows


def _frame(rows: list[dict[str, Any]], changes: bool) -> pl.DataFrame:
    schema = dict(ROSTER_SCHEMA) | ({CHANGE: pl.String} if changes else {})
    return pl.DataFrame(rows, schema=schema)


def _reference(base: list[dict[str, Any]], changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    named = {c["member_id"] for c in changes}
    out = [dict(r) for r in base if r["member_id"] not in named]
    last = {r["member_id"]: r for r in base}
    for c in changes:
        before = last.get(c["member_id"], {})
        row = {k: v for k, v in c.items() if k != CHANGE}
        for k in ROSTER_SCHEMA:
            if k in ("member_id", "source_row", "term_date"):
                continue
            if row[k] is None:
                row[k] = before.get(k)
        if c[CHANGE] != RosterChange.REINSTATE.value and row["term_date"] is None:
            row["term_date"] = before.get("term_date")
        out.append(row)
    return out


def _key(r: dict[str, Any]) -> tuple[str, int]:
    return (r["member_id"], r["source_row"])


@settings(max_examples=150, deadline=None)
@given(_rows(changes=False), _rows(changes=True))
def test_changes_apply_as_the_reference_says(
    base: list[dict[str, Any]], changes: list[dict[str, Any]]
) -> None:
    got = apply_changes(_frame(base, False), _frame(changes, True))
    assert got.schema == pl.Schema(ROSTER_SCHEMA)
    assert sorted(got.to_dicts(), key=_key) == sorted(_reference(base, changes), key=_key)


def test_a_term_keeps_the_member_and_ends_the_span() -> None:
    base = _frame(
        [
            _row("A1", 2, last_name="DOE", product="MCD", effective_date=dt.date(2026, 1, 1)),
            _row("A2", 3, last_name="ROE", product="MCD", effective_date=dt.date(2026, 1, 1)),
        ],
        False,
    )
    changes = _frame(
        [_row("A1", 14, term_date=dt.date(2026, 3, 31)) | {CHANGE: RosterChange.TERM.value}],
        True,
    )
    got = {r["member_id"]: r for r in apply_changes(base, changes).to_dicts()}
    assert got["A1"]["last_name"] == "DOE"
    assert got["A1"]["product"] == "MCD"
    assert got["A1"]["effective_date"] == dt.date(2026, 1, 1)
    assert got["A1"]["term_date"] == dt.date(2026, 3, 31)
    assert got["A2"]["term_date"] is None
    counts = change_counts(changes)
    assert counts[RosterChange.TERM] == 1
    assert change_sentence(counts, Month(2026, 2)) == (
        "a change file: 1 term applied to the roster of 2026-02"
    )
