"""The Dashboard's tiles: a heading, a large figure and a sentence saying what it is.

Money owed is shown each way on its own tile (owed to the practice, owed back to payers), never
netted. Every figure is a value ``services.overview`` computed; the tiles only word them.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from pmpm_desktop.core.age import Owed
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.payer_level import RULE as PAYER_LEVEL_RULE
from pmpm_desktop.core.summary import RECOVERED_DEFINITION, RECOVERED_TITLE, recovered_caption
from pmpm_desktop.services.file_months import months_text
from pmpm_desktop.services.overview import Overview, Tally
from pmpm_desktop.ui import format
from pmpm_desktop.ui.charts import dollars
from pmpm_desktop.ui.pages.dashboard_layout import ReflowGrid
from pmpm_desktop.ui.theme import negative_color, positive_color

#: the tiles in reading order: (name, heading)
TILES: tuple[tuple[str, str], ...] = (
    ("members", "Members this month"),
    ("expected", "Expected"),
    ("paid", "Paid"),
    ("owed_to_practice", "Owed to the practice"),
    ("owed_to_payers", "Owed back to payers"),
    ("disputed", "Disputed"),
    ("recovered", RECOVERED_TITLE),
    ("resolved", "Resolved this year"),
)
#: the narrowest a tile gets before the tiles take another row
TILE_WIDTH = 190
#: the lines a caption may take: every tile is as tall as that, so none is ever cut off
CAPTION_LINES = 4
#: how many kinds an owed tile names (the others are counted, and all are in its tooltip)
KINDS_NAMED = 2


def unbroken(text: str) -> str:
    """``text`` kept on one line when a caption wraps (no break in "missing $1,234.00")."""
    return text.replace(" ", "\u00a0").replace("−$", "−\u2060$")


class FitLabel(QLabel):
    """A one-line label in a large font that shrinks (down to 55%) rather than clip: a
    hundred-million-dollar total still reads whole in a narrow tile."""

    def __init__(self, text: str, scale: float, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        font = self.font()
        font.setBold(True)
        self._full = font.pointSizeF() * scale
        font.setPointSizeF(self._full)
        self.setFont(font)
        # the tile's width decides, not the text's
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        width = self.contentsRect().width()
        font = QFont(self.font())
        size = self._full
        font.setPointSizeF(size)
        while (
            size > self._full * 0.55 and QFontMetricsF(font).horizontalAdvance(self.text()) > width
        ):
            size -= 0.5
            font.setPointSizeF(size)
        if font.pointSizeF() != self.font().pointSizeF():
            self.setFont(font)


class KpiTile(QFrame):
    """A card: a small heading, a large number, a sentence saying what the number is."""

    def __init__(self, name: str, heading: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kpiTile")
        self.setProperty("tile", name)
        self.tone = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(TILE_WIDTH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(2)
        self.heading = QLabel(heading.upper())
        self.heading.setObjectName(f"{name}Heading")
        small = self.heading.font()
        small.setPointSizeF(small.pointSizeF() * 0.85)
        small.setBold(True)
        small.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 105)
        self.heading.setFont(small)
        self.heading.setStyleSheet("color: palette(dark);")
        self.value = FitLabel("—", 2.0)
        self.value.setObjectName(f"{name}Value")
        self.caption = QLabel("")
        self.caption.setObjectName(f"{name}Caption")
        self.caption.setWordWrap(True)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.heading)
        layout.addWidget(self.value)
        layout.addWidget(self.caption, 1)
        # one height for every tile: a heading, the figure, CAPTION_LINES lines of caption
        margins = layout.contentsMargins()
        lines = self.caption.fontMetrics().lineSpacing() * CAPTION_LINES
        self.setFixedHeight(
            margins.top() + margins.bottom() + 2 * layout.spacing() + lines
            + self.heading.fontMetrics().lineSpacing() + self.value.fontMetrics().height()
        )  # fmt: skip

    def set(self, value: str, caption: str, tone: str = "") -> None:
        self.value.setText(value)
        self.caption.setText(caption)
        self.tone = tone
        self._colour_value()

    def _colour_value(self) -> None:
        # a red and a green that read on the tile's background, light or dark
        tones = {"bad": negative_color, "good": positive_color}
        tone = tones.get(self.tone)
        colour = tone(self.palette()).name() if tone is not None else None
        self.value.setStyleSheet(f"color: {colour};" if colour else "")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._colour_value()
        super().changeEvent(event)


def owed_words(t: Tally) -> str:
    """Both ways of an amount owed, as a clerk says them (only the ways that are not zero)."""
    parts = [
        f"{dollars(t.owed_to_practice)} owed to the practice" if t.owed_to_practice else "",
        f"{dollars(t.owed_to_payer)} owed back" if t.owed_to_payer else "",
    ]
    return ", ".join(unbroken(p) for p in parts if p) or "nothing owed either way"


class Tiles(ReflowGrid):
    """The eight tiles, reflowing from four columns down to one as the page narrows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(TILE_WIDTH, 4, parent=parent)
        self.setObjectName("dashboardTiles")
        self.tiles: dict[str, KpiTile] = {}
        for name, heading in TILES:
            self.tiles[name] = KpiTile(name, heading)
            self.add(self.tiles[name])

    def show_overview(self, o: Overview) -> None:
        for show in self._parts():
            show(o)

    def _parts(self) -> tuple[Callable[[Overview], None], ...]:
        return (
            self._members,
            self._money,
            lambda o: self._owed(o, Owed.TO_PRACTICE),
            lambda o: self._owed(o, Owed.TO_PAYER),
            self._disputes,
        )

    def _members(self, o: Overview) -> None:
        tile = self.tiles["members"]
        per_payer = " · ".join(
            unbroken(f"{p.code} {p.members:,}") for p in o.payers if p.roster_month
        )
        roster_months = sorted({p.roster_month for p in o.payers if p.roster_month})
        which = (
            f"on the {roster_months[-1]} rosters"
            if len(roster_months) == 1
            else "on each payer's latest roster"
        )
        # "this month" only when the rosters are this month's; else say which roster it is
        this_month = o.as_of is not None and roster_months == [Month.of(o.as_of)]
        tile.heading.setText(
            "MEMBERS THIS MONTH" if this_month or not roster_months else "MEMBERS, LATEST ROSTER"
        )
        tile.set(
            format.count(o.members),
            f"{which}: {per_payer}" if per_payer else "no roster imported yet",
        )

    def _money(self, o: Overview) -> None:
        expected, paid = self.tiles["expected"], self.tiles["paid"]
        if o.expected is None or o.months is None:
            for tile in (expected, paid):
                tile.set("—", "import a payment statement to compare")
            return
        expected.set(dollars(o.expected), f"under the contracts, {months_text(*o.months)}")
        # payments without members (an 835's PLB) are not in Paid: said beside it
        level = o.payer_level_paid
        paid.set(
            dollars(o.paid),
            "by the payers for the same months"
            + ("" if level is None else f", and {dollars(level)} without members"),
        )
        paid.setToolTip("" if level is None else PAYER_LEVEL_RULE)

    def _owed(self, o: Overview, way: Owed) -> None:
        tile = self.tiles["owed_to_practice" if way is Owed.TO_PRACTICE else "owed_to_payers"]
        amount = o.owed_to_practice if way is Owed.TO_PRACTICE else o.owed_to_payer
        by_kind = sorted(
            ((k, t.owed(way)) for k, t in o.outstanding_by_kind().items() if t.owed(way)),
            key=lambda kv: (-kv[1], kv[0]),
        )
        words = [unbroken(f"{format.kind(k).lower()} {dollars(v)}") for k, v in by_kind]
        more = len(words) - KINDS_NAMED
        shown = ", ".join(words[:KINDS_NAMED]) + (
            f" and {more} more kind{'s' if more > 1 else ''}" if more > 0 else ""
        )
        if way is Owed.TO_PRACTICE:
            caption = shown if amount else "the payers owe nothing"
            tip = "What the payers owe the practice on open and disputed items (paid less "
            tone = "bad" if amount else "good" if o.months else ""
        else:
            caption = shown if amount else "nothing to pay back"
            tip = "What the practice may owe back on open and disputed items (paid more "
            tone = ""
        tile.set(dollars(amount), caption, tone)
        tip += "than expected)" + (f": {', '.join(words)}." if words else ".")
        tile.setToolTip(tip.replace("\u00a0", " ").replace("\u2060", ""))

    def _disputes(self, o: Overview) -> None:
        t = self.tiles
        disputed = o.total("disputed")
        t["disputed"].set(
            format.count(disputed.count),
            f"sent to the payers: {owed_words(disputed)}"
            if disputed.count
            else "none sent to a payer",
        )
        recovered = o.total("recovered")
        # the words of the workbook's Cover and Aging sheets (one rule: services.disputes)
        t["recovered"].set(
            dollars(recovered.amount),
            recovered_caption(recovered.count, f"in {o.year}"),
            "good" if recovered.amount > Decimal(0) else "",
        )
        t["recovered"].setToolTip(RECOVERED_DEFINITION)
        resolved = o.total("resolved_this_year")
        written = o.total("written_off_this_year").count
        off = f"; {written:,} written off" if written else "; none written off"
        t["resolved"].set(
            format.count(resolved.count),
            (f"closed in {o.year}" if resolved.count else f"none yet in {o.year}") + off,
        )
