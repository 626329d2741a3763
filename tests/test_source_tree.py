"""Rooms every tool can see: no source folder is named like an output (black skips `build/`, and
.gitignore patterns and other tools skip `dist/`, `out/`), and ruff and black, run over every source
folder by name (`make lint`), each see every Python file and find nothing to say; and mypy, configured in
pyproject.toml ([tool.mypy]), checks the types of every file of src/ and finds nothing either."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

SOURCE_FOLDERS = ("src", "tests", "bench")
OUTPUT_NAMES = {"build", "dist", "out", "_build", "buck-out", "site", "_site", "target"}


def python_files() -> set[Path]:
    return {
        p.resolve()
        for folder in SOURCE_FOLDERS
        for p in (ROOT / folder).rglob("*.py")
        if "node_modules" not in p.parts and "__pycache__" not in p.parts
    }


def tool(name: str) -> list[str]:
    """The tool as the environment has it (python -m), or skip saying what is missing."""
    found = subprocess.run([sys.executable, "-m", name, "--version"], capture_output=True, text=True)
    if found.returncode != 0:
        pytest.skip(f"{name} is not installed in this environment (requirements.txt pins it): not checked here")
    return [sys.executable, "-m", name]


def test_no_source_folder_is_named_like_an_output():
    named = [
        str(p.relative_to(ROOT))
        for folder in SOURCE_FOLDERS
        for p in (ROOT / folder).rglob("*")
        if p.is_dir() and p.name in OUTPUT_NAMES and "node_modules" not in p.parts
    ]
    assert not named, f"source folders named like an output, which tools skip: {named}"


def test_ruff_sees_every_python_file_and_finds_nothing():
    ruff = tool("ruff")
    shown = subprocess.run([*ruff, "check", "--show-files", *SOURCE_FOLDERS], cwd=ROOT, capture_output=True, text=True)
    seen = {Path(line.strip()).resolve() for line in shown.stdout.splitlines() if line.strip().endswith(".py")}
    assert python_files() - seen == set()
    result = subprocess.run([*ruff, "check", *SOURCE_FOLDERS], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_black_sees_every_python_file_and_finds_nothing_to_change():
    black = tool("black")
    result = subprocess.run([*black, "--check", "--verbose", *SOURCE_FOLDERS], cwd=ROOT, capture_output=True, text=True)
    # what black passed over (caches and the egg-info are; a source file never may)
    skipped = [Path(line.split(" ignored:")[0]).resolve() for line in result.stderr.splitlines() if " ignored:" in line]
    ignored = sorted(str(f) for f in python_files() if any(f == s or s in f.parents for s in skipped))
    assert not ignored, ignored
    assert result.returncode == 0, result.stderr[-3000:]


def test_black_would_skip_a_folder_named_build(tmp_path):
    """Why the rule: black passes over a package named `build` without a word of warning."""
    black = tool("black")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "module.py").write_text("x=1\n")
    result = subprocess.run([*black, "--check", "--verbose", "."], cwd=tmp_path, capture_output=True, text=True)
    assert "ignored" in result.stderr and result.returncode == 0  # the badly formatted file was never read


def test_mypy_checks_every_file_of_src_and_finds_nothing():
    """`make lint`'s type check, as it runs there (the venv's python, the settings of pyproject.toml); its
    cache (.mypy_cache) makes a second run take about a second."""
    mypy = tool("mypy")
    result = subprocess.run(mypy, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]
    checked = re.search(r"no issues found in (\d+) source files", result.stdout)
    assert checked and int(checked[1]) == len(list((ROOT / "src").rglob("*.py"))), result.stdout


def test_mypy_as_configured_reports_a_type_error(tmp_path):
    """Why the test above can fail: the project's settings leave a wrong type in a module reported (no
    blanket `ignore_errors`, no skipped imports of the project's own code)."""
    mypy = tool("mypy")
    module = tmp_path / "wrong.py"
    module.write_text('from helpers.analysis.claims import verdict_of\n\nverdict: int = verdict_of(["pass"])\n')
    config = ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(ROOT / ".mypy_cache")]
    result = subprocess.run([*mypy, *config, str(module)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1 and "[assignment]" in result.stdout, result.stdout


IGNORE = re.compile(r"#\s*type:\s*ignore(?P<code>\[[^\]]+\])?(?P<rest>.*)$")


def unexplained_ignores(text: str) -> list[str]:
    """The lines of `text` with a `# type: ignore` that lacks its error code or a reason after it (a comment)."""
    found = []
    for line in text.splitlines():
        match = IGNORE.search(line)
        if match and not (match["code"] and re.match(r"\s*#\s*\S", match["rest"])):
            found.append(line.strip())
    return found


def test_every_type_ignore_in_src_names_its_error_code_and_says_why():
    assert unexplained_ignores("x = 1  # type: ignore[assignment]  # None blocks the import\n") == []
    for wrong in ("x = 1  # type: ignore\n", "x = 1  # type: ignore[assignment]\n", "x = 1  # type: ignore # why\n"):
        assert unexplained_ignores(wrong), wrong
    src = sorted((ROOT / "src").rglob("*.py"))  # what mypy checks
    found = [
        f"{p.relative_to(ROOT)}: {line}" for p in src for line in unexplained_ignores(p.read_text(encoding="utf-8"))
    ]
    assert found == [], found
