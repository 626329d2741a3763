"""The scorecard in words, for readers: what the paper said, what the data show, the verdict.

Everything here is generated from the same evaluation as the scorecard
(`helpers.analysis.claims`); codes become the catalogue's words (country names, indicator and group
labels), and every text from the registry or the catalogue is escaped before it reaches Markdown.
"""

from __future__ import annotations

import re

import pandas as pd

from helpers.analysis.claims import (
    NOT_CHECKED,
    NOT_IN_EUROSTAT,
    UNTESTED,
    ClaimResult,
    Trial,
    load_claims,
)
from helpers.catalogue import load_catalogue
from helpers.publish.not_fetched import not_fetched_words
from helpers.publish.outputs import Shown, verdict_span
from helpers.publish.tables import show
from helpers.publish.text import markdown_text


def claims_naming(results: list[ClaimResult], country: str, *, paper_year: int | None = None) -> Shown:
    """The claims whose checks name `country`, with the verdict and the country's own evidence
    (`results`: the build's verdicts, `helpers.analysis.verdicts.read_verdicts`, as every other page states them)."""
    rows, named = [], {}
    for whole in results:
        # a country Eurostat does not survey is named in the claim's OECD part
        result = (
            whole.oecd
            if whole.oecd is not None and country in {c.get("geo") for c in whole.claim["oecd"]["checks"]}
            else whole
        )
        geos = {check.get("geo") for check in result.claim.get("checks", [])}
        if country not in geos:
            continue
        if result.best is not None:
            own = "; ".join(
                f"{in_words(c.description)}: {in_words(c.evidence)}{flag_words(c.flag)} - {MARK[c.status]}"
                for c in result.best.checks
                if c.geo == country
            )
        elif result.not_checked:
            own = not_fetched_words(result.not_checked)
        else:
            continue  # neither tested nor fetched: nothing to say about this country
        claim = whole.claim["id"] + (" (OECD)" if result is not whole else "")
        named[claim] = [result.verdict, result.latest_verdict]  # what this table states, and only that
        year = result.best.year if result.best else (paper_year or load_claims()["paper_year"])
        rows.append(
            {
                "claim": claim,
                "the paper says": f"\u201c{whole.claim['quote']}\u201d",
                "verdict (whole claim)": verdict_span(result.verdict),
                # one column for every row: each claim is decided in its own year (Y-1 may fit in 2012 only)
                "evidence": f"{year}: {own}",
                "latest": verdict_span(result.latest_verdict),
            }
        )
    name = load_catalogue().label("geo", country)
    if not rows:
        return Shown(f"No claim of the paper names {markdown_text(name)}.", metadata={"verdicts": named})
    own = f"{name}'" if name.endswith("s") else f"{name}'s"  # the United States' evidence
    return show(
        pd.DataFrame(rows),
        f"The paper's claims that name {name}, with the verdict of the whole claim and {own} own evidence "
        "(in the year that decided the claim).",
        metadata={"verdicts": named},
    )


MARK = {"pass": "holds", "fail": "does not hold", UNTESTED: "untested (no data)"}


GEO_CODE = re.compile(r"\b(?:EU27_2020|EU27_2007|EU28|KOR|JPN|USA|[A-Z]{2})\b")


_OPERATORS = [
    (re.compile(r">= (\d+)"), r"at least \1"),
    (re.compile(r"<= (\d+)"), r"at most \1"),
    (re.compile(r"> (\d+)"), r"above \1"),
    (re.compile(r"< (\d+)"), r"below \1"),
    (re.compile(r"= (\d+) \+/- (\d+)"), "about " + r"\1" + " (\u00b1" + r"\2)"),
    (re.compile(r"within \+/-(\d+)"), r"within \1 points either way"),
    (re.compile(r" gap (?=about|within|above|below|at)"), ", gap in points, "),
    (re.compile(r" high (?=about|within|above|below|at)"), ", high education, "),
    (re.compile(r" low (?=about|within|above|below|at)"), ", low education, "),
]


SHORT_NAMES = {
    "EU28": "EU (28 countries)",
    "EU27_2020": "EU (27 countries)",
    "EU27_2007": "EU (27 countries, 2007)",
    "USA": "the United States",
}  # in a sentence


def in_words(text: str) -> str:
    """Country and aggregate codes replaced by their names, comparison signs by words."""
    names = {**load_catalogue().labels["geo"], **SHORT_NAMES}
    text = GEO_CODE.sub(lambda m: names.get(m.group(0), m.group(0)), text)
    for pattern, words in _OPERATORS:
        text = pattern.sub(words, text)
    return text


def series_words(trial: Trial) -> str:
    """'16-24 year olds, expressing opinions ... (% of individuals), 2013'."""
    catalogue = load_catalogue()
    indicator = catalogue.label("indic_is", trial.indic_is).lower()
    unit = catalogue.label("unit", trial.unit)
    if "-" in trial.ind_type and trial.ind_type.count("_") >= 1 and trial.ind_type.startswith("I"):
        high, low = trial.ind_type.split("-")
        group = f"{catalogue.label('ind_type', high).lower()} against {catalogue.label('ind_type', low).lower()}"
    else:
        group = catalogue.label("ind_type", trial.ind_type)
    return f"{group}, {indicator} ({unit}), {trial.year}"


