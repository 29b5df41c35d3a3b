"""What every member-month should have paid (SPEC §3–§4), computed set-wise with polars.

The engine works on whole frames so 100k members × 24 months take seconds, and it is also the
one implementation behind "why this amount": the explanation of a single member-month is this
same computation restricted to one member (see ``services.explain``), read column by column.

Money is integer cents and the risk score integer millionths throughout, so every product and
rounding is exact; half-up rounding is done in integers (``_div_half_up``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from pmpm_desktop.core.eligibility import EligibilityRule
from pmpm_desktop.core.money import money_to_cents
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.rates import BASE_COMPONENT, rate_cell_key

RISK_SCALE = 1_000_000  # risk scores are integer millionths
WITHHOLD_SCALE = 10_000  # withhold % is integer ten-thousandths of a percent
_FAR = 10**6  # a month index beyond any real month: "open-ended"

#: The roster frame the engine reads: one row per stored roster row of an active import.
ROSTER_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "row_id": pl.Int64,
    "member_pk": pl.Int64,
    "roster_month": pl.Int32,  # Month.index of the import's roster month
    "effective_date": pl.Date,
    "term_date": pl.Date,
    "product": pl.Utf8,
    "rate_cell": pl.Utf8,
    "dob": pl.Date,
    "sex": pl.Utf8,
    "risk_micro": pl.Int64,
}


@dataclass(frozen=True)
class ContractTerms:
    """The parts of a contract the engine needs."""

    id: int
    name: str
    product_codes: tuple[str, ...]
    effective_from: Month
    effective_to: Month | None
    rule: EligibilityRule
    age_basis: str = "first-of-month"
    risk_adjusted: bool = False
    withhold_pct: Decimal = Decimal("0")
    tolerance: Decimal = Decimal("0.01")


@dataclass(frozen=True)
class RateTerms:
    """One stored rate row."""

    id: int
    contract_id: int
    effective_from: Month
    effective_to: Month | None
    component: str
    rate_cell: str | None
    sex: str | None
    age_min: int | None
    age_max: int | None
    amount: Decimal


@dataclass(frozen=True)
class Expected:
    """The engine's result.

    ``member_months``: one row per member-month some roster speaks about (eligible or not):
    member_pk, month (index), row_id and roster_month of the deciding row, contract_id,
    fraction_num/fraction_den, eligible, no_rate, age, sex, rate_cell, risk_micro,
    capitation_cents (after risk, before withhold), withhold_cents, expected_cents,
    tolerance_cents.
    ``components``: one row per member-month and matched rate row: member_pk, month,
    component, rate_row_id, rate_cents, amount_cents (before withhold).
    """

    member_months: pl.DataFrame
    components: pl.DataFrame


def _div_half_up(num: pl.Expr, den: pl.Expr | int) -> pl.Expr:
    """num / den rounded half away from zero, exactly, for integer expressions (den > 0)."""
    den_e = den if isinstance(den, pl.Expr) else pl.lit(den, dtype=pl.Int64)
    q = (2 * num.abs() + den_e) // (2 * den_e)
    return pl.when(num < 0).then(-q).otherwise(q)


def _first_day(idx: pl.Expr) -> pl.Expr:
    return pl.date(idx // 12, idx % 12 + 1, 1)


def _month_idx(day: pl.Expr) -> pl.Expr:
    return day.dt.year().cast(pl.Int32) * 12 + day.dt.month().cast(pl.Int32) - 1


def _empty_result() -> Expected:
    mm = pl.DataFrame(
        schema={
            "member_pk": pl.Int64,
            "month": pl.Int32,
            "row_id": pl.Int64,
            "roster_month": pl.Int32,
            "contract_id": pl.Int64,
            "fraction_num": pl.Int64,
            "fraction_den": pl.Int64,
            "eligible": pl.Boolean,
            "no_rate": pl.Boolean,
            "age": pl.Int32,
            "sex": pl.Utf8,
            "rate_cell": pl.Utf8,
            "risk_micro": pl.Int64,
            "capitation_cents": pl.Int64,
            "withhold_cents": pl.Int64,
            "expected_cents": pl.Int64,
            "tolerance_cents": pl.Int64,
        }
    )
    comps = pl.DataFrame(
        schema={
            "member_pk": pl.Int64,
            "month": pl.Int32,
            "component": pl.Utf8,
            "rate_row_id": pl.Int64,
            "rate_cents": pl.Int64,
            "amount_cents": pl.Int64,
        }
    )
    return Expected(mm, comps)


def deciding_rows(roster: pl.DataFrame, first: Month, last: Month) -> pl.DataFrame:
    """For each member-month in [first, last] some roster speaks about, the rows that decide it.

    Latest word wins (SPEC §3): an import for roster month R speaks about M when M = R, or when
    M < R and the row's effective date is on or before M's last day. Taking a member's imports
    from the latest R down, import k decides the months of [s_k, R_k] that no later import
    claimed, which are those below the smallest s of the later imports — a running minimum, so
    no member-month is ever materialised twice.
    """
    rows = roster.with_columns(
        eff=pl.coalesce("effective_date", _first_day(pl.col("roster_month"))),
        term=pl.when(pl.col("effective_date").is_null() & pl.col("term_date").is_null())
        .then(_first_day(pl.col("roster_month")).dt.month_end())
        .otherwise(pl.col("term_date")),
    ).with_columns(speaks_from=pl.min_horizontal(_month_idx(pl.col("eff")), pl.col("roster_month")))
    imports = (
        rows.group_by("member_pk", "roster_month")
        .agg(pl.col("speaks_from").min())
        .sort(["member_pk", "roster_month"], descending=[False, True])
        .with_columns(
            claimed_below=pl.col("speaks_from").cum_min().shift(1).over("member_pk").fill_null(_FAR)
        )
        .with_columns(
            lo=pl.max_horizontal("speaks_from", pl.lit(first.index)),
            hi=pl.min_horizontal("roster_month", pl.col("claimed_below") - 1, pl.lit(last.index)),
        )
        .filter(pl.col("lo") <= pl.col("hi"))
        .with_columns(month=pl.int_ranges("lo", pl.col("hi") + 1, dtype=pl.Int32))
        .explode("month")
        .select("member_pk", "roster_month", "month")
    )
    return imports.join(rows, on=["member_pk", "roster_month"], how="inner")


def _contract_frame(contracts: Sequence[ContractTerms]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "contract_id": [c.id for c in contracts],
            "c_from": [c.effective_from.index for c in contracts],
            "c_to": [c.effective_to.index if c.effective_to else _FAR for c in contracts],
            "rule_kind": [c.rule.kind for c in contracts],
            "rule_day": [c.rule.day for c in contracts],
            "age_by_year": [c.age_basis == "first-of-year" for c in contracts],
            "risk_adjusted": [c.risk_adjusted for c in contracts],
            "withhold_e4": [int(c.withhold_pct * WITHHOLD_SCALE) for c in contracts],
            "tolerance_cents": [money_to_cents(c.tolerance) for c in contracts],
        },
        schema={
            "contract_id": pl.Int64,
            "c_from": pl.Int32,
            "c_to": pl.Int32,
            "rule_kind": pl.Utf8,
            "rule_day": pl.Int32,
            "age_by_year": pl.Boolean,
            "risk_adjusted": pl.Boolean,
            "withhold_e4": pl.Int64,
            "tolerance_cents": pl.Int64,
        },
    )


def _select_contracts(picked: pl.DataFrame, contracts: Sequence[ContractTerms]) -> pl.DataFrame:
    """Add contract_id: the contract whose product codes hold the row's product, or the payer's
    only contract, and whose effective range holds the month (SPEC §4)."""
    cframe = _contract_frame(contracts)
    if len(contracts) == 1:
        cand = picked.select("member_pk", "month").join(
            cframe.select("contract_id", "c_from", "c_to"), how="cross"
        )
    else:
        codes = pl.DataFrame(
            {
                "product_key": [
                    code.strip().upper() for c in contracts for code in c.product_codes
                ],
                "contract_id": [c.id for c in contracts for _ in c.product_codes],
            },
            schema={"product_key": pl.Utf8, "contract_id": pl.Int64},
        ).join(cframe.select("contract_id", "c_from", "c_to"), on="contract_id")
        cand = (
            picked.select(
                "member_pk",
                "month",
                product_key=pl.col("product").str.strip_chars().str.to_uppercase(),
            )
            .join(codes, on="product_key", how="inner")
            .drop("product_key")
        )
    chosen = (
        cand.filter((pl.col("c_from") <= pl.col("month")) & (pl.col("month") <= pl.col("c_to")))
        .group_by("member_pk", "month")
        .agg(pl.col("contract_id").min())
    )
    return picked.join(chosen, on=["member_pk", "month"], how="left").join(
        cframe.drop("c_from", "c_to"), on="contract_id", how="left"
    )


def _rate_frame(rates: Sequence[RateTerms]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "rate_row_id": [r.id for r in rates],
            "contract_id": [r.contract_id for r in rates],
            "r_from": [r.effective_from.index for r in rates],
            "r_to": [r.effective_to.index if r.effective_to else _FAR for r in rates],
            "component": [r.component for r in rates],
            "r_cell": [rate_cell_key(r.rate_cell) for r in rates],
            "r_sex": [r.sex for r in rates],
            "age_min": [r.age_min for r in rates],
            "age_max": [r.age_max for r in rates],
            "rate_cents": [money_to_cents(r.amount) for r in rates],
        },
        schema={
            "rate_row_id": pl.Int64,
            "contract_id": pl.Int64,
            "r_from": pl.Int32,
            "r_to": pl.Int32,
            "component": pl.Utf8,
            "r_cell": pl.Utf8,
            "r_sex": pl.Utf8,
            "age_min": pl.Int32,
            "age_max": pl.Int32,
            "rate_cents": pl.Int64,
        },
    )


def _match_rates(keys: pl.DataFrame, rates: Sequence[RateTerms]) -> pl.DataFrame:
    """For each distinct (contract, month, cell, sex, age) the one matching row per component."""
    rframe = _rate_frame(rates)
    age = pl.col("age")
    matched = keys.join(rframe, on="contract_id", how="inner").filter(
        (pl.col("r_from") <= pl.col("month"))
        & (pl.col("month") <= pl.col("r_to"))
        & (pl.col("r_cell").is_null() | (pl.col("r_cell") == pl.col("cell_key")))
        & (pl.col("r_sex").is_null() | (pl.col("r_sex") == pl.col("sex_key")))
        & pl.when(age.is_null())
        .then(pl.col("age_min").is_null() & pl.col("age_max").is_null())
        .otherwise(
            (pl.col("age_min").is_null() | (pl.col("age_min") <= age))
            & (pl.col("age_max").is_null() | (age <= pl.col("age_max")))
        )
    )
    # Overlapping rows are refused on import, so this keeps the only match; the sort makes the
    # choice deterministic should a database ever hold an overlap anyway.
    return (
        matched.sort("rate_row_id")
        .group_by("contract_id", "month", "cell_key", "sex_key", "age", "component")
        .agg(pl.col("rate_row_id").first(), pl.col("rate_cents").first())
    )


def compute_expected(
    roster: pl.DataFrame,
    contracts: Sequence[ContractTerms],
    rates: Sequence[RateTerms],
    first: Month,
    last: Month,
) -> Expected:
    """Expected amounts of every member-month in [first, last] that some roster speaks about."""
    if roster.height == 0 or last < first:
        return _empty_result()
    rows = deciding_rows(roster.cast(ROSTER_SCHEMA), first, last)  # type: ignore[arg-type]
    if rows.height == 0:
        return _empty_result()
    rows = (
        rows.with_columns(
            m_first=_first_day(pl.col("month")),
        )
        .with_columns(
            m_last=pl.col("m_first").dt.month_end(),
            days_in_month=pl.col("m_first").dt.month_end().dt.day().cast(pl.Int64),
        )
        .with_columns(
            covered_days=pl.max_horizontal(
                pl.lit(0, dtype=pl.Int64),
                (
                    pl.min_horizontal(pl.col("term").fill_null(pl.date(9999, 12, 31)), "m_last")
                    - pl.max_horizontal("eff", "m_first")
                ).dt.total_days()
                + 1,
            )
        )
    )
    # Rows of one member in one import are disjoint after the importer merged overlaps; the row
    # covering most of the month gives its product, cell, DOB, sex and risk score.
    picked = (
        rows.sort(
            ["member_pk", "month", "covered_days", "row_id"], descending=[False, False, True, False]
        )
        .group_by("member_pk", "month", maintain_order=True)
        .first()
        .select(
            "member_pk",
            "month",
            "row_id",
            "roster_month",
            "product",
            "rate_cell",
            "dob",
            "sex",
            "risk_micro",
            "days_in_month",
            "m_first",
        )
    )
    picked = (
        _select_contracts(picked, contracts)
        if contracts
        else picked.with_columns(
            contract_id=pl.lit(None, dtype=pl.Int64),
            rule_kind=pl.lit(None, dtype=pl.Utf8),
            rule_day=pl.lit(None, dtype=pl.Int32),
            age_by_year=pl.lit(None, dtype=pl.Boolean),
            risk_adjusted=pl.lit(None, dtype=pl.Boolean),
            withhold_e4=pl.lit(None, dtype=pl.Int64),
            tolerance_cents=pl.lit(None, dtype=pl.Int64),
        )
    )

    # Payable fraction under the contract's rule (no contract: covered on day 1 → eligible).
    rule = rows.select("member_pk", "month", "eff", "term", "m_first", "covered_days").join(
        picked.select("member_pk", "month", "rule_kind", "rule_day"), on=["member_pk", "month"]
    )
    point_day = pl.col("m_first") + pl.duration(days=pl.col("rule_day").fill_null(1) - 1)
    covers_point = (pl.col("eff") <= point_day) & (
        pl.col("term").is_null() | (point_day <= pl.col("term"))
    )
    fractions = rule.group_by("member_pk", "month").agg(
        covers_point=covers_point.any(),
        covers_any=(pl.col("covered_days") > 0).any(),
        covered_days=pl.col("covered_days").sum(),
        rule_kind=pl.col("rule_kind").first(),
    )
    kind = pl.col("rule_kind")
    fractions = fractions.select(
        "member_pk",
        "month",
        "covered_days",
        fraction_num=pl.when(kind == "daily")
        .then(pl.col("covered_days"))
        .when(kind == "any-day")
        .then(pl.col("covers_any").cast(pl.Int64))
        .otherwise(pl.col("covers_point").cast(pl.Int64)),
        daily=(kind == "daily").fill_null(False),
    )
    mm = picked.join(fractions, on=["member_pk", "month"]).with_columns(
        fraction_den=pl.when(pl.col("daily")).then(pl.col("days_in_month")).otherwise(1),
    )

    # Age in whole years on the age date (day 1 of M, or 1 January of M's year).
    # (dt.month() is Int8: widen before arithmetic.)
    age_month = (
        pl.when(pl.col("age_by_year").fill_null(False))
        .then(1)
        .otherwise(pl.col("m_first").dt.month().cast(pl.Int32))
    )
    dob = pl.col("dob")
    dob_md = dob.dt.month().cast(pl.Int32) * 100 + dob.dt.day().cast(pl.Int32)
    mm = mm.with_columns(
        eligible=pl.col("fraction_num") > 0,
        age=(
            pl.col("m_first").dt.year().cast(pl.Int32)
            - dob.dt.year().cast(pl.Int32)
            - ((age_month * 100 + 1) < dob_md).cast(pl.Int32)
        ).cast(pl.Int32),
        cell_key=pl.col("rate_cell").str.strip_chars().str.to_uppercase(),
        sex_key=pl.when(pl.col("sex").is_in(["M", "F"])).then(pl.col("sex")),
        # Someone born after the age date (a newborn added mid-month) is aged 0, not unknown.
    ).with_columns(
        pl.when(pl.col("age") < 0).then(0).otherwise(pl.col("age")).cast(pl.Int32).alias("age")
    )

    # Rates: match on the few distinct keys, then join back to the member-months.
    eligible = mm.filter(pl.col("eligible") & pl.col("contract_id").is_not_null())
    keys = eligible.select("contract_id", "month", "cell_key", "sex_key", "age").unique()
    matches = (
        _match_rates(keys, rates)
        if rates
        else pl.DataFrame(
            schema={
                "contract_id": pl.Int64,
                "month": pl.Int32,
                "cell_key": pl.Utf8,
                "sex_key": pl.Utf8,
                "age": pl.Int32,
                "component": pl.Utf8,
                "rate_row_id": pl.Int64,
                "rate_cents": pl.Int64,
            }
        )
    )
    risk = pl.col("risk_micro").fill_null(RISK_SCALE)
    is_cap = pl.col("component") == BASE_COMPONENT
    comps = (
        eligible.select(
            "member_pk",
            "month",
            "contract_id",
            "cell_key",
            "sex_key",
            "age",
            "fraction_num",
            "fraction_den",
            "risk_adjusted",
            "risk_micro",
        )
        .join(
            matches,
            on=["contract_id", "month", "cell_key", "sex_key", "age"],
            how="inner",
            nulls_equal=True,
        )
        .with_columns(
            amount_cents=pl.when(is_cap & pl.col("risk_adjusted"))
            .then(
                _div_half_up(
                    pl.col("rate_cents") * pl.col("fraction_num") * risk,
                    pl.col("fraction_den") * RISK_SCALE,
                )
            )
            .otherwise(
                _div_half_up(pl.col("rate_cents") * pl.col("fraction_num"), pl.col("fraction_den"))
            )
        )
        .select("member_pk", "month", "component", "rate_row_id", "rate_cents", "amount_cents")
    )
    totals = comps.group_by("member_pk", "month").agg(
        capitation_cents=pl.col("amount_cents").filter(pl.col("component") == BASE_COMPONENT).sum(),
        has_capitation=(pl.col("component") == BASE_COMPONENT).any(),
        components_cents=pl.col("amount_cents").sum(),
    )
    mm = mm.join(totals, on=["member_pk", "month"], how="left").with_columns(
        no_rate=pl.col("eligible") & ~pl.col("has_capitation").fill_null(False),
    )
    withhold = _div_half_up(
        pl.col("capitation_cents") * pl.col("withhold_e4"), 100 * WITHHOLD_SCALE
    )
    mm = mm.with_columns(
        capitation_cents=pl.when(pl.col("no_rate"))
        .then(0)
        .otherwise(pl.col("capitation_cents").fill_null(0)),
        withhold_cents=pl.when(pl.col("eligible") & ~pl.col("no_rate"))
        .then(withhold.fill_null(0))
        .otherwise(0),
    ).with_columns(
        expected_cents=pl.when(pl.col("eligible") & ~pl.col("no_rate"))
        .then(pl.col("components_cents") - pl.col("withhold_cents"))
        .otherwise(0)
        .cast(pl.Int64),
        tolerance_cents=pl.col("tolerance_cents").fill_null(1),
    )
    # A no_rate member-month keeps its components out of the totals (SPEC §7: it counts as 0).
    comps = comps.join(
        mm.filter(~pl.col("no_rate")).select("member_pk", "month"),
        on=["member_pk", "month"],
        how="semi",
    )
    return Expected(
        member_months=mm.select(
            "member_pk",
            "month",
            "row_id",
            "roster_month",
            "contract_id",
            "fraction_num",
            "fraction_den",
            "eligible",
            "no_rate",
            "age",
            "sex",
            "rate_cell",
            "risk_micro",
            "capitation_cents",
            "withhold_cents",
            "expected_cents",
            "tolerance_cents",
        ).with_columns(
            pl.col("capitation_cents").cast(pl.Int64), pl.col("withhold_cents").cast(pl.Int64)
        ),
        components=comps,
    )
