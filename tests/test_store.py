import math
import re

import pandas as pd
import pytest

from helpers.catalogue import load_catalogue
from helpers.base.errors import MissingData, ValidationError
from helpers.store.tidy import (
    COLUMNS,
    build_store,
    load_provenance,
    load_store,
    set_aside_implausible,
    validate,
    write_store,
)

CATALOGUE = load_catalogue()


def table(rows):
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    return frame


GOOD = [
    ("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "I5_8", "NL", 2013, 53.0, "", ""),
    ("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "I0_2", "NL", 2013, float("nan"), "c", ""),
    ("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "I0_2", "NL", 2014, float("nan"), "", "C"),
]


def test_a_good_table_passes():
    validate(table(GOOD), CATALOGUE)


@pytest.mark.parametrize(
    "row, rule",
    [
        (("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "I5_8", "XX", 2013, 1.0, "", ""), "unknown geo code"),
        (("isoc_ci_ac_i", "I_NOPE", "PC_IND", "I5_8", "NL", 2013, 1.0, "", ""), "unknown indic_is code"),
        (("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "I5_8", "NL", 2013, 54.0, "", ""), "duplicate key"),
        (("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "Y16_24", "NL", 2013, 101.5, "", ""), "percentage outside 0-100"),
        (("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "Y16_24", "NL", 2013, 1.0, "u!", ""), "unknown observation flag"),
        (("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "Y16_24", "NL", 2013, 1.0, "abc", ""), "unknown observation flag"),
        (("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "Y16_24", "NL", 2013, 1.0, "", "X"), "unknown confidentiality"),
    ],
)
def test_each_rule_names_the_offending_rows(row, rule):
    with pytest.raises(ValidationError, match=rule) as caught:
        validate(table(GOOD + [row]), CATALOGUE)
    assert repr(row[4]) in str(caught.value)


def test_years_must_be_integers():
    bad = table(GOOD)
    bad["year"] = bad["year"].astype(float)
    with pytest.raises(ValidationError, match="years are not integers"):
        validate(bad, CATALOGUE)


def test_implausible_percentages_are_set_aside_and_listed():
    rows = GOOD + [("isoc_ci_ifp_iu", "I_ILT12", "PC_IND", "I5_8", "DK", 2024, 100.2, "", "")]
    kept, implausible = set_aside_implausible(table(rows))
    assert math.isnan(kept.value.iloc[-1])
    assert implausible.to_dict("records") == [dict(zip(COLUMNS, rows[-1]))]


@pytest.mark.integration
def test_build_and_load_the_store(tmp_path, synthetic_mirror):
    from helpers.store.refresh import fetch_all

    raw, processed = tmp_path / "raw", tmp_path / "processed"
    fetch_all(raw, source="mirror", mirror=synthetic_mirror)
    built, provenance = build_store(raw)
    write_store(built, provenance, processed)
    loaded = load_store(processed)
    pd.testing.assert_frame_equal(loaded, built)
    assert provenance["synthetic"] is True
    # every catalogue series x 15 years (2011-2025), for the 40 geos of the mirror
    assert set(loaded[loaded.dataset.str.startswith("isoc")].year) == set(range(2011, 2026))
    # and the OECD's rows beside them, in the OECD's codes, for the countries Eurostat does not survey
    oecd = loaded[loaded.dataset == "DSD_ICT_HH_IND@DF_IND"]
    assert len(oecd) and set(oecd.geo) <= {"KOR", "JPN", "USA"} and set(oecd.unit) == {"PT_POP"}
    assert (open(processed / "oecd_countries.txt").read().split()) == sorted(
        set(oecd.geo), key=["KOR", "JPN", "USA"].index
    )
    assert not loaded.duplicated(["dataset", "indic_is", "unit", "ind_type", "geo", "year"]).any()
    csv = pd.read_csv(processed / "ict_usage.csv", keep_default_na=False, na_values=[""])
    assert len(csv) == len(loaded)


def test_store_missing_says_what_to_run(tmp_path):
    with pytest.raises(MissingData, match="make data"):
        load_store(tmp_path)
    with pytest.raises(MissingData, match="make data"):
        build_store(tmp_path)
    with pytest.raises(
        MissingData, match=f"^no provenance at {re.escape(str(tmp_path / 'provenance.json'))}: run `make data` first$"
    ):
        load_provenance(tmp_path)


def test_the_provenance_reads_back_as_written_whatever_its_text(tmp_path):
    """The pages read the provenance the store was written with: labels in any script come back whole."""
    provenance = {
        "synthetic": False,
        "datasets": [{"dataset": "isoc_ci_ac_i", "title": "Usage d'Internet – Ελλάδα 🇬🇷"}],
    }
    write_store(table(GOOD), provenance, tmp_path)
    assert load_provenance(tmp_path) == provenance


def test_a_failed_validation_writes_nothing(tmp_path, monkeypatch, synthetic_mirror):
    from helpers.store import tidy as store
    from helpers.store.refresh import fetch_all

    raw, processed = tmp_path / "raw", tmp_path / "processed"
    fetch_all(raw, source="mirror", mirror=synthetic_mirror)

    def reject(*args):
        raise ValidationError("rejected")

    monkeypatch.setattr(store, "validate", reject)
    with pytest.raises(ValidationError):
        store.build_store(raw)
    assert not processed.exists()
