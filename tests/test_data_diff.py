"""The change report (helpers.publish.data_diff): the data in use against another mirror.

Both sides are made here from whichever synthetic mirror the tests use (../shared's or the one the
project generates): the cells that matter are set to known values on both sides, so the verdicts
and ranks that flip are worked out by hand, whatever the mirror's own numbers.
"""

from __future__ import annotations

import gzip
import json
import shutil

import pytest

from helpers.publish import data_diff as change_report
from helpers.store.refresh import fetch_all


def modified_mirror(source, target, changes):
    """Copy a mirror, replacing some cells: changes = {(dataset, series key, year): new cell}."""
    shutil.copytree(source, target)
    for dataset in {d for d, _, _ in changes}:
        path = target / f"{dataset}.tsv.gz"
        lines = gzip.decompress(path.read_bytes()).decode().split("\r\n")
        years = [h.strip() for h in lines[0].split("\t")[1:]]
        found = set()
        for i, line in enumerate(lines[1:], start=1):
            cells = line.split("\t")
            for (d, key, year), cell in changes.items():
                if d == dataset and cells[0] == key:
                    cells[1 + years.index(str(year))] = cell
                    found.add((d, key, year))
            lines[i] = "\t".join(cells)
        assert found == {c for c in changes if c[0] == dataset}, "a series to change is not in the mirror"
        path.write_bytes(gzip.compress("\r\n".join(lines).encode(), compresslevel=1, mtime=0))  # level 1: seconds less
    manifest = json.loads((target / "MIRROR.json").read_text())
    (target / "MIRROR.json").write_text(json.dumps(manifest))
    return target


def change_report_between(synthetic_mirror, tmp_path, before: dict, after: dict) -> str:
    raw = tmp_path / "raw"
    fetch_all(raw, source="mirror", mirror=modified_mirror(synthetic_mirror, tmp_path / "before", before))
    output = tmp_path / "data-diff.md"
    revised = modified_mirror(synthetic_mirror, tmp_path / "after", after)
    assert change_report.main(["--raw-dir", str(raw), "--mirror", str(revised), "--output", str(output)]) == 0
    return output.read_text()


HIGH, LOW = "A,I_IUSNET,PC_IND,I5_8,EU28", "A,I_IUSNET,PC_IND,I0_2,EU28"


@pytest.mark.integration
def test_change_report_names_exactly_the_changed_series_and_the_flipped_verdicts(synthetic_mirror, tmp_path):
    # E-1 says EU high 53, low 31, gap 22: before, 70 and 10 (every check fails); after, exactly the paper's
    text = change_report_between(
        synthetic_mirror,
        tmp_path,
        {("isoc_ci_ac_i", HIGH, 2013): "70.0 ", ("isoc_ci_ac_i", LOW, 2013): "10.0 "},
        {("isoc_ci_ac_i", HIGH, 2013): "53.0 ", ("isoc_ci_ac_i", LOW, 2013): "31.0 "},
    )
    assert "**2 cell(s) changed in 2 series; 1 verdict(s) flip; 0 country ranking(s) move.**" in text
    series_section = text.split("## Series that changed")[1].split("## Largest revisions")[0]
    assert "| isoc_ci_ac_i | I_IUSNET | PC_IND | I0_2 |" in series_section
    assert "| isoc_ci_ac_i | I_IUSNET | PC_IND | I5_8 |" in series_section
    assert series_section.count("| isoc_ci_ac_i |") == 2
    flips = text.split("## Claim verdicts that flip")[1].split("## Rankings")[0]
    assert "| E-1 | paper year | not reproduced | reproduced |" in flips


@pytest.mark.integration
def test_change_report_with_a_country_revision_moves_rankings(synthetic_mirror, tmp_path):
    # the Netherlands last among young people in 2013 before, first after
    key = "A,I_IUPOL2,PC_IND,Y16_24,NL"
    text = change_report_between(
        synthetic_mirror, tmp_path, {("isoc_ci_ac_i", key, 2013): "0.0 "}, {("isoc_ci_ac_i", key, 2013): "99.0 u"}
    )
    assert "1 cell(s) changed in 1 series" in text
    assert "| Youth civic use | 2013 | NL |" in text
