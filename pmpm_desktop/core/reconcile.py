"""Reconciliation (SPEC §7): give every member-month one kind, and summarise by month."""

from __future__ import annotations

import polars as pl

from pmpm_desktop.core.summary import KINDS, Kind

#: The remittance frame: one row per paid line of the payer in the range.
LINES_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "line_id": pl.Int64,
    "member_id": pl.Utf8,  # as the payer wrote it (normalised)
    "month": pl.Int32,  # Month.index of the coverage month
    "amount_cents": pl.Int64,
}
#: Which member each ID stands for: roster members under their own ID, and linked aliases.
IDS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "member_id": pl.Utf8,
    "member_pk": pl.Int64,
}


#: Month indexes stay below 10000 * 12; a stride above that keeps (member, month) keys unique.
_KEY_STRIDE = 200_000


def _sum_lines(lines: pl.DataFrame, key: str) -> pl.DataFrame:
    """Paid total, line count and duplicate flag per (key, month)."""
    sums = lines.group_by(key, "month").agg(
        paid_cents=pl.col("amount_cents").sum(),
        line_count=pl.len(),
        paid_id=pl.col("member_id").first(),
    )
    # Duplicates need several lines in one member-month: look only at those few.
    several = sums.filter(pl.col("line_count") >= 2).select(key, "month")
    dups = (
        lines.join(several, on=[key, "month"], how="semi")
        .filter(pl.col("amount_cents") > 0)
        .group_by(key, "month", "amount_cents")
        .len()
        .filter(pl.col("len") >= 2)
        .select(key, "month")
        .unique()
        .with_columns(has_duplicate_lines=pl.lit(True))
    )
    return sums.join(dups, on=[key, "month"], how="left").with_columns(
        pl.col("has_duplicate_lines").fill_null(False)
    )


def paid_member_months(lines: pl.DataFrame, ids: pl.DataFrame) -> pl.DataFrame:
    """Sum the payer's lines per member and coverage month (SPEC §5), noting duplicate lines.

    A line whose ID is a roster member's, or an alias linked to one, counts as that member's;
    other lines stay under the ID they were paid under (``member_pk`` null, ``paid_id`` set).
    """
    resolved = lines.cast(LINES_SCHEMA).join(  # type: ignore[arg-type]
        ids.cast(IDS_SCHEMA),  # type: ignore[arg-type]
        on="member_id",
        how="left",
    )
    columns = ["member_pk", "paid_id", "month", "paid_cents", "line_count", "has_duplicate_lines"]
    known = _sum_lines(resolved.filter(pl.col("member_pk").is_not_null()), "member_pk")
    unknown = _sum_lines(resolved.filter(pl.col("member_pk").is_null()), "member_id").with_columns(
        member_pk=pl.lit(None, dtype=pl.Int64)
    )
    return pl.concat([known.select(columns), unknown.select(columns)])


def classify(expected: pl.DataFrame, paid: pl.DataFrame, member_ids: pl.DataFrame) -> pl.DataFrame:
    """One row and one kind for every member-month that is eligible or has a paid line.

    ``expected`` is the engine's member-month frame; ``paid`` comes from :func:`paid_member_months`;
    ``member_ids`` maps member_pk to the member's own ID (member_pk, member_id).
    """
    exp = expected.select(
        "member_pk", "month", "eligible", "no_rate", "expected_cents", "tolerance_cents"
    )
    known = paid.filter(pl.col("member_pk").is_not_null()).drop("paid_id")
    unknown = paid.filter(pl.col("member_pk").is_null())
    # One integer key joins ~3x faster than the (member_pk, month) pair on 2.4M rows.
    key = pl.col("member_pk") * _KEY_STRIDE + pl.col("month")
    joined = (
        exp.with_columns(key=key)
        .join(
            known.with_columns(key=key).rename({"member_pk": "pk_paid", "month": "month_paid"}),
            on="key",
            how="full",
            coalesce=True,
        )
        .with_columns(
            member_pk=pl.coalesce("member_pk", "pk_paid"),
            month=pl.coalesce("month", "month_paid"),
        )
        .drop("key", "pk_paid", "month_paid")
    )
    joined = pl.concat(
        [
            joined.with_columns(unknown_id=pl.lit(None, dtype=pl.Utf8)),
            unknown.select(
                "member_pk",
                "month",
                "paid_cents",
                "line_count",
                "has_duplicate_lines",
                unknown_id=pl.col("paid_id"),
            ),
        ],
        how="diagonal_relaxed",
    ).with_columns(
        pl.col("eligible").fill_null(False),
        pl.col("no_rate").fill_null(False),
        pl.col("expected_cents").fill_null(0),
        pl.col("tolerance_cents").fill_null(1),
        pl.col("paid_cents").fill_null(0),
        pl.col("line_count").fill_null(0),
        pl.col("has_duplicate_lines").fill_null(False),
    )
    in_scope = joined.filter(pl.col("eligible") | (pl.col("line_count") > 0))
    exp_c, paid_c, tol = pl.col("expected_cents"), pl.col("paid_cents"), pl.col("tolerance_cents")
    kind = (
        pl.when(pl.col("member_pk").is_null())
        .then(pl.lit(Kind.UNKNOWN_MEMBER))
        .when(pl.col("eligible") & pl.col("no_rate"))
        .then(pl.lit(Kind.NO_RATE))
        .when(~pl.col("eligible") & (paid_c != 0))
        .then(pl.lit(Kind.NOT_ELIGIBLE))
        .when((exp_c > 0) & (paid_c == 0))
        .then(pl.lit(Kind.MISSING))
        .when(pl.col("has_duplicate_lines") & (paid_c > exp_c + tol))
        .then(pl.lit(Kind.DUPLICATE))
        .when(paid_c < exp_c - tol)
        .then(pl.lit(Kind.UNDERPAID))
        .when(paid_c > exp_c + tol)
        .then(pl.lit(Kind.OVERPAID))
        .otherwise(pl.lit(Kind.MATCHED))
    )
    return in_scope.join(
        member_ids.cast(IDS_SCHEMA),  # type: ignore[arg-type]
        on="member_pk",
        how="left",
    ).select(
        "member_pk",
        member_ref=pl.coalesce("member_id", "unknown_id"),
        month="month",
        expected_cents=exp_c,
        paid_cents=paid_c,
        variance_cents=paid_c - exp_c,
        eligible="eligible",
        kind=kind,
    )


def summarise(kinds: pl.DataFrame, first_index: int, last_index: int) -> pl.DataFrame:
    """Per coverage month: eligible members, paid members, expected, paid, variance, and the
    count and amount (sum of variance) of each kind; every month of the range is present."""
    months = pl.DataFrame(
        {"month": list(range(first_index, last_index + 1))}, schema={"month": pl.Int32}
    )
    aggs = [
        pl.col("eligible").sum().cast(pl.Int64).alias("eligible_members"),
        (pl.col("paid_cents") > 0).sum().cast(pl.Int64).alias("paid_members"),
        pl.col("expected_cents").sum().alias("expected_cents"),
        pl.col("paid_cents").sum().alias("paid_cents"),
    ]
    for kind in KINDS:
        is_kind = pl.col("kind") == kind
        aggs.append(is_kind.sum().cast(pl.Int64).alias(f"count_{kind}"))
        aggs.append(pl.col("variance_cents").filter(is_kind).sum().alias(f"amount_{kind}"))
    per_month = kinds.group_by("month").agg(aggs)
    return (
        months.join(per_month, on="month", how="left")
        .fill_null(0)
        .with_columns(variance_cents=pl.col("paid_cents") - pl.col("expected_cents"))
        .sort("month")
    )
