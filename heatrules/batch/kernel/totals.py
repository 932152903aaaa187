"""Bill totals (rules.md §8): each total is a sum of rounded lines; the balance nets them.

The totals are charges, refunds, waivers, late fees and payments; balance = charges + late fees − refunds − waivers − payments; the bills frame carries the
totals and every line code's column, signed as on a bill (refunds, waivers, payments
negative).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .arith import Dense
from .codes import CHARGE_CODES, CODES, NEGATIVE, REFUND_CODES, col_name


def payments_column(dense: Dense, pay_pos: np.ndarray, pay_amount: np.ndarray) -> pl.Series:
    """``payment``: the sum of the account's payments (fen)."""
    return pl.Series("payment", dense.sum(pay_pos, pay_amount))


def totals(acc: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The accounts with the totals, and the bills frame (keys, totals, signed line columns)."""

    def f(c: str) -> pl.Expr:
        return pl.col(col_name(c)).fill_null(0)

    acc = acc.with_columns(
        pl.sum_horizontal([f(c) for c in CHARGE_CODES]).alias("charges"),
        pl.sum_horizontal([f(c) for c in REFUND_CODES]).alias("refunds"),
        f("waiver.cadre_widow").alias("waivers"),
        f("fee.late_payment").alias("late_fees"),
        f("payment").alias("payments"),
    ).with_columns(
        (
            pl.col("charges")
            + pl.col("late_fees")
            - pl.col("refunds")
            - pl.col("waivers")
            - pl.col("payments")
        ).alias("balance")
    )
    signed = [(-f(c) if c in NEGATIVE else f(c)).alias(col_name(c)) for c in CODES]
    bills = acc.select(
        "acct",
        "line",
        "account_id",
        "season",
        "season_year",
        "charges",
        "refunds",
        "waivers",
        "late_fees",
        "payments",
        "balance",
        *signed,
    )
    return acc, bills
