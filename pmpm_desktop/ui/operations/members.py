"""The Members page's reads as operations: one member's months and roster history."""

from __future__ import annotations

from pmpm_desktop.db.database import Database
from pmpm_desktop.services.member_ledger import MemberDetail, member_detail
from pmpm_desktop.ui.operations import Op


def read_member(db: Database, payer_code: str, member_id: str) -> Op[MemberDetail]:
    """One member's ledger (recomputed by the engine for them alone) and roster history; the
    member chosen next replaces it. The title names no member: it is logged."""
    return Op(
        f"Loading a member of {payer_code}",
        lambda _progress: member_detail(db, payer_code, member_id),
        latest="member detail",
        cancellable=False,
    )
