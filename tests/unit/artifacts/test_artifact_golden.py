"""Golden files: each edit must produce exactly the bytes a human checked once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from optimizer.artifacts.edits import apply_edit
from optimizer.errors import EditError
from optimizer.models import Edit

GOLDEN = Path(__file__).parents[2] / "fixtures" / "golden"
CASES = sorted(path for path in GOLDEN.iterdir() if path.is_dir())


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # bytes: keep CRLF as it is on disk


def _case(folder: Path) -> tuple[str, Edit, Path]:
    before = next(folder.glob("before.*"))
    edit = Edit(**json.loads(_read(folder / "edit.json")))
    return _read(before), edit, folder / f"after{before.suffix}"


def test_there_are_golden_cases_for_souls_and_prompts():
    names = [case.name for case in CASES]
    assert sum(name.startswith("soul-") for name in names) >= 8
    assert sum(name.startswith("prompt-") for name in names) >= 2


@pytest.mark.parametrize("folder", CASES, ids=lambda path: path.name)
def test_golden_edit(folder: Path):
    before, edit, after_path = _case(folder)
    if "crlf" in folder.name:
        assert "\r\n" in before, "the CRLF fixture lost its CRLF line ends (check .gitattributes)"
    if (folder / "error.txt").exists():
        with pytest.raises(EditError) as caught:
            apply_edit(before, edit)
        assert str(caught.value) == _read(folder / "error.txt").strip()
        return
    after = apply_edit(before, edit)
    assert after == _read(after_path)
    if after_path.suffix == ".yaml":
        assert isinstance(yaml.safe_load(after), dict)
