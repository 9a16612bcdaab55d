"""Prompts ready for the model: the body without front matter, and ``{{NAME}}`` placeholders filled.

Each fill is summarised (placeholder, size, a hash of the text and of each of its paragraphs) so
the trace of the conversation tells which blocks were injected: the same paragraph hash twice in
one rendered prompt is a block sent twice on every turn (the playbooks filled into {{PLAYBOOKS}} and
again inside {{GUEST_CONTEXT}}), which the prompt_duplication detector finds from the traces.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from optimizer.artifacts.loader import parse_prompt
from optimizer.errors import OptimizerError
from optimizer.text.blocks import estimate_tokens

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
HASH_CHARS = 16  # of the SHA-256 hex digest: enough to tell blocks apart, short in a trace
MAX_PARAGRAPHS = 100  # hashed per fill; the rest of a longer fill counts as one last paragraph
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


class MissingPlaceholder(OptimizerError):
    """Raised when compile() is not given a value for a placeholder the prompt declares required."""


def block_hash(text: str) -> str:
    """The hash a filled block is recorded by: its whitespace-normalised text, so a re-wrapped copy matches."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:HASH_CHARS]


def paragraphs(text: str) -> list[list[Any]]:
    """[hash, chars] of each paragraph (text between blank lines) of a filled value."""
    parts = [part.strip() for part in _BLANK_LINE.split(text)]
    parts = [part for part in parts if part]
    if len(parts) > MAX_PARAGRAPHS:
        parts = [*parts[: MAX_PARAGRAPHS - 1], "\n\n".join(parts[MAX_PARAGRAPHS - 1 :])]
    return [[block_hash(part), len(part)] for part in parts]


def filled_block(placeholder: str, text: str) -> dict[str, Any]:
    """What a trace records of one filled placeholder (metadata.prompt_blocks[].blocks[])."""
    return {
        "placeholder": placeholder,
        "sha256": block_hash(text),
        "chars": len(text),
        "tokens": estimate_tokens(text),
        "paragraphs": paragraphs(text),
    }


@dataclass(frozen=True)
class Rendered:
    """A compiled prompt: the text to send, and what was filled in (recorded in the trace)."""

    name: str
    text: str
    blocks: tuple[dict[str, Any], ...]  # filled_block(), one per filled occurrence
    unfilled: tuple[str, ...]  # optional placeholders left as written

    def summary(self) -> dict[str, Any]:
        """What the trace records of this render (metadata.prompt_blocks)."""
        return {"prompt": self.name, "chars": len(self.text), "blocks": list(self.blocks)}


@dataclass(frozen=True)
class PromptTemplate:
    """One deployed prompt file: its body (front matter removed) and the placeholders it must get."""

    name: str
    path: str
    body: str
    front_matter: Mapping[str, Any]

    @classmethod
    def parse(cls, name: str, path: str, text: str) -> PromptTemplate:
        parsed = parse_prompt(path, text)
        return cls(name, path, parsed.body, parsed.front_matter)

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The names in the body, in order of first appearance."""
        return tuple(dict.fromkeys(match.group(1) for match in PLACEHOLDER.finditer(self.body)))

    @property
    def required(self) -> tuple[str, ...]:
        """Names from front matter ``required_placeholders`` (written ``{{NAME}}``)."""
        declared = self.front_matter.get("required_placeholders") or ()
        return tuple(match.group(1) for item in declared if (match := PLACEHOLDER.fullmatch(str(item).strip())))

    def compile(self, **values: object) -> Rendered:
        """The body with each ``{{NAME}}`` given in ``values`` replaced by ``str(value)``.

        A required placeholder without a value raises MissingPlaceholder; an optional one is left
        as written (and listed in ``unfilled``). Values are inserted as they are: a placeholder
        inside a value is not expanded again.
        """
        missing = [name for name in self.required if name not in values]
        if missing:
            raise MissingPlaceholder(
                f"prompt {self.path}: no value for required placeholder(s) "
                f"{', '.join('{{' + name + '}}' for name in missing)}; pass them to compile()"
            )
        blocks: list[dict[str, Any]] = []
        unfilled: dict[str, None] = {}

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                unfilled[name] = None
                return match.group(0)
            text = str(values[name])
            blocks.append(filled_block(name, text))
            return text

        text = PLACEHOLDER.sub(fill, self.body)
        return Rendered(self.name, text, tuple(blocks), tuple(unfilled))
