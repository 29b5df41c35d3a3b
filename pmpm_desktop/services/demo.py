"""A realistic demo practice: three payers, four contracts, six months of files with the
mistakes payers make — loaded through the same import path as real files.

The payer files are written as real ``.xlsx`` workbooks beside the database (``demo-files/``)
so a new user can open them and try importing one by hand; ``demo-files/new-month/`` holds
SUN's July files, written but never imported, for a first try of the import wizard.

The whole practice is built in a scratch database in our private folder and copied into the
(empty) database in one step at the end: a killed or cancelled demo leaves it empty.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import platformdirs
import polars as pl

from pmpm_desktop.core.month import Month, month_range
from pmpm_desktop.core.summary import KINDS
from pmpm_desktop.db.database import APP_NAME, Database
from pmpm_desktop.errors import UsageError
from pmpm_desktop.io.private_files import move_into_place, private_dir, private_temp_dir
from pmpm_desktop.io.xlsx_writer import write_sheet
from pmpm_desktop.progress import Counter, Progress, tell
from pmpm_desktop.services import importing, payers
from pmpm_desktop.services.database_copy import copy_into, is_empty, scratch_database
from pmpm_desktop.services.reconciling import compute, load_inputs, reconcile

#: what a cancelled demo keeps: nothing (it is moved into the database only at its end)
CANCELLED = "the demo practice was not built (cancelled)"

FIRST = Month(2026, 1)
LAST = Month(2026, 6)
#: the demo files' "created" time: a seeded demo writes the same files, with the same hashes
FILES_CREATED = dt.datetime(2026, 1, 1, 9, 0)
#: the month of the files written for the user to import by hand (``demo-files/new-month/``)
NEXT = LAST + 1
NEW_MONTH_FOLDER = "new-month"
#: the statement whose check is more than its lines (a payer error the Remittances page flags);
#: every other statement's stated total is the sum of its lines
CHECK_OVER = ("SUN", Month(2026, 4), Decimal("25.00"))

_LAST_NAMES = (
    "Garcia Smith Johnson Nguyen Williams Brown Jones Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White "
    "Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres "
    "Peña Muñoz Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter"
).split()
_FIRST_F = (
    "Maria Olivia Emma Ava Sophia Isabella Mia Amelia Harper Evelyn Ana Linh Grace Chloe Zoe"
).split()
_FIRST_M = (
    "James Liam Noah Oliver Elijah Lucas Mason Logan Ethan Jacob Minh José Daniel Henry Leo".split()
)


@dataclass
class DemoMember:
    member_id: str
    last: str
    first: str
    dob: dt.date
    sex: str
    product: str
    cell: str
    join: Month
    leave: Month | None
    effective: dt.date
    risk: Decimal | None = None
    pcp: str = ""


@dataclass
class PayerPlan:
    code: str
    name: str
    id_width: int | None
    contracts: list[payers.ContractSpec]
    rates: dict[str, list[list[object]]]  # contract name -> rate exhibit rows
    dated_rosters: bool
    members: list[DemoMember] = field(default_factory=list)
    #: the rows of the last roster written (LAST), the base of next month's roster
    last_roster: list[list[object]] = field(default_factory=list)


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    members: int
    files: int
    counts: dict[str, int]
    #: next month's files, written but not imported (try the import wizard on them)
    new_month: Path | None = None

    def describe(self) -> str:
        kinds = ", ".join(f"{k} {self.counts.get(k, 0)}" for k in KINDS)
        text = (
            f"demo practice ready: 3 payers, {self.members} members, {FIRST} to {LAST}, "
            f"{self.files} payer files in {self.folder}\nreconciled: {kinds}"
        )
        if self.new_month is not None:
            text += (
                f"\nnot imported yet, to try importing by hand: SUN's {NEXT} roster and "
                f"statement in {self.new_month}"
            )
        return text


_RATE_HEADERS = [
    "Effective From",
    "Effective To",
    "Component",
    "Rate Cell",
    "Sex",
    "Age Min",
    "Age Max",
    "PMPM",
]


def _plans() -> list[PayerPlan]:
    d = Decimal
    return [
        PayerPlan(
            "SUN",
            "Sunrise Health Plan",
            9,
            [payers.ContractSpec("Medicaid HMO", FIRST, products=("MCD",), withhold_pct="2")],
            {
                "Medicaid HMO": [
                    ["2026-01", None, "Capitation", "TANF", None, 0, 1, d("210.00")],
                    ["2026-01", None, "Capitation", "TANF", None, 2, 20, d("95.00")],
                    ["2026-01", None, "Capitation", "TANF", "F", 21, None, d("180.00")],
                    ["2026-01", None, "Capitation", "TANF", "M", 21, None, d("150.00")],
                    ["2026-01", "2026-03", "Capitation", "ABD", None, None, None, d("320.00")],
                    ["2026-04", None, "Capitation", "ABD", None, None, None, d("335.00")],
                    ["2026-01", None, "Care Management", None, None, None, None, d("4.50")],
                ]
            },
            dated_rosters=False,
        ),
        PayerPlan(
            "BAY",
            "Bayview Medicare Advantage",
            None,
            [
                payers.ContractSpec(
                    "Medicare Advantage",
                    FIRST,
                    products=("MAPD",),
                    risk_adjusted=True,
                    age_basis="first-of-year",
                    withhold_pct="1.5",
                )
            ],
            {
                "Medicare Advantage": [
                    ["2026-01", None, "Capitation", None, "F", 0, 74, d("612.40")],
                    ["2026-01", None, "Capitation", None, "M", 0, 74, d("598.10")],
                    ["2026-01", None, "Capitation", None, "F", 75, None, d("701.25")],
                    ["2026-01", None, "Capitation", None, "M", 75, None, d("688.90")],
                ]
            },
            dated_rosters=True,
        ),
        PayerPlan(
            "HCA",
            "Harbor Community Alliance",
            None,
            [
                payers.ContractSpec(
                    "Commercial HMO", FIRST, products=("HMO",), eligibility="daily"
                ),
                payers.ContractSpec(
                    "Exchange",
                    FIRST,
                    products=("EXCH", "QHP"),
                    eligibility="mid-month:15",
                    tolerance="0.50",
                ),
            ],
            {
                "Commercial HMO": [
                    ["2026-01", None, "Capitation", None, None, 0, 17, d("38.00")],
                    ["2026-01", None, "Capitation", None, None, 18, 64, d("52.75")],
                    ["2026-01", None, "Capitation", None, None, 65, None, d("61.00")],
                ],
                "Exchange": [["2026-01", None, "Capitation", None, None, None, None, d("44.10")]],
            },
            dated_rosters=True,
        ),
    ]


def _make_members(plan: PayerPlan, count: int, rnd: random.Random) -> None:
    months = month_range(FIRST, LAST)
    for i in range(count):
        sex = rnd.choice("FM")
        first = rnd.choice(_FIRST_F if sex == "F" else _FIRST_M)
        last = rnd.choice(_LAST_NAMES)
        join = FIRST if rnd.random() < 0.8 else rnd.choice(months[1:])
        leave = None if rnd.random() < 0.9 else rnd.choice(months[2:])
        if leave is not None and leave < join:
            join, leave = leave, join
        if plan.code == "SUN":
            mid = f"{rnd.randrange(1, 99_999_999):09d}"
            cell = "ABD" if rnd.random() < 0.1 else "TANF"
            age = rnd.choice([0, 1, 2, 5, 9, 14, 19, 20, 25, 33, 41, 52])
            product, risk = "MCD", None
        elif plan.code == "BAY":
            mid = "".join(rnd.choice("ACDEFGHJKMNPQRTUVWXY0123456789") for _ in range(11))
            mid = str(rnd.randint(1, 9)) + mid[1:]
            cell, product = "", "MAPD"
            age = rnd.randint(66, 92)
            risk = Decimal(rnd.randint(650, 2400)) / 1000
        else:
            mid = f"H{rnd.randrange(10_000_000, 99_999_999)}"
            product = "HMO" if rnd.random() < 0.6 else rnd.choice(["EXCH", "QHP"])
            cell, risk = "", None
            age = rnd.randint(0, 70)
        dob = dt.date(2026 - age - 1, rnd.randint(1, 12), rnd.randint(1, 28))
        if plan.code == "SUN" and i == 0:
            dob = dt.date(2024, 2, 1)  # turns 2 on 1 February: an age-band change on a birthday
        effective = (
            join.first_day if rnd.random() < 0.85 or join == FIRST else join.day(rnd.randint(2, 27))
        )
        if join == FIRST and rnd.random() < 0.7:
            effective = dt.date(rnd.randint(2018, 2025), rnd.randint(1, 12), 1)
        plan.members.append(
            DemoMember(
                mid,
                last,
                first,
                dob,
                sex,
                product,
                cell,
                join,
                leave,
                effective,
                risk,
                f"PCP{rnd.randint(100, 130)}",
            )
        )


def _roster_rows(
    plan: PayerPlan, month: Month, retro: dict[str, tuple[Month, dt.date]], late: str
) -> list[list[object]]:
    rows: list[list[object]] = []
    for m in plan.members:
        if m.join > month or (m.leave is not None and m.leave < month):
            continue
        eff: dt.date | None = None
        term: dt.date | None = None
        if m.member_id in retro:
            told_in, retro_term = retro[m.member_id]
            if month > told_in:
                continue
            if month == told_in:
                eff, term = m.effective, retro_term
            elif plan.dated_rosters:
                eff = m.effective
        elif plan.dated_rosters or m.member_id == late:
            eff = m.effective
            term = m.leave.last_day if m.leave is not None else None
        rows.append(
            [
                m.member_id,
                f"{m.last}, {m.first}",
                m.dob,
                m.sex,
                m.product,
                m.cell or None,
                m.pcp,
                eff,
                term,
                m.risk,
            ]
        )
    return rows


_ROSTER_HEADERS = [
    "Member ID",
    "Member Name",
    "DOB",
    "Gender",
    "Product",
    "Rate Cell",
    "PCP",
    "Eff Date",
    "Term Date",
    "Risk Score",
]
_REMIT_HEADERS = ["Member ID", "Member Name", "Coverage Month", "Paid Amount", "Line Type"]


def demo_folder(db: Database) -> Path:
    database = db.engine.url.database
    if db.is_sqlite and database not in (None, "", ":memory:"):
        return Path(str(database)).parent / "demo-files"
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "demo-files"


def build_demo(
    db: Database,
    members: int = 300,
    seed: int = 20260101,
    progress: Progress | None = None,
) -> DemoResult:
    """Create the demo payers, load six months of their files, and reconcile each.

    Atomic: everything is built in a scratch database and a folder in our private folder, the
    payer files are then moved into ``demo-files/`` and, last, the scratch database is copied
    into ``db`` in one step. A cancel (``progress`` returning False) or a kill before that step
    leaves ``db`` empty, so the demo can simply be run again.
    """
    if not is_empty(db):
        raise UsageError("the demo practice needs an empty database (use --db with a new file)")
    folder = demo_folder(db)
    steps = Counter(progress, _total_steps(), every=1, cancelled=CANCELLED)
    with private_temp_dir("demo") as work, scratch_database(work / "demo.sqlite3") as scratch:
        result = _build(scratch, private_dir(work / "demo-files"), members, seed, steps)
        steps.step()
        _place_files(work / "demo-files", folder)
        if not is_empty(db):  # something was stored meanwhile: never overwrite it
            raise UsageError("the demo practice needs an empty database (use --db with a new file)")
        copy_into(scratch, db)
    tell(progress, steps.total, steps.total)
    new_month = folder / NEW_MONTH_FOLDER if result.new_month is not None else None
    return dataclasses.replace(result, folder=folder, new_month=new_month)


def _total_steps() -> int:
    """The demo's progress: one step per file imported and per payer reconciled, and one for
    moving it in."""
    months = len(month_range(FIRST, LAST))
    return sum(len(p.contracts) + 2 * months + 1 for p in _plans()) + 1


def _place_files(work: Path, folder: Path) -> None:
    """Move the payer files from the scratch folder into ``folder`` (0700), each in one step."""
    private_dir(folder)
    for src in sorted(work.rglob("*.xlsx")):
        target = folder / src.relative_to(work)
        private_dir(target.parent)
        move_into_place(src, target)


def _build(db: Database, folder: Path, members: int, seed: int, steps: Counter) -> DemoResult:
    rnd = random.Random(seed)
    plans = _plans()
    shares = [0.45, 0.25, 0.30]
    files = 0
    counts: dict[str, int] = dict.fromkeys(KINDS, 0)
    for plan, share in zip(plans, shares, strict=True):
        payers.add_payer(db, plan.code, plan.name, plan.id_width)
        for spec in plan.contracts:
            payers.add_contract(db, plan.code, spec)
            path = folder / f"{plan.code} rates {spec.name}.xlsx"
            write_sheet(path, _RATE_HEADERS, plan.rates[spec.name], created=FILES_CREATED)
            importing.import_rates(db, plan.code, spec.name, path)
            files += 1
            steps.step()
        _make_members(plan, max(10, int(members * share)), rnd)
        files += _load_months(db, plan, folder, rnd, steps)
        summary = reconcile(db, plan.code, FIRST, LAST)
        steps.step()
        for k, v in summary.counts.items():
            counts[k] += v
    new_month = _write_next_month(db, plans[0], folder / NEW_MONTH_FOLDER)
    return DemoResult(folder, sum(len(p.members) for p in plans), files, counts, new_month)


def _load_months(
    db: Database, plan: PayerPlan, folder: Path, rnd: random.Random, steps: Counter
) -> int:
    """Rosters for every month (with a retro term, a retro add, a no-rate member), then
    statements computed from them with the payer's usual mistakes."""
    months = month_range(FIRST, LAST)
    ms = plan.members
    # Retro term: listed for Jan–Apr, the May roster terms them back to mid-February.
    retro = {m.member_id: (Month(2026, 5), dt.date(2026, 2, 14)) for m in ms[1:4]}
    for m in ms[1:4]:
        m.join, m.leave, m.effective = FIRST, None, min(m.effective, FIRST.first_day)
    # Retro add: first listed on the April roster, effective 1 February.
    late = ms[4]
    late.join, late.leave, late.effective = Month(2026, 4), None, dt.date(2026, 2, 1)
    if plan.code == "SUN":
        ms[5].cell = "SSI"  # a rate cell the contract has no rate for → no_rate
        ms[5].join, ms[5].leave, ms[5].effective = FIRST, None, FIRST.first_day
    files = 0
    for month in months:
        path = folder / f"{plan.code} roster {month}.xlsx"
        rows = _roster_rows(plan, month, retro, late.member_id)
        write_sheet(
            path,
            _ROSTER_HEADERS,
            rows,
            title_rows=[f"{plan.name} — eligibility roster", f"Roster month {month}", ""],
            created=FILES_CREATED,
        )
        plan.last_roster = rows
        importing.import_roster(db, plan.code, month, path)
        files += 1
        steps.step()
    statements = _Statements(plan, months)
    _pay_as_owed(db, plan, rnd, late.member_id, statements)
    _pay_retro_terms_and_strangers(plan, statements)
    return files + _import_statements(db, plan, folder, statements, steps)


