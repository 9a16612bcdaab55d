"""`optimizer init`: write the four workflows, Dependabot's configuration and a commented optimizer.yaml
into an agent repo.

All or nothing: every target is checked before the first byte is written, so a workflow that
exists with other content stops the whole command. An identical file is left alone (re-running
is a no-op). An existing optimizer.yaml is the user's configuration: it is kept, never replaced.
The deploy target chosen (``--deploy-target``) is written into a new optimizer.yaml; without one,
init says that the deploy workflow refuses to run until ``deploy.target`` is set.

The workflows use the optimizer action pinned by commit: ``--action owner/repo@sha``, else the
commit pip installed this optimizer from (a ``git+https://github.com/...@sha`` install). A workflow
that differs only in that pin (a Dependabot bump) is as init writes it and is left alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from importlib import metadata
from pathlib import Path

from optimizer.config import CONFIG_FILE, load_settings
from optimizer.errors import InitConflict, OptimizerError
from optimizer.templates import (
    ACTION_REF,
    DEPENDABOT,
    WORKFLOWS,
    WORKFLOWS_DIR,
    config_text,
    dependabot_text,
    is_workflow,
    workflow_text,
)

DEPLOY_TARGETS = ("supabase", "local")
_DEPLOY_UNSET = "# deploy:\n#   target: supabase\n"
_GITHUB_REPO = re.compile(r"github\.com[/:]([\w.-]+)/([\w.-]+?)(?:\.git)?/?$")
_NO_ACTION = (
    "--action: say which optimizer action the workflows use, pinned by commit: --action OWNER/optimizer@<40-hex "
    "commit sha> (or install the optimizer from git+https://github.com/OWNER/optimizer@<sha>, and init takes that)"
)


@dataclass(frozen=True)
class Target:
    path: str  # repo-relative POSIX path
    text: str
    user_owned: bool = False  # an existing file is the user's own: keep it whatever it holds
    same: Callable[[str], bool] | None = None  # what else counts as this file (default: the same bytes)


@dataclass(frozen=True)
class InitResult:
    """What happened to each target, in order: ``written``, ``unchanged`` or ``kept`` (the user's own)."""

    outcomes: tuple[tuple[str, str], ...]  # (path, what happened)

    def paths(self, outcome: str) -> list[str]:
        return [path for path, done in self.outcomes if done == outcome]


def targets(deploy_target: str | None = None, action: str | None = None) -> tuple[Target, ...]:
    """What init writes, read from the package's templates; ``deploy_target`` goes into optimizer.yaml,
    ``action`` (owner/repo@sha) into the workflows."""
    workflows = tuple(
        Target(f"{WORKFLOWS_DIR}/{name}", workflow_text(name, action), same=partial(is_workflow, name=name))
        for name in WORKFLOWS
    )
    config = config_text()
    if deploy_target is not None:
        config = config.replace(_DEPLOY_UNSET, f"deploy:\n  target: {deploy_target}\n")
    return (
        *workflows,
        Target(DEPENDABOT, dependabot_text(), user_owned=True),
        Target(CONFIG_FILE, config, user_owned=True),
    )


def action_from_install(direct_url: str | None) -> str | None:
    """owner/repo@sha when pip installed the optimizer from a GitHub repository at a commit (PEP 610's
    direct_url.json), else None. Pure."""
    try:
        data = json.loads(direct_url or "null")
    except json.JSONDecodeError:
        return None
    vcs = data.get("vcs_info") if isinstance(data, dict) else None
    found = _GITHUB_REPO.search(str(data.get("url", ""))) if isinstance(vcs, dict) else None
    if not isinstance(vcs, dict) or found is None or vcs.get("vcs") != "git":
        return None
    ref = f"{found.group(1)}/{found.group(2)}@{vcs.get('commit_id', '')}"
    return ref if ACTION_REF.match(ref) else None


def installed_action() -> str | None:
    try:
        return action_from_install(metadata.distribution("optimizer").read_text("direct_url.json"))
    except metadata.PackageNotFoundError:
        return None


def init_repo(
    repo: Path, *, force: bool = False, deploy_target: str | None = None, action: str | None = None
) -> InitResult:
    if not repo.is_dir():
        raise OptimizerError(f"{repo}: not a directory (pass the agent repo with --repo)")
    if deploy_target is not None and deploy_target not in DEPLOY_TARGETS:
        raise OptimizerError(f"unknown deploy target {deploy_target!r}: use one of {', '.join(DEPLOY_TARGETS)}")
    if action is not None and not ACTION_REF.match(action):
        raise OptimizerError(
            f"--action {action!r}: expected OWNER/REPO@<40-hex commit sha>, e.g. acme/optimizer@{'0' * 40}"
        )
    action = action or installed_action()
    pristine = {target.path: target.text for target in targets() if target.user_owned}
    outcomes = [(target, _outcome(repo, target, pristine, force)) for target in targets(deploy_target, action)]
    if action is None and any(o == "written" and t.path.startswith(WORKFLOWS_DIR) for t, o in outcomes):
        raise OptimizerError(f"{_NO_ACTION}; nothing written")
    conflicts = [target.path for target, outcome in outcomes if outcome == "conflict"]
    if conflicts:
        others = f" (and {len(conflicts) - 1} more: {', '.join(conflicts[1:])})" if len(conflicts) > 1 else ""
        raise InitConflict(
            f"{repo / conflicts[0]}: exists and differs from the template{others}; nothing written. "
            "Move it aside, or rerun with --force to replace it."
        )
    for target, outcome in outcomes:
        if outcome == "written":
            _write(repo, target.path, target.text)
    return InitResult(tuple((target.path, outcome) for target, outcome in outcomes))


def _outcome(repo: Path, target: Target, pristine: dict[str, str], force: bool) -> str:
    state = _state(repo, target)
    if state == "new":
        return "written"
    if state == "same":
        return "unchanged"
    if target.user_owned:  # the user's own, unless it is still exactly what an earlier init wrote
        return "written" if (repo / target.path).read_bytes() == pristine[target.path].encode("utf-8") else "kept"
    return "written" if force else "conflict"


def _state(repo: Path, target: Target) -> str:
    """``new``, ``same`` or ``differs``; refuses a target that is not a plain file inside the repo."""
    full = repo / target.path
    if full.is_symlink() or (full.exists() and not full.is_file()):
        raise InitConflict(f"{full}: is a symlink or not a regular file; nothing written. Remove it and rerun.")
    if not full.resolve().is_relative_to(repo.resolve()):
        raise InitConflict(f"{full}: lies outside {repo} through a symlinked folder; nothing written.")
    if not full.exists():
        return "new"
    try:
        text = full.read_bytes()
        if text == target.text.encode("utf-8"):
            return "same"
        return "same" if target.same is not None and target.same(text.decode("utf-8", "replace")) else "differs"
    except OSError as err:
        raise OptimizerError(f"{full}: cannot read: {err}") from err


def _write(repo: Path, path: str, text: str) -> None:
    """Write beside the target, then rename over it: a file is never left half-written."""
    full = repo / path
    scratch = full.with_name(f".{full.name}.optimizer-init")
    try:
        full.parent.mkdir(parents=True, exist_ok=True)
        scratch.write_bytes(text.encode("utf-8"))
        scratch.replace(full)
    except OSError as err:
        scratch.unlink(missing_ok=True)
        raise OptimizerError(f"{full}: cannot write: {err}") from err


def init_command(
    repo: Path, force: bool, deploy_target: str | None, action: str | None, echo: Callable[..., None]
) -> None:
    result = init_repo(repo, force=force, deploy_target=deploy_target, action=action)
    words = {"written": "wrote", "unchanged": "unchanged", "kept": "kept your"}
    for path, outcome in result.outcomes:
        echo(f"{words[outcome]} {path}")
    if DEPENDABOT in result.paths("kept") and "github-actions" not in (repo / DEPENDABOT).read_text(errors="replace"):
        echo(f"{DEPENDABOT}: add `package-ecosystem: github-actions` to it, so the pinned actions stay current")
    echo(deploy_line(repo, deploy_target, kept=CONFIG_FILE in result.paths("kept")))
    if result.paths("written"):
        echo("Next: commit these files and set the secrets (docs/github.md); `optimizer doctor` checks the set-up.")


def deploy_line(repo: Path, asked: str | None, *, kept: bool) -> str:
    """Where merged versions will go, as optimizer.yaml now says, and what to do when that is nowhere."""
    target = load_settings(repo).deploy.target
    if kept and asked is not None and asked != target:
        return (
            f"deploy target: {target or 'not set'}, as your optimizer.yaml says (kept): "
            f"set deploy.target: {asked} in it yourself."
        )
    if target == "supabase":
        return "deploy target: supabase (secrets SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY; docs/deploy.md)."
    if target == "local":
        return (
            "deploy target: local: on a CI runner the deploy workflow refuses it unless deploy.registry is a path "
            "outside the checkout on a self-hosted runner (docs/deploy.md)."
        )
    return (
        "deploy target: not set: the deploy workflow refuses to run until deploy.target is set in optimizer.yaml "
        "(supabase for GitHub Actions; a new repo: rerun with --deploy-target supabase; docs/deploy.md)."
    )
