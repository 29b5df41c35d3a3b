"""The explanation hands the screens its arithmetic as values (SPEC §4): the payable fraction as
two integers and each component's rate prorated by it, rounded half-up to cents; the screens
never work an amount out of text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pmpm_desktop.db.database import Database
from pmpm_desktop.services import importing
from pmpm_desktop.services.explain import explain

from .test_services import M, roster_frame, two_contracts  # noqa: F401 - the fixture


def test_a_part_month_gives_its_fraction_and_prorated_rate_as_values(
    two_contracts: Database,  # noqa: F811 - the fixture
) -> None:
    importing.store_roster(
        two_contracts,
        "HCA",
        M("2026-01"),
        roster_frame(
            {"member_id": "H1", "product": "HMO", "effective_date": dt.date(2026, 1, 11)},
            {"member_id": "H2", "product": "EXCH", "effective_date": dt.date(2026, 1, 1)},
        ),
        file_name="jan",
        sha256="jan" * 2,
    )
    daily = explain(two_contracts, "HCA", "H1", M("2026-01"))
    assert (daily.fraction_num, daily.fraction_den, daily.whole_month) == (21, 31, False)
    assert daily.fraction == "21/31"  # the CLI's text, beside the values
    [cap] = daily.components
    # 31.00 × 21/31 = 21.00 exactly; the amount is the prorated rate (no risk score)
    assert (cap.rate, cap.prorated, cap.amount, cap.risk_score) == (
        Decimal("31.00"),
        Decimal("21.00"),
        Decimal("21.00"),
        None,
    )
    whole = explain(two_contracts, "HCA", "H2", M("2026-01"))
    assert whole.whole_month and whole.components[0].prorated == Decimal("44.10")
