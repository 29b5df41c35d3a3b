"""The report-style corpus (tests/unit/report_files.py), through the command line as a user runs
it: every file imports with no option the same as with the explicit options a user would give,
and stores what the generator wrote; a file of another kind is refused with nothing written;
section, subtotal and footer rows never become members or paid lines (property)."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from pmpm_desktop.cli import main
from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import open_database
from pmpm_desktop.services import importing
from tests.conftest import CliResult, cli_runner
from tests.unit.report_files import (
    BAY,
    FEB,
    JAN,
    NOISE,
    PAYERS,
    PEOPLE,
    REPORTS,
    SUN,
    Line,
    Payer,
    Report,
    exhibit_rates,
    noisy_report,
    plain_rates,
    plain_roster,
    plain_statement,
)

Cli = Callable[..., CliResult]

ROSTER_FIELDS = (
    "member_id",
    "last_name",
    "first_name",
    "dob",
    "sex",
    "product",
    "rate_cell",
    "pcp",
    "effective_date",
    "term_date",
    "risk_score",
    "source_row",
)
REMITTANCE_FIELDS = ("member_id", "coverage_month", "amount", "line_type", "source_row")
DATE_FIELDS = {"dob", "effective_date", "term_date"}
COUNTED = (
    "roster_imports",
    "roster_rows",
    "members",
    "remittance_imports",
    "remittance_lines",
    "rate_rows",
    "import_profiles",
)


def stored(db: Path, kind: str) -> dict[str, list[object]]:
    """What the database holds for the file, column by column, in file order: the active
    roster's rows (with the member ID), or every remittance line (amounts in cents)."""
    if kind == "roster":
        sql = """
            SELECT m.member_id, r.last_name, r.first_name, r.dob, r.sex, r.product, r.rate_cell,
                   r.pcp, r.effective_date, r.term_date, r.risk_score, r.source_row
            FROM roster_rows r
            JOIN members m ON m.id = r.member_pk
            JOIN roster_imports i ON i.id = r.import_id
            WHERE i.active
            ORDER BY r.source_row, r.id"""
        fields = ROSTER_FIELDS
    else:
        sql = """
            SELECT member_id, coverage_month, CAST(ROUND(amount * 100) AS INTEGER), line_type,
                   source_row
            FROM remittance_lines ORDER BY source_row, id"""
        fields = REMITTANCE_FIELDS
    with sqlite3.connect(db) as con:
        rows = con.execute(sql).fetchall()
    con.close()
    columns: dict[str, list[object]] = {f: [] for f in fields}
    for row in rows:
        for name, value in zip(fields, row, strict=True):
            if value is not None and name in DATE_FIELDS:
                value = dt.date.fromisoformat(str(value)[:10])
            elif value is not None and name == "risk_score":
                value = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
            columns[name].append(value)
    return columns


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as con:
        out = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}
    con.close()
    return out


def set_up(cli: Cli, payer: Payer) -> None:
    """The payer and its contracts, as a user adds them."""
    width = ["--id-width", str(payer.id_width)] if payer.id_width else []
    r = cli("payer", "add", "--code", payer.code, "--name", payer.name, *width)
    assert r.code == 0, r.err
    for contract in payer.contracts:
        r = cli(
            "contract",
            "add",
            "--payer",
            payer.code,
            "--name",
            contract.name,
            "--from",
            "2025-01",
            "--products",
            ",".join(contract.products),
        )
        assert r.code == 0, r.err


def import_args(kind: str, payer: Payer, path: Path, month: str | None = FEB) -> list[str]:
    if kind == "roster":
        return ["roster", "import", "--payer", payer.code, "--month", str(month), str(path)]
    if kind == "remittance":
        return ["remit", "import", "--payer", payer.code, str(path)]
    return ["rates", "import", "--payer", payer.code, "--contract", "Medicaid HMO", str(path)]


def run_import(cli: Cli, case: Report, path: Path, options: Sequence[str]) -> CliResult:
    set_up(cli, case.payer)
    command = import_args(case.kind, case.payer, path, case.month)
    return cli(*command[:-1], *options, command[-1])


# --- 1. every report imports with no option, as with the explicit options ------------------


