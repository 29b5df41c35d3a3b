"""Which format a payer file is in, from its first bytes (never its extension), and the one
entry to the machine-format readers (SPEC §6)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.fhir_atr import looks_like_atr, read_atr
from pmpm_desktop.io.fixed_layout import FixedLayout
from pmpm_desktop.io.fixed_width import read_fixed_width
from pmpm_desktop.io.machine_file import Format, MachineFile
from pmpm_desktop.io.mmr import looks_like_mmr, read_mmr
from pmpm_desktop.io.options import ReadOptions
from pmpm_desktop.io.read_errors import FileReadError
from pmpm_desktop.io.x12.read import read_x12
from pmpm_desktop.io.x12.segments import looks_like_x12

#: enough for an ISA header, a JSON resource's first keys and a few MMR records
HEAD_BYTES = 65536


def file_head(path: Path) -> bytes:
    """The first bytes of a file, enough to tell its format (OSError when unreadable)."""
    with path.open("rb") as f:
        return f.read(HEAD_BYTES)


def format_of(head: bytes) -> Format:
    """The format the first bytes of a file say; SPREADSHEET for anything the table reader
    takes (and fixed-width text, which only a layout can tell from a one-column table: the
    caller decides)."""
    if looks_like_x12(head):
        return Format.X12
    if looks_like_atr(head):
        return Format.FHIR_ATR
    if looks_like_mmr(head):
        return Format.MMR
    return Format.SPREADSHEET


def sniff(path: Path) -> Format:
    """The format of the file at ``path`` (:func:`format_of` its first bytes)."""
    return format_of(file_head(path))


def read_machine(
    path: Path,
    fmt: Format,
    *,
    options: ReadOptions,
    mapping: Mapping[str, str] | None = None,
    roster_month: Month | None = None,
    layout: FixedLayout | None = None,
) -> MachineFile:
    """Read a machine-format file whole; FileReadError when it cannot be read at all."""
    if fmt is Format.X12:
        return read_x12(path, options=options, mapping=mapping, roster_month=roster_month)
    if fmt is Format.MMR:
        return read_mmr(path, options=options, mapping=mapping)
    if fmt is Format.FHIR_ATR:
        if roster_month is None:
            raise FileReadError(
                f"{path.name} is an attribution list (a roster): it is read for a roster month"
            )
        return read_atr(path, options=options, mapping=mapping, roster_month=roster_month)
    if fmt is Format.FIXED_WIDTH:
        if layout is None:
            raise FileReadError(f"{path.name} is a fixed-width file: it is read with a layout")
        return read_fixed_width(path, layout, options=options, roster_month=roster_month)
    raise ValueError(f"{fmt} is read by io.table, not here")
