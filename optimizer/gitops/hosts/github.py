"""The code host on GitHub (and GitHub Enterprise), over PyGithub.

Every call goes through ``_calling``, which turns PyGithub's and requests' exceptions into one
HostError line saying what failed and what to check, with the token masked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import requests
from github import Auth, Github, GithubException, GithubRetry
from github.Issue import Issue as GhIssue
from github.PullRequest import PullRequest as GhPull
from github.Repository import Repository

from optimizer.gitops.hosts.base import HostError, Issue, PullExists, PullRequest, Remark, RepoAccess
from optimizer.gitops.hosts.secret import Secret, mask
from optimizer.gitops.hosts.target import GitHubTarget

T = TypeVar("T")

# Retries: 5xx and secondary rate limits (honouring Retry-After); the first retry is immediate,
# then 2 and 4 s. PyGithub retries POST too, never PATCH: a lost PATCH fails the run cleanly.
RETRIES = 3
BACKOFF_FACTOR = 1.0
MAX_RATE_LIMIT_WAIT = 300.0
_NEXT_RUN = "Nothing after this step was done; the next run repairs the state."
_SETTINGS_HINT = (
    "The token needs Contents and Pull requests write access; on GitHub Actions also turn on "
    "Settings → Actions → General → 'Allow GitHub Actions to create and approve pull requests'."
)


def connect(target: GitHubTarget, *, throttle: bool = True, timeout: int = 30) -> GitHubHost:
    pause = {} if throttle else {"seconds_between_requests": None, "seconds_between_writes": None}
    client = Github(
        base_url=target.api_url,
        auth=Auth.Token(target.token.reveal()),
        timeout=timeout,
        per_page=100,
        retry=GithubRetry(total=RETRIES, backoff_factor=BACKOFF_FACTOR, max_rate_limit_wait=MAX_RATE_LIMIT_WAIT),
        **pause,  # type: ignore[arg-type]
    )
    return GitHubHost(client, target)


class GitHubHost:
    name = "GitHub"

    def __init__(self, client: Github, target: GitHubTarget) -> None:
        self._client = client
        self._target = target
        self.repository = target.repository
        self.owner = target.repository.split("/")[0]
        self._repo: Repository | None = None
        self._pulls: dict[int, GhPull] = {}

    @property
    def token(self) -> Secret:
        return self._target.token

    def close(self) -> None:
        self._client.close()

    # --- repository ---------------------------------------------------------------------------

    def repo(self) -> Repository:
        if self._repo is None:
            self._repo = self._call(
                f"read repository {self.repository}", lambda: self._client.get_repo(self.repository)
            )
        return self._repo

    def default_branch(self) -> str:
        return str(self.repo().default_branch)

    def push_url(self) -> str:
        return str(self.repo().clone_url)

    def access(self) -> RepoAccess:
        """What the token may do here: push (the repository's ``permissions``), and a classic token's scopes."""

        def ask() -> RepoAccess:
            repo = self._client.get_repo(self.repository)
            scopes = self._client.oauth_scopes  # the X-OAuth-Scopes header of that answer, for a classic token
            permissions = repo.raw_data.get("permissions")
            push = permissions.get("push") if isinstance(permissions, dict) else None
            return RepoAccess(push, tuple(scopes) if scopes is not None else None)

        return self._call(f"read repository {self.repository}", ask)

    def permission(self, login: str) -> str:
        def ask() -> str:
            try:
                return str(self.repo().get_collaborator_permission(login))
            except GithubException as err:
                if err.status == 404:
                    return "none"
                raise

        return self._call(f"read the permission of {login}", ask)

    # --- pull requests ------------------------------------------------------------------------

    def open_pull(self, head: str) -> PullRequest | None:
        found = self._call(
            f"list open pull requests from {head}",
            lambda: [_pull(self._keep(p)) for p in self.repo().get_pulls(state="open", head=f"{self.owner}:{head}")],
        )
        return found[0] if found else None

    def pulls_from(self, head: str, limit: int) -> list[PullRequest]:
        def page() -> list[GhPull]:
            pulls = self.repo().get_pulls(state="all", head=f"{self.owner}:{head}", sort="created", direction="desc")
            out: list[GhPull] = []
            for pull in pulls:
                if len(out) >= limit:
                    break
                out.append(pull)
            return out

        return [_pull(self._keep(p)) for p in self._call(f"list pull requests from {head}", page)]

    def get_pull(self, number: int) -> PullRequest:
        """Read afresh (the pull request may have changed since this run last saw it)."""
        return self._call(f"read pull request #{number}", lambda: _pull(self._keep(self.repo().get_pull(number))))

    def create_pull(self, head: str, base: str, title: str, body: str) -> PullRequest:
        def create() -> GhPull:
            try:
                return self.repo().create_pull(base=base, head=head, title=title, body=body)
            except GithubException as err:
                if err.status == 422 and "already exists" in str(err.data):
                    raise PullExists(f"a pull request from {head} is already open") from err
                raise

        return _pull(self._keep(self._call(f"open a pull request from {head}", create)))

    def update_pull(self, number: int, *, title: str | None = None, body: str | None = None) -> None:
        changes: dict[str, Any] = {k: v for k, v in (("title", title), ("body", body)) if v is not None}
        self._call(f"update pull request #{number}", lambda: self._gh_pull(number).edit(**changes))

    def close_pull(self, number: int) -> None:
        self._call(f"close pull request #{number}", lambda: self._gh_pull(number).edit(state="closed"))

    def merge_pull(self, number: int, head_sha: str) -> str:
        def merge() -> str:
            status = self._gh_pull(number).merge(merge_method="merge", sha=head_sha)
            if not status.merged:
                raise HostError(f"GitHub did not merge pull request #{number}: {status.message}")
            return str(status.sha)

        return self._call(f"merge pull request #{number}", merge)

    def add_labels(self, number: int, labels: list[str]) -> None:
        if labels:
            self._call(f"label pull request #{number}", lambda: self._gh_pull(number).add_to_labels(*labels))

    def request_reviewers(self, number: int, reviewers: list[str]) -> list[str]:
        warnings = []
        for login in reviewers:  # one by one: GitHub refuses the whole list for one bad name
            try:
                self._request_review(number, login)
            except HostError as err:
                if isinstance(err.__cause__, GithubException) and err.__cause__.status == 422:
                    why = _message(err.__cause__) or "not a collaborator, or the pull request's author"
                    warnings.append(f"{login} was not asked to review: {why}")
                else:
                    raise
        return warnings

    def _request_review(self, number: int, login: str) -> None:
        self._call(f"request a review from {login}", lambda: self._gh_pull(number).create_review_request([login]))

    def add_assignees(self, number: int, assignees: list[str]) -> None:
        if assignees:
            self._call(f"assign pull request #{number}", lambda: self._gh_pull(number).add_to_assignees(*assignees))

    def comment(self, number: int, body: str) -> None:
        self._call(f"comment on pull request #{number}", lambda: self._gh_pull(number).create_issue_comment(body))

    def remarks(self, number: int, *, reviews: bool) -> list[Remark]:
        pull = self._gh_pull(number)
        found = [
            Remark("comment", c.id, c.user.login, c.user.type == "Bot", c.body or "", _iso(c.created_at))
            for c in self._call(f"read the comments of #{number}", lambda: list(pull.get_issue_comments()))
            if c.user is not None  # a deleted account
        ]
        if reviews:
            found += [
                Remark("review", r.id, r.user.login, r.user.type == "Bot", r.body or "", _iso(r.submitted_at))
                for r in self._call(f"read the reviews of #{number}", lambda: list(pull.get_reviews()))
                if r.user is not None
            ]
            found += [
                Remark("review_comment", c.id, c.user.login, c.user.type == "Bot", c.body or "", _iso(c.created_at))
                for c in self._call(f"read the review comments of #{number}", lambda: list(pull.get_review_comments()))
                if c.user is not None
            ]
        return sorted(found, key=lambda r: r.created_at or "")

    # --- issues -------------------------------------------------------------------------------

    def issues_labelled(self, labels: list[str]) -> list[Issue]:
        def ask() -> list[Issue]:
            found = self.repo().get_issues(state="all", labels=labels, sort="created", direction="desc")
            return [_issue(i) for i in found if i.pull_request is None]  # GitHub lists pull requests as issues too

        return self._call(f"list issues labelled {', '.join(labels)}", ask)

    def create_issue(self, title: str, body: str, labels: list[str]) -> Issue:
        return _issue(self._call("open an issue", lambda: self.repo().create_issue(title, body, labels=labels)))

    def update_issue(
        self, number: int, *, title: str | None = None, body: str | None = None, state: str | None = None
    ) -> None:
        changes: dict[str, Any] = {k: v for k, v in (("title", title), ("body", body), ("state", state)) if v}
        self._call(f"update issue #{number}", lambda: self.repo().get_issue(number).edit(**changes))

    # --- plumbing -----------------------------------------------------------------------------

    def _gh_pull(self, number: int) -> GhPull:
        if number not in self._pulls:
            self._pulls[number] = self._call(f"read pull request #{number}", lambda: self.repo().get_pull(number))
        return self._pulls[number]

    def _keep(self, pull: GhPull) -> GhPull:
        self._pulls[pull.number] = pull
        return pull

    def _call(self, doing: str, action: Callable[[], T]) -> T:
        with self._calling(doing):
            return action()

    @contextmanager
    def _calling(self, doing: str) -> Iterator[None]:
        try:
            yield
        except HostError:
            raise
        except GithubException as err:
            raise HostError(mask(self._explain(doing, err), self._target.token)) from err
        except requests.exceptions.RetryError as err:
            found = re.search(r"too many \d+ error responses", str(err))
            why = found.group(0) if found else "no answer"
            text = f"GitHub at {self._target.api_url} kept failing to {doing} ({why}, {RETRIES} retries). {_NEXT_RUN}"
            raise HostError(mask(text, self._target.token)) from err
        except requests.RequestException as err:
            text = f"GitHub at {self._target.api_url} failed to {doing}: {type(err).__name__}: {err}. {_NEXT_RUN}"
            raise HostError(mask(text, self._target.token)) from err

    def _explain(self, doing: str, err: GithubException) -> str:
        where = f"{self.repository} at {self._target.api_url}"
        status = err.status
        if status == 401:
            return f"GitHub rejected the token in {self._target.token_source} (401 Bad credentials) trying to {doing}."
        if status == 404:
            return f"GitHub: not found trying to {doing} in {where}: check the repository name and the token's access."
        if status == 403:
            return f"GitHub refused to {doing} in {where} (403: {_message(err)}). {_SETTINGS_HINT}"
        return f"GitHub failed to {doing} in {where} ({status}: {_message(err)}). The next run repairs the state."


def _message(err: GithubException) -> str:
    data: Any = err.data
    if data is None:
        return ""
    if isinstance(data, dict):
        details = [e.get("message", "") for e in data.get("errors", []) if isinstance(e, dict)]
        return " ".join([str(data.get("message", "")), *details]).strip()[:300]
    return str(data)[:300]


def _pull(pull: GhPull) -> PullRequest:
    merged_at = _iso(pull.merged_at)
    return PullRequest(
        number=pull.number,
        url=pull.html_url,
        state="open" if pull.state == "open" else "closed",
        merged=merged_at is not None,
        title=pull.title or "",
        body=pull.body or "",
        head=pull.head.ref,
        head_sha=pull.head.sha,
        base=pull.base.ref,
        author=pull.user.login,
        created_at=_iso(pull.created_at),
        closed_at=_iso(pull.closed_at),
        merged_at=merged_at,
        merge_commit_sha=pull.merge_commit_sha if merged_at else None,
    )


def _issue(issue: GhIssue) -> Issue:
    return Issue(
        number=issue.number,
        url=issue.html_url,
        state="open" if issue.state == "open" else "closed",
        title=issue.title or "",
        body=issue.body or "",
        author=issue.user.login if issue.user else "",
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None
