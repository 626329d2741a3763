"""The build refuses bad parameters before any recipe runs: one line, nothing executed or written.

Each hostile value below once reached the shell, papermill or a path outside the clone. Make
reads every user variable with $(value ...) and checks it against what it accepts, so a value
is never expanded, never split into more arguments and never names a folder outside the clone.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT


def make(*args, cwd=ROOT, **environment):
    env = {**os.environ, **environment}
    env.pop("EUROSTAT_MIRROR", None)
    env.update({k: v for k, v in environment.items()})
    return subprocess.run(["make", "--no-print-directory", "-C", str(cwd), *args, f"PYTHON={sys.executable}", "ENV_STAMP="],
                          env=env, capture_output=True, text=True, timeout=120)


HOSTILE = [
    # (target, variable, value, what the one line says it accepts)
    ("report", "YOUTH_HIGHLIGHT", "NL,AT;touch {marker}", "country codes separated by commas"),
    ("country", "COUNTRY", "ES';touch {marker};echo '", "two-letter Eurostat country code"),
    ("country", "COUNTRY", "$$(touch {marker})", "two-letter Eurostat country code"),
    ("country", "COUNTRY", "$(shell touch {marker})", "two-letter Eurostat country code"),
    ("country", "COUNTRY", "../../../escaped/x", "two-letter Eurostat country code"),
    ("report", "PAPER_YEAR", "2013 -p output_dir {marker}", "a year such as 2013"),
    ("report", "LATEST_YEAR", "abc", "0 (the latest year with data) or a year"),
    ("report", "UNIT", "PC_IND;touch {marker}", "a Eurostat unit code"),
    ("report", "YOUTH_INDICATOR", "I_IUPOL2`touch {marker}`", "a Eurostat indicator code"),
    ("report", "SOURCE", "mirror;touch {marker}", "auto, live or mirror"),
    ("report", "COMPARISON", "oecd;touch {marker}", "eu27 or all"),
    ("report", "JOBS", "2;touch {marker}", "a number of processes"),
    ("clean", "REPORT_DIR", "/", "a folder inside the clone"),
    ("clean", "DATA_DIR", "/", "a folder inside the clone"),
    ("clean", "DATA_DIR", "../elsewhere", "a folder inside the clone"),
    ("clean", "REPORT_DIR", "report/../..", "a folder inside the clone"),
    ("clean", "REPORT_DIR", ".", "a folder inside the clone"),
    ("report", "REPORT_DIR", "my report", "a folder inside the clone"),
    ("env", "VENV", "/tmp/venv';touch {marker};'", "a folder inside the clone"),
]


@pytest.mark.parametrize("dry_run", [True, False], ids=["make -n", "make"])
@pytest.mark.parametrize("target, variable, value, accepts", HOSTILE, ids=[f"{h[1]}={h[2]}" for h in HOSTILE])
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
    mirror = f"/tmp/m`touch {marker}`$(touch {marker})"
    result = make("-n", "refresh", f"EUROSTAT_MIRROR={mirror}")
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
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
    result = make("-n", "help", "COUNTRY=es", "PAPER_YEAR=2013", "LATEST_YEAR=0", "UNIT=PC_IND_IU3",
                  "YOUTH_HIGHLIGHT=NL,AT,DE", "DATA_DIR=build/data", "REPORT_DIR=build/report", "JOBS=4")
    assert result.returncode == 0, result.stderr
