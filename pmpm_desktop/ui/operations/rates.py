"""A contract's rates typed into the rate table: saving them, and putting back what a save
replaced (its undo)."""

from __future__ import annotations

from collections.abc import Sequence

from pmpm_desktop.db.database import Database
from pmpm_desktop.services import rate_table
from pmpm_desktop.services.rate_table import GridRow, RateChange
from pmpm_desktop.ui.context import Changed
from pmpm_desktop.ui.operations import Op


def save_rates(db: Database, payer_code: str, name: str, rows: Sequence[GridRow]) -> Op[RateChange]:
    """Replace the contract's rates with the grid's rows (InputRejected naming the rows when
    they are not a valid exhibit: nothing is written)."""
    saved = list(rows)
    return Op(
        f"Saving the rates of {name}",
        lambda _progress: rate_table.change_rates(db, payer_code, name, saved),
        changes=(Changed.PAYERS,),
        says=lambda change: (
            f"Saved {change.result.rows} rate rows for {payer_code} {change.result.contract}"
        ),
        cancellable=False,
    )


def restore_rates(db: Database, payer_code: str, name: str, change: RateChange) -> Op[RateChange]:
    """Put back the rates ``change`` replaced."""
    return Op(
        f"Putting back the rates of {name}",
        lambda _progress: rate_table.restore_rates(db, payer_code, name, change.replaced),
        changes=(Changed.PAYERS,),
        says=lambda _back: (
            f"Rates of {payer_code} {name} put back as they were ({len(change.replaced)} rate rows)"
        ),
        cancellable=False,
    )
