"""Reconcile a payer over a range of months: load frames, compute, classify, store discrepancies."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Connection, bindparam, select, update

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.expected import (
    ROSTER_SCHEMA,
    ContractTerms,
    Expected,
    RateTerms,
    compute_expected,
)
from pmpm_desktop.core.money import cents_to_money
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.reconcile import (
    IDS_SCHEMA,
    LINES_SCHEMA,
    classify,
    paid_member_months,
    summarise,
)
from pmpm_desktop.core.summary import (
    CLOSED_STATUSES,
    KINDS,
    Kind,
    MonthSummary,
    ReconcileSummary,
    Status,
)
from pmpm_desktop.db.bulk import insert_frame, inserted_ids, max_id
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.frame_cache import decode_frame
from pmpm_desktop.db.frames import read_frame, scaled
from pmpm_desktop.db.models import (
    Discrepancy,
    DiscrepancyEvent,
    Member,
    MemberAlias,
    Payer,
    RateRow,
    RemittanceImport,
    RemittanceLine,
    RosterImport,
    RosterRow,
    table_of,
)
from pmpm_desktop.errors import UsageError
from pmpm_desktop.progress import Cancelled, Progress, report, tell
from pmpm_desktop.progress import scaled as scaled_progress
from pmpm_desktop.services.discrepancies import discrepancy_rows
from pmpm_desktop.services.payer_level import with_payer_level
from pmpm_desktop.services.payers import contract_terms, get_payer, rate_terms
from pmpm_desktop.services.stale_discrepancies import (
    GONE_NOTE,
    delete_discrepancies,
    unmark_stale,
    worked_on,
)

STEPS = 5


@dataclass(frozen=True)
class PayerInputs:
    """Everything the engine reads for one payer and range."""

    payer_id: int
    payer_code: str
    payer_name: str
    roster: pl.DataFrame
    lines: pl.DataFrame
    #: member_pk → the member's own ID
    members: pl.DataFrame
    #: every ID a line may carry (own IDs and linked aliases) → member_pk
    ids: pl.DataFrame
    contracts: list[ContractTerms]
    rates: list[RateTerms]


def roster_query(payer_id: int, first: Month, member_pks: list[int] | None = None):  # type: ignore[no-untyped-def]
    """Rows of the payer's active imports that can speak about months from ``first`` on."""
    q = (
        select(
            RosterRow.id.label("row_id"),
            RosterRow.member_pk.label("member_pk"),
            RosterImport.roster_month.label("roster_month"),
            RosterRow.effective_date.label("effective_date"),
            RosterRow.term_date.label("term_date"),
            RosterRow.product.label("product"),
            RosterRow.rate_cell.label("rate_cell"),
            RosterRow.dob.label("dob"),
            RosterRow.sex.label("sex"),
            scaled(RosterRow.risk_score, 1_000_000, "risk_micro"),
        )
        .join(RosterImport, RosterRow.import_id == RosterImport.id)
        .where(
            RosterImport.payer_id == payer_id,
            RosterImport.active.is_(True),
            # An earlier roster month never speaks about a later one (SPEC §3).
            RosterImport.roster_month >= first,
        )
    )
    if member_pks is not None:
        q = q.where(RosterRow.member_pk.in_(member_pks))
    return q


def _cached_frames(
    db: Database, table: type[RosterImport] | type[RemittanceImport], where: list[Any]
) -> tuple[list[pl.DataFrame], list[int]]:
    """Decode the Arrow blobs of the imports matching ``where``; list the ones without a blob."""
    cache = RosterImport.rows_cache if table is RosterImport else RemittanceImport.lines_cache
    month = RosterImport.roster_month if table is RosterImport else None
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(table.id, month if month is not None else table.id, cache).where(*where)
        ).all()
    frames, missing = [], []
    for import_id, roster_month, blob in rows:
        if blob is None:
            missing.append(import_id)
            continue
        frame = decode_frame(blob)
        if table is RosterImport:
            assert isinstance(roster_month, Month)
            frame = frame.with_columns(roster_month=pl.lit(roster_month.index, dtype=pl.Int32))
        frames.append(frame)
    return frames, missing


