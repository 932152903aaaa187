"""``heatrules audit``: recompute a company's accounts and explain every differing figure."""

from __future__ import annotations

import argparse

from .extra import require_batch_extra
from .options import add_params_option, params_from, path_text

require_batch_extra()


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "audit",
        help="verify a billing system's figures against the rules and explain the differences",
        description=(
            "Recompute every account of the batch tables, compare the claimed figures exactly "
            "and classify each difference by the alternative reading that reproduces it. "
            "Exit 0 when the audit ran (whatever it found), 2 on unusable input."
        ),
    )
    p.add_argument(
        "--accounts",
        type=path_text,
        required=True,
        metavar="FILE",
        help="accounts table (CSV/Parquet)",
    )
    p.add_argument("--no-heat", type=path_text, metavar="FILE", help="no_heat table")
    p.add_argument("--temperature", type=path_text, metavar="FILE", help="temperature table")
    p.add_argument("--payments", type=path_text, metavar="FILE", help="payments table")
    p.add_argument(
        "--claimed",
        type=path_text,
        required=True,
        metavar="FILE",
        help="the company's figures: account_id, season, then totals and line-code columns",
    )
    p.add_argument(
        "--mapping",
        type=path_text,
        metavar="FILE",
        help="YAML renaming the claimed file's headers (退费金额: refunds)",
    )
    p.add_argument(
        "--out", type=path_text, required=True, metavar="DIR", help="folder for the outputs"
    )
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    p.add_argument("--encoding", choices=("utf-8", "gbk", "gb18030"), default="utf-8")
    p.add_argument("--ignore-extra-columns", action="store_true", help="skip unknown table columns")
    p.add_argument("--quiet", action="store_true", help="no terminal summary")
    add_params_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..audit import audit, write_all
    from ..audit.terminal import print_summary

    result = audit(
        args.accounts,
        args.claimed,
        no_heat=args.no_heat,
        temperature=args.temperature,
        payments=args.payments,
        mapping=args.mapping,
        params=params_from(args),
        encoding=args.encoding,
        ignore_extra_columns=args.ignore_extra_columns,
    )
    outputs = write_all(result, args.out, args.format)
    if not args.quiet:
        print_summary(result, outputs)
    return 0
