"""The build's contract (helpers.pipeline.parameters): every setting checked once, the pages'
parameter files compared as text, and the build lock that no variable can skip."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from helpers.pipeline.parameters import (
    PAGE_PARAMETERS,
    VERDICTS,
    Refused,
    changed_pages,
    check_settings,
    for_make,
    page_parameters,
)


def test_defaults_are_the_papers_and_every_value_is_safe_for_make():
    settings = check_settings({"QUARTO": ""})
    assert (settings["PAPER_YEAR"], settings["LATEST_YEAR"], settings["UNIT"], settings["COMPARISON"]) == (
        "2013",
        "0",
        "PC_IND",
        "paper",
    )
    assert settings["PYTHON"] == ".venv/bin/python" and settings["ENV_STAMP"] == ".venv/.installed"
    assert check_settings({"PYTHON": "python", "QUARTO": ""})["ENV_STAMP"] == ".conda-kernel.stamp"


@pytest.mark.parametrize(
    "name, value, says",
    [
        ("PYTHON", "", "PYTHON='' is not accepted"),
        ("PAPER_YEAR", "1999", "a year from 2002"),
        ("LATEST_YEAR", "2011", "not before PAPER_YEAR (2013)"),
        ("COUNTRY", "GR", "(Greece is EL, the United Kingdom UK)"),
        ("YOUTH_HIGHLIGHT", "NL,,AT", "country codes separated by commas"),
        ("EUROSTAT_MIRROR", "/no/such/folder", "a folder of Eurostat TSV files"),
        ("QUARTO", "quarto;rm", "a program such as"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable_and_what_it_takes(name, value, says):
    with pytest.raises(Refused, match="^" + name) as refused:
        check_settings({name: value, "QUARTO": ""} if name != "QUARTO" else {name: value})
    assert says in str(refused.value)


def test_country_codes_are_read_in_either_case():
    assert check_settings({"COUNTRY": "pt", "YOUTH_HIGHLIGHT": "nl,at", "QUARTO": ""})["COUNTRY"] == "PT"


def test_every_page_gets_the_parameters_its_claims_depend_on():
    """The Overview, the topic pages and the country pages judge the claims with the same settings."""
    pages = page_parameters(check_settings({"PAPER_YEAR": "2012", "QUARTO": ""}))
    for page in ("index", "youth-civic", "education-gaps", "senior-uptake", "other-figures", "country"):
        assert {"paper_year", "latest_year", "comparison"} <= set(pages[page]["parameters"]), page
        assert pages[page]["parameters"]["paper_year"] == 2012
    assert set(pages) == set(PAGE_PARAMETERS) | {VERDICTS}
    # the verdicts step, which every page reads, is made again for exactly the claims' parameters
    assert pages[VERDICTS]["parameters"] == {"paper_year": 2012, "latest_year": 0, "comparison": "paper"}


def test_a_parameter_file_changes_exactly_when_a_value_does(tmp_path):
    """Swapping two values changes the file (the text is compared, not a set of words)."""
    settings = {
        **check_settings({"PAPER_YEAR": "2013", "LATEST_YEAR": "2015", "QUARTO": ""}),
        "REPORT_DIR": str(tmp_path),
    }
    assert "index" in changed_pages(settings, write=True)
    assert changed_pages(settings) == [] and changed_pages(settings, write=True) == []
    swapped = {**settings, "PAPER_YEAR": "2015", "LATEST_YEAR": "2013"}
    assert set(changed_pages(swapped)) >= {"index", "youth-civic", "country"}
    recorded = json.loads((tmp_path / ".params" / "index.json").read_text())
    assert recorded["parameters"]["paper_year"] == 2013 and recorded["notebook"] == "20_claims"
    highlight = {**settings, "YOUTH_HIGHLIGHT": "AT,NL"}  # the same words in another order: another parameter
    assert changed_pages(highlight) == ["youth-civic"]


def test_a_dry_run_writes_no_parameter_file_and_takes_no_lock(tmp_path, monkeypatch):
    monkeypatch.setenv("REPORT_DIR", "build/never-written")
    line = for_make({"QUARTO": "", "REPORT_DIR": "build/never-written"}, [], ["report"], dry_run=True, make_pid=1)
    assert "REPORT_DIR=build/never-written" in line.split()
    assert not (ROOT / "build" / "never-written").exists()


def test_pytests_arguments_reach_make_unit_as_given_never_echoed():
    settings = check_settings({"ARGS": "-k 'claims and not oecd' -x", "QUARTO": ""})
    assert settings["ARGS"] == "-k 'claims and not oecd' -x"
    assert "ARGS=" not in for_make({"ARGS": "-x; rm -rf /", "QUARTO": ""}, ["ARGS"], ["help"], dry_run=True)


def test_a_variable_that_is_not_a_setting_is_refused_before_any_check():
    with pytest.raises(Refused, match="^BUILD_LOCK_HELD is not a setting of this build"):
        for_make({}, ["BUILD_LOCK_HELD"], ["report"], dry_run=True)


# ----------------------------------------------------------------------------- the lock


@pytest.mark.e2e  # a clone, and make
def test_no_variable_skips_the_lock_another_build_holds(tmp_path):
    """A second build, however it is called, stops at once and runs nothing."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            "h = open(sys.argv[1], 'a+'); fcntl.flock(h, fcntl.LOCK_EX); h.write(f'{os.getpid()}\\n');"
            " h.flush(); print('held', flush=True); time.sleep(60)",
            str(clone / ".build.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        base = ["make", "--no-print-directory", "-C", str(clone), "data", f"PYTHON={sys.executable}", "ENV_STAMP="]
        forged = open(clone / ".build.lock", "a+")  # an open of the lock file, handed down as a holder's would be
        fd = str(forged.fileno())
        for extra, env, passed in (
            ([], {}, ()),
            (["BUILD_LOCK_HELD=1"], {}, ()),
            (["BUILD_LOCK_FD=3"], {}, ()),
            ([], {"LOCK_HELD": "1", "BUILD_LOCK_HELD": "1"}, ()),
            ([], {"BUILD_LOCK_FD": "3"}, ()),
            ([], {"BUILD_LOCK_FD": fd}, (forged.fileno(),)),
            (["-n"], {}, ()),  # a dry run takes no lock, and writes nothing
        ):
            result = subprocess.run(
                base + extra, capture_output=True, text=True, env={**os.environ, **env}, timeout=60, pass_fds=passed
            )
            if extra == ["-n"]:
                assert result.returncode == 0, result.stderr
                continue
            assert result.returncode != 0, (extra, env)
            # a variable given on the command line is refused by name; any other way, the lock refuses
            refusal = f"{extra[0].split('=')[0]} is not a setting" if extra else "another build is running"
            assert refusal in result.stderr, result.stderr
        forged.close()
        assert not (clone / "data" / "raw" / "isoc_ci_ac_i.provenance.json").exists()
    finally:
        holder.kill()


def test_the_latest_year_may_be_the_papers_year_never_before_it():
    assert check_settings({"LATEST_YEAR": "2013", "PAPER_YEAR": "2013", "QUARTO": ""})["LATEST_YEAR"] == "2013"
    assert check_settings({"LATEST_YEAR": "0", "QUARTO": ""})["LATEST_YEAR"] == "0"  # 0: the latest year with data
    with pytest.raises(Refused, match="^LATEST_YEAR"):
        check_settings({"LATEST_YEAR": "2012", "PAPER_YEAR": "2013", "QUARTO": ""})


def test_quarto_is_the_paths_first_then_the_virtual_environments(tmp_path, monkeypatch):
    """make env installs quarto-cli into the venv (helpers.base.quarto_install): the build finds it there
    when the PATH has none, as an absolute path (Quarto runs in other folders); a Quarto on the PATH wins."""
    from helpers.pipeline import parameters

    def program(folder):
        folder.mkdir(parents=True)
        (folder / "quarto").write_text("#!/bin/sh\n")
        (folder / "quarto").chmod(0o755)
        return str(folder / "quarto")

    monkeypatch.setattr(parameters, "ROOT", tmp_path)
    in_venv, on_path = program(tmp_path / "env" / "bin"), program(tmp_path / "elsewhere")
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    assert check_settings({"VENV": "env"})["QUARTO"] == in_venv
    assert check_settings({"VENV": "other"})["QUARTO"] == ""
    assert check_settings({"VENV": "env", "QUARTO": ""})["QUARTO"] == ""  # QUARTO= still forces the fallback
    monkeypatch.setenv("PATH", os.path.dirname(on_path))
    assert check_settings({"VENV": "env"})["QUARTO"] == on_path


def test_pytests_arguments_are_a_setting_never_given_back_to_make():
    """ARGS (`make unit ARGS="-k claims -x"`) is free text for pytest: accepted as it is, and, like the
    mirror's path, never part of the line make reads (recipes take it from the environment)."""
    hostile = "-k 'claims and not $(shell touch pwned)' -x `touch pwned`"
    assert check_settings({"ARGS": hostile, "QUARTO": ""})["ARGS"] == hostile
    line = for_make({"ARGS": hostile, "QUARTO": ""}, ["ARGS"], ["help"], dry_run=True)
    assert "ARGS" not in line and "pwned" not in line
