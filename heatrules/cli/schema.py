"""``heatrules schema``: the JSON Schema of the case model."""

from __future__ import annotations

import argparse
import json

from ..case import Case


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of a case")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print(json.dumps(Case.model_json_schema(), indent=2, ensure_ascii=False))
    return 0
