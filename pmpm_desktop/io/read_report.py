"""How a file was read, as the import's output and the wizard show it: where the data is,
which column is which field, what every row was given, how sure the detection is, and every
decision the reader took on its own."""

from __future__ import annotations

from dataclasses import dataclass

from pmpm_desktop.io.fields import label
from pmpm_desktop.io.options import DecisionKind, ReadDecision


def _with_rows(decision: ReadDecision) -> str:
    """A decision's sentence with the file rows it concerns (the first few)."""
    rows = decision.rows
    if not rows or decision.kind in (DecisionKind.HEADER, DecisionKind.KIND):
        return decision.text
    shown = ", ".join(str(r) for r in rows[:8]) + (", …" if len(rows) > 8 else "")
    return f"{decision.text} (row{'s' if len(rows) > 1 else ''} {shown})"


@dataclass(frozen=True)
class ReadReport:
    """How a file was read: where the data is, which column is which field, what every row was
    given, how sure the detection is, and every decision the reader took on its own."""

    sheet: str | None
    header_rows: tuple[int, ...]
    mapping: dict[str, str]
    values: dict[str, str]
    confident: bool
    given: bool
    score: float
    runner_up: float
    decisions: tuple[ReadDecision, ...]
    #: the payer's saved layout the file was read with, if any
    profile: str | None = None
    #: a machine format's standard ("X12 834 (005010X220A1)"): its fields are the guide's
    standard: str | None = None

    def certainty(self) -> str:
        """How sure the header detection is, in a sentence."""
        if self.standard is not None:
            return f"read as {self.standard}: each field from its place in the format"
        if self.profile is not None:
            return f"read with the payer's saved layout {self.profile!r}"
        if self.given:
            return "the sheet and header row were given"
        if self.confident:
            return (
                f"detection is sure: the header scores {self.score:g}, "
                f"the next best row {self.runner_up:g}"
            )
        return (
            f"detection is not sure: the header scores {self.score:g}, "
            f"the next best row {self.runner_up:g}; check the columns"
        )

    def lines(self) -> list[str]:
        """The report as lines of text (the CLI prints them under the import)."""
        columns = ", ".join(f"{label(f)} = {c!r}" for f, c in self.mapping.items())
        heading = "fields" if self.standard is not None else "columns"
        out = [self.certainty(), *([f"{heading}: {columns}"] if columns else [])]
        out += [f"{label(f)}: {v!r} on every row" for f, v in self.values.items()]
        out += [_with_rows(d) for d in self.decisions if d.kind is not DecisionKind.VALUE]
        return out

    def as_json(self) -> dict[str, object]:
        return {
            "sheet": self.sheet,
            "header_rows": list(self.header_rows),
            "mapping": self.mapping,
            "values": self.values,
            "confident": self.confident,
            "score": self.score,
            "runner_up": self.runner_up,
            "profile": self.profile,
            "standard": self.standard,
            "decisions": [d.as_json() for d in self.decisions],
        }
