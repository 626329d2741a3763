"""What a notebook cell shows: a chart, a table, the synthetic-data warning.

Every chart is shown through `publish`, which writes the PNG and the table behind it (CSV)
under ``<output_dir>/data/``.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from helpers.catalogue import load_catalogue  # noqa: E402
from helpers.publish.charts import (
    dumbbell,
    png_bytes,
    ranked_bars,
    scorecard_dots,
    small_multiples,
    trend_lines,
)
from helpers.publish.provenance import SYNTHETIC_NOTICE, is_synthetic  # noqa: E402


class Published:
    """HTML for notebooks (and the report, which embeds the notebooks' outputs).

    Its plain-text form is fixed text, never an object address, so outputs stay the same
    from run to run.
    """

    def __init__(self, markup: str, text: str = ""):
        self.markup = markup
        self.text = text

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return self.text


def publish(fig: plt.Figure, data: pd.DataFrame, *, name: str, alt: str, caption: str, output_dir: str | Path) -> Published:
    """Write the chart (PNG) and its table (CSV) under ``output_dir/data`` and show the figure."""
    folder = Path(output_dir) / "data"
    folder.mkdir(parents=True, exist_ok=True)
    image = png_bytes(fig)
    (folder / f"{name}.png").write_bytes(image)
    data.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n", float_format="%.2f")
    encoded = base64.b64encode(image).decode("ascii")
    markup = (
        f'<figure class="report-figure" id="fig-{html.escape(name)}">'
        f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}">'
        f"<figcaption>{html.escape(caption)} "
        f'<a class="csv-link" href="data/{html.escape(name)}.csv" download>Download the data behind this chart (CSV)</a>'
        "</figcaption></figure>"
    )
    return Published(markup, text=alt)


def banner(provenance: dict) -> Published:
    """The synthetic-data warning, shown at the top of every notebook built from a synthetic mirror."""
    if not is_synthetic(provenance):
        return Published("")
    return Published(f'<div class="synthetic-banner" role="alert"><strong>{html.escape(SYNTHETIC_NOTICE)}</strong></div>',
                     text=SYNTHETIC_NOTICE)


def write_table(data: pd.DataFrame, *, name: str, output_dir: str | Path) -> Published:
    """Write a table as CSV under ``output_dir/data`` and return a download link."""
    folder = Path(output_dir) / "data"
    folder.mkdir(parents=True, exist_ok=True)
    data.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n", float_format="%.2f")
    return Published(f'<p><a class="csv-link" href="data/{html.escape(name)}.csv" download>Download this table (CSV)</a></p>',
                     text=f"data/{name}.csv")


def comparison_sentence(comparison: str) -> str:
    """' Countries compared: the OECD members covered by Eurostat's survey ...' for a caption."""
    if not comparison:
        return ""
    return f" Countries compared: {load_catalogue().comparison_names.get(comparison, comparison)}."


def no_data(table: pd.DataFrame, *, year: int, what: str, name: str, output_dir: str | Path, value: str = "value") -> Published | None:
    """A gap in the series: when `table` has no value in `year`, its CSV and one sentence naming
    the nearest years with data take the chart's place (None when there are values)."""
    from helpers.analysis.comparisons import gap_note

    if table[value].notna().any():
        return None
    write_table(table, name=name, output_dir=output_dir)
    note = gap_note(what, year, table.attrs.get("years_with_data", []))
    return Published(f'<p class="no-data"><strong>{html.escape(note)}</strong></p>', text=note)


def publish_ranking(table: pd.DataFrame, *, year: int, what: str, xlabel: str, provenance: dict, dataset: str,
                    name: str, output_dir: str | Path, highlight: list[str] = (), reference: dict | None = None,
                    comparison: str = "") -> Published:
    """A ranked bar chart of a cross-section, with its title, alt text, caption and CSV."""
    gap = no_data(table, year=year, what=what, name=name, output_dir=output_dir)
    if gap is not None:
        return gap
    from helpers.publish.findings import highlight_sentence, ranked_alt, ranked_title
    from helpers.publish.provenance import source_line

    ref = (reference["geo"], reference["value"]) if reference else None
    fig = ranked_bars(table, value="value", label="country", title=ranked_title(table, year, what), xlabel=xlabel,
                      source_line=source_line(provenance, [dataset]), highlight=highlight, reference=ref)
    caption = f"{what[0].upper() + what[1:]}, {year}."
    if highlight:
        caption += " " + highlight_sentence(table, highlight) + "."
    if reference and not pd.isna(reference["value"]):
        caption += f" Dashed line: {reference['label']} ({reference['value']:.0f}%)."
    caption += comparison_sentence(comparison)
    return publish(fig, table, name=name, alt=ranked_alt(table, year, what, highlight), caption=caption, output_dir=output_dir)


def publish_gap(table: pd.DataFrame, *, year: int, what: str, aggregate: dict, provenance: dict, dataset: str,
                name: str, output_dir: str | Path, highlight: list[str] = (), comparison: str = "") -> Published:
    """A dumbbell chart of the education gap, with its words and CSV."""
    gap = no_data(table, year=year, what=what, name=name, output_dir=output_dir, value="gap")
    if gap is not None:
        return gap
    from helpers.publish.findings import gap_alt, gap_title
    from helpers.publish.provenance import source_line

    labels = load_catalogue().labels["ind_type"]
    fig = dumbbell(table, title=gap_title(table, year, what), xlabel="% of individuals",
                   source_line=source_line(provenance, [dataset]), high_label=labels["I5_8"],
                   low_label=labels["I0_2"], highlight=highlight)
    caption = (f"{what[0].upper() + what[1:]} by formal education, {year}; the gap is high minus no-or-low, "
               f"in percentage points. {aggregate['label']}: gap {aggregate['gap']:.0f} points.")
    if highlight:
        caption += " Countries in bold are those the paper names."
    caption += comparison_sentence(comparison)
    return publish(fig, table, name=name, alt=gap_alt(table, year, what, aggregate), caption=caption, output_dir=output_dir)


def publish_trend(table: pd.DataFrame, *, what: str, ylabel: str, provenance: dict, dataset: str, name: str,
                  output_dir: str | Path, note: str = "") -> Published:
    """A line chart over the years, with its words and CSV."""
    from helpers.publish.findings import trend_alt
    from helpers.publish.provenance import source_line

    years = table.dropna(subset=["value"]).year
    span = f"{years.min()}-{years.max()}" if len(years) else "no data"
    fig = trend_lines(table, title=f"{what[0].upper() + what[1:]}, {span}", ylabel=ylabel,
                      source_line=source_line(provenance, [dataset]))
    caption = f"{what[0].upper() + what[1:]}, every survey year with data ({span}). Gaps are years without data."
    if note:
        caption += f" {note}"
    return publish(fig, table, name=name, alt=trend_alt(table, what), caption=caption, output_dir=output_dir)


def show(data: pd.DataFrame, *, escape: bool = True) -> Published:
    """A table for the page: headers in words, no index column, missing values written out ("no
    data", also for whole-number columns), one decimal. The CSV keeps the codes."""
    data = data.rename(columns=readable_header)
    data = data.astype({c: object for c in data.columns if pd.api.types.is_extension_array_dtype(data[c])})
    data = data.map(lambda v: "no data" if v is pd.NA else v) if len(data) else data
    markup = data.to_html(index=False, escape=escape, na_rep="no data", float_format=lambda v: f"{v:.1f}",
                          classes="report-table", border=0)
    return Published(markup, text=data.to_string(index=False))


def publish_scorecard(rows: pd.DataFrame, *, year: int, provenance: dict, output_dir: str | Path,
                      name: str = "claims_scorecard_chart") -> Published:
    """The visual scorecard of the Overview, with its words and CSV."""
    from helpers.publish.provenance import source_line

    datasets = [spec.code for spec in load_catalogue().datasets]
    holds = int((rows["status"] == "pass").sum())
    tested = int((rows["status"] != "untested").sum())
    fig = scorecard_dots(rows, title=f"Paper against Eurostat: {holds} of {tested} tested checks hold",
                         source_line=source_line(provenance, datasets))
    alt = (f"Dot chart of {len(rows)} checks of the paper's claims for {year}: for each, the paper's figure as a grey "
           f"range and Eurostat's value as a dot, coloured by whether the check holds. {holds} of {tested} tested "
           f"checks hold; {len(rows) - tested} could not be tested.")
    caption = (f"Each check of each claim, for the paper's year ({year}) or the survey year that fits the claim: "
               "the paper's figure (grey) beside the data's value (a dot coloured by the verdict of the check).")
    return publish(fig, rows, name=name, alt=alt, caption=caption, output_dir=output_dir)


READABLE_HEADERS = {"geo": "code", "indic_is": "indicator", "ind_type": "group", "unit": "unit"}


def readable_header(column: str) -> str:
    """A table header in words: 'flag_then' -> 'flag (then)', 'rank_now' -> 'rank (now)'."""
    if column in READABLE_HEADERS:
        return READABLE_HEADERS[column]
    for prefix in ("flag_", "rank_"):
        if column.startswith(prefix):
            return f"{prefix[:-1]} ({column[len(prefix):].replace('_', ' ')})"
    return column.replace("_", " ")


def publish_small_multiples(table: pd.DataFrame, *, country: str, provenance: dict, datasets: list[str], name: str,
                            output_dir: str | Path, eu: str = "EU-27") -> Published:
    """A country's comparisons over the years beside the EU, one panel each, with words and CSV."""
    from helpers.publish.provenance import source_line

    years = table.dropna(subset=["value"]).year
    span = f"{years.min()}-{years.max()}" if len(years) else "no data"
    fig = small_multiples(table, title=f"{country} and the {eu}, {span}", source_line=source_line(provenance, datasets),
                          lines=(country, eu))
    parts = []
    for panel, part in table[table.line == country].dropna(subset=["value"]).groupby("panel", sort=False):
        first, last = part.sort_values("year").iloc[0], part.sort_values("year").iloc[-1]
        parts.append(f"{panel}: {first.value:.0f}% in {first.year}, {last.value:.0f}% in {last.year}")
    alt = (f"Small multiples, one panel per comparison, {country} (solid line) against the {eu} (dashed), {span}. "
           + ("; ".join(parts) if parts else "No data.") + ".")
    caption = (f"{country} in every comparison of the report over the years, beside the {eu} (the EU aggregate of the "
               "27 countries of 2020 throughout, so that the EU line is one series). Gaps are years without data.")
    return publish(fig, table, name=name, alt=alt, caption=caption, output_dir=output_dir)
