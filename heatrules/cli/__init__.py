"""The ``heatrules`` command: a thin shell over the Python API.

Each sub-command lives in its own module with ``register(subparsers)``; the module sets
``func`` on its parser, which returns the exit code. Exit codes: 0 success, 1 a check or
application failed (or an invalid work order), 2 bad input (never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from rich.markup import escape

from .. import __version__
from ..errors import HeatrulesError
from .common import err_console
from .extra import BATCH_EXTRA

# name of the module in heatrules.cli for each group of sub-commands, in help order
COMMANDS = (
    "bill",
    "check",
    "subsidy",
    "rules",
    "schema",
    "services",
    "batch",
    "audit",
)


# packages of the `batch` extra: without them `batch` and `audit` explain how to install them
OPTIONAL_DEPENDENCIES = set(BATCH_EXTRA)


def _register_missing(sub: argparse._SubParsersAction[Any], name: str, package: str) -> None:
    p = sub.add_parser(name, help="(needs the batch extra: pip install 'heatrules[batch]')")

    def missing(args: argparse.Namespace) -> int:
        err_console().print(
            "[bold red]error:[/] "
            + escape(f"`heatrules {name}` needs {package}: pip install 'heatrules[batch]'"),
            highlight=False,
        )
        return 2

    p.set_defaults(func=missing, accepts_any=True)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # exit 2 with a one-line usage error
        self.print_usage(sys.stderr)
        err_console().print(f"[bold red]error:[/] {escape(message)}", highlight=False)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="heatrules",
        description="Tianjin district-heating fees, refunds and waivers, to the fen.",
    )
    parser.add_argument("--version", action="version", version=f"heatrules {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name not in OPTIONAL_DEPENDENCIES:
                raise
            _register_missing(sub, name, exc.name)
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "accepts_any", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        code: int = args.func(args)
        return code
    except HeatrulesError as exc:
        err_console().print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return 2
    except KeyboardInterrupt:
        err_console().print("interrupted: no output of this run was completed", highlight=False)
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly, like other Unix tools
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:  # e.g. a full disk, a folder that refuses a file
        what = f"cannot write {exc.filename}" if exc.filename else "cannot write the output"
        err_console().print(
            f"[bold red]error:[/] {escape(what)}: {escape(exc.strerror or str(exc))}",
            highlight=False,
        )
        return 2


def _terminate(signum: int, frame: object) -> None:
    # SIGTERM unwinds like Ctrl-C, so half-written temporary outputs are removed
    raise KeyboardInterrupt


def entry() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as exc:
        err_console().print(f"error: cannot write the output: {exc.strerror}", highlight=False)
        code = 2
    sys.exit(code)
