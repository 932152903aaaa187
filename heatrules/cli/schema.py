"""``heatrules schema``: the JSON Schema of the case model."""

from __future__ import annotations

import argparse
import json

from ..case import Case


def case_schema() -> dict[str, object]:
    """The JSON Schema (draft 2020-12) of one case, as the input model defines it."""
    schema = Case.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://heatrules.invalid/schema/case.json",
        **schema,
    }


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of a case")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print(json.dumps(case_schema(), indent=2, ensure_ascii=False))
    return 0
