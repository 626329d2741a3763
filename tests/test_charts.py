"""The charts as SVG: every data mark titled with its words (country, year, value, flag), text as text,
the same bytes on every run, ids that two charts on one page never share; and the SVG as an element of
an HTML page (helpers.render.inline_svg)."""

import re

import numpy as np
import pandas as pd
import pytest

from helpers.publish.charts import (
    apply_style,
    dumbbell,
    ranked_bars,
    scorecard_dots,
    small_multiples,
    svg_text,
    title_mark,
    trend_lines,
)
from helpers.render.cell_options import options_for
from helpers.render.inline_svg import inline, inline_page_charts

TITLE = re.compile(r"<title>([^<]*)</title>")


@pytest.fixture(autouse=True)
def style():
    apply_style()


def titles(svg: str) -> list[str]:
    return TITLE.findall(svg)


def ranking():
    return pd.DataFrame(
        {
            "geo": ["ES", "PT", "FR"],
            "country": ["Spain", "Portugal", "France"],
            "value": [45.0, 38.5, np.nan],
            "flag": ["", "u", ""],
        }
    )


def bars_svg(name="youth_2013"):
    fig = ranked_bars(
        ranking(),
        value="value",
        label="country",
        title="Spain leads - share of 16-24 year olds",
        xlabel="% of individuals",
        source_line="Source: Eurostat",
        reference=("EU27_2020", 40.0),
        year=2013,
    )
    return svg_text(fig, name=name)


def test_every_bar_carries_its_country_year_value_and_flag():
    assert sorted(titles(bars_svg())) == sorted(
        [
            "Spain, 2013: 45%",
            "Portugal, 2013: 38.5% (flag u: low reliability)",
            "France, 2013: no data",
            "EU-27, 2013: 40%",
        ]
    )


def test_a_title_is_the_first_child_of_its_mark():
    svg = bars_svg()
    # the bar's own group (a <g> holding the bar's path), so that hovering the bar shows it
    match = re.search(r"<g>\s*<title>Spain, 2013: 45%</title>\s*<path ", svg)
    assert match, "Spain's bar has no title of its own"


def test_the_dumbbell_titles_both_dots_and_the_gap():
    table = pd.DataFrame(
        {
            "geo": ["ES", "PT"],
            "country": ["Spain", "Portugal"],
            "high": [80.0, np.nan],
            "low": [50.0, 30.0],
            "gap": [30.0, np.nan],
            "flag_high": ["", ""],
            "flag_low": ["b", ""],
        }
    )
    fig = dumbbell(
        table,
        title="t",
        xlabel="%",
        source_line="s",
        high_label="High formal education",
        low_label="No or low formal education",
        year=2021,
    )
    assert sorted(titles(svg_text(fig, name="gap_2021"))) == sorted(
        [
            "Spain, 2021, High formal education: 80%",
            "Spain, 2021, No or low formal education: 50% (flag b: break in time series)",
            "Spain, 2021: gap +30 percentage points",
            "Portugal, 2021, No or low formal education: 30%",
            "Portugal, 2021: gap no data",
        ]
    )


def test_every_point_of_a_trend_is_titled_and_a_missing_year_is_not():
    table = pd.DataFrame(
        {
            "country": ["Spain"] * 3 + ["EU-27"] * 2,
            "year": [2019, 2020, 2021, 2019, 2021],
            "value": [40.0, np.nan, 44.0, 38.0, 41.0],
            "flag": ["", "", "p", "", ""],
        }
    )
    svg = svg_text(trend_lines(table, title="t", ylabel="%", source_line="s"), name="trend")
    assert sorted(titles(svg)) == sorted(
        ["Spain, 2019: 40%", "Spain, 2021: 44% (flag p: provisional)", "EU-27, 2019: 38%", "EU-27, 2021: 41%"]
    )


