"""Writers of X12 interchanges for tests and the benchmark.

``interchange()`` wraps transaction-set bodies (the segments between ST and SE, each a list of
elements with the segment ID first) in ST/SE, GS/GE and ISA/IEA with the right counts and
control numbers, in any separators and line breaks; ``Wrong`` breaks a count or a control
number on purpose. ``enrollment()`` and ``eligibility()`` write 834 and 271 bodies from plain
member records; ``x12_834(members)`` writes a large 834 the way a Medicaid plan sends one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from pmpm_desktop.io.x12.segments import Separators

Segment = Sequence[str]

#: the guide's usual separators
STANDARD = Separators("*", ":", "~", "^")
#: transaction set → (GS01 functional identifier, 005010 guide, 004010 guide)
_GROUPS = {
    "834": ("BE", "005010X220A1", "004010X095A1"),
    "271": ("HB", "005010X279A1", "004010X092A1"),
    "820": ("RA", "005010X218", "004010X061A1"),
    "835": ("HP", "005010X221A1", "004010X091A1"),
    "837": ("HC", "005010X222A1", "004010X098A1"),
}


@dataclass(frozen=True)
class Wrong:
    """Envelope values written wrong on purpose (None: the right value).

    ``se_count`` and ``se_control`` are per transaction set (its index); ``omit`` leaves out
    the named control segments ("SE", "GE", "IEA")."""

    se_count: dict[int, int] = field(default_factory=dict)
    se_control: dict[int, str] = field(default_factory=dict)
    ge_count: int | None = None
    ge_control: str | None = None
    iea_count: int | None = None
    iea_control: str | None = None
    omit: frozenset[str] = frozenset()


def interchange(
    transactions: Sequence[Sequence[Segment]],
    *,
    code: str = "834",
    version: str = "005010",
    guide: str | None = None,
    separators: Separators = STANDARD,
    line_breaks: str = "\n",
    control: int = 1,
    group_control: int = 1,
    sender: tuple[str, str] = ("ZZ", "ACMEHEALTH"),
    receiver: tuple[str, str] = ("ZZ", "SUNPRACTICE"),
    when: dt.datetime = dt.datetime(2026, 4, 1, 9, 30),
    usage: str = "P",
    groups: Sequence[int] | None = None,
    wrong: Wrong | None = None,
    bom: bool = False,
    encoding: str = "utf-8",
) -> bytes:
    """An interchange holding ``transactions`` (each the segments between its ST and SE) of
    transaction set ``code``, in ``version`` 005010 or 004010.

    ``groups`` splits the sets over functional groups (their sizes; default one group);
    ``line_breaks`` is written after every terminator ("" for none)."""
    wrong = wrong or Wrong()
    functional, guide5, guide4 = _GROUPS.get(code, ("XX", f"005010X{code}", f"004010X{code}"))
    gs08 = guide or (guide5 if version == "005010" else guide4)
    sizes = list(groups) if groups is not None else [len(transactions)]
    assert sum(sizes) == len(transactions)
    c = separators.component
    five = version >= "005010"
    rep = separators.repetition if five and separators.repetition else "U"
    isa = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        sender[0],
        sender[1].ljust(15),
        receiver[0],
        receiver[1].ljust(15),
        when.strftime("%y%m%d"),
        when.strftime("%H%M"),
        rep,
        "00501" if five else "00401",
        f"{control:09d}",
        "0",
        usage,
    ]
    out: list[Segment] = [[*isa, c]]
    index = 0
    for g, size in enumerate(sizes):
        gcontrol = str(group_control + g)
        out.append(
            [
                "GS",
                functional,
                sender[1],
                receiver[1],
                when.strftime("%Y%m%d"),
                when.strftime("%H%M"),
                gcontrol,
                "X",
                gs08,
            ]
        )
        for _ in range(size):
            body = transactions[index]
            st_control = f"{index + 1:04d}"
            st = ["ST", code, st_control, *([gs08] if five else [])]
            count = wrong.se_count.get(index, len(body) + 2)
            out.append(st)
            out.extend(body)
            if "SE" not in wrong.omit:
                out.append(["SE", str(count), wrong.se_control.get(index, st_control)])
            index += 1
        if "GE" not in wrong.omit:
            ge_count = wrong.ge_count if wrong.ge_count is not None else size
            out.append(["GE", str(ge_count), wrong.ge_control or gcontrol])
    if "IEA" not in wrong.omit:
        iea_count = wrong.iea_count if wrong.iea_count is not None else len(sizes)
        out.append(["IEA", str(iea_count), wrong.iea_control or f"{control:09d}"])
    text = write_segments(out, separators, line_breaks)
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def write_segments(segments: Sequence[Segment], separators: Separators, line_breaks: str) -> str:
    """Segments joined with the separators, trailing empty elements dropped (as the standard
    writes them; the ISA keeps all of its elements)."""
    e, term = separators.element, separators.segment
    lines = []
    for seg in segments:
        elements = list(seg)
        if elements[0] != "ISA":
            while len(elements) > 1 and elements[-1] == "":
                elements.pop()
        lines.append(e.join(elements) + term + line_breaks)
    return "".join(lines)
