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

sys.path.insert(0, str(Path(__file__).parent))  # the stand-in server module


@pytest.fixture(scope="session")
def synthetic_mirror_path(tmp_path_factory) -> Path:
    """../shared/eurostat-synthetic where it is; else the mirror the project generates itself
    (helpers.acquire.synthetic_mirror, as `make demo` does), so that a clone without ../shared runs every
    test that does not need real Eurostat files."""
    if SYNTHETIC_MIRROR.is_dir():
        return SYNTHETIC_MIRROR
    from helpers.acquire.synthetic_mirror import write_mirror

    return write_mirror(tmp_path_factory.mktemp("generated") / "eurostat-synthetic")


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


@pytest.fixture(scope="session")
def quarto_report(built_report, tmp_path_factory):
    """A copy of the built clone whose site Quarto renders (only the site: the notebooks are done).

    Skipped with a message where `quarto` is not on the PATH (CI): the fallback site is checked there.
    """
    import shutil

    from pipeline import run_make

    if not shutil.which("quarto"):
        pytest.skip("Quarto not found on the PATH: the Quarto site is not checked here (the fallback site is)")
    clone = tmp_path_factory.mktemp("quarto") / "clone"
    shutil.copytree(built_report, clone, symlinks=True)
    shutil.rmtree(clone / "report" / "_site")
    result = run_make(clone, "report", quarto=True)
    assert "with Quarto" in result.stdout, result.stdout
    return clone
