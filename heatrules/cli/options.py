"""Options shared by several sub-commands."""

from __future__ import annotations

import argparse

from ..params import Parameters


def path_text(text: str) -> str:
    """An option's file or folder: an empty text is an error, never the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path (give a file or folder name)")
    return text


def add_paths_argument(parser: argparse.ArgumentParser, metavar: str = "FILE") -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar=metavar,
        help="case files (.yaml/.yml/.json/.jsonl), folders (recursively), or - for standard input",
    )


def add_params_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--params",
        type=path_text,
        metavar="DIR",
        help="use the parameter data in DIR (a copy of heatrules/params) instead of the packaged one",
    )


def params_from(args: argparse.Namespace) -> Parameters:
    folder = getattr(args, "params", None)
    return Parameters.default() if folder is None else Parameters.load(folder)
