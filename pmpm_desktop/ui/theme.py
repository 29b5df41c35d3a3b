"""Look and feel: Fusion everywhere, with a light or dark palette following the OS setting."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication


def _dark_palette() -> QPalette:
    p = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    window, base, text = QColor(45, 45, 48), QColor(30, 30, 32), QColor(230, 230, 230)
    p.setColor(role.Window, window)
    p.setColor(role.WindowText, text)
    p.setColor(role.Base, base)
    p.setColor(role.AlternateBase, QColor(40, 40, 44))
    p.setColor(role.ToolTipBase, window)
    p.setColor(role.ToolTipText, text)
    p.setColor(role.Text, text)
    p.setColor(role.Button, window)
    p.setColor(role.ButtonText, text)
    p.setColor(role.BrightText, QColor(255, 90, 90))
    p.setColor(role.Link, QColor(90, 160, 255))
    p.setColor(role.Highlight, QColor(42, 110, 200))
    p.setColor(role.HighlightedText, QColor(255, 255, 255))
    p.setColor(role.PlaceholderText, QColor(150, 150, 150))
    for r in (role.Text, role.ButtonText, role.WindowText):
        p.setColor(group.Disabled, r, QColor(130, 130, 130))
    return p


def is_dark_palette(palette: QPalette | None = None) -> bool:
    """The palette (the application's by default) has a dark background."""
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def negative_color(palette: QPalette | None = None) -> QColor:
    """The red of a negative amount or a warning, readable on the palette's background."""
    return QColor(255, 123, 114) if is_dark_palette(palette) else QColor(180, 35, 24)


def positive_color(palette: QPalette | None = None) -> QColor:
    """The green of a good figure, readable on the palette's background."""
    return QColor(86, 211, 100) if is_dark_palette(palette) else QColor(26, 127, 55)


def is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication) -> None:
    """Use Fusion, pick the palette for the OS colour scheme, and follow later changes."""
    app.setStyle("Fusion")

    def update(*_args: object) -> None:
        app.setPalette(_dark_palette() if is_dark() else app.style().standardPalette())

    update()
    QGuiApplication.styleHints().colorSchemeChanged.connect(update)