def load_inputs(
    db: Database,
    payer_code: str,
    first: Month,
    last: Month,
    *,
    member_pks: list[int] | None = None,
    line_ids: list[str] | None = None,
) -> PayerInputs:
    """Everything the engine needs for a payer and range.

    Without ``member_pks`` the whole payer is read, from the imports' Arrow blobs; with it, only
    those members' rows (and the lines paid under ``line_ids``) are read from the tables.
    """
    with db.sessions() as s:
        payer = get_payer(s, payer_code)
        contracts = [contract_terms(c) for c in payer.contracts]
        rate_rows = s.scalars(
            select(RateRow).where(RateRow.contract_id.in_([c.id for c in contracts]))
        ).all()
        rates = [rate_terms(r) for r in rate_rows]
        payer_id, code, name = payer.id, payer.code, payer.name
    lines_q = select(
        RemittanceLine.id.label("line_id"),
        RemittanceLine.member_id.label("member_id"),
        RemittanceLine.coverage_month.label("month"),
        scaled(RemittanceLine.amount, 100, "amount_cents"),
    ).where(
        RemittanceLine.payer_id == payer_id,
        RemittanceLine.coverage_month >= first,
        RemittanceLine.coverage_month <= last,
    )
    if member_pks is not None:
        roster = read_frame(db, roster_query(payer_id, first, member_pks), ROSTER_SCHEMA)
        lines = read_frame(
            db, lines_q.where(RemittanceLine.member_id.in_(line_ids or [])), LINES_SCHEMA
        )
    else:
        frames, missing = _cached_frames(
            db,
            RosterImport,
            [
                RosterImport.payer_id == payer_id,
                RosterImport.active.is_(True),
                RosterImport.roster_month >= first,
            ],
        )
        if missing:
            frames.append(
                read_frame(
                    db,
                    roster_query(payer_id, first).where(RosterRow.import_id.in_(missing)),
                    ROSTER_SCHEMA,
                )
            )
        roster = (
            pl.concat([f.select(list(ROSTER_SCHEMA)).cast(ROSTER_SCHEMA) for f in frames])  # type: ignore[arg-type]
            if frames
            else pl.DataFrame(schema=ROSTER_SCHEMA)
        )
        line_frames, missing = _cached_frames(
            db, RemittanceImport, [RemittanceImport.payer_id == payer_id]
        )
        if missing:
            line_frames.append(
                read_frame(db, lines_q.where(RemittanceLine.import_id.in_(missing)), LINES_SCHEMA)
            )
        lines = (
            pl.concat([f.cast(LINES_SCHEMA) for f in line_frames])  # type: ignore[arg-type]
            if line_frames
            else pl.DataFrame(schema=LINES_SCHEMA)
        ).filter(pl.col("month").is_between(first.index, last.index))
    members_q = select(Member.member_id.label("member_id"), Member.id.label("member_pk")).where(
        Member.payer_id == payer_id
    )
    aliases_q = select(
        MemberAlias.alias_id.label("member_id"), MemberAlias.member_pk.label("member_pk")
    ).where(MemberAlias.payer_id == payer_id)
    members = read_frame(db, members_q, IDS_SCHEMA)
    ids = pl.concat([members, read_frame(db, aliases_q, IDS_SCHEMA)])
    return PayerInputs(payer_id, code, name, roster, lines, members, ids, contracts, rates)


def compute(
    inputs: PayerInputs, first: Month, last: Month, *, with_components: bool = False
) -> tuple[Expected, pl.DataFrame]:
    """The engine and the classification, with nothing read or written."""
    expected = compute_expected(
        inputs.roster, inputs.contracts, inputs.rates, first, last, with_components=with_components
    )
    paid = paid_member_months(inputs.lines, inputs.ids)
    kinds = classify(expected.member_months, paid, inputs.members)
    return expected, kinds


def reconcile(
    db: Database, payer_code: str, first: Month, last: Month, progress: Progress | None = None
) -> ReconcileSummary:
    """Reconcile, store the discrepancies (keeping statuses and notes), and summarise."""
    return reconcile_classified(db, payer_code, first, last, progress)[0]


def reconcile_classified(
    db: Database, payer_code: str, first: Month, last: Month, progress: Progress | None = None
) -> tuple[ReconcileSummary, pl.DataFrame]:
    """``reconcile``, also handing back the engine's classified member-months (``classify``'s
    frame: every member-month with its kind), which the report's member ledger is made of."""
    if last < first:
        raise UsageError(f"the range ends ({last}) before it starts ({first})")
    if first.months_until(last) > 240:
        raise UsageError("reconcile at most 20 years at a time")
    report(progress, 0, STEPS)
    inputs = load_inputs(db, payer_code, first, last)
    report(progress, 1, STEPS)
    expected, kinds = compute(inputs, first, last)
    report(progress, 2, STEPS)
    months = summarise(kinds, first.index, last.index)
    report(progress, 3, STEPS)
    with db.engine.begin() as conn:
        store_discrepancies(conn, db, inputs.payer_id, first, last, kinds)
    # Stored: from here a Cancel cannot undo anything, so the reports no longer ask.
    tell(progress, 4, STEPS)
    summary = build_summary(db, inputs.payer_code, inputs.payer_name, first, last, months)
    summary = with_payer_level(db, inputs.payer_id, summary, expected.member_months)
    tell(progress, 5, STEPS)
    return summary, kinds


