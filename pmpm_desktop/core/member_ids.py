"""How a payer writes member IDs, and the one function that brings them to one form (SPEC §6).

A payer may write the same person as ``000-123-456`` on a statement, ``000123456-01`` on the
roster (a dependent suffix) and ``000123456`` on the next statement. An :class:`IdRule` says
which of those differences do not matter for that payer; :meth:`IdRule.apply` turns every ID
the payer writes (rosters, statements, aliases, searches) into the one form that is compared
and stored, and :meth:`IdRule.apply_series` does the same to a whole column (the two are kept equal
by tests/unit/test_member_ids.py on arbitrary text).

``apply`` is idempotent: an ID already in the rule's form is left as it is. That is what lets
a rule be re-applied to stored IDs, and a search be normalised like a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

# Punctuation inside an ID: spaces (also tab and no-break space), dashes (also an en dash
# from a word processor), dots, slashes, asterisks, underscores. Written out rather than
# ``\s``: Python's and polars' (Rust) ideas of white space differ at the edges.
_CHARS = " \t\u00a0\u2013-./*_"
_P = "[ \t\u00a0\u2013\\-./*_]"
_PUNCT = re.compile(_P)
# A dependent suffix: punctuation and exactly two digits at the end (``000123456-01``,
# ``000123456*01``). Three digits after a dash are part of the ID (``000-123-456``).
_SUFFIX_RE = re.compile(f"(.+?){_P}+([0-9]{{2}})")
# ...and only after an ID of six letters or digits that does not end in such a group itself
# (``ABC123-45-67`` has no clear suffix: it is left as written).
_GROUP_END = f"{_P}[0-9]{{2}}$"
_GROUP_END_RE = re.compile(f"{_P}[0-9]{{2}}\\Z")
_MIN_BASE = 6
_PREFIX = re.compile(r"[A-Z0-9]{1,10}")


class SuffixRule(StrEnum):
    """What a dependent suffix (``-01``, ``*01``) means for a payer."""

    #: IDs are taken as written: a suffix is part of the ID
    AS_WRITTEN = "as-written"
    #: the suffix names the dependent: kept, written ``BASE-NN`` whatever the separator
    KEEP = "keep"
    #: the suffix is dropped: a dependent is the subscriber's ID
    DROP = "drop"


@dataclass(frozen=True)
class IdRule:
    """A payer's ID rule. The default rule changes nothing."""

    #: dashes, spaces, dots, slashes, asterisks and underscores inside an ID are not part of it
    strip_punctuation: bool = False
    suffix: SuffixRule = SuffixRule.AS_WRITTEN
    #: a fixed prefix some of the payer's files put before the ID (removed where present)
    prefix: str = ""

    def __post_init__(self) -> None:
        prefix = self.prefix.strip().upper()
        if prefix and not _PREFIX.fullmatch(prefix):
            raise ValueError(f"an ID prefix is 1 to 10 letters or digits, not {self.prefix!r}")
        object.__setattr__(self, "prefix", prefix)
        object.__setattr__(self, "suffix", SuffixRule(self.suffix))

    @property
    def is_identity(self) -> bool:
        plain = self.suffix is SuffixRule.AS_WRITTEN
        return plain and not self.strip_punctuation and not self.prefix

    def _prefix_pattern(self) -> str:
        """The prefix at the start of an ID, repeated, with the punctuation after it (and,
        when punctuation is ignored, within it and before it)."""
        if self.strip_punctuation:
            return f"^{_P}*(?:{f'{_P}*'.join(self.prefix)}{_P}*)+"
        return f"^(?:{self.prefix}{_P}*)+"

    def apply(self, member_id: str) -> str:
        """The ID as this payer's rule compares it. ``member_id`` is already trimmed and
        upper-cased (``io.values.parse_member_id``). A step that would leave nothing (an ID
        that is only the prefix, or only punctuation) is not taken."""
        text = member_id
        if self.prefix and (m := re.match(self._prefix_pattern(), text)) and m.end() < len(text):
            text = text[m.end() :]
        digits = None
        if self.suffix is not SuffixRule.AS_WRITTEN and (m := _SUFFIX_RE.fullmatch(text)):
            base = m[1]
            if not _GROUP_END_RE.search(base) and len(_PUNCT.sub("", base)) >= _MIN_BASE:
                text, digits = base, m[2]
        if self.strip_punctuation:
            text = _PUNCT.sub("", text) or text
        if digits is not None and self.suffix is SuffixRule.KEEP:
            return f"{text}-{digits}"
        return text

    def apply_series(self, ids: pl.Series) -> pl.Series:
        """:meth:`apply` on every ID of a text column, vectorised (nulls stay null).

        Step by step on a frame, each step's column computed once; the suffix is found with
        plain string operations, not the regex (a lazy capture costs ten times as much)."""
        import polars as pl  # here: the rule's users that read no column stay light (the CLI)

        t, c = pl.col("t"), pl.col
        frame = pl.DataFrame({"t": ids.cast(pl.Utf8)})
        if self.prefix:
            frame = frame.with_columns(rest=t.str.replace(self._prefix_pattern(), ""))
            frame = frame.with_columns(
                t=pl.when(c("rest").str.len_chars() > 0).then(c("rest")).otherwise(t)
            )
        found = pl.lit(False)
        if self.suffix is not SuffixRule.AS_WRITTEN:
            frame = frame.with_columns(head=t.str.head(-2), digits=t.str.slice(-2))
            # the shortest base: every punctuation mark before the digits belongs to the suffix
            frame = frame.with_columns(base=c("head").str.strip_chars_end(_CHARS))
            frame = frame.with_columns(size=c("base").str.len_chars())
            frame = frame.with_columns(
                found=(
                    c("digits").str.contains("^[0-9]{2}$")
                    & (c("size") > 0)
                    & (c("size") < c("head").str.len_chars())
                    & ~c("base").str.contains("\n", literal=True)
                    & ~c("base").str.contains(_GROUP_END)
                    & (c("size") - c("base").str.count_matches(_P) >= _MIN_BASE)
                ).fill_null(False)
            )
            frame = frame.with_columns(t=pl.when(c("found")).then(c("base")).otherwise(t))
            found = c("found")
        if self.strip_punctuation:
            frame = frame.with_columns(stripped=t.str.replace_all(_P, ""))
            frame = frame.with_columns(
                t=pl.when(c("stripped").str.len_chars() > 0).then(c("stripped")).otherwise(t)
            )
        if self.suffix is SuffixRule.KEEP:
            frame = frame.with_columns(
                t=pl.when(found).then(t + pl.lit("-") + c("digits")).otherwise(t)
            )
        return frame["t"].alias(ids.name)

    def touches(self, column: pl.Expr) -> pl.Expr:
        """False where :meth:`apply` surely leaves the ID as it is (no punctuation, not the
        prefix's start): a cheap filter before :meth:`apply_series` on a large column."""
        import polars as pl

        if self.is_identity:
            return column.is_not_null() & pl.lit(False)
        may = column.str.contains(_P)
        if self.prefix:
            may = may | column.str.starts_with(self.prefix)
        return may.fill_null(False)

    # --- as stored and as typed ------------------------------------------------------------

    def to_json(self) -> dict[str, Any] | None:
        """What the payer row stores (None for the rule that changes nothing)."""
        if self.is_identity:
            return None
        return {
            "strip_punctuation": self.strip_punctuation,
            "suffix": self.suffix.value,
            "prefix": self.prefix,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> IdRule:
        if not data:
            return cls()
        return cls(
            strip_punctuation=bool(data.get("strip_punctuation", False)),
            suffix=SuffixRule(data.get("suffix", SuffixRule.AS_WRITTEN.value)),
            prefix=str(data.get("prefix") or ""),
        )

    @classmethod
    def parse(cls, text: str) -> IdRule:
        """The rule from its command-line form (:data:`RULE_FORMAT`); ``none`` (or nothing)
        for no rule. Raises ValueError naming the part it does not understand."""
        strip, suffix, prefix = False, SuffixRule.AS_WRITTEN, ""
        seen: set[str] = set()
        for raw in text.split(","):
            key, equals, value = (part.strip() for part in raw.partition("="))
            key = key.lower()
            if not equals and key in ("", "none"):
                continue
            if not equals and key in ("strip", "strip-punctuation"):
                key = "strip"
            elif key not in ("suffix", "prefix") or not equals:
                raise ValueError(f"unknown ID rule part {raw.strip()!r} (expected {RULE_FORMAT})")
            if key in seen:
                raise ValueError(f"the ID rule gives {key} twice")
            seen.add(key)
            if key == "strip":
                strip = True
            elif key == "suffix":
                try:
                    suffix = SuffixRule(value.lower())
                except ValueError:
                    raise ValueError(
                        f"unknown suffix rule {value!r} (expected keep, drop or as-written)"
                    ) from None
            elif not value:
                raise ValueError("prefix= needs the prefix, e.g. prefix=XYZ")
            else:
                prefix = value
        return cls(strip, suffix, prefix)

    def __str__(self) -> str:
        """The command-line form (``none`` for no rule)."""
        parts = []
        if self.strip_punctuation:
            parts.append("strip")
        if self.suffix is not SuffixRule.AS_WRITTEN:
            parts.append(f"suffix={self.suffix.value}")
        if self.prefix:
            parts.append(f"prefix={self.prefix}")
        return ",".join(parts) or "none"

    def describe(self) -> str:
        """The rule in words, for the payer page and import reports."""
        if self.is_identity:
            return "IDs are compared as written"
        text = "; ".join(self._parts())
        return text[0].upper() + text[1:]

    def _parts(self) -> list[str]:
        parts = []
        if self.strip_punctuation:
            parts.append("dashes and spaces are ignored")
        if self.suffix is SuffixRule.DROP:
            parts.append("a dependent suffix such as -01 is dropped")
        elif self.suffix is SuffixRule.KEEP:
            parts.append("a dependent suffix such as -01 is kept as the dependent")
        if self.prefix:
            parts.append(f"the prefix {self.prefix} is removed")
        return parts

    def when(self) -> str:
        """The condition the rule adds, as a clause: "when dashes and spaces are ignored and
        a dependent suffix such as -01 is dropped" (for sentences about IDs that match only
        under this rule)."""
        parts = self._parts()
        if not parts:
            return "as written"
        head = ", ".join(parts[:-1])
        return f"when {head} and {parts[-1]}" if head else f"when {parts[-1]}"


#: the command-line form of a rule, for help texts and refusals
RULE_FORMAT = (
    "'none', or any of 'strip' (ignore dashes and spaces), 'suffix=drop' / 'suffix=keep' "
    "(a dependent suffix such as -01 dropped, or kept as the dependent), 'prefix=XYZ' "
    "(remove a fixed prefix), joined by commas, e.g. 'strip,suffix=drop'"
)