class _Statements:
    """The statement lines of a payer, by the month they are paid in."""

    def __init__(self, plan: PayerPlan, months: list[Month]) -> None:
        self.by_id = {m.member_id: m for m in plan.members}
        self.lines: dict[Month, list[list[object]]] = {m: [] for m in months}

    def pay(
        self, pay_month: Month, member_id: str, month: Month, cents: int, kind: str = "CAP"
    ) -> None:
        m = self.by_id.get(member_id)
        name = f"{m.last.upper()}, {m.first.upper()}" if m else "DOE, JANE"
        self.lines[pay_month].append([member_id, name, str(month), Decimal(cents).scaleb(-2), kind])


def _pay_as_owed(
    db: Database, plan: PayerPlan, rnd: random.Random, late_id: str, out: _Statements
) -> None:
    """What the engine expects for every eligible member-month, paid with the payer's usual
    mistakes (one random draw per member-month, in member-month order)."""
    inputs = load_inputs(db, plan.code, FIRST, LAST)
    expected, _ = compute(inputs, FIRST, LAST)
    owed = (
        expected.member_months.filter(pl.col("eligible"))
        .join(inputs.members, on="member_pk")
        .select("member_id", "month", "expected_cents", "no_rate")
        .sort("month", "member_id")  # by ID, not pk: the same seed gives the same practice
        .rows()
    )
    for mid, month_idx, cents, no_rate in owed:
        month = Month.from_index(month_idx)
        if no_rate:
            out.pay(month, mid, month, 31_000)  # the payer pays the SSI member its own figure
        elif mid == late_id:
            out.pay(Month(2026, 5), mid, month, cents, "RETRO ADD")  # paid late, in May
        else:
            _pay_with_mistakes(out, plan.code, mid, month, cents, rnd.random())


