"""Whether the files already hold a change: an FAQ question on the same topic, an equivalent rule.

Judged on content words (synonyms merged), so "What should I know about gift cards?" covers a
proposal about vouchers, and a rule reworded is still the same rule. Pure.
"""

from __future__ import annotations

from typing import Any

import yaml

from optimizer.artifacts.files import RepoFiles
from optimizer.models import Edit
from optimizer.text.topics import content_words, same_topic

SAME_RULE = 0.8  # shared content words over all of them


def already_held(files: RepoFiles, edit: Edit) -> str | None:
    """Why ``edit`` would add what its file already holds; None when it adds something new."""
    if edit.op not in ("add_faq", "append_item"):
        return None
    soul = _soul(files.read_text(edit.path))
    if edit.op == "add_faq":
        entry = faq_covering(soul.get("faq"), edit.question or "")
        return f"{edit.path}: the FAQ already answers this topic (“{entry}”)" if entry else None
    rule = _same_rule(soul.get(edit.field or ""), edit.new or "")
    return f"{edit.path}: {edit.field} already has this rule (“{rule}”)" if rule else None


def faq_covering(faq: object, question: str) -> str | None:
    """The first FAQ question on the same topic as ``question``; None when none is."""
    for entry in faq if isinstance(faq, list) else ():
        asked = str(entry.get("question", "")) if isinstance(entry, dict) else ""
        if same_topic(question, asked):
            return asked
    return None


def _same_rule(items: object, rule: str) -> str | None:
    words = content_words(rule)
    for item in items if isinstance(items, list) else ():
        other = content_words(str(item))
        if words and other and len(words & other) / len(words | other) >= SAME_RULE:
            return str(item)
    return None


def _soul(text: str | None) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text or "")
    except yaml.YAMLError:
        return {}  # the guardrails report a broken soul; nothing is held by it
    return data if isinstance(data, dict) else {}
