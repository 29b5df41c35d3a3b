"""Unknown members: who is the ID the payer paid but no roster listed? (SPEC §7, issue 3)

:func:`suggest_matches` proposes roster members of the payer; it never links anything. The user
decides and :func:`link_alias` records the payer's other ID as the member's alias, after which
reconciliation counts the alias's lines as the member's. MemberAlias has no note column, so a
link's note (and the link itself) is written into the history of the alias's discrepancies.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from pmpm_desktop.core.clock import now
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.frames import read_frame
from pmpm_desktop.db.models import (
    Discrepancy,
    Member,
    MemberAlias,
    Payer,
    RemittanceLine,
)
from pmpm_desktop.errors import InputRejected, NotFound
from pmpm_desktop.io.values import parse_member_id
from pmpm_desktop.services.audit import AuditAction, record
from pmpm_desktop.services.discrepancies import add_note
from pmpm_desktop.services.payers import get_payer, payer_rule


@dataclass(frozen=True)
class Suggestion:
    """A roster member who may be the person paid under an unknown ID; score in 0..1."""

    member_id: str
    name: str
    dob: dt.date | None
    reason: str
    score: float


@dataclass(frozen=True)
class AliasLink:
    payer_code: str
    alias_id: str
    member_id: str
    name: str
    #: False when the alias was already linked to this member (nothing changed)
    created: bool = True


# --- names ------------------------------------------------------------------------------------

_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def name_tokens(text: str | None) -> tuple[str, ...]:
    """A person's name as comparable words: accents folded, case-insensitive, punctuation and
    order ignored (``LAST, FIRST`` and ``FIRST LAST`` alike), initials and suffixes dropped."""
    if not text:
        return ()
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).casefold()
    words = "".join(c if c.isalnum() else " " for c in folded).split()
    return tuple(sorted(w for w in words if len(w) > 1 and w not in _SUFFIXES))


def name_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """1.0 for the same words; otherwise difflib's ratio of the sorted words (0..1)."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, " ".join(a), " ".join(b)).ratio()


def _display(last: str | None, first: str | None) -> str:
    return ", ".join(x for x in (last, first) if x)


# --- IDs --------------------------------------------------------------------------------------

# (reason, score) for an ID one or two characters away; the first reason found for a variant wins.
_ZEROS_LOST = ("ID without its leading zeros", 0.85)
_ZEROS_ADDED = ("ID with extra leading zeros", 0.85)
_SWAPPED_DIGITS = ("ID with two digits swapped", 0.8)
_SWAPPED = ("ID with two characters swapped", 0.8)
_EXTRA = ("ID with an extra character", 0.7)
_MISSING = ("ID with a character missing", 0.7)
_ONE_DIFFERENT = ("ID with one character different", 0.65)
_TWO_DIFFERENT = ("ID with two characters different", 0.45)
_MAX_VARIANTS = 200_000


def id_variants(alias: str, alphabet: str, longest: int) -> dict[str, tuple[str, float]]:
    """IDs one or two characters away from ``alias`` → why they are close and how likely.

    ``alphabet`` is the characters member IDs use; ``longest`` the longest member ID (for
    leading zeros). Generated, not compared: the payer's members are then looked up by ID.
    """
    out: dict[str, tuple[str, float]] = {}
    found = itertools.chain(
        _zero_variants(alias, longest),
        _one_away(alias, alphabet),
        _two_different(alias, alphabet),
    )
    for variant, why in found:
        if variant and variant != alias and variant not in out:
            out[variant] = why
    return out


_Variants = Iterator[tuple[str, tuple[str, float]]]


def _zero_variants(alias: str, longest: int) -> _Variants:
    core = alias.lstrip("0")
    for width in range(len(core), max(longest, len(alias)) + 1):
        padded = core.zfill(width)
        yield padded, _ZEROS_LOST if len(padded) > len(alias) else _ZEROS_ADDED


def _one_away(alias: str, alphabet: str) -> _Variants:
    for i in range(len(alias) - 1):
        a, b = alias[i], alias[i + 1]
        if a != b:
            swapped = alias[:i] + b + a + alias[i + 2 :]
            yield swapped, _SWAPPED_DIGITS if (a + b).isdigit() else _SWAPPED
    for i in range(len(alias)):
        yield alias[:i] + alias[i + 1 :], _EXTRA
    for i in range(len(alias) + 1):
        for c in alphabet:
            yield alias[:i] + c + alias[i:], _MISSING
    for i in range(len(alias)):
        for c in alphabet:
            if c != alias[i]:
                yield alias[:i] + c + alias[i + 1 :], _ONE_DIFFERENT


def _two_different(alias: str, alphabet: str) -> _Variants:
    pairs = len(alias) * (len(alias) - 1) // 2
    if pairs * (len(alphabet) - 1) ** 2 > _MAX_VARIANTS:
        return
    for i, j in itertools.combinations(range(len(alias)), 2):
        for c, d in itertools.product(alphabet, repeat=2):
            if c != alias[i] and d != alias[j]:
                yield alias[:i] + c + alias[i + 1 : j] + d + alias[j + 1 :], _TWO_DIFFERENT


