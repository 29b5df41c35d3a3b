"""Import profiles: how a payer's files of one kind are read, remembered after each import.

After a successful import the payer's profile for that file kind is saved or refreshed: sheet,
header row, field → column, and the header's *signature* (its column names normalised as
``io.fields.normalize_header`` does, sorted, joined with ``|``; so the same columns in another
order have the same signature). One profile per distinct signature.

When the next file of that payer and kind has a header with a saved signature, its profile's
sheet, header row and mapping are used: no ``--map`` needed. A ``--map`` given anyway overrides
the profile field by field. A file whose header matches no profile is read by detection alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from pmpm_desktop.core.clock import now
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import ImportProfile, Payer, table_of
from pmpm_desktop.errors import InputRejected, NotFound
from pmpm_desktop.io.fields import KINDS, fields, normalize_header
from pmpm_desktop.io.options import FileKind, ReadOptions
from pmpm_desktop.io.parsed import read_raw
from pmpm_desktop.io.table import TEXT_SUFFIXES, FileReadError, RawTable
from pmpm_desktop.services.payers import get_payer, read_options

NAME_LENGTH = 100
SOURCES = ("override", "profile", "detected")


def header_signature(headers: list[str] | tuple[str, ...]) -> str:
    """The columns of a header, normalised and sorted: column order does not matter."""
    return "|".join(sorted(normalize_header(h) for h in headers))


@dataclass(frozen=True)
class ProfileInfo:
    id: int
    payer_code: str
    kind: str
    name: str
    sheet: str | None
    header_row: int
    #: field → column header as written in the file
    mapping: dict[str, str]
    header_signature: str
    created_at: dt.datetime
    last_used_at: dt.datetime
    #: field → value for every row, saved from ``--set`` when the user said so
    values: dict[str, str] = field(default_factory=dict)
    #: how the values are read, as decided by the user (``decimal_comma``)
    options: dict[str, Any] = field(default_factory=dict)


def _info(p: ImportProfile, payer_code: str) -> ProfileInfo:
    return ProfileInfo(
        id=p.id,
        payer_code=payer_code,
        kind=p.kind,
        name=p.name,
        sheet=p.sheet,
        header_row=p.header_row,
        mapping=dict(p.mapping or {}),
        header_signature=p.header_signature,
        created_at=p.created_at,
        last_used_at=p.last_used_at,
        values=dict(p.values or {}),
        options=dict(p.options or {}),
    )


def _check_kind(kind: str | None) -> None:
    if kind is not None and kind not in KINDS:
        raise InputRejected(f"unknown file kind {kind!r} (expected one of {', '.join(KINDS)})")


# --- listing, renaming, deleting -----------------------------------------------------------


def list_profiles(
    db: Database, payer_code: str | None = None, kind: str | None = None
) -> list[ProfileInfo]:
    """Every saved profile (of one payer, of one kind), by payer code, kind, name."""
    _check_kind(kind)
    with db.sessions() as s:
        query = select(ImportProfile, Payer.code).join(Payer, Payer.id == ImportProfile.payer_id)
        if payer_code is not None:
            query = query.where(ImportProfile.payer_id == get_payer(s, payer_code).id)
        if kind is not None:
            query = query.where(ImportProfile.kind == kind)
        rows = s.execute(query.order_by(Payer.code, ImportProfile.kind, ImportProfile.name)).all()
        return [_info(p, code) for p, code in rows]


def _find(s: Session, payer: Payer, name: str, kind: str | None) -> ImportProfile:
    _check_kind(kind)
    query = select(ImportProfile).where(ImportProfile.payer_id == payer.id)
    if kind is not None:
        query = query.where(ImportProfile.kind == kind)
    candidates = list(s.scalars(query.order_by(ImportProfile.kind, ImportProfile.name)))
    wanted = name.strip()
    found = [p for p in candidates if p.name == wanted] or [
        p for p in candidates if p.name.casefold() == wanted.casefold()
    ]
    of = f"{kind} profile" if kind else "import profile"
    if not found:
        known = ", ".join(f"{p.name!r} ({p.kind})" for p in candidates) or "none yet"
        raise NotFound(f"payer {payer.code} has no {of} named {wanted!r} (its profiles: {known})")
    if len(found) > 1:
        kinds = ", ".join(p.kind for p in found)
        raise InputRejected(
            f"payer {payer.code} has {len(found)} profiles named {wanted!r} ({kinds}): "
            "say which with --kind"
        )
    return found[0]


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InputRejected("a profile needs a name")
    if len(cleaned) > NAME_LENGTH:
        raise InputRejected(f"a profile name is at most {NAME_LENGTH} characters")
    return cleaned


def rename_profile(
    db: Database, payer_code: str, name: str, new_name: str, *, kind: str | None = None
) -> ProfileInfo:
    """Rename a payer's profile. NotFound when there is no such profile; InputRejected when the
    new name is empty, too long, or taken by another profile of that payer and kind."""
    new = _clean_name(new_name)
    with db.sessions.begin() as s:
        payer = get_payer(s, payer_code)
        profile = _find(s, payer, name, kind)
        taken = s.scalar(
            select(ImportProfile.id).where(
                ImportProfile.payer_id == payer.id,
                ImportProfile.kind == profile.kind,
                ImportProfile.id != profile.id,
                ImportProfile.name == new,
            )
        )
        if taken is not None:
            raise InputRejected(
                f"payer {payer.code} already has a {profile.kind} profile named {new!r}"
            )
        profile.name = new
        s.flush()
        return _info(profile, payer.code)


def delete_profile(
    db: Database, payer_code: str, name: str, *, kind: str | None = None
) -> ProfileInfo:
    """Delete a payer's profile (the next file of that layout is read by detection again)."""
    with db.sessions.begin() as s:
        payer = get_payer(s, payer_code)
        profile = _find(s, payer, name, kind)
        info = _info(profile, payer.code)
        s.delete(profile)
        return info


