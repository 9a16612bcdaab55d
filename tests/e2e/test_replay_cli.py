"""The replay as a user meets it: the dry run's pull request on the shipped example, and `optimizer replay`
on a pull request that edits the soul, with a key pointed at the Messages API emulator."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import git, optimizer
from tests.fakes.anthropic_server import FakeAnthropic, Reply, text_answer, tool_answer
from tests.fakes.claude_answers import GOOD
from tests.fakes.replay_agent import respond, system_text

SOUL = "souls/frontdesk.yaml"
HAND_OFF_RULE = "  - Hand every conversation to a colleague.\n"


@pytest.fixture
def api():
    with FakeAnthropic() as server:
        server.responder = respond
        yield server


def _key(api: FakeAnthropic) -> dict[str, str]:
    return {"ANTHROPIC_API_KEY": api.key, "ANTHROPIC_BASE_URL": api.base_url}


def test_the_dry_run_shows_each_proposal_replayed_with_its_verdicts_and_cost(example_repo, api, tmp_path):
    api.script(tool_answer(GOOD))  # the Claude analyst's answer; the replay's are the responder's
    out = tmp_path / "out"
    result = optimizer("run", "--dry-run", "--output", out, cwd=example_repo, env=_key(api))
    assert result.code == 0, result.err
    assert "### Replay of the conversations behind each proposal" in result.out
    rows = [line for line in result.out.splitlines() if "(current: " in line]  # the replay table's rows
    timeouts = next(line for line in rows if line.startswith("| 1 | Retry check\\_availability"))
    assert "| 0 of 5 |" not in timeouts and "(current: 0) | 3 of 3 |" in timeouts
    assert "retried check\\_availability after its recorded failure" in result.out
    # The pets entry's answer is still TODO(owner): deploy leaves it out, so nothing changes yet.
    pets = next(line for line in rows if line.startswith("| 2 | Add an FAQ entry about pets"))
    assert "| 0 of 5 (current: 0) | 3 of 3 |" in pets
    replay = json.loads((out / "replay.json").read_text())
    assert [p["proposal"] for p in replay["proposals"]] == [1, 2, 3]
    # replay.max_conversations (8, 3 of them holdout); the duplicated block has no failing conversation
    assert [len(p["conversations"]) for p in replay["proposals"]] == [8, 8, 3]
    assert replay["model"] == "claude-sonnet-4-5" and 0 < replay["cost_usd"] <= replay["budget_usd"]
    assert f"Cost: ${replay['cost_usd']:.4f} of the $0.5000 budget" in result.out
    replayed = [m for m in api.messages if m.get("tool_choice", {}).get("name") != "submit_proposals"]
    assert replayed and all(m["model"] == "claude-sonnet-4-5" for m in replayed)  # the agent's own model


def test_the_heuristic_analysts_run_stays_offline_and_says_so(example_repo, api):
    result = optimizer("run", "--dry-run", "--analyst", "heuristic", cwd=example_repo, env=_key(api))
    assert result.code == 0, result.err
    assert "**Replay:** skipped: the heuristic analyst keeps the run offline" in result.out
    assert api.requests == []


def test_without_a_key_the_pull_request_says_replay_was_skipped(example_repo, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "replay.json").write_text('{"from": "an earlier run"}\n')
    result = optimizer("run", "--dry-run", "--output", tmp_path / "out", cwd=example_repo)
    assert result.code == 0, result.err
    assert "**Replay:** skipped: no ANTHROPIC\\_API\\_KEY" in result.out
    assert not (tmp_path / "out" / "replay.json").exists()  # nothing replayed: no earlier run's file either


def _commit_soul(repo: Path, change: str, message: str) -> None:
    soul = repo / SOUL
    text = soul.read_text()
    if change == "pets":
        faq = "  - question: Can I bring my dog?\n    answer: >-\n      Yes, dogs are welcome for £15 a night.\n"
        text = text.replace(
            "  - question: Do you have family rooms?\n", faq + "  - question: Do you have family rooms?\n"
        )
    else:
        text = text.replace("always_do:\n", "always_do:\n" + HAND_OFF_RULE, 1)
    soul.write_text(text)
    git(repo, "commit", "-q", "-am", message)


def test_replay_of_a_pull_request_puts_the_table_in_the_job_summary(example_repo, api, tmp_path):
    _commit_soul(example_repo, "pets", "soul: an FAQ entry on pets")
    summary = tmp_path / "summary.md"
    env = {**_key(api), "GITHUB_STEP_SUMMARY": str(summary)}
    result = optimizer("replay", "--base", "HEAD~1", "--output", tmp_path / "out", cwd=example_repo, env=env)
    assert result.code == 0, result.err
    text = summary.read_text()
    assert text.startswith("### Replay: frontdesk (") and "| Change | Failing now passing |" in text
    pets = next(line for line in text.splitlines() if "questions about “pet” went unanswered" in line)
    fixed = re.search(r"\| (\d) of 5 \(current: 0\) \| 3 of 3 \|", pets)
    assert fixed and int(fixed.group(1)) > 0  # the FAQ entry answers questions no reply answered before
    assert (tmp_path / "out" / "frontdesk" / "replay.json").exists()


def test_a_holdout_regression_fails_the_check(example_repo, api, tmp_path):
    def hands_off(body: dict) -> Reply:
        if HAND_OFF_RULE.strip(" -\n").lower() in system_text(body).lower():
            return text_answer("Let me connect you with a colleague who can help.")
        return respond(body)

    api.responder = hands_off
    _commit_soul(example_repo, "hand-off", "soul: hand everything over")
    summary = tmp_path / "summary.md"
    result = optimizer("replay", "--base", "HEAD~1", "--summary", summary, cwd=example_repo, env=_key(api))
    assert result.code == 1
    assert "holdout conversation(s) regressed (frontdesk: tr_" in result.err
    assert "holdout conversations regressed:**" in summary.read_text()


def test_replay_without_a_key_says_it_was_skipped_and_passes(example_repo, tmp_path):
    _commit_soul(example_repo, "pets", "soul: an FAQ entry on pets")
    result = optimizer("replay", "--base", "HEAD~1", cwd=example_repo)
    assert result.code == 0, result.err
    assert result.out.startswith("**Replay:** skipped: no ANTHROPIC\\_API\\_KEY")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--base", "no-such-ref"), "no commit 'no-such-ref'"),
        (("--base", "HEAD~1", "--max-conversations", "2"), "--max-conversations 2: must be more than replay.holdout"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(example_repo, args, says):
    _commit_soul(example_repo, "pets", "soul: an FAQ entry on pets")
    result = optimizer("replay", *args, cwd=example_repo)
    assert result.code == 1
    [line] = result.err.strip().splitlines()
    assert line.startswith("optimizer: error: ") and says in line
