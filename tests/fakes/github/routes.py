"""The operations the emulator serves, by operationId: state and git in, (status, JSON) out.

Each one does what GitHub does for the cases the optimizer meets, including GitHub's refusals
(a second open PR for one head, a PR without commits, a review requested from the author).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.github import objects as o
from tests.fakes.github.bare import BareRepo, GitFailed
from tests.fakes.github.state import Comment, Issue, Pull, State, User


@dataclass(frozen=True)
class Call:
    """One authenticated request, parsed."""

    user: User
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    urls: o.Urls


Reply = tuple[int, Any]
Handler = Callable[[State, BareRepo, Call], Reply]

NOT_FOUND: Reply = (404, o.error("Not Found", 404))


def _pull(state: State, call: Call, key: str = "pull_number") -> Pull | None:
    number = call.params.get(key, "")
    return state.pulls.get(int(number)) if number.isdigit() else None


def _invalid(message: str, resource: str = "PullRequest", field: str | None = None) -> Reply:
    error: dict[str, Any] = {"resource": resource, "code": "custom", "message": message}
    if field:
        error["field"] = field
    return 422, o.error("Validation Failed", 422, [error])


def get_repo(state: State, git: BareRepo, call: Call) -> Reply:
    # GitHub adds what the caller may do here, as it does for every authenticated request.
    return 200, {**o.repository(call.urls, state, git, full=True), "permissions": o.rights(call.user)}


def list_pulls(state: State, git: BareRepo, call: Call) -> Reply:
    wanted = call.query.get("state", "open")
    head = call.query.get("head")
    if head is not None and ":" in head:
        owner, _, head = head.partition(":")
        if owner != state.owner.login:
            return 200, []
    base = call.query.get("base")
    pulls = [
        p
        for p in state.pulls.values()
        if (wanted == "all" or p.state == wanted)
        and (head is None or p.head == head)
        and (base is None or p.base == base)
    ]
    newest_first = call.query.get("direction", "desc") == "desc"
    pulls.sort(key=lambda p: p.number, reverse=newest_first)
    return 200, [o.pull(call.urls, state, git, p, full=False) for p in pulls]


def create_pull(state: State, git: BareRepo, call: Call) -> Reply:
    head, base = call.body["head"], call.body["base"]
    if ":" in head:
        owner, _, head = head.partition(":")
        if owner != state.owner.login:
            return _invalid("head: forks are not emulated", field="head")
    if git.sha(head) is None:
        return _invalid(f"head {head} does not exist", field="head")
    if git.sha(base) is None:
        return _invalid(f"base {base} does not exist", field="base")
    if any(p.state == "open" and p.head == head and p.base == base for p in state.pulls.values()):
        return _invalid(f"A pull request already exists for {state.owner.login}:{head}.")
    if git.stat(git.sha(base) or "", git.sha(head) or "").commits == 0:
        return _invalid(f"No commits between {base} and {head}")
    now = state.clock.now()
    number = next(state.numbers)
    title = call.body.get("title") or head
    state.pulls[number] = Pull(number, next(state.ids), call.user, title, call.body.get("body"), head, base, now, now)
    return 201, o.pull(call.urls, state, git, state.pulls[number], full=True)


def get_pull(state: State, git: BareRepo, call: Call) -> Reply:
    pull = _pull(state, call)
    return (200, o.pull(call.urls, state, git, pull, full=True)) if pull else NOT_FOUND


def update_pull(state: State, git: BareRepo, call: Call) -> Reply:
    pull = _pull(state, call)
    if pull is None:
        return NOT_FOUND
    body = call.body or {}
    if "title" in body:
        pull.title = body["title"]
    if "body" in body:
        pull.body = body["body"]
    if body.get("state") == "closed" and pull.state == "open":
        pull.state, pull.closed_at = "closed", state.clock.now()
        pull.head_sha_at_close = git.sha(pull.head)
    elif body.get("state") == "open" and pull.state == "closed":
        if pull.merged_at:
            return _invalid("state cannot be changed. The pull request has been merged.", field="state")
        pull.state, pull.closed_at, pull.head_sha_at_close = "open", None, None
    pull.updated_at = state.clock.now()
    return 200, o.pull(call.urls, state, git, pull, full=True)


def check_merged(state: State, git: BareRepo, call: Call) -> Reply:
    pull = _pull(state, call)
    return (204, None) if pull and pull.merged_at else (404, None)


def merge_pull(state: State, git: BareRepo, call: Call) -> Reply:
    pull = _pull(state, call)
    if pull is None:
        return NOT_FOUND
    if pull.state != "open":
        return 405, {"message": "Pull Request is not mergeable", "documentation_url": "https://docs.github.com/rest"}
    head = git.sha(pull.head) or ""
    expected = (call.body or {}).get("sha")
    if expected and expected != head:
        return 409, {"message": "Head branch was modified. Review and try the merge again."}
    title = (call.body or {}).get("commit_title") or f"Merge pull request #{pull.number} from {pull.head}"
    try:
        sha = git.merge(pull.base, head, f"{title}\n\n{pull.title}\n", call.user.login)
    except GitFailed:
        return 405, {"message": "Pull Request is not mergeable", "documentation_url": "https://docs.github.com/rest"}
    now = state.clock.now()
    pull.state, pull.closed_at, pull.merged_at, pull.updated_at = "closed", now, now, now
    pull.merge_commit_sha, pull.merged_by, pull.head_sha_at_close = sha, call.user, head
    return 200, {"sha": sha, "merged": True, "message": "Pull Request successfully merged"}


def list_reviews(state: State, git: BareRepo, call: Call) -> Reply:
    pull = _pull(state, call)
    if pull is None:
        return NOT_FOUND
    return 200, [o.review(call.urls, state, r) for r in state.reviews if r.number == pull.number]


def list_review_comments(state: State, git: BareRepo, call: Call) -> Reply:
    pull = _pull(state, call)
    if pull is None:
        return NOT_FOUND
    return 200, [o.review_comment(call.urls, state, c) for c in state.review_comments if c.number == pull.number]


def list_requested_reviewers(state: State, git: BareRepo, call: Call) -> Reply:
    pull = _pull(state, call)
    if pull is None:
        return NOT_FOUND
    return 200, {"users": [o.user(call.urls, u) for u in pull.requested_reviewers], "teams": []}


def request_reviewers(state: State, git: BareRepo, call: Call) -> Reply:
    pull = _pull(state, call)
    if pull is None:
        return NOT_FOUND
    for login in (call.body or {}).get("reviewers", []):
        who = state.users.get(login)
        # Not a collaborator, or the author: 422 (the description gives this answer no body).
        if who is None or who.permission == "none" or who is pull.user:
            return 422, None
        if who not in pull.requested_reviewers:
            pull.requested_reviewers.append(who)
    return 201, o.pull(call.urls, state, git, pull, full=False)


def _issue(state: State, call: Call) -> Pull | Issue | None:
    """A pull request or a plain issue: GitHub's issue operations serve both."""
    number = call.params.get("issue_number", "")
    if not number.isdigit():
        return None
    return state.pulls.get(int(number)) or state.issues.get(int(number))


