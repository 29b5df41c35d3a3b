"""What a payer file's name says: its payer and its roster month (the user confirms on step 1;
the file's kind is proposed from its columns as well, by ``io.kinds.propose_kind``)."""

from __future__ import annotations

import re
from pathlib import Path

from pmpm_desktop.core.month import Month

_MONTH_IN_NAME = re.compile(r"(?<!\d)(20\d\d)[-_ .]?(0[1-9]|1[0-2])(?!\d)")


def guess_payer(path: Path, codes: list[str]) -> str | None:
    """The payer whose code is a word of the file name (``SUN roster 2026-07.xlsx``); None
    when no code or several are."""
    words = {w.upper() for w in re.split(r"[^A-Za-z0-9]+", path.stem) if w}
    hits = [c for c in codes if c.upper() in words]
    return hits[0] if len(hits) == 1 else None


def month_in_name(path: Path | None) -> Month | None:
    """The month a name such as ``roster 2026-07`` or ``roster_202607`` states."""
    if path is None:
        return None
    m = _MONTH_IN_NAME.search(path.stem)
    return Month(int(m.group(1)), int(m.group(2))) if m else None
