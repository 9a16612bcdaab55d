"""Apply one Edit to a file's text, surgically: every byte the edit is not about stays as it was."""

from __future__ import annotations

from collections.abc import Callable

from optimizer.artifacts.newlines import newline_of, run_length, to_newline
from optimizer.artifacts.yaml_lists import append_entry
from optimizer.errors import EditError
from optimizer.models import Edit


def apply_edit(text: str, edit: Edit) -> str:
    """The new text of the file; EditError (naming the file) if the edit does not fit it."""
    handler = _HANDLERS.get(edit.op)
    if handler is None:
        raise EditError(f"{edit.path}: unknown edit op {edit.op!r}")
    return handler(text, edit)


def _remove_text(text: str, edit: Edit) -> str:
    newline = newline_of(text)
    old = to_newline(_required(edit, "old"), newline)
    start = _unique_position(text, old, edit)
    return _close_gap(text[:start], old, text[start + len(old) :], newline)


def _replace_text(text: str, edit: Edit) -> str:
    newline = newline_of(text)
    old = to_newline(_required(edit, "old"), newline)
    new = to_newline(_required(edit, "new", allow_empty=True), newline)
    start = _unique_position(text, old, edit)
    return text[:start] + new + text[start + len(old) :]


def _append_item(text: str, edit: Edit) -> str:
    return append_entry(edit.path, text, _required(edit, "field"), _required(edit, "new"))


def _add_faq(text: str, edit: Edit) -> str:
    entry = {"question": _required(edit, "question"), "answer": _required(edit, "answer", allow_empty=True)}
    if edit.source:  # last, on a line of its own: writing the answer never touches the next entry's lines
        entry["source"] = edit.source
    return append_entry(edit.path, text, "faq", entry)


_HANDLERS: dict[str, Callable[[str, Edit], str]] = {
    "remove_text": _remove_text,
    "replace_text": _replace_text,
    "append_item": _append_item,
    "add_faq": _add_faq,
}


def _required(edit: Edit, name: str, *, allow_empty: bool = False) -> str:
    value = getattr(edit, name)
    if not isinstance(value, str) or (not value and not allow_empty):
        raise EditError(f"{edit.path}: a {edit.op} edit needs a non-empty '{name}'")
    return value


def _unique_position(text: str, old: str, edit: Edit) -> int:
    """Where ``old`` occurs; EditError unless it occurs exactly once (overlaps count)."""
    positions: list[int] = []
    at = text.find(old)
    while at != -1 and len(positions) < 100:
        positions.append(at)
        at = text.find(old, at + 1)
    if len(positions) != 1:
        found = f"{len(positions)}{'+' if at != -1 else ''} times"
        preview = old if len(old) <= 60 else old[:57] + "..."
        raise EditError(f"{edit.path}: {edit.op}: the text must occur exactly once, found {found}: {preview!r}")
    return positions[0]


def _close_gap(before: str, removed: str, after: str, newline: str) -> str:
    """Join the text around a removal without leaving a wider gap than was there.

    The newlines meeting at the removal point shrink to the longest run that touched the removed
    text (a removed paragraph leaves one blank line, not two). At the start or the end of the
    file, the removal leaves no blank line behind.
    """
    if not before:
        return after[run_length(after, newline, at_end=False) * len(newline) :]
    ending = run_length(before, newline, at_end=True)
    if not after:
        return before[: len(before) - max(ending - 1, 0) * len(newline)]
    starting = run_length(after, newline, at_end=False)
    widest = max(
        ending + run_length(removed, newline, at_end=False),
        run_length(removed, newline, at_end=True) + starting,
    )
    surplus = max(ending + starting - widest, 0)
    return before + after[surplus * len(newline) :]
