"""The files `optimizer init` writes, as the package ships them: the four workflows and optimizer.yaml."""

from __future__ import annotations

from importlib import resources

WORKFLOWS = ("optimize.yml", "deploy.yml", "validate.yml", "commands.yml")
WORKFLOWS_DIR = ".github/workflows"


def workflow_text(name: str) -> str:
    return (resources.files("optimizer") / "templates" / "workflows" / name).read_text(encoding="utf-8")


def config_text() -> str:
    return (resources.files("optimizer") / "templates" / "optimizer.yaml").read_text(encoding="utf-8")
