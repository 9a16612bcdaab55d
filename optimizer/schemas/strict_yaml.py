"""YAML as the user's files must be: no repeated key, bounded nesting and size, finite numbers.

PyYAML keeps the last of two equal keys without a word, recurses once per nesting level (5,000
nested lists end in a RecursionError) and reads ``.nan`` and ``.inf`` as floats that break every
comparison later. Each of those is a user's mistake here, raised as ``StrictYamlError`` with the
line, so the caller can name the file.
"""

from __future__ import annotations

import math
from typing import Any

import yaml

MAX_DEPTH = 64  # nesting levels: souls and configs need a handful
MAX_BYTES = 1 << 20  # 1 MiB: a soul, a prompt or optimizer.yaml larger than this is a mistake


class StrictYamlError(ValueError):
    """Raised when a YAML text is invalid or breaks one of the rules above; the message has the line."""


class _StrictLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                if key in seen:
                    raise StrictYamlError(f"line {key_node.start_mark.line + 1}: key {str(key)[:60]!r} appears twice")
                seen.add(key)
            except TypeError:  # an unhashable key: SafeLoader says so below
                continue
        return super().construct_mapping(node, deep)


def load(text: str, first_line: int = 1) -> Any:
    """Parse ``text``; ``first_line`` is the file line the text starts on (for front matter)."""
    if len(text) > MAX_BYTES:
        raise StrictYamlError(f"{len(text)} characters, more than the {MAX_BYTES} allowed")
    _check_depth(text)
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except StrictYamlError as err:
        raise StrictYamlError(_shift(str(err), first_line - 1)) from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + first_line}: " if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err)
        raise StrictYamlError(f"{where}invalid YAML: {' '.join(str(problem).split())}") from err
    except RecursionError as err:
        raise StrictYamlError(f"nested more than {MAX_DEPTH} levels deep") from err
    path = _non_finite(data, ())
    if path is not None:
        raise StrictYamlError(f"at {path or '(top level)'}: not a finite number (.nan and .inf are not allowed)")
    return data


def _check_depth(text: str) -> None:
    """Refuse deep nesting before PyYAML recurses into it: count open brackets and indentation."""
    depth = 0
    deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    indent = max((len(line) - len(line.lstrip(" -")) for line in text.splitlines()), default=0)
    if deepest > MAX_DEPTH or indent > 2 * MAX_DEPTH:
        raise StrictYamlError(f"nested more than {MAX_DEPTH} levels deep")


def _shift(message: str, lines: int) -> str:
    if lines and message.startswith("line "):
        number, rest = message[5:].split(":", 1)
        return f"line {int(number) + lines}:{rest}"
    return message


def _non_finite(data: Any, path: tuple[str, ...]) -> str | None:
    """The dotted path of the first non-finite float in ``data``, or None."""
    if isinstance(data, float) and not math.isfinite(data):
        return ".".join(path)
    if isinstance(data, dict):
        items: Any = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return None
    for key, value in items:
        found = _non_finite(value, (*path, str(key)))
        if found is not None:
            return found
    return None
