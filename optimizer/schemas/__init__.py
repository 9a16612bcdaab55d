"""The JSON Schemas shipped with the package, loaded once and validated with jsonschema."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # jsonschema loads when a schema is first checked: the runtime reads souls without it
    from jsonschema import Draft202012Validator


@cache
def load_schema(name: str) -> dict[str, Any]:
    """Load ``optimizer/schemas/<name>.schema.json``."""
    text = resources.files(__name__).joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def validator(name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(name: str, instance: Any) -> list[str]:
    """Every way ``instance`` breaks schema ``name``, as ``at <path>: <message>`` lines, sorted."""
    found = []
    for error in validator(name).iter_errors(instance):
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        found.append(f"at {where}: {error.message}")
    return sorted(found)
