"""Parsing `/optimizer` comments and rewriting a description after a drop (pure)."""

from __future__ import annotations

import pytest

from optimizer.approve.comment_commands import Command, parse_command
from optimizer.render.pr_rewrite import recount, replace_commits, retitle, strike_proposal


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("/optimizer drop 2", Command("drop", (2,), "", "/optimizer drop 2")),
        ("LGTM\n/optimizer drop #2, 3 the owner answers", Command("drop", (2, 3), "the owner answers", "")),
        ("/optimizer drop 1,2", Command("drop", (1, 2), "", "")),
        ("/Optimizer REFRESH", Command("refresh")),
        ("/optimizer", Command("help")),
        ("/optimizer help me", Command("help")),
        ("/optimizer drop", Command("unknown")),
        ("/optimizer drop two", Command("unknown")),
        ("/optimizer merge", Command("unknown")),
    ],
)
def test_parse_command(body, expected):
    found = parse_command(body)
    assert found is not None
    assert (found.verb, found.numbers, found.reason) == (expected.verb, expected.numbers, expected.reason)


@pytest.mark.parametrize("body", ["", "Looks good", "/optimizers drop 1", "see `/optimizer drop 1` above"])
def test_no_command(body):
    assert parse_command(body) is None


BODY = """## optimizer: frontdesk

The heuristic analyst read 10 traces and proposes **3 changes** to its prompts.

### Summary

| # | Proposal | File |
| ---: | --- | --- |
| 1 | Retry | `souls/a.yaml` |
| 2 | FAQ on pets \\| dogs | `souls/a.yaml` |
| 3 | FAQ on parking | `souls/a.yaml` |

### 1. Retry

**Change:** commit `aaaaaaaaaaaa`

### 2. FAQ on pets \\| dogs

**Change:** commit `bbbbbbbbbbbb`

#### `knowledge_gap:pet` — pets

_12 more characters of the added text are in the commit._

### 3. FAQ on parking

**Change:** commit `cccccccccccc`

### Metrics by prompt version (oldest first)

<!-- optimizer:meta {"v":1} -->
"""


def test_strike_keeps_numbers_and_replaces_only_that_section():
    struck = strike_proposal(BODY, 2, "_Dropped by @ada._")

    assert "| 2 | ~~FAQ on pets \\| dogs~~ _(dropped)_ | `souls/a.yaml` |" in struck
    assert "### ~~2. FAQ on pets \\| dogs~~ (dropped)\n\n_Dropped by @ada._\n\n### 3. FAQ on parking" in struck
    assert "bbbbbbbbbbbb" not in struck and "knowledge_gap:pet" not in struck
    assert "### 1. Retry" in struck and "### 3. FAQ on parking" in struck and struck.endswith("-->\n")


def test_commit_references_title_and_count_follow_the_rebuild():
    body = replace_commits(BODY, {"c" * 40: "d" * 40})

    assert "commit `dddddddddddd`" in body and "cccccccccccc" not in body
    assert "proposes **2 changes**" in recount(BODY, 2)
    assert retitle("frontdesk", ["Retry", "FAQ on parking"]) == "optimizer(frontdesk): 2 proposals — Retry"
    assert len(retitle("frontdesk", ["x" * 300])) == 100
