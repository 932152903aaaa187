"""Vectorised cell parsers: text cells → exact integers, and the reason a bad cell is bad.

Every parser takes the name of a string column and returns a :class:`Cell`: ``value`` — the
parsed value, null when the cell is absent *or bad* (so a cell is bad exactly when it is
present and its value is null) — and ``message``, the reason, which is only evaluated on the
few bad rows. The cell rules are those of ``../shared/spec/batch-tables.md`` and ``cases.md``:

* numbers are ASCII ``[+-]?digits[.digits]`` — no spaces, separators, exponents or full-width
  digits — read exactly as a scaled integer (``"120.5"`` with 2 decimals is ``12050``); a value
  with more significant decimals than its field allows is an error, never rounded;
* dates are ISO ``YYYY-MM-DD`` (real calendar dates) → days since 1970-01-01;
* timestamps are ISO 8601 with a time part (``T`` or one space), optional seconds, fraction
  (up to 6 digits) and offset (``Z``, ``+08:00``, ``+0800``) → microseconds since
  1970-01-01T00:00 *local Asia/Shanghai time* (a fixed UTC+8; an offset is converted to it);
* booleans are ``true``/``false`` in any case.

Shapes are checked with ASCII-only patterns (``[0-9]``, never ``\\d``, which would match
full-width digits) before any conversion, so nothing is guessed and nothing goes through a float.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND
SHANGHAI_OFFSET_US = 8 * 3600 * US_PER_SECOND
MIN_DAY = -719_162  # 0001-01-01 (Python's first date)
MAX_INT_DIGITS = 13
"""Integer digits accepted in a number (keeps every scaled value far inside int64)."""

_DEC_SHAPE = r"^[+-]?[0-9]+(\.[0-9]+)?$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_TS = (
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})"
    r"(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$"
)


@dataclass(frozen=True)
class Cell:
    """How one column is read: the value (null when absent or bad) and why a bad cell is bad.

    ``helpers`` are columns to add to the frame before ``value`` is evaluated (a part it uses
    several times, computed once); ``message`` does not use them.
    """

    value: pl.Expr
    message: pl.Expr
    helpers: tuple[pl.Expr, ...] = ()


def _str(s: str) -> pl.Expr:
    return pl.lit(s, dtype=pl.String)


def days_from_civil(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """Days since 1970-01-01 of the proleptic Gregorian date ``y-m-d`` (Int64 expressions)."""
    yy = y - (m <= 2).cast(pl.Int64)
    era = yy // 400
    yoe = yy - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def days_in_month(y: pl.Expr, m: pl.Expr) -> pl.Expr:
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    return (
        pl.when(m == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(m.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
        .cast(pl.Int64)
    )


def decimal(col: str, decimals: int, *, what: str = "decimal") -> Cell:
    """A plain decimal → integer scaled by ``10**decimals`` (exact; more decimals is an error)."""
    raw = pl.col(col)
    frac = rf"(\.[0-9]{{1,{decimals}}}0*|\.0+)?" if decimals else r"(\.0+)?"
    ok = raw.str.contains(rf"^[+-]?0*[0-9]{{1,{MAX_INT_DIGITS}}}{frac}$")
    # a value beyond int64 once scaled (13 digits and 6 decimals can be) is null: too large
    scaled = (
        raw.cast(pl.Decimal(38, decimals), strict=False).to_physical().cast(pl.Int64, strict=False)
    )
    value = pl.when(ok).then(scaled)
    shape = raw.str.contains(_DEC_SHAPE)
    int_digits = raw.str.extract(r"^[+-]?0*([0-9]*)", 1).str.len_chars()
    message = (
        pl.when(~shape)
        .then(
            pl.format(
                "'{}' is not a plain {} (digits with an optional '.' and fraction; no spaces, "
                "separators, exponents or full-width digits)",
                raw,
                _str(what),
            )
        )
        .when((int_digits > MAX_INT_DIGITS) | (ok & scaled.is_null()))
        .then(pl.format("'{}' is too large for the batch engine", raw))
        .otherwise(
            pl.format("'{}' has more than {} decimals", raw, _str(str(decimals)))
            if decimals
            else pl.format("'{}' must be a whole number", raw)
        )
    )
    return Cell(value, message)


def date_days(col: str) -> Cell:
    """An ISO calendar date → days since 1970-01-01."""
    raw = pl.col(col)
    ok = raw.str.contains(_DATE)
    days = raw.str.to_date("%Y-%m-%d", strict=False).cast(pl.Int64)
    value = pl.when(ok & (days >= MIN_DAY)).then(days)
    message = (
        pl.when(~ok)
        .then(pl.format("'{}' is not an ISO calendar date YYYY-MM-DD", raw))
        .otherwise(pl.format("'{}' is not a valid date", raw))
    )
    return Cell(value, message)


def timestamp_us(col: str) -> Cell:
    """An ISO 8601 timestamp with a time part → local (Asia/Shanghai) microseconds since 1970.

    The pattern's groups are a helper column ``__ts_<col>``: an expression that used the
    ``extract_groups`` expression itself in each of its twenty-odd places would match the
    pattern again in each (polars does not share them), about twenty times the work.
    """
    raw = pl.col(col)
    helper = f"__ts_{col}"
    g = pl.col(helper)

    def num(i: int) -> pl.Expr:
        return g.struct.field(str(i)).cast(pl.Int64, strict=False)

    y, mo, d, h, mi = num(1), num(2), num(3), num(4), num(5)
    s = num(6).fill_null(0)
    us = g.struct.field("7").str.pad_end(6, "0").cast(pl.Int64, strict=False).fill_null(0)
    tz = g.struct.field("8")
    tzd = tz.str.replace(":", "", literal=True)
    tz_h = tzd.str.slice(1, 2).cast(pl.Int64, strict=False)
    # an offset of hours alone (+08) has no minutes, as in heatrules.localtime
    tz_m = (
        pl.when(tzd.str.len_chars() == 3)
        .then(0)
        .otherwise(tzd.str.slice(3, 2).cast(pl.Int64, strict=False))
    )
    tz_sign = pl.when(tzd.str.starts_with("-")).then(-1).otherwise(1)
    offset_us = (
        pl.when(tz.is_null())
        .then(pl.lit(None, dtype=pl.Int64))
        .when(tz == "Z")
        .then(0)
        .otherwise(tz_sign * (tz_h * 3600 + tz_m * 60) * US_PER_SECOND)
    )
    naive = (days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s) * US_PER_SECOND + us
    local = (
        pl.when(offset_us.is_null()).then(naive).otherwise(naive - offset_us + SHANGHAI_OFFSET_US)
    )
    valid = (
        (y >= 1)
        & (mo >= 1)
        & (mo <= 12)
        & (d >= 1)
        & (d <= days_in_month(y, mo))
        & (h <= 23)
        & (mi <= 59)
        & (s <= 59)
        & (tz.is_null() | (tz == "Z") | ((tz_h <= 23) & (tz_m <= 59)))
    )
    value = pl.when(y.is_not_null() & valid).then(local)
    message = (
        pl.when(~raw.str.contains(_TS))
        .then(
            pl.format(
                "'{}' is not an ISO 8601 timestamp with a time part "
                "(e.g. 2024-12-01T08:00 or 2024-12-01 08:00:00+08:00)",
                raw,
            )
        )
        .otherwise(pl.format("'{}' is not a valid timestamp", raw))
    )
    return Cell(value, message, (raw.str.extract_groups(_TS).alias(helper),))


def boolean(col: str) -> Cell:
    """``true``/``false`` (case-insensitive) → Boolean."""
    raw = pl.col(col)
    low = raw.str.to_lowercase()
    value = pl.when(low == "true").then(True).when(low == "false").then(False)
    return Cell(value, pl.format("'{}' is not true or false", raw))


def choice(col: str, choices: tuple[str, ...]) -> Cell:
    """One of ``choices``, exactly as written."""
    raw = pl.col(col)
    value = pl.when(raw.is_in(list(choices))).then(raw)
    return Cell(value, pl.format("'{}' is not one of {}", raw, _str(", ".join(choices))))


def text(col: str) -> Cell:
    """Text kept exactly as written; an all-blank cell is an error (an empty one is absent)."""
    raw = pl.col(col)
    value = pl.when(raw.str.contains(r"\S")).then(raw)
    return Cell(value, _str("must not be blank"))


def season(col: str) -> Cell:
    """``YYYY-YYYY`` with consecutive years → the start year."""
    raw = pl.col(col)
    y1 = raw.str.slice(0, 4).cast(pl.Int64, strict=False)
    y2 = raw.str.slice(5, 4).cast(pl.Int64, strict=False)
    ok = raw.str.contains(r"^[0-9]{4}-[0-9]{4}$") & (y2 == y1 + 1)
    value = pl.when(ok).then(y1)
    message = pl.format(
        "'{}' is not a season: write the start and end years, consecutive, e.g. '2024-2025'", raw
    )
    return Cell(value, message)
