"""Which element of an X12 roster a field is read from, where payers differ.

An 834 may carry the member ID in NM1*IL09, REF*0F or REF*23, and the product and rate cell
in the HD segment or in one of several REF segments of the coverage loop. The payer's import
profile (or the user, in the preview) names the element; otherwise a default is chosen from
the file's own values: for the product, the element whose values are the payer's product
codes. Every choice is a ReadDecision, so the preview shows it and the user can change it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pmpm_desktop.io.fields import MappingError, label
from pmpm_desktop.io.layout import resolve_product
from pmpm_desktop.io.options import DecisionKind, ReadDecision

#: what each element holds, as the implementation guides name it
DESCRIPTIONS = {
    "NM1*IL09": "member identifier",
    "REF*0F": "subscriber number",
    "REF*23": "client number",
    "REF*1W": "member identification number",
    "REF*17": "client reporting category",
    "REF*CE": "class of contract code",
    "REF*M7": "medical assistance category",
    "REF*ZZ": "mutually defined",
    "REF*1L": "group or policy number",
    "REF*3H": "case number",
    "REF*RB": "rate code number",
    "HD03": "insurance line code",
    "HD04": "plan coverage description",
    "EB04": "insurance type code",
    "EB05": "plan coverage description",
}
#: per X12 roster (ST01), the elements a payer may choose each field from, the reader's order
#: first (the preview offers them; the reader also takes any other REF segment of the loop)
CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "834": {
        "member_id": ("NM1*IL09", "REF*0F", "REF*23"),
        "product": ("HD04", "REF*CE", "HD03", "REF*17", "REF*M7", "REF*ZZ"),
        "rate_cell": ("REF*17", "REF*M7", "REF*ZZ", "REF*CE", "HD03", "HD04"),
    },
    "271": {"product": ("EB05", "EB04")},
}
_REF = re.compile(r"^REF\*[A-Z0-9]{2,3}$")
_ELEMENT = re.compile(r"^[A-Z][A-Z0-9]{1,2}(\*[A-Z0-9]{1,3})?\d{2}$|^REF\*[A-Z0-9]{2,3}$")


@dataclass(frozen=True)
class Choice:
    """The element a field is read from (None: the file has none), and why."""

    source: str | None
    decision: ReadDecision


def described(source: str) -> str:
    """``HD04 (plan coverage description)``."""
    text = DESCRIPTIONS.get(source)
    return f"{source} ({text})" if text else source


def given_source(
    field: str, mapping: Mapping[str, str], fixed: Sequence[str], *, refs: bool = True
) -> str | None:
    """The element ``mapping`` names for ``field``: one of ``fixed``, or any ``REF*xx`` when
    ``refs``. A column name of a spreadsheet profile is not for this file (None); an X12
    element this reader cannot read the field from is a MappingError naming the choices."""
    value = mapping.get(field)
    if value is None or not value.strip():
        return None
    source = value.strip().upper()
    if source in fixed or (refs and _REF.match(source)):
        return source
    if _ELEMENT.match(source):
        choices = ", ".join(fixed) + (" or a REF segment (REF*0F, REF*17, …)" if refs else "")
        raise MappingError(
            f"{label(field)} cannot be read from {value!r} in this file; choose {choices}"
        )
    return None


def chosen(field: str, source: str) -> Choice:
    """The element the profile or the user named."""
    return Choice(
        source,
        ReadDecision(
            DecisionKind.COLUMN,
            f"{label(field)} is read from {described(source)}, as chosen for this payer",
            column=source,
        ),
    )


Values = Callable[[str], Sequence[str | None]]


def first_filled(field: str, order: Sequence[str], values: Values) -> Choice:
    """The first element of ``order`` that the file fills at least once (``values(source)``
    gives its value on every row)."""
    shown = ", ".join(order)
    for source in order:
        if any(values(source)):
            return Choice(
                source,
                ReadDecision(
                    DecisionKind.COLUMN,
                    f"{label(field)} is read from {described(source)}, the first of {shown} "
                    "this file fills",
                    column=source,
                ),
            )
    return Choice(
        None, ReadDecision(DecisionKind.COLUMN, f"the file has no {label(field)} ({shown})")
    )


def product_source(order: Sequence[str], values: Values, products: Sequence[str]) -> Choice:
    """The element of ``order`` whose values are the payer's product codes most often (the
    first on a tie); without product codes, or when no value is one, the first filled."""
    if not products:
        return first_filled("product", order, values)
    codes = {p.strip().casefold() for p in products}
    best: tuple[int, int, str] | None = None
    for source in order:
        cells = values(source)
        counts: Counter[str | None] = Counter(cells)
        counts.pop("", None)
        counts.pop(None, None)
        hits = sum(
            n for v, n in counts.items() if v and resolve_product(v, products).casefold() in codes
        )
        if hits and (best is None or hits > best[0]):
            best = (hits, sum(counts.values()), source)
        if hits == len(cells):
            break  # every row holds a product: no element can do better
    if best is None:
        fallback = first_filled("product", order, values)
        text = (
            f"{fallback.decision.text}; none of its values is one of the payer's products "
            f"({', '.join(products)})"
        )
        return Choice(
            fallback.source, ReadDecision(DecisionKind.COLUMN, text, column=fallback.source)
        )
    hits, total, source = best
    return Choice(
        source,
        ReadDecision(
            DecisionKind.COLUMN,
            f"product is read from {described(source)}: {hits:,} of {total:,} of its values "
            "are the payer's products",
            column=source,
        ),
    )


def matches(value: str | None, products: Sequence[str]) -> bool:
    """Whether ``value`` names one of the payer's product codes."""
    if not value:
        return False
    codes = {p.strip().casefold() for p in products}
    return resolve_product(value, products).casefold() in codes
