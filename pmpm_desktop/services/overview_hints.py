"""The dashboard's next steps when a payer's data is partial: what is missing before its
figures mean something, each with the button that does it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from pmpm_desktop.io.options import FileKind
from pmpm_desktop.services.file_months import months_text

if TYPE_CHECKING:
    from pmpm_desktop.services.overview_types import PayerOverview


class HintAction(StrEnum):
    """What a next step's button does (the values name the buttons: ``hint_<action>_<payer>``)."""

    PAYERS = "payers"
    IMPORT_ROSTER = "import_roster"
    IMPORT_STATEMENT = "import_remittance"
    IMPORT_RATES = "import_rates"
    RECONCILE = "reconcile"

    @property
    def file_kind(self) -> FileKind | None:
        """The kind of file the step imports (None: it imports nothing)."""
        return _IMPORTS.get(self)


_IMPORTS = {
    HintAction.IMPORT_ROSTER: FileKind.ROSTER,
    HintAction.IMPORT_STATEMENT: FileKind.STATEMENT,
    HintAction.IMPORT_RATES: FileKind.RATES,
}


@dataclass(frozen=True)
class Hint:
    """A next step when data is partial: a sentence, and what its button does."""

    action: HintAction
    text: str
    button: str
    payer_code: str


def hints_for(p: PayerOverview) -> list[Hint]:
    """What is missing before this payer's figures mean something, as next steps."""
    hints: list[Hint] = []
    if not p.contracts:
        hints.append(
            Hint(
                HintAction.PAYERS,
                f"{p.name} has no contract yet: add one (products, eligibility rule, withhold) "
                "so PMPM Desktop knows what to expect.",
                "Add a contract",
                p.code,
            )
        )
    for contract in p.contracts_without_rates:
        hints.append(
            Hint(
                HintAction.IMPORT_RATES,
                f"The {p.name} contract “{contract}” has no rates: import its rate exhibit.",
                "Import rates…",
                p.code,
            )
        )
    if not p.roster_imports:
        hints.append(
            Hint(
                HintAction.IMPORT_ROSTER,
                f"No roster of {p.name} yet: import the member list the payer sent.",
                "Import roster…",
                p.code,
            )
        )
    elif not p.statements:
        hints.append(
            Hint(
                HintAction.IMPORT_STATEMENT,
                f"{p.name} has rosters but no payment statement: import one to see what was paid.",
                "Import statement…",
                p.code,
            )
        )
    if p.needs_reconcile and p.first and p.last:
        span = months_text(p.first, p.last)
        hints.append(
            Hint(
                HintAction.RECONCILE,
                f"{p.name} has files the discrepancy list does not reflect yet: reconcile {span}.",
                "Reconcile…",
                p.code,
            )
        )
    return hints
