"""The OECD down, through make, in a clean clone (#29, item 2): a first live build against Eurostat's
stand-in with the OECD's stand-in answering 503 builds the whole report, and every page that shows the
OECD's part says its data could not be fetched; once the OECD answers, `make refresh` and `make report`
show Korea's value. Without ../shared the stand-ins serve the project's generated mirror."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from conftest import OECD_FILE
from eurostat_standin import StandIn
from oecd_standin import OecdStandIn
from pipeline import clean_clone, run_make
from test_end_to_end import stated_verdicts

pytestmark = pytest.mark.e2e  # three builds through make

# the pages that show the OECD's part (the article is assembled from the Overview, the topic pages and Data and methods)
OECD_PAGES = [
    "index.html",
    "senior-uptake.html",
    "data-and-methods.html",
    "article.html",
    "countries/KOR.html",
    "countries/JPN.html",
    "countries/USA.html",
]


def page_text(site, page: str) -> str:
    """A page's text as a reader sees it (tags out, entities and typographic apostrophes undone)."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", (site / page).read_text(encoding="utf-8")))
    return re.sub(r"\s+", " ", text.replace("\u2019", "'"))


def test_a_first_live_build_with_the_oecd_down_then_a_refresh_when_it_answers(synthetic_mirror_path, tmp_path):
    clone = clean_clone(tmp_path / "clone")
    site = clone / "report" / "_site"
    with (
        StandIn(synthetic_mirror_path) as eurostat,
        OecdStandIn(synthetic_mirror_path / OECD_FILE, faults=["503*"]) as oecd,
    ):
        live = dict(
            EUROSTAT_API_BASE=eurostat.base_url,
            EUROSTAT_BACKOFF="0.01",
            OECD_API_BASE=oecd.base_url,
            OECD_BACKOFF="0.01",
        )
        built = run_make(clone, "report", "SOURCE=live", **live)
        said = [line for line in built.stdout.splitlines() if "the OECD's data could not be fetched" in line]
        assert len(said) == 1 and "HTTP 503" in said[0], built.stdout  # one line on the terminal
        assert (site / "index.html").exists() and (site / "youth-civic.html").exists()  # the whole report
        for page in OECD_PAGES:
            text = page_text(site, page)
            assert re.search(
                r"the OECD's data could not be fetched on \d{1,2} \w+ \d{4}: the OECD answered HTTP 503", text, re.I
            ), page
            assert "S-1 (OECD) and S-2 (OECD) were not checked" in text, page
        scorecard = pd.read_csv(clone / "report" / "data" / "claims_scorecard.csv").set_index("id")
        assert scorecard.loc["S-1 (OECD)", "verdict"] == scorecard.loc["S-2 (OECD)", "verdict"] == "not checked"
        assert "not checked" in page_text(site, "index.html") and "Korea" not in scorecard.loc["S-1", "verdict"]
        stated = stated_verdicts(
            clone / "report"
        )  # every page that states the OECD's parts: "not checked", never a verdict
        for part in ("S-1 (OECD)", "S-2 (OECD)"):
            assert {"index", "senior-uptake"} <= set(stated[part]) and set().union(*stated[part].values()) == {
                "not checked"
            }
        assert "countries/KOR" in stated["S-1 (OECD)"] and "countries/USA" in stated["S-2 (OECD)"]

        oecd.faults.clear()  # the OECD answers again
        run_make(clone, "refresh", "SOURCE=live", **live)
        run_make(clone, "report", "SOURCE=live", **live)
    from helpers.store.tidy import load_store

    store = load_store(clone / "data" / "processed")
    korea = store[(store.geo == "KOR") & (store.indic_is == "D1B_I") & (store.ind_type == "Y55T74")].dropna(
        subset=["value"]
    )
    latest = korea.sort_values("year").iloc[-1]
    assert f"{latest.value:.1f}" in page_text(site, "countries/KOR.html")
    for page in OECD_PAGES:
        assert "the OECD's data could not be fetched on" not in page_text(site, page), page
    scorecard = pd.read_csv(clone / "report" / "data" / "claims_scorecard.csv").set_index("id")
    assert scorecard.loc["S-1 (OECD)", "verdict"] != "not checked"