def test_corpus_is_wide_enough() -> None:
    assert len(REPORTS) >= 22
    assert len({c.name for c in REPORTS}) == len(REPORTS)
    suffixes = {Path(c.name).suffix for c in REPORTS}
    assert {".xlsx", ".csv"} <= suffixes and suffixes & {".xls", ".txt"}
    assert {c.kind for c in REPORTS} == {"roster", "remittance"}
    assert {c.payer for c in REPORTS} == set(PAYERS)
    for case in REPORTS:
        assert (case.month is not None) == (case.kind == "roster"), case.name
        fields = ROSTER_FIELDS if case.kind == "roster" else REMITTANCE_FIELDS
        assert set(case.expected) <= set(fields), case.name
        assert {len(v) for v in case.expected.values()} == {len(case.expected["member_id"])}


@pytest.mark.parametrize("case", REPORTS, ids=[c.name for c in REPORTS])
def test_report_imports_without_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: Report
) -> None:
    path = case.write(tmp_path / case.name)
    auto_db, explicit_db = tmp_path / "auto.sqlite3", tmp_path / "explicit.sqlite3"
    auto = run_import(cli_runner(auto_db, capsys), case, path, ())
    explicit = (
        None
        if case.options is None
        else run_import(cli_runner(explicit_db, capsys), case, path, case.options)
    )
    assert auto.code == 0 and (explicit is None or explicit.code == 0), (
        f"no options: exit {auto.code} {auto.err.strip()!r}; "
        + (
            "no explicit equivalent"
            if explicit is None
            else f"explicit: exit {explicit.code} {explicit.err.strip()!r}"
        )
    )
    got = stored(auto_db, case.kind)
    for name, values in case.expected.items():
        assert got[name] == values, f"{name} (no options)"
    if explicit is not None:
        assert stored(explicit_db, case.kind) == got, "the explicit import stored other rows"


# --- 2. a file of another kind is refused, nothing written ---------------------------------


@dataclass(frozen=True)
class KindFile:
    name: str
    kind: str  # roster | remittance | rates
    write: Callable[[Path], Path]
    payer: Payer


LABEL = {"roster": "roster", "remittance": "payment statement", "rates": "rate exhibit"}
_BY_NAME = {c.name: c for c in REPORTS}
KIND_FILES = [
    *(
        KindFile(name, _BY_NAME[name].kind, _BY_NAME[name].write, _BY_NAME[name].payer)
        for name in (
            "SUN_CAP_STMT_202602.xlsx",
            "SUN_Capitation_Export_2026-02.csv",
            "SUN_Member_Capitation_Detail_Feb2026.xlsx",
            "BAY_Cap_Payment_Detail_Feb2026.xlsx",
            "SUN Capitation Statement - February 2026.xlsx",
            "SUN_Roster_By_Product_202602.xlsx",
            "BAY_ELIG_CHG_RPT_FEB2026.xls",
            "SUN_MBR_ROSTER_RPT0412_20260302.xlsx",
            "SUN_Eligibility_Extract_20260201.csv",
        )
    ),
    KindFile("SUN roster 2026-02.xlsx", "roster", plain_roster, SUN),
    KindFile("SUN statement 2026-02.xlsx", "remittance", plain_statement, SUN),
    KindFile("SUN rates 2026.xlsx", "rates", plain_rates, SUN),
    KindFile("Exhibit B - Capitation Rates 2026.xlsx", "rates", exhibit_rates, BAY),
]
WRONG = [(f, other) for f in KIND_FILES for other in LABEL if other != f.kind]


def kinds_db(cli: Cli, tmp_path: Path, payer: Payer) -> None:
    """Both payers, and rates already loaded for the payer's Medicaid HMO contract (which a
    wrongly accepted rate import would replace)."""
    for p in PAYERS:
        set_up(cli, p)
    rates = plain_rates(tmp_path / "loaded rates.xlsx")
    r = cli(*import_args("rates", payer, rates))
    assert r.code == 0, r.err


@pytest.mark.parametrize(("file", "command"), WRONG, ids=[f"{f.name}-as-{c}" for f, c in WRONG])
def test_wrong_kind_is_refused_with_nothing_written(
    tmp_path: Path, cli: Cli, db_path: Path, file: KindFile, command: str
) -> None:
    kinds_db(cli, tmp_path, file.payer)
    path = file.write(tmp_path / file.name)
    before = counts(db_path)
    r = cli(*import_args(command, file.payer, path))
    message = r.err + r.out
    assert r.code == 3, f"exit {r.code}: {message.strip()!r}"
    assert f"looks like a {LABEL[file.kind]}" in message, message
    assert counts(db_path) == before


