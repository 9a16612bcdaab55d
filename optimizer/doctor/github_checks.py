"""The checks of the GitHub side: which token the run gets and what kind it is, whether it reaches the
repository and may push, and what the REST API cannot tell (said, not guessed).

The kind decides whether the bot's pull requests start the validate workflow: GitHub starts no
workflow for events made with a workflow's own GITHUB_TOKEN. An App's installation token and the
GITHUB_TOKEN look alike (``ghs_``), so the optimize workflow names the kind it hands over in
``OPTIMIZER_TOKEN_KIND``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from optimizer.doctor.model import Check, fail, ok, skip
from optimizer.gitops.hosts.base import HostError, RepoAccess
from optimizer.gitops.hosts.target import GitHubTarget

TOKEN_KIND_VARIABLE = "OPTIMIZER_TOKEN_KIND"  # noqa: S105 (a name): app | pat | actions, set by the optimize workflow
_APP_OR_PAT = (
    "a GitHub App (variable OPTIMIZER_APP_CLIENT_ID, secret OPTIMIZER_APP_PRIVATE_KEY) or a fine-grained PAT "
    "(secret OPTIMIZER_GITHUB_TOKEN); docs/github.md#github-set-up"
)
_ALLOW_SETTING = "Settings → Actions → General → Allow GitHub Actions to create and approve pull requests"
_KINDS = {
    "app": "a GitHub App installation token",
    "actions": "the workflow's own GITHUB_TOKEN",
    "fine-grained": "a fine-grained personal access token",
    "classic": "a classic personal access token",
    "installation": "an installation token (a GitHub App's, or a workflow's GITHUB_TOKEN)",
    "other": "a user token",
}


def token_kind(token: str, env: Mapping[str, str]) -> str:
    """app | actions | fine-grained | classic | installation (cannot tell which) | other. Pure."""
    declared = env.get(TOKEN_KIND_VARIABLE, "")
    if declared in ("app", "actions"):
        return declared
    if token.startswith("github_pat_"):
        return "fine-grained"
    if token.startswith("ghp_"):
        return "classic"
    if token.startswith("ghs_"):
        return "installation" if env.get("GITHUB_ACTIONS") == "true" else "app"
    return "other"


def kind_check(target: GitHubTarget, kind: str) -> Check:
    what = f"{_KINDS[kind]}, from {target.token_source}"
    if kind == "actions":
        return fail(
            "github token",
            f"{what}: GitHub starts no workflow for the pull requests it opens, so validate never runs on them; "
            f"use {_APP_OR_PAT}",
        )
    if kind == "installation":
        return skip("github token", f"{what}: if it is the GITHUB_TOKEN, validate never runs on its pull requests")
    return ok("github token", f"{what}: its pull requests start the validate workflow")


def access_checks(target: GitHubTarget, kind: str, read_access: Callable[[], RepoAccess]) -> list[Check]:
    """Reaching the repository and pushing to it; what the API does not report is named with its fix."""
    try:
        access = read_access()
    except HostError as err:
        return [fail("github repository", str(err))]
    checks = [ok("github repository", f"{target.repository} at {target.api_url}: reachable with the token")]
    checks.append(_contents(target, access))
    checks.append(_pulls_and_issues(kind))
    checks.append(_actions_may_open_pulls(kind))
    return checks


def _contents(target: GitHubTarget, access: RepoAccess) -> Check:
    if access.scopes is not None and not {"repo", "public_repo"} & set(access.scopes):
        scopes = ", ".join(s for s in access.scopes if s) or "none"
        return fail("token permissions", f"the classic token's scopes ({scopes}) lack repo: add the repo scope")
    if access.push is False:
        return fail(
            "token permissions",
            f"the token may not push to {target.repository}: give it Contents: read and write",
        )
    if access.push is None:
        return skip("token permissions", "GitHub did not say whether the token may push: it needs Contents write")
    return ok("token permissions", "contents: write (it may push branch optimizer/<agent>)")


def _pulls_and_issues(kind: str) -> Check:
    if kind in ("actions", "app"):
        return ok("pull requests, issues", "write, as the optimize workflow grants them (see the workflows line)")
    return skip(
        "pull requests, issues",
        "a token's Pull requests and Issues permissions cannot be read through the API: "
        "give it Pull requests and Issues: read and write",
    )


def _actions_may_open_pulls(kind: str) -> Check:
    if kind not in ("actions", "installation"):
        return ok("actions may open pull requests", "not needed: the token is not the workflow's GITHUB_TOKEN")
    return skip(
        "actions may open pull requests",
        "not readable through the GitHub operations the optimizer is checked against "
        f"(its REST contract has no /actions/permissions/workflow): with the GITHUB_TOKEN, tick {_ALLOW_SETTING}",
    )
