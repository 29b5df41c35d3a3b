"""The preview step's "How the file was read": how sure the detection is, then every decision
the reader took on its own (header rows, sections filled down, totals skipped, member blocks,
amount style, ID rule, values given to every row), a wrapped line each, in a scroll area so a
long report never pushes the grid off the page.

The sentences are the services' own (``ReadReport.lines()``, the same the CLI prints), so the
wizard and ``pmpm … import`` always say the same thing about a file.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from pmpm_desktop.io.options import DecisionKind
from pmpm_desktop.io.read_report import ReadReport

#: what the reader decides about rows, columns and styles (not the kind, sheet or header it
#: found, which the layout sentence says; nor the values every row got, listed on their own)
_ROW_DECISIONS = frozenset(DecisionKind) - {
    DecisionKind.KIND,
    DecisionKind.SHEET,
    DecisionKind.HEADER,
    DecisionKind.VALUE,
}


def row_decisions(report: ReadReport | None) -> int:
    """How many decisions the reader took about rows, columns and values on its own."""
    if report is None:
        return 0
    return sum(1 for d in report.decisions if d.kind in _ROW_DECISIONS)


class ReadReportView(QScrollArea):
    """The report's lines, the certainty first (in amber when the detection is not sure)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readReport")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self._column = QVBoxLayout(body)
        self._column.setContentsMargins(2, 2, 6, 2)
        self._column.setSpacing(6)
        self._column.addStretch(1)
        self.setWidget(body)
        self._rows: list[QWidget] = []
        self._labels: list[QLabel] = []

    def show_report(self, report: ReadReport | None, why_not: str = "") -> None:
        """The lines of ``report``; without one, ``why_not`` (the file could not be read)."""
        for row in self._rows:
            self._column.removeWidget(row)
            row.deleteLater()
        self._rows, self._labels = [], []
        if report is None:
            self._add(why_not, bullet=False)
            return
        lines = report.lines()
        first = self._add(_capital(lines[0]) + ".", bullet=False)
        font = first.font()
        font.setBold(True)
        first.setFont(font)
        if not (report.confident or report.given):
            first.setStyleSheet("color: #8a5a00;")
        for line in lines[1:]:
            self._add(_capital(line), bullet=True)

    def lines(self) -> list[str]:
        """What the user reads, a line each (without the bullets)."""
        return [label.text() for label in self._labels]

    def _add(self, text: str, *, bullet: bool) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(6)
        if bullet:  # beside the text, so a wrapped line starts under the text, not the bullet
            line.addWidget(QLabel("•"), 0, Qt.AlignmentFlag.AlignTop)
        line.addWidget(label, 1)
        self._column.insertWidget(len(self._rows), row)
        self._rows.append(row)
        self._labels.append(label)
        row.show()
        return label


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
