"""Charts as a page shows them: an image output (SVG, its marks titled with their values: see
`helpers.publish.charts`) with its caption and alt text, the table behind it written as CSV and linked
from the caption; one function per kind of comparison. The renderers put the SVG in the page itself
(a browser shows the titles of an SVG only there, not through <img>).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from helpers.catalogue import load_catalogue
from helpers.publish import REPORT_KEY
from helpers.publish.charts import (
    axis_top,
    dumbbell,
    flag_note,
    ranked_bars,
    scorecard_dots,
    small_multiples,
    svg_text,
    trend_lines,
)
from helpers.publish.outputs import Shown, callout
from helpers.publish.tables import csv_link, no_data, write_csv
from helpers.publish.text import markdown_text


class Chart:
    """An image output (SVG) with its caption and alt text in the metadata; `group`, for one chart of
    several that make one figure (small multiples): the figure's caption and its number of columns."""

    def __init__(self, svg: str, *, caption: str, alt: str, group: dict | None = None):
        self.svg, self.caption, self.alt, self.group = svg, caption, alt, group

    def _repr_svg_(self):
        # no width or height: the image fills the text column (or its natural size, when smaller)
        report = {"kind": "figure", "caption": self.caption, "alt": self.alt}
        if self.group:
            report["group"] = self.group
        return self.svg, {REPORT_KEY: report}

    def __repr__(self) -> str:
        return self.alt


class Charts:
    """Several charts shown as one figure: each an output of the cell (IPython calls
    `_ipython_display_` for a cell's value), which the renderers lay out as subfigures."""

    def __init__(self, charts: list[Chart]):
        self.charts = charts

    def _ipython_display_(self):
        from IPython.display import display

        display(*self.charts)

    def __repr__(self) -> str:
        return "\n".join(chart.alt for chart in self.charts)


def publish(fig: plt.Figure, data: pd.DataFrame, *, name: str, alt: str, caption: str, output_dir: str | Path) -> Chart:
    """Show the chart (an image output of the cell) and write its table (CSV) under ``output_dir/data``."""
    write_csv(data, name=name, output_dir=output_dir)
    return Chart(
        svg_text(fig, name=name),
        caption=f"{markdown_text(caption)} {csv_link(name, 'the data behind this chart')}",
        alt=alt,
    )


def comparison_sentence(comparison: str) -> str:
    """' Countries compared: the OECD members covered by Eurostat's survey ...' for a caption."""
    if not comparison:
        return ""
    return f" Countries compared: {load_catalogue().comparison_names.get(comparison, comparison)}."


def publish_ranking(
    table: pd.DataFrame,
    *,
    year: int,
    what: str,
    xlabel: str,
    provenance: dict,
    dataset: str,
    name: str,
    output_dir: str | Path,
    highlight: Sequence[str] = (),
    reference: dict | None = None,
    comparison: str = "",
) -> Chart | Shown:
    """A ranked bar chart of a cross-section, with its title, alt text, caption and CSV."""
    gap = no_data(table, year=year, what=what, name=name, output_dir=output_dir)
    if gap is not None:
        return gap
    from helpers.publish.findings import highlight_sentence, ranked_alt, ranked_title
    from helpers.publish.provenance import source_line

    ref = (reference["geo"], reference["value"]) if reference else None
    fig = ranked_bars(
        table,
        value="value",
        label="country",
        title=ranked_title(table, year, what),
        xlabel=xlabel,
        source_line=source_line(provenance, [dataset]),
        highlight=highlight,
        reference=ref,
        year=year,
    )
    caption = f"{what[0].upper() + what[1:]}, {year}."
    if highlight:
        caption += " " + highlight_sentence(table, highlight) + "."
    if reference and not pd.isna(reference["value"]):
        caption += f" Dashed line: {reference['label']} ({reference['value']:.0f}%)."
    caption += comparison_sentence(comparison)
    return publish(
        fig, table, name=name, alt=ranked_alt(table, year, what, highlight), caption=caption, output_dir=output_dir
    )


def publish_gap(
    table: pd.DataFrame,
    *,
    year: int,
    what: str,
    aggregate: dict,
    provenance: dict,
    dataset: str,
    name: str,
    output_dir: str | Path,
    highlight: Sequence[str] = (),
    comparison: str = "",
) -> Chart | Shown:
    """A dumbbell chart of the education gap, with its words and CSV."""
    gap = no_data(table, year=year, what=what, name=name, output_dir=output_dir, value="gap")
    if gap is not None:
        return gap
    from helpers.publish.findings import gap_alt, gap_title
    from helpers.publish.provenance import source_line

    labels = load_catalogue().labels["ind_type"]
    fig = dumbbell(
        table,
        title=gap_title(table, year, what),
        xlabel="% of individuals",
        source_line=source_line(provenance, [dataset]),
        high_label=labels["I5_8"],
        low_label=labels["I0_2"],
        highlight=highlight,
        year=year,
    )
    caption = (
        f"{what[0].upper() + what[1:]} by formal education, {year}; the gap is high minus no-or-low, "
        f"in percentage points. {aggregate['label']}: gap {aggregate['gap']:.0f} points."
    )
    if highlight:
        caption += " Countries in bold are those the paper names."
    caption += comparison_sentence(comparison)
    return publish(
        fig, table, name=name, alt=gap_alt(table, year, what, aggregate), caption=caption, output_dir=output_dir
    )


