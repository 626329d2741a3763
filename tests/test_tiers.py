"""The unit tier's promise (tests/conftest.py): a unit test starts no make, Quarto, browser, clone or kernel."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import starts_what_the_unit_tier_never_runs


@pytest.mark.parametrize(
    "command, refused",
    [
        (["make", "-n", "report"], "make"),
        (["/usr/bin/make", "-C", "clone", "data"], "make"),
        (["unshare", "--mount", "make", "report"], "make"),
        (["/work/quarto-build/bin/quarto", "render"], "quarto"),
        (["chromedriver", "--port=9515"], "chromedriver"),
        (["git", "clone", "--quiet", ".", "clone"], "git clone"),
        ([sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"], "ipykernel_launcher"),
        ([sys.executable, "-m", "helpers.pipeline.pages", "run"], "helpers.pipeline.pages"),
        ("make -n help", "make"),
        ([sys.executable, "-m", "helpers.pipeline.build_lock", "run", "--", "true"], None),
        (["git", "diff", "HEAD"], None),
        ([sys.executable, "-m", "check_jsonschema", "--version"], None),
    ],
)
def test_the_unit_tier_names_what_it_never_runs(command, refused):
    assert starts_what_the_unit_tier_never_runs(command) == refused


def test_a_unit_test_that_runs_make_fails_naming_it():
    with pytest.raises(pytest.fail.Exception, match="a unit test started 'make': mark it pytest.mark.e2e"):
        subprocess.run(["make", "--version"], capture_output=True)
    assert subprocess.run([sys.executable, "-c", "pass"]).returncode == 0  # other programs run


@pytest.mark.e2e
def test_an_end_to_end_test_may_run_make():
    assert subprocess.run(["make", "--version"], capture_output=True).returncode == 0
