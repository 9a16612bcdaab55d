"""Read an agent's soul and prompts from the repo into AgentArtifacts."""

from __future__ import annotations

import posixpath
import re
from typing import Any

from optimizer.artifacts.constants import PROMPT_SUFFIX, PROMPTS_DIR, SOUL_SUFFIXES, SOULS_DIR, soul_paths
from optimizer.artifacts.files import MAX_FILE_BYTES, RepoFiles
from optimizer.artifacts.model import AgentArtifacts, PromptFile, Soul
from optimizer.errors import ArtifactError, UnknownAgentError
from optimizer.schemas import schema_errors, strict_yaml

_FENCE = "---"
_AGENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")  # as traces name agents (schemas/trace)
MAX_AGENT_NAME = 100
_STRING_LISTS = ("tools", "required_placeholders")


def parse_prompt(path: str, text: str) -> PromptFile:
    """Split a Markdown prompt into its YAML front matter (between two ``---`` lines) and body."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != _FENCE:
        return PromptFile(path=path, text=text, front_matter={}, body=text, body_offset=0)
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r\n") == _FENCE), None)
    if closing is None:
        raise ArtifactError(f"{path}: line 1: front matter opens with '---' but no line closes it")
    front_matter = _front_matter(path, "".join(lines[1:closing]))
    offset = sum(len(line) for line in lines[: closing + 1])
    return PromptFile(path=path, text=text, front_matter=front_matter, body=text[offset:], body_offset=offset)


def _front_matter(path: str, source: str) -> dict[str, Any]:
    data = _load_yaml(path, source, first_line=2) or {}
    if not isinstance(data, dict):
        raise ArtifactError(f"{path}: front matter must be a mapping, not {type(data).__name__}")
    for key in _STRING_LISTS:
        value = data.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise ArtifactError(f"{path}: front matter '{key}' must be a list of strings, got {value!r}")
    return data


def parse_soul(path: str, text: str) -> Soul:
    data = _load_yaml(path, text, first_line=1)
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise ArtifactError(f"{path}: a soul must be a YAML mapping (name: ..., always_do: ...), but it is {kind}")
    return Soul(path=path, text=text, data=data)


def _load_yaml(path: str, source: str, first_line: int) -> Any:
    try:
        return strict_yaml.load(source, first_line)
    except strict_yaml.StrictYamlError as err:
        raise ArtifactError(f"{path}: {err}") from err


def discover_agents(files: RepoFiles) -> list[str]:
    """Agents with a ``souls/<agent>.yaml`` (or ``.yml``) or Markdown under ``prompts/<agent>/``."""
    agents = set()
    for path in files.list_files(SOULS_DIR):
        folder, name = posixpath.split(path)
        stem, suffix = posixpath.splitext(name)
        if folder == SOULS_DIR and suffix in SOUL_SUFFIXES and stem:
            agents.add(stem)
    for path in files.list_files(PROMPTS_DIR):
        parts = path.split("/")
        if len(parts) >= 3 and path.endswith(PROMPT_SUFFIX):
            agents.add(parts[1])
    return sorted(agents)


def load_agent(files: RepoFiles, agent: str) -> AgentArtifacts:
    soul, prompts = (_load_soul(files, agent), _load_prompts(files, agent)) if _plain_name(agent) else (None, ())
    if soul is None and not prompts:
        known = ", ".join(discover_agents(files)) or "none (no souls/*.yaml and no prompts/<agent>/*.md)"
        raise UnknownAgentError(f"unknown agent {agent!r}: no soul and no prompts; known agents: {known}")
    return AgentArtifacts(agent=agent, soul=soul, prompts=prompts)


def load_valid_agent(files: RepoFiles, agent: str) -> AgentArtifacts:
    """``load_agent``, refusing a soul that breaks its schema the way ``validate`` reports it: the
    analysis and the edits read its fields by type (a ``name: 123`` or an ``faq`` that is a string)."""
    artifacts = load_agent(files, agent)
    if artifacts.soul is not None:
        errors = schema_errors("soul", artifacts.soul.data)
        if errors:
            raise ArtifactError(f"{artifacts.soul.path}: breaks the soul schema {errors[0]} (see optimizer validate)")
    return artifacts


def _plain_name(agent: str) -> bool:
    return bool(_AGENT_NAME.match(agent)) and len(agent) <= MAX_AGENT_NAME


def _load_soul(files: RepoFiles, agent: str) -> Soul | None:
    listed = set(files.list_files(SOULS_DIR))
    _refuse_linked_folder(files, SOULS_DIR, listed)
    for path in soul_paths(agent):
        if any(listed_path.startswith(path + "/") for listed_path in listed):
            raise ArtifactError(f"{path}: is a directory where a file belongs")
    present = [path for path in soul_paths(agent) if path in listed]
    if len(present) > 1:
        raise ArtifactError(f"{' and '.join(present)}: both exist; keep one soul per agent")
    return parse_soul(present[0], _read(files, present[0])) if present else None


def _load_prompts(files: RepoFiles, agent: str) -> tuple[PromptFile, ...]:
    folder = f"{PROMPTS_DIR}/{agent}"
    listed = files.list_files(folder)
    _refuse_linked_folder(files, folder, set(listed))
    paths = [p for p in listed if p.endswith(PROMPT_SUFFIX)]
    return tuple(parse_prompt(path, _read(files, path)) for path in paths)


def _refuse_linked_folder(files: RepoFiles, folder: str, listed: set[str]) -> None:
    """A folder that git holds as a symlink (or a file) would be skipped in silence: name it instead."""
    if folder in listed or (files.is_symlink(folder) and not any(path.startswith(folder + "/") for path in listed)):
        raise ArtifactError(f"{folder}: is a symlink or a file, not a folder in the repository; refusing to read it")


def _read(files: RepoFiles, path: str) -> str:
    text = files.read_text(path)
    if text is None:
        why = "is a symlink, which is not followed" if files.is_symlink(path) else "is binary or not UTF-8"
        raise ArtifactError(f"{path}: listed but cannot be read: {why}")
    if len(text) > MAX_FILE_BYTES:
        raise ArtifactError(f"{path}: larger than {MAX_FILE_BYTES >> 20} MiB; souls and prompts are read whole")
    return text
