"""A payer's ID rule through the services: stored on the payer, applied to its files, aliases
and searches, re-applied to stored IDs when it changes (merges refused, nothing changed), and
suggested while the payer has none. Real SQLite files and real payer files throughout."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import select

from pmpm_desktop.core.member_ids import IdRule, SuffixRule
from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.frame_cache import decode_frame
from pmpm_desktop.db.models import (
    Discrepancy,
    DiscrepancyEvent,
    Member,
    MemberAlias,
    RemittanceImport,
    RemittanceLine,
)
from pmpm_desktop.errors import InputRejected, UsageError
from pmpm_desktop.services import importing, payers
from pmpm_desktop.services.discrepancies import history, set_status
from pmpm_desktop.services.discrepancy_query import DiscrepancyQuery, fetch
from pmpm_desktop.services.explain import explain
from pmpm_desktop.services.id_suggestions import id_rule_notes
from pmpm_desktop.services.member_ledger import member_info, search_members
from pmpm_desktop.services.members import link_alias, suggest_matches, unlink_alias
from pmpm_desktop.services.preview import preview
from pmpm_desktop.services.reconciling import reconcile
from tests.unit.files import REMIT_HEADERS, ROSTER_HEADERS, xlsx
from tests.unit.practice import add_sunrise, sqlite_or_postgres

M = Month.parse
STRIP_DROP = IdRule(strip_punctuation=True, suffix=SuffixRule.DROP)


def person(member_id: str, last: str, first: str, sex: str = "F") -> list[object]:
    return [member_id, last, first, dt.date(1990, 5, 10), sex, "MCD", "TANF", None, None]


def roster(path: Path, *people: list[object]) -> Path:
    return xlsx(path, ROSTER_HEADERS, list(people))


def statement(path: Path, *lines: tuple[str, str, float]) -> Path:
    return xlsx(path, REMIT_HEADERS, [[i, m, a, "CAP"] for i, m, a in lines])


@pytest.fixture
def sun(db: Database, tmp_path: Path) -> Database:
    return add_sunrise(db, tmp_path)


def rows(db: Database, *columns: Any) -> list[tuple[Any, ...]]:
    with db.sessions() as s:
        return [tuple(r) for r in s.execute(select(*columns).order_by(*columns)).all()]


def snapshot(db: Database) -> dict[str, object]:
    """Everything a rule change may touch, to prove a refused one touched nothing."""
    with db.sessions() as s:
        caches = [decode_frame(b) for b in s.scalars(select(RemittanceImport.lines_cache))]
    return {
        "members": rows(db, Member.id, Member.member_id),
        "aliases": rows(db, MemberAlias.id, MemberAlias.alias_id, MemberAlias.member_pk),
        "lines": rows(db, RemittanceLine.id, RemittanceLine.member_id),
        "discrepancies": rows(db, Discrepancy.id, Discrepancy.member_id, Discrepancy.stale),
        "caches": [c["member_id"].to_list() for c in caches],
        "payer": payers.payer_info(db, "SUN"),
    }


# --- stored on the payer ----------------------------------------------------------------------


def test_rule_and_cr_meaning_are_stored_and_shown(db: Database) -> None:
    added = payers.add_payer(db, "SUN", "Sunrise", 9, id_rule="strip,suffix=drop")
    assert added.id_rule == STRIP_DROP
    assert added.credit_is_payment is True
    assert added.cr_means == payers.CrMeaning.PAID
    updated = payers.update_payer(
        db, "SUN", "Sunrise", 9, id_rule=IdRule(prefix="XY"), credit_is_payment="recouped"
    )
    assert (updated.id_rule, updated.credit_is_payment) == (IdRule(prefix="XY"), False)
    # not given: unchanged
    again = payers.update_payer(db, "SUN", "Sunrise Health", 9)
    assert (again.id_rule, again.credit_is_payment) == (IdRule(prefix="XY"), False)
    [listed] = payers.list_payers(db)
    assert (listed.id_rule, listed.cr_means) == (IdRule(prefix="XY"), payers.CrMeaning.RECOUPED)
    with db.sessions() as s:
        options = payers.read_options(payers.get_payer(s, "SUN"))
    assert (options.id_rule, options.credit_is_payment) == (IdRule(prefix="XY"), False)
    cleared = payers.update_payer(db, "SUN", "Sunrise Health", 9, id_rule="none")
    assert cleared.id_rule.is_identity


def test_bad_rule_and_cr_meaning_are_refused_in_words(db: Database) -> None:
    with pytest.raises(InputRejected) as exc:
        payers.add_payer(db, "SUN", "", None, id_rule="strp", credit_is_payment="maybe")
    assert exc.value.problems == [
        "a payer needs a name",
        "ID rule: unknown ID rule part 'strp' (expected 'none', or any of 'strip' (ignore "
        "dashes and spaces), 'suffix=drop' / 'suffix=keep' (a dependent suffix such as -01 "
        "dropped, or kept as the dependent), 'prefix=XYZ' (remove a fixed prefix), joined by "
        "commas, e.g. 'strip,suffix=drop')",
        "CR means 'paid' or 'recouped', not 'maybe'",
    ]
    assert payers.list_payers(db) == []


# --- the example, end to end ------------------------------------------------------


def test_three_spellings_are_one_member_under_the_rule(sun: Database, tmp_path: Path) -> None:
    payers.update_payer(sun, "SUN", "Sunrise Health", 9, id_rule=STRIP_DROP)
    importing.import_roster(
        sun, "SUN", M("2026-01"), roster(tmp_path / "jan.xlsx", person("000123456-01", "A", "Ann"))
    )
    importing.import_roster(
        sun, "SUN", M("2026-02"), roster(tmp_path / "feb.xlsx", person("000123456-01", "A", "An"))
    )
    first = importing.import_remittance(
        sun, "SUN", statement(tmp_path / "s1.xlsx", ("000-123-456", "2026-01", 180.0))
    )
    second = importing.import_remittance(
        sun, "SUN", statement(tmp_path / "s2.xlsx", ("000123456", "2026-02", 180.0))
    )
    assert first.notes == second.notes == ()  # a rule is set: nothing to suggest
    assert rows(sun, Member.member_id) == [("000123456",)]
    assert rows(sun, RemittanceLine.member_id) == [("000123456",), ("000123456",)]
    summary = reconcile(sun, "SUN", M("2026-01"), M("2026-02"))
    assert summary.counts.get("unknown_member", 0) == 0
    assert {d.member_id for d in summary.discrepancies} <= {"000123456"}
    assert summary.months[0].paid_members == summary.months[1].paid_members == 1


@pytest.fixture(params=["sqlite", "postgresql"])
def any_sun(request: pytest.FixtureRequest, db_path: Path, tmp_path: Path) -> Iterator[Database]:
    """SUN on this test's SQLite file, or on a throwaway PostgreSQL database."""
    for database in sqlite_or_postgres(request, db_path):
        yield add_sunrise(database, tmp_path)


