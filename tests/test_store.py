import dataclasses
import json
import math
import os
import re

import pandas as pd
import pyarrow.parquet as pq
import pytest

from helpers.catalogue import load_catalogue
from helpers.base.errors import MalformedFile, MissingData, ValidationError
from helpers.store.tidy import (
    COLUMNS,
    build_store,
    load_provenance,
    load_store,
    mark_unavailable,
    read_dataset,
    set_aside_implausible,
    unavailable_sources,
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


# The store built, written and read on hand-made files in tmp_path (one dataset: a catalogue of it alone)

ONE = dataclasses.replace(CATALOGUE, datasets=(CATALOGUE.dataset("isoc_ci_ac_i"),))
TSV = (
    "freq,indic_is,unit,ind_type,geo\\TIME_PERIOD\t2013\t2014\n"
    "A,I_IUSNET,PC_IND,Y16_24,NL\t53.0 \t120.5 \n"  # 120.5: not a percentage, set aside
    "A,I_IUSNET,PC_IND,Y16_24,AT\t: c\t7.0 u\n"
    "A,I_IUSNET,PC_IND,Y16_24,ZZ\t1.0 \t2.0 \n"  # a geo the catalogue does not know: left out, listed
    "A,I_OTHER,PC_IND,Y16_24,NL\t1.0 \t2.0 \n"  # a series the catalogue does not select
)


def raw_dir(tmp_path, record=None):
    raw = tmp_path / "raw"
    raw.mkdir(parents=True)
    (raw / "isoc_ci_ac_i.tsv").write_text(TSV)
    record = {"dataset": "isoc_ci_ac_i", "file": "isoc_ci_ac_i.tsv", "synthetic": False, **(record or {})}
    (raw / "isoc_ci_ac_i.provenance.json").write_text(json.dumps(record))
    return raw


def test_the_store_keeps_the_catalogues_series_sorted_and_says_what_it_left_out(tmp_path):
    store, provenance = build_store(raw_dir(tmp_path), ONE)
    assert [tuple(r) for r in store[["geo", "year", "flag", "confidentiality"]].itertuples(index=False)] == [
        ("AT", 2013, "c", ""),
        ("AT", 2014, "u", ""),
        ("NL", 2013, "", ""),
        ("NL", 2014, "", ""),
    ]
    assert store.value.tolist()[1:3] == [7.0, 53.0] and store.value.isna().tolist() == [True, False, False, True]
    assert list(store.columns) == COLUMNS and str(store.year.dtype) == "int64" and store.attrs == {}
    implausible = dict(zip(COLUMNS, ("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "Y16_24", "NL", 2014, 120.5, "", "")))
    assert provenance == {
        "synthetic": False,
        "datasets": [
            {
                "dataset": "isoc_ci_ac_i",
                "file": "isoc_ci_ac_i.tsv",
                "synthetic": False,
                "tidy_rows": 4,
                "geos_not_in_catalogue": ["ZZ"],
            }
        ],
        "rows": 4,
        "implausible_values": [implausible],
    }
    assert build_store(raw_dir(tmp_path / "synthetic", {"synthetic": True}), ONE)[1]["synthetic"] is True


def test_a_source_recorded_without_data_is_in_the_provenance_with_no_rows(tmp_path):
    raw = raw_dir(tmp_path)
    oecd = CATALOGUE.dataset("DSD_ICT_HH_IND@DF_IND")
    unavailable = {"dataset": oecd.code, "publisher": "OECD", "file": "", "unavailable": "down", "attempted_at": "t"}
    (raw / f"{oecd.code}.provenance.json").write_text(json.dumps(unavailable))
    store, provenance = build_store(raw, dataclasses.replace(ONE, datasets=(*ONE.datasets, oecd)))
    assert provenance["datasets"][1] == {**unavailable, "tidy_rows": 0, "geos_not_in_catalogue": []}
    assert store.attrs["unavailable"] == {oecd.code: {"publisher": "OECD", "reason": "down", "attempted_at": "t"}}
    with pytest.raises(MissingData) as missing:
        build_store(raw, CATALOGUE)  # the catalogue's other datasets are not there
    assert str(missing.value) == f"{raw} has no isoc_ci_ifp_iu: run `make data` (or the 00_fetch notebook) first"


def test_what_could_not_be_fetched_is_named_with_its_publisher_reason_and_time():
    provenance = {
        "datasets": [
            {"dataset": "a", "unavailable": "503"},
            {"dataset": "b", "unavailable": "", "publisher": "OECD"},
            {"dataset": "c", "publisher": "OECD", "unavailable": "429", "attempted_at": "2026-01-01T00:00:00Z"},
        ]
    }
    assert unavailable_sources(provenance) == {
        "a": {"publisher": "Eurostat", "reason": "503", "attempted_at": ""},
        "c": {"publisher": "OECD", "reason": "429", "attempted_at": "2026-01-01T00:00:00Z"},
    }
    assert unavailable_sources({}) == {}
    marked = mark_unavailable(table(GOOD), provenance)
    assert set(marked.attrs["unavailable"]) == {"a", "c"}
    assert "unavailable" not in mark_unavailable(marked, {"datasets": []}).attrs  # a later fetch got it


def test_the_written_store_reads_back_and_lists_the_countries_with_a_value(tmp_path):
    rows = GOOD + [
        ("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "I5_8", "AT", 2013, 40.0, "", ""),
        ("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "I5_8", "EU27_2020", 2013, 40.0, "", ""),  # an aggregate
        ("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "I5_8", "BE", 2013, float("nan"), "", ""),  # no value
        ("DSD_ICT_HH_IND@DF_IND", "D1B_I", "PT_POP", "Y55T74", "USA", 2013, 50.0, "", ""),
        ("DSD_ICT_HH_IND@DF_IND", "D1B_I", "PT_POP", "Y55T74", "KOR", 2013, 40.0, "", ""),
        ("DSD_ICT_HH_IND@DF_IND", "D1B_I", "PT_POP", "Y55T74", "JPN", 2013, float("nan"), "", ""),
    ]
    store = table(rows)
    write_store(store, {"datasets": []}, tmp_path / "processed")
    processed = tmp_path / "processed"
    assert (processed / "countries.txt").read_text() == "AT NL\n"  # the catalogue's order, values only
    assert (processed / "oecd_countries.txt").read_text() == "KOR USA\n"
    assert b"\r" not in (processed / "ict_usage.csv").read_bytes()
    assert (processed / "ict_usage.csv").read_text().split("\n")[0] == ",".join(COLUMNS)  # no index column
    write_store(store, {"datasets": []}, tmp_path / "new" / "processed")  # its folders made as needed
    assert (tmp_path / "new" / "processed" / "ict_usage.parquet").exists()
    assert (processed / "provenance.json").read_text() == '{\n  "datasets": []\n}\n'
    pd.testing.assert_frame_equal(load_store(processed), store)
    assert load_store(processed).attrs == {}
    # the OECD not fetched: every OECD country has its page, saying so
    write_store(store, {"datasets": [{"dataset": "x", "publisher": "OECD", "unavailable": "down"}]}, processed)
    assert (processed / "oecd_countries.txt").read_text() == "KOR JPN USA\n"
    assert load_store(processed).attrs["unavailable"]["x"]["reason"] == "down"
    (processed / "provenance.json").unlink()
    assert load_store(processed).attrs == {}  # a store without its provenance: nothing said unavailable
    (processed / "ict_usage.parquet").unlink()
    with pytest.raises(MissingData) as missing:
        load_store(processed)
    assert str(missing.value) == f"no processed store at {processed / 'ict_usage.parquet'}: run `make data` first"


def test_a_broken_rule_is_said_with_its_row_count_and_at_most_five_rows_and_every_rule_at_once():
    bad = [("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "I5_8", f"X{i}", 2013, 1.0, "", "") for i in range(7)]
    bad.append(("isoc_nope", "I_IUSNET", "PC_IND", "I5_8", "NL", 2015, 1.0, "", ""))
    with pytest.raises(ValidationError) as caught:
        validate(table(GOOD + bad), CATALOGUE)
    first = dict(zip(COLUMNS, bad[0]))
    lines = str(caught.value).split("\n")
    assert lines[0] == "the tidy table is not valid, nothing was written:"
    assert lines[1].startswith(f"- unknown geo code: 7 row(s), e.g. [{first}, ")
    assert lines[1].count("'geo': 'X") == 5 and "X5" not in lines[1]  # five rows at most
    assert lines[2] == f"- unknown dataset: 1 row(s), e.g. [{dict(zip(COLUMNS, bad[-1]))}]"
    assert len(lines) == 3


def test_a_table_without_a_column_is_refused_naming_it():
    with pytest.raises(ValidationError, match=r"^the tidy table lacks columns \['flag', 'confidentiality'\]$"):
        validate(table(GOOD).drop(columns=["flag", "confidentiality"]), CATALOGUE)


def test_percentages_at_the_bounds_or_missing_pass_and_other_units_are_not_percentages():
    rows = [
        ("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "Y16_24", "NL", 2013, 0.0, "", ""),
        ("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "Y16_24", "NL", 2014, 100.0, "", ""),
        ("DSD_ICT_HH_IND@DF_IND", "D1B_I", "PT_POP", "Y55T74", "KOR", 2013, 100.0, "D", ""),
    ]
    validate(table(GOOD + rows), CATALOGUE)
    kept, implausible = set_aside_implausible(table(GOOD + rows))
    assert implausible.empty and kept.value.tolist()[3:] == [0.0, 100.0, 100.0]
    with pytest.raises(ValidationError, match=r"percentage outside 0-100: 1 row\(s\)"):
        validate(table(GOOD + [rows[2][:6] + (100.5, "", "")]), CATALOGUE)  # the OECD's PT_ too
    with pytest.raises(ValidationError, match=r"percentage outside 0-100: 1 row\(s\)"):
        validate(table(GOOD + [rows[0][:6] + (-0.5, "", "")]), CATALOGUE)
    kept, implausible = set_aside_implausible(table(GOOD + [rows[2][:6] + (-0.5, "D", "")]))
    assert implausible.to_dict("records") == [dict(zip(COLUMNS, rows[2][:6] + (-0.5, "D", "")))]
    assert math.isnan(kept.value.iloc[-1]) and kept.value.iloc[0] == 53.0  # the others stay


def test_the_oecds_status_letters_are_flags_and_a_confidentiality_is_one_letter():
    rows = [
        ("DSD_ICT_HH_IND@DF_IND", "D1B_I", "PT_POP", "Y55T74", "KOR", 2013, 7.4, "D", ""),
        ("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "Y16_24", "NL", 2013, float("nan"), "", "C"),
    ]
    validate(table(GOOD + rows), CATALOGUE)
    with pytest.raises(ValidationError, match="unknown confidentiality status"):
        validate(table(GOOD + [rows[1][:7] + ("", "CC")]), CATALOGUE)


def test_a_source_recorded_without_data_does_not_stop_the_datasets_after_it(tmp_path):
    raw = raw_dir(tmp_path)
    oecd = CATALOGUE.dataset("DSD_ICT_HH_IND@DF_IND")
    unavailable = {"dataset": oecd.code, "publisher": "OECD", "file": "", "unavailable": "down"}
    (raw / f"{oecd.code}.provenance.json").write_text(json.dumps(unavailable))
    store, provenance = build_store(raw, dataclasses.replace(ONE, datasets=(oecd, *ONE.datasets)))
    assert [r["tidy_rows"] for r in provenance["datasets"]] == [0, 4] and len(store) == 4


def test_a_raw_file_is_read_as_the_dataset_its_record_names_whatever_the_files_name(tmp_path):
    raw = raw_dir(tmp_path, {"file": "download.tsv"})
    (raw / "isoc_ci_ac_i.tsv").rename(raw / "download.tsv")
    store, _ = build_store(raw, ONE)
    assert set(store.dataset) == {"isoc_ci_ac_i"} and len(store) == 4


def test_a_malformed_oecd_file_is_refused_naming_its_path(tmp_path):
    path = tmp_path / "DSD_ICT_HH_IND@DF_IND.csv"
    path.write_text("<!DOCTYPE html><html><body>Service unavailable</body></html>\n")
    with pytest.raises(MalformedFile, match=f"^{re.escape(str(path))}: an HTML page"):
        read_dataset(path, CATALOGUE.dataset("DSD_ICT_HH_IND@DF_IND"))


def test_a_duplicate_key_counts_every_row_sharing_it_and_each_rule_is_named_in_full():
    rows = [
        ("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "I5_8", "NL", 2013, 54.0, "", ""),  # GOOD[0]'s key again
        ("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "Y16_24", "NL", 2013, 1.0, "u!", ""),
        ("isoc_ci_ac_i", "I_IUSNET", "PC_IND", "Y16_24", "NL", 2014, 1.0, "", "X"),
    ]
    with pytest.raises(ValidationError) as caught:
        validate(table(GOOD + rows), CATALOGUE)
    lines = str(caught.value).split("\n")
    assert lines[1].startswith("- duplicate key: 2 row(s), e.g. [")
    assert lines[2] == f"- unknown observation flag: 1 row(s), e.g. [{dict(zip(COLUMNS, rows[1]))}]"
    assert lines[3] == f"- unknown confidentiality status: 1 row(s), e.g. [{dict(zip(COLUMNS, rows[2]))}]"
    assert len(lines) == 4


def test_the_written_files_are_the_same_on_every_platform_and_for_every_reader(tmp_path, monkeypatch):
    """The provenance's keys sorted (a rebuild diffs clean), the CSV's lines ending in LF even where the
    platform's end in CRLF, the Parquet file with the table's columns only (no index column for R or Arrow)."""
    monkeypatch.setattr(os, "linesep", "\r\n")
    write_store(table(GOOD), {"synthetic": False, "rows": 3, "datasets": [{"file": "f", "dataset": "d"}]}, tmp_path)
    assert (tmp_path / "provenance.json").read_text() == (
        '{\n  "datasets": [\n    {\n      "dataset": "d",\n      "file": "f"\n    }\n  ],\n'
        '  "rows": 3,\n  "synthetic": false\n}\n'
    )
    assert b"\r" not in (tmp_path / "ict_usage.csv").read_bytes()
    assert pq.read_schema(tmp_path / "ict_usage.parquet").names == COLUMNS
