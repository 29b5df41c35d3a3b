"""Unknown members: suggestions, links and unlinks, on a real SQLite file and the CLI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import DiscrepancyEvent, MemberAlias
from pmpm_desktop.errors import InputRejected, NotFound
from pmpm_desktop.io.roster_file import ROSTER_SCHEMA
from pmpm_desktop.services import importing, payers
from pmpm_desktop.services.audit import actor_for
from pmpm_desktop.services.discrepancies import discrepancy_rows
from pmpm_desktop.services.members import (
    id_variants,
    link_alias,
    name_tokens,
    suggest_matches,
    unlink_alias,
)
from pmpm_desktop.services.reconciling import reconcile
from tests.unit.files import RATE_HEADERS, csv_file, xlsx

M = Month.parse
D = dt.date
# The reader's canonical roster frame: what store_roster takes.
COLUMNS = ROSTER_SCHEMA
MEMBERS = [
    ("100234567", "GARCÍA", "MARÍA", D(1985, 3, 4)),
    ("100234576", "NGUYEN", "LINH", D(1990, 7, 8)),
    ("000045678", "SMITH", "JOHN", D(1970, 1, 2)),
    ("200000001", "JOHNSON", "ROBERT", D(1962, 5, 6)),
    ("300000001", "BROWN", "ALICE", D(2001, 9, 10)),
    ("ABC12345", "LEE", "KIM", D(1999, 12, 31)),
]


@pytest.fixture
def sun(db: Database) -> Database:
    payers.add_payer(db, "SUN", "Sunrise", None)
    payers.add_contract(db, "SUN", payers.ContractSpec("HMO", M("2026-01")))
    roster = pl.DataFrame(
        [
            {k: None for k in COLUMNS}
            | {"member_id": i, "last_name": ln, "first_name": fn, "dob": dob, "source_row": n + 2}
            for n, (i, ln, fn, dob) in enumerate(MEMBERS)
        ],
        schema=COLUMNS,
    )
    importing.store_roster(db, "SUN", M("2026-01"), roster, file_name="jan.csv", sha256="j" * 64)
    return db


def pay(db: Database, *lines: tuple[str, str, int, str | None], tag: str = "s") -> None:
    importing.store_remittance(
        db,
        "SUN",
        pl.DataFrame(
            {
                "member_id": [x[0] for x in lines],
                "coverage_month": [x[1] for x in lines],
                "amount_cents": [x[2] for x in lines],
                "member_name": [x[3] for x in lines],
                "source_row": list(range(2, len(lines) + 2)),
            },
            schema={
                "member_id": pl.Utf8,
                "coverage_month": pl.Utf8,
                "amount_cents": pl.Int64,
                "member_name": pl.Utf8,
                "source_row": pl.Int64,
            },
        ),
        file_name=f"{tag}.csv",
        sha256=tag * 64,
    )


def top(db: Database, payer_id: str, **kw: object) -> tuple[str, str]:
    s = suggest_matches(db, "SUN", payer_id, **kw)  # type: ignore[arg-type]
    assert s, f"no suggestion for {payer_id}"
    return s[0].member_id, s[0].reason


def test_names_fold_accents_case_order_and_initials() -> None:
    assert name_tokens("García, María J.") == name_tokens("MARIA GARCIA")
    assert name_tokens("Smith Jr, John") == ("john", "smith")
    assert name_tokens(None) == ()


def test_same_name_from_the_statement_ranks_first(sun: Database) -> None:
    pay(sun, ("999999999", "2026-01", 5000, "Maria Garcia"))
    got = suggest_matches(sun, "SUN", "999999999")
    assert (got[0].member_id, got[0].reason, got[0].dob) == (
        "100234567",
        "same name",
        D(1985, 3, 4),
    )
    assert got[0].name == "GARCÍA, MARÍA" and got[0].score >= 0.9


def test_same_name_and_date_of_birth(sun: Database) -> None:
    pay(sun, ("999999999", "2026-01", 5000, "GARCIA, MARIA"))
    got = suggest_matches(sun, "SUN", "999999999", dob=D(1985, 3, 4))
    assert got[0].reason == "same name and date of birth" and got[0].score > 0.95
    other = suggest_matches(sun, "SUN", "999999999", dob=D(1985, 3, 5))
    assert "date of birth differs" in other[0].reason and other[0].score < 0.5


def test_close_name(sun: Database) -> None:
    pay(sun, ("888888888", "2026-01", 5000, "JOHNSTON, ROBERT"))
    member, reason = top(sun, "888888888")
    assert member == "200000001" and reason.startswith("close name")


@pytest.mark.parametrize(
    ("paid_id", "member", "reason"),
    [
        ("100234657", "100234567", "ID with two digits swapped"),
        ("45678", "000045678", "ID without its leading zeros"),
        ("0300000001", "300000001", "ID with extra leading zeros"),
        ("1002345678", "100234567", "ID with an extra character"),
        ("10023456", "100234567", "ID with a character missing"),
        ("ABC12845", "ABC12345", "ID with one character different"),
        ("ABC19845", "ABC12345", "ID with two characters different"),
        ("BAC12345", "ABC12345", "ID with two characters swapped"),
    ],
)
def test_ids_one_or_two_characters_away(
    sun: Database, paid_id: str, member: str, reason: str
) -> None:
    assert top(sun, paid_id) == (member, reason)


def test_a_close_id_with_another_name_drops_below_the_right_person(sun: Database) -> None:
    # 100234577 is one character away from both 100234567 and 100234576: the name on the
    # statement decides.
    pay(sun, ("100234577", "2026-01", 5000, "Linh Nguyen"))
    got = suggest_matches(sun, "SUN", "100234577")
    assert got[0].member_id == "100234576"
    assert got[0].reason == "same name; ID with one character different"
    wrong = next(s for s in got if s.member_id == "100234567")
    assert "name differs" in wrong.reason and wrong.score < got[0].score


def test_nothing_alike_gives_no_suggestion_and_limit_is_kept(sun: Database) -> None:
    assert suggest_matches(sun, "SUN", "ZZZZ") == []
    assert len(suggest_matches(sun, "SUN", "100234567X", limit=1)) == 1


def test_suggest_refuses_a_roster_id_and_a_linked_alias(sun: Database) -> None:
    with pytest.raises(InputRejected, match="roster ID of member 100234567"):
        suggest_matches(sun, "SUN", " 100234567 ")
    link_alias(sun, "SUN", "X1", "100234567")
    with pytest.raises(InputRejected, match="already linked to member 100234567"):
        suggest_matches(sun, "SUN", "x1")


def test_id_variants_are_generated_not_compared() -> None:
    v = id_variants("123", "0123456789", 5)
    assert v["00123"] == ("ID without its leading zeros", 0.85)
    assert v["213"][0] == "ID with two digits swapped"
    assert v["12"][0] == "ID with an extra character"
    assert "123" not in v


def test_link_is_refused_for_own_ids_other_members_and_unknown_members(sun: Database) -> None:
    with pytest.raises(InputRejected, match="own ID cannot be an alias"):
        link_alias(sun, "SUN", "000045678", "100234567")
    with pytest.raises(NotFound, match="no member 555"):
        link_alias(sun, "SUN", "X1", "555")
    with pytest.raises(NotFound, match="no payer"):
        link_alias(sun, "NOPE", "X1", "100234567")
    with pytest.raises(InputRejected, match="is required"):
        link_alias(sun, "SUN", "  ", "100234567")
    first = link_alias(sun, "SUN", "x1", "100234567")
    assert (first.alias_id, first.member_id, first.created) == ("X1", "100234567", True)
    assert link_alias(sun, "SUN", "X1", "100234567").created is False
    with pytest.raises(InputRejected, match="already linked to member 100234567"):
        link_alias(sun, "SUN", "X1", "000045678")
    gone = unlink_alias(sun, "SUN", "X1")
    assert gone.member_id == "100234567"
    with pytest.raises(NotFound, match="not linked"):
        unlink_alias(sun, "SUN", "X1")
    with sun.sessions() as s:
        assert s.scalars(select(MemberAlias)).all() == []


def _rates(db: Database) -> None:
    from pmpm_desktop.core.rates import RateRowSpec

    with db.sessions() as s:
        contract_id = payers.get_payer(s, "SUN").contracts[0].id
    importing.replace_rates(
        db,
        contract_id,
        "HMO",
        [RateRowSpec(M("2026-01"), None, "capitation", None, None, None, None, Decimal("50.00"))],
    )


def test_after_link_and_reconcile_the_alias_lines_are_the_members(sun: Database) -> None:
    _rates(sun)
    paid = [(i, "2026-01", 5000, None) for i, *_ in MEMBERS if i != "100234567"]
    pay(sun, *paid, ("100234657", "2026-01", 5000, "GARCIA, MARIA"))
    summary = reconcile(sun, "SUN", M("2026-01"), M("2026-01"))
    kinds = {(d.member_id, d.kind) for d in summary.discrepancies}
    assert kinds == {("100234567", "missing"), ("100234657", "unknown_member")}

    suggestion = suggest_matches(sun, "SUN", "100234657")[0]
    assert suggestion.member_id == "100234567"
    assert suggestion.reason == "same name; ID with two digits swapped"
    link_alias(sun, "SUN", "100234657", suggestion.member_id, note="payer typo, call ref 42")

    summary = reconcile(sun, "SUN", M("2026-01"), M("2026-01"))
    assert summary.counts["matched"] == len(MEMBERS) and summary.counts["unknown_member"] == 0
    assert summary.months[0].paid_members == len(MEMBERS)
    status = {(d.member_id, d.kind): d.status for d in summary.discrepancies}
    assert status == {
        ("100234567", "missing"): "resolved",
        ("100234657", "unknown_member"): "resolved",
    }
    unknown = discrepancy_rows(sun, payer_code="SUN", kind="unknown_member")[0]
    assert unknown.last_note == (
        "ID 100234657 linked to member 100234567 (GARCÍA, MARÍA): payer typo, call ref 42"
    )

    unlink_alias(sun, "SUN", "100234657")
    summary = reconcile(sun, "SUN", M("2026-01"), M("2026-01"))
    assert summary.counts["unknown_member"] == 1 and summary.counts["missing"] == 1
    with sun.sessions() as s:
        notes = s.scalars(
            select(DiscrepancyEvent.note).where(DiscrepancyEvent.actor == actor_for(sun))
        )
        assert "ID 100234657 unlinked from member 100234567" in list(notes)


# --- the command line -------------------------------------------------------------------------

ROSTER = ["Member ID", "Member Name", "DOB", "Sex", "Rate Cell"]
REMIT = ["Member ID", "Member Name", "Coverage Month", "Paid Amount"]


@pytest.fixture
def practice(cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    assert cli("payer", "add", "--code", "SUN", "--name", "Sunrise", "--id-width", "9").code == 0
    r = cli("contract", "add", "--payer", "SUN", "--name", "HMO", "--from", "2026-01")
    assert r.code == 0, r.err
    rates = xlsx(
        tmp_path / "rates.xlsx", RATE_HEADERS, [["2026-01", None, "Capitation", None, None,
                                                 None, None, 50.00]]
    )  # fmt: skip
    assert cli("rates", "import", "--payer", "SUN", "--contract", "HMO", rates).code == 0
    roster = xlsx(
        tmp_path / "jan.xlsx",
        ROSTER,
        [
            ["100234567", "GARCÍA, MARÍA", D(1985, 3, 4), "F", "TANF"],
            ["000045678", "SMITH, JOHN", D(1970, 1, 2), "M", "TANF"],
        ],
    )
    r = cli("roster", "import", "--payer", "SUN", "--month", "2026-01", roster)
    assert r.code == 0, r.err
    statement = csv_file(
        tmp_path / "feb-statement.csv",
        REMIT,
        [
            ["100234657", "Maria Garcia", "2026-01", "50.00"],
            ["000045678", "John Smith", "2026-01", "50.00"],
        ],
        encoding="utf-8-sig",
    )
    r = cli("remit", "import", "--payer", "SUN", statement)
    assert r.code == 0, r.err
    return tmp_path


def test_cli_suggest_link_reconcile_unlink(cli, practice: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("reconcile", "--payer", "SUN", "--from", "2026-01", "--to", "2026-01", "--json")
    assert r.json()["counts"]["unknown_member"] == 1

    r = cli("member", "suggest", "--payer", "SUN", "--id", "100234657", "--json")
    assert r.code == 0, r.err
    first = r.json()[0]
    assert first == {
        "member_id": "100234567",
        "name": "GARCÍA, MARÍA",
        "dob": "1985-03-04",
        "reason": "same name; ID with two digits swapped",
        "score": first["score"],
    }
    text = cli("member", "suggest", "--payer", "SUN", "--id", "100234657")
    assert "100234567" in text.out and "same name" in text.out and "member link" in text.out

    r = cli("member", "link", "--payer", "SUN", "--alias", "100234657", "--member", "100234567")
    assert r.code == 0 and "linked 100234657 to member 100234567" in r.out
    r = cli("reconcile", "--payer", "SUN", "--from", "2026-01", "--to", "2026-01", "--json")
    data = r.json()
    assert data["counts"]["matched"] == 2 and data["counts"]["unknown_member"] == 0
    assert {d["status"] for d in data["discrepancies"]} == {"resolved"}

    again = cli("member", "link", "--payer", "SUN", "--alias", "100234657", "--member", "100234567")
    assert again.code == 0 and "already linked" in again.out
    r = cli("member", "unlink", "--payer", "SUN", "--alias", "100234657")
    assert r.code == 0 and "unlinked 100234657" in r.out


def test_cli_member_exit_codes(cli, practice: Path) -> None:  # type: ignore[no-untyped-def]
    link = ("member", "link", "--payer", "SUN", "--alias")
    assert cli(*link, "000045678", "--member", "100234567").code == 3
    assert cli(*link, "X1", "--member", "999").code == 4
    assert cli(*link, "X1", "--member", "100234567").code == 0
    taken = cli(*link, "X1", "--member", "000045678")
    assert taken.code == 3 and "already linked to member 100234567" in taken.err
    assert cli("member", "unlink", "--payer", "SUN", "--alias", "NOPE").code == 4
    assert cli("member", "suggest", "--payer", "NOPE", "--id", "1").code == 4
    assert cli("member", "suggest", "--payer", "SUN", "--id", "100234567").code == 3
    assert cli("member", "suggest", "--payer", "SUN").code == 2
    nothing = cli("member", "suggest", "--payer", "SUN", "--id", "ZZZZ")
    assert nothing.code == 0 and "no roster member" in nothing.out