def test_setting_the_rule_later_makes_them_one_member(any_sun: Database, tmp_path: Path) -> None:
    sun = any_sun
    importing.import_roster(
        sun, "SUN", M("2026-01"), roster(tmp_path / "jan.xlsx", person("000123456-01", "A", "Ann"))
    )
    s1 = importing.import_remittance(
        sun, "SUN", statement(tmp_path / "s1.xlsx", ("000-123-456", "2026-01", 180.0))
    )
    s2 = importing.import_remittance(
        sun, "SUN", statement(tmp_path / "s2.xlsx", ("000123456", "2026-02", 180.0))
    )
    assert s1.notes == (
        "1 member ID on this statement matches roster members only when dashes and spaces are "
        "ignored and a dependent suffix such as -01 is dropped: the ID rule 'strip,suffix=drop' "
        "would match them (pmpm payer update --code SUN --id-rule strip,suffix=drop)",
    )
    assert "suffix=drop" in s2.notes[0]
    before = reconcile(sun, "SUN", M("2026-01"), M("2026-02"))
    assert before.counts["unknown_member"] == 2
    info = payers.update_payer(sun, "SUN", "Sunrise Health", 9, id_rule="strip,suffix=drop")
    assert info.id_change is not None
    assert (info.id_change.members, info.id_change.lines, info.id_change.statements) == (1, 1, 1)
    assert all(stale for *_, stale in rows(sun, Discrepancy.id, Discrepancy.stale))
    after = reconcile(sun, "SUN", M("2026-01"), M("2026-02"))
    assert after.counts.get("unknown_member", 0) == 0
    assert {d.member_id for d in after.discrepancies} == {"000123456"}


