"""The wizard's sentences about a file and its import: pure functions of what the services
returned, so the steps only place them on screen."""

from __future__ import annotations

import re

from pmpm_desktop.core.money import dollars_text
from pmpm_desktop.core.month import Month
from pmpm_desktop.io.machine_file import Fact, Format
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.services.preview import Preview
from pmpm_desktop.services.roster_changes import summarise_changes
from pmpm_desktop.ui import format as fmt
from pmpm_desktop.ui.import_wizard.mapping_editor import field_label
from pmpm_desktop.ui.operations.import_data import ImportOutcome

_CLI_HINT = re.compile(r"\.?\s*Name it with --map \S+")
_PAYER_UPDATE = re.compile(r"\(pmpm payer update --code \S+ --id-rule \S+\)")
_NO_COLUMN = re.compile(r"no column for '(\w+)'")
_BAD_VALUE = re.compile(r"--set (\w+)=(.*?): (.*)$", re.DOTALL)
_LOOKS_LIKE = re.compile(r"this looks like an? [^:]+: (?P<why>.+?)\. Nothing was written")


def month_words(month: Month) -> str:
    return month.first_day.strftime("%B %Y")


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{fmt.count(n)} {one if n == 1 else (many or one + 's')}"


def with_article(noun: str) -> str:
    """The noun with its indefinite article: "a roster", "an apple"."""
    return ("an " if noun[:1] in tuple("aeiou") else "a ") + noun


def missing_field(error: str | None) -> str | None:
    """The required field a reader's refusal says has no column (None for other refusals)."""
    found = _NO_COLUMN.search(error or "")
    return found.group(1) if found is not None else None


def plain_error(kind: str, file_name: str, text: str, *, can_give: bool = False) -> str:
    """A reader's refusal as the wizard says it: a missing column points at its combo, and at
    the values editor when one value for every row can give the field (``can_give``); a value
    given there that cannot be used says so (the CLI's messages name ``--map`` and ``--set``)."""
    missing = missing_field(text)
    if missing is not None:
        name = field_label(kind, missing)
        text = (
            f"PMPM cannot tell which column of {file_name} holds the {name}. Choose it under "
            f"“Columns” (“{name} *”)"
        )
        if can_give:
            text += (
                ", or, if the file has no such column, give it one value for every row under "
                "“Values for every row”"
            )
        return text + "."
    bad = _BAD_VALUE.search(text)
    if bad is not None:
        name, value, why = bad.groups()
        return (
            f"The {field_label(kind, name).lower()} given for every row (“{value}”) cannot be "
            f"used: {why}. Correct it under “Values for every row”."
        )
    return _CLI_HINT.sub(". Choose its column under “Columns”.", text)


def wrong_kind_sentence(p: Preview) -> str:
    """For a file refused as the kind it was given: what it looks like, and that nothing is
    written (the button beside it imports it as that kind)."""
    assert p.wrong_kind is not None
    asked = FileKind(p.kind).label
    if p.format is not Format.SPREADSHEET:
        standard = f" ({p.standard})" if p.standard else ""
        return (
            f"{p.file_name} cannot be imported as {with_article(asked)}: it is "
            f"{with_article(p.wrong_kind.label)}{standard}, whatever it is called. Nothing was "
            "written."
        )
    why = _LOOKS_LIKE.search(p.error or "")
    reason = f": {why.group('why')}" if why is not None else ""
    return (
        f"{p.file_name} cannot be imported as {with_article(asked)}. It looks like "
        f"{with_article(p.wrong_kind.label)}{reason}. Nothing was written and no layout is "
        "saved for it."
    )


def already_sentence(p: Preview) -> str | None:
    """For a file stored already: when, and that it is not imported again (the import refuses
    the same content for the same payer, whatever its name or month: its rows would count
    twice)."""
    if p.already_imported is None:
        return None
    name, at = p.already_imported
    if p.duplicate_interchange is not None:
        return (
            f"Already imported on {fmt.timestamp(at)}: this is the same X12 interchange "
            f"({p.duplicate_interchange}) as “{name}”, sent again. It is not imported again "
            "(its rows would count twice); nothing will be written."
        )
    same = "" if name == p.file_name else f" as “{name}”"
    return (
        f"Already imported on {fmt.timestamp(at)}{same}: this exact file is stored already. "
        "It is not imported again (its rows would count twice); nothing will be written."
    )


#: the files the wizard reads, for a sentence telling the user what to choose instead
READABLE = (
    "Excel workbooks (.xlsx, .xlsm, .xls, .ods), CSV or text files, X12 834, 271, 820 and 835 "
    "files, CMS MMR files, FHIR attribution lists and fixed-width files"
)


def unreadable_sentence(error: str) -> str:
    """A file whose cells cannot be read at all: why (the reader's sentence, naming the file)
    and what to do, which is only to choose another file."""
    return f"{error.rstrip('.')}. Choose another file: PMPM reads {READABLE}."


def status_sentence(o: ImportOutcome) -> str:
    """The status bar's line once an import is stored."""
    if o.rates is not None:
        return f"Imported {plural(o.rates.rows, 'rate row')} for {o.payer} {o.rates.contract}"
    assert o.result is not None
    what = (
        f"the {month_words(o.roster_month)} roster"
        if o.kind is FileKind.ROSTER and o.roster_month
        else "a payment statement"
    )
    return f"Imported {what} for {o.payer}: {plural(o.result.rows, 'row')}"


