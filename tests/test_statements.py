"""The words readers read (helpers.publish.statements): each check said to hold or not as it did,
each verdict in its own column and colour, a change reported only when it is one."""

from __future__ import annotations

import re

import pytest

from helpers.analysis.claims import evaluate_all, evaluate_claim, load_claims
from helpers.publish.outputs import verdict_span
from helpers.publish.statements import (
    claim_statement,
    claims_naming,
    fitting_trials,
    flag_words,
    key_messages,
    oecd_statement,
    oecd_verdict_words,
    page_statement,
    verdict_words,
)
from helpers.publish.scorecard import verdict_table
from tables import education_rows, tidy


def claim(claim_id):
    return next(c for c in load_claims()["claim"] if c["id"] == claim_id)


def youth(year, values):
    return [("I_IUPOL2", "PC_IND", "Y16_24", geo, year, v) for geo, v in values.items()]


def said_of(statement: str, check: str) -> str:
    """What the statement says of one check: the words after its line's last ' - '."""
    line = next(line for line in statement.splitlines() if line.startswith(f"- {check}"))
    return line.rsplit(" - ", 1)[1]


def test_each_check_is_said_to_hold_or_not_as_it_passed_or_failed():
    # NL 32 is within 30-35 and leads; AT 12 is not below 10 but is the lowest
    result = evaluate_claim(tidy(youth(2013, {"NL": 32, "AT": 12, "DE": 20})), claim("Y-1"), 2013)
    statuses = {c.description: c.status for c in result.best.checks}
    assert statuses == {
        "NL within 30-35": "pass",
        "NL highest of 3 countries": "pass",
        "AT < 10": "fail",
        "AT lowest of 3 countries": "pass",
    }
    text = claim_statement(result)
    assert said_of(text, "Netherlands within 30-35") == "*holds*"
    assert said_of(text, "Austria below 10") == "*does not hold*"
    assert said_of(text, "Austria lowest of 3 countries") == "*holds*"


def test_an_untested_check_is_said_untested_never_failed():
    result = evaluate_claim(tidy(youth(2013, {"NL": 32, "DE": 20})), claim("Y-1"), 2013)  # no value for Austria
    text = claim_statement(result)
    assert said_of(text, "Austria below 10") == "*untested (no data)*"
    assert "does not hold" not in text


@pytest.mark.parametrize(
    "verdict, css",
    [
        ("reproduced", "verdict-reproduced"),
        ("partly", "verdict-partly"),
        ("not reproduced", "verdict-not-reproduced"),
        ("no data", "verdict-no-data"),
        ("partly (1 untested)", "verdict-partly"),
    ],
)
def test_a_verdict_is_spelled_out_and_coloured_as_itself(verdict, css, monkeypatch):
    from helpers.publish import BUILD_VARIABLE

    monkeypatch.setenv(BUILD_VARIABLE, "1")  # the build's span (JupyterLab's form is bold words: test_jupyterlab)
    span = str(verdict_span(verdict))
    assert verdict in span
    assert re.findall(r"verdict-[a-z-]+", span) == [css]


def test_the_verdict_table_puts_each_year_s_verdict_in_its_column():
    # reproduced in 2013; in 2020 only Austria's being the lowest still holds: partly
    store = tidy(youth(2013, {"NL": 32, "AT": 8, "DE": 20}) + youth(2020, {"NL": 25, "AT": 12, "DE": 30}))
    result = evaluate_claim(store, claim("Y-1"), 2013)
    assert (result.verdict, result.latest_verdict) == ("reproduced", "partly")
    table = verdict_table([result]).markdown.splitlines()
    header = [cell.strip() for cell in table[0].strip("|").split("|")]
    row = dict(zip(header, (cell.strip() for cell in table[2].strip("|").split("|"))))
    assert row["verdict, paper's year"] == str(verdict_span("reproduced"))
    assert row["verdict, latest year"] == str(verdict_span("partly"))
    assert row["years"] == "2013 / 2020"


