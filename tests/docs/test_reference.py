"""The docs stay honest: docs/configuration.md documents exactly the keys of optimizer.yaml's schema,
README.md stays short, and every relative link in README.md and docs/*.md leads to a file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "optimizer" / "schemas" / "config.schema.json"
README = ROOT / "README.md"
DOCS = ROOT / "docs"
CONFIG_DOC = DOCS / "configuration.md"
README_MAX_BYTES = 20_000

KEY = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*")  # a dotted optimizer.yaml key, as the docs write it
CELL_SPLIT = re.compile(r"(?<!\\)\|")  # a cell boundary; `\|` inside a cell is a literal pipe
SEPARATOR = re.compile(r"\s*:?-+:?\s*")
CODE_SPAN = re.compile(r"(`+).+?\1")
FENCE = re.compile(r"\s*(```|~~~)")
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)")
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def schema_keys(schema: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(the keys that must be documented, every key path the schema knows).

    Must be documented: the leaves under object ``properties``, and an object whose keys are free
    (``additionalProperties`` with a schema, or ``patternProperties``) as its own key, not its entries.
    Known: those, plus the objects in between (``traces``, ``measure.guards``), which a page may document too.
    """
    required: set[str] = set()
    known: set[str] = set()

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return node
        target: Any = schema
        for part in ref[2:].split("/"):
            target = target[part]
        return resolve(target)

    def walk(node: dict[str, Any], prefix: str) -> None:
        for name, child in node.get("properties", {}).items():
            child = resolve(child)
            path = prefix + name
            known.add(path)
            free = isinstance(child.get("additionalProperties"), dict) or "patternProperties" in child
            if "properties" in child and not free:
                walk(child, path + ".")
            else:
                required.add(path)

    walk(resolve(schema), "")
    return required, known


def without_code_blocks(text: str) -> list[tuple[int, str]]:
    """(line number, line) of the lines outside fenced code blocks."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, line))
    return lines


def documented_keys(markdown: str) -> set[str]:
    """Every backticked dotted key in the first column of the page's tables."""
    found: set[str] = set()
    for _number, line in without_code_blocks(markdown):
        row = line.strip()
        if not row.startswith("|"):
            continue
        first = CELL_SPLIT.split(row[1:], maxsplit=1)[0]
        if SEPARATOR.fullmatch(first):
            continue
        found.update(span for span in re.findall(r"`([^`]+)`", first) if KEY.fullmatch(span))
    return found


def relative_links(markdown: str) -> list[tuple[int, str]]:
    """(line number, path) of every link that is neither an anchor nor a URL, its #anchor removed."""
    links = []
    for number, line in without_code_blocks(markdown):
        prose = CODE_SPAN.sub("", line)
        targets = INLINE_LINK.findall(prose) + REFERENCE_LINK.findall(prose)
        for target in targets:
            path = target.strip("<>").split("#", 1)[0]
            if path and not SCHEME.match(path):
                links.append((number, path))
    return links


def test_the_schema_walk_finds_leaves_and_stops_at_free_maps():
    required, known = schema_keys(json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert {"window.hours", "base_branch", "measure.guards.cost_per_trace", "claude.prices"} <= required
    assert "claude.prices.input" not in known
    assert {"traces", "measure.guards"} <= known - required


def test_every_schema_key_is_documented():
    required, _known = schema_keys(json.loads(SCHEMA.read_text(encoding="utf-8")))
    documented = documented_keys(CONFIG_DOC.read_text(encoding="utf-8"))
    missing = sorted(required - documented)
    assert not missing, f"docs/configuration.md does not document these keys of {SCHEMA.name}: {', '.join(missing)}"


def test_every_documented_key_is_in_the_schema():
    _required, known = schema_keys(json.loads(SCHEMA.read_text(encoding="utf-8")))
    documented = documented_keys(CONFIG_DOC.read_text(encoding="utf-8"))
    assert documented, "docs/configuration.md has no table whose first column holds `dotted.keys`"
    unknown = sorted(documented - known)
    assert not unknown, f"docs/configuration.md documents keys {SCHEMA.name} does not have: {', '.join(unknown)}"


def test_readme_is_short():
    size = len(README.read_bytes())
    assert size <= README_MAX_BYTES, f"README.md is {size:,} bytes, over {README_MAX_BYTES:,}: move detail into docs/"


def test_relative_links_lead_to_files():
    pages = [README, *sorted(DOCS.glob("*.md"))]
    assert len(pages) > 1, "docs/ has no Markdown pages"
    broken = []
    for page in pages:
        for number, path in relative_links(page.read_text(encoding="utf-8")):
            target = (page.parent / path).resolve()
            if not target.exists():
                broken.append(f"{page.relative_to(ROOT)}:{number}: {path}")
    assert not broken, "links to files that do not exist:\n" + "\n".join(broken)


def cli_sections() -> dict[str, str]:
    """``## heading`` -> its text, in docs/cli.md."""
    parts = re.split(r"^## (.+)$", (DOCS / "cli.md").read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {heading.strip(): body for heading, body in zip(parts[1::2], parts[2::2], strict=True)}


def shared_rows(sections: dict[str, str]) -> dict[str, str]:
    """Option -> the verbs cell of its row in the shared options table."""
    rows = {}
    for line in sections.get("Shared options", "").splitlines():
        cells = [c.strip() for c in CELL_SPLIT.split(line.strip().strip("|"))]
        if len(cells) >= 2 and cells[0].startswith("`--"):
            rows[cells[0].strip("`").split()[0]] = cells[1]
    return rows


def test_every_verb_and_option_is_in_the_cli_reference():
    from optimizer.cli import cli

    sections = cli_sections()
    shared = shared_rows(sections)
    missing = []
    for name, command in sorted(cli.commands.items()):
        section = sections.get(f"optimizer {name}")
        if section is None:
            missing.append(f"## optimizer {name}")
            continue
        for param in command.params:
            for flag in (opt for opt in param.opts if opt.startswith("--") and opt not in ("--help", "--verbose")):
                verbs = shared.get(flag, "")
                if f"`{flag}" not in section and name not in verbs and "all" not in verbs:
                    missing.append(f"{name} {flag}")
    assert not missing, "docs/cli.md does not document: " + ", ".join(missing)
