import gzip
import json

import pytest


from helpers.catalogue import load_catalogue
from helpers.acquire.eurostat_tsv import read_eurostat_tsv
from helpers.store.refresh import fetch_all
from helpers.store.tidy import build_store
from helpers.acquire.synthetic_mirror import write_mirror


@pytest.mark.integration
def test_the_mirror_is_deterministic_and_declares_itself_synthetic(tmp_path):
    first, second = write_mirror(tmp_path / "a"), write_mirror(tmp_path / "b")
    for path in sorted(first.iterdir()):
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name
        if path.suffix == ".gz":  # the retrieval date of a mirror file is its modification time
            assert path.stat().st_mtime == (second / path.name).stat().st_mtime
    manifest = json.loads((first / "MIRROR.json").read_text())
    assert manifest["synthetic"] is True and "Not Eurostat" in manifest["warning"]


@pytest.mark.integration
def test_the_mirror_is_in_eurostats_api_layout(tmp_path):
    mirror = write_mirror(tmp_path / "m")
    text = gzip.decompress((mirror / "isoc_ciegi_ac.tsv.gz").read_bytes()).decode()
    assert text.startswith("freq,unit,ind_type,indic_is,geo\\TIME_PERIOD\t2011 \t")
    assert "\r\n" in text
    for spec in load_catalogue().datasets_from("eurostat"):
        table = read_eurostat_tsv(mirror / f"{spec.code}.tsv.gz")
        for dimension, codes in spec.filters.items():
            assert set(codes) <= set(table[dimension]), (spec.code, dimension)
        assert table.value.dropna().between(0, 100).all()
        assert set("".join(table.flag)) >= {"u", "b", "p", "c"}


@pytest.mark.integration
def test_the_pipeline_reads_it_and_marks_it_synthetic(tmp_path):
    mirror = write_mirror(tmp_path / "m")
    records = fetch_all(tmp_path / "raw", source="mirror", mirror=mirror)
    assert all(r["synthetic"] for r in records)
    table, provenance = build_store(tmp_path / "raw")
    assert provenance["synthetic"] is True
    assert set(table.indic_is) >= {"I_IUSNET", "I_IUCPP", "I_IUGOV12", "I_IU3"}


def test_the_mirrors_oecd_file_is_in_the_oecds_layout(tmp_path):
    """The OECD's answer in the generated mirror has the header of a real one, byte for byte, and
    every selected series of the catalogue, flagged as the OECD flags (D: definition differs)."""
    from conftest import REAL_OECD_ROWS

    from helpers.acquire.oecd_csv import parse_oecd_csv

    mirror = write_mirror(tmp_path / "m")
    spec = load_catalogue().dataset("DSD_ICT_HH_IND@DF_IND")
    payload = (mirror / "DSD_ICT_HH_IND@DF_IND.csv").read_bytes()
    if REAL_OECD_ROWS.exists():
        assert payload.split(b"\n")[0] == REAL_OECD_ROWS.read_bytes().split(b"\n")[0]
    table = parse_oecd_csv(payload, dataset=spec.code, dimensions=spec.key_order, source="generated")
    for dimension, codes in spec.filters.items():
        assert set(table[dimension]) == set(codes), dimension
    assert set(table.flag) == {"", "D"} and table.value.between(0, 100).all()