# --- a rule change on stored data -----------------------------------------------------------


def test_rule_change_reaches_lines_cache_aliases_and_discrepancies(
    sun: Database, tmp_path: Path
) -> None:
    importing.import_roster(
        sun,
        "SUN",
        M("2026-01"),
        roster(tmp_path / "jan.xlsx", person("111-222-333", "A", "Ann"), person("X9", "B", "Bo")),
    )
    importing.import_remittance(
        sun,
        "SUN",
        statement(
            tmp_path / "s1.xlsx",
            ("111-222-333", "2026-01", 180.0),
            ("111 222 333", "2026-01", 1.0),
            ("777-888-999", "2026-01", 150.0),
        ),
    )
    link_alias(sun, "SUN", "777-888-999", "X9")
    reconcile(sun, "SUN", M("2026-01"), M("2026-01"))
    set_status(sun, "SUN", "111 222 333", M("2026-01"), "disputed", "asked the plan")
    info = payers.update_payer(sun, "SUN", "Sunrise Health", 9, id_rule="strip")
    change = info.id_change
    assert change is not None
    assert (change.members, change.aliases, change.lines, change.statements) == (1, 1, 3, 1)
    assert rows(sun, Member.member_id) == [("111222333",), ("X9",)]
    assert rows(sun, MemberAlias.alias_id) == [("777888999",)]
    assert rows(sun, RemittanceLine.member_id) == [("111222333",), ("111222333",), ("777888999",)]
    with sun.sessions() as s:
        [blob] = s.scalars(select(RemittanceImport.lines_cache)).all()
    assert sorted(decode_frame(blob)["member_id"].to_list()) == [
        "111222333",
        "111222333",
        "777888999",
    ]
    # the disputed discrepancy of "111 222 333" took its member's key; its history stayed
    found = rows(sun, Discrepancy.member_id, Discrepancy.status, Discrepancy.stale)
    assert [r for r in found if r[0].startswith("111")] == [("111222333", "disputed", True)]
    assert all(stale for *_, stale in found)
    notes = [h.note for h in history(sun, "SUN", "111-222-333", M("2026-01"))]
    assert "asked the plan" in notes
    summary = reconcile(sun, "SUN", M("2026-01"), M("2026-01"))
    assert summary.counts.get("unknown_member", 0) == 0


def test_a_rule_that_merges_members_is_refused_and_nothing_changes(
    sun: Database, tmp_path: Path
) -> None:
    importing.import_roster(
        sun,
        "SUN",
        M("2026-01"),
        roster(
            tmp_path / "jan.xlsx",
            person("000123456", "A", "Ann"),
            person("000123456-01", "A", "Kid"),
            person("000123457", "B", "Bo"),
            person("000123457-02", "B", "Kid"),
            person("000-999-999", "C", "Cy"),
        ),
    )
    importing.import_remittance(
        sun, "SUN", statement(tmp_path / "s1.xlsx", ("000-999-999", "2026-01", 180.0))
    )
    reconcile(sun, "SUN", M("2026-01"), M("2026-01"))
    before = snapshot(sun)
    with pytest.raises(InputRejected) as exc:
        payers.update_payer(sun, "SUN", "Another name", 9, id_rule="strip,suffix=drop")
    text = str(exc.value)
    assert text.startswith("the payer was not saved (nothing changed): under the new ID rule")
    assert "4 different members of SUN would share 2 member IDs" in text
    assert "000123456" not in text and "000123457" not in text
    assert snapshot(sun) == before  # not even the name


def test_an_alias_that_would_become_another_members_id_is_refused(
    sun: Database, tmp_path: Path
) -> None:
    importing.import_roster(
        sun,
        "SUN",
        M("2026-01"),
        roster(tmp_path / "r.xlsx", person("000111222", "A", "Ann"), person("000333444", "B", "B")),
    )
    importing.import_remittance(
        sun, "SUN", statement(tmp_path / "s.xlsx", ("000-111-222", "2026-01", 1.0))
    )
    link_alias(sun, "SUN", "000-111-222", "000333444")  # the user's link: to the other member
    before = snapshot(sun)
    with pytest.raises(InputRejected, match="1 linked alias would become the ID of another"):
        payers.update_payer(sun, "SUN", "Sunrise Health", 9, id_rule="strip")
    assert snapshot(sun) == before


