"""Every table's CSV holds every row the table shows (#29, item 4): the Overview's verdict table and the
scorecard CSV on the claims' own code, then every table that links a CSV on a built report."""

from __future__ import annotations

import pytest

from table_csvs import csv_rows, rows_missing, table_rows, tables_not_held


@pytest.fixture(scope="module")
def results(tmp_path_factory, synthetic_mirror_path):
    """The claims evaluated on the test mirror (Eurostat's synthetic files and the OECD's rows)."""
    from helpers.analysis.claims import evaluate_all
    from helpers.store.refresh import fetch_all
    from helpers.store.tidy import build_store

    raw = tmp_path_factory.mktemp("raw")
    fetch_all(raw, source="mirror", mirror=synthetic_mirror_path)
    store = build_store(raw)[0]
    return evaluate_all(store), store


def shown_and_written(results, tmp_path):
    """The verdict table as the Overview shows it, and the CSV it links, as the Overview writes them."""
    from helpers.analysis.claims import scorecard
    from helpers.publish.tables import write_csv
    from helpers.publish.scorecard import verdict_table

    evaluated, store = results
    table = verdict_table(
        evaluated, csv=write_csv(scorecard(evaluated, store), name="claims_scorecard", output_dir=tmp_path)
    )
    return table, (tmp_path / "data" / "claims_scorecard.csv").read_text(encoding="utf-8")


def test_the_verdict_tables_csv_holds_every_row_it_shows_the_oecd_parts_included(results, tmp_path):
    table, written = shown_and_written(results, tmp_path)
    shown = table_rows(table.markdown)
    assert {"S-1 (OECD)", "S-2 (OECD)"} <= {row[0] for row in shown}
    assert "(data/claims_scorecard.csv)" in table.metadata["report"]["caption"]
    assert rows_missing(shown, csv_rows(written)) == []
    assert len(csv_rows(written)) == len(shown)  # one row each way: nothing in the CSV the table does not show


def test_a_csv_without_the_oecd_rows_is_caught(results, tmp_path):
    """The mistake of #29 made again: the CSV written without the OECD parts' rows."""
    table, written = shown_and_written(results, tmp_path)
    without = "\n".join(line for line in written.splitlines() if "(OECD)" not in line.split(",")[0])
    assert rows_missing(table_rows(table.markdown), csv_rows(without)) == ["S-1 (OECD)", "S-2 (OECD)"]


def test_the_reader_sees_a_cell_as_the_csv_writes_it():
    markdown = (
        "| claim | verdict |\n|:---|:---|\n| [Korea](countries/KOR.html) | [not reproduced]{.verdict .x} |\n"
        "| S\\_1 a\\|b | 7.4 |\n"
    )
    assert table_rows(markdown) == [["Korea", "not reproduced"], ["S_1 a|b", "7.4"]]


def test_every_table_of_the_built_report_that_links_a_csv_holds_its_rows_there(built_report):
    assert tables_not_held(built_report / "report") == {}