def tested(result: ClaimResult) -> Trial:
    """The trial a claim's verdict rests on; a claim without one (no series tested) has no verdict to word."""
    if result.best is None:
        raise ValueError(f"claim {result.claim.get('id')!r} has no tested series, so no verdict to put in words")
    return result.best


def verdict_words(result: ClaimResult, *, short: bool = False) -> str:
    best, latest = tested(result), result.latest
    then = f"**{result.verdict}** for {best.year}"
    if best.untested and not short:
        then += f" ({best.untested_note})"
    if latest is None or latest.year == best.year:
        return then
    if latest.chained_from:
        catalogue = load_catalogue()
        return (
            f"{then}; **{result.latest_verdict}** for {latest.year} on "
            f"{catalogue.label('indic_is', latest.indic_is).lower()}, which replaced "
            f"{catalogue.label('indic_is', latest.chained_from).lower()} (the definition changed)"
        )
    if result.change_is_real:
        return f"{then}, **{result.latest_verdict}** for {latest.year}"
    if result.latest_verdict == result.verdict:
        return f"{then}, the same for {latest.year}"
    return f"{then}, the same for {latest.year} on the checks testable in both years"


def claim_statement(result: ClaimResult, *, quote: bool = True) -> str:
    """One claim as a reader's paragraph: the paper said / the data show / the verdict.

    Without `quote` (a page that quotes the paper already), the claim is said in the registry's
    summary words."""
    claim = result.claim
    said = (
        f"\u201c{markdown_text(claim['quote'])}\u201d" if quote else markdown_text(claim.get("summary", claim["quote"]))
    )
    lines = [f"**What the paper said** ({markdown_text(claim['id'])}): {said}"]
    if result.best is None:
        lines += ["", f"**Verdict: {NOT_IN_EUROSTAT}.** {markdown_text(claim.get('not_in_eurostat', ''))}"]
        return "\n".join(lines + oecd_statement(result))
    lines += ["", f"**What the data show** ({markdown_text(series_words(result.best))}):", ""]
    for check in result.best.checks:
        lines.append(
            f"- {markdown_text(in_words(check.description))}: {markdown_text(in_words(check.evidence))} "
            f"- *{MARK[check.status]}*"
        )
    lines += ["", f"**Verdict:** {verdict_words(result)}."]
    if len(result.trials) > 1 and result.beside is None:
        fitting = [t for t in result.trials if t.candidate in result.fitting]
        which = "; ".join(markdown_text(series_words(t)) for t in fitting) if fitting else "none"
        lines.append(
            f"The paper does not name every detail of its series: {len(result.trials)} candidates were tested; "
            f"those that fit: {which}."
        )
    if result.beside is not None:
        lines.append(
            f"Shown beside it, not deciding: {markdown_text(series_words(result.beside))}: "
            f"{result.beside.verdict}. {markdown_text(claim.get('authority_reason', ''))}"
        )
    if claim.get("not_in_eurostat"):
        lines.append(markdown_text(claim["not_in_eurostat"]))
    return "\n".join(lines + oecd_statement(result))


def flag_words(flag: str) -> str:
    """' (flag D: definition differs (OECD))' for a flagged value, '' for none."""
    return f" (flag {flag}: {load_catalogue().label('flag', flag)})" if flag else ""


def oecd_statement(result: ClaimResult) -> list[str]:
    """The lines of a claim's part tested on the OECD's data: the band in words, each country's
    value with its flag explained, the verdict then and now; "no data" naming the series."""
    part = result.oecd
    if part is None:
        return []
    catalogue = load_catalogue()
    if part.not_checked:
        countries = in_words(" and ".join(c["geo"] for c in part.claim["checks"]))
        return [
            "",
            f"**What the OECD's data show** ({markdown_text(countries)}): nothing here, "
            f"{markdown_text(not_fetched_words(part.not_checked))}.",
            "",
            f"**Verdict, {markdown_text(part.claim['id'])} (OECD):** **{NOT_CHECKED}** (no verdict: the data could "
            "not be fetched; `make refresh` brings them in once the OECD answers).",
        ]
    best = tested(part)
    band = part.claim.get("band", catalogue.label("ind_type", best.ind_type))
    countries = in_words(" and ".join(c["geo"] for c in part.claim["checks"]))
    indicator = catalogue.label("indic_is", best.indic_is).lower()
    lines = [
        "",
        f"**What the OECD's data show** ({markdown_text(countries)}; {markdown_text(band)}; {markdown_text(indicator)}, "
        f"{markdown_text(catalogue.label('unit', best.unit))}):",
        "",
    ]
    for trial in [best] + ([part.latest] if part.latest and part.latest.year != best.year else []):
        for check in trial.checks:
            lines.append(
                f"- {trial.year}: {markdown_text(in_words(check.description))}: "
                f"{markdown_text(in_words(check.evidence))}{markdown_text(flag_words(check.flag))} - *{MARK[check.status]}*"
            )
    if best.untested == len(best.checks) and part.latest is None:
        verdict = (
            f"**no data**: the OECD's answer holds no value of {markdown_text(best.indic_is)} "
            f"({markdown_text(indicator)}) for 55-74 year olds in {markdown_text(countries)}, so the claim cannot be "
            "tested on it; nothing is guessed"
        )
    else:
        verdict = verdict_words(part)
    lines += ["", f"**Verdict, {markdown_text(part.claim['id'])} (OECD):** {verdict}."]
    return lines


