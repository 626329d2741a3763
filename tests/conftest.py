"""Shared fixtures: where ../shared is, the built clones and their copies, the tiers (unit, e2e, browser)
and the Hypothesis profile."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SYNTHETIC_MIRROR = SHARED / "eurostat-synthetic"
REAL_INTERNET_USE = SHARED / "eurostat" / "data" / "tin00028_internet_use.tsv"
REAL_DIC = SHARED / "eurostat" / "dic"
REAL_OECD_ROWS = SHARED / "oecd-api-samples" / "ict-individuals_D1B_I_KOR-JPN-USA__excerpt.csv"
OECD_FILE = "DSD_ICT_HH_IND@DF_IND.csv"

sys.path.insert(0, str(Path(__file__).parent))  # the stand-in server module

# Hypothesis (tests/test_properties.py): the same examples on every run and every machine (derandomized,
# no example database written into the checkout), and no deadline, since this machine's load varies;
# each property sets its own max_examples
settings.register_profile("project", derandomize=True, database=None, deadline=None, print_blob=True)
settings.load_profile("project")


def pytest_collection_modifyitems(items):
    """A test that needs a built clone is an end-to-end test wherever it sits; every test that is neither
    end to end, a browser's nor an integration test (seconds each) is a unit test (`-m unit`, `make unit`,
    a minute in all), which `unit_tier_runs_no_build` holds to its promise."""
    for item in items:
        if {"built_report", "quarto_report"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)
        if not {"e2e", "browser", "integration"} & {mark.name for mark in item.iter_markers()}:
            item.add_marker(pytest.mark.unit)


# what the unit tier never starts (docs/tests.md): make, Quarto, a browser, a clone, a Jupyter kernel and the
# build's own notebook runners; a unit test that does is refused, naming the command, and belongs in the
# end-to-end tier (pytest.mark.e2e)
NOT_IN_THE_UNIT_TIER = {"make", "gmake", "quarto", "chromium", "chromedriver", "papermill"}
NOT_IN_THE_UNIT_TIER_MODULES = ("ipykernel", "helpers.pipeline.pages", "helpers.pipeline.site")


def starts_what_the_unit_tier_never_runs(args) -> str | None:
    """The part of a command line the unit tier refuses, or None."""
    import os
    import shlex

    words = shlex.split(args) if isinstance(args, str) else [os.fsdecode(a) for a in args]
    for word in words:
        if os.path.basename(word) in NOT_IN_THE_UNIT_TIER:
            return os.path.basename(word)
        if word.startswith(NOT_IN_THE_UNIT_TIER_MODULES) or "ipykernel_launcher" in word:
            return word
    if words and os.path.basename(words[0]) == "git" and "clone" in words:
        return "git clone"
    return None


@pytest.fixture(autouse=True)
def unit_tier_runs_no_build(request, monkeypatch):
    """In a unit test, starting make, Quarto, a browser, a clone or a kernel fails the test (whatever
    catches exceptions in between: pytest's failure is not an Exception)."""
    if request.node.get_closest_marker("unit") is None:
        yield
        return
    execute_child = subprocess.Popen._execute_child

    def refuse_builds(self, args, *rest, **named):
        refused = starts_what_the_unit_tier_never_runs(args)
        if refused:
            pytest.fail(
                f"a unit test started {refused!r}: mark it pytest.mark.e2e or test the code without it "
                "(tests/conftest.py, docs/tests.md)",
                pytrace=False,
            )
        return execute_child(self, args, *rest, **named)

    monkeypatch.setattr(subprocess.Popen, "_execute_child", refuse_builds)
    yield


def schema_check(schema: str, *files) -> subprocess.CompletedProcess:
    """`check-jsonschema --builtin-schema SCHEMA FILES` (the schemas it ships: offline), run in this
    process: its own code and exit status, without a Python start and the schema's imports per call."""
    import contextlib
    import io

    from check_jsonschema.cli.main_command import main

    arguments = ["--builtin-schema", schema, *map(str, files)]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(arguments, standalone_mode=False)
        except SystemExit as exc:
            code = exc.code
    return subprocess.CompletedProcess(["check-jsonschema", *arguments], code or 0, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def synthetic_mirror_path(tmp_path_factory) -> Path:
    """A mirror holding both sources: ../shared/eurostat-synthetic's files with the real OECD rows of
    ../shared/oecd-api-samples beside them (as DSD_ICT_HH_IND@DF_IND.csv, the file a mirror holds);
    without ../shared, the mirror the project generates itself (helpers.acquire.synthetic_mirror, as
    `make demo` does, OECD file included), so that a clone without ../shared runs every test that does
    not need real files."""
    import shutil

    if SYNTHETIC_MIRROR.is_dir() and REAL_OECD_ROWS.exists():
        both = tmp_path_factory.mktemp("mirror") / "eurostat-synthetic-and-oecd"
        shutil.copytree(SYNTHETIC_MIRROR, both)
        shutil.copy2(REAL_OECD_ROWS, both / OECD_FILE)
        return both
    generated = tmp_path_factory.mktemp("generated") / "eurostat-synthetic"
    shutil.copytree(generated_mirror(), generated)  # a copy: what a test does to it stays in this session
    return generated


def generated_mirror() -> Path:
    """The mirror the project generates (helpers.acquire.synthetic_mirror), made once for each version of its
    generator, the catalogue and numpy, in the system's temporary folder, then copied: writing it takes 5 s
    on a loaded machine, and mutmut starts a pytest session (session fixtures included) for every mutant."""
    import hashlib
    import os
    import shutil
    import tempfile

    import numpy

    from helpers import catalogue
    from helpers.acquire import synthetic_mirror

    digest = hashlib.sha256(numpy.__version__.encode())
    for source in [Path(synthetic_mirror.__file__), *sorted(Path(catalogue.__file__).parent.glob("*.*"))]:
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    cached = Path(tempfile.gettempdir()) / f"eurostat-synthetic-{digest.hexdigest()[:16]}"
    if not (cached / "MIRROR.json").exists():
        staging = Path(tempfile.mkdtemp(prefix=f"{cached.name}.", dir=cached.parent))
        synthetic_mirror.write_mirror(staging / "mirror")
        try:
            os.rename(staging / "mirror", cached)  # whole or not at all; another session may have been first
        except OSError:
            pass
        shutil.rmtree(staging, ignore_errors=True)
    return cached


@pytest.fixture(scope="session", autouse=True)
def oecd_standin_everywhere(synthetic_mirror_path):
    """The OECD's API for every live fetch of the session (in make's processes too): a stand-in on
    127.0.0.1 serving the mirror's OECD file, so that live and mirror builds hold the same data."""
    import os

    from oecd_standin import OecdStandIn

    saved = os.environ.get("OECD_API_BASE")
    with OecdStandIn(synthetic_mirror_path / OECD_FILE) as api:
        os.environ["OECD_API_BASE"] = api.base_url
        yield api
    if saved is None:
        os.environ.pop("OECD_API_BASE", None)
    else:
        os.environ["OECD_API_BASE"] = saved


@pytest.fixture
def synthetic_mirror(synthetic_mirror_path) -> Path:
    return synthetic_mirror_path


@pytest.fixture
def real_internet_use() -> Path:
    if not REAL_INTERNET_USE.exists():
        pytest.skip(f"../shared is absent ({REAL_INTERNET_USE} not found): the real Eurostat file cannot be read")
    return REAL_INTERNET_USE


@pytest.fixture(scope="session")
def built_report(tmp_path_factory, synthetic_mirror_path):
    """A clean clone in which `make report EUROSTAT_MIRROR=../shared/eurostat-synthetic` ran."""
    from pipeline import clean_clone, run_make

    clone = clean_clone(tmp_path_factory.mktemp("e2e") / "clone")
    run_make(clone, "report", f"EUROSTAT_MIRROR={synthetic_mirror_path}")
    return clone


def copy_of_clone(clone: Path, destination: Path) -> Path:
    """`cp -a` of a built clone: every file's time kept, so make sees the copy as built as the original."""
    import shutil

    shutil.copytree(clone, destination, symlinks=True)
    return destination


@pytest.fixture
def own_built_clone(built_report, tmp_path) -> Path:
    """A copy of `built_report` for one test that changes it (a file, a parameter, a build): what the
    test does, or leaves behind when it fails, never reaches the tests that read `built_report`."""
    return copy_of_clone(built_report, tmp_path / "own-clone")


QUARTO_SWITCH_OUTPUT = "make-report-with-quarto.out"  # beside the Quarto clone: what `make report` said


@pytest.fixture(scope="session")
def quarto_report(built_report, tmp_path_factory):
    """A copy of the built clone (its site built by the fallback renderer) in which `make report` runs
    again with Quarto on the PATH: the renderer is an input of the site, so Quarto renders it whole,
    the PDF included (only the site: the notebooks are done). What make said is kept beside the clone
    (QUARTO_SWITCH_OUTPUT) for tests/test_quarto.py.

    Skipped with a message where `quarto` is not on the PATH: the fallback site is checked there.
    """
    import shutil

    from pipeline import run_make

    if not shutil.which("quarto"):
        pytest.skip("Quarto not found on the PATH: the Quarto site is not checked here (the fallback site is)")
    clone = tmp_path_factory.mktemp("quarto") / "clone"
    shutil.copytree(built_report, clone, symlinks=True)
    assert json.loads((clone / "report" / "_site" / ".rendered.json").read_text())["renderer"] == "fallback"
    result = run_make(clone, "report", quarto=True)
    (clone.parent / QUARTO_SWITCH_OUTPUT).write_text(result.stdout, encoding="utf-8")
    assert "with Quarto" in result.stdout, result.stdout
    return clone


@pytest.fixture
def own_quarto_clone(quarto_report, tmp_path) -> Path:
    """A copy of `quarto_report` for one test that changes it (as `own_built_clone`)."""
    return copy_of_clone(quarto_report, tmp_path / "own-quarto-clone")


@pytest.fixture
def ascii_locale():
    """Files' default encoding made ASCII (the C locale, as on a machine without a UTF-8 one), then restored."""
    import locale

    before = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    yield
    locale.setlocale(locale.LC_CTYPE, before)