def test_a_change_that_comes_only_from_missing_data_is_not_reported():
    gaps = {"ES": (60, 35), "UK": (70, 35), "HU": (70, 35), "PT": (70, 35), "EL": (70, 35)}  # ES 25: fails
    later = {g: v for g, v in gaps.items() if g != "ES"}  # ES not surveyed later: the rest pass
    store = tidy(education_rows(2013, gaps) + education_rows(2023, later))
    result = evaluate_claim(store, claim("E-3"), 2013)
    assert (result.verdict, result.latest_verdict) == ("partly", "reproduced")
    assert not result.change_is_real
    assert verdict_words(result) == "**partly** for 2013, the same for 2023 on the checks testable in both years"
    # a real change (ES tested in both years and now beyond 30) is reported
    store = tidy(education_rows(2013, gaps) + education_rows(2023, {**later, "ES": (70, 35)}))
    result = evaluate_claim(store, claim("E-3"), 2013)
    assert result.change_is_real
    assert verdict_words(result) == "**partly** for 2013, **reproduced** for 2023"


def youth_flagged(year, values):
    return [("I_IUPOL2", "PC_IND", "Y16_24", geo, year, *value) for geo, value in values.items()]


def naming(store, country, compared, *, paper_year=None, latest_year=0):
    """claims_naming on the verdicts of this store for these settings, as a page reads them from the build."""
    from helpers.analysis.claims import evaluate_all

    return claims_naming(evaluate_all(store, paper_year, compared, latest_year), country, paper_year=paper_year)


def table_rows(markdown: str) -> dict[str, list[str]]:
    """A Markdown table's body rows by their first cell, cells stripped."""
    rows = [line.strip("|").split(" | ") for line in markdown.splitlines()[2:]]
    return {row[0].strip(): [cell.strip() for cell in row[1:]] for row in rows}


def test_a_country_page_lists_the_claims_naming_it_with_its_own_evidence_in_the_year_that_decided():
    """Y-1 fits in 2012 only (Austria 12 in 2013 is not below 10), E-2 has no data and stays in the paper's
    year: one evidence column, each row's year in its cell; only Austria's checks, their flags in words."""
    store = tidy(
        youth_flagged(2012, {"NL": (33,), "AT": (8, "u"), "DE": (20,)})
        + youth_flagged(2013, {"NL": (32,), "AT": (12, "u"), "DE": (20,)})
        + youth_flagged(2015, {"NL": (31,), "AT": (9,), "DE": (20,)})
    )
    austria = naming(store, "AT", ["NL", "AT", "DE"])
    assert austria.markdown.splitlines()[0] == "| claim | the paper says | verdict (whole claim) | evidence | latest |"
    rows = table_rows(austria.markdown)
    assert list(rows) == ["Y-1", "E-2"]
    quote, verdict, evidence, latest = rows["Y-1"]
    assert quote == f"\u201c{claim('Y-1')['quote']}\u201d"
    assert (verdict, latest) == ("**reproduced**", "**reproduced**")
    assert evidence.startswith("2012: Austria below 10: Austria 8.0 u") and "Netherlands within" not in evidence
    assert "(flag u: low reliability) - holds; Austria lowest of 3 countries: " in evidence
    assert rows["E-2"][1:] == [
        "**no data**",
        "2013: Austria abs at most 5: no data: series I\\_IUSNET / PC\\_IND / None is not in the data - "
        "untested (no data)",
        "**no data**",
    ]
    assert austria.metadata["verdicts"] == {"Y-1": ["reproduced", "reproduced"], "E-2": ["no data", "no data"]}
    assert austria.metadata["report"]["caption"] == (
        "The paper's claims that name Austria, with the verdict of the whole claim and Austria's own evidence "
        "(in the year that decided the claim)."
    )
    # the page's settings reach the evaluation: the paper's year and the cap on the latest year
    netherlands = naming(store, "NL", ["NL", "AT", "DE"], paper_year=2012, latest_year=2013)
    assert netherlands.metadata["verdicts"] == {"Y-1": ["reproduced", "partly"]}
    assert table_rows(netherlands.markdown)["Y-1"][2].startswith("2012: Netherlands within 30-35: Netherlands 33.0 - ")
    assert "and Netherlands' own evidence" in netherlands.metadata["report"]["caption"]
    assert naming(store, "NL", ["NL", "AT", "DE"]).metadata["verdicts"]["Y-1"] == ["reproduced", "reproduced"]


