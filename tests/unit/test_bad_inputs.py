"""The bad-input corpus (tests/unit/bad_files.py) through the three table imports: each file
is refused with its sentence and exit code, without a traceback or a member's data in the
message, and the database is left exactly as it was."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.unit import bad_files as bf

KINDS = ("roster", "remittance", "rates")
Build = Callable[[Path, str], Path]

# name → (suffix, builder, key phrase of the message)
CASES: dict[str, tuple[str, Build, str]] = {
    "bomb": (".xlsx", lambda p, k: bf.bomb(p, k), "would inflate to 3.0 GB (the limit is"),
    "lying bomb": (".xlsx", lambda p, k: bf.bomb(p, k, lying=True), "times its packed size"),
    "shared strings": (".xlsx", bf.shared_strings_bomb, "'xl/sharedStrings.xml' would inflate"),
    "billion laughs": (".xlsx", bf.billion_laughs, "declares a DOCTYPE or an entity"),
    "xxe": (".xlsx", bf.xxe, "declares a DOCTYPE or an entity"),
    "truncated zip": (".xlsx", bf.truncated_zip, "not a spreadsheet"),
    "empty csv": (".csv", lambda p, k: _bytes(p, b""), "empty"),
    "empty xlsx": (".xlsx", lambda p, k: _bytes(p, b""), "not a spreadsheet"),
    "garbage csv": (".csv", lambda p, k: bf.garbage(p), "not a text (CSV) file"),
    "garbage txt": (".txt", lambda p, k: bf.garbage(p), "not a text (CSV) file"),
    "garbage xlsx": (".xlsx", lambda p, k: bf.garbage(p), "not a spreadsheet"),
    "garbage xls": (".xls", lambda p, k: bf.garbage(p), "not a spreadsheet"),
    "garbage ods": (".ods", lambda p, k: bf.garbage(p), "not a spreadsheet"),
    "shift-jis, a few bytes": (
        ".csv",
        lambda p, k: _bytes(p, bf.encoded(p, k, "utf-8", "X").read_bytes().replace(
            b"X", "山田".encode("shift_jis"), 1)),
        "no encoding reads it cleanly",
    ),
    "mixed encoding": (".csv", bf.mixed_encoding, "otherwise UTF-8; save it as UTF-8"),
    "NUL past 4 KB": (".csv", lambda p, k: bf.with_cell(p, k, "a\x00b", column=3, line=300),
                      "NUL byte"),
    "control character": (".csv", lambda p, k: bf.with_cell(p, k, "a\x07b", column=3, line=300),
                          "control character U+0007"),
    "duplicate header": (".csv", bf.duplicate_header, "have the same name: choose the one"),
    "10k columns": (".csv", bf.wide, "has 10,000 columns: a payer file has at most 1,000"),
    "100k junk rows": (".csv", lambda p, k: bf.junk_rows(p, k, 100_000),
                       "more; write them all with --errors-out FILE.csv"),
}  # fmt: skip


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _content(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return list(conn.iterdump())


def _command(kind: str, path: Path) -> list[str | Path]:
    if kind == "roster":
        return ["roster", "import", "--payer", "SUN", "--month", "2026-01", path]
    if kind == "remittance":
        return ["remit", "import", "--payer", "SUN", path]
    return ["rates", "import", "--payer", "SUN", "--contract", "M", path]


@pytest.fixture
def practice(cli, db_path: Path, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    assert cli("payer", "add", "--code", "SUN", "--name", "Sun").code == 0
    args = ("--payer", "SUN", "--name", "M", "--from", "2026-01", "--products", "MCD")
    assert cli("contract", "add", *args).code == 0
    rates = bf.text_table(tmp_path / "rates.csv", bf.RATE_HEADERS, [bf.RATE_ROW])
    assert cli(*_command("rates", rates)).code == 0
    return db_path


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", CASES)
def test_a_bad_file_is_refused_in_a_sentence_and_changes_nothing(
    cli,
    practice: Path,
    tmp_path: Path,
    case: str,
    kind: str,  # type: ignore[no-untyped-def]
) -> None:
    suffix, build, phrase = CASES[case]
    path = build(tmp_path / f"bad{suffix}", kind)
    before = _content(practice)
    r = cli(*_command(kind, path))
    assert r.code == 3, r.err
    assert phrase in r.err, r.err[:2000]
    assert "Traceback" not in r.err
    assert bf.SECRET_ID not in r.err and bf.SECRET_NAME not in r.err
    assert len(r.err) < 20_000, len(r.err)
    assert _content(practice) == before


EDGE_DATES = ("0001-01-01", "9999-12-31", "1900-02-29", "0", "60", "2958466", "-1")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("date", EDGE_DATES)
def test_dates_at_the_edges_import_or_are_refused_in_words(
    cli,
    practice: Path,
    tmp_path: Path,
    date: str,
    kind: str,  # type: ignore[no-untyped-def]
) -> None:
    path = bf.edge_dates(tmp_path / "edge.csv", kind, date)
    before = _content(practice)
    r = cli(*_command(kind, path))
    assert r.code in (0, 3), r.err
    assert "Traceback" not in r.err and bf.SECRET_NAME not in r.err
    if r.code == 3:
        assert _content(practice) == before
