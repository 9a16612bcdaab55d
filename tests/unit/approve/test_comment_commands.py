"""Parsing `/optimizer` comments and rewriting a description after a drop (pure)."""

from __future__ import annotations

import pytest

from optimizer.approve.comment_commands import Command, parse_command
from optimizer.render.pr_rewrite import mark_answered, recount, replace_commits, retitle, strike_proposal


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
        ("/optimizer answer 2 Dogs  stay free.", Command("answer", (2,), "Dogs  stay free.")),
        ("/optimizer answer #3 Yes", Command("answer", (3,), "Yes")),
        ("thanks\n/optimizer answer 2 Yes\nsecond line", Command("answer", (2,), "Yes")),
        ("/optimizer answer Dogs stay free.", Command("answer", (), "Dogs stay free.")),
        ("/optimizer answer 2", Command("answer", (2,), "")),
        ("/optimizer answer 24/7 reception", Command("answer", (), "24/7 reception")),
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


FAQ_BODY = BODY.replace(
    "**Change:** commit `bbbbbbbbbbbb`\n",
    "**Change:** commit `bbbbbbbbbbbb`\n\n```diff\n+question: Pets?\n+answer: TODO(owner): write it\n```\n",
)


def test_an_answered_proposal_says_by_whom_and_shows_the_new_answer():
    block = "```diff\n+question: Pets?\n+answer: Dogs stay free.\n```"

    marked = mark_answered(FAQ_BODY, 2, "carol", block)

    assert "| 2 | FAQ on pets \\| dogs _(answered by @carol)_ | `souls/a.yaml` |" in marked
    assert "### 2. FAQ on pets \\| dogs\n\n**Answered** by @carol with `/optimizer answer 2`" in marked
    assert "+answer: Dogs stay free." in marked and "TODO(owner)" not in marked
    assert marked.count("```diff") == 1 and "### 3. FAQ on parking" in marked and marked.endswith("-->\n")


def test_answering_again_replaces_the_note_and_the_mark():
    once = mark_answered(FAQ_BODY, 2, "carol", "```diff\n+answer: Dogs stay free.\n```")

    twice = mark_answered(once, 2, "ada", "```diff\n+answer: Dogs pay £5.\n```")

    assert twice.count("**Answered** by @") == 1 and "**Answered** by @ada" in twice
    assert "_(answered by @ada)_" in twice and "carol" not in twice
    assert "+answer: Dogs pay £5." in twice and "Dogs stay free." not in twice
    assert mark_answered(twice, 2, "ada") == twice  # a later run marks what the command marked, nothing more
