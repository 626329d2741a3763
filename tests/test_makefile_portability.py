"""The Makefile runs where researchers work: it names the make it needs before reading what an older
make cannot, and its recipes use only what BSD's (macOS's) and GNU's tools share."""

from __future__ import annotations

import re
import subprocess

import pytest

from conftest import ROOT

MAKEFILE = (ROOT / "Makefile").read_text()
FIX = (
    "install conda-forge's make (conda install -c conda-forge make, then make report) or Homebrew's "
    "(brew install make, then gmake report)"
)


def make(*args):
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("version", ["3.81", "3.82", "4.0", "4.1", "4.2", "4.2.1"])
@pytest.mark.e2e  # runs make
def test_an_older_make_stops_first_with_one_line_naming_the_fix(version):
    result = make("report", f"MAKE_VERSION={version}")
    assert result.returncode == 2 and result.stdout == ""
    assert re.fullmatch(
        rf"Makefile:\d+: \*\*\* this build needs GNU Make 4\.3 or newer, not {re.escape(version)}: "
        rf"{re.escape(FIX)}\.  Stop\.\n",
        result.stderr,
    ), result.stderr


@pytest.mark.parametrize("version", ["4.3", "4.4.1", "4.10", "5.0"])
@pytest.mark.e2e  # runs make
def test_a_new_enough_make_passes_the_check(version):
    # past the check, the settings' check refuses MAKE_VERSION given on the command line: proof it was reached
    result = make("help", f"MAKE_VERSION={version}")
    assert "needs GNU Make" not in result.stderr and "MAKE_VERSION is not a setting" in result.stderr


def test_the_check_comes_before_anything_an_older_make_cannot_read():
    lines = MAKEFILE.splitlines()
    check_ends = next(i for i, line in enumerate(lines) if "$(error this build needs GNU Make" in line) + 1
    assert lines[check_ends] == "endif"
    before = "\n".join(line for line in lines[:check_ends] if not line.startswith("#"))
    # make 3.81 knows these functions; nothing else is called before the check
    assert set(re.findall(r"\$\((\w+)[ ,]", before)) <= {"subst", "filter", "word", "error"}
    after = "\n".join(lines[check_ends:])
    assert after.index("&:") > 0  # grouped targets, 4.3's: after the check


def test_the_conda_environment_brings_a_new_enough_make():
    assert re.search(r"^\s*- make>=4\.3\b", (ROOT / "environment.yml").read_text(), re.M)


# GNU-only forms of the tools recipes call (macOS's BSD tools refuse or misread them)
GNU_ONLY = {
    r"\bsed\s+(-\w+\s+)*-i": "sed -i (GNU's and BSD's take its suffix differently)",
    r"\breadlink\s+-[a-z]*f": "readlink -f",
    r"\bdate\s+(-\w+\s+)*-d\b|\bdate\s+--date": "date -d",
    r"\bstat\s+(-\w+\s+)*-c\b|\bstat\s+--format": "stat -c",
    r"\bcp\s+(-\w+\s+)*--": "cp --options",
    r"\bfind\b.*-printf": "find -printf",
    r"\bxargs\s+(-\w+\s+)*-r\b": "xargs -r",
    r"\bhead\s+-\d": "head -N (POSIX: head -n N)",
    r"\bgrep\s+(-\w+\s+)*-\w*P": "grep -P",
    r"\bmktemp\s+(-\w+\s+)*--": "mktemp --options",
    r"\bsort\s+(-\w+\s+)*-V\b": "sort -V",
}


def test_recipes_use_no_gnu_only_flags():
    recipes = [line for line in MAKEFILE.splitlines() if line.startswith("\t") or "$(shell" in line]
    found = [(name, line.strip()) for line in recipes for pattern, name in GNU_ONLY.items() if re.search(pattern, line)]
    assert not found, found


def test_the_flag_check_catches_what_it_names():
    samples = [
        "sed -i 's/a/b/' f",
        "readlink -f x",
        "date -d yesterday",
        "stat -c %s f",
        "cp --parents a b",
        "find . -printf '%p'",
        "xargs -r rm",
        "head -200",
        "grep -oP x",
        "mktemp --tmpdir",
        "sort -V",
    ]
    for sample in samples:
        assert any(re.search(pattern, sample) for pattern in GNU_ONLY), sample
    for portable in [
        "sed 's/^/    /'",
        "sed -n 's/a/b/p' f",
        "head -n 200",
        "find . -name '*.html' -not -path x",
        "cp -p a b",
        "grep -E x",
    ]:
        assert not any(re.search(pattern, portable) for pattern in GNU_ONLY), portable
