"""What a proposed edit may touch and how much it may change; a refusal says why in plain words."""

from __future__ import annotations

import posixpath
import re

import yaml

from optimizer.artifacts.constants import SOUL_LIST_FIELDS
from optimizer.artifacts.edits import apply_edit
from optimizer.artifacts.files import RepoFiles
from optimizer.artifacts.loader import parse_prompt
from optimizer.artifacts.model import PromptFile
from optimizer.artifacts.placeholders import has_placeholder
from optimizer.config import Limits
from optimizer.errors import ArtifactError, EditError, GuardrailViolation
from optimizer.models import Proposal
from optimizer.schemas import schema_errors

_PROMPT = re.compile(r"prompts/[^/]+/(?:[^/]+/)*[^/]+\.md")
_SOUL = re.compile(r"souls/[^/]+\.ya?ml")
_TEXT_OPS = ("remove_text", "replace_text")
_SOUL_OPS = (*_TEXT_OPS, "append_item", "add_faq")


def resolve_target(path: str) -> str:
    """The normalised path if it names a prompt or a soul; GuardrailViolation otherwise."""
    norm = posixpath.normpath(path) if path else ""
    hostile = not norm or norm.startswith("/") or "\\" in norm or "\0" in norm
    if hostile or ".." in norm.split("/") or not (_PROMPT.fullmatch(norm) or _SOUL.fullmatch(norm)):
        raise GuardrailViolation(
            f"{path!r}: the optimizer only edits prompts/<agent>/*.md and souls/<agent>.yaml; refusing"
        )
    return norm


def check_and_apply(files: RepoFiles, proposal: Proposal, limits: Limits, agent: str | None = None) -> str:
    """The file's new content after the proposal's edit, if every guardrail holds. ``agent``: the
    agent the run is for; its own prompts and soul are the only files the edit may touch."""
    edit = proposal.edit
    path = resolve_target(edit.path)
    if (
        agent is not None
        and path not in (f"souls/{agent}.yaml", f"souls/{agent}.yml")
        and not path.startswith(f"prompts/{agent}/")
    ):
        raise GuardrailViolation(f"{path}: is not a file of agent {agent!r}, the agent this run is for; refusing")
    old = _read_target(files, path)
    is_soul = path.startswith("souls/")
    _check_op(path, edit.op, edit.field, is_soul)
    try:
        new = apply_edit(old, edit)
    except EditError as err:
        raise GuardrailViolation(str(err)) from err
    if is_soul:
        _check_soul(path, new)
        _check_soul_deletion(path, old, new, limits)
    else:
        _check_prompt(path, old, new, limits, _unused_tools(proposal))
    if new == old:
        raise GuardrailViolation(f"{path}: the edit changes nothing")
    return new


def _read_target(files: RepoFiles, path: str) -> str:
    try:
        if files.is_symlink(path):
            raise GuardrailViolation(f"{path}: is a symlink (or lies under one); the optimizer edits only real files")
        text = files.read_text(path)
    except ArtifactError as err:
        raise GuardrailViolation(str(err)) from err
    if text is None:
        raise GuardrailViolation(f"{path}: does not exist; the optimizer edits existing files and never creates one")
    return text


def _check_op(path: str, op: str, field: str | None, is_soul: bool) -> None:
    if op not in (_SOUL_OPS if is_soul else _TEXT_OPS):
        kind = "a soul" if is_soul else "a prompt"
        raise GuardrailViolation(f"{path}: {op} does not apply to {kind}")
    if op == "append_item" and field not in SOUL_LIST_FIELDS:
        raise GuardrailViolation(f"{path}: append_item may only grow {', '.join(SOUL_LIST_FIELDS)}, not {field!r}")


def _check_soul(path: str, new: str) -> None:
    try:
        data = yaml.safe_load(new)
    except yaml.YAMLError as err:
        raise GuardrailViolation(f"{path}: the edited soul is not valid YAML") from err
    errors = schema_errors("soul", data)
    if errors:
        raise GuardrailViolation(f"{path}: the edited soul would break the soul schema {errors[0]}")


