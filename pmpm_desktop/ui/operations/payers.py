"""The Payers & Contracts page's reads as operations: the payers, and one payer's contracts.

Saving a payer or a contract is the dialogs' (``ui/payer_dialogs.py``); saving rates is
``ui/operations/rates.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pmpm_desktop.db.database import Database
from pmpm_desktop.services import payers
from pmpm_desktop.services.payers import ContractInfo, PayerInfo
from pmpm_desktop.ui.operations import Op

#: the supersede key of the page's read: choosing another payer replaces a read still running
PAYERS_PAGE = "payers page"


@dataclass(frozen=True)
class PayerList:
    """Every payer, and the contracts of the one shown."""

    payers: tuple[PayerInfo, ...]
    #: the payer whose contracts are listed: the one asked for, or the first when it is gone
    code: str | None
    contracts: tuple[ContractInfo, ...]

    @property
    def payer(self) -> PayerInfo | None:
        return next((p for p in self.payers if p.code == self.code), None)


def list_payers(db: Database, code: str | None) -> PayerList:
    """Every payer and the contracts of ``code`` (of the first payer when ``code`` is None or
    no longer there)."""
    every = tuple(payers.list_payers(db))
    codes = [p.code for p in every]
    shown = code if code in codes else (codes[0] if codes else None)
    contracts = tuple(payers.list_contracts(db, shown)) if shown is not None else ()
    return PayerList(every, shown, contracts)


def read_payers(db: Database, code: str | None) -> Op[PayerList]:
    """The page's payers and the contracts of ``code`` (see :func:`list_payers`); the payer
    chosen next replaces it."""
    return Op(
        "Reading the payers",
        lambda _progress: list_payers(db, code),
        latest=PAYERS_PAGE,
        cancellable=False,
    )
