"""Vectorised cell parsers: text cells → exact integers, with an error text per bad cell.

Every parser takes the name of a string column and returns two polars expressions: the parsed
value (null when the cell is absent or bad) and the problem (null when the cell is good or
absent). The cell rules are those of ``../shared/spec/batch-tables.md`` and ``cases.md``:

* numbers are ASCII ``[+-]?digits[.digits]`` — no spaces, separators, exponents or full-width
  digits — read exactly as a scaled integer (``"120.5"`` with 2 decimals is ``12050``); a value
  with more significant decimals than its field allows is an error, never rounded;
* dates are ISO ``YYYY-MM-DD`` (real calendar dates) → days since 1970-01-01;
* timestamps are ISO 8601 with a time part (``T`` or one space), optional seconds, fraction
  (up to 6 digits) and offset (``Z``, ``+08:00``, ``+0800``) → microseconds since
  1970-01-01T00:00 *local Asia/Shanghai time* (a fixed UTC+8; an offset is converted to it);
* booleans are ``true``/``false`` in any case.

Calendar arithmetic is done in integers (H. Hinnant's ``days_from_civil``), so no parser ever
guesses a format or goes through a float.
"""

from __future__ import annotations

import polars as pl

US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND
SHANGHAI_OFFSET_US = 8 * 3600 * US_PER_SECOND

_DEC = r"^([+-]?)([0-9]+)(?:\.([0-9]+))?$"
_DATE = r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$"
_TS = (
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})"
    r"(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?(Z|[+-][0-9]{2}:?[0-9]{2})?$"
)
MAX_INT_DIGITS = 13
"""Integer digits accepted in a number (keeps every scaled value far inside int64)."""


def _null_str() -> pl.Expr:
    return pl.lit(None, dtype=pl.String)


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
        .then(pl.when(leap).then(28 + 1).otherwise(28))
        .when(m.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
        .cast(pl.Int64)
    )


def _valid_ymd(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    return (y >= 1) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= days_in_month(y, m))


def decimal(col: str, decimals: int, *, what: str = "decimal") -> tuple[pl.Expr, pl.Expr]:
    """A plain decimal → integer scaled by ``10**decimals`` (exact; more decimals is an error)."""
    raw = pl.col(col)
    g = raw.str.extract_groups(_DEC)
    sign, ip, fp = g.struct.field("1"), g.struct.field("2"), g.struct.field("3")
    frac = fp.fill_null("").str.strip_chars_end("0")
    ok_shape = ip.is_not_null()
    ip_digits = ip.str.strip_chars_start("0").str.len_chars()
    scaled = ip.cast(pl.Int64, strict=False) * (10**decimals)
    if decimals:
        scaled = scaled + frac.str.pad_end(decimals, "0").cast(pl.Int64, strict=False).fill_null(0)
    value = pl.when(sign == "-").then(-scaled).otherwise(scaled)
    error = (
        pl.when(raw.is_null())
        .then(_null_str())
        .when(~ok_shape)
        .then(
            pl.format(
                "'{}' is not a plain {} (digits with an optional '.' and fraction; no spaces, "
                "separators, exponents or full-width digits)",
                raw,
                pl.lit(what),
            )
        )
        .when(ip_digits > MAX_INT_DIGITS)
        .then(pl.format("'{}' is too large for the batch engine", raw))
        .when(frac.str.len_chars() > decimals)
        .then(
            pl.format("'{}' has more than {} decimals", raw, pl.lit(decimals))
            if decimals
            else pl.format("'{}' must be a whole number", raw)
        )
        .otherwise(_null_str())
    )
    return pl.when(error.is_null()).then(value), error


def date_days(col: str) -> tuple[pl.Expr, pl.Expr]:
    """An ISO calendar date → days since 1970-01-01."""
    raw = pl.col(col)
    g = raw.str.extract_groups(_DATE)
    y = g.struct.field("1").cast(pl.Int64, strict=False)
    m = g.struct.field("2").cast(pl.Int64, strict=False)
    d = g.struct.field("3").cast(pl.Int64, strict=False)
    error = (
        pl.when(raw.is_null())
        .then(_null_str())
        .when(y.is_null())
        .then(pl.format("'{}' is not an ISO calendar date YYYY-MM-DD", raw))
        .when(~_valid_ymd(y, m, d))
        .then(pl.format("'{}' is not a valid date", raw))
        .otherwise(_null_str())
    )
    return pl.when(error.is_null()).then(days_from_civil(y, m, d)), error