def month_summaries(months: pl.DataFrame) -> list[MonthSummary]:
    """The rows of :func:`~pmpm_desktop.core.reconcile.summarise` as MonthSummary values."""
    month_rows = []
    for r in months.iter_rows(named=True):
        month_rows.append(
            MonthSummary(
                month=Month.from_index(r["month"]),
                eligible_members=r["eligible_members"],
                paid_members=r["paid_members"],
                expected=cents_to_money(r["expected_cents"]),
                paid=cents_to_money(r["paid_cents"]),
                variance=cents_to_money(r["variance_cents"]),
                counts={k: r[f"count_{k}"] for k in KINDS},
                amounts={k: cents_to_money(r[f"amount_{k}"]) for k in KINDS},
            )
        )
    return month_rows


def build_summary(
    db: Database, code: str, name: str, first: Month, last: Month, months: pl.DataFrame
) -> ReconcileSummary:
    month_rows = month_summaries(months)
    totals = months.select(pl.col("expected_cents").sum(), pl.col("paid_cents").sum()).row(0)
    counts: dict[str, int] = {k: int(months[f"count_{k}"].sum()) for k in KINDS}
    return ReconcileSummary(
        payer_code=code,
        payer_name=name,
        first=first,
        last=last,
        months=month_rows,
        counts=counts,
        expected=cents_to_money(totals[0]),
        paid=cents_to_money(totals[1]),
        variance=cents_to_money(totals[1] - totals[0]),
        discrepancies=discrepancy_rows(db, payer_code=code, first=first, last=last),
    )


_EXISTING_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "id": pl.Int64,
    "member_ref": pl.Utf8,
    "month": pl.Int32,
    "old_kind": pl.Utf8,
    "old_expected": pl.Int64,
    "old_paid": pl.Int64,
    "status": pl.Utf8,
    "auto_resolved": pl.Boolean,
    "stale": pl.Boolean,
}


def _existing(db: Database, payer_id: int, first: Month, last: Month) -> pl.DataFrame:
    q = select(
        Discrepancy.id.label("id"),
        Discrepancy.member_id.label("member_ref"),
        Discrepancy.month.label("month"),
        Discrepancy.kind.label("old_kind"),
        scaled(Discrepancy.expected, 100, "old_expected"),
        scaled(Discrepancy.paid, 100, "old_paid"),
        Discrepancy.status.label("status"),
        Discrepancy.auto_resolved.label("auto_resolved"),
        Discrepancy.stale.label("stale"),
    ).where(Discrepancy.payer_id == payer_id, Discrepancy.month >= first, Discrepancy.month <= last)
    return read_frame(db, q, _EXISTING_SCHEMA)


