"""The build refuses bad settings before any recipe runs: one line, nothing executed or written.

Each hostile value below once reached the shell, papermill or a path outside the clone. Make
hands every value given to it, unexpanded and quoted, to one check in Python
(helpers.pipeline.parameters), which stops make with one line; recipes read the checked values
from the environment. Destructive targets are only ever run here with `make -n` or on values
refused when the Makefile is read: if the check regressed, nothing would be deleted.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.e2e  # each test runs make (the refusal comes when make reads the Makefile)


def make(*args, cwd=ROOT, **environment):
    env = {**os.environ, **environment}
    env.pop("EUROSTAT_MIRROR", None)
    env.update({k: v for k, v in environment.items()})
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(cwd), *args, f"PYTHON={sys.executable}", "ENV_STAMP="],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


HOSTILE = [
    # (target, variable, value, what the one line says it accepts)
    ("report", "YOUTH_HIGHLIGHT", "NL,AT;touch {marker}", "country codes separated by commas"),
    ("country", "COUNTRY", "ES';touch {marker};echo '", "a country code"),
    ("country", "COUNTRY", "$$(touch {marker})", "a country code"),
    ("country", "COUNTRY", "$(shell touch {marker})", "a country code"),
    ("country", "COUNTRY", "../../../escaped/x", "a country code"),
    ("report", "PAPER_YEAR", "2013 -p output_dir {marker}", "a year from 2002"),
    ("report", "LATEST_YEAR", "abc", "0 (the latest year with data) or a year"),
    ("report", "UNIT", "PC_IND;touch {marker}", "a unit code: PC_IND, PC_IND_IU3"),
    ("report", "YOUTH_INDICATOR", "I_IUPOL2`touch {marker}`", "an indicator code"),
    ("report", "SOURCE", "mirror;touch {marker}", "one of: auto, live, mirror"),
    ("report", "COMPARISON", "oecd;touch {marker}", "one of: paper, eu27, all"),
    ("report", "JOBS", "2;touch {marker}", "a whole number from 1 to 999"),
    ("clean", "REPORT_DIR", "/", "a folder inside the clone"),
    ("clean", "DATA_DIR", "/", "a folder inside the clone"),
    ("clean", "DATA_DIR", "../elsewhere", "a folder inside the clone"),
    ("clean", "REPORT_DIR", "report/../..", "a folder inside the clone"),
    ("clean", "REPORT_DIR", ".", "a folder inside the clone"),
    ("report", "REPORT_DIR", "my report", "a folder inside the clone"),
    ("env", "VENV", "/tmp/venv';touch {marker};'", "a folder inside the clone"),
]


DESTRUCTIVE = {"clean"}  # never run for real here, whatever the value: only `make -n`
# each hostile value under `make -n`, and under plain make where its target destroys nothing
CASES = [(*case, True) for case in HOSTILE] + [(*case, False) for case in HOSTILE if case[0] not in DESTRUCTIVE]


@pytest.mark.parametrize(
    "target, variable, value, accepts, dry_run",
    CASES,
    ids=[f"{'make -n' if case[4] else 'make'}-{case[1]}={case[2]}" for case in CASES],
)
def test_a_hostile_value_is_refused_in_one_line_and_runs_nothing(tmp_path, target, variable, value, accepts, dry_run):
    marker = tmp_path / "pwned"
    result = make(*(["-n"] if dry_run else []), target, f"{variable}={value.format(marker=marker)}")
    assert result.returncode != 0
    assert not marker.exists(), "a parameter reached the shell"
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"{variable}=" in lines[0] and accepts in lines[0]


def test_a_hostile_value_in_the_environment_is_refused_too(tmp_path):
    marker = tmp_path / "pwned"
    result = make("report", COUNTRY=f"ES;touch {marker}")
    assert result.returncode != 0 and not marker.exists()
    assert "COUNTRY=" in result.stderr


def test_a_mirror_path_never_enters_a_recipe_text(tmp_path):
    """The mirror is free text (any folder): recipes read it from the environment, quoted."""
    marker = tmp_path / "pwned"
    mirror = tmp_path / "m`touch pwned`$(touch pwned)"  # a real folder: the check accepts it
    mirror.mkdir()
    result = make("-n", "refresh", f"EUROSTAT_MIRROR={mirror}")
    assert result.returncode == 0, result.stderr
    assert not marker.exists() and not (ROOT / "pwned").exists() and not (ROOT / "notebooks" / "pwned").exists()
    fetch_lines = [line for line in result.stdout.splitlines() if "00_fetch" in line]
    assert fetch_lines and all('-P mirror "$EUROSTAT_MIRROR"' in line for line in fetch_lines)
    assert "touch" not in result.stdout


def test_several_targets_at_once_are_accepted():
    assert make("-n", "help", "lock").returncode == 0


def test_a_hostile_target_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    result = make("-n", f"help;touch {marker}")
    assert result.returncode != 0 and not marker.exists() and "targets" in result.stderr


def test_good_values_are_accepted(tmp_path):
    result = make(
        "-n",
        "help",
        "COUNTRY=es",
        "PAPER_YEAR=2013",
        "LATEST_YEAR=0",
        "UNIT=PC_IND_IU3",
        "YOUTH_HIGHLIGHT=NL,AT,DE",
        "DATA_DIR=build/data",
        "REPORT_DIR=build/report",
        "JOBS=4",
    )
    assert result.returncode == 0, result.stderr


EMPTY_MEANS_NOTHING = [
    "SOURCE",
    "JOBS",
    "LATEST_YEAR",
    "PAPER_YEAR",
    "COMPARISON",
    "LOCK_CHECK",
    "UNIT",
    "YOUTH_INDICATOR",
    "YOUTH_HIGHLIGHT",
    "DATA_DIR",
    "REPORT_DIR",
    "VENV",
    "PYTHON_BOOTSTRAP",
    "REPEAT",
]  # PYTHON: test_parameters


@pytest.mark.parametrize("variable", EMPTY_MEANS_NOTHING)
def test_an_empty_value_that_means_nothing_is_refused(variable):
    result = make("-n", "report", f"{variable}=")
    assert result.returncode != 0 and result.stdout == ""
    assert f"{variable}='' is not accepted" in result.stderr


@pytest.mark.parametrize(
    "assignment",
    [
        "KERNEL=x; touch {marker}",
        "BUILD_LOCK_HELD=1",
        "LOCK_HELD=1",
        "DRY_RUN=n",
        "RUN=touch {marker}",
        "SHELL=/bin/sh -c 'touch {marker}'",
    ],
)
def test_a_variable_that_is_not_a_setting_is_refused(tmp_path, assignment):
    """Make lets a command line set any variable; the build takes only its settings."""
    marker = tmp_path / "pwned"
    name = assignment.split("=", 1)[0]
    result = make("env", assignment.format(marker=marker))
    assert result.returncode != 0 and not marker.exists()
    assert f"{name} is not a setting of this build" in result.stderr


def test_the_settings_reach_recipes_only_through_the_environment():
    """No recipe line expands a setting into its text: each reads it quoted ("$$NAME")."""
    from helpers.pipeline.parameters import SETTINGS

    makefile = (ROOT / "Makefile").read_text()
    recipes = [line for line in makefile.splitlines() if line.startswith("\t")]
    for setting in SETTINGS:
        offending = [line for line in recipes if f"$({setting.name})" in line]
        assert not offending, offending
