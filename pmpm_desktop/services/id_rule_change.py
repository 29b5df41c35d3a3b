"""A payer's stored member IDs brought to its new ID rule (or ID width), in the caller's
transaction: members, aliases, statement lines (and their Arrow copies), discrepancies.

Stored IDs were normalised under the old rule, so only what the new rule adds can be applied
(a rule taken away does not bring back the dashes a file had). ``parse_member_id`` is
idempotent under a rule (tests/unit/test_member_ids.py), so an ID already in the new form
stays as it is and a change never passes through another row's current ID: each table is
updated row by row without clashing with its unique keys, once every clash between the
final IDs has been refused or resolved.

Refused, with nothing changed: two different members (or an alias and another member) that
the new rule would make one. Discrepancies are all marked stale (the next reconciliation
removes those that are no longer a difference); one whose ID changes is renamed, unless
another of the same member-month exists: then the one no person worked on is deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Column, Connection, Table, bindparam, delete, select, update

from pmpm_desktop.core.member_ids import IdRule
from pmpm_desktop.db.frame_cache import decode_frame, encode_frame
from pmpm_desktop.db.frames import frame_from
from pmpm_desktop.db.models import (
    Discrepancy,
    DiscrepancyEvent,
    Member,
    MemberAlias,
    RemittanceImport,
    RemittanceLine,
    table_of,
)
from pmpm_desktop.errors import InputRejected
from pmpm_desktop.io.values import parse_member_id
from pmpm_desktop.services.audit import RECONCILE_ACTOR, AuditAction, record

Form = Callable[[str], str]


@dataclass(frozen=True)
class IdChange:
    """What re-applying the rule changed (all zero: every stored ID was already in form)."""

    members: int = 0
    aliases: int = 0
    #: aliases that became their member's own ID, or another alias of the same member
    aliases_removed: int = 0
    lines: int = 0
    statements: int = 0
    discrepancies_renamed: int = 0
    discrepancies_deleted: int = 0
    #: worked-on discrepancies left under their old ID because another of the same
    #: member-month was kept (the next reconciliation says what became of them)
    discrepancies_left: int = 0
    #: discrepancies marked stale for the next reconciliation
    discrepancies_stale: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.members or self.aliases or self.aliases_removed or self.lines)

    def describe(self) -> str:
        """One sentence, no IDs: what was brought to the new form."""
        if not self.changed:
            return "every stored member ID already had this form: nothing else changed"
        parts = [
            _count(n, one, many)
            for n, one, many in (
                (self.members, "member ID", "member IDs"),
                (self.aliases, "alias", "aliases"),
                (self.lines, "statement line", "statement lines"),
                (self.discrepancies_renamed, "discrepancy", "discrepancies"),
            )
            if n
        ]
        text = "stored IDs re-read under the new rule: " + (", ".join(parts) or "none") + " changed"
        if self.aliases_removed:
            text += (
                f"; {_count(self.aliases_removed, 'alias', 'aliases')} became the member's own "
                "ID and no longer needed"
            )
        if self.discrepancies_deleted:
            text += (
                f"; {_count(self.discrepancies_deleted, 'discrepancy', 'discrepancies')} no one "
                "had worked on merged into their member's"
            )
        if self.discrepancies_left:
            left = _count(self.discrepancies_left, "discrepancy", "discrepancies")
            text += f"; {left} someone worked on kept under the old ID"
        return text + "; reconcile again to bring the discrepancies up to date"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def reapply_id_rule(
    conn: Connection, payer_id: int, payer_code: str, id_width: int | None, rule: IdRule
) -> IdChange:
    """Bring every stored ID of the payer to ``parse_member_id(id, id_width, rule)`` inside
    the caller's transaction; InputRejected (nothing written) when members would merge."""

    def form(text: str) -> str:
        return parse_member_id(text, id_width, rule) or text

    members = conn.execute(
        select(Member.id, Member.member_id).where(Member.payer_id == payer_id)
    ).all()
    aliases = conn.execute(
        select(MemberAlias.id, MemberAlias.alias_id, MemberAlias.member_pk).where(
            MemberAlias.payer_id == payer_id
        )
    ).all()
    new_member = {pk: form(mid) for pk, mid in members}
    alias_plan = _plan_aliases(aliases, form, new_member)
    _refuse_merges(payer_code, new_member, alias_plan.clashes)

    lines = frame_from(
        conn,
        select(
            RemittanceLine.id.label("id"),
            RemittanceLine.import_id.label("import_id"),
            RemittanceLine.member_id.label("member_id"),
        ).where(RemittanceLine.payer_id == payer_id),
        {"id": pl.Int64, "import_id": pl.Int64, "member_id": pl.Utf8},
    )
    line_ids = {mid: form(mid) for mid in lines["member_id"].unique().to_list()}
    line_map = {old: new for old, new in line_ids.items() if new != old}
    changed_lines = lines.filter(pl.col("member_id").is_in(list(line_map)))
    old_member = dict(members)
    renamed_members = {pk: new for pk, new in new_member.items() if new != old_member[pk]}
    discrepancy_plan = _plan_discrepancies(conn, payer_id, form)
    if not (
        renamed_members
        or alias_plan.renamed
        or alias_plan.removed
        or line_map
        or discrepancy_plan.renamed
        or discrepancy_plan.deleted
    ):
        return IdChange()

    _set(conn, table_of(Member).c.member_id, renamed_members.items())
    _delete(conn, table_of(MemberAlias).c.id, alias_plan.removed)
    _set(conn, table_of(MemberAlias).c.alias_id, alias_plan.renamed.items())
    _set(
        conn,
        table_of(RemittanceLine).c.member_id,
        changed_lines.select("id", pl.col("member_id").replace_strict(line_map)).rows(),
    )
    statements = changed_lines["import_id"].unique().to_list()
    _recache(conn, statements, line_map)
    stale = _apply_discrepancies(conn, payer_id, discrepancy_plan)
    change = IdChange(
        members=len(renamed_members),
        aliases=len(alias_plan.renamed),
        aliases_removed=len(alias_plan.removed),
        lines=changed_lines.height,
        statements=len(statements),
        discrepancies_renamed=len(discrepancy_plan.renamed),
        discrepancies_deleted=len(discrepancy_plan.deleted),
        discrepancies_left=discrepancy_plan.left,
        discrepancies_stale=stale,
    )
    record(
        conn, AuditAction.ID_RULE, payer_code, f"payer {payer_code} member IDs", change.describe()
    )
    return change


