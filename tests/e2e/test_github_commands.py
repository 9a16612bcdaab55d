"""`/optimizer drop N | refresh | help` in pull request comments, as the commands workflow runs them."""

from __future__ import annotations

import json
import re
from fnmatch import fnmatch

import yaml

from optimizer.history.markers import parse_meta
from tests.e2e.conftest import git, optimizer
from tests.e2e.test_workflow_steps import Runner
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
ACTIONS = "github-actions[bot]"
ACTIONS_TOKEN = "ghs_" + "R3d" * 12  # the authorize job's own token: contents read, nothing else


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
    [dashboard] = [issue for issue in github.issues() if "action items dashboard" in issue.title]
    assert bot_replies(github) == [
        "Refreshed from the latest traces: the branch and this description are up to date.\n\n"
        "Action items for people (code, config, tooling): the dashboard "
        f"[#{dashboard.number}]({github.web_url}/{github.full_name}/issues/{dashboard.number})."
    ]


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


# --- /optimizer answer N --------------------------------------------------------------------------


def without_staff_replies(agent_repo) -> None:
    """The example's traces with no person's reply after a hand-off: its FAQ proposals are left to the owner."""
    for path in (agent_repo / "examples" / "traces").glob("*.jsonl"):
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for record in records:
            record["messages"] = [m for m in record.get("messages") or [] if m.get("role") != "human"]
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def faq_answers(github) -> dict[str, str]:
    soul = yaml.safe_load(github.git.show(BRANCH, "souls/frontdesk.yaml"))
    return {entry["question"]: entry["answer"] for entry in soul.get("faq") or []}


def validate_check(github, tmp_path, name: str) -> tuple[int, str]:
    """The validate workflow on the bot's pull request, as the runner runs it: its exit code and job summary."""
    checkout, folder = tmp_path / name, tmp_path / f"{name}-runner"
    git(tmp_path, "clone", "-q", "-b", BRANCH, str(github.git.path), str(checkout))
    folder.mkdir()
    trigger = Runner.trigger("validate.yml")["pull_request"]
    changed = git(checkout, "diff", "--name-only", "origin/main", "HEAD").split()
    assert changed and all(any(fnmatch(path, glob) for glob in trigger["paths"]) for path in changed)
    assert "synchronize" in trigger["types"]  # the bot's pushes start it again
    runner = Runner(folder, "validate.yml", "validate")
    done = runner.run(
        "Validate", checkout, {"github.event.pull_request.base.sha": git(checkout, "rev-parse", "origin/main").strip()}
    )
    runner.run("Job summary", checkout, {"steps.validate.outcome": "success" if done.returncode == 0 else "failure"})
    return done.returncode, runner.summary.read_text()


PETS = "What should I know about pets?"
PARKING = "What should I know about parking?"


