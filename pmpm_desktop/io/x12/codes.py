"""The X12 codes PMPM names: transaction sets, their implementation guides, and the kinds of
ID an interchange's sender and receiver are given by."""

from __future__ import annotations

from pmpm_desktop.io.options import FileKind

#: transaction set (ST01) → its name, for facts and messages
TRANSACTION_NAMES = {
    "834": "benefit enrollment and maintenance",
    "271": "eligibility benefit response",
    "820": "premium payment",
    "835": "health care claim payment",
    "837": "health care claim",
    "270": "eligibility benefit inquiry",
    "276": "claim status request",
    "277": "claim status response",
    "278": "services review",
    "269": "benefit coordination",
    "275": "patient information",
    "999": "implementation acknowledgment",
    "997": "functional acknowledgment",
    "824": "application advice",
    "810": "invoice",
    "850": "purchase order",
}
#: what each transaction set PMPM reads is, whatever command or page was used
KINDS = {
    "834": FileKind.ROSTER,
    "271": FileKind.ROSTER,
    "820": FileKind.STATEMENT,
    "835": FileKind.STATEMENT,
}
# The implementation guide (GS08 / ST03 after the version) → its transaction set.
_GUIDES = {
    "X220": "834",
    "X095": "834",
    "X279": "271",
    "X092": "271",
    "X218": "820",
    "X061": "820",
    "X221": "835",
    "X091": "835",
    "X222": "837",
    "X223": "837",
    "X224": "837",
    "X096": "837",
    "X097": "837",
    "X098": "837",
    "X231": "999",
}
#: interchange ID qualifiers (ISA05, ISA07) → what the ID is
ID_QUALIFIERS = {
    "01": "DUNS",
    "14": "DUNS with suffix",
    "20": "HIN",
    "27": "carrier ID",
    "28": "fiscal intermediary",
    "29": "Medicare provider",
    "30": "federal tax ID",
    "33": "NAIC",
    "ZZ": "mutually defined",
}


def transaction_of_guide(guide: str) -> str | None:
    """The transaction set an implementation guide is for (``005010X220A1`` → ``834``)."""
    return _GUIDES.get(guide[6:10]) if len(guide) >= 10 else None