@dataclass
class _AliasPlan:
    renamed: dict[int, str]
    removed: list[int]
    #: aliases the new rule would make another member's own ID or another member's alias
    clashes: int


def _plan_aliases(
    aliases: Iterable[tuple[int, str, int]], form: Form, new_member: dict[int, str]
) -> _AliasPlan:
    owner_of = {new: pk for pk, new in new_member.items()}
    by_new: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    for pk, alias, member_pk in aliases:
        by_new[form(alias)].append((pk, alias, member_pk))
    renamed: dict[int, str] = {}
    removed: list[int] = []
    clashes = 0
    for new, group in by_new.items():
        owners = {member_pk for _pk, _alias, member_pk in group}
        own = owner_of.get(new)
        if len(owners) > 1 or (own is not None and own not in owners):
            clashes += len(group)
            continue
        if own is not None:
            # the alias is now the member's own ID: the link has nothing left to say
            removed += [pk for pk, _alias, _m in group]
            continue
        # aliases of one member that become one: keep the one already in form, else the first
        group.sort(key=lambda g: (g[1] != new, g[0]))
        keep, *rest = group
        removed += [pk for pk, _alias, _m in rest]
        if keep[1] != new:
            renamed[keep[0]] = new
    return _AliasPlan(renamed, removed, clashes)


def _refuse_merges(code: str, new_member: dict[int, str], alias_clashes: int) -> None:
    counts: dict[str, int] = defaultdict(int)
    for new in new_member.values():
        counts[new] += 1
    merged = {new: n for new, n in counts.items() if n > 1}
    problems = []
    if merged:
        members = sum(merged.values())
        problems.append(
            f"{members} different members of {code} would share {len(merged)} "
            f"member ID{'s' if len(merged) != 1 else ''}: it would make them one person"
        )
    if alias_clashes:
        problems.append(
            f"{alias_clashes} linked alias{'es' if alias_clashes != 1 else ''} would become the "
            "ID of another member than the one it is linked to"
        )
    if problems:
        raise InputRejected(
            "the payer was not saved (nothing changed): under the new ID rule", problems
        )


