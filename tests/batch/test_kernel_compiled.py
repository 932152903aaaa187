"""The compiled kernel is compiled once: every run passes the types its warm-up passes."""

from __future__ import annotations

from pathlib import Path

from heatrules.batch import bill_frame
from heatrules.batch.kernel.bill import (
    account_groups,
    bill_accounts,
    by_account,
    is_identity,
    new_outputs,
    positions,
    scratch_sizes,
)
from heatrules.batch.kernel.no_heat import station_profiles

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "batch"


def test_a_run_uses_the_signature_loaded_at_import() -> None:
    # a second signature would mean a second compilation (~15 s) in every fresh installation
    bill_frame(
        EXAMPLES / "accounts.csv",
        no_heat=EXAMPLES / "no_heat.csv",
        temperature=EXAMPLES / "temperature.csv",
        payments=EXAMPLES / "payments.csv",
    )
    for dispatcher in (
        account_groups,
        bill_accounts,
        by_account,
        is_identity,
        new_outputs,
        positions,
        scratch_sizes,
        station_profiles,
    ):
        assert len(dispatcher.signatures) == 1, dispatcher.signatures
