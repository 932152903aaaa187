"""Read YAML and JSON without losing what the text spells.

cases.md: YAML is read without YAML 1.1 coercions — every plain scalar is text except
``null``/``~``/empty, ``true`` and ``false``; ``on``/``no`` stay strings, ``0010023`` stays the
text it spells, and ``88.88`` reaches the model as text that it reads as the exact decimal.
An explicitly tagged scalar (``!!int 5``, ``!!float 1.5``) is the number it tags, as a JSON
number would be; floats are read as :class:`JsonNumber` (exact decimal text), never as binary
floats. JSON numbers likewise become :class:`JsonNumber`; ``NaN``/``Infinity`` become
:class:`NonFinite` so that the model rejects them naming the field. Duplicate keys are an error.

>>> load_yaml_text("a: 0010023\\nb: on\\nc: 88.88\\nd: true\\ne: ~\\n")
{'a': '0010023', 'b': 'on', 'c': '88.88', 'd': True, 'e': None}
>>> load_json_text('{"x": 64.21, "y": 3}')
{'x': JsonNumber('64.21'), 'y': 3}
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from .errors import InputFileError


class JsonNumber(str):
    """A number written in JSON (or tagged in YAML), kept as the exact text it spells."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"JsonNumber({str(self)!r})"


class NonFinite(str):
    """NaN or ±Infinity as written in JSON; always rejected where a decimal is expected."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"NonFinite({str(self)!r})"


_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")


class TextLoader(yaml.SafeLoader):
    """A safe loader whose only implicit types are null and booleans (YAML 1.2 core)."""

    yaml_implicit_resolvers = {}  # noqa: RUF012 - PyYAML API


TextLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
TextLoader.add_implicit_resolver("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""])


def _construct_float(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    if text.lower().lstrip("+-") in (".nan", ".inf", "nan", "inf", "infinity"):
        return NonFinite(text)
    return JsonNumber(text)


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.Node) -> dict[Any, Any]:
    assert isinstance(node, yaml.MappingNode)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
    return result


TextLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
TextLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def load_yaml_text(text: str, source: str = "<string>") -> Any:
    """Parse one YAML document with the text-preserving loader."""
    try:
        return yaml.load(text, Loader=TextLoader)
    except yaml.YAMLError as exc:
        raise InputFileError(f"{source}: not valid YAML: {exc}") from None
    except RecursionError:
        raise InputFileError(f"{source}: not valid YAML: nested too deeply") from None


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def load_json_text(text: str, source: str = "<string>") -> Any:
    """Parse JSON, keeping numbers as exact text and rejecting duplicate keys."""
    try:
        return json.loads(
            text,
            parse_float=JsonNumber,
            parse_constant=NonFinite,
            object_pairs_hook=_json_pairs,
        )
    except ValueError as exc:
        raise InputFileError(f"{source}: not valid JSON: {exc}") from None
    except RecursionError:
        raise InputFileError(f"{source}: not valid JSON: nested too deeply") from None