def test_the_scorecard_titles_the_papers_figure_and_the_datas_value():
    rows = pd.DataFrame(
        {
            "label": ["Youth civic use, Spain", "Seniors, Italy"],
            "value": [45.0, np.nan],
            "target_low": [40.0, 20.0],
            "target_high": [50.0, 20.0],
            "status": ["pass", "untested"],
        }
    )
    svg = svg_text(scorecard_dots(rows, title="t", source_line="s"), name="scorecard")
    assert sorted(titles(svg)) == sorted(
        [
            "Youth civic use, Spain: the paper's figure 40 to 50",
            "Youth civic use, Spain: the data 45; the check holds",
            "Seniors, Italy: the paper's figure 20",
            "Seniors, Italy: no data, not tested",
        ]
    )


def test_a_small_multiple_titles_both_lines():
    part = pd.DataFrame(
        {
            "line": ["Spain", "Spain", "EU-27"],
            "year": [2015, 2023, 2023],
            "value": [30.0, 52.0, 48.0],
            "flag": ["", "", "e"],
        }
    )
    other = part.assign(value=part.value + 1, flag="")
    svgs = small_multiples(
        [part, other], lines=("Spain", "EU-27"), top=60, years=(2015, 2023), names=["country_ES-1", "country_ES-2"]
    )
    assert sorted(titles(svgs[0])) == ["EU-27, 2023: 48% (flag e: estimated)", "Spain, 2015: 30%", "Spain, 2023: 52%"]
    # drawn on the same figure in turn: the second panel holds its own marks only, and its own ids
    assert sorted(titles(svgs[1])) == ["EU-27, 2023: 49%", "Spain, 2015: 31%", "Spain, 2023: 53%"]
    ring = 'style="fill:none;stroke:#000000"'  # a flagged value's ring: the first panel's EU 2023 only
    assert svgs[0].count(ring) == 1 and ring not in svgs[1]
    assert 'id="c' in svgs[1] and not set(re.findall(r'id="([^"]+)"', svgs[0])) & set(
        re.findall(r'id="([^"]+)"', svgs[1])
    )


def test_a_titled_mark_the_svg_does_not_draw_is_an_error():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    (line,) = ax.plot([1, 2], [3, 4])
    title_mark(line, "Spain, 2013: 45%")
    line.set_visible(False)  # drawn nowhere: its words would be lost
    with pytest.raises(RuntimeError, match="Spain, 2013: 45%"):
        svg_text(fig, name="lost")