def test_an_alias_that_becomes_its_members_own_id_is_removed(sun: Database, tmp_path: Path) -> None:
    importing.import_roster(
        sun, "SUN", M("2026-01"), roster(tmp_path / "r.xlsx", person("000111222", "A", "Ann"))
    )
    importing.import_remittance(
        sun, "SUN", statement(tmp_path / "s.xlsx", ("000-111-222", "2026-01", 1.0))
    )
    link_alias(sun, "SUN", "000-111-222", "000111222")
    info = payers.update_payer(sun, "SUN", "Sunrise Health", 9, id_rule="strip")
    assert info.id_change is not None and info.id_change.aliases_removed == 1
    assert rows(sun, MemberAlias.alias_id) == []
    assert "1 alias became the member's own ID" in info.id_change.describe()


def test_discrepancies_that_meet_keep_the_worked_on_one(sun: Database, tmp_path: Path) -> None:
    importing.import_roster(
        sun, "SUN", M("2026-01"), roster(tmp_path / "r.xlsx", person("000111222", "A", "Ann"))
    )
    importing.import_remittance(
        sun,
        "SUN",
        statement(
            tmp_path / "s.xlsx",
            ("000-111-222", "2026-01", 1.0),
            ("000 111 222", "2026-01", 2.0),
            ("000.111.222", "2026-01", 3.0),
        ),
    )
    reconcile(sun, "SUN", M("2026-01"), M("2026-01"))
    # four discrepancies of one member-month once dashes, spaces and dots are ignored:
    # the member's own (underpaid) and three unknown IDs; people worked on two of them
    assert len(rows(sun, Discrepancy.id)) == 4
    set_status(sun, "SUN", "000 111 222", M("2026-01"), "disputed")
    set_status(sun, "SUN", "000.111.222", M("2026-01"), "written_off")
    info = payers.update_payer(sun, "SUN", "Sunrise Health", 9, id_rule="strip")
    change = info.id_change
    assert change is not None
    assert (change.discrepancies_deleted, change.discrepancies_left) == (2, 1)
    kept = dict(rows(sun, Discrepancy.member_id, Discrepancy.status))
    assert len(kept) == 2 and "000111222" in kept
    assert set(kept.values()) == {"disputed", "written_off"}
    left = next(k for k in kept if k != "000111222")
    assert left in ("000 111 222", "000.111.222")
    # the deleted ones' history went with them
    with sun.sessions() as s:
        ids = set(s.scalars(select(Discrepancy.id)))
        assert set(s.scalars(select(DiscrepancyEvent.discrepancy_id))) <= ids


def test_a_new_width_pads_stored_ids(sun: Database, tmp_path: Path) -> None:
    payers.update_payer(sun, "SUN", "Sunrise Health", None)
    importing.import_roster(
        sun, "SUN", M("2026-01"), roster(tmp_path / "r.xlsx", person("123", "A", "Ann"))
    )
    importing.import_remittance(sun, "SUN", statement(tmp_path / "s.xlsx", ("123", "2026-01", 1.0)))
    info = payers.update_payer(sun, "SUN", "Sunrise Health", 6)
    assert info.id_change is not None and info.id_change.members == 1
    assert rows(sun, Member.member_id) == [("000123",)]
    assert rows(sun, RemittanceLine.member_id) == [("000123",)]


# --- typed IDs --------------------------------------------------------------------------------