def test_a_writers_answer_is_committed_by_the_bot_and_the_next_run_keeps_it(github, agent_repo, tmp_path):
    without_staff_replies(agent_repo)
    assert optimizer("run", cwd=agent_repo, env=BOT_ENV).code == 0
    assert faq_answers(github)[PETS].startswith("TODO(owner):")
    code, summary = validate_check(github, tmp_path, "before")
    assert code == 1 and "`/optimizer answer N <the answer>`" in summary
    before = dict(github.git.log("main", BRANCH))

    result = obey(agent_repo, comment_event(github, tmp_path, 1, "carol", "/optimizer answer 2 Dogs stay free."))

    assert result.code == 0, result.err
    assert "wrote @carol's answer to proposal 2" in result.out
    assert faq_answers(github)[PETS] == "Dogs stay free."
    log = github.git.log("main", BRANCH)
    assert len(log) == 3 and all(sha not in before for sha, _message in log[1:])  # rebuilt from proposal 2 on
    author = git(github.git.path, "log", "-1", "--format=%an", BRANCH)
    assert author == git(github.git.path, "log", "-1", "--format=%an", log[0][0])  # the bot's identity, as before
    assert "Optimizer-Answered-By: carol" in log[1][1] and "Optimizer-Fingerprint:" in log[1][1]
    pull = github.pulls()[0]
    assert "**Answered** by @carol with `/optimizer answer 2`" in pull.body
    assert "+answer: Dogs stay free." in pull.body and "_(answered by @carol)_" in pull.body
    assert all(f"commit `{sha[:12]}`" in pull.body for sha, _message in log)
    assert parse_meta(pull.body)["proposals"][1]["edit"]["answer"] == "Dogs stay free."
    [reply] = bot_replies(github)
    assert "Still without an answer: proposal 3" in reply and "<!-- optimizer:answered" in reply
    code, summary = validate_check(github, tmp_path, "one-answered")
    assert code == 1 and "parking" in summary and "pets" not in summary

    second = comment_event(github, tmp_path, 1, "ada", "/optimizer answer 3 Park at Trenwith.")
    assert obey(agent_repo, second).code == 0
    assert "Every FAQ answer on this branch is written now" in bot_replies(github)[-1]
    code, summary = validate_check(github, tmp_path, "answered")
    assert code == 0, summary
    assert summary.startswith("## optimizer validate: success") and "/optimizer answer" not in summary
    head = github.git.sha(BRANCH)

    later = optimizer("run", cwd=agent_repo, env=BOT_ENV)  # the next daily run: same traces, answers kept

    assert later.code == 0, later.err
    assert "updated pull request #1" in later.err + later.out
    assert faq_answers(github)[PETS] == "Dogs stay free." and faq_answers(github)[PARKING] == "Park at Trenwith."
    assert github.git.sha(BRANCH) == head  # nothing new: the answered commits are the run's own
    body = github.pulls()[0].body
    assert "**Answered** by @carol" in body and "**Answered** by @ada" in body and "TODO(owner)" not in body


def test_an_answer_from_someone_without_write_access_is_refused_politely(github, agent_repo, tmp_path):
    without_staff_replies(agent_repo)
    assert optimizer("run", cwd=agent_repo, env=BOT_ENV).code == 0
    head = github.git.sha(BRANCH)

    result = obey(agent_repo, comment_event(github, tmp_path, 1, "bob", "/optimizer answer 2 Dogs stay free."))

    assert result.code == 0, result.err
    assert "no write access" in result.out
    assert github.git.sha(BRANCH) == head and faq_answers(github)[PETS].startswith("TODO(owner):")
    [reply] = bot_replies(github)
    assert reply.startswith("Thanks, @bob!") and "<!-- optimizer:answered" not in reply


def test_an_answer_to_a_proposal_that_is_no_faq_entry_is_refused_with_a_reply(github, agent_repo, tmp_path):
    assert optimizer("run", cwd=agent_repo, env=BOT_ENV).code == 0
    head = github.git.sha(BRANCH)

    result = obey(agent_repo, comment_event(github, tmp_path, 1, "carol", "/optimizer answer 1 Dogs stay free."))

    assert result.code == 0, result.err
    assert "answer refused" in result.out and github.git.sha(BRANCH) == head
    [reply] = bot_replies(github)
    assert "Proposal 1" in reply and "is not an FAQ entry" in reply and "proposal 2, 3" in reply


def test_an_answer_with_personal_data_or_no_text_is_refused_and_nothing_is_written(github, agent_repo, tmp_path):
    without_staff_replies(agent_repo)
    assert optimizer("run", cwd=agent_repo, env=BOT_ENV).code == 0
    head = github.git.sha(BRANCH)

    phone = obey(agent_repo, comment_event(github, tmp_path, 1, "carol", "/optimizer answer 2 Ring 07700 900123"))
    empty = obey(agent_repo, comment_event(github, tmp_path, 1, "carol", "/optimizer answer 2"))

    assert phone.code == 0 and empty.code == 0
    assert github.git.sha(BRANCH) == head
    personal, usage = bot_replies(github)
    assert "personal data" in personal and "07700" not in personal
    assert "Write the answer after the number" in usage


