"""Where a deploy goes: the target named on the command line or in optimizer.yaml, and the rule that a
CI runner never deploys into a store it throws away (the deploy would succeed and ship nothing). Pure:
the settings and the environment in, a decision out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from optimizer.config import Settings, on_ci
from optimizer.deploy.registry import local_registry_path

DOCS = "docs/deploy.md"


@dataclass(frozen=True)
class Destination:
    """The target a deploy uses, or why it must not run; ``note`` is worth saying even when it runs."""

    target: str  # local | supabase
    refusal: str | None = None
    note: str | None = None


def choose(settings: Settings, target: str | None, env: Mapping[str, str]) -> Destination:
    """The target of a deploy: ``--target``, else ``Settings.deploy_target``; on a CI runner, refused unless it
    persists."""
    chosen = target or settings.deploy_target(env)
    secrets = settings.supabase.secret_names
    if target is None and settings.deploy.target is None and chosen == "supabase":
        url = settings.supabase.url_env
        return Destination("supabase", note=f"deploy.target is not set: deploying to Supabase, as {url} is set")
    if chosen == "supabase" or not on_ci(env):
        return Destination(chosen or "local")
    return Destination("local", refusal=_local_on_ci(settings, chosen, env, secrets))


def _local_on_ci(settings: Settings, chosen: str | None, env: Mapping[str, str], secrets: str) -> str | None:
    """Why a local registry on this CI runner would be thrown away with it; None when it is kept."""
    remedy = f"set deploy.target: supabase in optimizer.yaml and the secrets {secrets} ({DOCS})"
    if chosen is None:
        return f"deploy.target is not set, and a CI runner throws the local registry away with itself: {remedy}"
    if env.get("RUNNER_ENVIRONMENT") == "github-hosted":
        return f"deploy.target is local, but a GitHub-hosted runner throws its registry file away: {remedy}"
    path = local_registry_path(settings)
    if path.resolve().is_relative_to(settings.repo.resolve()):
        return (
            f"deploy.target is local, but the registry {path} lies in the checkout, which the runner throws away: "
            f"set deploy.registry to an absolute path the self-hosted runner keeps, or {remedy}"
        )
    return None
