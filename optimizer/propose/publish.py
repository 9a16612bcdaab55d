"""`optimizer run` without --dry-run: push branch optimizer/<agent>, then open or update its pull request.

How the state stays right, whatever happened before:

- One branch per agent, and the host keeps one open pull request per branch (GitHub refuses a
  second: the run then reads the open one and updates it).
- The branch is force-pushed only while every commit on it (past the base) is the optimizer's:
  a single-parent commit carrying an ``Optimizer-Fingerprint:`` trailer. A person's commit, or a
  merge of the base into it, means the branch is left alone and the findings go into a comment.
- Every push is leased on the tip this run read (``--force-with-lease``). When two runs start at
  once, the second push is refused; that run reads the branch again and pushes on top of what it
  finds, so the last run wins and neither overwrites a person's commit.
- A run that died after its push finds the branch on the next run (its own commits), pushes its
  fresh build over it and opens the missing pull request.
- Action items go to the agent's dashboard issue (``propose.dashboard``), updated after the pull
  request, so the dashboard links to it; on the run that opens the dashboard, the pull request's
  description is updated once more with the dashboard's link.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import timedelta

from optimizer.analysts.base import Analyst
from optimizer.config import Settings
from optimizer.errors import GitError, OptimizerError
from optimizer.gitops.branches import branch_name, foreign_commits, same_changes
from optimizer.gitops.commits import CommitInfo
from optimizer.gitops.connection import connect_remote
from optimizer.gitops.hosts.base import CodeHost, Issue, PullExists, PullRequest
from optimizer.gitops.hosts.target import GitHubTarget
from optimizer.gitops.push import LeaseRejected, RemoteBranches
from optimizer.gitops.repo import AgentRepo
from optimizer.history.from_host import read_history, trusted
from optimizer.history.model import History
from optimizer.history.screen import latest_decisions
from optimizer.models import Analysis
from optimizer.propose import notices
from optimizer.propose.daily_run import pr_for, record_failure, record_run, run
from optimizer.propose.dashboard import find_dashboard, publish_dashboard
from optimizer.propose.outcome import AgentOutcome
from optimizer.propose.window import Selection
from optimizer.render.findings_comment import FINDINGS_PREFIX, commit_list, findings_comment
from optimizer.render.pr_rewrite import replace_commits
from optimizer.rollback.auto import RollbackPublished, publish_rollback
from optimizer.timeutil import utc_now
from optimizer.traces.jsonl import Progress

PUSH_ATTEMPTS = 3


def agent_labels(labels: tuple[str, ...], agent: str) -> list[str]:
    return list(dict.fromkeys([*labels, f"optimizer:{agent}"]))


@dataclass(frozen=True)
class Published:
    agent: str
    action: str  # opened | updated | commented | left alone | nothing to publish; for the dashboard: ... dashboard
    pull: PullRequest | None = None
    head_sha: str | None = None
    notes: tuple[str, ...] = ()
    issue: Issue | None = None  # the dashboard issue

    def line(self) -> str:
        if self.issue is not None:
            return f"{self.agent}: {self.action} issue #{self.issue.number} {self.issue.url}"
        where = f" #{self.pull.number} {self.pull.url}" if self.pull else ""
        what = {"opened": "opened pull request", "updated": "updated pull request", "commented": "commented on"}
        head = f" (branch {branch_name(self.agent)} at {self.head_sha[:12]})" if self.head_sha else ""
        return f"{self.agent}: {what.get(self.action, self.action)}{where}{head}"


@dataclass
class Publisher:
    """Publishes the outcomes of one run; every push and call goes through ``host`` and ``remote``."""

    host: CodeHost
    remote: RemoteBranches
    repo: AgentRepo
    settings: Settings
    base_branch: str
    base_sha: str

    def publish(self, outcome: AgentOutcome) -> list[Published]:
        """The pull request, then the dashboard (which links to it); the dashboard's link back in the pull request."""
        existing = find_dashboard(self.host, outcome.agent)
        if existing is not None and outcome.pr_context is not None:
            link = (existing.number, existing.url)
            outcome = replace(outcome, pr=pr_for(replace(outcome.pr_context, dashboard=link), outcome.plan))
        done = self.publish_pull(outcome)
        pull = (done.pull.number, done.pull.url) if done.pull and done.action in ("opened", "updated") else None
        board = publish_dashboard(self.host, self.settings, outcome, existing, pull)
        if board is None:
            return [done]
        items = f"dashboard: {board.open_items} open action item(s)"
        published = [done, Published(outcome.agent, f"{board.action} dashboard", notes=(items,), issue=board.issue)]
        if existing is None and pull and done.pull and done.head_sha and outcome.branch and outcome.pr_context:
            # The dashboard was opened after the pull request: give the description its link.
            linked = pr_for(replace(outcome.pr_context, dashboard=(board.issue.number, board.issue.url)), outcome.plan)
            ours = self.repo.commits(self.base_sha, outcome.branch.head_sha)
            pushed = self.repo.commits(self.base_sha, done.head_sha)
            body = replace_commits(linked.body, {o.sha: t.sha for o, t in zip(ours, pushed, strict=False)})
            self.host.update_pull(done.pull.number, body=body)
        return published

    def publish_pull(self, outcome: AgentOutcome) -> Published:
        if outcome.pr is None:
            return Published(outcome.agent, "nothing to publish", notes=("nothing worth changing in this window",))
        if outcome.branch is None:
            note = "only action items, no change to commit: no pull request (GitHub needs a commit); see the dashboard"
            return Published(outcome.agent, "nothing to publish", notes=(note,))
        branch = branch_name(outcome.agent)
        head, body = outcome.branch.head_sha, outcome.pr.body
        for _attempt in range(PUSH_ATTEMPTS):
            tip = self.remote.fetch(branch)
            theirs = self.repo.commits(self.base_sha, tip) if tip else []
            foreign = foreign_commits(theirs)
            if foreign:
                return self._comment_instead(outcome, foreign)
            ours = self.repo.commits(self.base_sha, head)
            if tip and same_changes(ours, theirs, self.base_sha):
                # Nothing new: keep the pushed commits (no force-push, reviews and checks stay).
                head, body = tip, replace_commits(body, {o.sha: t.sha for o, t in zip(ours, theirs, strict=True)})
                break
            try:
                self.remote.push(head, branch, expect=tip)
                break
            except LeaseRejected:
                continue  # another run pushed meanwhile: read the branch again
        else:
            raise GitError(f"branch {branch} kept changing on the remote during {PUSH_ATTEMPTS} attempts; run again.")
        action, pull = self._open_or_update(outcome, outcome.pr.title, body)
        self.host.add_labels(pull.number, agent_labels(self.settings.labels, outcome.agent))
        notes: list[str] = []
        if action == "opened":
            notes += self.host.request_reviewers(pull.number, list(self.settings.github.reviewers))
            self.host.add_assignees(pull.number, list(self.settings.github.assignees))
        return Published(outcome.agent, action, pull, head, tuple(notes))

    def _open_or_update(self, outcome: AgentOutcome, title: str, body: str) -> tuple[str, PullRequest]:
        branch = branch_name(outcome.agent)
        existing = self.host.open_pull(branch)
        if existing is None:
            try:
                return "opened", self.host.create_pull(branch, self.base_branch, title, body)
            except PullExists:
                existing = self.host.open_pull(branch)  # another run opened it a moment ago
                if existing is None:
                    raise
        self.host.update_pull(existing.number, title=title, body=body)
        return "updated", existing

    def _comment_instead(self, outcome: AgentOutcome, foreign: list[CommitInfo]) -> Published:
        """Someone pushed to the branch: leave it as it is, and tell the pull request what this run found."""
        branch = branch_name(outcome.agent)
        why = f"branch {branch} has commits that are not the optimizer's ({commit_list(foreign)})"
        pull = self.host.open_pull(branch)
        if pull is None:
            note = why + "; no pull request is open for it: delete the branch to let the optimizer use it again"
            return Published(outcome.agent, "left alone", notes=(note,))
        text = findings_comment(outcome.agent, outcome.plan.proposals, outcome.plan.action_items, foreign)
        marker = text[text.index(FINDINGS_PREFIX) :]
        said = self.host.remarks(pull.number, reviews=False)
        if any(marker in r.body for r in said if trusted(r, pull)):
            return Published(outcome.agent, "left alone", pull, notes=(why + "; these findings were posted already",))
        self.host.comment(pull.number, text)
        return Published(outcome.agent, "commented", pull, notes=(why,))


