"""Column types for the domain's values: months as ``YYYY-MM`` text, money as Numeric(12, 2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Dialect, Numeric, String
from sqlalchemy.types import TypeDecorator, TypeEngine

from pmpm_desktop.core.money import round_money
from pmpm_desktop.core.month import Month


def _exact_numeric(impl: TypeEngine[Any], dialect: Dialect) -> TypeEngine[Any]:
    """The column's Numeric as the dialect should read it.

    ``asdecimal=False`` exists for SQLite (no decimal type: asking it for Decimal makes
    SQLAlchemy warn and convert from float anyway). On a database with a native decimal the same
    flag would make SQLAlchemy turn the driver's exact Decimal into a float, so there the column
    is read as Decimal.
    """
    if dialect.name != "sqlite" and isinstance(impl, Numeric):
        return dialect.type_descriptor(Numeric(impl.precision, impl.scale, asdecimal=True))
    return dialect.type_descriptor(impl)


class MonthType(TypeDecorator[Month]):
    """A :class:`Month` stored as ``YYYY-MM`` text, which sorts and compares correctly in SQL."""

    impl = String(7)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, Month):
            return str(value)
        return str(Month.parse(str(value)))

    def process_result_value(self, value: Any, dialect: Dialect) -> Month | None:
        return None if value is None else Month.parse(value)


class Money(TypeDecorator[Decimal]):
    """SQL ``Numeric(12, 2)``; always hands back a two-place Decimal.

    SQLite has no decimal type and keeps such a column as REAL; a two-place value below 10^13
    survives that round trip exactly once it is re-quantised, which is what this type does.
    Binding as text avoids SQLAlchemy's float conversion warning. A database with a real decimal
    type (PostgreSQL) binds and returns the driver's Decimal: never a float on the way.
    """

    impl = Numeric(12, 2, asdecimal=False)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return _exact_numeric(self.impl_instance, dialect)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money must not be bound from a float")
        text = f"{round_money(Decimal(value)):.2f}"
        return text if dialect.name == "sqlite" else Decimal(text)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, float):
            return round_money(Decimal(repr(value)))
        return round_money(Decimal(value))


class Scaled(TypeDecorator[Decimal]):
    """A non-money decimal (risk score, withhold %) with a fixed number of places."""

    impl = Numeric(12, 6, asdecimal=False)
    cache_ok = True

    def __init__(self, places: int = 6) -> None:
        super().__init__()
        self.places = places

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return _exact_numeric(self.impl_instance, dialect)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("decimal must not be bound from a float")
        text = f"{Decimal(value):.{self.places}f}"
        return text if dialect.name == "sqlite" else Decimal(text)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        raw = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return raw.quantize(Decimal(1).scaleb(-self.places))