def timestamp_us(col: str) -> tuple[pl.Expr, pl.Expr]:
    """An ISO 8601 timestamp with a time part → local (Asia/Shanghai) microseconds since 1970."""
    raw = pl.col(col)
    g = raw.str.extract_groups(_TS)

    def num(i: int) -> pl.Expr:
        return g.struct.field(str(i)).cast(pl.Int64, strict=False)

    y, mo, d, h, mi = num(1), num(2), num(3), num(4), num(5)
    s = num(6).fill_null(0)
    frac = g.struct.field("7")
    us = frac.str.pad_end(6, "0").cast(pl.Int64, strict=False).fill_null(0)
    tz = g.struct.field("8")
    tzd = tz.str.replace(":", "", literal=True)
    tz_h = tzd.str.slice(1, 2).cast(pl.Int64, strict=False)
    tz_m = tzd.str.slice(3, 2).cast(pl.Int64, strict=False)
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
    bad_tz = tz.is_not_null() & (tz != "Z") & ((tz_h > 23) | (tz_m > 59))
    error = (
        pl.when(raw.is_null())
        .then(_null_str())
        .when(y.is_null())
        .then(
            pl.format(
                "'{}' is not an ISO 8601 timestamp with a time part "
                "(e.g. 2024-12-01T08:00 or 2024-12-01 08:00:00+08:00)",
                raw,
            )
        )
        .when(~_valid_ymd(y, mo, d) | (h > 23) | (mi > 59) | (s > 59) | bad_tz)
        .then(pl.format("'{}' is not a valid timestamp", raw))
        .otherwise(_null_str())
    )
    return pl.when(error.is_null()).then(local), error


def boolean(col: str) -> tuple[pl.Expr, pl.Expr]:
    """``true``/``false`` (case-insensitive) → Boolean."""
    raw = pl.col(col)
    low = raw.str.to_lowercase()
    error = (
        pl.when(raw.is_null() | low.is_in(["true", "false"]))
        .then(_null_str())
        .otherwise(pl.format("'{}' is not true or false", raw))
    )
    return pl.when(error.is_null()).then(low == "true"), error


def choice(col: str, choices: tuple[str, ...]) -> tuple[pl.Expr, pl.Expr]:
    """One of ``choices``, exactly as written."""
    raw = pl.col(col)
    error = (
        pl.when(raw.is_null() | raw.is_in(list(choices)))
        .then(_null_str())
        .otherwise(pl.format("'{}' is not one of {}", raw, pl.lit(", ".join(choices))))
    )
    return pl.when(error.is_null()).then(raw), error


def text(col: str) -> tuple[pl.Expr, pl.Expr]:
    """Text kept exactly as written; an all-blank cell is an error (an empty one is absent)."""
    raw = pl.col(col)
    error = (
        pl.when(raw.is_not_null() & (raw.str.strip_chars() == ""))
        .then(pl.lit("must not be blank"))
        .otherwise(_null_str())
    )
    return pl.when(error.is_null()).then(raw), error


def season(col: str) -> tuple[pl.Expr, pl.Expr]:
    """``YYYY-YYYY`` with consecutive years → the start year."""
    raw = pl.col(col)
    g = raw.str.extract_groups(r"^([0-9]{4})-([0-9]{4})$")
    y1 = g.struct.field("1").cast(pl.Int64, strict=False)
    y2 = g.struct.field("2").cast(pl.Int64, strict=False)
    error = (
        pl.when(raw.is_null())
        .then(_null_str())
        .when(y1.is_null() | (y2 != y1 + 1))
        .then(
            pl.format(
                "'{}' is not a season: write the start and end years, consecutive, e.g. "
                "'2024-2025'",
                raw,
            )
        )
        .otherwise(_null_str())
    )
    return pl.when(error.is_null()).then(y1), error
