"""Read-only access to the agent repo's files: a working tree on disk, or a dict in memory."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Protocol

from optimizer.errors import ArtifactError

MAX_FILE_BYTES = 1 << 20  # a soul or a prompt is read whole, and sent to the analyst: 1 MiB is plenty
ARTIFACT_SUFFIXES = (".yaml", ".yml", ".md")


class RepoFiles(Protocol):
    """The few reads the artifacts package needs; paths are repo-relative POSIX paths."""

    def read_text(self, path: str) -> str | None:
        """The file's text with its newlines untouched, or None if there is no such file."""
        ...

    def list_files(self, prefix: str) -> list[str]:
        """Every file under the folder ``prefix`` (recursive), sorted; ``""`` lists the whole repo."""
        ...

    def is_symlink(self, path: str) -> bool: ...


def clean_relative(path: str) -> str:
    """``path`` normalised; ArtifactError if it is absolute or climbs out with ``..``."""
    if not path or path.startswith("/") or "\\" in path or "\0" in path:
        raise ArtifactError(f"{path!r}: not a repo-relative POSIX path")
    norm = posixpath.normpath(path)
    if norm == ".." or norm.startswith("../"):
        raise ArtifactError(f"{path}: points outside the repository")
    return "" if norm == "." else norm


def _folder(prefix: str) -> str:
    return clean_relative(prefix) if prefix.strip("/") else ""


class WorkingTreeFiles:
    """Files of a directory on disk; never reads outside ``root``, even through a symlink."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._real_root = root.resolve()

    def read_text(self, path: str) -> str | None:
        full = self._inside(path)
        if not full.is_file():
            return None
        try:
            if full.stat().st_size > MAX_FILE_BYTES:
                raise ArtifactError(f"{path}: larger than {MAX_FILE_BYTES >> 20} MiB; souls and prompts are read whole")
            # bytes, then decode: read_text() would turn CRLF into LF and break surgical edits
            return full.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise ArtifactError(f"{path}: cannot read: {err}") from err

    def list_files(self, prefix: str) -> list[str]:
        folder = _folder(prefix)
        top = self.root / folder if folder else self.root
        if top.is_symlink() and not self._resolves_inside(top):
            raise ArtifactError(f"{folder}: is a symlink to a place outside the repository; refusing to read it")
        if not top.is_dir():
            return []
        found = []
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = [d for d in dirnames if d != ".git"]
            for name in dirnames:
                self._check_folder(Path(dirpath, name), bool(folder))
            for name in filenames:
                found.append(Path(dirpath, name).relative_to(self.root).as_posix())
        return sorted(found)

    def _check_folder(self, full: Path, listing_artifacts: bool) -> None:
        """A folder the walk meets: one leading outside, or named like a file, is the user's mistake."""
        relative = full.relative_to(self.root).as_posix()
        if full.is_symlink() and not self._resolves_inside(full):
            raise ArtifactError(f"{relative}: is a symlink to a place outside the repository; refusing to read it")
        if listing_artifacts and full.name.endswith(ARTIFACT_SUFFIXES):
            raise ArtifactError(f"{relative}: is a directory where a file belongs")

    def is_symlink(self, path: str) -> bool:
        """True if the path, or a folder on the way to it, is a symlink."""
        current = self.root
        for part in clean_relative(path).split("/"):
            current = current / part
            if current.is_symlink():
                return True
        return False

    def _inside(self, path: str) -> Path:
        full = self.root / clean_relative(path)
        if not self._resolves_inside(full):
            raise ArtifactError(f"{path}: is a symlink to a place outside the repository; refusing to read it")
        return full

    def _resolves_inside(self, full: Path) -> bool:
        return full.resolve().is_relative_to(self._real_root)


class MemoryFiles:
    """Files held in a dict: for pure tests, and for applying edits before anything is written."""

    def __init__(self, files: dict[str, str] | None = None, symlinks: frozenset[str] = frozenset()) -> None:
        self.files = {clean_relative(path): text for path, text in (files or {}).items()}
        self.symlinks = frozenset(clean_relative(path) for path in symlinks)

    def read_text(self, path: str) -> str | None:
        return self.files.get(clean_relative(path))

    def write_text(self, path: str, text: str) -> None:
        self.files[clean_relative(path)] = text

    def list_files(self, prefix: str) -> list[str]:
        folder = _folder(prefix)
        if not folder:
            return sorted(self.files)
        return sorted(path for path in self.files if path.startswith(folder + "/"))

    def is_symlink(self, path: str) -> bool:
        return clean_relative(path) in self.symlinks
