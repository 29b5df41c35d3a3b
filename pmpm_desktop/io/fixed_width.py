"""Any fixed-width payer file, read through a layout the user saves once per payer (SPEC §6).

A :class:`FixedLayout` (:mod:`io.fixed_layout`) says where each field sits on a line (start
column counted from 1, as record layouts print them, and a length), which lines are data (an
optional record prefix: header and trailer records are skipped) and how many lines at the top
to skip. The reader slices every data line into a text table, one column per field named as
the field, and reads it with the spreadsheet roster or statement reader, so every value rule
is shared.

Lines are sliced by characters after decoding (UTF-8, with or without BOM, else cp1252, which
never fails): a single-byte file's columns are its bytes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

import polars as pl

from pmpm_desktop.core.money import cents_to_money, dollars_text
from pmpm_desktop.core.month import Month
from pmpm_desktop.io.fields import fields as kind_fields
from pmpm_desktop.io.fields import given_values

# Re-exported: the reader and its layout are imported together.
from pmpm_desktop.io.fixed_layout import FixedLayout as FixedLayout
from pmpm_desktop.io.fixed_layout import LayoutError as LayoutError
from pmpm_desktop.io.machine_file import Fact, Format, MachineFile, text_table
from pmpm_desktop.io.options import DecisionKind, FileKind, ReadDecision, ReadOptions
from pmpm_desktop.io.parsed import ParsedFile, RowProblem
from pmpm_desktop.io.read_errors import FileReadError, file_bytes
from pmpm_desktop.io.remittance_file import read_remittance
from pmpm_desktop.io.roster_file import read_roster

_DELIMITERS = (",", "\t", ";", "|")
# Values a short line must not cut: a cut date or amount would read as another value.
_UNCUT = frozenset({"birth_date", "coverage_date", "month", "money", "score"})


# --- text and lines ------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """The file's text: UTF-8 (a BOM dropped), else cp1252, which never fails (the five bytes
    cp1252 leaves undefined become U+FFFD, one character each, so columns stay put)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def decode_head(head: bytes) -> str:
    """The first bytes of a file as :func:`decode_text` reads the whole file: a UTF-8
    character cut at the end of ``head`` does not make it cp1252."""
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        cut = exc.start
    if cut < len(head) - 3:
        return head.decode("cp1252", errors="replace")
    return decode_text(head[:cut])


def split_lines(text: str) -> list[str]:
    """Lines without their ends (LF, CRLF, or CR alone); a final line end makes no extra line.
    Only line ends split: a form feed or NEL inside a record stays in it."""
    lines = text.split("\n") if "\n" in text else text.split("\r")
    if lines and lines[-1] == "":
        lines.pop()
    if "\r" in text and "\n" in text:
        return [line[:-1] if line.endswith("\r") else line for line in lines]
    return lines


def first_lines(path: Path, n: int = 20) -> list[str]:
    """The first ``n`` lines of a file, for the wizard's ruler (tabs shown as one space each,
    so a column on screen is a column in the file)."""
    with path.open("rb") as fh:
        head = fh.read(max(n, 1) * 4096)
    lines = split_lines(decode_head(head))[:n]
    return [line.replace("\t", " ") for line in lines]


