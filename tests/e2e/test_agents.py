"""`optimizer agents`: the list the daily workflow turns into one job per agent."""

from __future__ import annotations

import json

from tests.e2e.conftest import optimizer


def test_json_is_one_line_the_matrix_can_read(example_repo):
    done = optimizer("agents", "--repo", example_repo, "--format", "json")
    assert done.code == 0, done.err
    assert done.out == '["frontdesk"]\n'


def test_every_agent_is_listed_sorted_whether_it_has_a_soul_or_only_prompts(example_repo):
    (example_repo / "souls" / "concierge.yaml").write_text("name: concierge\n")
    (example_repo / "prompts" / "billing").mkdir()
    (example_repo / "prompts" / "billing" / "system.md").write_text("You answer billing questions.\n")
    (example_repo / "prompts" / "README.md").write_text("not an agent\n")
    done = optimizer("agents", "--repo", example_repo, "--format", "json")
    assert json.loads(done.out) == ["billing", "concierge", "frontdesk"]
    assert optimizer("agents", "--repo", example_repo).out == "billing\nconcierge\nfrontdesk\n"


def test_one_agent_is_checked_before_it_is_listed(example_repo):
    assert optimizer("agents", "--repo", example_repo, "--agent", "frontdesk", "--format", "json").out == (
        '["frontdesk"]\n'
    )
    done = optimizer("agents", "--repo", example_repo, "--agent", "front", "--format", "json")
    assert done.code == 1
    assert done.out == ""
    assert done.err == f"optimizer: error: unknown agent 'front' in {example_repo}; known agents: frontdesk\n"


def test_a_repo_without_agents_lists_none(tmp_path):
    assert optimizer("agents", "--repo", tmp_path, "--format", "json").out == "[]\n"
    done = optimizer("agents", "--repo", tmp_path)
    assert (done.code, done.out) == (0, "")


def test_a_missing_repo_is_one_clear_line(tmp_path):
    done = optimizer("agents", "--repo", tmp_path / "nope")
    assert done.code == 1
    assert done.err == f"optimizer: error: {tmp_path / 'nope'}: not a directory (pass the agent repo with --repo)\n"
