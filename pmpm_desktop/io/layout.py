"""Report layouts: the rows around and between a payer file's data (SPEC §6 "Report layouts").

Report writers (Crystal, SSRS, plan portals) spread a header over two or three rows (group
cells over the cells below), put a section title above each group of members
(``PRODUCT: MEDICAID HMO (MCD)``), end groups with subtotals, repeat the title and header on
every page, and add legends, report parameters and ``*** END OF REPORT ***``. This module
recognises those rows from their shape and text; ``io.table`` applies it to a sheet and
``io.parsed`` to the mapped columns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pmpm_desktop.io.detect import npi_valid

Cells = Sequence[str | None]

# A group cell of a header is a short label, never a value.
_GROUP_CELL_MAX = 40
# "LABEL: VALUE" (also "LABEL = VALUE", "LABEL - VALUE"): a section title.
_SECTION = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 /#&.'()]{0,40}?)\s*(?::|=|\s[-–]\s)\s*(\S.*?)\s*$")
_NPI_IN_TEXT = re.compile(r"(?<!\d)([12]\d{9})(?!\d)")
_LETTERS = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
# Looks like a data value rather than a label: numbers, dates, amounts, IDs.
_VALUE_LIKE = re.compile(
    r"^\s*(?:[-+(]?\$?\s*[\d.,]+\s*\)?-?\s*(?:CR|DR)?|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}"
    r"|[A-Z]{0,4}\d[\dA-Z-]{3,})\s*$",
    re.IGNORECASE,
)
# Totals, counts and report footers, in the languages payers' report writers use.
TOTAL = re.compile(
    r"^\s*(?:\*+\s*)?(?:grand\s*totals?|sub\s*-?\s*totals?|totals?\b|tot\b|ttl\b|totales?\b|totaal\b|summe\b|somme\b|insgesamt\b|"
    r"zwischensumme|gesamt|suma\b|sous-total|count\b|record\s*count|"
    r"(?:number|no\.?|#)\s+of\s+(?:members|records|lines|enrollees)|members?\s*:|"
    r"report\s+(?:run|date|generated|total)|run\s+date|end\s+of\s+(?:report|file|data)|"
    r"page\s+\d+|\*+\s*end|\*+\s*(?:no\s+)?(?:more\s+)?data)",
    re.IGNORECASE,
)


# A page stamp: "Page 2 of 3", "Page: 2", "Run date: 03/02/2026", "Printed 03/02/2026 10:14".
PAGE_STAMP = re.compile(
    r"(?i)^\s*(?:page\s*:?\s*\d+(?:\s*(?:of|/)\s*\d+)?|(?:run|print(?:ed)?|report)\s*"
    r"(?:date|time|on)?\s*:?\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}.*)\s*$"
)


def blank(cell: str | None) -> bool:
    return cell is None or not cell.strip()


def value_like(text: str) -> bool:
    """A cell that reads as a value (an amount, a date, an ID), not as a column name."""
    return _VALUE_LIKE.match(text) is not None


def distinct_texts(row: Cells) -> list[str]:
    """The row's non-blank cells, each text once, in order (a merged range repeats its text)."""
    seen: dict[str, None] = {}
    for cell in row:
        if not blank(cell):
            seen.setdefault(" ".join(str(cell).split()), None)
    return list(seen)


# --- headers over several rows ---------------------------------------------------------------


def is_group_row(row: Cells, below: Cells) -> bool:
    """Whether ``row`` can be the group row over the header row ``below``: two or more short
    labels (a title merged across the sheet is one), none a value, one of them over two or more
    labels below; the row below has two labels or more."""
    texts = distinct_texts(row)
    if len(texts) < 2 or len(distinct_texts(below)) < 2:
        return False
    if not all(len(t) <= _GROUP_CELL_MAX and not value_like(t) for t in texts):
        return False
    # A group spans columns: its label sits over two or more column names.
    spread = _spread(row, below)
    spans = {
        t: sum(1 for i, c in enumerate(spread) if c == t and i < len(below) and not blank(below[i]))
        for t in texts
    }
    return any(n >= 2 for n in spans.values())


def _spread(row: Cells, below: Cells) -> list[str | None]:
    """A group row with each label carried right over the columns under it: across blanks
    whose cell below has text (an unmerged group cell in a CSV), stopping at the next label or
    at a column with nothing below (a blank gap between groups)."""
    out: list[str | None] = []
    current: str | None = None
    for i, cell in enumerate(row):
        under = below[i] if i < len(below) else None
        if not blank(cell):
            current = cell
            out.append(cell)
        elif current is not None and not blank(under):
            out.append(current)
        else:
            current = None
            out.append(None)
    return out


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def combine_header(rows: Sequence[Cells]) -> list[str | None]:
    """The column names of a header spread over ``rows`` (top first): each column's labels
    joined top to bottom (``Member`` over ``ID`` → ``Member ID``); a label merged down over the
    rows (``Rate Cell``) once; a lower label that already starts with the one above
    (``Member`` over ``Member ID``) alone."""
    if len(rows) == 1:
        return list(rows[0])
    width = max(len(r) for r in rows)
    padded = [list(r) + [None] * (width - len(r)) for r in rows]
    spread = [_spread(padded[i], padded[i + 1]) for i in range(len(padded) - 1)] + [padded[-1]]
    names: list[str | None] = []
    for col in range(width):
        parts: list[str] = []
        for row in spread:
            cell = row[col]
            if blank(cell):
                continue
            text = " ".join(str(cell).split())
            if parts and _words(text)[: len(_words(parts[-1]))] == _words(parts[-1]):
                parts[-1] = text  # "Member" over "Member ID"; "Rate Cell" merged down
                continue
            parts.append(text)
        names.append(" ".join(parts) if parts else None)
    return names


