"""What a built site's charts must be (#37), for both renderers: SVG in the page, whose marks carry their
words, read back against the CSV beside each chart; no PNG chart left."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from helpers.publish.charts import number, value_words

SVG = re.compile(r'<svg class="report-chart"[^>]*>.*?</svg>', re.S)
TITLES = re.compile(r"<title>([^<]*)</title>")


def figure_block(page: str, label: str) -> str:
    """The HTML from the figure's id to the next figure (its SVG(s), caption and CSV link)."""
    start = page.index(f'id="{label}"')
    for following in re.finditer(r'id="(fig-[\w-]+)"', page[start:]):
        if not following.group(1).startswith(label):  # its caption's and subfigures' ids start with it
            return page[start : start + following.start()]
    return page[start:]


def chart_titles(site: Path, page: str, label: str) -> tuple[list[str], pd.DataFrame]:
    """The titles of the marks of the figure `label` in `page` and the CSV its caption links."""
    text = (site / page).read_text(encoding="utf-8")
    block = figure_block(text, label)
    svgs = SVG.findall(block)
    assert svgs, f"{page}: no inline SVG chart in {label}"
    for svg in svgs:
        opening = svg[: svg.index(">") + 1]
        assert 'role="graphics-document"' in opening and 'aria-label="' in opening, f"{page}, {label}: {opening}"
    csv = re.search(r'href="([^"]+\.csv)"', block)
    assert csv, f"{page}: {label} links no CSV"
    table = pd.read_csv((site / page).parent / csv.group(1), keep_default_na=False, na_values=[""])
    return [html.unescape(t) for svg in svgs for t in TITLES.findall(svg)], table


def flag(value) -> str:
    return value if isinstance(value, str) else ""


def check_chart_titles(site: Path) -> None:
    """For one chart of each kind, a known country's title gives its value and flag as its CSV says."""
    # ranking: Spain's bar, 2013
    titles, table = chart_titles(site, "youth-civic.html", "fig-youth-then")
    row = table[table.geo == "ES"].iloc[0]
    assert f"Spain, {row.year}: {value_words(row.value, flag(row.flag))}" in titles, titles[:5]
    assert len([t for t in titles if not t.startswith("EU")]) == len(table)  # every country's bar
    # gap: Portugal's dots and gap
    titles, table = chart_titles(site, "education-gaps.html", "fig-education-then")
    row = table[table.geo == "PT"].iloc[0]
    assert any(
        t.startswith(f"Portugal, {row.year}, ") and t.endswith(value_words(row.high, flag(row.flag_high)))
        for t in titles
    )
    assert f"Portugal, {row.year}: gap +{number(row.gap)} percentage points" in titles
    # trend: Germany's seniors in 2011
    titles, table = chart_titles(site, "senior-uptake.html", "fig-senior-trend")
    row = table[(table.geo == "DE") & table.value.notna()].iloc[0]
    assert f"Germany, {row.year}: {value_words(row.value, flag(row.flag))}" in titles
    # scorecard: the first check
    titles, table = chart_titles(site, "index.html", "fig-scorecard-chart")
    row = table[table.status != "untested"].iloc[0]
    assert any(t.startswith(f"{row.label}: the data {number(row.value)}; ") for t in titles)
    # small multiples: Spain's last year of internet use, one SVG per panel
    titles, table = chart_titles(site, "countries/ES.html", "fig-country-trend")
    rows = table[(table.line == "Spain") & table.value.notna()]
    row = rows.iloc[-1]
    assert f"Spain, {row.year}: {value_words(row.value, flag(row.flag))}" in titles
    assert len(SVG.findall(figure_block((site / "countries/ES.html").read_text(), "fig-country-trend"))) == len(
        set(table.panel)
    )
    assert not sorted(site.rglob("*.png")), "a PNG is left in the site"
    assert not [p for p in site.rglob("*_files/figure-html/*.svg")], "an SVG chart file the pages inline is left"