@pytest.mark.parametrize("file", KIND_FILES, ids=[f.name for f in KIND_FILES])
def test_right_kind_is_not_refused(tmp_path: Path, cli: Cli, db_path: Path, file: KindFile) -> None:
    kinds_db(cli, tmp_path, file.payer)
    path = file.write(tmp_path / file.name)
    before = counts(db_path)
    r = cli(*import_args(file.kind, file.payer, path))
    assert r.code == 0, f"exit {r.code}: {r.err.strip()!r}"
    after = counts(db_path)
    table = {"roster": "roster_rows", "remittance": "remittance_lines", "rates": "rate_rows"}
    assert after[table[file.kind]] > (0 if file.kind == "rates" else before[table[file.kind]])


# --- 3. property: section, subtotal and footer rows are never members or paid lines --------


@pytest.fixture(scope="module")
def sun_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty practice with SUN and its contract, copied for every example."""
    path = tmp_path_factory.mktemp("reports") / "sun.sqlite3"
    for args in (
        ["payer", "add", "--code", "SUN", "--name", SUN.name, "--id-width", "9"],
        [
            "contract",
            "add",
            "--payer",
            "SUN",
            "--name",
            "Medicaid HMO",
            "--from",
            "2025-01",
            "--products",
            "MCD",
        ],
    ):
        assert main(["--db", str(path), *args]) == 0
    return path


def import_noisy(
    template: Path, folder: Path, kind: str, entries: Sequence[object], **layout: object
) -> Path:
    """Write the noisy report in ``folder`` and import it with no option into a copy of
    ``template``; the copy's path."""
    report = noisy_report(folder / "report.xlsx", entries, **layout)  # type: ignore[arg-type]
    db_file = folder / "db.sqlite3"
    shutil.copyfile(template, db_file)
    db = open_database(db_file)
    try:
        if kind == "roster":
            importing.import_roster(db, "SUN", Month(2026, 2), report)
        else:
            importing.import_remittance(db, "SUN", report)
    finally:
        db.dispose()
    return db_file


NOISE_ROWS = st.lists(st.tuples(st.integers(0, 30), st.sampled_from(NOISE)), max_size=12)
# No shrinking: an example is cheap, but shrinking a file that fails in many ways runs for
# minutes. The explicit examples (one kind of report row each) run first and fail first.
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def each_kind_of_row(entries: object) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """An explicit example per kind of report row (between the first two member rows), and
    one with the grand total and end-of-report footer."""

    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        test = example(entries, [], 2, True)(test)
        for kind in reversed(NOISE):
            test = example(entries, [(1, kind)], 2, False)(test)
        return test

    return decorate


@PROPERTY
@each_kind_of_row([0, 1, 2])
@given(
    members=st.lists(st.integers(0, len(PEOPLE) - 1), min_size=1, max_size=30, unique=True),
    noise=NOISE_ROWS,
    titles=st.integers(0, 3),
    footer=st.booleans(),
)
def test_report_rows_never_become_members(
    sun_template: Path, members: list[int], noise: list[tuple[int, str]], titles: int, footer: bool
) -> None:
    people = [PEOPLE[i] for i in members]
    with tempfile.TemporaryDirectory() as folder:
        db_file = import_noisy(
            sun_template,
            Path(folder),
            "roster",
            people,
            noise=noise,
            titles=titles,
            footer=footer,
        )
        assert stored(db_file, "roster")["member_id"] == [p.member_id for p in people]


@PROPERTY
@each_kind_of_row([(0, FEB, 16_500), (1, FEB, 41_235), (0, JAN, -16_500)])
@given(
    lines=st.lists(
        st.tuples(
            st.integers(0, len(PEOPLE) - 1),
            st.sampled_from([JAN, FEB]),
            st.integers(-50_000, 99_999).filter(bool),
        ),
        min_size=1,
        max_size=30,
    ),
    noise=NOISE_ROWS,
    titles=st.integers(0, 3),
    footer=st.booleans(),
)
def test_report_rows_never_become_paid_lines(
    sun_template: Path,
    lines: list[tuple[int, str, int]],
    noise: list[tuple[int, str]],
    titles: int,
    footer: bool,
) -> None:
    paid = [
        Line(PEOPLE[i], month, cents, "CAP" if cents > 0 else "ADJ") for i, month, cents in lines
    ]
    with tempfile.TemporaryDirectory() as folder:
        db_file = import_noisy(
            sun_template,
            Path(folder),
            "remittance",
            paid,
            noise=noise,
            titles=titles,
            footer=footer,
        )
        got = stored(db_file, "remittance")
    assert list(zip(got["member_id"], got["coverage_month"], got["amount"], strict=True)) == [
        (x.member_id, x.month, x.cents) for x in paid
    ]
