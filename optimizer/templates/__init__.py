"""The files `optimizer init` writes, as the package ships them: the four workflows, Dependabot's
configuration and optimizer.yaml.

The workflows are this repository's own (`.github/workflows/`): they use the optimizer action from
its checkout (``uses: ./``). Written into an agent repo, that line names the action pinned by commit
(``uses: <owner>/optimizer@<sha> # v<version>``); any such pin counts as the template, so a bump by
Dependabot leaves a workflow as `init` writes it.
"""

from __future__ import annotations

import re
from importlib import resources

from optimizer import __version__

WORKFLOWS = ("optimize.yml", "deploy.yml", "validate.yml", "commands.yml")
WORKFLOWS_DIR = ".github/workflows"
DEPENDABOT = ".github/dependabot.yml"
ACTION_REF = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")  # owner/repo@commit: the only form init writes
_LOCAL_ACTION = re.compile(r"^(\s*(?:- )?uses: )\./(?: #.*)?$")
_PINNED_ACTION = re.compile(r"^\s*(?:- )?uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # \S.*$")


def workflow_text(name: str, action: str | None = None) -> str:
    """The workflow as shipped, or with the optimizer action pinned to ``action`` (owner/repo@sha)."""
    text = (resources.files("optimizer") / "templates" / "workflows" / name).read_text(encoding="utf-8")
    if action is None:
        return text
    lines = [_LOCAL_ACTION.sub(lambda m: f"{m.group(1)}{action} # v{__version__}", line) for line in text.split("\n")]
    return "\n".join(lines)


def is_workflow(text: str, name: str) -> bool:
    """``text`` is the shipped workflow, whatever commit (or local checkout) its optimizer action names."""
    mine, template = text.split("\n"), workflow_text(name).split("\n")
    return len(mine) == len(template) and all(map(_same_line, mine, template))


def _same_line(line: str, want: str) -> bool:
    local = _LOCAL_ACTION.match(want)
    if local is None or line == want:
        return line == want
    return line.startswith(local.group(1)) and _PINNED_ACTION.match(line) is not None


def dependabot_text() -> str:
    return (resources.files("optimizer") / "templates" / "dependabot.yml").read_text(encoding="utf-8")


def config_text() -> str:
    return (resources.files("optimizer") / "templates" / "optimizer.yaml").read_text(encoding="utf-8")
