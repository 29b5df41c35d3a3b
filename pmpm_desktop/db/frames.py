"""Reading query results into polars frames with the types the engine expects.

Python's sqlite3 builds one object per value (~5 s for 2.4M roster rows), so the bulk of a
reconciliation does not come through here: each import also keeps its rows as an Arrow blob
(see :mod:`pmpm_desktop.db.frame_cache`). This path serves the smaller reads and the fallback.
Native readers (ADBC, connectorx) are not an option for SQLite: they link a second copy of
SQLite into the process, and two copies on one file break each other's POSIX locks (seen here
as stale reads and "disk I/O error").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl
from sqlalchemy import Connection, Select

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database

Schema = Mapping[str, pl.DataType | type[pl.DataType]]


def month_index(text: pl.Expr) -> pl.Expr:
    """``YYYY-MM`` text → Month.index (Int32), the form the engine computes with."""
    return (
        text.str.slice(0, 4).cast(pl.Int32) * 12 + text.str.slice(5, 2).cast(pl.Int32) - 1
    ).cast(pl.Int32)


def _coerce(frame: pl.DataFrame, schema: Schema) -> pl.DataFrame:
    exprs = []
    for name, dtype in schema.items():
        col = pl.col(name)
        current = frame.schema[name]
        if dtype == pl.Date and current == pl.Utf8:
            exprs.append(col.str.slice(0, 10).str.to_date("%Y-%m-%d").alias(name))
        elif dtype == pl.Date and current == pl.Null:
            exprs.append(col.cast(pl.Date))
        elif isinstance(dtype, pl.Datetime) and current == pl.Utf8:
            exprs.append(col.str.to_datetime(time_unit="us").alias(name))
        elif dtype == pl.Date and current == pl.Datetime:
            exprs.append(col.dt.date().alias(name))
        elif dtype == pl.Int32 and current == pl.Utf8:
            # ``YYYY-MM`` month text → Month.index, the form the engine computes with.
            exprs.append(month_index(col).alias(name))
        else:
            exprs.append(col.cast(dtype))
    return frame.select(exprs)


def read_frame(db: Database, query: Select[*tuple[Any, ...]], schema: Schema) -> pl.DataFrame:
    """Run a SELECT whose columns are labelled as in ``schema`` and return it as a frame.

    Conversions on the way: ISO date text → Date; ``YYYY-MM`` text into an Int32 column →
    Month.index. Money and scaled decimals are best selected as integers (see :func:`scaled`).
    """
    with db.engine.connect() as conn:
        return frame_from(conn, query, schema)


def frame_from(conn: Connection, query: Select[*tuple[Any, ...]], schema: Schema) -> pl.DataFrame:
    """:func:`read_frame` on a connection already open (e.g. inside a write transaction)."""
    if conn.dialect.name == "sqlite":
        # Raw SQL hands back SQLite's stored text and numbers without SQLAlchemy's per-value
        # result processing; _coerce converts whole columns at once instead.
        sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            columns = list(zip(*cursor.execute(sql).fetchall(), strict=False))
        finally:
            cursor.close()
    else:
        # Other databases go through our column types; months come back as Month objects.
        rows = conn.execute(query).fetchall()
        columns = [
            tuple(str(v) if isinstance(v, Month) else v for v in col)
            for col in zip(*rows, strict=False)
        ]
    if not columns:
        return pl.DataFrame(schema=dict(schema))
    frame = pl.DataFrame(
        {
            name: pl.Series(name, values, strict=False)
            for name, values in zip(schema, columns, strict=True)
        }
    )
    return _coerce(frame, schema)


def scaled(column: Any, factor: int, label: str) -> Any:
    """SELECT a decimal column as an exact integer (cents: factor 100) under ``label``."""
    from sqlalchemy import BigInteger, cast, func

    return cast(func.round(column * factor), BigInteger).label(label)