# --- rows between the data ---------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A section title: ``label`` as written, ``value`` for the rows below it."""

    label: str
    value: str


def lonely_text(row: Cells) -> str | None:
    """The text of a row holding one text only (a title, a section, a legend), else None."""
    texts = distinct_texts(row)
    return texts[0] if len(texts) == 1 else None


def section_of(text: str) -> Section | None:
    """``PRODUCT: MEDICAID HMO (MCD)`` → Section("PRODUCT", "MEDICAID HMO (MCD)")."""
    m = _SECTION.match(text)
    if m is None or TOTAL.match(text):
        return None
    return Section(m[1].strip(), m[2].strip())


def section_value(field: str, value: str) -> str:
    """What a section gives its field: for a PCP, the NPI when the text holds a valid one."""
    if field == "pcp":
        for candidate in _NPI_IN_TEXT.findall(value):
            if npi_valid(candidate):
                return str(candidate)
    return value


def is_note(text: str) -> bool:
    """A lonely text that is no data value: a title, a legend, report parameters, a footer
    (words, or punctuation such as ``***``), as opposed to an ID or an amount alone on a row,
    which may be a member's line."""
    if TOTAL.match(text):
        return True
    if value_like(text):
        return False
    if not _LETTERS.search(text):
        return not _DIGIT.search(text)  # "*****", "-----"
    if not _DIGIT.search(text):
        return True  # a word alone: no member ID (they hold digits), no amount
    return " " in text.strip() or ":" in text or "*" in text or len(text) > 20


def product_variants(text: str) -> list[str]:
    """The ways a product may be named in a section or cell: ``MEDICAID HMO (MCD)`` → the whole
    text, the code in parentheses, the text before them."""
    out = [text.strip()]
    m = re.match(r"^(.*?)\s*\(([^()]+)\)\s*$", text)
    if m:
        out += [m[2].strip(), m[1].strip()]
    return [v for v in dict.fromkeys(out) if v]


def resolve_product(text: str, products: Sequence[str]) -> str:
    """The variant of ``text`` that is one of the payer's product codes (trimmed, any case),
    as written; the whole text when none is."""
    codes = {p.strip().casefold() for p in products}
    for variant in product_variants(text):
        if variant.casefold() in codes:
            return variant
    return text.strip()


def products_named(text: str, products: Sequence[str]) -> set[str]:
    """The payer's product codes that appear in ``text`` as whole words (a sheet name, a title)."""
    found: set[str] = set()
    folded = f" {' '.join(_words(text))} "
    for code in products:
        words = " ".join(_words(code))
        if words and f" {words} " in folded:
            found.add(code.strip())
    return found


_MONTH_WORD = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_MONTHS_IN_TEXT = re.compile(
    r"(?<![\w/.-])(?:"
    + _MONTH_WORD
    + r"\.?[\s,/'-]*((?:19|20)\d{2}|\d{2})"  # February 2026, Feb-26
    r"|((?:19|20)\d{2})[-/.](0?[1-9]|1[0-2])"  # 2026-02, 2026/02
    r"|(0?[1-9]|1[0-2])[-/.]((?:19|20)\d{2})"  # 02/2026, 02.2026
    r"|((?:19|20)\d{2})(0[1-9]|1[0-2])"  # 202602
    r")(?![\w/.-]*\d)",
    re.IGNORECASE,
)
_MONTH_NUMBERS = {
    name: i + 1
    for i, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}


def months_in(text: str) -> set[tuple[int, int]]:
    """The months a title or file name names on their own, as (year, month): ``Capitation for
    February 2026``, ``SUN_CAP_202602``, ``Period 02/2026``; full dates (``03/02/2026``, a run
    date) name no month."""
    found: set[tuple[int, int]] = set()
    for m in _MONTHS_IN_TEXT.finditer(text.replace("_", " ")):
        if m[1]:
            year = int(m[2])
            found.add((year if year > 99 else 2000 + year, _MONTH_NUMBERS[m[1][:3].lower()]))
        elif m[3]:
            found.add((int(m[3]), int(m[4])))
        elif m[5]:
            found.add((int(m[6]), int(m[5])))
        elif m[7]:
            found.add((int(m[7]), int(m[8])))
    return found