def test_a_country_no_claim_names_is_said_so_in_one_sentence():
    store = tidy(youth_flagged(2013, {"NL": (32,), "AT": (8,), "DE": (20,)}))
    shown = naming(store, "MT", ["NL", "AT", "DE"])
    assert (shown.markdown, shown.metadata) == ("No claim of the paper names Malta.", {"verdicts": {}})


def test_a_flag_is_said_in_eurostats_words_and_no_flag_adds_nothing():
    assert flag_words("u") == " (flag u: low reliability)"
    assert flag_words("") == ""


def test_the_fitting_trials_are_the_candidates_that_fit_of_the_claim_asked_for():
    """The youth page names the series that fit the paper (and says when the default one does)."""
    store = tidy(youth(2013, {"NL": 32, "AT": 8, "DE": 20}) + youth(2012, {"NL": 40, "AT": 8, "DE": 20}))
    results = [evaluate_claim(store, claim(c), 2013) for c in ("E-1", "Y-1")]
    fit = fitting_trials(results, "Y-1")
    assert [(t.indic_is, t.unit, t.year) for t in fit] == [("I_IUPOL2", "PC_IND", 2013)]
    assert {t.candidate for t in results[1].trials} - {t.candidate for t in fit}  # others were tried, and left out
    assert fitting_trials(results, "E-1") == []


# The OECD's part in words (the real OECD rows of ../shared are absent under mutmut's copy: a hand-made store)

SENIORS = [("I_IUSNET", "PC_IND", "Y65_74", geo, 2013, v) for geo, v in {"IS": 30, "NO": 25, "UK": 21}.items()]
KOREA = [("D1B_I", "PT_POP", "Y55T74", "KOR", 2013, 7.44, "D"), ("D1B_I", "PT_POP", "Y55T74", "KOR", 2024, 43.089)]
JAPAN_USA = [("C5B_I", "PT_POP", "Y55T74", "JPN", 2013, 55.0), ("C5B_I", "PT_POP", "Y55T74", "USA", 2013, 45.0, "B")]
BAND = "55-74 year olds, the OECD's nearest band to the paper's over-65s"


def oecd_results(rows):
    return {r.claim["id"]: r for r in evaluate_all(tidy(rows))}


def test_the_oecds_part_says_each_countrys_value_with_its_flag_in_each_year_and_the_verdicts():
    results = oecd_results(SENIORS + KOREA + JAPAN_USA)
    assert oecd_verdict_words(results["S-1"].oecd) == (
        "Korea 7.4% (flag D: definition differs (OECD)) in 2013: **not reproduced**; Korea 43.1% in 2024: **reproduced**"
    )
    assert oecd_verdict_words(results["S-2"].oecd) == (
        "Japan 55.0%, United States 45.0% (flag B: break in time series (OECD)) in 2013: **partly**"
    )
    assert oecd_statement(results["S-1"]) == [
        "",
        f"**What the OECD's data show** (Korea; {BAND}; using the internet for social networking, % of the population):",
        "",
        "- 2013: Korea at least 20: Korea 7.4 D (flag D: definition differs (OECD)) - *does not hold*",
        "- 2024: Korea at least 20: Korea 43.1 - *holds*",
        "",
        "**Verdict, S-1 (OECD):** **not reproduced** for 2013, **reproduced** for 2024.",
    ]
    assert oecd_statement(results["S-2"])[3:5] == [
        "- 2013: Japan above 50: Japan 55.0 - *holds*",
        "- 2013: the United States above 50: the United States 45.0 B (flag B: break in time series (OECD)) - *does "
        "not hold*",
    ]
    assert oecd_statement(results["Y-1"]) == []  # a claim without an OECD part
    beyond = key_messages(list(results.values())).splitlines()[-1]
    assert beyond == (
        f"- **Beyond Eurostat.** Korea, Japan and the United States, on the OECD's data ({BAND}): S-1 "
        f"{oecd_verdict_words(results['S-1'].oecd)}; S-2 {oecd_verdict_words(results['S-2'].oecd)}. 3 claims rest on other "
        "sources (government accounts on Twitter and Facebook, followers, retweets); they are listed, not tested."
    )


