"""The contract dialog says its amounts' units: the tolerance is dollars ("$ 0.01")."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from pmpm_desktop.services import payers
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.payer_dialogs import ContractDialog


def test_the_tolerance_is_said_in_dollars(ctx: AppContext, qtbot: QtBot) -> None:
    payers.add_payer(ctx.db, "SUN", "Sunrise Health Plan", 9)
    dialog = ContractDialog(ctx, payers.payer_info(ctx.db, "SUN"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.tolerance.text() == "0.01"
    assert dialog.tolerance_unit.text() == "$" and dialog.tolerance_unit.isVisible()
    unit, field = dialog.tolerance_unit.geometry(), dialog.tolerance.geometry()
    assert unit.right() < field.left() and abs(unit.center().y() - field.center().y()) < 6
    helps = [w.text() for w in dialog.findChildren(type(dialog.tolerance_unit), "help")]
    assert any("dollars count as paid correctly ($0.01: a cent)" in t for t in helps)
