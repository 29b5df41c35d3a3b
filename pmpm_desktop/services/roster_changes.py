"""What changed in a payer's roster: one roster month against the payer's previous one (issue 3).

The comparison is between the payer's active import for the month and its active import for the
latest earlier roster month. Eligibility in months before the roster month ("retro" changes) is
judged SPEC §3's way, latest word wins, over every earlier active roster, and counts a month as
covered when the span holds its first day (the default ``first-of-month`` rule; a contract with
another rule may differ on the partial month at either end of a span).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl
from sqlalchemy import ColumnElement, ColumnExpressionArgument, String, cast, func, select

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.frames import read_frame
from pmpm_desktop.db.models import Member, RosterImport, RosterRow
from pmpm_desktop.errors import NotFound
from pmpm_desktop.services.payers import get_payer

#: Every kind of change, in the order a listing shows them for one member.
CHANGE_KINDS = (
    "add",
    "term",
    "retro_add",
    "retro_term",
    "pcp_change",
    "rate_cell_change",
    "product_change",
    "dob_correction",
    "name_correction",
    "sex_correction",
)


@dataclass(frozen=True)
class RosterChange:
    """One change of one member. ``before``/``after`` are text (dates ISO); ``months`` are the
    coverage months whose eligibility the change decides, where that is relevant."""

    member_id: str
    name: str
    kind: str
    before: str | None
    after: str | None
    months: tuple[Month, ...] = ()


@dataclass(frozen=True)
class RosterDiff:
    payer_code: str
    month: Month
    #: the latest earlier roster month, or None when this is the payer's first roster
    previous_month: Month | None
    import_id: int
    previous_import_id: int | None
    #: members on the previous roster (0 without one) and on this one
    before: int
    after: int
    changes: tuple[RosterChange, ...]

    def of_kind(self, kind: str) -> list[RosterChange]:
        return [c for c in self.changes if c.kind == kind]


def summarise_changes(diff: RosterDiff) -> dict[str, int]:
    """Counts for an import summary: ``before``, ``after``, and one entry per change kind."""
    counts = {"before": diff.before, "after": diff.after} | dict.fromkeys(CHANGE_KINDS, 0)
    for change in diff.changes:
        counts[change.kind] += 1
    return counts


#: the columns an import's Arrow blob (RosterImport.rows_cache) holds that a diff uses
_CACHED_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "row_id": pl.Int64,
    "member_pk": pl.Int64,
    "dob": pl.Date,
    "sex": pl.Utf8,
    "product": pl.Utf8,
    "rate_cell": pl.Utf8,
    "effective_date": pl.Date,
    "term_date": pl.Date,
}
#: the columns only the table has
_TEXT_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "row_id": pl.Int64,
    "last_name": pl.Utf8,
    "first_name": pl.Utf8,
    "pcp": pl.Utf8,
}
_SEP = "\x1f"  # the ASCII unit separator between the texts of a row
_REC = "\x1e"  # the record separator between rows
_IDS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "member_pk": pl.Int64,
    "member_id": pl.Utf8,
}

_SPAN_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "member_pk": pl.Int64,
    "effective_date": pl.Date,
    "term_date": pl.Date,
}


def roster_diff(db: Database, payer_code: str, month: Month) -> RosterDiff:
    """Compare the payer's roster for ``month`` with its previous roster month.

    Raises NotFound when the payer is unknown or has no roster for ``month``. The payer's first
    roster is a baseline: counts only, no changes.
    """
    rosters = _Rosters.of(db, payer_code)
    if month not in rosters.by_month:
        known = ", ".join(str(m) for _, m in rosters.imports) or "none yet"
        raise NotFound(f"{rosters.code} has no roster for {month} (roster months: {known})")
    return rosters.diff(month)


def iter_roster_changes(
    db: Database, payer_code: str, first: Month, last: Month
) -> Iterator[RosterDiff]:
    """:func:`roster_diff` of every roster month of the payer from ``first`` to ``last``, in
    month order, each equal to what roster_diff gives for that month alone.

    Every import is read once (roster_diff reads two whole rosters and the spans of every
    earlier one per month): consecutive months share their frames, and only one roster's
    rows (and two rosters' members) are kept at a time. Raises NotFound for an unknown payer.
    """
    rosters = _Rosters.of(db, payer_code)
    for month in [m for m in rosters.by_month if first <= m <= last]:
        yield rosters.diff(month)
        rosters.forget_before(month)


def roster_changes_range(
    db: Database, payer_code: str, first: Month, last: Month
) -> list[RosterDiff]:
    """Every roster month's diff from ``first`` to ``last`` (see :func:`iter_roster_changes`)."""
    return list(iter_roster_changes(db, payer_code, first, last))


class _Rosters:
    """One payer's active imports, each import's rows, members and spans read at most once."""

    def __init__(self, db: Database, code: str, imports: list[tuple[int, Month]]) -> None:
        self.db = db
        self.code = code
        self.imports = imports  # (import id, roster month), by month: one active import a month
        # the first import of a month, as a lone roster_diff takes it (one is active a month)
        self.by_month: dict[Month, int] = {}
        for i, m in imports:
            self.by_month.setdefault(m, i)
        self._rows: dict[int, pl.DataFrame] = {}
        self._members: dict[int, pl.DataFrame] = {}
        self._spans: dict[int, pl.DataFrame] = {}
        self._ids: dict[int, str] = {}

    @classmethod
    def of(cls, db: Database, payer_code: str) -> _Rosters:
        with db.sessions() as s:
            payer = get_payer(s, payer_code)
            code, payer_id = payer.code, payer.id
            imports = s.execute(
                select(RosterImport.id, RosterImport.roster_month)
                .where(RosterImport.payer_id == payer_id, RosterImport.active.is_(True))
                .order_by(RosterImport.roster_month)
            ).all()
        return cls(db, code, [(i, m) for i, m in imports])

    def rows(self, import_id: int) -> pl.DataFrame:
        if import_id not in self._rows:
            self._rows[import_id] = _read_import(self.db, import_id)
        return self._rows[import_id]

    def members(self, import_id: int) -> pl.DataFrame:
        if import_id not in self._members:
            self._members[import_id] = _per_member(self.rows(import_id))
        return self._members[import_id]

    def spans(self, import_id: int) -> pl.DataFrame:
        """member_pk, effective_date, term_date of every row (kept: every later month uses
        them, and they are a small part of the rows)."""
        if import_id not in self._spans:
            self._spans[import_id] = _import_spans(self.db, import_id)
        return self._spans[import_id]

    def member_ids(self, member_pks: list[int]) -> dict[int, str]:
        missing = [pk for pk in member_pks if pk not in self._ids]
        if missing:
            self._ids.update(_member_ids(self.db, missing))
        return {pk: self._ids[pk] for pk in member_pks}

    def forget_before(self, month: Month) -> None:
        """Keep only what the next month's comparison needs of ``month``'s roster and before:
        its members (the rows are only read for the month being compared) and the spans."""
        keep = self.by_month.get(month)
        self._rows.clear()
        for import_id in [i for i in self._members if i != keep]:
            del self._members[import_id]

    def diff(self, month: Month) -> RosterDiff:
        code = self.code
        current = self.by_month[month]
        earlier = [(i, m) for i, m in self.imports if m < month]
        previous = earlier[-1] if earlier else None
        now = self.rows(current)
        now_members = self.members(current)
        if previous is None:
            return RosterDiff(code, month, None, current, None, 0, now_members.height, ())
        prev_id, prev_month = previous
        before_members = self.members(prev_id)
        changes: list[_Change] = []
        changes += _adds_and_terms(now_members, before_members, month)
        # the members on both rosters, side by side (the old values suffixed _old)
        both = now_members.join(before_members, on="member_pk", suffix="_old")
        changes += _field_changes(both)
        changes += _retro_changes(
            self, now, now_members, before_members, both, month, prev_month, earlier
        )
        ids = self.member_ids(sorted({c[0] for c in changes}))
        order = {k: n for n, k in enumerate(CHANGE_KINDS)}
        listed = sorted(
            (
                RosterChange(ids[pk], name, kind, b, a, months)
                for pk, name, kind, b, a, months in changes
            ),
            key=lambda c: (c.member_id, order[c.kind]),
        )
        return RosterDiff(
            code,
            month,
            prev_month,
            current,
            prev_id,
            before_members.height,
            now_members.height,
            tuple(listed),
        )


def _blob(db: Database, import_id: int) -> bytes | None:
    with db.engine.connect() as conn:
        return conn.execute(
            select(RosterImport.rows_cache).where(RosterImport.id == import_id)
        ).scalar()


def _read_import(db: Database, import_id: int) -> pl.DataFrame:
    """An import's rows: the engine's columns from its Arrow blob, names and PCP from the table
    (reading every column through sqlite3 takes ~4x longer)."""
    blob = _blob(db, import_id)
    if blob is not None:
        cached = _decode(blob, _CACHED_SCHEMA)
        texts = _read_texts(db, import_id)
        # Empty text and no text are the same here, as in every reader of the packed texts.
        texts = texts.with_columns(pl.col("last_name", "first_name", "pcp").replace("", None))
        if cached["row_id"].equals(texts["row_id"]):
            # both in the order the rows were stored (the usual case): side by side, no join
            return cached.hstack(texts.drop("row_id").get_columns())
        return cached.join(texts, on="row_id")
    q = select(
        RosterRow.id.label("row_id"),
        RosterRow.member_pk.label("member_pk"),
        RosterRow.dob.label("dob"),
        RosterRow.sex.label("sex"),
        RosterRow.product.label("product"),
        RosterRow.rate_cell.label("rate_cell"),
        RosterRow.effective_date.label("effective_date"),
        RosterRow.term_date.label("term_date"),
        RosterRow.last_name.label("last_name"),
        RosterRow.first_name.label("first_name"),
        RosterRow.pcp.label("pcp"),
    ).where(RosterRow.import_id == import_id)
    return read_frame(db, q, _CACHED_SCHEMA | _TEXT_SCHEMA)


def _packed(*columns: ColumnExpressionArgument[str | None]) -> ColumnElement[str]:
    packed: ColumnElement[str] = func.coalesce(columns[0], "")
    for column in columns[1:]:
        packed = packed + _SEP + func.coalesce(column, "")
    return packed


def _unpack(packed: pl.Expr, fields: list[str]) -> pl.Expr:
    return packed.str.split_exact(_SEP, len(fields) - 1).struct.rename_fields(fields).alias("t")


def _read_texts(db: Database, import_id: int) -> pl.DataFrame:
    """row_id, last_name, first_name, pcp of an import (missing text as ""). On SQLite the
    whole import comes back as one string SQLite joins itself, split by polars: one Python
    object instead of two a row, half the time of fetching the rows."""
    fields = ["row_id", "last_name", "first_name", "pcp"]
    if db.is_sqlite:
        record = func.group_concat(
            _packed(
                cast(RosterRow.id, String),
                RosterRow.last_name,
                RosterRow.first_name,
                RosterRow.pcp,
            ),
            _REC,
        )
        q = select(func.count(), record).where(RosterRow.import_id == import_id)
        with db.engine.connect() as conn:
            count, joined = conn.execute(q).one()
        joined = joined or ""
        # Each row brings 3 unit separators and one record separator between rows: more means
        # a roster's text holds one, which would shift the fields; read row by row then.
        if joined.count(_SEP) == 3 * count and joined.count(_REC) == max(count - 1, 0):
            records = pl.Series("r", [joined] if count else [], pl.Utf8).str.split(_REC)
            return (
                records.explode()
                .to_frame()
                .select(_unpack(pl.col("r"), fields))
                .unnest("t")
                .with_columns(pl.col("row_id").cast(pl.Int64))
            )
    # Row by row, each text on its own (a text holding a separator stays whole).
    q = select(
        RosterRow.id.label("row_id"),
        *(
            func.coalesce(c, "").label(c.key)
            for c in (RosterRow.last_name, RosterRow.first_name, RosterRow.pcp)
        ),
    ).where(RosterRow.import_id == import_id)
    return read_frame(db, q, _TEXT_SCHEMA)


def _decode(blob: bytes, schema: dict[str, pl.DataType | type[pl.DataType]]) -> pl.DataFrame:
    """The columns of an import's Arrow blob (db/frame_cache.py) that ``schema`` names; the
    blob's columns are compressed one by one, so the others are never decompressed."""
    return pl.read_ipc(io.BytesIO(blob), columns=list(schema)).cast(schema)  # type: ignore[arg-type]


def _member_ids(db: Database, member_pks: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for n in range(0, len(member_pks), 5000):
        chunk = member_pks[n : n + 5000]
        q = select(Member.id.label("member_pk"), Member.member_id.label("member_id")).where(
            Member.id.in_(chunk)
        )
        out.update(read_frame(db, q, _IDS_SCHEMA).iter_rows())
    return out


def _per_member(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per member: details from its first row (rows are stored in file order), the
    earliest effective date, the latest term date (none when any row is open-ended)."""
    return (
        rows.sort("row_id")
        .group_by("member_pk", maintain_order=True)
        .agg(
            pl.col("last_name", "first_name", "dob", "sex", "product").first(),
            pl.col("rate_cell", "pcp").first(),
            pl.col("effective_date").min(),
            pl.when(pl.col("term_date").null_count() > 0)
            .then(pl.lit(None, dtype=pl.Date))
            .otherwise(pl.col("term_date").max())
            .alias("term_date"),
            rows=pl.len(),
        )
        .with_columns(
            name=pl.concat_str(
                pl.col("last_name").fill_null(""),
                pl.when(pl.col("first_name").is_not_null())
                .then(pl.lit(", ") + pl.col("first_name"))
                .otherwise(pl.lit("")),
            )
        )
    )


def _iso(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.Utf8)


#: a change before its member's ID is looked up: (member_pk, name, kind, before, after, months)
_Change = tuple[int, str, str, str | None, str | None, tuple[Month, ...]]


def _emit(frame: pl.DataFrame, kind: str, months: tuple[Month, ...] = ()) -> list[_Change]:
    """``frame`` has member_pk, name, before, after (text) → changes of one kind."""
    return [
        (pk, name, kind, before, after, months)
        for pk, name, before, after in frame.select(
            "member_pk", "name", "before", "after"
        ).iter_rows()
    ]


def _adds_and_terms(now: pl.DataFrame, before: pl.DataFrame, month: Month) -> list[_Change]:
    out: list[_Change] = []
    added = now.join(before.select("member_pk"), on="member_pk", how="anti")
    out += _emit(
        added.select(
            "member_pk", "name", before=pl.lit(None, pl.Utf8), after=_iso("effective_date")
        ),
        "add",
        (month,),
    )
    dropped = before.join(now.select("member_pk"), on="member_pk", how="anti")
    out += _emit(
        dropped.select("member_pk", "name", before=_iso("term_date"), after=pl.lit(None, pl.Utf8)),
        "term",
        (month,),
    )
    # Listed now with a term date inside or before the month, which the previous roster did not
    # already show.
    dated = (
        now.filter(pl.col("term_date") <= month.last_day)
        .join(
            before.select("member_pk", pl.col("term_date").alias("old_term")),
            on="member_pk",
            how="left",
        )
        .filter(pl.col("term_date").ne_missing(pl.col("old_term")))
    )
    ends_before = dated.filter(pl.col("term_date") < month.first_day)
    inside = dated.filter(pl.col("term_date") >= month.first_day)
    for part, months in ((ends_before, (month,)), (inside, ())):
        out += _emit(
            part.select("member_pk", "name", before=_iso("old_term"), after=_iso("term_date")),
            "term",
            months,
        )
    return out


def _norm(col: str) -> pl.Expr:
    """Text compared as the billing office would: trimmed, case-insensitive."""
    return pl.col(col).str.strip_chars().str.to_uppercase()


def _field_changes(both: pl.DataFrame) -> list[_Change]:
    # Texts written the same way are the same after normalising: only the others are compared
    # normalised (most members change nothing from one month to the next).
    both = both.filter(
        pl.any_horizontal(
            pl.col(f).ne_missing(pl.col(f"{f}_old"))
            for f in ("pcp", "rate_cell", "product", "dob", "sex", "last_name", "first_name")
        )
    )
    out: list[_Change] = []
    for field, kind in (
        ("pcp", "pcp_change"),
        ("rate_cell", "rate_cell_change"),
        ("product", "product_change"),
        ("dob", "dob_correction"),
        ("sex", "sex_correction"),
    ):
        differs = (
            _norm(field).ne_missing(_norm(f"{field}_old"))
            if both.schema[field] == pl.Utf8
            else pl.col(field).ne_missing(pl.col(f"{field}_old"))
        )
        out += _emit(
            both.filter(differs).select(
                "member_pk", "name", before=_iso(f"{field}_old"), after=_iso(field)
            ),
            kind,
        )
    renamed = both.filter(
        _norm("last_name").ne_missing(_norm("last_name_old"))
        | _norm("first_name").ne_missing(_norm("first_name_old"))
    )
    out += _emit(
        renamed.select("member_pk", "name", before="name_old", after="name"), "name_correction"
    )
    return out


def _spans(rows: pl.DataFrame, roster_month: Month) -> pl.DataFrame:
    """Each row's eligibility span with SPEC §3's defaults: no effective date → day 1 of the
    roster month; neither date → exactly the roster month; no term date → open (null)."""
    return rows.select(
        "member_pk",
        start=pl.col("effective_date").fill_null(roster_month.first_day),
        end=pl.when(pl.col("effective_date").is_null() & pl.col("term_date").is_null())
        .then(pl.lit(roster_month.last_day))
        .otherwise(pl.col("term_date")),
    )


def _first_days(e: pl.Expr) -> pl.Expr:
    return pl.date(e // 12, e % 12 + 1, 1)


def _retro_changes(
    rosters: _Rosters,
    now: pl.DataFrame,
    now_members: pl.DataFrame,
    before_members: pl.DataFrame,
    both: pl.DataFrame,
    month: Month,
    prev_month: Month,
    earlier: list[tuple[int, Month]],
) -> list[_Change]:
    """Months before ``month`` that this roster makes eligible (retro adds) or not (retro terms),
    compared with what the earlier rosters said about them (SPEC §3, latest word wins).

    Only months from the payer's first roster month on count: earlier months were never on any
    roster of the practice. A member whose rows carry the same dated spans as on the previous
    roster cannot change any earlier month, so only the others are examined.
    """
    first = month.first_day
    # a row starting before the month: the member's earliest effective date does
    reaching = now_members.filter(pl.col("effective_date") < first).select("member_pk")
    if reaching.height == 0:
        return []
    # One dated row on both rosters with the same dates: nothing earlier can change.
    same = both.filter(
        (pl.col("rows") == 1)
        & (pl.col("rows_old") == 1)
        & (pl.col("effective_date") == pl.col("effective_date_old"))
        & pl.col("term_date").eq_missing(pl.col("term_date_old"))
    )
    candidates = reaching.join(same.select("member_pk"), on="member_pk", how="anti")
    if candidates.height == 0:
        return []
    first_roster = earlier[0][1]
    now_spans = _spans(now.join(candidates, on="member_pk", how="semi"), month)
    start = max(first_roster, Month.of(now_spans["start"].min()))  # type: ignore[arg-type]
    if start >= month:
        return []
    # Every candidate × every month from start to the month before this roster month.
    pairs = (
        now_spans.group_by("member_pk")
        .agg(pl.col("start").min())
        .select(
            "member_pk",
            e=pl.int_ranges(
                pl.max_horizontal(
                    pl.col("start").dt.year().cast(pl.Int32) * 12
                    + pl.col("start").dt.month().cast(pl.Int32)
                    - 1,
                    pl.lit(start.index, pl.Int32),
                ),
                pl.lit(month.index, pl.Int32),
                dtype=pl.Int32,
            ),
        )
        .explode("e")
        .drop_nulls("e")
        .with_columns(e_first=_first_days(pl.col("e")))
        .with_columns(e_last=pl.col("e_first").dt.month_end())
    )
    now_word = (
        pairs.join(now_spans, on="member_pk")
        .group_by("member_pk", "e")
        .agg(
            speaks=(pl.col("start") <= pl.col("e_last")).any(),
            now_cov=(
                (pl.col("start") <= pl.col("e_first"))
                & (pl.col("end").is_null() | (pl.col("end") >= pl.col("e_first")))
            ).any(),
        )
        .filter(pl.col("speaks"))
    )
    before_cov = _earlier_word(
        rosters, now_word.select("member_pk", "e"), earlier, start, prev_month
    )
    judged = now_word.join(before_cov, on=["member_pk", "e"], how="left").with_columns(
        pl.col("before_cov").fill_null(False)
    )
    names = now_members.select("member_pk", "name", "effective_date", "term_date")
    old = before_members.select("member_pk", old_eff="effective_date", old_term="term_date")
    out: list[_Change] = []
    for kind, when, before_col, after_col in (
        ("retro_add", pl.col("now_cov") & ~pl.col("before_cov"), "old_eff", "effective_date"),
        ("retro_term", ~pl.col("now_cov") & pl.col("before_cov"), "old_term", "term_date"),
    ):
        grouped = (
            judged.filter(when)
            .group_by("member_pk")
            .agg(pl.col("e").sort())
            .join(names, on="member_pk")
            .join(old, on="member_pk", how="left")
        )
        for pk, name, before_v, after_v, months in grouped.select(
            "member_pk", "name", _iso(before_col), _iso(after_col), "e"
        ).iter_rows():
            out.append(
                (pk, name, kind, before_v, after_v, tuple(Month.from_index(i) for i in months))
            )
    return out


def _earlier_word(
    rosters: _Rosters,
    pairs: pl.DataFrame,
    earlier: list[tuple[int, Month]],
    start: Month,
    prev_month: Month,
) -> pl.DataFrame:
    """(member_pk, e) → before_cov: whether the rosters before this one held month e eligible.

    For each month the deciding roster is the latest earlier one that speaks about it: the
    month's own roster (listed or not), a later one whose row starts by the month's end, or the
    previous roster for the months after it that have no roster yet (its span carried forward).
    """
    if pairs.height == 0:
        return pl.DataFrame(schema={"member_pk": pl.Int64, "e": pl.Int32, "before_cov": pl.Boolean})
    used = [(i, m) for i, m in earlier if m >= start]
    members = pairs.select("member_pk").unique()
    spans = [
        _spans(rosters.spans(i).join(members, on="member_pk", how="semi"), m).with_columns(
            r=pl.lit(m.index, pl.Int32)
        )
        for i, m in used
    ]
    rows = (
        pl.concat(spans)
        if spans
        else pl.DataFrame(
            schema={"member_pk": pl.Int64, "start": pl.Date, "end": pl.Date, "r": pl.Int32}
        )
    )
    own_months = pl.Series("e", [m.index for _, m in used], dtype=pl.Int32)
    p = prev_month.index
    pairs = pairs.with_columns(e_first=_first_days(pl.col("e"))).with_columns(
        e_last=pl.col("e_first").dt.month_end()
    )
    speaking = pairs.join(rows, on="member_pk").filter(
        (pl.col("r") == pl.col("e"))
        | ((pl.col("r") > pl.col("e")) & (pl.col("start") <= pl.col("e_last")))
        | ((pl.col("r") == p) & (pl.col("e") > p))
    )
    deciding = (
        pairs.select("member_pk", "e")
        .join(
            speaking.group_by("member_pk", "e").agg(r_listed=pl.col("r").max()),
            on=["member_pk", "e"],
            how="left",
        )
        .with_columns(
            r_dec=pl.max_horizontal(
                "r_listed",
                pl.when(pl.col("e").is_in(own_months.implode())).then(pl.col("e")),
            )
        )
    )
    covered = (
        speaking.join(deciding.select("member_pk", "e", "r_dec"), on=["member_pk", "e"])
        .filter(
            (pl.col("r") == pl.col("r_dec"))
            & (pl.col("start") <= pl.col("e_first"))
            & (pl.col("end").is_null() | (pl.col("end") >= pl.col("e_first")))
        )
        .select("member_pk", "e")
        .unique()
        .with_columns(before_cov=pl.lit(True))
    )
    return covered


def _import_spans(db: Database, import_id: int) -> pl.DataFrame:
    """member_pk, effective_date, term_date of one import: from its Arrow blob when it has one."""
    blob = _blob(db, import_id)
    if blob is not None:
        return _decode(blob, _SPAN_SCHEMA)
    q = select(
        RosterRow.member_pk.label("member_pk"),
        RosterRow.effective_date.label("effective_date"),
        RosterRow.term_date.label("term_date"),
    ).where(RosterRow.import_id == import_id)
    return read_frame(db, q, _SPAN_SCHEMA)
