"""An 834 change file (BGN08 = 2) applied on top of the payer's latest roster (issue 10).

The file lists only what changed: adds (INS03 021), terms (024), changes (001) and
reinstatements (025). Applied to the latest roster it gives the whole roster of the month,
stored as any roster is, so the roster diff shows each change and reconciliation needs no
notion of change files at all.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import select

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.frames import read_frame, scaled
from pmpm_desktop.db.models import Member, RosterImport, RosterRow
from pmpm_desktop.io.machine_file import CHANGE, RosterChange
from pmpm_desktop.io.roster_file import ROSTER_SCHEMA
from pmpm_desktop.io.table import SOURCE_ROW

#: the roster columns a change row carries over from the member's row when it leaves them blank
_KEPT = [c for c in ROSTER_SCHEMA if c not in ("member_id", SOURCE_ROW)]


def change_sentence(counts: dict[RosterChange, int], base_month: Month | None) -> str:
    """ "A change file: 3 adds, 1 term applied to the roster of 2026-02"."""
    done = ", ".join(f"{n} {kind.value}{'s' if n != 1 else ''}" for kind, n in counts.items() if n)
    base = (
        f"the roster of {base_month}"
        if base_month is not None
        else "an empty roster (the payer had no roster yet)"
    )
    return f"a change file: {done or 'no changes'} applied to {base}"


def latest_roster(db: Database, payer_id: int, month: Month) -> tuple[Month | None, pl.DataFrame]:
    """The rows of the payer's active roster of the latest month up to ``month`` (or of any
    month when none is that early), in the roster reader's columns."""
    with db.sessions() as s:
        found = s.execute(
            select(RosterImport.id, RosterImport.roster_month)
            .where(RosterImport.payer_id == payer_id, RosterImport.active.is_(True))
            .order_by(
                (RosterImport.roster_month <= month).desc(),
                RosterImport.roster_month.desc(),
                RosterImport.id.desc(),
            )
        ).first()
    empty = pl.DataFrame(schema=ROSTER_SCHEMA)
    if found is None:
        return None, empty
    import_id, roster_month = found
    columns: list[Any] = [
        Member.member_id.label("member_id"),
        *(getattr(RosterRow, c).label(c) for c in _KEPT if c != "risk_score"),
        scaled(RosterRow.risk_score, 1_000_000, "risk_score"),
        RosterRow.source_row.label(SOURCE_ROW),
    ]
    q = (
        select(*columns)
        .join(Member, Member.id == RosterRow.member_pk)
        .where(RosterRow.import_id == import_id)
    )
    return roster_month, read_frame(db, q, ROSTER_SCHEMA)


def apply_changes(base: pl.DataFrame, changes: pl.DataFrame) -> pl.DataFrame:
    """``base`` (a whole roster) with ``changes`` (roster rows with a ``change`` column) applied.

    A member a change names loses every row of the base; the change row takes their place,
    with the blanks of a term or change filled from the member's last base row (a term file
    often carries only the ID and the term date). A reinstatement clears the term date unless
    it gives one. Members no change names keep their rows. Rows keep the change file's row
    numbers; the base's rows keep theirs, so the diff can point at either file.
    """
    changes = changes.with_columns(pl.col(CHANGE).cast(pl.String))
    touched = changes.select("member_id").unique()
    last_base = base.join(touched, on="member_id", how="semi").unique(
        "member_id", keep="last", maintain_order=True
    )
    filled = changes.join(last_base, on="member_id", how="left", suffix="_base")
    fill = [
        pl.coalesce(pl.col(c), pl.col(f"{c}_base")).alias(c)
        for c in _KEPT
        if c not in ("term_date",)
    ]
    term = (
        pl.when(pl.col(CHANGE) == RosterChange.REINSTATE.value)
        .then(pl.col("term_date"))
        .otherwise(pl.coalesce(pl.col("term_date"), pl.col("term_date_base")))
        .alias("term_date")
    )
    applied = filled.with_columns(*fill, term).select(list(ROSTER_SCHEMA))
    kept = base.join(touched, on="member_id", how="anti")
    return pl.concat([kept, applied.cast(pl.Schema(ROSTER_SCHEMA))], how="vertical")


def change_counts(changes: pl.DataFrame) -> dict[RosterChange, int]:
    counts = dict(changes[CHANGE].cast(pl.String).value_counts().iter_rows())
    return {kind: int(counts.get(kind.value, 0)) for kind in RosterChange}