def store_discrepancies(
    conn: Connection, db: Database, payer_id: int, first: Month, last: Month, kinds: pl.DataFrame
) -> None:
    """Bring the stored discrepancies in line with ``kinds`` (SPEC §7), with a dated history.

    New differences are inserted as ``open``; changed ones get their amounts refreshed (a person's
    status and notes stay); ones that no longer differ are closed as ``resolved`` by the
    reconciliation, and reopened if a later run finds a difference again.

    A ``stale`` one (its roster was replaced or rolled back, or its statement rolled back: see
    services/stale_discrepancies.py) is treated as a fresh reconciliation would treat it: still
    a difference → as above, unmarked; no longer a difference → deleted with its history, or,
    when a person worked on it, closed with a note saying why.
    """
    at = now()
    existing = _existing(db, payer_id, first, last)
    current = kinds.select(
        "member_ref", "month", "kind", "expected_cents", "paid_cents", "variance_cents"
    )
    found = current.filter(pl.col("kind") != Kind.MATCHED)
    merged = found.join(existing, on=["member_ref", "month"], how="left")
    table = table_of(Discrepancy)
    events = table_of(DiscrepancyEvent)

    # 1. New discrepancies.
    # in key order: the index takes appends, and the same reconcile numbers them alike
    new = merged.filter(pl.col("id").is_null()).sort("month", "member_ref")
    if new.height:
        before = max_id(conn, table)
        insert_frame(
            conn,
            table,
            new.select(
                pl.lit(payer_id).alias("payer_id"),
                pl.col("member_ref").alias("member_id"),
                "month",
                "kind",
                pl.col("expected_cents").alias("expected"),
                pl.col("paid_cents").alias("paid"),
                pl.col("variance_cents").alias("variance"),
                pl.lit(Status.OPEN).alias("status"),
                pl.lit(False).alias("auto_resolved"),
                pl.lit(at).alias("created_at"),
                pl.lit(at).alias("updated_at"),
            ),
            {"expected": "cents", "paid": "cents", "variance": "cents", "month": "month"},
        )
        new_ids = inserted_ids(conn, table, before, new.height)
        if new_ids is not None:
            ids = pl.DataFrame([new_ids])
        else:
            ids = _ids_after_insert(conn, payer_id, first, last).join(
                new.select("member_ref", "month"), on=["member_ref", "month"], how="semi"
            )
        insert_frame(
            conn,
            events,
            ids.select(
                pl.col("id").alias("discrepancy_id"),
                pl.lit(at).alias("at"),
                pl.lit("created").alias("event"),
                pl.lit(None, dtype=pl.Utf8).alias("old_status"),
                pl.lit(Status.OPEN).alias("new_status"),
                pl.lit(None, dtype=pl.Utf8).alias("note"),
                pl.lit("reconcile").alias("actor"),
            ),
        )

    # 2. Still differing, with new amounts or kind; an auto-resolved one is reopened.
    changed = (
        merged.filter(
            pl.col("id").is_not_null()
            & (
                (pl.col("kind") != pl.col("old_kind"))
                | (pl.col("expected_cents") != pl.col("old_expected"))
                | (pl.col("paid_cents") != pl.col("old_paid"))
                | (pl.col("status").is_in(list(CLOSED_STATUSES)) & pl.col("auto_resolved"))
            )
        )
        .with_columns(
            reopen=pl.col("status").is_in(list(CLOSED_STATUSES)) & pl.col("auto_resolved"),
        )
        .with_columns(
            new_status=pl.when(pl.col("reopen"))
            .then(pl.lit(Status.OPEN))
            .otherwise(pl.col("status")),
        )
    )
    # 3. No longer a difference: close what is still open or disputed.
    gone = (
        existing.join(found.select("member_ref", "month"), on=["member_ref", "month"], how="anti")
        .join(current, on=["member_ref", "month"], how="left")
        .with_columns(
            pl.col("expected_cents").fill_null(0),
            pl.col("paid_cents").fill_null(0),
            pl.col("variance_cents").fill_null(0),
            pl.col("kind").fill_null(Kind.MATCHED),
        )
        .with_columns(
            note=pl.when((pl.col("kind") == Kind.MATCHED) & (pl.col("paid_cents") != 0))
            .then(pl.lit("paid in a later remittance"))
            .otherwise(pl.lit("no longer a difference"))
        )
    )
    ghosts = gone.filter(pl.col("stale"))
    if ghosts.height:
        # A fresh reconciliation would not have them: gone, unless a person worked on them.
        worked = worked_on(conn, payer_id, first, last)
        delete_discrepancies(conn, ghosts.join(worked, on="id", how="anti")["id"].to_list())
        ghosts = ghosts.join(worked, on="id", how="semi").with_columns(note=pl.lit(GONE_NOTE))
        gone = pl.concat([gone.filter(~pl.col("stale")), ghosts])
    _apply_updates(conn, changed, gone.filter(~pl.col("status").is_in(list(CLOSED_STATUSES))), at)
    if existing["stale"].any():
        # What is left of them was judged now, as a fresh reconciliation would judge it.
        unmark_stale(conn, payer_id, first, last)


def _ids_after_insert(conn: Connection, payer_id: int, first: Month, last: Month) -> pl.DataFrame:
    rows = conn.execute(
        select(Discrepancy.id, Discrepancy.member_id, Discrepancy.month).where(
            Discrepancy.payer_id == payer_id, Discrepancy.month >= first, Discrepancy.month <= last
        )
    ).all()
    return pl.DataFrame(
        {
            "id": [r[0] for r in rows],
            "member_ref": [r[1] for r in rows],
            "month": [r[2].index for r in rows],
        },
        schema={"id": pl.Int64, "member_ref": pl.Utf8, "month": pl.Int32},
    )


def _money_note(r: dict[str, object]) -> str:
    return (
        f"{r['old_kind']} → {r['kind']}: expected {cents_to_money(r['old_expected'])} → "
        f"{cents_to_money(r['expected_cents'])}, paid {cents_to_money(r['old_paid'])} → "
        f"{cents_to_money(r['paid_cents'])}"
    )


