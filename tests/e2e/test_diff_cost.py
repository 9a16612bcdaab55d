"""`optimizer diff-cost`: the validate workflow's per-turn cost preview, from the command line."""

from __future__ import annotations

from tests.e2e.conftest import git, optimizer


def commit_edit(repo, text: str) -> str:
    base = git(repo, "rev-parse", "HEAD").strip()
    prompt = repo / "prompts" / "frontdesk" / "system.md"
    prompt.write_text(prompt.read_text() + text)
    git(repo, "commit", "-q", "-am", "edit the prompt")
    return base


def test_the_price_comes_from_optimizer_yaml(example_repo):
    config = example_repo / "optimizer.yaml"
    config.write_text(config.read_text() + "pricing:\n  input_usd_per_mtok: 15\n")
    git(example_repo, "commit", "-q", "-am", "price")
    base = commit_edit(example_repo, "\n" + "Offer the late checkout for 20 euros. " * 10 + "\n")
    done = optimizer("diff-cost", "--repo", example_repo, "--base", base)
    assert done.code == 0, done.err
    assert f"`{base[:12]}` → `{git(example_repo, 'rev-parse', 'HEAD')[:12]}`, at $15 per million" in done.out
    assert "| `prompts/frontdesk/system.md` |" in done.out


def test_uncommitted_edits_are_not_counted(example_repo):
    base = git(example_repo, "rev-parse", "HEAD").strip()
    (example_repo / "souls" / "frontdesk.yaml").write_text("name: frontdesk\n")
    done = optimizer("diff-cost", "--repo", example_repo, "--base", base)
    assert done.code == 0, done.err
    assert "No prompt or soul changed." in done.out


def test_an_unknown_base_is_one_clear_line(example_repo):
    done = optimizer("diff-cost", "--repo", example_repo, "--base", "no-such-branch")
    assert done.code == 1
    assert done.err.startswith("optimizer: error: no commit 'no-such-branch' in ")
    assert done.err.count("\n") == 1


def test_a_bad_price_is_a_config_error(example_repo):
    config = example_repo / "optimizer.yaml"
    config.write_text(config.read_text() + "pricing:\n  input_usd_per_mtok: -1\n")
    done = optimizer("diff-cost", "--repo", example_repo, "--base", "HEAD")
    assert done.code == 1
    assert done.err.endswith("optimizer.yaml: at pricing/input_usd_per_mtok: -1 is less than the minimum of 0\n")