def looks_fixed_width(head: bytes) -> bool:
    """True when the first bytes of a file read as fixed-width records: text lines of nearly
    one length (at least 20 characters; a first and a last line, header and trailer records,
    may differ) and no delimiter found the same number of times on every line. A last line
    without its line end may be cut, so it is not judged."""
    if b"\x00" in head or head.startswith(b"PK"):
        return False
    lines = split_lines(decode_head(head))
    if not head.endswith((b"\n", b"\r")):
        lines = lines[:-1]
    lines = [line for line in lines if line.strip()][:50]
    if len(lines) < 2:
        return False
    for delimiter in _DELIMITERS:
        counts = {line.count(delimiter) for line in lines}
        if len(counts) == 1 and counts != {0}:
            return False
    # A header and a trailer record may have lengths of their own.
    body = lines[1:-1] if len(lines) >= 4 else lines
    lengths = sorted(len(line.rstrip()) for line in body)
    typical = lengths[len(lengths) // 2]
    if typical < 20:
        return False
    near = sum(1 for n in lengths if abs(n - typical) <= max(2, typical // 50))
    return near >= 0.8 * len(body)


def and_list(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- the reader ----------------------------------------------------------------------------


@dataclass
class _Lines:
    """The data lines of a file and what was skipped, with 1-based line numbers."""

    total: int
    lines: list[str]
    numbers: list[int]
    decisions: list[ReadDecision]


def _data_lines(text: str, layout: FixedLayout) -> _Lines:
    every = split_lines(text)
    top = list(range(1, min(layout.skip_lines, len(every)) + 1))
    blank: list[int] = []
    other: list[int] = []
    lines: list[str] = []
    numbers: list[int] = []
    prefix = layout.record_prefix
    for number, line in enumerate(every[layout.skip_lines :], start=layout.skip_lines + 1):
        if not line.strip():
            blank.append(number)
        elif prefix is not None and not line.startswith(prefix):
            other.append(number)
        else:
            lines.append(line)
            numbers.append(number)
    decisions = []
    if top:
        at_top = "at the top of the file (the layout says so)"
        decisions.append(_skipped(top, (at_top, at_top)))
    if other:
        header = f"start with {prefix!r} (header or trailer records)"
        decisions.append(_skipped(other, ("does not " + header, "do not " + header)))
    if blank:
        decisions.append(_skipped(blank, ("is blank", "are blank")))
    return _Lines(len(every), lines, numbers, decisions)


def _skipped(rows: list[int], why: tuple[str, str]) -> ReadDecision:
    """``why`` is the reason for one line and for several: ("is blank", "are blank")."""
    one = len(rows) == 1
    text = f"{len(rows)} line{'' if one else 's'} {why[0] if one else why[1]}: skipped"
    return ReadDecision(DecisionKind.SKIPPED, text, tuple(rows))


def _required(layout: FixedLayout, options: ReadOptions) -> set[str]:
    given = given_values(layout.kind.value, options.values)
    return {
        f.name
        for f in kind_fields(layout.kind.value)
        if f.required and f.name in layout.fields and f.name not in given
    }


def _short_lines(
    layout: FixedLayout, found: _Lines, lengths: pl.Series, options: ReadOptions
) -> tuple[list[RowProblem], set[int]]:
    """A problem for each line that lacks a required field or cuts through a date, month,
    amount or score (text fields may end early: trailing blanks are often trimmed); such
    lines are not read."""
    required = _required(layout, options)
    exact = {f.name for f in kind_fields(layout.kind.value) if f.values in _UNCUT}
    need = max(
        [start for n, (start, _) in layout.fields.items() if n in required]
        + [start + length - 1 for n, (start, length) in layout.fields.items() if n in exact],
        default=0,
    )
    by_start = sorted(layout.fields.items(), key=lambda item: item[1])
    problems: list[RowProblem] = []
    rows: set[int] = set()
    for index in (lengths < need).arg_true().to_list():
        size, number = len(found.lines[index]), found.numbers[index]
        named = [
            n
            for n, (start, length) in by_start
            if (start > size and n in required)
            or (start <= size < start + length - 1 and n in exact)
        ]
        if not named:
            continue
        spans = [f"{named[0]} is at columns {layout.columns(named[0])}"]
        spans += [f"{n} at {layout.columns(n)}" for n in named[1:]]
        reason = f"line {number} is {size} characters long; {and_list(spans)}"
        start = layout.fields[named[0]][0]
        cut = found.lines[index][start - 1 :].strip()
        problems.append(RowProblem(number, named[0], cut, reason))
        rows.add(number)
    return problems, rows


def read_fixed_width(
    path: Path, layout: FixedLayout, *, options: ReadOptions, roster_month: Month | None = None
) -> MachineFile:
    """Read a fixed-width roster or statement through ``layout``; every problem of every line
    is in the result (a line's number is its row). ``roster_month`` is needed for a roster."""
    if layout.kind is FileKind.ROSTER and roster_month is None:
        raise ValueError("a roster is read for its roster month: give roster_month")
    data = file_bytes(path)
    found = _data_lines(decode_text(data), layout)
    if not found.lines:
        raise FileReadError(_no_data(path, layout, found.total))
    series = pl.Series("line", found.lines, dtype=pl.String)
    lengths = series.str.len_chars()
    problems, short = _short_lines(layout, found, lengths, options)
    keep = [number not in short for number in found.numbers]
    kept = series.filter(pl.Series(keep)) if short else series
    columns = {name: _cells(kept, start, length) for name, (start, length) in layout.fields.items()}
    numbers = [n for n, k in zip(found.numbers, keep, strict=True) if k]
    raw = text_table(columns, numbers, sha256=sha256(data).hexdigest(), file_name=path.name)
    mapping = {name: name for name in layout.fields}
    if layout.kind is FileKind.ROSTER:
        assert roster_month is not None
        parsed = read_roster(
            path, roster_month=roster_month, options=options, mapping=mapping, table=raw
        )
    else:
        parsed = read_remittance(path, options=options, mapping=mapping, table=raw)
    parsed = _merged(parsed, problems, found.decisions)
    return MachineFile(
        format=Format.FIXED_WIDTH,
        kind=layout.kind,
        standard="fixed-width file (saved layout)",
        parsed=parsed,
        facts=_facts(layout, found, parsed),
    )


def _cells(lines: pl.Series, start: int, length: int) -> list[str | None]:
    cells = lines.str.slice(start - 1, length).str.strip_chars()
    return pl.select(pl.when(cells != "").then(cells)).to_series().to_list()


def _merged(
    parsed: ParsedFile, problems: list[RowProblem], decisions: list[ReadDecision]
) -> ParsedFile:
    """``parsed`` with this reader's problems and decisions beside the shared reader's."""
    every = sorted([*parsed.problems, *problems], key=lambda p: p.row)
    return dataclasses.replace(
        parsed, problems=every, decisions=(*parsed.decisions[:1], *decisions, *parsed.decisions[1:])
    )


def _no_data(path: Path, layout: FixedLayout, total: int) -> str:
    if total <= layout.skip_lines:
        return (
            f"{path.name} has {total} line(s) and the layout skips {layout.skip_lines} at the top: "
            "no data lines"
        )
    if layout.record_prefix is not None:
        return (
            f"no line of {path.name} starts with the layout's record prefix "
            f"{layout.record_prefix!r}"
        )
    return f"{path.name} has no data lines (every line is blank)"


def _facts(layout: FixedLayout, found: _Lines, parsed: ParsedFile) -> tuple[Fact, ...]:
    facts = [
        Fact("Layout", layout.describe()),
        Fact("Lines read", f"{found.total:,}"),
        Fact("Records", f"{len(found.lines):,}"),
        Fact("Lines skipped", f"{found.total - len(found.lines):,}"),
    ]
    if "amount_cents" in parsed.frame.columns:
        facts.append(
            Fact("Total", dollars_text(cents_to_money(int(parsed.frame["amount_cents"].sum()))))
        )
    return tuple(facts)
