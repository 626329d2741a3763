"""Shared fixtures: where ../shared is, and tiny hand-made Eurostat TSV files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SYNTHETIC_MIRROR = SHARED / "eurostat-synthetic"
REAL_INTERNET_USE = SHARED / "eurostat" / "data" / "tin00028_internet_use.tsv"
REAL_DIC = SHARED / "eurostat" / "dic"
REAL_OECD_ROWS = SHARED / "oecd-api-samples" / "ict-individuals_D1B_I_KOR-JPN-USA__excerpt.csv"
OECD_FILE = "DSD_ICT_HH_IND@DF_IND.csv"

sys.path.insert(0, str(Path(__file__).parent))  # the stand-in server module


def pytest_collection_modifyitems(items):
    """A test that needs a built clone is an end-to-end test wherever it sits: `-m "not e2e and not
    browser"` runs the unit tests alone."""
    for item in items:
        if {"built_report", "quarto_report"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


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
    from helpers.acquire.synthetic_mirror import write_mirror

    return write_mirror(tmp_path_factory.mktemp("generated") / "eurostat-synthetic")


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
    assert (clone / "report" / "_site" / ".renderer").read_text() == "fallback\n"
    result = run_make(clone, "report", quarto=True)
    (clone.parent / QUARTO_SWITCH_OUTPUT).write_text(result.stdout, encoding="utf-8")
    assert "with Quarto" in result.stdout, result.stdout
    return clone
