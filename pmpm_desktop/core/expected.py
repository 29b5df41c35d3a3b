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
from pmpm_desktop.core.rates import BASE_COMPONENT, RateRowSpec, rate_cell_key

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


@dataclass(frozen=True, kw_only=True)
class RateTerms(RateRowSpec):
    """A stored rate row: the exhibit line plus the ids the engine reports it by."""

    id: int
    contract_id: int


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
    # The month index fits Int32; pl.date wants plain integers.
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


def _with_spans(roster: pl.DataFrame) -> pl.DataFrame:
    """Apply SPEC §3's defaults: no effective date → day 1 of the roster month; no term → open;
    neither → exactly the roster month. ``speaks_from``: the first month the row speaks about."""
    first_of_roster = _first_day(pl.col("roster_month"))
    return roster.with_columns(
        eff=pl.coalesce("effective_date", first_of_roster),
        term=pl.when(pl.col("effective_date").is_null() & pl.col("term_date").is_null())
        .then(first_of_roster.dt.month_end())
        .otherwise(pl.col("term_date")),
    ).with_columns(speaks_from=pl.min_horizontal(_month_idx(pl.col("eff")), pl.col("roster_month")))


def deciding_rows(roster: pl.DataFrame, first: Month, last: Month) -> pl.DataFrame:
    """For each member-month in [first, last] some roster speaks about, the rows that decide it.

    Latest word wins (SPEC §3): an import for roster month R speaks about M when M = R, or when
    M < R and the row's effective date is on or before M's last day. Taking a member's imports
    from the latest R down, import k decides the months of [s_k, R_k] that no later import
    claimed, which are those below the smallest s of the later imports — a running minimum, so
    no member-month is ever materialised twice.

    Returns the roster rows (with ``eff``, ``term`` and ``multi``: the member has several rows in
    the deciding import) exploded to one row per decided ``month``.
    """
    rows = _with_spans(roster)
    # Almost every member has one row per import; several rows (disjoint spans) are handled apart.
    rows = rows.with_columns(multi=pl.struct("member_pk", "roster_month").is_duplicated())
    single = rows.filter(~pl.col("multi"))
    several = rows.filter(pl.col("multi"))
    imports = pl.concat(
        [
            single.select("member_pk", "roster_month", "speaks_from"),
            several.group_by("member_pk", "roster_month").agg(pl.col("speaks_from").min()),
        ]
    )
    decided = (
        imports.sort(["member_pk", "roster_month"], descending=[False, True])
        .with_columns(
            claimed_below=pl.col("speaks_from").cum_min().shift(1).over("member_pk").fill_null(_FAR)
        )
        .with_columns(
            lo=pl.max_horizontal("speaks_from", pl.lit(first.index, dtype=pl.Int32)),
            hi=pl.min_horizontal(
                "roster_month", pl.col("claimed_below") - 1, pl.lit(last.index, dtype=pl.Int32)
            ),
        )
        .filter(pl.col("lo") <= pl.col("hi"))
        .select("member_pk", "roster_month", "lo", "hi")
    )
    joined = pl.concat(
        [
            single.join(decided, on=["member_pk", "roster_month"], how="inner"),
            several.join(decided, on=["member_pk", "roster_month"], how="inner"),
        ]
    )
    return (
        joined.with_columns(month=pl.int_ranges("lo", pl.col("hi") + 1, dtype=pl.Int32))
        .explode("month")
        .drop("lo", "hi", "speaks_from")
    )


_CONTRACT_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "contract_id": pl.Int64,
    "rule_kind": pl.Utf8,
    "rule_day": pl.Int32,
    "age_by_year": pl.Boolean,
    "risk_adjusted": pl.Boolean,
    "withhold_e4": pl.Int64,
    "tolerance_cents": pl.Int64,
}


def _contract_values(c: ContractTerms) -> dict[str, object]:
    return {
        "contract_id": c.id,
        "rule_kind": c.rule.kind,
        "rule_day": c.rule.day,
        "age_by_year": c.age_basis == "first-of-year",
        "risk_adjusted": c.risk_adjusted,
        "withhold_e4": int(c.withhold_pct * WITHHOLD_SCALE),
        "tolerance_cents": money_to_cents(c.tolerance),
    }


