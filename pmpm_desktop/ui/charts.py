"""Small charts drawn with QPainter: grouped or stacked bars, and lines.

QtCharts would be a 175 MB wheel for three charts, so the dashboard draws its own
(``ui/chart_base.py``: what every chart shares). Each chart lays out its elements once per data
or size change (``elements()``), paints exactly those, and hit-tests the same geometry, so a
click, a tooltip and a test all agree on where a bar is.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QWidget

from pmpm_desktop.ui.chart_base import Chart
from pmpm_desktop.ui.chart_data import (
    COLOURS,
    Element,
    Number,
    Series,
    dollars,
    nice_step,
    nice_ticks,
    tick_text,
    value_text,
)

__all__ = [
    "COLOURS",
    "BarChart",
    "Chart",
    "Element",
    "LineChart",
    "Number",
    "Series",
    "dollars",
    "nice_step",
    "nice_ticks",
    "tick_text",
    "value_text",
]


class BarChart(Chart):
    """Bars per category: side by side (grouped) or on top of each other (stacked; positive
    values stack up from zero, negative ones down)."""

    def __init__(
        self,
        title: str,
        value_kind: str = "money",
        *,
        stacked: bool = False,
        empty_text: str = "Nothing to show yet.",
        parent: QWidget | None = None,
    ) -> None:
        self.stacked = stacked
        super().__init__(title, value_kind, empty_text, parent)

    def _stacked_range(self, low: float, high: float) -> tuple[float, float]:
        if not self.stacked:
            return low, high
        ups = [0.0] * len(self.categories)
        downs = [0.0] * len(self.categories)
        for s in self.series:
            for i, v in enumerate(s.values):
                if v is None:
                    continue
                if v >= 0:
                    ups[i] += float(v)
                else:
                    downs[i] += float(v)
        return min(downs, default=0.0), max(ups, default=0.0)

    def _layout_elements(self) -> None:
        n = len(self.series)
        zero = self._y(0.0)
        for ci in range(len(self.categories)):
            slot = self._slot(ci)
            if self.stacked:
                width = min(slot.width() * 0.6, 72.0)
                left = slot.center().x() - width / 2
                up = down = 0.0
                for si, s in enumerate(self.series):
                    v = s.values[ci]
                    if not v:
                        continue
                    if v > 0:
                        y1, y2 = self._y(up + float(v)), self._y(up)
                        up += float(v)
                    else:
                        y1, y2 = self._y(down), self._y(down + float(v))
                        down += float(v)
                    rect = QRectF(left, y1, width, max(y2 - y1, 2.0))
                    self._elements.append(self._element(si, ci, rect, v))
            else:
                group = min(slot.width() * 0.78, 40.0 * n)
                width = group / n
                left = slot.center().x() - group / 2
                for si, s in enumerate(self.series):
                    v = s.values[ci]
                    if not v:
                        continue
                    y = self._y(float(v))
                    top, bottom = min(y, zero), max(y, zero)
                    if bottom - top < 2.0:  # a tiny value stays visible and clickable
                        top = bottom - 2.0 if v > 0 else top
                        bottom = top + 2.0
                    rect = QRectF(left + si * width + 1, top, max(width - 2, 2.0), bottom - top)
                    self._elements.append(self._element(si, ci, rect, v))

    def _paint_elements(self, painter: QPainter) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        for e in self._elements:
            colour = QColor(e.colour)
            if self._hover is not None and e == self._hover:
                colour = colour.darker(120) if not self._dark() else colour.lighter(120)
            painter.setBrush(colour)
            path = QPainterPath()
            path.addRoundedRect(e.rect, 1.5, 1.5)
            painter.drawPath(path)


class LineChart(Chart):
    """One line per series over the categories, with a dot per value (the dots are what is
    clicked)."""

    RADIUS = 3.5
    HIT = 9.0
    FROM_ZERO = False

    def _layout_elements(self) -> None:
        for ci in range(len(self.categories)):
            x = self._slot(ci).center().x()
            for si, s in enumerate(self.series):
                v = s.values[ci]
                if v is None:
                    continue
                y = self._y(float(v))
                rect = QRectF(x - self.HIT, y - self.HIT, 2 * self.HIT, 2 * self.HIT)
                self._elements.append(self._element(si, ci, rect, v))

    def element_at(self, pos: QPointF) -> Element | None:
        """The nearest dot within reach (lines of equal values overlap: the nearest wins)."""
        self._ensure_layout()
        best: tuple[float, Element] | None = None
        for e in self._elements:
            d = math.hypot(e.center.x() - pos.x(), e.center.y() - pos.y())
            if d <= self.HIT and (best is None or d < best[0]):
                best = (d, e)
        return best[1] if best else None

    def _paint_elements(self, painter: QPainter) -> None:
        for s in self.series:
            points = [e for e in self._elements if e.series_key == s.key]
            if not points:
                continue
            colour = points[0].colour
            style = Qt.PenStyle.DashLine if s.dashed else Qt.PenStyle.SolidLine
            pen = QPen(colour, 2.2, style)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            path = QPainterPath(points[0].center)
            for e in points[1:]:
                path.lineTo(e.center)
            painter.drawPath(path)
            base = self.palette().color(QPalette.ColorRole.Base)
            for e in points:
                hovered = self._hover is not None and e == self._hover
                r = self.RADIUS * (1.6 if hovered else 1.0)
                painter.setPen(QPen(colour, 2))
                painter.setBrush(colour if hovered or not s.dashed else base)
                painter.drawEllipse(e.center, r, r)
