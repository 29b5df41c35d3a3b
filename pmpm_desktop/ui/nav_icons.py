"""The icons of the navigation and the toolbar, drawn in code like the app icon: one line
drawing per page, in the palette's text colour, so they stay crisp at any scale and follow the
light or dark palette."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication

from pmpm_desktop.ui.icon import AMBER, TEAL

Draw = Callable[[QPainter, float], None]


def _dashboard(p: QPainter, s: float) -> None:
    for x, y, w, h in ((0.12, 0.12, 0.34, 0.44), (0.54, 0.12, 0.34, 0.26),
                       (0.12, 0.64, 0.34, 0.24), (0.54, 0.46, 0.34, 0.42)):  # fmt: skip
        p.drawRoundedRect(QRectF(s * x, s * y, s * w, s * h), s * 0.05, s * 0.05)


def _payers(p: QPainter, s: float) -> None:
    # a contract: a sheet with a folded corner, lines and a signature
    sheet = QPainterPath()
    sheet.moveTo(s * 0.2, s * 0.08)
    sheet.lineTo(s * 0.62, s * 0.08)
    sheet.lineTo(s * 0.8, s * 0.26)
    sheet.lineTo(s * 0.8, s * 0.92)
    sheet.lineTo(s * 0.2, s * 0.92)
    sheet.closeSubpath()
    p.drawPath(sheet)
    p.drawPolyline([QPointF(s * 0.62, s * 0.08), QPointF(s * 0.62, s * 0.26),
                    QPointF(s * 0.8, s * 0.26)])  # fmt: skip
    for y in (0.4, 0.54):
        p.drawLine(QPointF(s * 0.32, s * y), QPointF(s * 0.68, s * y))
    wave = QPainterPath(QPointF(s * 0.32, s * 0.76))
    wave.cubicTo(s * 0.4, s * 0.64, s * 0.46, s * 0.86, s * 0.54, s * 0.74)
    wave.cubicTo(s * 0.58, s * 0.7, s * 0.62, s * 0.78, s * 0.68, s * 0.74)
    p.drawPath(wave)


def _rosters(p: QPainter, s: float) -> None:
    # a list of members: a head and a line, three times
    for y in (0.2, 0.5, 0.8):
        p.drawEllipse(QPointF(s * 0.2, s * y), s * 0.07, s * 0.07)
        p.drawLine(QPointF(s * 0.38, s * y), QPointF(s * 0.88, s * y))


def _remittances(p: QPainter, s: float) -> None:
    # a cheque: a note with a circle and lines
    p.drawRoundedRect(QRectF(s * 0.08, s * 0.24, s * 0.84, s * 0.52), s * 0.06, s * 0.06)
    p.drawEllipse(QPointF(s * 0.3, s * 0.5), s * 0.1, s * 0.1)
    for y in (0.42, 0.58):
        p.drawLine(QPointF(s * 0.5, s * y), QPointF(s * 0.8, s * y))


def _reconciliation(p: QPainter, s: float) -> None:
    # a balance: what was owed against what was paid
    p.drawLine(QPointF(s * 0.5, s * 0.14), QPointF(s * 0.5, s * 0.86))
    p.drawLine(QPointF(s * 0.32, s * 0.86), QPointF(s * 0.68, s * 0.86))
    p.drawLine(QPointF(s * 0.16, s * 0.26), QPointF(s * 0.84, s * 0.26))
    for x in (0.22, 0.78):
        pan = QPainterPath(QPointF(s * (x - 0.14), s * 0.52))
        pan.lineTo(s * x, s * 0.26)
        pan.lineTo(s * (x + 0.14), s * 0.52)
        pan.arcTo(QRectF(s * (x - 0.14), s * 0.42, s * 0.28, s * 0.2), 0, -180)
        p.drawPath(pan)


def _members(p: QPainter, s: float) -> None:
    p.drawEllipse(QPointF(s * 0.5, s * 0.32), s * 0.17, s * 0.17)
    body = QPainterPath(QPointF(s * 0.16, s * 0.9))
    body.cubicTo(s * 0.16, s * 0.58, s * 0.84, s * 0.58, s * 0.84, s * 0.9)
    p.drawPath(body)


def _reports(p: QPainter, s: float) -> None:
    # a workbook's chart: three bars on a base line
    p.drawLine(QPointF(s * 0.1, s * 0.88), QPointF(s * 0.9, s * 0.88))
    for x, top in ((0.18, 0.52), (0.42, 0.3), (0.66, 0.12)):
        p.drawRect(QRectF(s * x, s * top, s * 0.16, s * (0.88 - top)))


DRAWINGS: dict[str, Draw] = {
    "dashboard": _dashboard,
    "payers": _payers,
    "rosters": _rosters,
    "remittances": _remittances,
    "reconciliation": _reconciliation,
    "members": _members,
    "reports": _reports,
}


def draw_nav_icon(key: str, size: int, colour: QColor, accent: QColor | None = None) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(accent or colour, max(1.2, size / 14))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    DRAWINGS[key](p, float(size))
    p.end()
    return image


def nav_icon(key: str, palette: QPalette | None = None) -> QIcon:
    """The page's icon in the palette's text colour (the selected row: highlighted text)."""
    palette = palette or QApplication.palette()
    icon = QIcon()
    normal = palette.color(QPalette.ColorRole.WindowText)
    selected = palette.color(QPalette.ColorRole.HighlightedText)
    for size in (16, 20, 24, 32, 48):
        icon.addPixmap(QPixmap.fromImage(draw_nav_icon(key, size, normal)), QIcon.Mode.Normal)
        icon.addPixmap(QPixmap.fromImage(draw_nav_icon(key, size, selected)), QIcon.Mode.Selected)
    return icon


def toolbar_icon(key: str) -> QIcon:
    """The page's drawing in the app's teal (amber for reconciling), for the toolbar."""
    icon = QIcon()
    for size in (16, 20, 24, 32):
        colour = AMBER if key == "reconciliation" else TEAL
        icon.addPixmap(QPixmap.fromImage(draw_nav_icon(key, size, colour)))
    return icon
