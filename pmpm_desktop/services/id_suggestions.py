"""Until a payer has an ID rule: the rule that would match a file's member IDs to its members.

A payer that writes ``000-123-456`` on statements and ``000123456`` on rosters gets, with each
import or preview of such a file, a note naming the rule that would match them (SPEC §6). The
note is a suggestion only: nothing is changed, and it names no member ID.

The candidates are tried on whole columns with :meth:`IdRule.apply_series` (kept equal to
:meth:`IdRule.apply` by tests), and only on the IDs a rule may change (:meth:`IdRule.touches`),
so a 100k-line file costs a few polars passes.
A candidate that would make two stored members one is never suggested: the payer's own
rule change would refuse it.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, func, select

from pmpm_desktop.core.member_ids import IdRule, SuffixRule
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import Member, MemberAlias
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.services.payers import get_payer, payer_rule

#: the rules tried, simplest first (a later one is named only when it matches more IDs)
CANDIDATES: tuple[IdRule, ...] = (
    IdRule(strip_punctuation=True),
    IdRule(suffix=SuffixRule.DROP),
    IdRule(strip_punctuation=True, suffix=SuffixRule.DROP),
)
#: a letter prefix is tried when this share of the IDs on one side start with it
_PREFIX_SHARE = 0.5
_LETTER_PREFIX = r"^([A-Z]{1,10})[0-9]"

#: how many of a file's unmatched IDs the candidates are compared on
_SAMPLE = 5_000


def id_rule_notes(
    db: Database, payer_code: str, kind: FileKind | str, member_ids: pl.Series
) -> tuple[str, ...]:
    """A note when the payer has no ID rule and some of ``member_ids`` (as the file was read)
    match no stored member or alias but would under a candidate rule; else nothing."""
    kind = FileKind(kind)
    if kind is FileKind.RATES or member_ids.len() == 0:
        return ()
    in_file = member_ids.drop_nulls().unique()
    with db.sessions() as s:
        payer = get_payer(s, payer_code)
        if not payer_rule(payer).is_identity:
            return ()
        payer_id, code, width = payer.id, payer.code, payer.id_width
    members = _stored_ids(db, Member.member_id, Member.payer_id == payer_id)
    if members.len() == 0:
        return ()
    aliases = _stored_ids(db, MemberAlias.alias_id, MemberAlias.payer_id == payer_id)
    # no punctuation and no letter prefix on either side: no candidate changes any ID
    if not any(_may_differ(ids) for ids in (in_file, members, aliases)):
        return ()
    unmatched = in_file.filter(~in_file.is_in(pl.concat([members, aliases]).implode()))
    if unmatched.len() == 0:
        return ()
    # The candidates are compared on a sample of a big file's IDs; the one chosen is then
    # counted on all of them.
    sample = unmatched.sample(_SAMPLE, seed=0) if unmatched.len() > _SAMPLE else unmatched
    best: tuple[int, IdRule] | None = None
    for rule in (*CANDIDATES, *_prefix_candidates(unmatched, members)):
        matched = _matched(rule, width, sample, members, aliases)
        if matched and (best is None or matched > best[0]):
            best = (matched, rule)
    if best is None:
        return ()
    rule = best[1]
    n = best[0] if sample is unmatched else _matched(rule, width, unmatched, members, aliases)
    where = "statement" if kind is FileKind.STATEMENT else "roster"
    whom = "roster members" if kind is FileKind.STATEMENT else "members of earlier rosters"
    return (
        f"{n} member ID{'s' if n != 1 else ''} on this {where} "
        f"match{'es' if n == 1 else ''} {whom} only {rule.when()}: the ID rule '{rule}' "
        f"would match them (pmpm payer update --code {code} --id-rule {rule})",
    )


_SEPARATOR = "\x1e"  # the record separator: never in an ID read from a payer file


def _stored_ids(db: Database, column: Any, where: ColumnElement[bool]) -> pl.Series:
    """A column of the payer's stored IDs. SQLite joins them into one text, split by polars:
    100k IDs arrive in a third of the time 100k Python strings take."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            joined = conn.execute(
                select(func.group_concat(column, _SEPARATOR)).where(where)
            ).scalar()
            if joined is None:
                return pl.Series("id", [], dtype=pl.Utf8)
            return pl.Series("id", [joined]).str.split(_SEPARATOR).explode()
        return pl.Series("id", conn.execute(select(column).where(where)).scalars().all(), pl.Utf8)


def _may_differ(ids: pl.Series) -> bool:
    """Some ID has punctuation or a letter prefix (what the candidates change)."""
    frame = pl.DataFrame({"id": ids})
    punctuated = IdRule(strip_punctuation=True).touches(pl.col("id"))
    return bool(frame.select((punctuated | pl.col("id").str.contains("^[A-Z]")).any()).item())


def _form(rule: IdRule, width: int | None, ids: pl.Series) -> pl.Series:
    """``parse_member_id(id, width, rule)`` of IDs already read without a rule, in any order
    (only the IDs the rule may change go through it)."""
    frame = pl.DataFrame({"id": ids}).with_columns(touched=rule.touches(pl.col("id")))
    touched = frame.filter(pl.col("touched"))["id"]
    if touched.len() == 0:
        return ids
    changed = rule.apply_series(touched)
    if width is not None:
        text = pl.col("id")
        changed = (
            pl.DataFrame({"id": changed})
            .select(
                pl.when(text.str.contains("^[0-9]+$") & (text.str.len_chars() < width))
                .then(text.str.zfill(width))
                .otherwise(text)
            )
            .to_series()
        )
    return pl.concat([frame.filter(~pl.col("touched"))["id"], changed])


def _matched(
    rule: IdRule, width: int | None, unmatched: pl.Series, members: pl.Series, aliases: pl.Series
) -> int:
    """How many unmatched IDs meet a member's ID or alias under ``rule``; 0 when the rule
    would make two stored members one."""
    file_forms = _form(rule, width, unmatched)
    member_forms = _form(rule, width, members)
    if member_forms is not members and member_forms.n_unique() < members.len():
        return 0
    stored_forms = pl.concat([member_forms, _form(rule, width, aliases)])
    return int(file_forms.is_in(stored_forms.implode()).sum())


def _prefix_candidates(unmatched: pl.Series, members: pl.Series) -> list[IdRule]:
    """``prefix=XX`` for a run of letters before digits that most of one side's IDs share."""
    out: list[IdRule] = []
    for ids in (unmatched, members):
        starts = ids.filter(ids.str.contains("^[A-Z]"))  # cheap; the capture below is not
        letters = starts.str.extract(_LETTER_PREFIX, 1).drop_nulls()
        if letters.len() == 0:
            continue
        top = letters.value_counts(sort=True).row(0)
        prefix, count = str(top[0]), int(top[1])
        if count >= _PREFIX_SHARE * ids.len() and all(r.prefix != prefix for r in out):
            out.append(IdRule(prefix=prefix))
    return out