def _attach_contracts(
    frame: pl.DataFrame, contracts: Sequence[ContractTerms], first: Month, last: Month
) -> pl.DataFrame:
    """Add the contract (and its terms) of each member-month: the contract whose product codes
    hold the row's product, or the payer's only contract, and whose range holds the month."""
    months = range(first.index, last.index + 1)

    def covers(c: ContractTerms, m: int) -> bool:
        return c.effective_from.index <= m and (c.effective_to is None or m <= c.effective_to.index)

    if len(contracts) == 1:
        c = contracts[0]
        in_range = (pl.col("month") >= c.effective_from.index) & (
            pl.col("month") <= (c.effective_to.index if c.effective_to else _FAR)
        )
        return frame.with_columns(
            [
                pl.when(in_range).then(pl.lit(v, dtype=_CONTRACT_SCHEMA[k])).alias(k)
                for k, v in _contract_values(c).items()
            ]
        )
    table: dict[tuple[str, int], ContractTerms] = {}
    for c in sorted(contracts, key=lambda c: c.id, reverse=True):  # lowest id wins a clash
        for code in c.product_codes:
            for m in months:
                if covers(c, m):
                    table[(code.strip().upper(), m)] = c
    lookup = pl.DataFrame(
        [{"product_key": k[0], "month": k[1], **_contract_values(c)} for k, c in table.items()],
        schema={"product_key": pl.Utf8, "month": pl.Int32, **_CONTRACT_SCHEMA},
    )
    return (
        frame.with_columns(product_key=pl.col("product").str.strip_chars().str.to_uppercase())
        .join(lookup, on=["product_key", "month"], how="left")
        .drop("product_key")
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


_RATE_KEY = ["contract_id", "month", "cell_key", "sex_key", "age"]
_AMOUNT_KEY = [*_RATE_KEY, "fraction_num", "fraction_den"]


def _match_rates(keys: pl.DataFrame, rates: Sequence[RateTerms]) -> pl.DataFrame:
    """For each distinct rate key the one matching row per component, with its amount for the
    key's fraction (before any risk score)."""
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
        .group_by(*_AMOUNT_KEY, "component")
        .agg(pl.col("rate_row_id").first(), pl.col("rate_cents").first())
        .with_columns(
            amount_cents=_div_half_up(
                pl.col("rate_cents") * pl.col("fraction_num"), pl.col("fraction_den")
            )
        )
    )


def _fraction(rows: pl.DataFrame) -> pl.DataFrame:
    """Payable fraction of each member-month under its contract's rule (SPEC §3); a month with no
    contract counts as eligible when day 1 is covered. Rows of one member in one import are
    disjoint (the importer merged overlaps), so their covered days add up."""
    point_day = pl.col("m_first") + pl.duration(days=pl.col("rule_day").fill_null(1) - 1)
    rows = rows.with_columns(
        covered_days=pl.max_horizontal(
            pl.lit(0, dtype=pl.Int64),
            (
                pl.min_horizontal(pl.col("term").fill_null(pl.date(9999, 12, 31)), "m_last")
                - pl.max_horizontal("eff", "m_first")
            ).dt.total_days()
            + 1,
        ),
        covers_point=(pl.col("eff") <= point_day)
        & (pl.col("term").is_null() | (point_day <= pl.col("term"))),
    )
    single = rows.filter(~pl.col("multi"))
    several = rows.filter(pl.col("multi"))
    if several.height:
        # The row covering most of the month gives the product, cell, DOB, sex and risk score.
        keys = ["member_pk", "month"]
        agg = several.group_by(keys).agg(
            pl.col("covered_days").sum().alias("total_days"),
            pl.col("covers_point").any().alias("any_point"),
        )
        several = (
            several.sort([*keys, "covered_days", "row_id"], descending=[False, False, True, False])
            .group_by(keys, maintain_order=True)
            .first()
            .join(agg, on=keys)
            .with_columns(covered_days=pl.col("total_days"), covers_point=pl.col("any_point"))
            .drop("total_days", "any_point")
        )
    # group_by puts the keys first: restore the column order before stacking.
    rows = pl.concat([single, several.select(single.columns)], how="vertical_relaxed")
    kind = pl.col("rule_kind")
    return rows.with_columns(
        fraction_num=pl.when(kind == "daily")
        .then(pl.col("covered_days"))
        .when(kind == "any-day")
        .then((pl.col("covered_days") > 0).cast(pl.Int64))
        .otherwise(pl.col("covers_point").cast(pl.Int64)),
        fraction_den=pl.when(kind == "daily").then(pl.col("days_in_month")).otherwise(1),
    )


