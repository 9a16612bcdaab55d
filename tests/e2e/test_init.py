"""`optimizer init`: the workflows and a commented optimizer.yaml, written into an agent repo."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import pytest
import yaml

from optimizer import __version__
from optimizer.config import load_settings
from tests.e2e.conftest import optimizer
from tests.support.example_repo import PROJECT

TEMPLATES = PROJECT / "optimizer" / "templates"
WORKFLOWS = [f".github/workflows/{name}" for name in ("optimize.yml", "deploy.yml", "validate.yml", "commands.yml")]
WRITTEN = [*WORKFLOWS, ".github/dependabot.yml", "optimizer.yaml"]
ACTION = "acme/optimizer@" + "a" * 40
PINNED = f"uses: {ACTION} # v{__version__}"


def init(repo: Path, *args: str | Path, action: str = ACTION):
    return optimizer("init", "--repo", repo, "--action", action, *args)


def pinned(name: str, action: str = ACTION) -> bytes:
    """The template as init writes it into an agent repo: the optimizer action pinned to ``action``."""
    text = (TEMPLATES / "workflows" / name).read_text()
    local = "uses: ./ # zizmor: ignore[self-repository]\n"
    assert local in text
    return text.replace(local, f"uses: {action} # v{__version__}\n").encode()


def snapshot(repo: Path) -> dict[str, bytes]:
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file()}


@pytest.fixture
def agent_repo(example_repo: Path) -> Path:
    (example_repo / "optimizer.yaml").unlink()  # a repo that has never been configured
    return example_repo


def test_init_writes_the_workflows_and_a_config_that_loads(agent_repo):
    done = init(agent_repo)
    assert done.code == 0, done.err
    assert done.out.splitlines()[:6] == [f"wrote {path}" for path in WRITTEN]
    for path in WORKFLOWS:
        assert (agent_repo / path).read_bytes() == pinned(Path(path).name)
        assert "uses: ./ #" not in (agent_repo / path).read_text()
    config = (agent_repo / "optimizer.yaml").read_text()
    assert config.startswith("# optimizer.yaml")
    assert load_settings(agent_repo).window_hours == 24
    assert optimizer("validate", "--repo", agent_repo).code == 0


def test_running_init_again_changes_nothing(agent_repo):
    assert init(agent_repo).code == 0
    before = snapshot(agent_repo)
    again = init(agent_repo)
    assert again.code == 0, again.err
    assert again.out.splitlines()[:6] == [f"unchanged {path}" for path in WRITTEN]
    assert snapshot(agent_repo) == before


def test_a_workflow_that_differs_stops_init_before_anything_is_written(agent_repo):
    mine = agent_repo / ".github" / "workflows" / "deploy.yml"
    mine.parent.mkdir(parents=True)
    mine.write_text("name: my own deploy\n")
    before = snapshot(agent_repo)
    done = init(agent_repo)
    assert done.code == 1
    assert done.err.count("\n") == 1
    assert ".github/workflows/deploy.yml: exists and differs from the template" in done.err
    assert "nothing written" in done.err
    assert snapshot(agent_repo) == before


def test_force_replaces_differing_workflows_but_never_the_users_config(example_repo):
    mine = example_repo / ".github" / "workflows" / "commands.yml"
    mine.parent.mkdir(parents=True)
    mine.write_text("name: old commands\n")
    config = (example_repo / "optimizer.yaml").read_bytes()
    done = init(example_repo, "--force")
    assert done.code == 0, done.err
    assert mine.read_bytes() == pinned("commands.yml")
    assert "kept your optimizer.yaml" in done.out.splitlines()
    assert (example_repo / "optimizer.yaml").read_bytes() == config


def test_an_existing_config_is_kept_and_the_workflows_still_written(example_repo):
    config = (example_repo / "optimizer.yaml").read_bytes()
    done = init(example_repo)
    assert done.code == 0, done.err
    assert done.out.splitlines()[:6] == [*(f"wrote {p}" for p in WRITTEN[:-1]), "kept your optimizer.yaml"]
    assert (example_repo / "optimizer.yaml").read_bytes() == config


def test_a_symlinked_target_is_refused(agent_repo, tmp_path):
    outside = tmp_path / "elsewhere.yml"
    outside.write_text("x\n")
    folder = agent_repo / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "validate.yml").symlink_to(outside)
    done = init(agent_repo)
    assert done.code == 1
    assert "validate.yml: is a symlink or not a regular file; nothing written" in done.err
    assert outside.read_text() == "x\n"
    assert not (folder / "optimize.yml").exists()


def test_init_into_a_missing_directory_says_so(tmp_path):
    done = init(tmp_path / "nope")
    assert done.code == 1
    assert done.err == f"optimizer: error: {tmp_path / 'nope'}: not a directory (pass the agent repo with --repo)\n"
    assert not (tmp_path / "nope").exists()


def test_the_templates_ship_in_the_package():
    """Installed with `pip install .` (not editable), init reads them from the package data."""
    patterns = tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    templates = [
        p.relative_to(PROJECT / "optimizer").as_posix()
        for p in TEMPLATES.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc")  # the module that reads them ships as code
    ]
    assert templates
    for path in templates:
        assert any(fnmatch.fnmatch(path, pattern) for pattern in patterns["optimizer"]), path


def test_init_writes_the_deploy_target_chosen_and_says_where_deploys_go(agent_repo):
    unset = init(agent_repo)
    assert unset.code == 0, unset.err
    assert "deploy target: not set: the deploy workflow refuses to run" in unset.out
    assert "--deploy-target supabase" in unset.out and load_settings(agent_repo).deploy.target is None

    chosen = init(agent_repo, "--deploy-target", "supabase")  # init's own file: rewritten
    assert chosen.code == 0, chosen.err
    assert "wrote optimizer.yaml" in chosen.out and "deploy target: supabase" in chosen.out
    assert load_settings(agent_repo).deploy.target == "supabase"
    assert optimizer("validate", "--repo", agent_repo).code == 0


def test_a_deploy_target_never_rewrites_the_users_own_config(example_repo):
    config = (example_repo / "optimizer.yaml").read_bytes()
    done = init(example_repo, "--deploy-target", "supabase")
    assert done.code == 0, done.err
    assert "kept your optimizer.yaml" in done.out
    assert "deploy target: not set, as your optimizer.yaml says (kept): set deploy.target: supabase" in done.out
    assert (example_repo / "optimizer.yaml").read_bytes() == config


def test_without_an_action_init_says_what_to_pass_and_writes_nothing(agent_repo):
    """Installed from a local checkout (these tests' editable install), no commit to pin is known."""
    before = snapshot(agent_repo)
    done = optimizer("init", "--repo", agent_repo)
    assert done.code == 1
    assert done.err.count("\n") == 1
    assert "--action: say which optimizer action the workflows use, pinned by commit" in done.err
    assert snapshot(agent_repo) == before


@pytest.mark.parametrize("action", ["acme/optimizer@main", "acme/optimizer", "acme/optimizer@" + "A" * 40])
def test_an_action_not_pinned_by_a_full_commit_sha_is_refused(agent_repo, action):
    done = init(agent_repo, action=action)
    assert done.code == 1
    assert f"--action {action!r}: expected OWNER/REPO@<40-hex commit sha>" in done.err
    assert not (agent_repo / ".github").exists()


def test_a_dependabot_bump_of_the_action_leaves_the_workflows_as_init_writes_them(agent_repo):
    assert init(agent_repo).code == 0
    bumped = "acme/optimizer@" + "b" * 40
    for path in WORKFLOWS:
        (agent_repo / path).write_bytes(
            pinned(Path(path).name, bumped).replace(f"# v{__version__}".encode(), b"# v9.9.9")
        )
    before = snapshot(agent_repo)

    again = init(agent_repo)  # the older pin asked for: the newer one is kept, nothing conflicts
    assert again.code == 0, again.err
    assert again.out.splitlines()[:4] == [f"unchanged {path}" for path in WORKFLOWS]
    assert snapshot(agent_repo) == before
    doctor = optimizer("doctor", cwd=agent_repo)
    assert "ok    workflows" in doctor.out and "are as `optimizer init` writes them" in doctor.out


def test_an_edited_workflow_still_differs_whatever_its_pin(agent_repo):
    assert init(agent_repo).code == 0
    deploy = agent_repo / ".github" / "workflows" / "deploy.yml"
    deploy.write_text(deploy.read_text().replace("timeout-minutes: 15", "timeout-minutes: 5"))
    done = init(agent_repo)
    assert done.code == 1 and "deploy.yml: exists and differs from the template" in done.err
    assert "deploy.yml differ from what `optimizer init` writes" in optimizer("doctor", cwd=agent_repo).out


def test_dependabot_keeps_the_pinned_actions_current(agent_repo):
    assert init(agent_repo).code == 0
    config = yaml.safe_load((agent_repo / ".github" / "dependabot.yml").read_text())
    assert config["version"] == 2
    [update] = config["updates"]
    assert update["package-ecosystem"] == "github-actions" and update["directory"] == "/"
    assert update["schedule"]["interval"] == "weekly"


def test_a_dependabot_configuration_of_your_own_is_kept_and_what_to_add_said(agent_repo):
    mine = agent_repo / ".github" / "dependabot.yml"
    mine.parent.mkdir()
    mine.write_text("version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n")
    done = init(agent_repo)
    assert done.code == 0, done.err
    assert "kept your .github/dependabot.yml" in done.out
    assert ".github/dependabot.yml: add `package-ecosystem: github-actions` to it" in done.out
    assert mine.read_text().endswith("package-ecosystem: pip\n    directory: /\n")
