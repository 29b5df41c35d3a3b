"""Zip bombs, entity expansion and XXE are refused before any reader inflates them."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from pmpm_desktop.io import zip_guard
from pmpm_desktop.io.read_errors import FileReadError
from pmpm_desktop.io.table import read_table
from tests.unit import bad_files


def test_an_honest_bomb_is_refused_by_its_declared_size(tmp_path: Path) -> None:
    path = bad_files.bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 5_000_000
    with pytest.raises(FileReadError, match=r"'xl/worksheets/sheet1.xml' would inflate to 3.0 GB"):
        read_table(path)


def test_a_bomb_lying_about_its_size_is_refused_while_inflating(tmp_path: Path) -> None:
    path = bad_files.bomb(tmp_path / "bomb.xlsx", lying=True)
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size == 1024
    with pytest.raises(FileReadError, match="more than 100 times its packed size"):
        read_table(path)


def test_a_huge_shared_strings_part_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileReadError, match="'xl/sharedStrings.xml' would inflate to"):
        read_table(bad_files.shared_strings_bomb(tmp_path / "s.xlsx"))


@pytest.mark.parametrize("build", [bad_files.billion_laughs, bad_files.xxe])
def test_entities_are_refused_before_any_parser(tmp_path: Path, build) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FileReadError, match="declares a DOCTYPE or an entity"):
        read_table(build(tmp_path / "e.xlsx"))


def test_a_real_workbook_passes_and_our_reads_are_capped(tmp_path: Path) -> None:
    path = bad_files.text_table(
        tmp_path / "ok.xlsx", bad_files.ROSTER_HEADERS, [bad_files.ROSTER_ROW], suffix=".xlsx"
    )
    zip_guard.check_package(path.read_bytes(), path.name)
    with zipfile.ZipFile(path) as zf:
        assert zip_guard.read_part(zf, "xl/workbook.xml").startswith(b"<?xml")
        with pytest.raises(FileReadError, match="larger than"):
            zip_guard.read_part(zf, "xl/worksheets/sheet1.xml", limit=100)


def test_an_xls_header_claiming_more_sectors_than_the_file_is_refused(tmp_path: Path) -> None:
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[30:32] = (9).to_bytes(2, "little")
    header[44:48] = (10_000_000).to_bytes(4, "little")
    path = tmp_path / "forged.xls"
    path.write_bytes(bytes(header))
    with pytest.raises(FileReadError, match="claims more sectors than the file holds"):
        read_table(path)