# --- choosing a profile for a file ---------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """A file's header as the reader finds it at one place."""

    sheet: str | None
    header_row: int
    headers: tuple[str, ...]
    signature: str
    #: other sheets have the same columns (a sheet per product or month): all are read
    several_sheets: bool = False


@dataclass
class HeaderProbe:
    """Reads a file at a (sheet, header row) once per place, for its header signature and then
    for the import itself, which reuses the table instead of reading the file again."""

    path: Path
    kind: str
    _seen: dict[tuple[str | None, int | None], Header | None] = field(default_factory=dict)
    #: the tables read, so the import reads the file once (a 100k-row sheet takes ~0.4 s)
    _tables: dict[tuple[str | None, int | None], RawTable] = field(default_factory=dict)

    def read(self, sheet: str | None, header_row: int | None) -> RawTable:
        """The table at (sheet, header row), read once; FileReadError when it cannot be read."""
        key = (sheet, header_row)
        if key not in self._tables:
            raw = read_raw(self.path, self.kind, sheet=sheet, header_row=header_row)
            self._tables[key] = raw
            # The same place, named explicitly, reads the same table.
            self._tables.setdefault((raw.sheet, raw.header_row), raw)
        return self._tables[key]

    def at(self, sheet: str | None, header_row: int | None) -> Header | None:
        """The header at (sheet, header row); None where the file cannot be read there."""
        key = (sheet, header_row)
        if key not in self._seen:
            try:
                raw = self.read(sheet, header_row)
            except FileReadError:
                self._seen[key] = None
            else:
                self._seen[key] = Header(
                    raw.sheet,
                    raw.header_row,
                    tuple(raw.headers),
                    header_signature(raw.headers),
                    bool(raw.siblings),
                )
        return self._seen[key]


@dataclass(frozen=True)
class ProfileDraft:
    """What an import saves as the payer's profile once the file is stored."""

    kind: str
    sheet: str | None
    header_row: int
    mapping: dict[str, str]
    signature: str
    profile_id: int | None
    #: the values to remember (None: keep what the profile has)
    values: dict[str, str] | None = None
    #: the reading choices to remember (None: keep what the profile has)
    options: dict[str, Any] | None = None