def test_typed_ids_are_read_with_the_rule_everywhere(sun: Database, tmp_path: Path) -> None:
    payers.update_payer(sun, "SUN", "Sunrise Health", 9, id_rule=STRIP_DROP)
    importing.import_roster(
        sun,
        "SUN",
        M("2026-01"),
        roster(tmp_path / "r.xlsx", person("000123456", "A", "Ann"), person("555", "B", "Bo")),
    )
    importing.import_remittance(
        sun,
        "SUN",
        statement(tmp_path / "s.xlsx", ("000123456", "2026-01", 180.0), ("777", "2026-01", 1.0)),
    )
    reconcile(sun, "SUN", M("2026-01"), M("2026-01"))
    # the members page search, with and without the payer chosen
    for code in ("SUN", None):
        found = search_members(sun, "000-123", code).fetch(0, 10)
        assert [r.member_id for r in found] == ["000123456"]
    assert search_members(sun, "000 123 456-01").fetch(0, 10)[0].member_id == "000123456"
    assert member_info(sun, "SUN", "000-123-456-01").member_id == "000123456"
    assert explain(sun, "SUN", "000 123 456", M("2026-01")).member_id == "000123456"
    row = set_status(sun, "SUN", "000-123-456*01", M("2026-01"), "disputed")
    assert row.member_id == "000123456"
    # the reconciliation page's search box
    found_rows = fetch(sun, DiscrepancyQuery(text="000-123"), 0, 10)
    assert [d.member_id for d in found_rows] == ["000123456"]
    # aliases: typed as the payer writes them
    with pytest.raises(InputRejected, match="roster ID of member 000123456"):
        suggest_matches(sun, "SUN", "000-123-456-01")
    link = link_alias(sun, "SUN", "000-000-777", "000-000-555-01")
    assert (link.alias_id, link.member_id) == ("000000777", "000000555")
    assert unlink_alias(sun, "SUN", "000 000 777").alias_id == "000000777"
    with pytest.raises(UsageError, match="a member ID is required"):
        explain(sun, "SUN", " ", M("2026-01"))


# --- suggestions while no rule is set -------------------------------------------------------


@pytest.fixture
def rostered(sun: Database, tmp_path: Path) -> Database:
    importing.import_roster(
        sun,
        "SUN",
        M("2026-01"),
        roster(
            tmp_path / "r.xlsx",
            *[person(f"{n:09d}", "A", f"P{n}") for n in range(1, 15)],
        ),
    )
    return sun


def notes(db: Database, *ids: str, kind: str = "remittance") -> tuple[str, ...]:
    return id_rule_notes(db, "SUN", kind, pl.Series("member_id", list(ids)))


def test_suggestions_name_the_simplest_rule_that_matches(rostered: Database) -> None:
    dashed = [f"000-000-{n:03d}" for n in range(1, 15)]
    assert notes(rostered, *dashed, "999999999") == (
        "14 member IDs on this statement match roster members only when dashes and spaces "
        "are ignored: the ID rule 'strip' would match them "
        "(pmpm payer update --code SUN --id-rule strip)",
    )
    suffixed = notes(rostered, "000000001-01", "000000002*02", "000000003")
    assert suffixed[0].startswith("2 member IDs on this statement match roster members only when")
    assert "'suffix=drop'" in suffixed[0]
    both = notes(rostered, "000-000-001-01", "000-000-002")
    assert "'strip,suffix=drop'" in both[0] and both[0].startswith("2 member IDs")
    prefixed = notes(rostered, "XY000000001", "XY000000002", "000000003")
    assert prefixed[0].startswith("2 member IDs on this statement match roster members only ")
    assert "when the prefix XY is removed: the ID rule 'prefix=XY'" in prefixed[0]
    roster_note = notes(rostered, "000-000-001", kind="roster")
    assert "on this roster matches members of earlier rosters" in roster_note[0]
    # nothing to say: every ID matches, no candidate matches, or a rule is already set
    assert notes(rostered, "000000001", "000000002") == ()
    assert notes(rostered, "123-456-789") == ()
    payers.update_payer(rostered, "SUN", "Sunrise Health", 9, id_rule="suffix=keep")
    assert notes(rostered, *dashed) == ()


def test_a_rule_that_would_merge_members_is_never_suggested(sun: Database, tmp_path: Path) -> None:
    importing.import_roster(
        sun,
        "SUN",
        M("2026-01"),
        roster(
            tmp_path / "r.xlsx", person("000123456", "A", "Ann"), person("000123456-01", "A", "K")
        ),
    )
    assert notes(sun, "000123456-02") == ()


def test_preview_and_import_carry_the_note(rostered: Database, tmp_path: Path) -> None:
    path = statement(tmp_path / "s.xlsx", ("000-000-001", "2026-01", 180.0))
    shown = preview(rostered, "SUN", "remittance", path)
    assert shown.importable
    assert len(shown.notes) == 1 and "'strip'" in shown.notes[0]
    result = importing.import_remittance(rostered, "SUN", path)
    assert result.notes == shown.notes
    assert all(
        f"{n:09d}" not in note for note in result.notes for n in range(1, 15)
    )  # no member IDs in a note