def test_the_oecds_part_without_a_value_says_no_data_naming_the_series_and_guesses_nothing():
    results = oecd_results(SENIORS + KOREA)  # no row for Japan or the United States
    assert oecd_verdict_words(results["S-2"].oecd) == (
        "**no data** (the OECD's answer holds no value of C5B\\_I, internet users (used it in the last 3 months), "
        "for 55-74 year olds in Japan and the United States)"
    )
    assert oecd_statement(results["S-2"])[-1] == (
        "**Verdict, S-2 (OECD):** **no data**: the OECD's answer holds no value of C5B\\_I (internet users (used it "
        "in the last 3 months)) for 55-74 year olds in Japan and the United States, so the claim cannot be tested on "
        "it; nothing is guessed."
    )


def every_statement():
    """One store for every kind of statement: Y-1 decided among its candidates, S-1 with a series beside it, the
    education claims with their gap series, the OECD's parts without data, the claims no survey tests."""
    seniors = [
        ("I_IUSNET", unit, "Y65_74", geo, 2013, value + extra)
        for unit, extra in (("PC_IND", 0), ("PC_IND_IU3", 10))
        for geo, value in {"IS": 30, "NO": 25, "UK": 21}.items()
    ]
    store = tidy(youth(2013, {"NL": 32, "AT": 8, "DE": 20}) + youth(2012, {"NL": 40, "AT": 8, "DE": 20}) + seniors)
    return {r.claim["id"]: r for r in evaluate_all(store)}


def test_a_claim_is_said_whole_the_series_beside_it_and_what_eurostat_does_not_cover():
    results = every_statement()
    assert claim_statement(results["S-1"]).split("\n\n")[:5] == [
        "**What the paper said** (S-1): \u201cat least one in five seniors are social media users in Korea, Iceland, "
        "Norway and the United Kingdom\u201d",
        "**What the data show** (65-74 year olds, participating in social networks (% of individuals), 2013):",
        "- Iceland at least 20: Iceland 30.0 - *holds*\n- Norway at least 20: Norway 25.0 - *holds*\n"
        "- United Kingdom at least 20: United Kingdom 21.0 - *holds*",
        "**Verdict:** **reproduced** for 2013.\n"
        "Shown beside it, not deciding: 65-74 year olds, participating in social networks (% of individuals who used "
        "the internet in the last 3 months), 2013: reproduced. 'one in five seniors' is a share of all seniors "
        "(PC\\_IND); the share of seniors who use the internet (PC\\_IND\\_IU3) is always at least as large, so it is "
        "shown beside the verdict, never used to pass it.\n"
        "Korea is not covered by Eurostat's survey: that part is checked on the OECD's ICT database.",
        "**What the OECD's data show** (Korea; 55-74 year olds, the OECD's nearest band to the paper's over-65s; "
        "using the internet for social networking, % of the population):",
    ]
    assert claim_statement(results["X-1"]) == (
        "**What the paper said** (X-1): \u201cThe main executive institutions in 26 out of 34 OECD member countries "
        "operate a Twitter account; and they maintain a Facebook page in 21 out of 34 countries.\u201d\n\n"
        "**Verdict: not in Eurostat.** Counts of government accounts on Twitter and Facebook come from the OECD's "
        "own survey, not from Eurostat."
    )
    assert claim_statement(results["S-1"], quote=False).split("\n\n")[0] == (
        "**What the paper said** (S-1): at least one in five seniors use social media in Iceland, Norway and the "
        "United Kingdom (and Korea)"
    )  # the registry's summary, where the page quotes the paper already
    s2 = claim_statement(results["S-2"], quote=False).split("\n\n")
    assert s2[0] == f"**What the paper said** (S-2): {results['S-2'].claim['quote']}"  # no summary: the quote's words
    assert s2[1].startswith("**Verdict: not in Eurostat.** Japan and the United States are not covered by Eurostat")


