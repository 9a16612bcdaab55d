"""Which GitHub repository, API and token a run publishes to: optimizer.yaml, then the environment, then git.

Pure: the environment and the origin URL come in as values, so every rule is testable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from optimizer.config import GitHubSettings
from optimizer.gitops.hosts.base import HostError
from optimizer.gitops.hosts.secret import Secret

PUBLIC_API = "https://api.github.com"
TOKEN_VARIABLES = ("OPTIMIZER_GITHUB_TOKEN", "GITHUB_TOKEN")
_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_SCP = re.compile(r"^[\w.-]+@(?P<host>[\w.-]+):(?P<path>[^/].*)$")  # git@github.com:owner/name.git


@dataclass(frozen=True)
class GitHubTarget:
    api_url: str
    repository: str  # owner/name
    token: Secret
    token_source: str  # the variable it came from, for messages


def resolve_target(
    settings: GitHubSettings, env: Mapping[str, str], origin_url: str | None, event_repository: str | None = None
) -> GitHubTarget | None:
    """None when there is nowhere to publish (no repository configured, none in the environment, no origin)."""
    origin = parse_remote(origin_url) if origin_url else None
    repository = (
        settings.repository or event_repository or env.get("GITHUB_REPOSITORY") or (origin[1] if origin else None)
    )
    if not repository:
        return None
    if not _NAME.match(repository):
        raise HostError(f"GitHub repository {repository!r} is not owner/name: set github.repository in optimizer.yaml.")
    token, source = _token(settings, env)
    api = settings.api_url or env.get("GITHUB_API_URL") or _api_for(origin[0] if origin else None)
    return GitHubTarget(api.rstrip("/"), repository, token, source)


def _token(settings: GitHubSettings, env: Mapping[str, str]) -> tuple[Secret, str]:
    names = (settings.token_env,) if settings.token_env else TOKEN_VARIABLES
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return Secret(value), name
    wanted = " or ".join(names)
    raise HostError(
        f"no GitHub token: set {wanted} (a GitHub App token or a fine-grained PAT with contents and pull requests "
        "write access; see docs/github.md), or pass --dry-run to publish nothing."
    )


def parse_remote(url: str) -> tuple[str, str] | None:
    """(web base URL, owner/name) of an http(s), ssh or scp-style git remote; None for a local path."""
    scp = _SCP.match(url)
    if scp:
        host, path = f"https://{scp.group('host')}", scp.group("path")
    else:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "ssh", "git") or not parts.hostname:
            return None
        scheme = parts.scheme if parts.scheme in ("http", "https") else "https"
        port = f":{parts.port}" if parts.port and scheme in ("http", "https") and parts.scheme == scheme else ""
        host, path = f"{scheme}://{parts.hostname}{port}", parts.path
    segments = [s for s in path.strip("/").removesuffix(".git").split("/") if s]
    if len(segments) < 2:
        return None
    name = f"{segments[-2]}/{segments[-1]}"
    return (host, name) if _NAME.match(name) else None


def _api_for(web: str | None) -> str:
    """github.com's API, or an Enterprise server's (https://HOST/api/v3) when origin points elsewhere."""
    if web is None or urlsplit(web).hostname in ("github.com", "www.github.com"):
        return PUBLIC_API
    return f"{web}/api/v3"