def summary_sentence(o: ImportOutcome, payer: str) -> str:
    """What was stored, in one or two sentences."""
    if o.rates is not None:
        replaced = (
            f", replacing its {plural(o.rates.replaced, 'earlier rate row')}"
            if o.rates.replaced
            else ""
        )
        return (
            f"Imported {plural(o.rates.rows, 'rate row')} for {payer}'s contract "
            f"“{o.rates.contract}”{replaced} (from {o.file_name})."
        )
    r = o.result
    assert r is not None
    if o.kind is FileKind.ROSTER and o.roster_month is not None:
        text = (
            f"Imported the {month_words(o.roster_month)} roster of {payer}: "
            f"{plural(r.rows, 'row')}, {plural(r.members, 'member')}, "
            f"{plural(r.new_members, 'new member')} (from {o.file_name})."
        )
        if r.replaced_import_id is not None:
            text += (
                f" It replaces the {month_words(o.roster_month)} roster imported before "
                "(kept as history, inactive)."
            )
        return text
    if r.rows == 0 and r.payer_level_total is not None:
        return (
            f"Imported a payment statement of {payer}: no member lines, "
            f"{dollars_text(r.payer_level_total)} paid at payer level (from {o.file_name})."
        )
    paid = f", {dollars_text(r.lines_total)} paid" if r.lines_total is not None else ""
    when = f" on {fmt.date(o.payment_date)}" if paid and o.payment_date is not None else ""
    return (
        f"Imported a payment statement of {payer}: {plural(r.rows, 'line')} for "
        f"{plural(r.members, 'member')}{paid}{when} (from {o.file_name})."
    )


def notes_text(notes: tuple[str, ...]) -> str:
    """The services' notes about a file (e.g. the ID rule that would match its IDs), each a
    paragraph, pointing at the payer dialog where the CLI's note names a command."""
    return "\n\n".join(
        _PAYER_UPDATE.sub("(set it in Payers & Contracts, Edit payer…, Member IDs)", n) + "."
        for n in notes
    )


def profile_sentence(o: ImportOutcome) -> str:
    """What PMPM remembered of the file for the payer's next one."""
    if o.format is Format.FIXED_WIDTH and o.layout is not None:
        return (
            f"PMPM kept the layout of this file for {o.payer} ({o.layout.describe()}): its next "
            "fixed-width file of this kind is read without asking."
        )
    if o.format is not Format.SPREADSHEET:
        chosen = "; ".join(f"{field_label(o.kind, f)} from {e}" for f, e in o.elements)
        if chosen:
            return f"PMPM remembered your choice for {o.payer}'s next files: {chosen}."
        return f"{o.payer}'s next files in this format are read the same way, by the format."
    given = "; ".join(f"{field_label(o.kind, f)} {v!r}" for f, v in o.remembered or ())
    values = f", with the values you gave for every row ({given})" if given else ""
    name = o.result.layout if o.result is not None else None
    saved = f" as the layout “{name}”" if name else ""
    return (
        f"PMPM remembered how this file is laid out for {o.payer}{saved}{values}: the next file "
        "with the same columns is read the same way, without asking."
    )


def payer_level_fact(o: ImportOutcome) -> Fact | None:
    """A statement's payer-level payments (an 835's PLB), as "What was found" lists them."""
    total = o.result.payer_level_total if o.result is not None else None
    if total is None:
        return None
    return Fact("Paid at payer level", f"{dollars_text(total)} (not tied to members)")


def total_sentence(o: ImportOutcome) -> str | None:
    """For a statement whose lines do not add up to the total it states: what to do."""
    mismatch = o.result.total_mismatch if o.result is not None else None
    if mismatch is None:
        return None
    return (
        f"{mismatch}. The statement was imported as it is; ask {o.payer} which is right. The "
        "Payment statements page flags the difference in its “Total check” column."
    )


_CHANGE_WORDS = (
    ("add", "member added", "members added"),
    ("term", "member termed", "members termed"),
    ("retro_add", "retro add (coverage starting in an earlier month)", "retro adds"),
    ("retro_term", "retro term (coverage ended in an earlier month)", "retro terms"),
    ("pcp_change", "PCP change", "PCP changes"),
    ("rate_cell_change", "rate cell change", "rate cell changes"),
    ("product_change", "product change", "product changes"),
    ("dob_correction", "date of birth corrected", "dates of birth corrected"),
    ("name_correction", "name corrected", "names corrected"),
    ("sex_correction", "sex corrected", "sex corrections"),
)


def changes_sentence(o: ImportOutcome) -> str:
    """For a roster: what changed since the previous roster month, in words."""
    if o.rates is not None:
        return "Expected amounts use the new rates the next time you reconcile."
    if o.kind is not FileKind.ROSTER:
        return "Reconcile to compare these payments with what the contracts say is owed."
    if o.diff is None:
        return f"The changes since the previous roster could not be listed: {o.diff_error}"
    diff = o.diff
    if diff.previous_month is None:
        return (
            f"This is the first roster of {o.payer}: the next month's roster will be "
            "compared with it (adds, terms, retro changes)."
        )
    counts = summarise_changes(diff)
    parts = [
        f"{fmt.count(counts[k])} {one if counts[k] == 1 else many}"
        for k, one, many in _CHANGE_WORDS
        if counts[k]
    ]
    head = (
        f"Compared with the {month_words(diff.previous_month)} roster "
        f"({plural(counts['before'], 'member')} then, {fmt.count(counts['after'])} now):"
    )
    if not parts:
        return head + " no member was added, termed or changed."
    return head + "\n" + "\n".join(f"  •  {p}" for p in parts)