def _set(conn: Connection, column: Column[str], values: Iterable[tuple[int, str]]) -> None:
    """``column`` = new value on each row given by (id, new value), one executemany."""
    table = column.table
    assert isinstance(table, Table)
    rows = [{"row_id": pk, "new_value": new} for pk, new in values]
    if rows:
        conn.execute(
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values({column.name: bindparam("new_value")}),
            rows,
        )


def _delete(conn: Connection, column: Column[int], ids: list[int]) -> None:
    """Delete the rows whose ``column`` is one of ``ids`` (one executemany: no IN list to
    outgrow the database's limit on parameters)."""
    table = column.table
    assert isinstance(table, Table)
    if ids:
        rows = [{"row_id": i} for i in ids]
        conn.execute(delete(table).where(column == bindparam("row_id")), rows)


def _recache(conn: Connection, statements: list[int], line_map: dict[str, str]) -> None:
    """The Arrow copy of each changed statement, with the same lines under their new IDs."""
    for import_id in statements:
        blob = conn.execute(
            select(RemittanceImport.lines_cache).where(RemittanceImport.id == import_id)
        ).scalar()
        if blob is None:
            continue  # reconciliation reads such an import from its rows
        frame = decode_frame(blob)
        frame = frame.with_columns(pl.col("member_id").replace(line_map))
        conn.execute(
            update(RemittanceImport)
            .where(RemittanceImport.id == import_id)
            .values(lines_cache=encode_frame(frame))
        )


@dataclass
class _DiscrepancyPlan:
    renamed: dict[int, str]
    deleted: list[int]
    #: worked-on discrepancies left under their old ID (another of the member-month was kept)
    left: int


def _plan_discrepancies(conn: Connection, payer_id: int, form: Form) -> _DiscrepancyPlan:
    """Each discrepancy whose ID the rule changes is renamed; where two would then share a
    member-month, the one no person worked on goes (a worked-on one is kept first, then the
    one already in form)."""
    rows = conn.execute(
        select(Discrepancy.id, Discrepancy.member_id, Discrepancy.month).where(
            Discrepancy.payer_id == payer_id
        )
    ).all()
    plan = _DiscrepancyPlan({}, [], 0)
    if not rows:
        return plan
    worked = set(
        conn.scalars(
            select(DiscrepancyEvent.discrepancy_id)
            .join(Discrepancy, Discrepancy.id == DiscrepancyEvent.discrepancy_id)
            .where(Discrepancy.payer_id == payer_id, DiscrepancyEvent.actor != RECONCILE_ACTOR)
            .distinct()
        )
    )
    groups: dict[tuple[str, object], list[tuple[int, str]]] = defaultdict(list)
    for pk, member_id, month in rows:
        groups[(form(member_id), month)].append((pk, member_id))
    for (new, _month), group in groups.items():
        group.sort(key=lambda g: (g[0] not in worked, g[1] != new, g[0]))
        keep, *rest = group
        for pk, _old in rest:
            if pk in worked:
                plan.left += 1
            else:
                plan.deleted.append(pk)
        if keep[1] != new:
            plan.renamed[keep[0]] = new
    return plan


def _apply_discrepancies(conn: Connection, payer_id: int, plan: _DiscrepancyPlan) -> int:
    """Delete, then rename (so no rename meets a row still to go); mark every discrepancy of
    the payer stale. Returns how many were marked."""
    _delete(conn, table_of(DiscrepancyEvent).c.discrepancy_id, plan.deleted)
    _delete(conn, table_of(Discrepancy).c.id, plan.deleted)
    _set(conn, table_of(Discrepancy).c.member_id, plan.renamed.items())
    marked = conn.execute(
        update(Discrepancy).where(Discrepancy.payer_id == payer_id).values(stale=True)
    ).rowcount
    return int(marked or 0)
