"""The GitHub workflows (.github/workflows): valid against GitHub's workflow schema, and doing what
docs/releasing.md says. They cannot run here (no GitHub from this machine): these tests check their
text only, with check-jsonschema's vendored copy of the schema (no network)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from conftest import schema_check as check_jsonschema

WORKFLOW_DIR = ROOT / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOW_DIR.glob("*.yml")) + sorted(WORKFLOW_DIR.glob("*.yaml"))
QUARTO_SETUP = "quarto-dev/quarto-actions/setup@"


def schema_check(*files: Path) -> subprocess.CompletedProcess:
    """check-jsonschema with the GitHub workflow schema it ships (it reads nothing from the network)."""
    return check_jsonschema("vendor.github-workflows", *files)


def load(name: str) -> dict:
    # YAML 1.1 reads the key `on` as True: keep it a string, as GitHub reads it
    text = (WORKFLOW_DIR / name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_GitHubLoader)


class _GitHubLoader(yaml.SafeLoader):
    pass


_GitHubLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def step_using(job: dict, action: str) -> dict:
    found = [s for s in steps(job) if s.get("uses", "").startswith(action + "@")]
    assert len(found) == 1, f"one step uses {action}"
    return found[0]


def run_index(job: dict, command: str) -> int:
    """The position of the step whose `run` is exactly `command`."""
    found = [i for i, s in enumerate(steps(job)) if s.get("run", "").strip() == command]
    assert len(found) == 1, f"one step runs `{command}`"
    return found[0]


def make_database() -> str:
    """`make -pn help`: the Makefile's variables and rules as make reads them (nothing is run)."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "REPORT_DIR", "DATA_DIR"}
    }
    result = subprocess.run(
        ["make", "--no-print-directory", "-pn", "help"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_there_is_a_test_workflow_and_a_release_workflow():
    assert {p.name for p in WORKFLOWS} >= {"test.yml", "release.yml"}


def test_every_workflow_is_valid_against_githubs_schema():
    result = schema_check(*WORKFLOWS)  # one run for all: the schema is read once
    assert (
        result.returncode == 0
    ), f"a workflow is not valid (check-jsonschema names it):\n{result.stdout}{result.stderr}"


def test_the_schema_check_refuses_a_misspelt_key(tmp_path):
    """The check above can fail: each workflow with `runs-on` misspelt is refused, by name."""
    broken = []
    for workflow in WORKFLOWS:
        text = workflow.read_text(encoding="utf-8")
        assert "runs-on:" in text
        broken.append(tmp_path / workflow.name)
        broken[-1].write_text(text.replace("runs-on:", "runs_on:"), encoding="utf-8")
    result = schema_check(*broken)
    assert result.returncode != 0
    for path in broken:
        assert f"{path}::$.jobs." in result.stdout, path.name
    jobs = sum(len(load(workflow.name)["jobs"]) for workflow in WORKFLOWS)
    assert result.stdout.count("'runs-on' is a required property") == jobs  # every job, for that reason


def test_pull_requests_and_main_run_make_test_with_quarto_and_the_browser():
    workflow = load("test.yml")
    assert "pull_request" in workflow["on"]
    assert workflow["on"]["push"]["branches"] == ["main"]
    (job,) = workflow["jobs"].values()
    installs = " ".join(s.get("run", "") for s in steps(job))
    for package in ("chromium", "chromium-driver", "poppler-utils"):  # as the Makefile's browser-deps
        assert re.search(rf"apt-get install[^\n]* {package}\b", installs), package
    assert "3.11" in job["container"]  # the Python the project supports first
    assert run_index(job, "make test") > steps(job).index(step_using(job, QUARTO_SETUP.rstrip("@")))


def test_both_workflows_set_up_the_same_quarto_with_quartos_own_action():
    versions = set()
    for name in ("test.yml", "release.yml"):
        for job in load(name)["jobs"].values():
            for step in steps(job):
                if step.get("uses", "").startswith(QUARTO_SETUP):
                    assert step["uses"] == QUARTO_SETUP + "v2"
                    versions.add(str(step["with"]["version"]))
    assert len(versions) == 1 and versions.pop().startswith("1.11."), "one pinned Quarto 1.11.x in both workflows"


@pytest.mark.e2e  # runs make -pn
def test_a_version_tag_builds_live_releases_and_deploys_the_site_make_report_builds():
    workflow = load("release.yml")
    assert workflow["on"] == {"push": {"tags": ["v*"]}}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    # live: `make report` with no mirror; then the release, then its archive attached
    report, release = run_index(build, "make report"), run_index(build, "make release")
    attach = step_using(build, "softprops/action-gh-release")
    assert report < release < steps(build).index(attach)
    assert attach["with"]["files"] == "dist/*.tar.gz"
    assert build["permissions"]["contents"] == "write"
    # the site deployed is the folder `make report` builds, as the Makefile names it
    stamp = re.search(r"^SITE := (\S+)$", make_database(), re.M)
    assert stamp, "the Makefile's SITE (the built site's stamp) is not set"
    site = Path(stamp[1]).parent.as_posix()
    upload = step_using(build, "actions/upload-pages-artifact")
    assert steps(build).index(upload) > report
    assert Path(upload["with"]["path"]).as_posix() == site
    # and deployed by GitHub's own action, with only the permissions it needs
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    step_using(deploy, "actions/deploy-pages")


@pytest.mark.e2e  # runs make -pn
def test_the_makefile_has_the_release_target_the_tag_workflow_runs():
    if not re.search(r"^release:", make_database(), re.M):
        pytest.skip(
            "the Makefile has no `release` target yet (issue #31, items 1-3): the tag workflow's "
            "`make release` cannot be checked against it"
        )


def test_the_tag_workflow_refuses_a_tag_that_is_not_citation_cffs_version():
    """Its first check, run here as the runner runs it (sh, in the checkout): tag v<version> passes,
    another tag stops the release with one line."""
    (check,) = [s["run"] for s in steps(load("release.yml")["jobs"]["build"]) if "CITATION.cff" in s.get("run", "")]
    version = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))["version"]

    def run(tag: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["sh", "-e", "-c", check],
            cwd=ROOT,
            env={**os.environ, "GITHUB_REF_NAME": tag},
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert run(f"v{version}").returncode == 0
    refused = run(f"v{version}.1")
    assert refused.returncode != 0 and refused.stdout.count("\n") == 1
    assert f"v{version}.1 does not match CITATION.cff's version" in refused.stdout
