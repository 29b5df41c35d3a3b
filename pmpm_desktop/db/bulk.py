"""Bulk inserts of polars frames: set-based, one statement executed many times.

An ORM object per row costs ~79 s per million rows; a driver-level executemany of plain tuples
~2.3 s. SQLite gets the driver path with values already in the text forms SQLAlchemy stores
(dates ``YYYY-MM-DD``, money as ``1234.56``); other databases get SQLAlchemy Core executemany
with Python values of the column types.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import Connection, Table, func, insert, select

from pmpm_desktop.core.money import cents_to_money
from pmpm_desktop.core.month import Month


def cents_text(col: str) -> pl.Expr:
    """Integer cents → ``-12.34`` text, exactly (no float on the way)."""
    c = pl.col(col)
    a = c.abs()
    text = (
        pl.when(c < 0).then(pl.lit("-")).otherwise(pl.lit(""))
        + (a // 100).cast(pl.Utf8)
        + pl.lit(".")
        + (a % 100).cast(pl.Utf8).str.zfill(2)
    )
    return pl.when(c.is_null()).then(None).otherwise(text).alias(col)


def micro_text(col: str) -> pl.Expr:
    """Integer millionths → ``1.234000`` text, exactly."""
    c = pl.col(col)
    a = c.abs()
    text = (
        pl.when(c < 0).then(pl.lit("-")).otherwise(pl.lit(""))
        + (a // 1_000_000).cast(pl.Utf8)
        + pl.lit(".")
        + (a % 1_000_000).cast(pl.Utf8).str.zfill(6)
    )
    return pl.when(c.is_null()).then(None).otherwise(text).alias(col)


def month_text(col: str) -> pl.Expr:
    """Month index → ``YYYY-MM``."""
    c = pl.col(col)
    return (
        (c // 12).cast(pl.Utf8).str.zfill(4) + pl.lit("-") + (c % 12 + 1).cast(pl.Utf8).str.zfill(2)
    ).alias(col)


def _python_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "cents":
        return cents_to_money(value)
    if kind == "micro":
        return Decimal(value).scaleb(-6)
    if kind == "month":
        return Month.from_index(value)
    return value


def insert_frame(
    conn: Connection, table: Table, frame: pl.DataFrame, kinds: dict[str, str] | None = None
) -> None:
    """Insert every row of ``frame`` into ``table`` (frame columns = table columns).

    ``kinds`` names columns needing conversion: ``cents`` (Int64 cents → money), ``micro``
    (Int64 millionths → decimal), ``month`` (Int month index → ``YYYY-MM``).
    """
    if frame.height == 0:
        return
    kinds = kinds or {}
    columns = frame.columns
    if conn.dialect.name == "sqlite":
        exprs: list[pl.Expr] = []
        for name in columns:
            kind = kinds.get(name)
            if kind == "cents":
                exprs.append(cents_text(name))
            elif kind == "micro":
                exprs.append(micro_text(name))
            elif kind == "month":
                exprs.append(month_text(name))
            elif frame.schema[name] == pl.Date:
                exprs.append(pl.col(name).dt.strftime("%Y-%m-%d"))
            elif frame.schema[name] == pl.Datetime:
                exprs.append(pl.col(name).dt.strftime("%Y-%m-%d %H:%M:%S.%f"))
            else:
                exprs.append(pl.col(name))
        rows = frame.select(exprs).rows()
        placeholders = ", ".join("?" for _ in columns)
        quoted = ", ".join(f'"{c}"' for c in columns)
        conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({placeholders})', rows)
        return
    records = [
        {
            name: _python_value(value, kinds.get(name, ""))
            for name, value in zip(columns, row, strict=True)
        }
        for row in frame.rows()
    ]
    conn.execute(insert(table), records)


def max_id(conn: Connection, table: Table) -> int:
    """The highest id in ``table`` (0 when empty): take it before :func:`insert_frame`."""
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())


def inserted_ids(conn: Connection, table: Table, before: int, count: int) -> pl.Series | None:
    """Ids of the ``count`` rows just inserted by one :func:`insert_frame`, in frame order.

    Inside our write transaction the database numbers one executemany's rows consecutively
    after the highest id; this is checked (count and span), and None is returned when it does
    not hold, so the caller reads the ids back by its own key instead.
    """
    low, high, n = conn.execute(
        select(func.min(table.c.id), func.max(table.c.id), func.count()).where(table.c.id > before)
    ).one()
    if n != count or count == 0 or high - low + 1 != count:
        return None
    return pl.int_range(low, high + 1, dtype=pl.Int64, eager=True).alias("id")
