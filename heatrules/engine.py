"""The bill pipeline: charges → refunds → waivers → late fee → payments → balance (rules.md §8).

Each rule module turns the validated case (and the season's parameters) into lines; this
module only orders them.
"""

from __future__ import annotations

from typing import Any

from .case import Case
from .caseio import parse_case
from .context import make_context
from .fees.cutoff import cutoff_compensation
from .fees.late_payment import late_payment_fee
from .lines import Bill, Line, Note
from .params import Parameters
from .payments import payment_lines
from .policy import Policy
from .refunds.no_heat import no_heat_refunds
from .refunds.temperature import temperature_refunds
from .tariffs.area import area_tariff
from .tariffs.metered import metered_tariff
from .tariffs.suspension import suspension_compensation
from .validate import validate
from .waivers.cadre_widow import cadre_widow_waiver


def bill(
    case: Case | dict[str, Any],
    params: Parameters | None = None,
    policy: Policy | None = None,
) -> Bill:
    """Compute one account's bill for one season.

    ``case`` is a :class:`~heatrules.case.Case` or a mapping in the case-file format;
    ``params`` defaults to the packaged parameter data; ``policy`` to the legal reading
    (:class:`~heatrules.policy.Policy` — an audit passes alternative readings). Raises
    :class:`~heatrules.errors.CaseError` (naming the field) on bad input.
    """
    policy = policy or Policy()
    params = policy.parameters(params or Parameters.default())
    case = parse_case(case)
    validate(case, params)
    ctx = make_context(case, params, policy)
    lines: list[Line] = []
    if ctx.suspension is not None:
        lines += suspension_compensation(ctx)
    else:
        lines += metered_tariff(ctx) if ctx.metered else area_tariff(ctx)
        lines += cutoff_compensation(ctx)
        lines += no_heat_refunds(ctx)
        lines += temperature_refunds(ctx)
    lines += cadre_widow_waiver(ctx, lines)
    lines += late_payment_fee(ctx)
    lines += payment_lines(ctx)
    notes: list[Note] = []
    if case.as_of is None and ctx.suspension is None:
        notes.append(
            Note(
                "未给出结算日（as_of）：本账单为供热期账单，不计违约金。",
                "No statement date (as_of): this is the season's statement and no late fee "
                "is assessed.",
            )
        )
    return Bill(
        name=case.name,
        account_id=case.account.id,
        season=str(case.season),
        rules_version=params.version,
        lines=tuple(lines),
        notes=tuple(notes),
    )
