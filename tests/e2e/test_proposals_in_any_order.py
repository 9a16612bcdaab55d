"""A reviewer can answer, amend or drop any one proposal of the branch without the others' commits
failing to apply: each proposal's commit merges in any order (issue 10, item 8)."""

from __future__ import annotations

import subprocess

from tests.e2e.conftest import git, optimizer

BRANCH = "optimizer/frontdesk"


def picks(repo, *commits: str) -> bool:
    """Cherry-pick the commits in this order; False when one does not apply."""
    for commit in commits:
        done = subprocess.run(["git", "cherry-pick", commit], cwd=repo, capture_output=True, text=True, check=False)
        if done.returncode:
            subprocess.run(["git", "cherry-pick", "--abort"], cwd=repo, capture_output=True, check=False)
            return False
    return True


def proposal_commits(repo) -> list[str]:
    result = optimizer("run", cwd=repo)
    assert result.code == 0, result.err
    commits = git(repo, "rev-list", "--reverse", f"main..{BRANCH}").split()
    assert len(commits) == 3  # the retry rule and two FAQ entries, stacked on one soul
    return commits


def test_amending_the_first_faq_answer_leaves_the_next_one_applicable(example_repo):
    retry, first_faq, second_faq = proposal_commits(example_repo)
    git(example_repo, "checkout", "-q", "-b", "review", "main")
    assert picks(example_repo, retry, first_faq)
    soul = example_repo / "souls" / "frontdesk.yaml"
    text = soul.read_text(encoding="utf-8")
    drafted = git(example_repo, "show", f"{first_faq}:souls/frontdesk.yaml").split("answer: ")[-1].splitlines()[0]
    soul.write_text(text.replace(drafted, "Dogs up to 20 kg stay free in the Garden Doubles.", 1), encoding="utf-8")
    git(example_repo, "commit", "-q", "-a", "--amend", "--no-edit")

    assert picks(example_repo, second_faq)
    assert "Dogs up to 20 kg" in soul.read_text(encoding="utf-8")


def test_any_one_proposal_can_be_dropped_and_the_others_still_apply(example_repo):
    commits = proposal_commits(example_repo)
    for dropped in commits:
        git(example_repo, "checkout", "-q", "-B", "review", "main")
        assert picks(example_repo, *(commit for commit in commits if commit != dropped)), dropped
