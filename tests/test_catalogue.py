import re

import pytest

from helpers.catalogue import flag_meaning, load_catalogue
from helpers.base.errors import UnknownCode

from conftest import REAL_DIC

CATALOGUE = load_catalogue()


def test_every_filter_code_has_a_label():
    """Every code that reaches the store's columns has a label (the OECD's other dimensions are
    filtered to their totals, _T, and never shown)."""
    from helpers.catalogue import TIDY_DIMENSIONS

    for spec in CATALOGUE.datasets:
        for dimension, codes in spec.filters.items():
            column = spec.rename.get(dimension, dimension)
            if column not in TIDY_DIMENSIONS:
                continue
            missing = [c for c in codes if c not in CATALOGUE.known_codes(column)]
            assert not missing, f"{spec.code} {dimension}: no label for {missing}"


def oecd_codes(dimension: str) -> set[str]:
    return {
        code
        for spec in CATALOGUE.datasets_from("oecd")
        for source, target in spec.rename.items()
        if target == dimension
        for code in spec.filters[source]
    }


@pytest.mark.parametrize("dimension", ["indic_is", "ind_type", "unit", "geo"])
def test_labelled_codes_are_real_eurostat_codes(dimension):
    dic = REAL_DIC / f"{dimension}.dic"
    if not dic.exists():
        pytest.skip(f"../shared is absent ({dic.parent} not found): the real Eurostat dictionaries cannot be read")
    real = {line.split("\t")[0] for line in dic.read_text(encoding="utf-8").splitlines()}
    assert not set(CATALOGUE.labels[dimension]) - real - oecd_codes(dimension)
    assert not oecd_codes(dimension) & real  # the OECD's codes are never Eurostat's: no series of the two can meet


def test_flags_of_2025_are_labelled():
    """Every letter the parser accepts has a label: observation flags and confidentiality apart."""
    from helpers.acquire.eurostat_tsv import CONFIDENTIALITY_CODES, OBSERVATION_FLAGS
    from helpers.acquire.oecd_csv import NORMAL, OECD_OBSERVATION_STATUS

    # the OECD's statuses are upper case, Eurostat's flags lower case: one table holds both
    assert set(CATALOGUE.labels["flag"]) == set(OBSERVATION_FLAGS) | set(OECD_OBSERVATION_STATUS) - {NORMAL}
    assert set(CATALOGUE.labels["confidentiality"]) == set(CONFIDENTIALITY_CODES)


# Eurostat's words for each flag letter: its code list OBS_STATUS (the single letters of
# ../shared/eurostat/dic/obs_status.dic, checked below where it is present), and, for i and m, the
# flags Eurostat added on 27 January 2025. A label must begin with these words (punctuation aside).
EUROSTAT_FLAG_WORDS = {
    "b": "break in time series",
    "c": "confidential",
    "d": "definition differs (see metadata)",
    "e": "estimated",
    "f": "forecast",
    "n": "not significant",
    "p": "provisional",
    "r": "revised",
    "s": "Eurostat estimate",
    "u": "low reliability",
    "z": "not applicable",
    "i": "value imputed",
    "m": "missing value, data cannot exist",
}


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9 ]", " ", text.lower()).split()


@pytest.mark.parametrize("letter", sorted(EUROSTAT_FLAG_WORDS))
def test_each_flag_is_explained_in_eurostats_words(letter):
    expected = words(EUROSTAT_FLAG_WORDS[letter])
    assert words(CATALOGUE.label("flag", letter))[: len(expected)] == expected


def test_every_eurostat_flag_letter_has_its_words_here():
    from helpers.acquire.eurostat_tsv import OBSERVATION_FLAGS

    assert set(OBSERVATION_FLAGS) == set(EUROSTAT_FLAG_WORDS)


def test_the_flag_words_here_are_eurostats_code_list():
    dic = REAL_DIC / "obs_status.dic"
    if not dic.exists():
        pytest.skip(f"../shared is absent ({dic} not found): Eurostat's list of flags cannot be read")
    single = dict(
        line.split("\t", 1) for line in dic.read_text(encoding="utf-8").splitlines() if len(line.split("\t")[0]) == 1
    )
    assert {k: v for k, v in EUROSTAT_FLAG_WORDS.items() if k in single} == single


def test_multi_letter_flags_are_explained_letter_by_letter():
    assert flag_meaning("ub", CATALOGUE.labels["flag"]) == "low reliability; break in time series"
    assert CATALOGUE.label("flag", "") == ""


def test_unknown_dataset_names_the_known_ones():
    with pytest.raises(UnknownCode, match="isoc_ci_ac_i, isoc_ci_ifp_iu, isoc_ci_in_h, isoc_ciegi_ac"):
        CATALOGUE.dataset("nama_10_gdp")


def test_countries_exclude_aggregates():
    assert "EU28" not in CATALOGUE.countries and "NL" in CATALOGUE.countries


def test_the_codes_table_gives_every_selected_code_its_meaning():
    # the pages name series in words and send readers to this table for Eurostat's codes
    from helpers.publish.provenance import codes_table

    catalogue = load_catalogue()
    table = codes_table(catalogue)
    shown = ("indic_is", "unit", "ind_type", "hhtyp")  # the OECD's sex, education, ... are its totals (_T)
    selected = {
        (spec.code, code)
        for spec in catalogue.datasets
        for dimension, codes in spec.filters.items()
        if spec.rename.get(dimension, dimension) in shown
        for code in codes
    }
    listed = {(dataset.split(" ")[0], code) for dataset, code in zip(table["dataset"], table["code"])}
    assert listed == selected
    assert {"D1B_I", "PT_POP", "Y55T74"} <= set(table["code"])
    assert (table["meaning"] != table["code"]).all() and table["meaning"].str.len().gt(3).all()
    row = table[(table["code"] == "I5_8")].iloc[0]
    assert row["what"] == "group of people" and row["meaning"] == "High formal education"