# --- suggestions ------------------------------------------------------------------------------

_MEMBERS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "member_id": pl.Utf8,
    "last_name": pl.Utf8,
    "first_name": pl.Utf8,
    "dob": pl.Date,
}

_FOLD = r"[^\p{L}\p{N}]+"


def _folded_words(col: pl.Expr) -> pl.Expr:
    """The vectorised pre-filter's view of a name: NFKD, marks dropped, lower case, words."""
    return (
        col.fill_null("")
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all(_FOLD, " ")
        .str.strip_chars()
        .str.split(" ")
    )


def _normalise_id(text: str, payer: Payer, what: str) -> str:
    """An ID the user typed, read as the payer's files are (its width and ID rule)."""
    try:
        value = parse_member_id(text, payer.id_width, payer_rule(payer))
    except ValueError as exc:
        raise InputRejected(f"{what} {text!r}: {exc}") from None
    if not value:
        raise InputRejected(f"{what} is required")
    return value


def _refuse_known(s: Session, payer: Payer, alias: str) -> None:
    own = s.scalar(select(Member).where(Member.payer_id == payer.id, Member.member_id == alias))
    if own is not None:
        raise InputRejected(
            f"{alias} is the roster ID of member {own.member_id} "
            f"({_display(own.last_name, own.first_name) or 'no name'}) at {payer.code}: "
            "a roster member's own ID cannot be an alias"
        )


def paid_names(db: Database, payer_code: str, payer_id_text: str) -> list[str]:
    """The member names the payer's statements give under this ID (distinct, as written)."""
    with db.sessions() as s:
        payer = get_payer(s, payer_code)
        alias = _normalise_id(payer_id_text, payer, "a payer ID")
        names = s.scalars(
            select(RemittanceLine.member_name)
            .where(
                RemittanceLine.payer_id == payer.id,
                RemittanceLine.member_id == alias,
                RemittanceLine.member_name.is_not(None),
            )
            .distinct()
        ).all()
    return sorted(n for n in names if n and n.strip())


def suggest_matches(
    db: Database,
    payer_code: str,
    payer_id_text: str,
    limit: int = 5,
    *,
    dob: dt.date | None = None,
) -> list[Suggestion]:
    """Roster members of the payer who may be the person paid under ``payer_id_text``.

    Evidence: the same name (and date of birth, when ``dob`` is given: statements rarely carry
    one), a close name (similarity ≥ 0.8), an ID one or two characters away. Names come from the
    statement lines paid under the ID. Best first; nothing is linked.
    """
    with db.sessions() as s:
        payer = get_payer(s, payer_code)
        alias = _normalise_id(payer_id_text, payer, "a payer ID")
        _refuse_known(s, payer, alias)
        linked = s.execute(
            select(Member.member_id)
            .join(MemberAlias, MemberAlias.member_pk == Member.id)
            .where(MemberAlias.payer_id == payer.id, MemberAlias.alias_id == alias)
        ).scalar()
        if linked is not None:
            raise InputRejected(
                f"{alias} is already linked to member {linked}; unlink it first to choose again"
            )
        payer_id, code = payer.id, payer.code
    members = read_frame(
        db,
        select(
            Member.member_id.label("member_id"),
            Member.last_name.label("last_name"),
            Member.first_name.label("first_name"),
            Member.dob.label("dob"),
        ).where(Member.payer_id == payer_id),
        _MEMBERS_SCHEMA,
    )
    if members.height == 0:
        return []
    statement_names = [t for t in map(name_tokens, paid_names(db, code, alias)) if t]

    # Candidates by ID: every variant one or two characters away, looked up among the members.
    ids = members["member_id"]
    alphabet = "".join(sorted(set("".join(ids.unique().to_list()))))
    variants = id_variants(alias, alphabet, int(ids.str.len_chars().max() or 0))  # type: ignore[arg-type]
    by_id = members.filter(pl.col("member_id").is_in(list(variants)))

    # Candidates by name: members sharing a word, or a word's first three letters.
    words = {w for t in statement_names for w in t}
    prefixes = {w[:3] for w in words}
    by_name = members.with_columns(
        words=_folded_words(
            pl.concat_str(
                pl.col("last_name").fill_null(""),
                pl.col("first_name").fill_null(""),
                separator=" ",
            )
        )
    )
    if words:
        by_name = by_name.filter(
            pl.col("words")
            .list.eval(
                pl.element().is_in(list(words)) | pl.element().str.slice(0, 3).is_in(list(prefixes))
            )
            .list.any()
        ).drop("words")
    else:
        by_name = by_name.clear().drop("words")

    candidates = pl.concat([by_id, by_name]).unique("member_id", keep="first")
    out = [
        found
        for row in candidates.iter_rows(named=True)
        if (found := _score(row, variants.get(row["member_id"]), statement_names, dob)) is not None
    ]
    out.sort(key=lambda x: (-x.score, x.member_id))
    return out[: max(limit, 0)]