def test_the_candidates_tried_are_counted_and_those_that_fit_named_or_none():
    results = every_statement()
    assert claim_statement(results["Y-1"]).splitlines()[-1] == (
        f"The paper does not name every detail of its series: {len(results['Y-1'].trials)} candidates were tested; "
        "those that fit: 16-24 year olds, expressing opinions on civic or political issues on websites or social "
        "media (% of individuals), 2013."
    )
    assert len(results["Y-1"].trials) > 2
    assert claim_statement(results["O-1"]).splitlines()[-1] == (
        "The paper does not name every detail of its series: 2 candidates were tested; those that fit: none."
    )
    assert "candidates were tested" not in claim_statement(results["S-1"])  # one series, shown beside another
    e1 = claim_statement(results["E-1"])
    assert "**What the data show** (high formal education against no or low formal education, participating in " in e1
    assert "**Verdict:** **no data** for 2013 (3 of 3 checks untested)." in e1
    assert verdict_words(results["E-1"], short=True) == "**no data** for 2013"


def test_the_key_messages_give_one_line_a_topic_and_one_beyond_eurostat():
    results = every_statement()
    lines = key_messages(list(results.values())).splitlines()
    assert [line.split("**")[1] for line in lines] == [
        "Youth civic use.",
        "Education gaps.",
        "Senior uptake.",
        "Other figures.",
        "Beyond Eurostat.",
    ]
    assert lines[2] == (
        "- **Senior uptake.** The paper: at least one in five seniors use social media in Iceland, Norway and the "
        "United Kingdom (and Korea). Eurostat's data: S-1 **reproduced** for 2013."
    )
    assert lines[1].endswith(
        "Eurostat's data: E-1 **no data** for 2013; E-2 **no data** for 2013; E-3 **no data** "
        "for 2013; E-4 **no data** for 2013."
    )
    assert key_messages([results["Y-1"]]).splitlines()[-1].startswith("- **Youth civic use.**")  # nothing beyond
    only_others = key_messages([results["X-1"], results["X-2"]])
    assert only_others == (
        "- **Beyond Eurostat.** 2 claims rest on other sources (government accounts on Twitter and Facebook, "
        "followers, retweets); they are listed, not tested."
    )


def test_a_page_states_its_claims_and_the_verdicts_it_states():
    results = every_statement()
    page = page_statement(list(results.values()), "senior_uptake")
    assert page.markdown == claim_statement(results["S-1"], quote=False) + "\n\n" + claim_statement(
        results["S-2"], quote=False
    )
    assert page.metadata == {
        "verdicts": {
            "S-1": ["reproduced", "reproduced"],
            "S-2": ["not in Eurostat", "not in Eurostat"],
            "S-1 (OECD)": ["no data", "no data"],
            "S-2 (OECD)": ["no data", "no data"],
        }
    }


def test_the_key_messages_join_a_topics_claims_in_their_summary_or_else_their_quote():
    import dataclasses

    results = every_statement()
    education = key_messages([results[c] for c in ("E-1", "E-2")])
    assert education == (
        f"- **Education gaps.** The paper: {results['E-1'].claim['summary']}; {results['E-2'].claim['summary']}. "
        "Eurostat's data: E-1 **no data** for 2013; E-2 **no data** for 2013."
    )
    unsummed = {k: v for k, v in results["Y-1"].claim.items() if k != "summary"}
    quoted = key_messages([dataclasses.replace(results["Y-1"], claim=unsummed)])
    assert quoted.startswith(f"- **Youth civic use.** The paper: {unsummed['quote']}. Eurostat's data: Y-1 ")


