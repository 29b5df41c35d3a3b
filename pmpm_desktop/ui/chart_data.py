"""The values the small charts draw: series, the elements laid out from them, the colours,
nice axis ticks, and money and counts as the charts label them (``ui.format``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor

from pmpm_desktop.ui import format

Number = Decimal | int

#: Series colours that read on light and dark backgrounds alike (lightened a little on dark).
COLOURS: tuple[str, ...] = (
    "#2f6fb7",
    "#e07b39",
    "#3a9d5d",
    "#8e5bb5",
    "#c94c4c",
    "#1f9aa6",
    "#b08a1e",
    "#7f7f7f",
)


def dollars(value: Decimal | int | None) -> str:
    """Money on a chart: as everywhere (ui.format.dollars), a dash when there is none."""
    return format.dollars(value, blank="—")


def value_text(value: Number, kind: str) -> str:
    """A value as a tooltip says it: money in dollars, counts with thousands separators."""
    return dollars(value) if kind == "money" else format.count(int(value))


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^k) giving about ``ticks`` intervals over ``span``."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def nice_ticks(low: float, high: float, ticks: int = 5, *, zero: bool = True) -> list[float]:
    """Round tick values covering low..high; with ``zero`` the range includes 0 (bars grow
    from zero; a line chart zooms on its values instead)."""
    if zero:
        low, high = min(low, 0.0), max(high, 0.0)
    if low == high:
        low, high = (low - 1.0, high + 1.0) if low else (0.0, 1.0)
    step = nice_step(high - low, ticks)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    count = int(round((last - first) / step))
    return [first + i * step for i in range(count + 1)]


def tick_text(value: float, step: float, kind: str) -> str:
    """An axis label: whole dollars/counts when the step is whole, cents otherwise."""
    if kind != "money":
        return format.count(int(round(value)))
    if step >= 1:
        whole = Decimal(int(round(value)))
        text = f"${format.count(int(abs(whole)))}"
        return f"−{text}" if whole < 0 else text
    return dollars(Decimal(str(round(value, 2))))


@dataclass(frozen=True)
class Series:
    """One series: a key (what ``clicked`` reports), a label (legend, tooltip), one value per
    category (in the chart's category order; None = no value)."""

    key: str
    label: str
    values: tuple[Number | None, ...]
    colour: str | None = None
    dashed: bool = False


@dataclass(frozen=True)
class Element:
    """One drawn bar or point: where it is and what it stands for."""

    series_key: str
    category_key: str
    rect: QRectF
    value: Number
    series_label: str
    category_label: str
    colour: QColor

    #: "money" or "count": how the value reads
    kind: str = "money"

    @property
    def center(self) -> QPointF:
        return self.rect.center()

    @property
    def tooltip(self) -> str:
        return f"{self.series_label} · {self.category_label}: {value_text(self.value, self.kind)}"
