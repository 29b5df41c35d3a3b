"""What the small charts share: data, axes, legend, empty state, hover, tooltips, clicks, keys
(``ui/charts.py`` has the bar and line charts).

QtCharts would be a 175 MB wheel for three charts, so the dashboard draws its own. Each chart
lays out its elements once per data or size change (``elements()``), paints exactly those, and
hit-tests the same geometry, so a click, a tooltip and a test all agree on where a bar is.

Values arrive as Decimal money or int counts; floats are used for pixel geometry only, never for
a number shown (labels and tooltips format the original value through ``ui.format``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QToolTip, QWidget

from pmpm_desktop.ui.chart_data import (
    COLOURS,
    Element,
    Number,
    Series,
    nice_ticks,
    tick_text,
    value_text,
)
from pmpm_desktop.ui.theme import is_dark_palette


class Chart(QWidget):
    """Base of the charts: data, axes, legend, empty state, hover, tooltips, clicks, keys."""

    #: (series key, category key) of the bar or point clicked (or activated with the keyboard)
    clicked = Signal(str, str)

    LEGEND_SWATCH = 10.0
    PAD = 8.0
    #: whether the value axis always shows 0
    FROM_ZERO = True

    def __init__(
        self,
        title: str,
        value_kind: str = "money",
        empty_text: str = "Nothing to show yet.",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.title = title
        self.value_kind = value_kind
        self.empty_text = empty_text
        self.categories: tuple[tuple[str, str], ...] = ()
        self.series: tuple[Series, ...] = ()
        self._elements: list[Element] = []
        self._ticks: list[float] = []
        self._plot = QRectF()
        self._legend: list[tuple[QRectF, str, QColor]] = []
        self._hover: Element | None = None
        self._current = -1  # keyboard focus among the elements
        self._dirty = True
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(280, 200)
        self.setAccessibleName(title)
        self.setAccessibleDescription(self.describe())

    # -- data -----------------------------------------------------------------------------
    def set_data(self, categories: Sequence[tuple[str, str]], series: Sequence[Series]) -> None:
        """``categories`` as (key, label) pairs; each series has one value per category."""
        for s in series:
            if len(s.values) != len(categories):
                raise ValueError(
                    f"series {s.key!r} has {len(s.values)} values for {len(categories)} categories"
                )
        self.categories = tuple(categories)
        self.series = tuple(series)
        self._hover = None
        self._current = -1
        self._dirty = True
        self.setAccessibleDescription(self.describe())
        self.update()

    @property
    def is_empty(self) -> bool:
        return not any(v for s in self.series for v in s.values if v is not None)

    def describe(self) -> str:
        """The chart in words, for screen readers (every value, series by series)."""
        if self.is_empty:
            return f"{self.title}: {self.empty_text}"
        parts = []
        for s in self.series:
            values = ", ".join(
                f"{label} {value_text(v, self.value_kind)}"
                for (_key, label), v in zip(self.categories, s.values, strict=True)
                if v is not None
            )
            parts.append(f"{s.label}: {values}")
        return f"{self.title}. " + "; ".join(parts) + "."

    # -- geometry (public so tests and clicks use the same numbers) -------------------------
    def elements(self) -> list[Element]:
        self._ensure_layout()
        return list(self._elements)

    def element(self, series_key: str, category_key: str) -> Element | None:
        for e in self.elements():
            if (e.series_key, e.category_key) == (series_key, category_key):
                return e
        return None

    def plot_rect(self) -> QRectF:
        self._ensure_layout()
        return QRectF(self._plot)

    def element_at(self, pos: QPointF) -> Element | None:
        """The element under ``pos`` (widget coordinates), or None."""
        self._ensure_layout()
        for e in reversed(self._elements):  # drawn last = on top
            if self._hit(e, pos):
                return e
        return None

    def tooltip_at(self, pos: QPointF) -> str:
        e = self.element_at(pos)
        return e.tooltip if e is not None else ""

    def _hit(self, e: Element, pos: QPointF) -> bool:
        return e.rect.contains(pos)

    # -- layout ---------------------------------------------------------------------------
    def _colour(self, index: int, s: Series) -> QColor:
        colour = QColor(s.colour or COLOURS[index % len(COLOURS)])
        if self._dark():
            colour = colour.lighter(130)
        return colour

    def _dark(self) -> bool:
        return is_dark_palette(self.palette())

    def _value_range(self) -> tuple[float, float]:
        values = [float(v) for s in self.series for v in s.values if v is not None]
        return (min(values, default=0.0), max(values, default=0.0))

    def _ensure_layout(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        self._elements = []
        self._legend = []
        fm = QFontMetricsF(self.font())
        area = QRectF(self.rect()).adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD)
        if self.is_empty or not self.categories or area.width() < 50 or area.height() < 50:
            self._plot = QRectF()
            return
        # legend: one row of swatches, wrapping when the chart is narrow
        x, y = area.left(), area.top()
        line = fm.height()
        for i, s in enumerate(self.series):
            width = self.LEGEND_SWATCH + 6 + fm.horizontalAdvance(s.label)
            if x > area.left() and x + width > area.right():
                x, y = area.left(), y + line + 4
            self._legend.append((QRectF(x, y, width, line), s.label, self._colour(i, s)))
            x += width + 18
        top = y + line + 10
        low, high = self._value_range()
        self._ticks = nice_ticks(*self._stacked_range(low, high), zero=self.FROM_ZERO)
        step = self._ticks[1] - self._ticks[0] if len(self._ticks) > 1 else 1.0
        label_width = max(fm.horizontalAdvance(self._tick(t, step)) for t in self._ticks)
        left = area.left() + label_width + 8
        bottom = area.bottom() - line - 6
        self._plot = QRectF(QPointF(left, top), QPointF(area.right(), bottom))
        if self._plot.height() < 20 or self._plot.width() < 20:
            self._plot = QRectF()
            return
        self._layout_elements()

    def _stacked_range(self, low: float, high: float) -> tuple[float, float]:
        return low, high

    def _tick(self, value: float, step: float) -> str:
        return tick_text(value, step, self.value_kind)

    def _y(self, value: float) -> float:
        low, high = self._ticks[0], self._ticks[-1]
        p = self._plot
        return p.bottom() - (value - low) / (high - low) * p.height()

    def _slot(self, index: int) -> QRectF:
        p = self._plot
        width = p.width() / len(self.categories)
        return QRectF(p.left() + index * width, p.top(), width, p.height())

    def _element(self, si: int, ci: int, rect: QRectF, value: Number) -> Element:
        s = self.series[si]
        key, label = self.categories[ci]
        return Element(
            s.key, key, rect, value, s.label, label, self._colour(si, s), self.value_kind
        )

    def _layout_elements(self) -> None:
        raise NotImplementedError

    # -- painting -------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        self._dirty = True
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self._dirty = True
            self.update()
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        self._ensure_layout()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        if self._plot.isNull():
            muted = QColor(text)
            muted.setAlpha(170)
            painter.setPen(muted)
            painter.drawText(
                QRectF(self.rect()).adjusted(16, 16, -16, -16),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.empty_text if self.is_empty else "",
            )
            return
        self._paint_axes(painter, text)
        self._paint_elements(painter)
        self._paint_legend(painter, text)
        if self.hasFocus() and 0 <= self._current < len(self._elements):
            pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), 2)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(self._elements[self._current].rect.adjusted(-3, -3, 3, 3))

    def _paint_axes(self, painter: QPainter, text: QColor) -> None:
        fm = QFontMetricsF(self.font())
        grid = QColor(text)
        grid.setAlpha(40)
        zero = QColor(text)
        zero.setAlpha(140)
        label = QColor(text)
        label.setAlpha(190)
        p = self._plot
        step = self._ticks[1] - self._ticks[0] if len(self._ticks) > 1 else 1.0
        for t in self._ticks:
            y = round(self._y(t)) + 0.5  # on the pixel grid: crisp 1 px lines
            painter.setPen(QPen(zero if t == 0 else grid, 1))
            painter.drawLine(QPointF(p.left(), y), QPointF(p.right(), y))
            painter.setPen(label)
            box = QRectF(0, y - fm.height() / 2, p.left() - 6, fm.height())
            painter.drawText(
                box,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                self._tick(t, step),
            )
        # category labels, thinned out when they would overlap
        widest = max(fm.horizontalAdvance(label) for _key, label in self.categories)
        slot = p.width() / len(self.categories)
        every = max(1, math.ceil((widest + 8) / slot))
        for i, (_key, text_) in enumerate(self.categories):
            if i % every:
                continue
            s = self._slot(i)
            box = QRectF(s.center().x() - widest, p.bottom() + 4, 2 * widest, fm.height())
            painter.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text_)

    def _paint_legend(self, painter: QPainter, text: QColor) -> None:
        for i, (box, label, colour) in enumerate(self._legend):
            swatch = QRectF(
                box.left(),
                box.center().y() - self.LEGEND_SWATCH / 2,
                self.LEGEND_SWATCH,
                self.LEGEND_SWATCH,
            )
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            if self.series[i].dashed:
                painter.setPen(QPen(colour, 2, Qt.PenStyle.DashLine))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawLine(
                    QPointF(swatch.left(), swatch.center().y()),
                    QPointF(swatch.right(), swatch.center().y()),
                )
            else:
                painter.drawRoundedRect(swatch, 2, 2)
            painter.setPen(text)
            painter.drawText(
                box.adjusted(self.LEGEND_SWATCH + 6, 0, 0, 0),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                label,
            )

    def _paint_elements(self, painter: QPainter) -> None:
        raise NotImplementedError

    # -- interaction ----------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            text = self.tooltip_at(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hover = self.element_at(event.position())
        if hover != self._hover:
            self._hover = hover
            self.setCursor(
                Qt.CursorShape.PointingHandCursor if hover else Qt.CursorShape.ArrowCursor
            )
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        if self._hover is not None:
            self._hover = None
            self.update()
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            hit = self.element_at(event.position())
            if hit is not None:
                self._current = self._elements.index(hit)
                self.clicked.emit(hit.series_key, hit.category_key)
                return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Arrows move among the bars or points (in category order), Enter/Space clicks."""
        self._ensure_layout()
        order = sorted(
            range(len(self._elements)),
            key=lambda i: (self._elements[i].rect.center().x(), -self._elements[i].rect.top()),
        )
        key = event.key()
        if order and key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Up):
            at = order.index(self._current) if self._current in order else -1
            forward = key in (Qt.Key.Key_Right, Qt.Key.Key_Down)
            at = (at + 1) % len(order) if forward else (at - 1) % len(order)
            self._current = order[at]
            e = self._elements[self._current]
            QToolTip.showText(self.mapToGlobal(e.center.toPoint()), e.tooltip, self)
            self.update()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            if 0 <= self._current < len(self._elements):
                e = self._elements[self._current]
                self.clicked.emit(e.series_key, e.category_key)
                return
        super().keyPressEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(520, 280)
