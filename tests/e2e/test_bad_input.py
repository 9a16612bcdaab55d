"""A user's mistake gets one clear line naming what and where, never a traceback."""

from __future__ import annotations

import json

from tests.e2e.conftest import optimizer


def assert_one_line_error(result, *needles: str) -> None:
    assert result.code == 1, (result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("optimizer: error: "), result.err
    assert "Traceback" not in result.err
    for needle in needles:
        assert needle in lines[0]


def test_help_works_without_config_or_credentials(tmp_path):
    result = optimizer("--help", cwd=tmp_path)
    assert result.code == 0 and "run" in result.out and "analyze" in result.out and "validate" in result.out


def test_malformed_trace_lines_are_skipped_counted_and_named(example_repo):
    traces = example_repo / "examples" / "traces"
    bad = traces / "frontdesk-2026-11-19.jsonl"
    with bad.open("a") as f:
        f.write("{oops\n")
        f.write(json.dumps({"trace_id": "x", "agent": "frontdesk"}) + "\n")
    result = optimizer("analyze", "--format", "json", cwd=example_repo)
    assert result.code == 0, result.err
    source = json.loads(result.out)["source"]
    assert source["skipped"] == 2
    assert [e["reason"][:14] for e in source["skipped_examples"]] == ["not valid JSON", "started_at is "]
    assert source["skipped_examples"][0]["file"].endswith("frontdesk-2026-11-19.jsonl")


def test_missing_traces_path(example_repo):
    result = optimizer("analyze", "--traces", example_repo / "nowhere", cwd=example_repo)
    assert_one_line_error(result, "nowhere", "does not exist")


def test_unknown_agent(example_repo):
    assert_one_line_error(optimizer("run", "--dry-run", "--agent", "ghost", cwd=example_repo), "ghost", "frontdesk")


def test_soul_breaking_its_schema(example_repo):
    soul = example_repo / "souls" / "frontdesk.yaml"
    soul.write_text(soul.read_text().replace("name: ", "nickname: ", 1))
    result = optimizer("validate", cwd=example_repo)
    assert result.code == 1
    assert "souls/frontdesk.yaml" in result.out and "name" in result.out
    assert_one_line_error(result, "error(s)")


def test_prompt_missing_a_required_placeholder(example_repo):
    system = example_repo / "prompts" / "frontdesk" / "system.md"
    front_matter, body = system.read_text().rsplit("{{PLAYBOOKS}}", 1)  # keep the declaration, drop the use
    system.write_text(front_matter + body)
    result = optimizer("validate", cwd=example_repo)
    assert result.code == 1
    assert "prompts/frontdesk/system.md" in result.out and "{{PLAYBOOKS}}" in result.out


def test_validate_passes_on_the_example(example_repo):
    result = optimizer("validate", cwd=example_repo)
    assert result.code == 0, result.out + result.err


def test_yaml_syntax_error_in_the_soul(example_repo):
    (example_repo / "souls" / "frontdesk.yaml").write_text("name: [unclosed\n")
    assert_one_line_error(optimizer("validate", cwd=example_repo), "souls/frontdesk.yaml")


def test_broken_config(example_repo):
    (example_repo / "optimizer.yaml").write_text("window: {hours: -3}\n")
    assert_one_line_error(optimizer("analyze", cwd=example_repo), "optimizer.yaml", "hours")


def test_run_outside_a_git_repository(tmp_path, example_repo):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "souls").mkdir()
    (plain / "souls" / "a.yaml").write_text("name: a\n")
    assert_one_line_error(optimizer("run", "--dry-run", "--repo", plain), "not a git repository")


def test_bad_timestamp_is_a_usage_error(example_repo):
    result = optimizer("analyze", "--now", "tomorrow-ish", cwd=example_repo)
    assert result.code == 2 and "--now" in result.err


def test_validate_against_a_base_that_is_no_commit(example_repo):
    assert_one_line_error(optimizer("validate", "--base", "nosuch", cwd=example_repo), "no commit 'nosuch'")
