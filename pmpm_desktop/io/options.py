"""What a payer-file reader is told (:class:`ReadOptions`) and what it tells back about how it
read the file (:class:`ReadDecision`): the words the readers, the import services, the CLI and
the wizard share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from pmpm_desktop.core.member_ids import IdRule


class FileKind(StrEnum):
    """The kinds of payer file (the values are the words stored in import profiles)."""

    ROSTER = "roster"
    STATEMENT = "remittance"
    RATES = "rates"

    @property
    def label(self) -> str:
        """The kind in a sentence: "roster", "payment statement", "rate exhibit"."""
        return _LABELS[self]


_LABELS = {
    FileKind.ROSTER: "roster",
    FileKind.STATEMENT: "payment statement",
    FileKind.RATES: "rate exhibit",
}


@dataclass(frozen=True)
class ReadOptions:
    """How to read one payer's file: the payer's settings and the user's choices.

    ``None`` in ``decimal_comma`` / ``day_first`` means "decide from the file" (once per file
    for numbers, once per column for dates); ``values`` (``--set FIELD=VALUE``) give every row
    a value the file does not carry; ``products`` are the payer's contract product codes, which
    let a section row or a sheet name say which product its rows are.
    """

    id_width: int | None = None
    id_rule: IdRule = IdRule()
    #: True: ``CR`` is money paid to the practice (SPEC §6 default); False: ``DR`` is
    credit_is_payment: bool = True
    decimal_comma: bool | None = None
    day_first: bool | None = None
    values: Mapping[str, str] = field(default_factory=dict)
    products: tuple[str, ...] = ()


class DecisionKind(StrEnum):
    """What a reader decided on its own, so the user can see it (SPEC §6 "every decision")."""

    KIND = "kind"  # which kind of file this looks like
    SHEET = "sheet"
    HEADER = "header"  # the header row(s)
    COLUMN = "column"  # a column chosen by its values, not its name
    SECTION = "section"  # rows giving a value to the rows below them
    SKIPPED = "skipped"  # totals, page headers, legends, report footers
    BLOCK = "block"  # member cells filled down a member block
    VALUE = "value"  # a value given for every row (--set, a section, a sheet name)
    AMOUNT_STYLE = "amount_style"  # CR/DR, trailing minus, decimal comma
    DATE_ORDER = "date_order"  # day/month order of a date column
    ID_RULE = "id_rule"  # the payer's ID rule applied
    OPEN_ENDED = "open_ended"  # 9999-12-31 and the like read as no end
    ENCODING = "encoding"  # a text file that is not UTF-8


@dataclass(frozen=True)
class ReadDecision:
    """One decision, in a sentence a clerk understands; ``rows`` are the file rows it concerns
    (1-based), ``column`` the column as written in the file."""

    kind: DecisionKind
    text: str
    rows: tuple[int, ...] = ()
    column: str | None = None

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {"kind": self.kind.value, "text": self.text}
        if self.column is not None:
            out["column"] = self.column
        if self.rows:
            out["rows"] = list(self.rows)
        return out


def known_values(values: Mapping[str, str]) -> dict[str, str]:
    """``values`` with blank entries left out (a blank ``--set`` gives no value)."""
    return {k: v for k, v in values.items() if v is not None and str(v).strip()}