def _comments(state: State, item: Pull | Issue) -> int:
    return sum(c.number == item.number for c in state.comments)


def list_issues(state: State, git: BareRepo, call: Call) -> Reply:
    """Issues and pull requests alike, as GitHub lists them; ``labels`` must all be present."""
    wanted = call.query.get("state", "open")
    labels = [name for name in call.query.get("labels", "").split(",") if name]
    found: list[Pull | Issue] = [*state.pulls.values(), *state.issues.values()]
    chosen = [i for i in found if (wanted == "all" or i.state == wanted) and all(n in i.labels for n in labels)]
    chosen.sort(key=lambda i: i.number, reverse=call.query.get("direction", "desc") == "desc")
    return 200, [o.issue(call.urls, state, i, _comments(state, i)) for i in chosen]


def create_issue(state: State, git: BareRepo, call: Call) -> Reply:
    body = call.body or {}
    now = state.clock.now()
    number = next(state.numbers)
    item = Issue(number, next(state.ids), call.user, body["title"], body.get("body"), now, now)
    if call.user.permission in ("admin", "maintain", "write", "triage"):  # GitHub drops labels from others silently
        for name in body.get("labels") or []:
            name = name["name"] if isinstance(name, dict) else name
            state.label(name)
            item.labels.append(name)
    state.issues[number] = item
    return 201, o.issue(call.urls, state, item, 0)


