"""`/optimizer drop N | refresh | help` in pull request comments, as the commands workflow runs them."""

from __future__ import annotations

import re

import yaml

from optimizer.history.markers import parse_meta
from tests.e2e.conftest import git, optimizer
from tests.fakes.github.fixtures import (  # noqa: F401 (fixtures)
    ADA_TOKEN,
    BOT,
    BOT_TOKEN,
    agent_repo_fixture,
    clean_env_fixture,
    client,
    comment_event,
    github_fixture,
)

BOT_ENV = {"GITHUB_TOKEN": BOT_TOKEN}
BRANCH = "optimizer/frontdesk"


def bot_replies(github, number: int = 1) -> list[str]:
    return [c.body for c in github.comments(number) if c.user.login == BOT]


def faq_questions(github) -> list[str]:
    soul = yaml.safe_load(github.git.show(BRANCH, "souls/frontdesk.yaml"))
    return [entry["question"] for entry in soul.get("faq") or []]


def obey(agent_repo, event) -> object:
    return optimizer("command", cwd=agent_repo, env={**BOT_ENV, "GITHUB_EVENT_PATH": str(event)})


def test_drop_2_takes_the_proposal_off_the_branch_and_records_the_rejection(github, agent_repo, tmp_path):
    assert optimizer("run", cwd=agent_repo, env=BOT_ENV).code == 0
    before = faq_questions(github)
    proposals = parse_meta(github.pulls()[0].body)["proposals"]
    pet = proposals[1]["fingerprint"]
    assert "“pet”" in proposals[1]["title"] and len(before) >= 2

    event = comment_event(github, tmp_path, 1, "ada", "/optimizer drop 2 the owner writes the pet policy first")
    result = obey(agent_repo, event)

    assert result.code == 0, result.err
    assert "dropped proposal(s) 2" in result.out
    log = [message for _sha, message in github.git.log("main", BRANCH)]
    assert len(log) == 2 and not any(pet in message for message in log)
    after = faq_questions(github)
    assert len(after) == len(before) - 1 and "Can I bring my dog?" not in after  # the parking entry stays
    pull = github.pulls()[0]
    assert pull.title.startswith("optimizer(frontdesk): 2 proposals")
    assert "~~2. Add an FAQ entry on “pet”" in pull.body and "proposes **2 changes**" in pull.body
    assert all(f"commit `{sha[:12]}`" in pull.body for sha, _message in github.git.log("main", BRANCH))
    [reply] = bot_replies(github)
    assert "Dropped proposal 2" in reply and "<!-- optimizer:dropped" in reply

    later = optimizer("run", cwd=agent_repo, env=BOT_ENV)  # the next daily run keeps it out

    assert later.code == 0, later.err
    assert "withheld 1 rejected proposal(s)" in later.err
    body = github.pulls()[0].body
    assert "Not proposed again" in body and "the owner writes the pet policy first" in body
    assert "Can I bring my dog?" not in faq_questions(github)


def test_people_without_write_access_get_a_polite_reply_and_nothing_changes(github, agent_repo, tmp_path):
    assert optimizer("run", cwd=agent_repo, env=BOT_ENV).code == 0
    head = github.git.sha(BRANCH)

    result = obey(agent_repo, comment_event(github, tmp_path, 1, "bob", "/optimizer drop 1"))

    assert result.code == 0, result.err
    assert "no write access" in result.out
    assert github.git.sha(BRANCH) == head
    [reply] = bot_replies(github)
    assert reply.startswith("Thanks, @bob!") and "write access" in reply


def test_help_and_unknown_commands_get_the_list_of_commands(github, agent_repo, tmp_path):
    assert optimizer("run", cwd=agent_repo, env=BOT_ENV).code == 0

    assert obey(agent_repo, comment_event(github, tmp_path, 1, "carol", "/optimizer help")).code == 0
    assert obey(agent_repo, comment_event(github, tmp_path, 1, "carol", "/optimizer merge-it")).code == 0
    chatter = obey(agent_repo, comment_event(github, tmp_path, 1, "carol", "Looks good to me"))

    assert chatter.code == 0 and "nothing to do" in chatter.out
    helped, unknown = bot_replies(github)
    assert "`/optimizer drop N`" in helped
    assert "I do not know `/optimizer merge-it`" in unknown and "`/optimizer refresh`" in unknown


def test_refresh_rebuilds_the_pull_request_from_the_traces(github, agent_repo, tmp_path):
    assert optimizer("run", cwd=agent_repo, env=BOT_ENV).code == 0
    client(github, ADA_TOKEN).get_repo(github.full_name).get_pull(1).edit(body="someone erased the description")

    result = obey(agent_repo, comment_event(github, tmp_path, 1, "ada", "/optimizer refresh"))

    assert result.code == 0, result.err
    assert "refresh: frontdesk: updated pull request #1" in result.out
    assert "<!-- optimizer:meta" in github.pulls()[0].body
    assert bot_replies(github) == ["Refreshed from the latest traces: the branch and this description are up to date."]


def test_drop_is_refused_when_a_person_has_pushed_to_the_branch(github, agent_repo, tmp_path):
    assert optimizer("run", cwd=agent_repo, env=BOT_ENV).code == 0
    work = tmp_path / "carol-clone"
    git(tmp_path, "clone", "-q", "-b", BRANCH, str(github.git.path), str(work))
    (work / "prompts" / "frontdesk" / "system.md").write_text("carol's rewrite\n" * 20)
    git(work, "commit", "-qam", "Carol's rewrite")
    git(work, "push", "-q", "origin", BRANCH)
    hers = github.git.sha(BRANCH)

    result = obey(agent_repo, comment_event(github, tmp_path, 1, "ada", "/optimizer drop 1"))

    assert result.code == 0, result.err
    assert "drop refused" in result.out
    assert github.git.sha(BRANCH) == hers
    [reply] = bot_replies(github)
    assert "not the optimizer's" in reply and "by hand" in reply


def test_dropping_the_last_proposal_closes_the_pull_request(github, agent_repo, tmp_path):
    assert optimizer("run", cwd=agent_repo, env=BOT_ENV).code == 0
    dropped = re.findall(r'"fingerprint":"(\w+)"', github.pulls()[0].body)

    result = obey(agent_repo, comment_event(github, tmp_path, 1, "ada", "/optimizer drop 1, 2 3"))

    assert result.code == 0, result.err
    assert github.pulls()[0].state == "closed"
    assert "closed this pull request" in bot_replies(github)[0]
    again = optimizer("run", cwd=agent_repo, env=BOT_ENV)
    assert again.code == 0 and "withheld 3 rejected proposal(s)" in again.err
    # what is left (the unused tool, the duplicated block) is a new pull request without the dropped ones
    [left] = github.pulls("open")
    proposed = left.body.partition("### Not proposed again")[0]
    assert left.number != 1 and not any(fingerprint in proposed for fingerprint in dropped)
