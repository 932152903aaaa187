"""Cut-off for non-payment: compensation for the cut-off days, 20 % × F × c / N (rules.md §7).

The batch form of :mod:`heatrules.fees.cutoff` [decision; the per-day amount is not stated]. ``c`` (``cut_days``: the cut-off date to the
season's last day inclusive) and the supplied season's end are derived in
:mod:`.context`, the area fee's reduction in :mod:`.tariffs`, and the late fee's accrual
end (the day before the cut-off) in :mod:`.late_payment`.
"""

from __future__ import annotations

import polars as pl

from ..seasonparams import RATE_SCALE
from .arith import mul_rdiv


def cutoff_compensation() -> pl.Expr:
    """``fee.cutoff_compensation``: F × cut-off rate × c / N for an account cut off."""
    return (
        pl.when(pl.col("cut").is_not_null())
        .then(
            mul_rdiv(
                pl.col("ap_area"),
                pl.col("cutoff_rate") * pl.col("cut_days"),
                pl.col("q_n") * RATE_SCALE,
            )
        )
        .alias("fee_cutoff_compensation")
    )