@dataclass
class ReadPlan:
    """How to call a reader for a file: the overrides to pass as ``mapping`` (the profile's
    mapping updated by the user's), and the sheet and header row."""

    kind: str
    payer_id: int
    probe: HeaderProbe
    overrides: dict[str, str]
    mapping: dict[str, str] | None
    sheet: str | None
    header_row: int | None
    profile: ProfileInfo | None = None
    #: the payer's reading settings with the user's ``--set`` values (and the profile's)
    options: ReadOptions = field(default_factory=ReadOptions)
    #: the user's own ``--set`` values and ``--decimal`` choice, to remember when asked
    user_values: dict[str, str] = field(default_factory=dict)
    user_decimal: bool | None = None
    save_values: bool = False

    def source(self, field_name: str) -> str:
        """Where a field's column came from: override, profile or detected."""
        if field_name in self.overrides:
            return "override"
        if self.profile is not None and self.mapping and field_name in self.mapping:
            return "profile"
        return "detected"

    def draft(self, sheet: str | None, header_row: int, mapping: dict[str, str]) -> ProfileDraft:
        """The profile to save for a file read at (sheet, header_row) with ``mapping``."""
        header = self.probe.at(sheet, header_row)
        if header is None:  # the reader read it there a moment ago; only a race gets here
            raise FileReadError(f"{self.probe.path.name} changed while it was being imported")
        same = self.profile is not None and self.profile.header_signature == header.signature
        # Columns the reader added (a section's values) are found again in the next file,
        # not remembered as its columns.
        columns = set(header.headers)
        remembered = same and self.profile is not None
        values = (
            dict(self.user_values) if self.save_values else None
        )  # without --save-values the profile keeps the values it has
        options = {"decimal_comma": self.user_decimal} if self.user_decimal is not None else None
        return ProfileDraft(
            kind=self.kind,
            sheet=sheet,
            header_row=header_row,
            mapping={f: c for f, c in mapping.items() if c in columns},
            signature=header.signature,
            profile_id=self.profile.id if remembered and self.profile is not None else None,
            values=values,
            options=options,
        )


def merge_mapping(
    kind: str, profile: dict[str, str], overrides: dict[str, str] | None
) -> dict[str, str]:
    """The profile's mapping updated by ``overrides`` (``--map``): an override replaces the
    profile's column for its field, and a column an override claims leaves the field the
    profile gave it. Fields the dictionary no longer knows are dropped."""
    known = {f.name for f in fields(kind)}
    overrides = overrides or {}
    claimed = {normalize_header(c) for c in overrides.values()}
    merged = {
        f: c
        for f, c in profile.items()
        if f in known and f not in overrides and normalize_header(c) not in claimed
    }
    merged.update(overrides)
    return merged


def plan_read(
    db: Database,
    payer_code: str,
    kind: str,
    path: Path,
    *,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    use_profile: bool = True,
    values: dict[str, str] | None = None,
    decimal_comma: bool | None = None,
    save_values: bool = False,
) -> ReadPlan:
    """Choose how to read ``path``: with the payer's profile whose signature matches the file's
    header, else by detection. ``sheet``/``header_row``/``mapping`` given by the user win;
    ``decimal_comma`` (``--decimal``) says how the file writes its numbers (None: the reader
    decides from the file).

    The header is looked for where the reader finds it (detection, or the user's sheet and
    row); when no profile matches there, at each profile's own sheet and row. A matching
    profile's saved values and decimal choice apply where the user gave none; with
    ``save_values`` the user's ``--set`` values are remembered with the profile.
    """
    _check_kind(kind)
    if not path.exists():
        raise NotFound(f"file not found: {path}")
    overrides = dict(mapping or {})
    with db.sessions() as s:
        payer = get_payer(s, payer_code)
        payer_id = payer.id
        options = replace(read_options(payer, values), decimal_comma=decimal_comma)
        code = payer_code.strip().upper()
        saved = (
            [
                _info(p, code)
                for p in s.scalars(
                    select(ImportProfile)
                    .where(ImportProfile.payer_id == payer_id, ImportProfile.kind == kind)
                    .order_by(ImportProfile.last_used_at.desc(), ImportProfile.id.desc())
                )
            ]
            if use_profile
            else []
        )
    probe = HeaderProbe(path, kind)
    plan = ReadPlan(kind, payer_id, probe, overrides, mapping, sheet, header_row, None, options)
    plan.user_values = dict(values or {})
    plan.user_decimal = decimal_comma
    plan.save_values = save_values
    if not saved:
        return plan
    match = _match(saved, probe, path, sheet, header_row)
    if match is None:
        return plan
    profile, header = match
    plan.profile = profile
    plan.mapping = merge_mapping(kind, profile.mapping, overrides)
    # Workbooks with a sheet per product keep being read whole, not at the one sheet found.
    keep_all = header.several_sheets and sheet is None
    plan.sheet = None if keep_all else header.sheet
    plan.header_row = header.header_row
    saved_decimal = profile.options.get("decimal_comma")
    plan.options = replace(
        plan.options,
        values={**profile.values, **plan.options.values},
        decimal_comma=decimal_comma if decimal_comma is not None else saved_decimal,
    )
    return plan


