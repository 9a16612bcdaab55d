from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.artifacts.files import MemoryFiles, RepoFiles, WorkingTreeFiles
from optimizer.errors import ArtifactError


def _tree(root: Path, files: dict[str, str]) -> WorkingTreeFiles:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode())
    return WorkingTreeFiles(root)


FILES = {
    "souls/frontdesk.yaml": "name: frontdesk\r\n",
    "prompts/frontdesk/system.md": "# hi\n",
    "prompts/frontdesk/tools/booking.md": "book\n",
    "README.md": "readme\n",
}


@pytest.fixture(params=["tree", "memory"])
def files(request, tmp_path) -> RepoFiles:
    return _tree(tmp_path, FILES) if request.param == "tree" else MemoryFiles(FILES)


def test_read_text_keeps_crlf_and_returns_none_when_absent(files):
    assert files.read_text("souls/frontdesk.yaml") == "name: frontdesk\r\n"
    assert files.read_text("souls/nobody.yaml") is None
    assert files.read_text("prompts/frontdesk") is None  # a folder is not a file


def test_list_files_is_recursive_sorted_and_limited_to_the_folder(files):
    expected = ["prompts/frontdesk/system.md", "prompts/frontdesk/tools/booking.md"]
    assert files.list_files("prompts") == expected
    assert files.list_files("prompts/") == expected
    assert files.list_files("prompts/front") == []
    assert files.list_files("nowhere") == []
    assert files.list_files("") == sorted(FILES)


@pytest.mark.parametrize("path", ["../secret", "/etc/passwd", "souls/../../secret", "..", "a\\b"])
def test_paths_outside_the_repo_are_refused(files, path):
    with pytest.raises(ArtifactError):
        files.read_text(path)
    with pytest.raises(ArtifactError):
        files.is_symlink(path)


def test_working_tree_skips_git_internals(tmp_path):
    files = _tree(tmp_path, {".git/config": "x", "a.md": "a"})
    assert files.list_files("") == ["a.md"]


def test_symlink_out_of_the_repo_reads_as_a_refusal(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    files = _tree(tmp_path / "repo", {"souls/a.yaml": "name: a\n"})
    (tmp_path / "repo" / "souls" / "b.yaml").symlink_to(outside)
    with pytest.raises(ArtifactError, match=r"souls/b\.yaml: is a symlink to a place outside"):
        files.read_text("souls/b.yaml")
    assert files.is_symlink("souls/b.yaml")
    assert not files.is_symlink("souls/a.yaml")


def test_symlink_inside_the_repo_is_readable_but_reported(tmp_path):
    files = _tree(tmp_path, {"souls/a.yaml": "name: a\n"})
    (tmp_path / "linked").symlink_to(tmp_path / "souls")
    assert files.read_text("linked/a.yaml") == "name: a\n"
    assert files.is_symlink("linked/a.yaml")  # a folder on the way counts


def test_memory_files_can_be_written_and_declare_symlinks():
    files = MemoryFiles({"souls/a.yaml": "name: a\n"}, symlinks=frozenset({"souls/b.yaml"}))
    files.write_text("souls/a.yaml", "name: b\n")
    assert files.read_text("souls/a.yaml") == "name: b\n"
    assert files.is_symlink("souls/b.yaml")
    assert not files.is_symlink("souls/a.yaml")
