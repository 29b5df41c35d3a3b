"""The one progress/cancel module: reports, phases, counters, and what a cancel says was kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.progress import Cancelled, Counter, Progress, report, scaled, tell
from pmpm_desktop.services import payers
from pmpm_desktop.services.reconciling import STEPS, reconcile_payers
from tests.unit.practice import add_sunrise

JAN, MAR = Month(2026, 1), Month(2026, 3)


def recorder(seen: list[tuple[int, int]]) -> Progress:
    """A callback that notes every report and never asks to stop."""

    def note(done: int, total: int) -> bool:
        seen.append((done, total))
        return True

    return note


def test_a_false_answer_raises_cancelled_with_what_was_kept() -> None:
    report(None, 1, 2)
    report(lambda d, t: True, 1, 2)
    with pytest.raises(Cancelled, match="^cancelled: nothing was changed$"):
        report(lambda d, t: False, 1, 2)
    with pytest.raises(Cancelled, match="^backup cancelled: no file was written$"):
        report(lambda d, t: False, 1, 2, cancelled="backup cancelled: no file was written")


def test_tell_reports_after_the_commit_without_asking_to_stop() -> None:
    seen: list[tuple[int, int]] = []

    def stop(done: int, total: int) -> bool:
        seen.append((done, total))
        return False

    tell(stop, 4, 4)
    tell(None, 4, 4)
    assert seen == [(4, 4)]


def test_a_phase_lands_in_its_share_of_the_whole() -> None:
    seen: list[tuple[int, int]] = []
    phase = scaled(recorder(seen), 400, 100, 1000)
    assert phase is not None
    for done in (0, 1, 2, 5):
        phase(done, 4)
    assert seen == [(400, 1000), (425, 1000), (450, 1000), (500, 1000)]
    assert scaled(None, 0, 1, 1) is None


def test_a_counter_reports_every_n_items_and_when_forced() -> None:
    seen: list[tuple[int, int]] = []
    counter = Counter(recorder(seen), 25, every=10)
    counter.tick(0)
    for _ in range(25):
        counter.step()
    counter.tick(25, force=True)
    assert [done for done, _total in seen] == [0, 10, 20, 25]
    stopping = Counter(lambda d, t: d < 2, 5, every=1, cancelled="the demo was not built")
    stopping.step()
    with pytest.raises(Cancelled, match="the demo was not built"):
        stopping.step()


def _two_payers(db: Database, tmp_path: Path) -> Database:
    add_sunrise(db, tmp_path)
    payers.add_payer(db, "BAY", "Bayside Health", 9)
    return db


def test_cancelling_inside_the_second_payer_names_the_payer_kept(
    db: Database, tmp_path: Path
) -> None:
    _two_payers(db, tmp_path)
    # BAY (first by code) runs to its end; SUN is stopped at its second step
    with pytest.raises(Cancelled) as stopped:
        reconcile_payers(db, None, JAN, MAR, lambda done, total: done < STEPS + 1)
    assert str(stopped.value) == "cancelled: BAY reconciled; SUN not reconciled"
    with pytest.raises(Cancelled) as stopped:
        reconcile_payers(db, None, JAN, MAR, lambda d, t: d < 1, cancelled="export cancelled")
    assert str(stopped.value) == "export cancelled: nothing was changed"


def test_each_payer_hands_over_its_classified_member_months(db: Database, tmp_path: Path) -> None:
    _two_payers(db, tmp_path)
    seen: list[str] = []
    summaries = reconcile_payers(
        db, ["SUN", "BAY"], JAN, MAR, each=lambda s, kinds: seen.append(s.payer_code)
    )
    assert seen == [s.payer_code for s in summaries] == ["SUN", "BAY"]