def _apply_updates(
    conn: Connection, changed: pl.DataFrame, closing: pl.DataFrame, at: object
) -> None:
    table = table_of(Discrepancy)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            kind=bindparam("b_kind"),
            expected=bindparam("b_expected"),
            paid=bindparam("b_paid"),
            variance=bindparam("b_variance"),
            status=bindparam("b_status"),
            auto_resolved=bindparam("b_auto"),
            updated_at=bindparam("b_at"),
        )
    )
    params = []
    event_rows = []
    for r in changed.iter_rows(named=True):
        params.append(
            {
                "b_id": r["id"],
                "b_kind": r["kind"],
                "b_expected": cents_to_money(r["expected_cents"]),
                "b_paid": cents_to_money(r["paid_cents"]),
                "b_variance": cents_to_money(r["variance_cents"]),
                "b_status": r["new_status"],
                "b_auto": False if r["reopen"] else r["auto_resolved"],
                "b_at": at,
            }
        )
        if (r["kind"], r["expected_cents"], r["paid_cents"]) != (
            r["old_kind"],
            r["old_expected"],
            r["old_paid"],
        ):
            event_rows.append(
                {
                    "discrepancy_id": r["id"],
                    "at": at,
                    "event": "amounts",
                    "old_status": r["status"],
                    "new_status": r["status"],
                    "note": _money_note(r),
                    "actor": "reconcile",
                }
            )
        if r["reopen"]:
            event_rows.append(
                {
                    "discrepancy_id": r["id"],
                    "at": at,
                    "event": "status",
                    "old_status": r["status"],
                    "new_status": Status.OPEN,
                    "note": "a difference again after new files",
                    "actor": "reconcile",
                }
            )
    for r in closing.iter_rows(named=True):
        params.append(
            {
                "b_id": r["id"],
                "b_kind": r["old_kind"],
                "b_expected": cents_to_money(r["expected_cents"]),
                "b_paid": cents_to_money(r["paid_cents"]),
                "b_variance": cents_to_money(r["variance_cents"]),
                "b_status": Status.RESOLVED,
                "b_auto": True,
                "b_at": at,
            }
        )
        event_rows.append(
            {
                "discrepancy_id": r["id"],
                "at": at,
                "event": "status",
                "old_status": r["status"],
                "new_status": Status.RESOLVED,
                "note": r["note"],
                "actor": "reconcile",
            }
        )
    if params:
        conn.execute(stmt, params)
    if event_rows:
        conn.execute(table_of(DiscrepancyEvent).insert(), event_rows)


def reconcile_payers(
    db: Database,
    codes: Sequence[str] | None,
    first: Month,
    last: Month,
    progress: Progress | None = None,
    *,
    each: Callable[[ReconcileSummary, pl.DataFrame], None] | None = None,
    cancelled: str = "cancelled",
    ranges: Mapping[str, tuple[Month, Month]] | None = None,
) -> list[ReconcileSummary]:
    """Reconcile several payers (``None``: every payer, by code), each in its own transaction,
    with one progress bar across them, over ``first``..``last`` or the payer's own range in
    ``ranges`` (the report's months each payer has files for). A cancel keeps the payers
    already reconciled and says which (``Cancelled``; its message starts with
    ``cancelled``). ``each(summary, kinds)`` is called after each payer with its classified
    member-months (see ``reconcile_classified``), so a caller keeps what it needs of them
    without holding every payer's frame."""
    if codes is None:
        with db.sessions() as s:
            codes = list(s.scalars(select(Payer.code).order_by(Payer.code)))
    total = len(codes) * STEPS
    done: list[ReconcileSummary] = []
    for i, code in enumerate(codes):
        phase = scaled_progress(progress, i * STEPS, STEPS, total)
        start, end = ranges.get(code, (first, last)) if ranges is not None else (first, last)
        try:
            summary, kinds = reconcile_classified(db, code, start, end, phase)
        except Cancelled:
            # asked before the payer's commit: the payers before it are what was kept
            raise Cancelled(_kept(cancelled, done, codes)) from None
        if each is not None:
            each(summary, kinds)
        done.append(summary)
    return done


def _kept(cancelled: str, done: Sequence[ReconcileSummary], codes: Sequence[str]) -> str:
    if not done:
        return f"{cancelled}: nothing was changed"
    kept = ", ".join(s.payer_code for s in done)
    left = ", ".join(codes[len(done) :])
    return f"{cancelled}: {kept} reconciled; {left} not reconciled"