def history_note(history: History | None, outcome: AgentOutcome) -> str:
    """One line on what the run learned from earlier pull requests."""
    decided = latest_decisions(history or History())
    approved = sum(p.outcome == "approved" for p in decided.values())
    rejected = len(decided) - approved
    pulls = len({p.pr_number for p in (history or History()).proposals})
    plan = outcome.plan
    return (
        f"history: {pulls} earlier pull request(s), {approved} proposal(s) approved, {rejected} rejected; "
        f"this run withheld {len(plan.withheld)} rejected proposal(s) and brought back {len(plan.returning)}"
    )


def publish_run(
    settings: Settings,
    selection: Selection,
    analyst: Analyst,
    target: GitHubTarget,
    progress: Progress | None,
    warn: Callable[[str], None] | None = None,
) -> tuple[Analysis, list[AgentOutcome], list[Published], list[str]]:
    """The daily job, published: history read per agent, branch pushed, pull request opened or updated,
    and the revert of a version that hurt proposed. With ``warn``, the webhook hears of what happened.

    An agent whose publishing fails does not stop the others; its error comes back in the last list.
    """
    with ExitStack() as stack:
        host, remote, base_branch, base_sha = connect_remote(stack, settings, target)
        repo = stack.enter_context(AgentRepo(settings.repo))

        histories: dict[str, History] = {}

        def history(agent: str) -> History:
            histories[agent] = read_history(host, agent, branch_name(agent), settings.github.history_limit)
            return histories[agent]

        started = utc_now()
        analysis, outcomes = run(
            settings,
            selection,
            analyst,
            dry_run=False,
            progress=progress,
            base_sha=base_sha,
            history_for=history,
            record=False,  # recorded below, once the pull requests' URLs are known
        )
        publisher = Publisher(host, remote, repo, settings, base_branch, base_sha)
        published, errors, messages = [], [], []
        pr_urls: dict[str, str] = {}
        rollback_urls: dict[str, str] = {}
        window = (selection.now - timedelta(hours=selection.window_hours), selection.now)
        try:
            for outcome in outcomes:
                messages += notices.merges(outcome.agent, histories.get(outcome.agent), *window)
                try:
                    done, *boards = publisher.publish(outcome)
                    published.append(
                        replace(done, notes=(*done.notes, history_note(histories.get(outcome.agent), outcome)))
                    )
                    published += boards
                    if done.pull:
                        pr_urls[outcome.agent] = done.pull.url
                    if done.action == "opened" and done.pull and outcome.pr:
                        messages.append(notices.opened(outcome.agent, outcome.pr.title, done.pull.url))
                except OptimizerError as err:
                    errors.append(f"{outcome.agent}: {err}")
                try:
                    rolled = _rollback(host, remote, repo, settings, (base_branch, base_sha), outcome)
                except OptimizerError as err:
                    errors.append(f"{outcome.agent}: rollback: {err}")
                    rolled = None
                if rolled is not None:
                    published.append(Published(outcome.agent, rolled.action, rolled.pull, notes=rolled.notes))
                    if rolled.pull:
                        rollback_urls[outcome.agent] = rolled.pull.url
                    messages += _rollback_message(outcome, rolled)
        except Exception as err:
            record_failure(settings, selection, started, err)
            raise
        record_run(settings, analysis, outcomes, started, pr_urls, rollback_urls)
        if warn is not None:
            notices.send(settings, messages, warn)
        return analysis, outcomes, published, errors


def _rollback(
    host: CodeHost,
    remote: RemoteBranches,
    repo: AgentRepo,
    settings: Settings,
    base: tuple[str, str],
    outcome: AgentOutcome,
) -> RollbackPublished | None:
    if outcome.rollback is None:
        return None
    return publish_rollback(host, remote, repo, settings, base, outcome.rollback)


def _rollback_message(outcome: AgentOutcome, rolled: RollbackPublished) -> list[str]:
    if not rolled.proposed or rolled.pull is None or outcome.rollback is None or outcome.measurement is None:
        return []
    why = outcome.measurement.measurement.decision.summary()
    merged = rolled.action.startswith("opened and merged")
    return [notices.rollback_proposed(outcome.agent, outcome.rollback.version, why, rolled.pull.url, merged)]