def _check_soul_deletion(path: str, old: str, new: str, limits: Limits) -> None:
    """A soul may grow by any proposal; it may not lose most of what it says in one."""
    share = deleted_share(old, new)
    if share > limits.max_prompt_change_share:
        raise GuardrailViolation(
            f"{path}: the edit deletes {share:.0%} of the soul, more than the "
            f"{limits.max_prompt_change_share:.0%} one run may change"
        )


def deleted_share(old: str, new: str) -> float:
    """The share of ``old``'s characters outside the common prefix and suffix (an edit changes one span)."""
    if not old:
        return 0.0
    head, tail = _kept_ends(old, new)
    return (len(old) - head - tail) / len(old)


def _unused_tools(proposal: Proposal) -> frozenset[str]:
    """The tools the proposal's own findings show unused: the only ones it may take out of ``tools:``."""
    return frozenset(key.split(":", 1)[1] for key in proposal.finding_keys if key.startswith("unused_tool:"))


def _check_prompt(path: str, old: str, new: str, limits: Limits, unused: frozenset[str] = frozenset()) -> None:
    before, after = _parse(path, old, ""), _parse(path, new, " (after the edit)")
    front_changed = after.text[: after.body_offset] != before.text[: before.body_offset]
    if front_changed and not _only_undeclares(before, after, unused):
        raise GuardrailViolation(f"{path}: the edit touches the front matter (tools, placeholders); refusing")
    missing = [name for name in before.required_placeholders if not has_placeholder(after.body, name)]
    if missing:
        raise GuardrailViolation(f"{path}: the edit removes required placeholder(s) {', '.join(missing)}")
    if len(new) < min(limits.min_prompt_chars, len(old)):
        raise GuardrailViolation(
            f"{path}: the edit would shrink the prompt to {len(new)} characters; "
            f"the minimum is {limits.min_prompt_chars} (a shorter prompt may only grow)"
        )
    share = changed_share(old, new)
    if share > limits.max_prompt_change_share:
        raise GuardrailViolation(
            f"{path}: the edit changes {share:.0%} of the prompt, more than the "
            f"{limits.max_prompt_change_share:.0%} one run may change"
        )


def _only_undeclares(before: PromptFile, after: PromptFile, unused: frozenset[str]) -> bool:
    """The one front-matter change allowed: unused tools taken out of ``tools:`` (the body
    untouched); a tool is never added, and nothing else in the front matter changes."""
    kept = set(after.tools)
    if not set(before.tools) - kept <= unused:
        return False
    rest_before = {k: v for k, v in before.front_matter.items() if k != "tools"}
    rest_after = {k: v for k, v in after.front_matter.items() if k != "tools"}
    return (
        after.body == before.body
        and rest_after == rest_before
        and kept < set(before.tools)
        and list(after.tools) == [tool for tool in before.tools if tool in kept]
    )


def _parse(path: str, text: str, when: str) -> PromptFile:
    try:
        return parse_prompt(path, text)
    except ArtifactError as err:
        raise GuardrailViolation(f"{err}{when}") from err


def changed_share(old: str, new: str) -> float:
    """Characters removed plus inserted, over both lengths: 1 - difflib's ratio for one edited span.

    An edit changes one contiguous span, so the common prefix and suffix are what is kept. Linear
    where SequenceMatcher is quadratic, and never below its measure (it may find extra matches
    inside the span), so the limit is, if anything, stricter.
    """
    total = len(old) + len(new)
    if not total:
        return 0.0
    head, tail = _kept_ends(old, new)
    return 1 - 2 * (head + tail) / total


def _kept_ends(old: str, new: str) -> tuple[int, int]:
    """The lengths of the common prefix and of the common suffix after it."""
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return head, tail