def _pay_with_mistakes(
    out: _Statements, code: str, mid: str, month: Month, cents: int, roll: float
) -> None:
    if roll < 0.02:
        return  # missing
    if roll < 0.04:
        short = 450 if code == "SUN" else max(1, cents // 10)
        out.pay(month, mid, month, cents - short)  # underpaid (care management left out)
    elif roll < 0.05:
        out.pay(month, mid, month, cents + 2_500)  # overpaid (wrong age band)
    elif roll < 0.06:
        out.pay(month, mid, month, cents)
        out.pay(month, mid, month, cents)  # duplicate line
    elif roll < 0.07 and month < LAST:
        out.pay(month, mid, month, cents // 2)
        out.pay(month + 1, mid, month, cents - cents // 2, "ADJ")  # rest paid next month
    else:
        out.pay(month, mid, month, cents)


def _pay_retro_terms_and_strangers(plan: PayerPlan, out: _Statements) -> None:
    ms = plan.members
    # Retro-termed members were paid March and April before the May roster termed them;
    # the payer recouped March for the first of them in June, and nothing else.
    paid = 9_760 if plan.code == "SUN" else 20_000
    for n, m in enumerate(ms[1:4]):
        for month in (Month(2026, 3), Month(2026, 4)):
            out.pay(month, m.member_id, month, paid)
        if n == 0:
            out.pay(LAST, m.member_id, Month(2026, 3), -paid, "RECOUP")
    # Lines under IDs no roster ever listed (a transposed digit, a stranger).
    for n in range(2):
        real = ms[6 + n].member_id
        wrong = real[:-2] + real[-1] + real[-2] if real[-1] != real[-2] else real[:-1] + "X"
        out.pay(Month(2026, 2), wrong, Month(2026, 2), 9_500)


def _import_statements(
    db: Database, plan: PayerPlan, folder: Path, statements: _Statements, steps: Counter
) -> int:
    files = 0
    for pay_month, lines in statements.lines.items():
        path = folder / f"{plan.code} statement {pay_month}.xlsx"
        total = _write_statement(path, plan, pay_month, lines)
        if (plan.code, pay_month) == CHECK_OVER[:2]:
            total += CHECK_OVER[2]  # the check paid more than the lines say
        importing.import_remittance(
            db,
            plan.code,
            path,
            payment_date=pay_month.day(15),
            reference=f"EFT{pay_month.year}{pay_month.month:02d}{plan.code}",
            stated_total=total,
        )
        files += 1
        steps.step()
    return files


def _write_statement(
    path: Path, plan: PayerPlan, pay_month: Month, lines: list[list[object]]
) -> Decimal:
    """Write the statement with its grand total row; that total (the sum of the lines)."""
    total = sum((Decimal(str(line[3])) for line in lines), Decimal(0))
    rows: list[list[object]] = [*lines, [None, "Grand Total", None, total, None]]
    write_sheet(
        path,
        _REMIT_HEADERS,
        rows,
        title_rows=[f"{plan.name} capitation statement", f"Payment {pay_month}", ""],
        created=FILES_CREATED,
    )
    return total


def _write_next_month(db: Database, plan: PayerPlan, folder: Path) -> Path:
    """Write (never import) ``plan``'s roster and statement for NEXT: last month's roster with
    one member added and one gone (a term), and a statement paying what the contract says for
    every member but one, underpaid by the care-management fee.

    What is owed is computed by the engine on last month's stored rows relabelled as NEXT (plus
    the added member), so the statement matches what reconciliation will expect once imported.
    """
    private_dir(folder)
    taken = {m.member_id for m in plan.members}
    n = 424_242
    while f"{n:09d}" in taken:
        n += 1
    added = DemoMember(
        f"{n:09d}", "Nguyen", "Linh", dt.date(2019, 3, 12), "F", "MCD", "TANF",
        NEXT, None, NEXT.first_day, None, "PCP112",
    )  # fmt: skip
    # The term: the first member listed all along (not one the demo gave a special story).
    special = {m.member_id for m in plan.members[:8]}
    termed = next(str(r[0]) for r in plan.last_roster if r[0] not in special)
    new_row: list[object] = [
        added.member_id, f"{added.last}, {added.first}", added.dob, added.sex, added.product,
        added.cell, added.pcp, added.effective, None, None,
    ]  # fmt: skip
    roster = [r for r in plan.last_roster if r[0] != termed] + [new_row]
    roster.sort(key=lambda r: str(r[0]))
    write_sheet(
        folder / f"{plan.code} roster {NEXT}.xlsx",
        _ROSTER_HEADERS,
        roster,
        title_rows=[f"{plan.name} — eligibility roster", f"Roster month {NEXT}", ""],
        created=FILES_CREATED,
    )
    owed = _owed_next_month(db, plan.code, termed, added)
    names = {str(r[0]): str(r[1]).upper() for r in roster}
    lines: list[list[object]] = []
    short_done = False
    for member_id, cents, no_rate in owed:
        if no_rate:
            cents = 31_000  # as every month: the payer pays the SSI member its own figure
        elif not short_done and member_id != added.member_id:
            cents, short_done = cents - 450, True  # underpaid: care management left out
        lines.append([member_id, names[member_id], str(NEXT), Decimal(cents).scaleb(-2), "CAP"])
    _write_statement(folder / f"{plan.code} statement {NEXT}.xlsx", plan, NEXT, lines)
    return folder


def _owed_next_month(
    db: Database, code: str, termed: str, added: DemoMember
) -> list[tuple[str, int, bool]]:
    """(member ID, expected cents, no rate) for NEXT, by member ID."""
    inputs = load_inputs(db, code, LAST, LAST)
    termed_pk = inputs.members.filter(pl.col("member_id") == termed)["member_pk"].to_list()
    roster = inputs.roster.filter(
        (pl.col("roster_month") == LAST.index) & ~pl.col("member_pk").is_in(termed_pk)
    ).with_columns(
        pl.lit(NEXT.index, dtype=inputs.roster.schema["roster_month"]).alias("roster_month")
    )
    new_pk = -1  # not stored: the member exists only in the file
    extra = pl.DataFrame(
        [
            {
                "row_id": -1,
                "member_pk": new_pk,
                "roster_month": NEXT.index,
                "effective_date": added.effective,
                "term_date": None,
                "product": added.product,
                "rate_cell": added.cell,
                "dob": added.dob,
                "sex": added.sex,
                "risk_micro": None,
            }
        ],
        schema=inputs.roster.schema,
    )
    members = pl.concat(
        [
            inputs.members,
            pl.DataFrame(
                {"member_id": [added.member_id], "member_pk": [new_pk]},
                schema=inputs.members.schema,
            ),
        ]
    )
    inputs = dataclasses.replace(
        inputs, roster=pl.concat([roster, extra.select(roster.columns)]), members=members
    )
    expected, _ = compute(inputs, NEXT, NEXT)
    return [
        (str(mid), int(cents), bool(no_rate))
        for mid, cents, no_rate in expected.member_months.filter(pl.col("eligible"))
        .join(members, on="member_pk")
        .select("member_id", "expected_cents", "no_rate")
        .sort("member_id")
        .rows()
    ]