def test_a_page_that_does_not_quote_the_paper_elsewhere_quotes_it_in_each_statement():
    results = every_statement()
    quoted = page_statement(list(results.values()), "senior_uptake", quote=True).markdown
    assert quoted.startswith(f"**What the paper said** (S-1): \u201c{results['S-1'].claim['quote']}\u201d")


def test_an_oecd_part_without_a_value_in_the_papers_year_but_one_later_says_so_in_words():
    """Korea has no value in 2013 but one in 2024: "no value in 2013", not an empty list of values."""
    results = oecd_results(SENIORS + KOREA[1:])
    assert (
        oecd_verdict_words(results["S-1"].oecd) == "no value in 2013: **no data**; Korea 43.1% in 2024: **reproduced**"
    )


def test_a_claim_not_in_eurostat_without_a_reason_in_the_registry_says_the_verdict_alone():
    import dataclasses

    result = every_statement()["X-1"]
    bare = dataclasses.replace(result, claim={k: v for k, v in result.claim.items() if k != "not_in_eurostat"})
    assert claim_statement(bare).split("\n\n")[1] == "**Verdict: not in Eurostat.** "


def test_every_candidate_that_fits_is_named_and_one_candidate_is_not_said_to_be_one_of_several():
    import dataclasses

    store = tidy(
        youth(2013, {"NL": 32, "AT": 8, "DE": 20})
        + [("I_IUPOL2", "PC_IND_IU3", "Y16_24", geo, 2013, v) for geo, v in {"NL": 33, "AT": 9, "DE": 20}.items()]
    )
    results = {r.claim["id"]: r for r in evaluate_all(store)}
    series = "16-24 year olds, expressing opinions on civic or political issues on websites or social media"
    assert (
        claim_statement(results["Y-1"])
        .splitlines()[-1]
        .endswith(
            f"those that fit: {series} (% of individuals), 2013; {series} (% of individuals who used the internet in "
            "the last 3 months), 2013."
        )
    )
    assert len(results["E-2"].trials) == 1 and "candidates were tested" not in claim_statement(results["E-2"])
    s1 = results["S-1"]
    bare = dataclasses.replace(s1, claim={k: v for k, v in s1.claim.items() if k != "authority_reason"})
    beside = next(line for line in claim_statement(bare).splitlines() if line.startswith("Shown beside it"))
    assert beside.endswith(": no data. ")  # the series beside, its verdict, and no reason the registry lacks


def test_a_code_the_catalogue_does_not_name_stays_as_written():
    from helpers.publish.statements import in_words

    assert in_words("ZZ > 10 and NL = 30 +/- 2") == "ZZ above 10 and Netherlands about 30 (\u00b12)"


def test_a_claim_without_a_tested_series_has_no_verdict_to_word_and_the_error_names_it():
    from helpers.publish.statements import tested

    with pytest.raises(ValueError, match=r"^claim 'X-1' has no tested series, so no verdict to put in words$"):
        tested(every_statement()["X-1"])


def test_an_oecd_part_tested_without_a_later_year_gives_its_verdict_not_no_data():
    """'no data' only when nothing was tested: a part tested in its year, with no later year, says its verdict."""
    import dataclasses

    result = oecd_results(SENIORS + KOREA + JAPAN_USA)["S-2"]
    alone = dataclasses.replace(result, oecd=dataclasses.replace(result.oecd, latest=None))
    assert oecd_statement(alone)[-1] == "**Verdict, S-2 (OECD):** **partly** for 2013."


def test_a_claim_neither_tested_nor_fetched_is_left_out_and_the_claims_after_it_still_listed():
    import dataclasses

    store = tidy(youth_flagged(2013, {"NL": (32,), "AT": (8,), "DE": (20,)}))
    results = evaluate_all(store, None, ["NL", "AT", "DE"])
    first = next(r for r in results if r.claim["id"] == "Y-1")
    silent = dataclasses.replace(first, best=None, not_checked=None)  # names Austria, nothing to say of it
    assert list(table_rows(claims_naming([silent, *results], "AT").markdown)) == ["Y-1", "E-2"]
