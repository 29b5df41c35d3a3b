"""How a payer writes member IDs, and the one function that brings them to one form (SPEC §6).

A payer may write the same person as ``000-123-456`` on a statement, ``000123456-01`` on the
roster (a dependent suffix) and ``000123456`` on the next statement. An :class:`IdRule` says
which of those differences do not matter for that payer; :meth:`IdRule.apply` turns every ID
the payer writes (rosters, statements, aliases, searches) into the one form that is compared
and stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# A dependent suffix: a separator and two digits after an ID of six characters or more
# (``000123456-01``, ``000123456*01``). Three digits after a dash are part of the ID itself
# (``000-123-456``).
_SUFFIX = re.compile(r"^(.{6,}?)\s*[-*/.\s]\s*(\d{2})$")
_PUNCTUATION = re.compile(r"[-\s./*_]+")
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

    #: dashes, spaces, dots, slashes and underscores inside an ID are not part of it
    strip_punctuation: bool = False
    suffix: SuffixRule = SuffixRule.AS_WRITTEN
    #: a fixed prefix some of the payer's files put before the ID (removed where present)
    prefix: str = ""

    def __post_init__(self) -> None:
        prefix = self.prefix.strip().upper()
        if prefix and not _PREFIX.fullmatch(prefix):
            raise ValueError("an ID prefix is 1 to 10 letters or digits")
        object.__setattr__(self, "prefix", prefix)

    @property
    def is_identity(self) -> bool:
        plain = self.suffix is SuffixRule.AS_WRITTEN
        return plain and not self.strip_punctuation and not self.prefix

    def apply(self, member_id: str) -> str:
        """The ID as this payer's rule compares it. ``member_id`` is already trimmed and
        upper-cased (``io.values.parse_member_id``); an ID the rule would empty is returned
        unchanged."""
        text = member_id
        if self.prefix and text.startswith(self.prefix) and len(text) > len(self.prefix):
            text = text[len(self.prefix) :].lstrip(" -*/._")
        suffix = ""
        if self.suffix is not SuffixRule.AS_WRITTEN and (m := _SUFFIX.match(text)):
            text, suffix = m[1], m[2]
        if self.strip_punctuation:
            text = _PUNCTUATION.sub("", text)
        if not text:
            return member_id
        if suffix and self.suffix is SuffixRule.KEEP:
            return f"{text}-{suffix}"
        return text

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
        """The rule from its command-line form: comma-separated ``strip``, ``suffix=drop`` or
        ``suffix=keep``, ``prefix=XYZ``; ``none`` (or nothing) for no rule."""
        strip, suffix, prefix = False, SuffixRule.AS_WRITTEN, ""
        for raw in text.split(","):
            token = raw.strip().lower()
            if token in ("", "none"):
                continue
            if token in ("strip", "strip-punctuation"):
                strip = True
            elif token.startswith("suffix="):
                value = token.partition("=")[2].strip()
                try:
                    suffix = SuffixRule(value)
                except ValueError:
                    raise ValueError(
                        f"unknown suffix rule {value!r} (expected keep, drop or as-written)"
                    ) from None
            elif token.startswith("prefix="):
                prefix = raw.partition("=")[2].strip()
            else:
                raise ValueError(
                    f"unknown ID rule part {raw.strip()!r} "
                    "(expected strip, suffix=keep, suffix=drop, prefix=XYZ or none)"
                )
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
        parts = []
        if self.strip_punctuation:
            parts.append("dashes and spaces are ignored")
        if self.suffix is SuffixRule.DROP:
            parts.append("a dependent suffix such as -01 is dropped")
        elif self.suffix is SuffixRule.KEEP:
            parts.append("a dependent suffix such as -01 is kept as the dependent")
        if self.prefix:
            parts.append(f"the prefix {self.prefix} is removed")
        text = "; ".join(parts)
        return text[0].upper() + text[1:]
