"""Write a string as a YAML scalar: plain when that reads back the same, else double-quoted."""

from __future__ import annotations

import json
import re

import yaml

# A plain scalar may not start with these: YAML would read an indicator (list, mapping, anchor...).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")

# Left raw inside double quotes these would be unreadable (PyYAML refuses non-printable
# characters) or folded into a space (the Unicode line breaks), so they are escaped.
_ESCAPE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def yaml_scalar(value: str) -> str:
    return value if _plain_is_safe(value) else _double_quoted(value)


def _plain_is_safe(value: str) -> bool:
    if not value or value != value.strip() or value[0] in _INDICATORS:
        return False
    if ": " in value or " #" in value or _ESCAPE.search(value):
        return False
    try:
        return bool(yaml.safe_load(value) == value)
    except yaml.YAMLError:
        return False


def _double_quoted(value: str) -> str:
    # JSON's escapes (\" \\ \n \t \uXXXX ...) are all valid in a YAML double-quoted scalar.
    text = json.dumps(value, ensure_ascii=False)
    return _ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