def _score(
    row: dict[str, object],
    id_evidence: tuple[str, float] | None,
    statement_names: list[tuple[str, ...]],
    dob: dt.date | None,
) -> Suggestion | None:
    last, first = row["last_name"], row["first_name"]
    display = _display(last, first)  # type: ignore[arg-type]
    tokens = name_tokens(display)
    similarity = max((name_similarity(t, tokens) for t in statement_names), default=0.0)
    reasons: list[str] = []
    scores: list[float] = []
    if similarity == 1.0:
        if dob is not None and row["dob"] == dob:
            reasons.append("same name and date of birth")
            scores.append(0.97)
        else:
            reasons.append("same name")
            scores.append(0.9)
    elif similarity >= 0.8:
        reasons.append(f"close name ({similarity:.0%} alike)")
        scores.append(0.5 + (similarity - 0.8) * 2)
    if id_evidence is not None:
        reasons.append(id_evidence[0])
        scores.append(id_evidence[1])
    if not scores:
        return None
    miss = 1.0
    for value in scores:
        miss *= 1 - value
    score = 1 - miss
    if statement_names and tokens and similarity < 0.5:
        reasons.append("but the name differs")
        score *= 0.5
    if dob is not None and row["dob"] is not None and row["dob"] != dob:
        reasons.append("but the date of birth differs")
        score *= 0.5
    return Suggestion(
        row["member_id"],  # type: ignore[arg-type]
        display,
        row["dob"],  # type: ignore[arg-type]
        "; ".join(reasons),
        round(score, 3),
    )


# --- linking ----------------------------------------------------------------------------------


def _note_history(s: Session, payer_id: int, alias: str, text: str) -> int:
    """Add ``text`` to the history of every discrepancy stored under ``alias``; how many.
    (The link's own audit entry stands for these notes.)"""
    found = s.scalars(
        select(Discrepancy).where(Discrepancy.payer_id == payer_id, Discrepancy.member_id == alias)
    ).all()
    at = now()
    for d in found:
        add_note(s, d, text, at, audited=False)
    return len(found)


def link_alias(
    db: Database, payer_code: str, alias_id: str, member_id: str, note: str | None = None
) -> AliasLink:
    """Record that the payer's ID ``alias_id`` stands for roster member ``member_id``.

    Refused (InputRejected): an alias that is a roster member's own ID, or already linked to
    another member. NotFound: an unknown payer or member. Linking the same pair again changes
    nothing (``created`` is False). The next reconciliation counts the alias's lines as the
    member's.
    """
    with db.sessions.begin() as s:
        payer = get_payer(s, payer_code)
        alias = _normalise_id(alias_id, payer, "an alias ID")
        target = _normalise_id(member_id, payer, "a member ID")
        member = s.scalar(
            select(Member).where(Member.payer_id == payer.id, Member.member_id == target)
        )
        if member is None:
            raise NotFound(f"no member {target} on any {payer.code} roster")
        name = _display(member.last_name, member.first_name)
        _refuse_known(s, payer, alias)
        existing = s.scalar(
            select(MemberAlias).where(
                MemberAlias.payer_id == payer.id, MemberAlias.alias_id == alias
            )
        )
        if existing is not None:
            if existing.member_pk == member.id:
                return AliasLink(payer.code, alias, target, name, created=False)
            other = s.get(Member, existing.member_pk)
            other_id = other.member_id if other is not None else "?"
            raise InputRejected(
                f"{alias} is already linked to member {other_id} at {payer.code}; "
                "unlink it first to link it to another member"
            )
        s.add(MemberAlias(payer_id=payer.id, alias_id=alias, member_pk=member.id))
        record(s, AuditAction.LINK, payer.code, f"alias {alias}", f"linked to member {target}")
        text = f"ID {alias} linked to member {target}" + (f" ({name})" if name else "")
        _note_history(s, payer.id, alias, f"{text}: {note}" if note else text)
        return AliasLink(payer.code, alias, target, name)


def unlink_alias(db: Database, payer_code: str, alias_id: str) -> AliasLink:
    """Remove a link; the alias's lines are unknown again from the next reconciliation on."""
    with db.sessions.begin() as s:
        payer = get_payer(s, payer_code)
        alias = _normalise_id(alias_id, payer, "an alias ID")
        existing = s.scalar(
            select(MemberAlias).where(
                MemberAlias.payer_id == payer.id, MemberAlias.alias_id == alias
            )
        )
        if existing is None:
            raise NotFound(f"{alias} is not linked to any {payer.code} member")
        member = s.get(Member, existing.member_pk)
        target = member.member_id if member is not None else "?"
        name = _display(member.last_name, member.first_name) if member is not None else ""
        s.delete(existing)
        record(
            s, AuditAction.UNLINK, payer.code, f"alias {alias}", f"unlinked from member {target}"
        )
        _note_history(s, payer.id, alias, f"ID {alias} unlinked from member {target}")
        return AliasLink(payer.code, alias, target, name)


def has_members(db: Database) -> bool:
    """Whether any member is stored (the Members page says to import a roster when none is)."""
    with db.sessions() as s:
        return s.scalar(select(Member.id).limit(1)) is not None
