"""The repo's files with edits laid over them in memory: each accepted edit is seen by the next one."""

from __future__ import annotations

from optimizer.artifacts.files import RepoFiles


class OverlayFiles:
    """The base files with the edits accepted so far laid over them, so edits build on each other."""

    def __init__(self, base: RepoFiles) -> None:
        self._base = base
        self.changed: dict[str, str] = {}

    def read_text(self, path: str) -> str | None:
        return self.changed[path] if path in self.changed else self._base.read_text(path)

    def list_files(self, prefix: str) -> list[str]:
        return self._base.list_files(prefix)

    def is_symlink(self, path: str) -> bool:
        return self._base.is_symlink(path)
