"""Append one entry to a top-level block list of a YAML file, or remove items from one, leaving every
other byte alone.

The entry is inserted as new lines right after the last item (a proposed FAQ entry: after the
last item not next to another proposed one, see ``_free_slot``), in the indentation and dash
style of that item. Then the result is read back: it must equal the old data with exactly that
entry inserted, and the old text must survive as prefix + suffix. Anything else is an EditError. A
removal cuts the items' lines and is read back the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml

from optimizer.artifacts.newlines import newline_of
from optimizer.artifacts.scalars import yaml_scalar
from optimizer.errors import EditError

Entry = str | dict[str, str]  # a rule, or a faq {question, answer}

_DASH = re.compile(r"( *)-( +)")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def append_entry(path: str, text: str, key: str, entry: Entry) -> str:
    if not _KEY.fullmatch(key):
        raise EditError(f"{path}: {key!r} is not a plain key name")
    old_data = _load(path, text)
    value = _top_level_value(path, text, key)
    newline = newline_of(text)
    if value is None:
        new_text, position = _append_key(text, key, entry, newline), 0
    else:
        new_text, position = _append_item(path, text, key, value, entry, newline)
    _self_check(path, text, new_text, key, entry, old_data, position)
    return new_text


def _load(path: str, text: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise EditError(f"{path}: is not valid YAML ({' '.join(str(err).split())}); not editing it") from err
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise EditError(f"{path}: the top level is not a mapping; not editing it")
    return data


def _top_level_value(path: str, text: str, key: str) -> yaml.Node | None:
    entry = _top_level_entry(text, key)
    return entry[1] if entry else None


def _top_level_entry(text: str, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The key's node and its value's, or None."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)  # parses: _load succeeded on the same text
    if not isinstance(root, yaml.MappingNode):
        return None
    found = [(name, value) for name, value in root.value if isinstance(name, yaml.ScalarNode) and name.value == key]
    return found[-1] if found else None  # safe_load keeps the last of duplicate keys too


def _append_key(text: str, key: str, entry: Entry, newline: str) -> str:
    separator = newline if text and not text.endswith("\n") else ""
    return f"{text}{separator}{key}:{newline}{_render(entry, '  ', ' ', newline)}"


def _append_item(path: str, text: str, key: str, value: yaml.Node, entry: Entry, newline: str) -> tuple[str, int]:
    """The text with ``entry`` in the list, and its index there."""
    line = value.start_mark.line + 1
    if not isinstance(value, yaml.SequenceNode):
        raise EditError(f"{path}: line {line}: {key!r} is not a list; not rewriting it")
    if value.flow_style or not value.value:
        raise EditError(
            f"{path}: line {line}: {key!r} is a flow sequence ([...]); the optimizer only appends to "
            "block lists ('- item' per line) and never rewrites a file's style"
        )
    after = _free_slot(value.value) if isinstance(entry, dict) else len(value.value) - 1
    anchor = value.value[after]
    start = anchor.start_mark.index
    style = _DASH.fullmatch(text[text.rfind("\n", 0, start) + 1 : start])
    if style is None:
        raise EditError(f"{path}: line {anchor.start_mark.line + 1}: cannot tell the list style of {key!r}")
    at, lead = _insertion_point(text, start, _content_end(anchor), newline)
    return text[:at] + lead + _render(entry, style.group(1), style.group(2), newline) + text[at:], after + 1


def _free_slot(items: list[yaml.Node]) -> int:
    """The item to insert a proposed entry after: the last one that neither is nor is followed by
    an earlier proposed entry (one with a ``source``). Entries of one pull request so end up with a
    person's entry between each two, so a reviewer can amend or drop any one of them and the other
    commits still apply; with no such slot, the end of the list."""
    ours = [_proposed(item) for item in items]
    for index in range(len(items) - 1, -1, -1):
        if not ours[index] and (index == len(items) - 1 or not ours[index + 1]):
            return index
    return len(items) - 1


def _proposed(item: yaml.Node) -> bool:
    return isinstance(item, yaml.MappingNode) and any(
        isinstance(name, yaml.ScalarNode) and name.value == "source" for name, _value in item.value
    )


def _content_end(node: yaml.Node) -> int:
    """Where the last scalar inside ``node`` ends (a mapping's own end mark overshoots comments)."""
    seen: set[int] = set()
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.value and id(node) not in seen:
        seen.add(id(node))
        node = node.value[-1][1] if isinstance(node, yaml.MappingNode) else node.value[-1]
    return int(node.end_mark.index)


def _insertion_point(text: str, item_start: int, end: int, newline: str) -> tuple[int, str]:
    """The start of the line after the last item's content, and what must precede the entry."""
    while end > item_start and text[end - 1] in " \t\r\n":
        end -= 1  # a block scalar's end mark includes its trailing blank lines
    line_end = text.find("\n", end)
    return (line_end + 1, "") if line_end != -1 else (len(text), newline)


def _render(entry: Entry, indent: str, gap: str, newline: str) -> str:
    if isinstance(entry, str):
        return f"{indent}-{gap}{yaml_scalar(entry)}{newline}"
    inner = indent + " " * (1 + len(gap))
    lines = [f"{k}: {yaml_scalar(v)}{newline}" for k, v in entry.items()]
    return f"{indent}-{gap}" + "".join(lines[:1] + [inner + line for line in lines[1:]])


def _self_check(path: str, old: str, new: str, key: str, entry: Entry, old_data: dict[str, Any], position: int) -> None:
    if not _single_insertion(old, new):
        raise EditError(f"{path}: the edit would change more than one place; left unchanged")
    try:
        new_data = yaml.safe_load(new)
    except yaml.YAMLError as err:
        raise EditError(f"{path}: appending to {key!r} would break the YAML; left unchanged") from err
    items = list(old_data.get(key, []))
    expected = {**old_data, key: [*items[:position], entry, *items[position:]]}
    if new_data != expected:
        raise EditError(f"{path}: appending to {key!r} would not read back as exactly one new item; left unchanged")


def _single_insertion(old: str, new: str) -> bool:
    """True if ``new`` is ``old`` with one run of characters inserted somewhere."""
    if len(new) <= len(old):
        return False
    head = 0
    while head < len(old) and old[head] == new[head]:
        head += 1
    return new.endswith(old[head:])


def remove_items(path: str, text: str, key: str, numbers: Sequence[int]) -> str:
    """``text`` without the items at ``numbers`` (0-based) of the top-level block list ``key``; every
    other byte kept. Removing every item removes the key. Read back like an append: anything but
    exactly those items gone is an EditError."""
    old_data = _load(path, text)
    name, value = _top_level_entry(text, key) or (None, None)
    if name is None or not isinstance(value, yaml.SequenceNode) or value.flow_style or not value.value:
        raise EditError(f"{path}: {key!r} is not a block list ('- item' per line); not rewriting it")
    drop = sorted(set(numbers))
    if len(drop) == len(value.value):
        spans = [(_line_start(text, name.start_mark.index), _line_after(text, value.value[-1]))]
    else:
        spans = [(_item_start(path, text, value.value[n]), _line_after(text, value.value[n])) for n in drop]
    new_text = text
    for start, end in reversed(spans):
        new_text = new_text[:start] + new_text[end:]
    kept = [item for n, item in enumerate(old_data[key]) if n not in drop]
    expected = {**old_data, key: kept} if kept else {k: v for k, v in old_data.items() if k != key}
    try:
        same = yaml.safe_load(new_text) == expected
    except yaml.YAMLError:
        same = False
    if not same:
        raise EditError(f"{path}: removing items of {key!r} would not read back as exactly those items gone")
    return new_text


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _item_start(path: str, text: str, item: yaml.Node) -> int:
    """The start of the line holding the item's dash; the item must be the first thing on it."""
    start = _line_start(text, item.start_mark.index)
    if _DASH.fullmatch(text[start : item.start_mark.index]) is None:
        raise EditError(f"{path}: line {item.start_mark.line + 1}: cannot tell where the list item starts")
    return start


def _line_after(text: str, item: yaml.Node) -> int:
    """The start of the line after the item's content."""
    at, _lead = _insertion_point(text, item.start_mark.index, _content_end(item), "\n")
    return at