def page_statement(results: list[ClaimResult], page: str, *, quote: bool = False) -> Shown:
    """The statements of every claim shown on one topic page (the verdicts they state in the metadata)."""
    shown = [r for r in results if r.claim.get("page") == page]
    return Shown("\n\n".join(claim_statement(r, quote=quote) for r in shown), metadata=stated_verdicts(shown))


def key_messages(results: list[ClaimResult]) -> str:
    """Three to five messages in plain words for the Overview: one per topic, one on other sources."""
    topics: dict[str, list[ClaimResult]] = {}
    for result in results:
        if result.best is not None:
            topics.setdefault(result.claim["topic"], []).append(result)
    lines = []
    for topic, group in topics.items():
        said = "; ".join(markdown_text(r.claim.get("summary", r.claim["quote"])) for r in group)
        verdicts = "; ".join(f"{markdown_text(r.claim['id'])} {verdict_words(r, short=True)}" for r in group)
        lines.append(f"- **{markdown_text(topic)}.** The paper: {said}. Eurostat's data: {verdicts}.")
    # beyond Eurostat, one message: what the OECD's data show, and what no survey can test
    oecd = [(r, r.oecd) for r in results if r.oecd is not None]
    others = [r for r in results if r.best is None and r.oecd is None]
    beyond = []
    not_checked = next((part.not_checked for _, part in oecd if part.not_checked), None)
    if not_checked:
        beyond.append(
            f"Korea, Japan and the United States, on the OECD's data: {markdown_text(not_fetched_words(not_checked))}."
        )
    elif oecd:
        said = "; ".join(f"{markdown_text(r.claim['id'])} {oecd_verdict_words(part)}" for r, part in oecd)
        beyond.append(
            f"Korea, Japan and the United States, on the OECD's data (55-74 year olds, the OECD's nearest band "
            f"to the paper's over-65s): {said}."
        )
    if others:
        beyond.append(
            f"{len(others)} claims rest on other sources (government accounts on Twitter and Facebook, "
            "followers, retweets); they are listed, not tested."
        )
    if beyond:
        lines.append("- **Beyond Eurostat.** " + " ".join(beyond))
    return "\n".join(lines)


def oecd_verdict_words(part: ClaimResult) -> str:
    """A claim's OECD part (`ClaimResult.oecd`) in a few words, with the values: 'Korea 7.4 in 2013 (flag D:
    ...): **not reproduced**; ...'."""
    best = tested(part)
    catalogue = load_catalogue()
    if all(c.status == UNTESTED for c in best.checks) and part.latest is None:
        countries = in_words(" and ".join(c["geo"] for c in part.claim["checks"]))
        return (
            f"**no data** (the OECD's answer holds no value of {markdown_text(best.indic_is)}, "
            f"{markdown_text(catalogue.label('indic_is', best.indic_is).lower())}, for 55-74 year olds in "
            f"{markdown_text(countries)})"
        )

    def values(trial: Trial) -> str:
        said = ", ".join(
            f"{markdown_text(catalogue.label('geo', c.geo))} {c.value:.1f}%{markdown_text(flag_words(c.flag))}"
            for c in trial.checks
            if c.status != UNTESTED
        )
        return said or "no value"  # none in the paper's year, some later (found by a mutant: ' in 2013: ...')

    said = f"{values(best)} in {best.year}: **{part.verdict}**"
    if part.latest and part.latest.year != best.year:
        said += f"; {values(part.latest)} in {part.latest.year}: **{part.latest_verdict}**"
    return said


def stated_verdicts(results: list[ClaimResult]) -> dict:
    """The verdicts a page states, as output metadata (``verdicts``: claim -> then, latest): the same
    evaluation on every page, so a test can check that every page says the same."""
    verdicts = {
        r.claim["id"]: [r.verdict if r.best else NOT_IN_EUROSTAT, r.latest_verdict if r.best else NOT_IN_EUROSTAT]
        for r in results
    }
    verdicts.update({f"{r.claim['id']} (OECD)": [r.oecd.verdict, r.oecd.latest_verdict] for r in results if r.oecd})
    return {"verdicts": verdicts}


def fitting_trials(results: list[ClaimResult], claim_id: str) -> list[Trial]:
    """The candidate series (with their years) of one claim that fit the paper's figures."""
    result = next(r for r in results if r.claim["id"] == claim_id)
    return [t for t in result.trials if t.candidate in result.fitting]
