"""``pmpm payer add/update/list`` with an ID rule and a CR meaning, and the import's note, run
in-process on a real SQLite file (exit codes of CLI.md: 0 done, 2 usage, 3 refused, 4 not found)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from tests.conftest import CliResult
from tests.unit.files import REMIT_HEADERS, ROSTER_HEADERS, worked_example_rates, xlsx

Cli = Callable[..., CliResult]


def test_add_update_and_list_a_payers_rule(cli: Cli) -> None:
    added = cli("payer", "add", "--code", "SUN", "--name", "Sunrise", "--id-rule", "strip")
    assert added.code == 0
    assert added.out == "added payer SUN (Sunrise); member IDs: dashes and spaces are ignored\n"
    updated = cli("payer", "update", "--code", "sun", "--id-rule", "strip,suffix=drop")
    assert updated.code == 0, updated.err
    assert "a dependent suffix such as -01 is dropped" in updated.out
    assert cli("payer", "update", "--code", "SUN", "--cr-means", "recouped").code == 0
    assert cli("payer", "update", "--code", "SUN", "--name", "Sunrise Health").code == 0
    [payer] = cli("payer", "list", "--json").json()
    assert payer == {
        "code": "SUN",
        "name": "Sunrise Health",
        "id_width": None,
        "id_rule": "strip,suffix=drop",
        "cr_means": "recouped",
        "contracts": [],
    }
    table = cli("payer", "list").out.splitlines()
    assert table[0].split() == [
        "code",
        "name",
        "ID",
        "width",
        "ID",
        "rule",
        "CR",
        "means",
        "contracts",
    ]
    assert "strip,suffix=drop  recouped" in table[2]
    assert cli("payer", "update", "--code", "SUN", "--id-width", "9").code == 0
    assert cli("payer", "list", "--json").json()[0]["id_width"] == 9
    assert cli("payer", "update", "--code", "SUN", "--id-width", "none").code == 0
    assert cli("payer", "list", "--json").json()[0]["id_width"] is None


def test_refusals_and_their_exit_codes(cli: Cli) -> None:
    bad_rule = cli("payer", "add", "--code", "SUN", "--name", "Sunrise", "--id-rule", "dashes")
    assert bad_rule.code == 3
    assert "unknown ID rule part 'dashes'" in bad_rule.err
    assert cli("payer", "list", "--json").json() == []
    bad_cr = cli("payer", "add", "--code", "SUN", "--name", "S", "--cr-means", "credit")
    assert bad_cr.code == 2
    assert "invalid choice: 'credit'" in bad_cr.err
    missing = cli("payer", "update", "--code", "NOPE", "--id-rule", "strip")
    assert (missing.code, missing.err) == (
        4,
        "pmpm: no payer with code 'NOPE' (known payers: none yet)\n",
    )
    cli("payer", "add", "--code", "SUN", "--name", "Sunrise")
    width = cli("payer", "update", "--code", "SUN", "--id-width", "wide")
    assert width.code == 3
    assert "member-ID width must be a whole number, not 'wide'" in width.err
    prefix = cli("payer", "update", "--code", "SUN", "--id-rule", "prefix=A-B")
    assert prefix.code == 3
    assert "an ID prefix is 1 to 10 letters or digits" in prefix.err


def test_help_says_the_rule_format(cli: Cli) -> None:
    shown = cli("payer", "update", "--help")
    assert shown.code == 0
    text = " ".join(shown.out.split())
    assert "'strip' (ignore dashes and spaces)" in text
    assert "'suffix=drop' / 'suffix=keep'" in text
    assert "'prefix=XYZ'" in text
    assert "--cr-means {paid,recouped}" in text


def test_import_notes_the_rule_and_a_merge_is_refused(cli: Cli, tmp_path: Path) -> None:
    cli("payer", "add", "--code", "SUN", "--name", "Sunrise", "--id-width", "9")
    cli("contract", "add", "--payer", "SUN", "--name", "HMO", "--from", "2026-01")
    cli(
        "rates", "import", "--payer", "SUN", "--contract", "HMO",
        worked_example_rates(tmp_path / "rates.xlsx"),
    )  # fmt: skip
    people = [
        ["000123456", "ALPHA", "ANN", dt.date(1990, 5, 10), "F", "MCD", "TANF", None, None],
        ["000123456-01", "ALPHA", "KID", dt.date(2015, 5, 10), "F", "MCD", "TANF", None, None],
    ]
    roster = xlsx(tmp_path / "roster.xlsx", ROSTER_HEADERS, people)
    assert cli("roster", "import", "--payer", "SUN", "--month", "2026-01", roster).code == 0
    paid = xlsx(tmp_path / "s.xlsx", REMIT_HEADERS, [["000-123-456", "2026-01", 180, "CAP"]])
    imported = cli("remit", "import", "--payer", "SUN", paid)
    assert imported.code == 0
    assert imported.out.splitlines()[:2] == [
        "imported s.xlsx: 1 lines for 1 member IDs",
        "note: 1 member ID on this statement matches roster members only when dashes and "
        "spaces are ignored: the ID rule 'strip' would match them "
        "(pmpm payer update --code SUN --id-rule strip)",
    ]
    merged = cli("payer", "update", "--code", "SUN", "--id-rule", "strip,suffix=drop")
    assert merged.code == 3
    assert "2 different members of SUN would share 1 member ID" in merged.err
    assert "000123456" not in merged.err
    assert cli("payer", "list", "--json").json()[0]["id_rule"] == "none"
    taken = cli("payer", "update", "--code", "SUN", "--id-rule", "strip")
    assert taken.code == 0
    assert taken.out.splitlines()[1] == (
        "stored IDs re-read under the new rule: 1 member ID, 1 statement line changed; "
        "reconcile again to bring the discrepancies up to date"
    )
    summary = cli("reconcile", "--payer", "SUN", "--from", "2026-01", "--to", "2026-01", "--json")
    assert summary.json()["counts"]["unknown_member"] == 0