def test_dropping_another_proposal_keeps_the_written_answer(github, agent_repo, tmp_path):
    without_staff_replies(agent_repo)
    assert optimizer("run", cwd=agent_repo, env=BOT_ENV).code == 0
    answered = comment_event(github, tmp_path, 1, "carol", "/optimizer answer 2 Dogs stay free.")
    assert obey(agent_repo, answered).code == 0

    result = obey(agent_repo, comment_event(github, tmp_path, 1, "ada", "/optimizer drop 1 the service gets fixed"))

    assert result.code == 0, result.err
    assert faq_answers(github)[PETS] == "Dogs stay free."
    log = github.git.log("main", BRANCH)
    assert len(log) == 2 and "Optimizer-Answered-By: carol" in log[0][1]
    body = github.pulls()[0].body
    assert "**Answered** by @carol" in body and "~~1. Retry" in body


def authorize(github, agent_repo, tmp_path, event):
    """The commands workflow's first job, as the runner runs it: no secret, a read-only token.
    Returns its exit code, its outputs, its job summary and the API requests it made."""
    if ACTIONS not in github.state.users:
        github.add_user(ACTIONS, token=ACTIONS_TOKEN, type="Bot", permission="read")
    folder = tmp_path / f"authorize-{event.stem}"
    folder.mkdir()
    runner = Runner(folder, "commands.yml", "authorize")
    seen = len(github.requests)
    done = runner.run(
        "Read the commenter's permission",
        agent_repo,
        {"github.token": ACTIONS_TOKEN},
        {"GITHUB_EVENT_PATH": str(event)},
    )
    return done.returncode, runner.outputs(), runner.summary.read_text(), github.requests[seen:]


def test_a_writers_command_passes_the_read_only_check_and_then_runs(github, agent_repo, tmp_path):
    assert optimizer("run", cwd=agent_repo, env=BOT_ENV).code == 0
    event = comment_event(github, tmp_path, 1, "carol", "/optimizer drop 2 the owner writes it")

    code, outputs, summary, requests = authorize(github, agent_repo, tmp_path, event)

    assert code == 0
    assert outputs == {"allowed": "true"}
    assert "#1: @carol has write access: the command may run" in summary
    assert {(r.method, r.user) for r in requests} == {("GET", ACTIONS)}
    assert any(r.path.endswith("/collaborators/carol/permission") for r in requests)
    assert bot_replies(github) == []  # the check itself says nothing on the pull request

    result = obey(agent_repo, event)  # the second job, which holds the write token
    assert result.code == 0, result.err
    assert "dropped proposal(s) 2" in result.out


def test_an_outsiders_command_stops_at_the_check_and_reaches_nothing(github, agent_repo, tmp_path):
    assert optimizer("run", cwd=agent_repo, env=BOT_ENV).code == 0
    head, body = github.git.sha(BRANCH), github.pulls()[0].body
    reader = comment_event(github, tmp_path, 1, "bob", "/optimizer drop 1")
    stranger = tmp_path / "event-stranger.json"  # someone who is no collaborator at all
    data = json.loads(reader.read_text())
    stranger.write_text(
        json.dumps({**data, "comment": {"id": 99, "body": "/optimizer refresh", "user": {"login": "eve"}}})
    )

    for event, login, role in [(reader, "bob", "read"), (stranger, "eve", "none")]:
        code, outputs, summary, requests = authorize(github, agent_repo, tmp_path, event)
        assert code == 0
        assert outputs == {"allowed": "false"}  # so the job with the secrets and the write token never starts
        assert f"#1: @{login} has {role} access, not write: the command does not run" in summary
        assert {r.method for r in requests} == {"GET"}

    assert github.git.sha(BRANCH) == head and github.pulls()[0].body == body
    assert bot_replies(github) == []  # and the bot is not made to speak either


def test_a_comment_that_is_no_command_is_not_one_to_allow(github, agent_repo, tmp_path):
    assert optimizer("run", cwd=agent_repo, env=BOT_ENV).code == 0
    event = comment_event(github, tmp_path, 1, "ada", "Looks good to me")
    code, outputs, summary, requests = authorize(github, agent_repo, tmp_path, event)
    assert code == 0 and outputs == {"allowed": "false"}
    assert "no /optimizer command for me in this comment" in summary
    assert requests == []
