"""The app icon, drawn here in code (one source for the window, the installer and the
``.desktop`` file: ``packaging/`` exports it to PNG/ICO).

A month sheet of a calendar on a teal tile, its days ticked off, one day flagged in amber:
every member-month checked, the odd one out found.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPainterPath, QPen, QPixmap

SIZES = (16, 24, 32, 48, 64, 128, 256)
TEAL = QColor(18, 122, 130)
AMBER = QColor(240, 165, 0)


def draw_icon(size: int) -> QImage:
    """The icon at ``size`` × ``size`` pixels, transparent around the tile."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(size)
    tile = QRectF(s * 0.04, s * 0.04, s * 0.92, s * 0.92)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(TEAL)
    p.drawRoundedRect(tile, s * 0.18, s * 0.18)
    sheet = QRectF(s * 0.2, s * 0.2, s * 0.6, s * 0.66)
    p.setBrush(QColor(255, 255, 255))
    p.drawRoundedRect(sheet, s * 0.06, s * 0.06)
    # the sheet's header band
    band = QPainterPath()
    band.addRoundedRect(QRectF(sheet.x(), sheet.y(), sheet.width(), s * 0.14), s * 0.06, s * 0.06)
    band.addRect(QRectF(sheet.x(), sheet.y() + s * 0.08, sheet.width(), s * 0.06))
    p.setBrush(QColor(12, 84, 90))
    p.drawPath(band.simplified())
    # rings
    p.setBrush(QColor(255, 255, 255))
    for x in (0.34, 0.66):
        p.drawRoundedRect(QRectF(s * (x - 0.025), s * 0.14, s * 0.05, s * 0.12), s * 0.02, s * 0.02)
    # days: 3 × 3 cells, ticked; the middle right one flagged
    cell = s * 0.12
    gap = (sheet.width() - 3 * cell) / 4
    top = sheet.y() + s * 0.185
    for row in range(3):
        for col in range(3):
            x = sheet.x() + gap + col * (cell + gap)
            y = top + row * (cell + gap * 0.6)
            flagged = row == 1 and col == 2
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(AMBER if flagged else QColor(214, 236, 238))
            p.drawRoundedRect(QRectF(x, y, cell, cell), s * 0.02, s * 0.02)
            if size >= 32 and not flagged:
                pen = QPen(TEAL, max(1.0, s * 0.022))
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                p.setPen(pen)
                p.drawPolyline(
                    [
                        QPointF(x + cell * 0.22, y + cell * 0.55),
                        QPointF(x + cell * 0.42, y + cell * 0.75),
                        QPointF(x + cell * 0.8, y + cell * 0.28),
                    ]
                )
    p.end()
    return image


@cache
def app_icon() -> QIcon:
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(QPixmap.fromImage(draw_icon(size)))
    return icon
