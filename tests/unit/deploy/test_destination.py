"""Where a deploy goes, and when a CI runner refuses it: settings and environment in, a decision out."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.config import DeploySettings, Settings
from optimizer.deploy.destination import choose

CI = {"CI": "true", "GITHUB_ACTIONS": "true", "RUNNER_ENVIRONMENT": "github-hosted"}
SECRETS = {"SUPABASE_URL": "https://p.supabase.co", "SUPABASE_SERVICE_ROLE_KEY": "service"}


def settings(tmp_path: Path, target: str | None = None, registry: str = ".optimizer/registry.sqlite3") -> Settings:
    return Settings(repo=tmp_path, deploy=DeploySettings(target=target, registry=registry))


def test_on_a_persons_machine_the_local_registry_is_the_default(tmp_path):
    assert choose(settings(tmp_path), None, {}) == choose(settings(tmp_path, "local"), None, {})
    assert choose(settings(tmp_path), None, {}).target == "local"
    assert choose(settings(tmp_path), None, {}).refusal is None


@pytest.mark.parametrize("env", [{"CI": "true"}, {"GITHUB_ACTIONS": "true"}, {"CI": "1"}])
def test_a_ci_runner_without_a_target_is_refused_naming_what_to_set(tmp_path, env):
    refusal = choose(settings(tmp_path), None, env).refusal
    assert refusal is not None and "deploy.target is not set" in refusal
    assert "deploy.target: supabase" in refusal and "SUPABASE_SERVICE_ROLE_KEY" in refusal


def test_supabase_secrets_without_a_target_choose_supabase_on_ci_and_at_home_and_say_so(tmp_path):
    for env in ({**CI, **SECRETS}, SECRETS):
        chosen = choose(settings(tmp_path), None, env)
        assert chosen.target == "supabase" and chosen.refusal is None
        assert chosen.note is not None and "deploying to Supabase, as SUPABASE_URL is set" in chosen.note
    assert choose(settings(tmp_path, "local"), None, SECRETS).target == "local"  # an explicit target wins
    assert choose(settings(tmp_path), "local", SECRETS).note is None


def test_a_supabase_target_is_never_refused(tmp_path):
    assert choose(settings(tmp_path, "supabase"), None, CI) == choose(settings(tmp_path), "supabase", CI)
    assert choose(settings(tmp_path), "supabase", CI).refusal is None


def test_a_local_registry_on_ci_must_outlive_the_runner(tmp_path):
    hosted = choose(settings(tmp_path, "local", str(tmp_path.parent / "kept.sqlite3")), None, CI).refusal
    assert hosted is not None and "GitHub-hosted runner" in hosted
    self_hosted = {"CI": "true", "GITHUB_ACTIONS": "true", "RUNNER_ENVIRONMENT": "self-hosted"}
    inside = choose(settings(tmp_path, "local"), None, self_hosted).refusal
    assert inside is not None and "lies in the checkout" in inside and "deploy.registry" in inside
    kept = choose(settings(tmp_path, "local", str(tmp_path.parent / "kept.sqlite3")), None, self_hosted)
    assert kept.refusal is None and kept.target == "local"
    assert choose(settings(tmp_path), "local", self_hosted).refusal == inside  # --target local: the same rule
