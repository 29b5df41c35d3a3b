"""Read an X12 file: split it, check its envelopes, and read its transaction sets with the
reader of their kind (SPEC §6).

What the file is comes from its content (ST01, and the guide in GS08/ST03), never from its
extension: ``.edi``, ``.x12``, ``.txt``, ``.dat`` or none. Several transaction sets of one kind
in an interchange are read together as one file.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from pathlib import Path

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.machine_file import MachineFile
from pmpm_desktop.io.options import ReadOptions
from pmpm_desktop.io.read_errors import FileReadError, file_bytes
from pmpm_desktop.io.x12.codes import transaction_of_guide
from pmpm_desktop.io.x12.eligibility import read_eligibility
from pmpm_desktop.io.x12.enrollment import read_enrollment
from pmpm_desktop.io.x12.envelope import check_envelope
from pmpm_desktop.io.x12.premium_payment import read_premium_payment
from pmpm_desktop.io.x12.remittance_advice import read_remittance_advice
from pmpm_desktop.io.x12.segments import collection_paused, split_segments
from pmpm_desktop.io.x12.transaction import TransactionReader, X12Input, transaction_label

#: ST01 → the reader of that transaction set. Readers of more sets are added here.
READERS: dict[str, TransactionReader] = {
    "834": read_enrollment,
    "271": read_eligibility,
    "820": read_premium_payment,
    "835": read_remittance_advice,
}
# The order a message lists what PMPM reads in.
_SHOWN_ORDER = ("834", "271", "820", "835")


def read_x12(
    path: Path,
    *,
    options: ReadOptions,
    mapping: Mapping[str, str] | None = None,
    roster_month: Month | None = None,
) -> MachineFile:
    """Read the X12 interchange in ``path``: a roster (834, 271) or a statement (820, 835).

    ``mapping`` chooses, per field, the element to read it from where a payer's files differ
    (``member_id``: ``NM1*IL09``, ``REF*0F``, ``REF*23``; ``product`` and ``rate_cell``:
    ``HD04``, ``HD03``, ``REF*CE``, ``REF*17``, ``REF*M7``, ``REF*ZZ``); the reader's defaults
    otherwise. FileReadError (one sentence naming the segment) when the file cannot be read:
    not X12, a broken envelope, cut off, or a transaction set PMPM does not read."""
    data = file_bytes(path)
    # The segments and loop objects are freed when _read returns, before the collector runs
    # again: it then has nothing of them to look at.
    with collection_paused():
        return _read(path, data, options, mapping, roster_month)


def _read(
    path: Path,
    data: bytes,
    options: ReadOptions,
    mapping: Mapping[str, str] | None,
    roster_month: Month | None,
) -> MachineFile:
    segments = split_segments(data)
    interchange = check_envelope(segments)
    sets = interchange.sets
    if not sets:
        raise FileReadError("this X12 interchange holds no transaction sets (no ST segment)")
    codes: list[str] = []
    for ts in sets:
        by_guide = transaction_of_guide(ts.guide)
        code = ts.code or by_guide or ""
        if not code:
            raise FileReadError(f"segment {ts.start + 1:,} (ST), element 01: it is blank")
        if by_guide is not None and code != by_guide:
            raise FileReadError(
                f"segment {ts.start + 1:,} (ST): the transaction set says it is "
                f"{transaction_label(code)} but its guide {ts.guide} is for the {by_guide}"
            )
        if code not in codes:
            codes.append(code)
    if len(codes) > 1:
        shown = " and ".join(transaction_label(c) for c in codes)
        raise FileReadError(
            f"this interchange holds {shown}; PMPM reads one kind of transaction set per file"
        )
    code = codes[0]
    reader = READERS.get(code)
    if reader is None:
        raise FileReadError(f"this X12 file is {transaction_label(code)}; PMPM reads {readable()}")
    source = X12Input(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        segments=segments,
        interchange=interchange,
        sets=sets,
        options=options,
        mapping=dict(mapping or {}),
        roster_month=roster_month,
    )
    machine = reader(source)
    return dataclasses.replace(machine, interchange=f"{machine.interchange} #{_digest(source)}")


# The creation date and time of a transaction (BGN03/04 of an 834 or 820, BHT04/05 of a 271):
# a re-sent interchange has new ones, and is still the same interchange.
_STAMPS = {"BGN": (3, 4), "BHT": (4, 5)}


def _digest(source: X12Input) -> str:
    """What the interchange says, without the dates of its sending: its identity (sender and
    ISA13) names it, this tells a re-send (same content, new dates: a duplicate) from another
    file that reuses the control number (a test generator's or a careless payer's)."""
    texts = source.segments.texts
    element = source.segments.separators.element
    digest = hashlib.sha256()
    for ts in source.sets:
        body = texts[ts.start + 1 : ts.end]
        # BGN and BHT open their transaction set: only the first segment carries the stamps.
        if body and (stamps := _STAMPS.get(body[0][:3])) is not None:
            items = body[0].split(element)
            for k in stamps:
                if k < len(items):
                    items[k] = ""
            body[0] = element.join(items)
        digest.update("\n".join(body).encode("utf-8", "surrogatepass"))
        digest.update(b"\n")
    return digest.hexdigest()[:16]


def readable() -> str:
    """The transaction sets PMPM reads, ``834, 271, 820 and 835``."""
    codes = sorted(READERS, key=lambda c: (_SHOWN_ORDER + (c,)).index(c))
    return ", ".join(codes[:-1]) + " and " + codes[-1] if len(codes) > 1 else codes[0]
