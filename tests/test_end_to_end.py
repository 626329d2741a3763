"""End to end, the way the README says: `make ...` in a clean clone of the repository.

The clone reuses this checkout's environment (PYTHON=...) instead of building its own, and
PYTHONPATH makes the kernel import the clone's package. CI itself starts from a clean clone
and builds the environment with `make test`, which covers the set-up step.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT
from helpers.catalogue import load_catalogue

pytestmark = pytest.mark.e2e


def clean_clone(destination):
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(destination)], check=True)
    return destination


def run_make(clone, *args, check=True, **environment):
    env = {**os.environ, "PYTHONPATH": str(clone / "src"), **environment}
    env.pop("EUROSTAT_MIRROR", None)
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(clone), *args, f"PYTHON={sys.executable}", "ENV_STAMP="],
        env=env, capture_output=True, text=True, timeout=1200,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"make {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


@pytest.fixture(scope="module")
def built_clone(tmp_path_factory, synthetic_mirror_path):
    clone = clean_clone(tmp_path_factory.mktemp("e2e") / "clone")
    run_make(clone, "data", f"EUROSTAT_MIRROR={synthetic_mirror_path}")
    return clone


def mirror_cell(mirror, dataset, key, year):
    """Look a cell up in the mirror file by plain text, independently of the project's parser."""
    lines = gzip.decompress((mirror / f"{dataset}.tsv.gz").read_bytes()).decode().split("\r\n")
    header = lines[0].split("\t")
    years = [h.strip() for h in header[1:]]
    for line in lines[1:]:
        cells = line.split("\t")
        if cells[0] == key:
            return cells[1 + years.index(str(year))].strip()
    raise KeyError(key)


def test_make_data_builds_the_store_from_the_mirror(built_clone, synthetic_mirror_path):
    table = pd.read_parquet(built_clone / "data/processed/ict_usage.parquet")
    catalogue = load_catalogue()
    # row count: every mirror series passing the catalogue's filters, times its 15 years
    expected = 0
    for spec in catalogue.datasets:
        lines = gzip.decompress((synthetic_mirror_path / f"{spec.code}.tsv.gz").read_bytes()).decode().split("\r\n")
        dims = [d.lower() for d in lines[0].split("\t")[0].split("\\")[0].split(",")]
        n_years = len(lines[0].split("\t")) - 1
        for line in lines[1:]:
            if not line:
                continue
            key = dict(zip(dims, line.split("\t")[0].split(",")))
            if all(key[d] in codes for d, codes in spec.filters.items()) and key["geo"] in catalogue.labels["geo"]:
                expected += n_years
    assert len(table) == expected

    def stored(dataset, indic, unit, group, geo, year):
        row = table[(table.dataset == dataset) & (table.indic_is == indic) & (table.unit == unit)
                    & (table.ind_type == group) & (table.geo == geo) & (table.year == year)]
        return row.value.iloc[0], row.flag.iloc[0]

    for dataset, key, year, (indic, unit, group, geo) in [
        ("isoc_ci_ac_i", "A,I_IUSNET,PC_IND,I5_8,NL", 2013, ("I_IUSNET", "PC_IND", "I5_8", "NL")),
        ("isoc_ci_ac_i", "A,I_IUPOL2,PC_IND,Y16_24,AT", 2013, ("I_IUPOL2", "PC_IND", "Y16_24", "AT")),
        ("isoc_ci_ifp_iu", "A,Y65_74,I_IU3,PC_IND,SE", 2021, ("I_IU3", "PC_IND", "Y65_74", "SE")),
        ("isoc_ciegi_ac", "A,PC_IND,IND_TOTAL,I_IUGOV12,EU28", 2013, ("I_IUGOV12", "PC_IND", "IND_TOTAL", "EU28")),
    ]:
        number, _, flag = mirror_cell(synthetic_mirror_path, dataset, key, year).partition(" ")
        value, stored_flag = stored(dataset, indic, unit, group, geo, year)
        assert stored_flag == flag.strip()
        if number == ":":
            assert value != value  # NaN
        else:
            assert value == float(number)


def test_make_data_again_does_nothing(built_clone, synthetic_mirror_path):
    result = run_make(built_clone, "data", f"EUROSTAT_MIRROR={synthetic_mirror_path}")
    assert "helpers.notebooks" not in result.stdout


def test_make_data_without_network_or_mirror_names_both_ways_forward(tmp_path):
    clone = clean_clone(tmp_path / "clone")
    result = run_make(clone, "data", check=False, EUROSTAT_API_BASE="http://127.0.0.1:9/unreachable/")
    assert result.returncode != 0
    assert "EUROSTAT_MIRROR" in result.stderr and "make demo" in result.stderr
    assert "Traceback" not in result.stderr