def test_each_marker_of_a_line_carries_its_own_title_in_order():
    """A line's markers are drawn as one line of markers; each marker (an SVG <use>) holds its own title, in the
    order of the points, so that a reader hovering over the 2023 point reads 2023's value."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    (dots,) = ax.plot([2015, 2019, 2023], [30, 41, 52], linestyle="none", marker="o")
    title_mark(dots, ["Spain, 2015: 30%", "Spain, 2019: 41%", "Spain, 2023: 52% <e>"])
    svg = svg_text(fig, name="markers")
    used = re.findall(r'<use [^>]*\bx="([\d.]+)"[^>]*><title>([^<]*)</title></use>', svg)
    assert [title for _, title in used] == ["Spain, 2015: 30%", "Spain, 2019: 41%", "Spain, 2023: 52% &lt;e&gt;"]
    assert [float(x) for x, _ in used] == sorted(float(x) for x, _ in used)  # left to right: 2015, 2019, 2023
    fig, ax = plt.subplots()
    (dots,) = ax.plot([2015, 2023], [30, 52], linestyle="none", marker="o")
    title_mark(dots, ["Spain, 2015: 30%", "Spain, 2019: 41%", "Spain, 2023: 52%"])
    with pytest.raises(RuntimeError, match="3 titles for the 2 markers"):
        svg_text(fig, name="too-many")


def test_the_svg_keeps_text_as_text_and_has_no_date():
    svg = bars_svg()
    assert "<text " in svg and ">Spain</text>" in svg.replace("\n", "")  # no glyph outlines
    assert 'id="DejaVuSans' not in svg and "<dc:date>" not in svg


def test_the_same_chart_gives_the_same_bytes():
    assert bars_svg() == bars_svg()


def test_two_charts_on_one_page_share_no_id_and_every_reference_stays_inside_its_chart():
    first, second = bars_svg("youth_2013"), bars_svg("youth_2023")
    ids = [set(re.findall(r'\bid="([^"]+)"', svg)) for svg in (first, second)]
    assert ids[0] and not ids[0] & ids[1]
    for svg, own in zip((first, second), ids):
        references = set(re.findall(r'(?:url\(#|href="#)([^")]+)', svg))
        assert references and references <= own


def test_a_chart_needs_a_name_for_its_ids():
    import matplotlib.pyplot as plt

    with pytest.raises(ValueError, match="needs a name"):
        svg_text(plt.figure(), name=" ")


def test_the_svg_is_compact_and_its_words_untouched():
    svg = bars_svg()
    assert not re.search(r"\d\.\d{3}", "".join(re.findall(r"<[^>]+>", svg)))  # coordinates to 0.01
    assert "\n " not in svg and "<metadata>" not in svg and "rotate(-0" not in svg
    assert "<title>Portugal, 2013: 38.5% (flag u: low reliability)</title>" in svg


def test_inline_makes_an_element_named_by_its_alt_text():
    element = inline(bars_svg(), alt='Bar chart of "youth" <civic> use')
    assert element.startswith(
        '<svg class="report-chart" role="graphics-document" aria-label="Bar chart of &quot;youth&quot; &lt;civic&gt; use"'
    )
    assert "<?xml" not in element and "DOCTYPE" not in element and "<metadata>" not in element
    # as wide as its column, at most its own width; its height from its viewBox
    assert re.match(r'<svg[^>]* style="width:100%;max-width:540pt" [^>]*viewBox="0 0 540 ', element)
    assert not re.match(r"<svg[^>]*\s(width|height)=", element)
    assert "<title>Spain, 2013: 45%</title>" in element


def test_a_page_gets_its_svg_charts_inline(tmp_path):
    figures = tmp_path / "page_files" / "figure-html"
    figures.mkdir(parents=True)
    (figures / "fig-1-output-1.svg").write_text(bars_svg())
    page = tmp_path / "page.html"
    page.write_text(
        '<figure><img src="page_files/figure-html/fig-1-output-1.svg" class="img-fluid" alt="A &amp; B"></figure>'
        '<img src="logo.svg" alt="not a file here">'
    )
    assert inline_page_charts(page) == [(figures / "fig-1-output-1.svg").resolve()]
    html = page.read_text()
    assert '<figure><svg class="report-chart" role="graphics-document" aria-label="A &amp; B"' in html
    assert "<title>Spain, 2013: 45%</title>" in html and '<img src="logo.svg"' in html


def test_small_multiples_are_one_figure_in_columns():
    group = {"caption": "Spain and the EU-27", "columns": 3}
    outputs = [
        {"metadata": {"image/svg+xml": {"report": {"kind": "figure", "caption": p, "alt": f"a {p}", "group": group}}}}
        for p in ("Youth", "Seniors")
    ]
    options = options_for({"id": "country-trend", "outputs": outputs})
    assert options == [
        "label: fig-country-trend",
        'fig-cap: "Spain and the EU-27"',
        'fig-subcap: ["Youth", "Seniors"]',
        'fig-alt: ["a Youth", "a Seniors"]',
        "layout-ncol: 3",
    ]


def test_an_alt_text_holding_a_tag_is_inlined_whole(tmp_path):
    """Quarto leaves a label's "<script>" raw inside an alt text (valid HTML: inert in a quoted value): the
    <img> is replaced whole, and nothing of its alt is left as text in the page."""
    from helpers.render.inline_svg import inline_page_charts

    (tmp_path / "c.svg").write_text('<svg width="10pt" height="5pt" viewBox="0 0 10 5"><title>x</title></svg>')
    page = tmp_path / "page.html"
    page.write_text('<p><img src="c.svg" class="img-fluid" alt="Youth, <script>alert(1)</script>Luxembourg 13%."></p>')
    assert inline_page_charts(page) == [(tmp_path / "c.svg").resolve()]
    text = page.read_text()
    assert "<script>" not in text and text.endswith("</svg>\n</p>") and "&lt;script&gt;alert(1)" in text