def compute_expected(
    roster: pl.DataFrame,
    contracts: Sequence[ContractTerms],
    rates: Sequence[RateTerms],
    first: Month,
    last: Month,
    *,
    with_components: bool = True,
) -> Expected:
    """Expected amounts of every member-month in [first, last] that some roster speaks about.

    ``with_components=False`` skips the per-component frame (reconciliation needs only the
    totals; the explanation of one member-month asks for the components).
    """
    if roster.height == 0 or last < first:
        return _empty_result()
    rows = deciding_rows(roster.cast(ROSTER_SCHEMA), first, last)  # type: ignore[arg-type]
    if rows.height == 0:
        return _empty_result()
    m_first = _first_day(pl.col("month"))
    rows = rows.with_columns(
        m_first=m_first,
        m_last=m_first.dt.month_end(),
        days_in_month=m_first.dt.month_end().dt.day().cast(pl.Int64),
    )
    if contracts:
        rows = _attach_contracts(rows, contracts, first, last)
    else:
        rows = rows.with_columns(
            [pl.lit(None, dtype=t).alias(k) for k, t in _CONTRACT_SCHEMA.items()]
        )
    mm = _fraction(rows)

    # Age in whole years on the age date (day 1 of M, or 1 January of M's year); dt.month() is
    # Int8, so widen before arithmetic.
    age_month = (
        pl.when(pl.col("age_by_year").fill_null(False))
        .then(1)
        .otherwise(pl.col("m_first").dt.month().cast(pl.Int32))
    )
    dob = pl.col("dob")
    dob_md = dob.dt.month().cast(pl.Int32) * 100 + dob.dt.day().cast(pl.Int32)
    age = (
        pl.col("m_first").dt.year().cast(pl.Int32)
        - dob.dt.year().cast(pl.Int32)
        - ((age_month * 100 + 1) < dob_md).cast(pl.Int32)
    )
    mm = mm.with_columns(
        eligible=pl.col("fraction_num") > 0,
        # Someone born after the age date (a newborn added mid-month) is aged 0, not unknown.
        age=pl.when(age < 0).then(0).otherwise(age).cast(pl.Int32),
        cell_key=pl.col("rate_cell").str.strip_chars().str.to_uppercase(),
        sex_key=pl.when(pl.col("sex").is_in(["M", "F"])).then(pl.col("sex")),
    )

    # Rates are matched on the few distinct keys and joined back: a member-month's components
    # depend only on its contract, month, cell, sex, age and fraction.
    payable = pl.col("eligible") & pl.col("contract_id").is_not_null()
    keys = mm.filter(payable).select(_AMOUNT_KEY).unique()
    matches = _match_rates(keys, rates) if rates and keys.height else None
    is_cap = pl.col("component") == BASE_COMPONENT
    if matches is not None:
        per_key = matches.group_by(_AMOUNT_KEY).agg(
            cap_rate_cents=pl.col("rate_cents").filter(is_cap).first(),
            other_cents=pl.col("amount_cents").filter(~is_cap).sum(),
        )
    else:
        per_key = pl.DataFrame(
            schema={
                **{k: mm.schema[k] for k in _AMOUNT_KEY},
                "cap_rate_cents": pl.Int64,
                "other_cents": pl.Int64,
            }
        )
    mm = mm.join(per_key, on=_AMOUNT_KEY, how="left", nulls_equal=True)
    risk = pl.col("risk_micro").fill_null(RISK_SCALE)
    num = pl.col("cap_rate_cents") * pl.col("fraction_num")
    capitation = (
        pl.when(pl.col("risk_adjusted"))
        .then(_div_half_up(num * risk, pl.col("fraction_den") * RISK_SCALE))
        .otherwise(_div_half_up(num, pl.col("fraction_den")))
    )
    mm = mm.with_columns(
        no_rate=pl.col("eligible") & pl.col("cap_rate_cents").is_null(),
        capitation_cents=pl.when(payable).then(capitation).otherwise(None),
    ).with_columns(
        capitation_cents=pl.when(pl.col("no_rate"))
        .then(0)
        .otherwise(pl.col("capitation_cents").fill_null(0))
        .cast(pl.Int64),
    )
    withhold = _div_half_up(
        pl.col("capitation_cents") * pl.col("withhold_e4"), 100 * WITHHOLD_SCALE
    )
    counted = pl.col("eligible") & ~pl.col("no_rate")
    mm = mm.with_columns(
        withhold_cents=pl.when(counted).then(withhold.fill_null(0)).otherwise(0).cast(pl.Int64),
    ).with_columns(
        expected_cents=pl.when(counted)
        .then(
            pl.col("capitation_cents")
            - pl.col("withhold_cents")
            + pl.col("other_cents").fill_null(0)
        )
        .otherwise(0)
        .cast(pl.Int64),
        tolerance_cents=pl.col("tolerance_cents").fill_null(1),
    )
    member_months = mm.select(
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
    )
    if not with_components or matches is None:
        return Expected(member_months, _empty_result().components)
    # A no_rate member-month keeps its components out (SPEC §7: it counts as 0).
    comps = (
        mm.filter(counted)
        .select("member_pk", *_AMOUNT_KEY, "risk_adjusted", "risk_micro")
        .join(matches, on=_AMOUNT_KEY, how="inner", nulls_equal=True)
        .with_columns(
            amount_cents=pl.when(is_cap & pl.col("risk_adjusted"))
            .then(
                _div_half_up(
                    pl.col("rate_cents") * pl.col("fraction_num") * risk,
                    pl.col("fraction_den") * RISK_SCALE,
                )
            )
            .otherwise(pl.col("amount_cents"))
        )
        .select("member_pk", "month", "component", "rate_row_id", "rate_cents", "amount_cents")
    )
    return Expected(member_months, comps)