def _match(
    saved: list[ProfileInfo],
    probe: HeaderProbe,
    path: Path,
    sheet: str | None,
    header_row: int | None,
) -> tuple[ProfileInfo, Header] | None:
    by_signature: dict[str, ProfileInfo] = {}
    for p in saved:  # most recently used first
        by_signature.setdefault(p.header_signature, p)
    header = probe.at(sheet, header_row)
    if header is not None and header.signature in by_signature:
        return by_signature[header.signature], header
    text_file = path.suffix.lower() in TEXT_SUFFIXES
    for p in saved:
        where = (
            sheet if sheet is not None else (None if text_file else p.sheet),
            header_row if header_row is not None else p.header_row,
        )
        if where == (sheet, header_row):
            continue
        found = probe.at(*where)
        if found is not None and found.signature == p.header_signature:
            return p, found
    return None


def _free_name(conn: Connection, payer_id: int, kind: str) -> str:
    """A new layout's name a clerk reads: "SUN roster layout", then "SUN roster layout 2"
    (names saved before, "roster profile 1", stay as they are and are still found)."""
    names = {
        n.casefold()
        for n in conn.scalars(
            select(ImportProfile.name).where(
                ImportProfile.payer_id == payer_id, ImportProfile.kind == kind
            )
        )
    }
    code = conn.scalar(select(Payer.code).where(Payer.id == payer_id)) or ""
    base = f"{code} {FileKind(kind).label} layout".strip()
    name, n = base, 1
    while name.casefold() in names:
        n += 1
        name = f"{base} {n}"
    return name


def save_profile(conn: Connection, payer_id: int, draft: ProfileDraft) -> str:
    """Save or refresh the payer's profile for the draft's header signature, inside the
    import's transaction. Returns the profile's name."""
    table = table_of(ImportProfile)
    stamp = now()
    existing = conn.execute(
        select(ImportProfile.id, ImportProfile.name)
        .where(
            ImportProfile.payer_id == payer_id,
            ImportProfile.kind == draft.kind,
            ImportProfile.header_signature == draft.signature,
        )
        .order_by((ImportProfile.id == (draft.profile_id or -1)).desc(), ImportProfile.id)
    ).first()
    values: dict[str, Any] = {
        "sheet": draft.sheet,
        "header_row": draft.header_row,
        "mapping": draft.mapping,
        "last_used_at": stamp,
    }
    if draft.values is not None:
        values["values"] = draft.values
    if draft.options is not None:
        values["options"] = draft.options
    if existing is not None:
        conn.execute(update(ImportProfile).where(ImportProfile.id == existing[0]).values(values))
        return str(existing[1])
    name = _free_name(conn, payer_id, draft.kind)
    conn.execute(
        table.insert().values(
            payer_id=payer_id,
            kind=draft.kind,
            name=name,
            header_signature=draft.signature,
            created_at=stamp,
            **values,
        )
    )
    return name
