"""The wizard's small building blocks: banners, the step title, read-only grids, the step list."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.ui.grids import install_grid_actions
from pmpm_desktop.ui.table_model import RowsModel

#: one sentence on a tinted background, per kind of news
_BANNER = {
    "error": "background: #fdecea; color: #611a15; border: 1px solid #f5c2c0;",
    "warning": "background: #fff4e5; color: #663c00; border: 1px solid #ffd8a8;",
    "info": "background: #e8f0fe; color: #174ea6; border: 1px solid #c6dafc;",
    "ok": "background: #e6f4ea; color: #0d652d; border: 1px solid #b7e1c1;",
}


def banner(kind: str) -> QLabel:
    """A hidden banner of ``kind`` (error, warning, info, ok); :func:`set_banner` shows it."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet(f"QLabel {{ {_BANNER[kind]} border-radius: 6px; padding: 8px; }}")
    label.setVisible(False)
    return label


def set_banner(label: QLabel, text: str | None, kind: str | None = None) -> None:
    """Show ``text`` in the banner (hide it when there is none), in ``kind``'s colours if given."""
    if kind is not None:
        label.setStyleSheet(f"QLabel {{ {_BANNER[kind]} border-radius: 6px; padding: 8px; }}")
    label.setText(text or "")
    label.setVisible(bool(text))


def step_page() -> tuple[QWidget, QVBoxLayout]:
    """A step's page and the column it is laid out in (every step starts just under the title)."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 4, 0, 0)
    return page, layout


def heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.35)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def table(model: RowsModel) -> QTableView:
    """A read-only grid of whole rows over ``model``."""
    view = QTableView()
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(22)
    view.setWordWrap(False)
    install_grid_actions(view)
    return view


class StepList(QFrame):
    """The steps on the left: done ones ticked, the current one bold."""

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__()
        self.names = names
        self.setObjectName("stepList")
        self.setFixedWidth(200)
        self.setStyleSheet(
            "QFrame#stepList { background: palette(alternate-base); "
            "border-right: 1px solid palette(mid); }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 20, 12, 16)
        layout.setSpacing(14)
        title = QLabel("<b>Import a payer file</b>")
        layout.addWidget(title)
        layout.addSpacing(6)
        self.labels: list[QLabel] = []
        for text in names:
            label = QLabel(text)
            layout.addWidget(label)
            self.labels.append(label)
        layout.addStretch(1)

    def show_step(self, current: int) -> None:
        for n, (label, text) in enumerate(zip(self.labels, self.names, strict=True)):
            if n < current:
                label.setText(f"✓  {text}")
                label.setEnabled(True)
                label.setStyleSheet("color: #0d652d;")
            elif n == current:
                label.setText(f"<b>{n + 1}  {text}</b>")
                label.setEnabled(True)
                label.setStyleSheet("")
            else:
                label.setText(f"{n + 1}  {text}")
                label.setEnabled(False)
                label.setStyleSheet("")
