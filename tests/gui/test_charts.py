"""The QPainter charts: geometry, clicks, tooltips, keys, empty state, palettes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QHelpEvent, QImage, QPalette
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from pmpm_desktop.ui.charts import (
    BarChart,
    Chart,
    LineChart,
    Series,
    dollars,
    nice_step,
    nice_ticks,
    tick_text,
)
from tests.gui.conftest import screenshot

D = Decimal
MONTHS = [("2026-01", "2026-01"), ("2026-02", "2026-02"), ("2026-03", "2026-03")]


def _show(qtbot: QtBot, chart: Chart) -> Chart:
    qtbot.addWidget(chart)
    chart.resize(600, 320)
    chart.show()
    qtbot.waitExposed(chart)
    return chart


def _members() -> BarChart:
    chart = BarChart("Members", "count")
    chart.set_data(
        MONTHS,
        [
            Series("BAY", "Bayview", (25, 28, 25)),
            Series("SUN", "Sunrise", (41, None, 44)),
        ],
    )
    return chart


def test_nice_ticks_are_round() -> None:
    assert nice_step(100) == 20
    assert nice_step(37_000) == 10_000
    assert nice_step(12) == 2.5
    assert nice_ticks(0, 50) == [0, 10, 20, 30, 40, 50]
    assert nice_ticks(-5_100, 3_300) == [-6000, -4000, -2000, 0, 2000, 4000]
    # a line chart zooms on its values
    assert nice_ticks(32_800, 37_300, zero=False) == [
        32_000,
        33_000,
        34_000,
        35_000,
        36_000,
        37_000,
        38_000,
    ]
    flat = nice_ticks(0, 0)
    assert flat[0] == 0 and flat[-1] == pytest.approx(1.0)
    assert tick_text(-4000, 2000, "money") == "−$4,000"
    assert tick_text(25_000, 5_000, "money") == "$25,000"
    assert tick_text(0.5, 0.25, "money") == "$0.50"
    assert tick_text(1200, 200, "count") == "1,200"
    assert dollars(D("-12.3")) == "−$12.30"


def test_click_the_centre_of_a_bar(qtbot: QtBot) -> None:
    chart = _show(qtbot, _members())
    bars = chart.elements()
    assert len(bars) == 5  # the missing value draws nothing
    sun_march = chart.element("SUN", "2026-03")
    assert sun_march is not None and sun_march.value == 44
    with qtbot.waitSignal(chart.clicked) as blocker:
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=sun_march.center.toPoint())
    assert blocker.args == ["SUN", "2026-03"]
    bay_feb = chart.element("BAY", "2026-02")
    assert bay_feb is not None
    with qtbot.waitSignal(chart.clicked) as blocker:
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=bay_feb.center.toPoint())
    assert blocker.args == ["BAY", "2026-02"]
    # grouped: side by side inside the month, taller value = taller bar, all on the zero line
    sun_jan, bay_jan = chart.element("SUN", "2026-01"), chart.element("BAY", "2026-01")
    assert sun_jan and bay_jan
    assert bay_jan.rect.right() <= sun_jan.rect.left()
    assert sun_jan.rect.height() > bay_jan.rect.height()
    assert sun_jan.rect.bottom() == pytest.approx(bay_jan.rect.bottom())
    assert chart.plot_rect().contains(sun_jan.rect)
    # between the bars: nothing
    with qtbot.assertNotEmitted(chart.clicked):
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(3, 3))


def test_stacked_bars_go_up_and_down_from_zero(qtbot: QtBot) -> None:
    chart = BarChart("Open amount by age", "money", stacked=True)
    buckets = [("0–30", "0–30 days"), ("90+", "90+ days")]
    chart.set_data(
        buckets,
        [
            Series("BAY", "Bayview", (D("-100.00"), D("-5146.21"))),
            Series("HCA", "Harbor", (None, D("1210.08"))),
            Series("SUN", "Sunrise", (D("50.00"), D("2175.00"))),
        ],
    )
    _show(qtbot, chart)
    bay, hca, sun = (chart.element(k, "90+") for k in ("BAY", "HCA", "SUN"))
    assert bay and hca and sun
    # one column: same x; positives stacked above zero, negatives below
    assert bay.rect.left() == hca.rect.left() == sun.rect.left()
    assert hca.rect.bottom() == pytest.approx(bay.rect.top())  # both meet at the zero line
    assert sun.rect.bottom() == pytest.approx(hca.rect.top())
    assert bay.rect.height() > sun.rect.height() > hca.rect.height()
    with qtbot.waitSignal(chart.clicked) as blocker:
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=hca.center.toPoint())
    assert blocker.args == ["HCA", "90+"]
    assert chart.tooltip_at(bay.center) == "Bayview · 90+ days: −$5,146.21"
    screenshot(chart, "chart-stacked")


# offscreen Qt cannot raise a tooltip window, and says so
NO_RAISE = pytest.mark.qt_log_ignore("This plugin does not support raise")


@NO_RAISE
def test_line_chart_points_click_and_tooltip(qtbot: QtBot) -> None:
    chart = LineChart("Expected and paid", "money")
    chart.set_data(
        MONTHS,
        [
            Series(
                "expected", "Expected", (D("32800.00"), D("36700.00"), D("34800.00")), dashed=True
            ),
            Series("paid", "Paid", (D("33100.00"), D("36500.00"), D("34500.00"))),
        ],
    )
    _show(qtbot, chart)
    paid = chart.element("paid", "2026-02")
    expected = chart.element("expected", "2026-02")
    assert paid and expected
    assert paid.center.x() == pytest.approx(expected.center.x())
    assert paid.center.y() > expected.center.y()  # less money, lower on screen
    with qtbot.waitSignal(chart.clicked) as blocker:
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=paid.center.toPoint())
    assert blocker.args == ["paid", "2026-02"]
    assert chart.tooltip_at(paid.center) == "Paid · 2026-02: $36,500.00"
    assert chart.tooltip_at(paid.center + QPointF(3, 2)) == "Paid · 2026-02: $36,500.00"
    assert chart.tooltip_at(QPointF(2, 2)) == ""
    # the tooltip a user sees when hovering
    event = QHelpEvent(
        QEvent.Type.ToolTip, paid.center.toPoint(), chart.mapToGlobal(paid.center.toPoint())
    )
    QApplication.sendEvent(chart, event)
    assert QToolTip.text() == "Paid · 2026-02: $36,500.00"
    QToolTip.hideText()
    screenshot(chart, "chart-line")


@NO_RAISE
def test_keyboard_moves_between_bars_and_activates(qtbot: QtBot) -> None:
    chart = _show(qtbot, _members())
    chart.setFocus()
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    with qtbot.waitSignal(chart.clicked) as blocker:
        qtbot.keyClick(chart, Qt.Key.Key_Return)
    assert blocker.args == ["BAY", "2026-01"]
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    with qtbot.waitSignal(chart.clicked) as blocker:
        qtbot.keyClick(chart, Qt.Key.Key_Space)
    assert blocker.args == ["SUN", "2026-01"]


def test_accessible_description_says_every_value(qtbot: QtBot) -> None:
    chart = _show(qtbot, _members())
    assert chart.accessibleName() == "Members"
    text = chart.accessibleDescription()
    assert "Bayview: 2026-01 25, 2026-02 28, 2026-03 25" in text
    assert "Sunrise: 2026-01 41, 2026-03 44" in text


def _ink(image: QImage, background: QColor) -> int:
    """Pixels that differ from the background (something was drawn)."""
    return sum(
        1
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
        if image.pixelColor(x, y) != background
    )


def test_empty_data_draws_the_empty_text(qtbot: QtBot) -> None:
    chart = BarChart("Open amount by age", "money", empty_text="Nothing open or disputed.")
    chart.set_data([], [])
    _show(qtbot, chart)
    assert chart.is_empty and chart.elements() == [] and chart.plot_rect().isNull()
    assert chart.tooltip_at(QPointF(300, 160)) == ""
    with qtbot.assertNotEmitted(chart.clicked):
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(300, 160))
    assert "Nothing open or disputed." in chart.accessibleDescription()
    image = chart.grab().toImage()
    background = chart.palette().color(QPalette.ColorRole.Window)
    assert _ink(image, background) > 0  # the text is drawn
    # all zeros is empty too (nothing to draw), and so is a chart never given data
    chart.set_data(MONTHS, [Series("BAY", "Bayview", (0, 0, None))])
    assert chart.is_empty and chart.elements() == []
    chart.grab()
    fresh = _show(qtbot, LineChart("Expected and paid"))
    assert fresh.is_empty
    fresh.grab()


def test_mismatched_series_is_refused() -> None:
    chart = BarChart("Members", "count")
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        chart.set_data(MONTHS, [Series("BAY", "Bayview", (1, 2))])


def test_dark_palette_and_hidpi(qtbot: QtBot) -> None:
    chart = _show(qtbot, _members())
    light = chart.element("BAY", "2026-01")
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Window, QColor(45, 45, 48))
    dark.setColor(QPalette.ColorRole.WindowText, QColor(230, 230, 230))
    dark.setColor(QPalette.ColorRole.Base, QColor(30, 30, 32))
    chart.setPalette(dark)
    darker = chart.element("BAY", "2026-01")
    assert light and darker and darker.colour.lightness() > light.colour.lightness()
    screenshot(chart, "chart-bars-dark")
    # drawn at twice the pixels (a HiDPI screen): sharp, and the same geometry
    image = QImage(1200, 640, QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(2.0)
    image.fill(QColor(45, 45, 48))
    chart.render(image)
    assert _ink(image, QColor(45, 45, 48)) > 1000
    assert chart.element("BAY", "2026-01").rect == darker.rect  # type: ignore[union-attr]