def update_issue(state: State, git: BareRepo, call: Call) -> Reply:
    item = _issue(state, call)
    if item is None:
        return NOT_FOUND
    if isinstance(item, Pull):
        return _invalid("editing a pull request through the issues API is not emulated", "Issue")
    body = call.body or {}
    if "title" in body:
        item.title = body["title"]
    if "body" in body:
        item.body = body["body"]
    if body.get("state") in ("open", "closed") and body["state"] != item.state:
        item.state = body["state"]
        item.closed_at = state.clock.now() if item.state == "closed" else None
    item.updated_at = state.clock.now()
    return 200, o.issue(call.urls, state, item, _comments(state, item))


def get_issue(state: State, git: BareRepo, call: Call) -> Reply:
    pull = _issue(state, call)
    if pull is None:
        return NOT_FOUND
    return 200, o.issue(call.urls, state, pull, _comments(state, pull))


def list_comments(state: State, git: BareRepo, call: Call) -> Reply:
    pull = _issue(state, call)
    if pull is None:
        return NOT_FOUND
    return 200, [o.comment(call.urls, state, c) for c in state.comments if c.number == pull.number]


def create_comment(state: State, git: BareRepo, call: Call) -> Reply:
    pull = _issue(state, call)
    if pull is None:
        return NOT_FOUND
    now = state.clock.now()
    item = Comment(next(state.ids), pull.number, call.user, call.body["body"], now, now)
    state.comments.append(item)
    return 201, o.comment(call.urls, state, item)


def list_issue_labels(state: State, git: BareRepo, call: Call) -> Reply:
    pull = _issue(state, call)
    if pull is None:
        return NOT_FOUND
    return 200, [o.label(call.urls, state, state.label(name)) for name in pull.labels]


def add_labels(state: State, git: BareRepo, call: Call) -> Reply:
    pull = _issue(state, call)
    if pull is None:
        return NOT_FOUND
    raw = call.body["labels"] if isinstance(call.body, dict) else call.body
    for entry in raw or []:
        name = entry["name"] if isinstance(entry, dict) else entry
        state.label(name)  # GitHub creates a label the repository does not have yet
        if name not in pull.labels:
            pull.labels.append(name)
    return 200, [o.label(call.urls, state, state.label(name)) for name in pull.labels]


def add_assignees(state: State, git: BareRepo, call: Call) -> Reply:
    pull = _issue(state, call)
    if pull is None:
        return NOT_FOUND
    for entry in (call.body or {}).get("assignees", []):
        who = state.users.get(entry["login"] if isinstance(entry, dict) else entry)
        # GitHub silently skips people who cannot be assigned.
        if who is not None and who.permission != "none" and who not in pull.assignees:
            pull.assignees.append(who)
    return 201, o.issue(call.urls, state, pull, sum(c.number == pull.number for c in state.comments))


def collaborator_permission(state: State, git: BareRepo, call: Call) -> Reply:
    who = state.users.get(call.params["username"])
    if who is None:
        return NOT_FOUND
    return 200, o.permission(call.urls, who)


HANDLERS: dict[str, Handler] = {
    "repos/get": get_repo,
    "pulls/list": list_pulls,
    "pulls/create": create_pull,
    "pulls/get": get_pull,
    "pulls/update": update_pull,
    "pulls/check-if-merged": check_merged,
    "pulls/merge": merge_pull,
    "pulls/list-reviews": list_reviews,
    "pulls/list-review-comments": list_review_comments,
    "pulls/list-requested-reviewers": list_requested_reviewers,
    "pulls/request-reviewers": request_reviewers,
    "issues/get": get_issue,
    "issues/list-for-repo": list_issues,
    "issues/create": create_issue,
    "issues/update": update_issue,
    "issues/list-comments": list_comments,
    "issues/create-comment": create_comment,
    "issues/list-labels-on-issue": list_issue_labels,
    "issues/add-labels": add_labels,
    "issues/add-assignees": add_assignees,
    "repos/get-collaborator-permission-level": collaborator_permission,
}