def publish_trend(
    table: pd.DataFrame,
    *,
    what: str,
    ylabel: str,
    provenance: dict,
    dataset: str,
    name: str,
    output_dir: str | Path,
    note: str = "",
) -> Chart | Shown:
    """A line chart over the years, with its words and CSV."""
    from helpers.publish.findings import trend_alt
    from helpers.publish.provenance import source_line

    years = table.dropna(subset=["value"]).year
    span = f"{years.min()}-{years.max()}" if len(years) else "no data"
    fig = trend_lines(
        table,
        title=f"{what[0].upper() + what[1:]}, {span}",
        ylabel=ylabel,
        source_line=source_line(provenance, [dataset]),
    )
    caption = f"{what[0].upper() + what[1:]}, every survey year with data ({span}). Gaps are years without data."
    if note:
        caption += f" {note}"
    return publish(fig, table, name=name, alt=trend_alt(table, what), caption=caption, output_dir=output_dir)


def publish_scorecard(
    rows: pd.DataFrame, *, year: int, provenance: dict, output_dir: str | Path, name: str = "claims_scorecard_chart"
) -> Chart | Shown:
    """The visual scorecard of the Overview, with its words and CSV."""
    from helpers.publish.provenance import source_line

    datasets = [spec.code for spec in load_catalogue().datasets]
    holds = int((rows["status"] == "pass").sum())
    tested = int((rows["status"] != "untested").sum())
    fig = scorecard_dots(
        rows,
        title=f"Paper against the data: {holds} of {tested} tested checks hold",
        source_line=source_line(provenance, datasets),
    )
    alt = (
        f"Dot chart of {len(rows)} checks of the paper's claims for {year}: for each, the paper's figure as a grey "
        f"range and the data's value (Eurostat's; the OECD's for Korea, Japan and the United States) as a dot, "
        f"coloured by whether the check holds. {holds} of {tested} tested "
        f"checks hold; {len(rows) - tested} could not be tested."
    )
    caption = (
        f"Each check of each claim, for the paper's year ({year}) or the survey year that fits the claim: "
        "the paper's figure (grey) beside the data's value (a dot coloured by the verdict of the check)."
    )
    return publish(fig, rows, name=name, alt=alt, caption=caption, output_dir=output_dir)


def publish_small_multiples(
    table: pd.DataFrame,
    *,
    country: str,
    provenance: dict,
    datasets: list[str],
    name: str,
    output_dir: str | Path,
    eu: str = "EU-27",
    columns: int = 3,
) -> Charts | Shown:
    """A country's comparisons over the years beside the EU: one small chart per comparison (each its
    own SVG, so that a narrow screen shows them one per row), on one scale, as one figure with a
    caption, the source and the CSV. `table`: panel, line, year, value, flag."""
    from helpers.publish.provenance import source_line

    write_csv(table, name=name, output_dir=output_dir)
    years = table.dropna(subset=["value"]).year
    if not len(years):
        note = f"No data for {country} or the {eu} in any comparison of the report."
        return Shown(callout("note", "no-data", f"**{markdown_text(note)}**"), text=note)
    span = f"{years.min()}-{years.max()}"
    top = axis_top(table["value"])
    year_range = (int(table["year"].min()), int(table["year"].max()))
    note = flag_note(table["flag"]).replace("Hatched bars carry a flag", "Ringed points carry a flag")
    caption = (
        f"{country} and the {eu}, {span}: {country} in every comparison of the report over the years "
        f"(solid line), beside the {eu} (dashed; the EU aggregate of the 27 countries of 2020 throughout, so that "
        f"the EU line is one series), in % of individuals on one scale. Gaps are years without data. "
        + (f"{note}. " if note else "")
        + f"{source_line(provenance, datasets)}."
    )
    group = {
        "caption": f"{markdown_text(caption)} {csv_link(name, 'the data behind these charts')}",
        "columns": columns,
    }
    panels = list(table.groupby("panel", sort=False))
    svgs = small_multiples(
        [part for _, part in panels],
        lines=(country, eu),
        top=top,
        years=year_range,
        names=[f"{name}-{n + 1}" for n in range(len(panels))],
    )
    charts = []
    for (panel, part), svg in zip(panels, svgs):
        own = part[part.line == country].dropna(subset=["value"]).sort_values("year")
        words = (
            f"{own.iloc[0].value:.0f}% in {own.iloc[0].year}, {own.iloc[-1].value:.0f}% in {own.iloc[-1].year}"
            if len(own)
            else "no data"
        )
        alt = f"Line chart of {panel}, {country} (solid line) against the {eu} (dashed), {span}: {country} {words}."
        charts.append(Chart(svg, caption=markdown_text(str(panel)), alt=alt, group=group))
    return Charts(charts)
