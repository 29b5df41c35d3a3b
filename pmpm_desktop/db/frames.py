"""Reading query results straight into polars frames, fast, for the set-based engine.

Reading 2.4M rows through the sqlite3 module costs ~8 s in Python objects; the ADBC SQLite
driver hands over Arrow columns in ~1.5 s, so SQLite files go through it. Other databases use
polars' SQLAlchemy path. Either way the frame is cast to the schema the caller names, because
SQLite stores dates as text and drivers infer types from the data (an all-null column).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl
from sqlalchemy import Select

from pmpm_desktop.db.database import Database

Schema = Mapping[str, pl.DataType | type[pl.DataType]]


def _adbc_available() -> bool:
    try:
        import adbc_driver_sqlite.dbapi  # noqa: F401
    except ImportError:
        return False
    return True


def _coerce(frame: pl.DataFrame, schema: Schema) -> pl.DataFrame:
    exprs = []
    for name, dtype in schema.items():
        col = pl.col(name)
        current = frame.schema[name]
        if dtype == pl.Date and current == pl.Utf8:
            exprs.append(col.str.slice(0, 10).str.to_date("%Y-%m-%d").alias(name))
        elif dtype == pl.Date and current == pl.Null:
            exprs.append(col.cast(pl.Date))
        elif dtype == pl.Date and current == pl.Datetime:
            exprs.append(col.dt.date().alias(name))
        elif dtype == pl.Int32 and current == pl.Utf8:
            # ``YYYY-MM`` month text → Month.index, the form the engine computes with.
            exprs.append(
                (col.str.slice(0, 4).cast(pl.Int32) * 12 + col.str.slice(5, 2).cast(pl.Int32) - 1)
                .cast(pl.Int32)
                .alias(name)
            )
        else:
            exprs.append(col.cast(dtype))
    return frame.select(exprs)


def read_frame(db: Database, query: Select[Any], schema: Schema) -> pl.DataFrame:
    """Run a SELECT whose columns are labelled as in ``schema`` and return it as a frame.

    Conversions on the way: ISO date text → Date; ``YYYY-MM`` text into an Int32 column →
    Month.index. Money and scaled decimals are best selected as integers (see :func:`scaled`).
    """
    if db.is_sqlite and _adbc_available() and db.engine.url.database not in (None, "", ":memory:"):
        import adbc_driver_sqlite.dbapi as adbc

        sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
        with adbc.connect(str(db.engine.url.database)) as conn:
            cursor = conn.cursor()
            # The driver infers each column's type from its first batch; one batch for the whole
            # result means a column that starts with nulls is still read with its real type.
            cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": "1000000000"})
            cursor.execute(sql)
            frame = pl.from_arrow(cursor.fetch_arrow_table())
            cursor.close()
        assert isinstance(frame, pl.DataFrame)
    else:
        with db.engine.connect() as conn:
            frame = pl.read_database(query, conn, infer_schema_length=None)
    if frame.height == 0:
        return pl.DataFrame(schema=dict(schema))
    return _coerce(frame, schema)


def scaled(column: Any, factor: int, label: str) -> Any:
    """SELECT a decimal column as an exact integer (cents: factor 100) under ``label``."""
    from sqlalchemy import BigInteger, cast, func

    return cast(func.round(column * factor), BigInteger).label(label)
