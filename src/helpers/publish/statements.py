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
    evaluate_all,
    load_claims,
)
from helpers.catalogue import load_catalogue
from helpers.publish.outputs import Shown, show, verdict_span
from helpers.publish.text import markdown_text


def claims_naming(store: pd.DataFrame, country: str, compared: list[str] | None = None, *,
                  paper_year: int | None = None, latest_year: int = 0) -> Shown:
    """The claims whose checks name `country`, with the verdict and the country's own evidence
    (evaluated with the same settings as every other page)."""
    rows, named = [], {}
    for whole in evaluate_all(store, paper_year, compared, latest_year):
        # a country Eurostat does not survey is named in the claim's OECD part
        result = whole.oecd if whole.oecd is not None and country in {c.get("geo") for c in whole.claim["oecd"]["checks"]} \
            else whole
        geos = {check.get("geo") for check in result.claim.get("checks", [])}
        if country not in geos or (result.best is None and not result.not_checked):
            continue
        claim = whole.claim["id"] + (" (OECD)" if result is not whole else "")
        named[claim] = [result.verdict, result.latest_verdict]  # what this table states, and only that
        year = result.best.year if result.best else (paper_year or load_claims()["paper_year"])
        own = "; ".join(f"{in_words(c.description)}: {in_words(c.evidence)}{flag_words(c.flag)} - {MARK[c.status]}"
                        for c in result.best.checks if c.geo == country) if result.best else \
            not_fetched_words(result.not_checked)
        rows.append({
            "claim": claim,
            "the paper says": f"\u201c{whole.claim['quote']}\u201d",
            "verdict (whole claim)": verdict_span(result.verdict),
            f"{load_catalogue().label('geo', country)} in {year}": own,
            "latest": verdict_span(result.latest_verdict),
        })
    name = load_catalogue().label("geo", country)
    if not rows:
        return Shown(f"No claim of the paper names {markdown_text(name)}.", metadata={"verdicts": named})
    own = f"{name}'" if name.endswith("s") else f"{name}'s"  # the United States' evidence
    return show(pd.DataFrame(rows), f"The paper's claims that name {name}, with the verdict of the whole claim and "
                f"{own} own evidence.", metadata={"verdicts": named})


MARK = {"pass": "holds", "fail": "does not hold", UNTESTED: "untested (no data)"}


_GEO = re.compile(r"\b(?:EU27_2020|EU27_2007|EU28|KOR|JPN|USA|[A-Z]{2})\b")


_OPERATORS = [
    (re.compile(r">= (\d+)"), r"at least \1"), (re.compile(r"<= (\d+)"), r"at most \1"),
    (re.compile(r"> (\d+)"), r"above \1"), (re.compile(r"< (\d+)"), r"below \1"),
    (re.compile(r"= (\d+) \+/- (\d+)"), "about " + r"\1" + " (\u00b1" + r"\2)"),
    (re.compile(r"within \+/-(\d+)"), r"within \1 points either way"),
    (re.compile(r" gap (?=about|within|above|below|at)"), ", gap in points, "),
    (re.compile(r" high (?=about|within|above|below|at)"), ", high education, "),
    (re.compile(r" low (?=about|within|above|below|at)"), ", low education, "),
]


SHORT_NAMES = {"EU28": "EU (28 countries)", "EU27_2020": "EU (27 countries)", "EU27_2007": "EU (27 countries, 2007)",
               "USA": "the United States"}  # in a sentence


def in_words(text: str) -> str:
    """Country and aggregate codes replaced by their names, comparison signs by words."""
    names = {**load_catalogue().labels["geo"], **SHORT_NAMES}
    text = _GEO.sub(lambda m: names.get(m.group(0), m.group(0)), text)
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


def verdict_words(result: ClaimResult, *, short: bool = False) -> str:
    then = f"**{result.verdict}** for {result.best.year}"
    if result.best.untested and not short:
        then += f" ({result.best.untested_note})"
    if result.latest is None or result.latest.year == result.best.year:
        return then
    if result.latest.chained_from:
        catalogue = load_catalogue()
        return (f"{then}; **{result.latest_verdict}** for {result.latest.year} on "
                f"{catalogue.label('indic_is', result.latest.indic_is).lower()}, which replaced "
                f"{catalogue.label('indic_is', result.latest.chained_from).lower()} (the definition changed)")
    if result.change_is_real:
        return f"{then}, **{result.latest_verdict}** for {result.latest.year}"
    if result.latest_verdict == result.verdict:
        return f"{then}, the same for {result.latest.year}"
    return f"{then}, the same for {result.latest.year} on the checks testable in both years"


def claim_statement(result: ClaimResult, *, quote: bool = True) -> str:
    """One claim as a reader's paragraph: the paper said / the data show / the verdict.

    Without `quote` (a page that quotes the paper already), the claim is said in the registry's
    summary words."""
    claim = result.claim
    said = f"\u201c{markdown_text(claim['quote'])}\u201d" if quote else markdown_text(claim.get("summary", claim["quote"]))
    lines = [f"**What the paper said** ({markdown_text(claim['id'])}): {said}"]
    if result.best is None:
        lines += ["", f"**Verdict: {NOT_IN_EUROSTAT}.** {markdown_text(claim.get('not_in_eurostat', ''))}"]
        return "\n".join(lines + oecd_statement(result))
    lines += ["", f"**What the data show** ({markdown_text(series_words(result.best))}):", ""]
    for check in result.best.checks:
        lines.append(f"- {markdown_text(in_words(check.description))}: {markdown_text(in_words(check.evidence))} "
                     f"- *{MARK[check.status]}*")
    lines += ["", f"**Verdict:** {verdict_words(result)}."]
    if len(result.trials) > 1 and result.beside is None:
        fitting = [t for t in result.trials if t.candidate in result.fitting]
        which = "; ".join(markdown_text(series_words(t)) for t in fitting) if fitting else "none"
        lines.append(f"The paper does not name every detail of its series: {len(result.trials)} candidates were tested; "
                     f"those that fit: {which}.")
    if result.beside is not None:
        lines.append(f"Shown beside it, not deciding: {markdown_text(series_words(result.beside))}: "
                     f"{result.beside.verdict}. {markdown_text(claim.get('authority_reason', ''))}")
    if claim.get("not_in_eurostat"):
        lines.append(markdown_text(claim["not_in_eurostat"]))
    return "\n".join(lines + oecd_statement(result))


def not_fetched_words(unavailable: dict) -> str:
    """'the OECD's data could not be fetched on 2 December 2026: <reason>; S-1 (OECD) and S-2 (OECD) were
    not checked': what every page that shows the OECD's part says when its data could not be fetched."""
    parts = [f"{c['id']} (OECD)" for c in load_claims()["claim"] if c.get("oecd")]
    named = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    reason = str(unavailable.get("reason", "")).rstrip(".")
    return (f"the OECD's data could not be fetched on {day(unavailable.get('attempted_at'))}: {reason}; {named} "
            f"{'was' if len(parts) == 1 else 'were'} not checked")


def day(stamp: str | None) -> str:
    """'2026-12-02T06:50:00Z' -> '2 December 2026'."""
    if not stamp:
        return "an unknown date"
    moment = pd.Timestamp(stamp)
    return f"{moment.day} {moment.strftime('%B %Y')}"


def not_fetched_notice(provenance: dict) -> Shown:
    """The sentence, for the top of a page that shows the OECD's part, when its data could not be fetched
    (an empty output when it was)."""
    from helpers.store.tidy import unavailable_sources

    missing = next((u for u in unavailable_sources(provenance).values() if u["publisher"] == "OECD"), None)
    if missing is None:
        return Shown("", text="")
    words = not_fetched_words(missing)
    return Shown(f"**Not checked.** {markdown_text(words[0].upper() + words[1:])}. `make refresh` brings the OECD's data "
                 "in once its API answers.", text=words)


NOT_FETCHED = "not fetched"


def not_fetched_table(table: pd.DataFrame, provenance: dict,
                      keep: tuple[str, ...] = ("country", "code", "measure", "group")) -> pd.DataFrame:
    """An OECD table (`oecd_then_and_now`) as it is, or, when the OECD's data could not be fetched, with
    every value and flag reading "not fetched" (never "no data", which says the OECD answered without it)."""
    if not not_fetched_notice(provenance).markdown:
        return table
    return table.assign(**{column: NOT_FETCHED for column in table.columns if column not in keep})


def or_not_fetched(provenance: dict, shown: Shown | str, instead: str | None = None) -> Shown:
    """`shown` (the OECD's figures, or what its answer does not hold), or, when the OECD's data could not be
    fetched, `instead` (by default one short sentence; the page's notice gives the reason): nothing is shown
    as "no data" that was never received."""
    notice = not_fetched_notice(provenance)
    if notice.markdown:
        from helpers.store.tidy import unavailable_sources

        when = next(u for u in unavailable_sources(provenance).values() if u["publisher"] == "OECD")["attempted_at"]
        words = f"No figures here: the OECD's data could not be fetched on {day(when)}." if instead is None else instead
        return Shown(markdown_text(words), text=words)
    return shown if isinstance(shown, Shown) else Shown(shown)


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
        return ["", f"**What the OECD's data show** ({markdown_text(countries)}): nothing here, "
                    f"{markdown_text(not_fetched_words(part.not_checked))}.", "",
                f"**Verdict, {markdown_text(part.claim['id'])} (OECD):** **{NOT_CHECKED}** (no verdict: the data could "
                "not be fetched; `make refresh` brings them in once the OECD answers)."]
    band = part.claim.get("band", catalogue.label("ind_type", part.best.ind_type))
    countries = in_words(" and ".join(c["geo"] for c in part.claim["checks"]))
    indicator = catalogue.label("indic_is", part.best.indic_is).lower()
    lines = ["", f"**What the OECD's data show** ({markdown_text(countries)}; {markdown_text(band)}; {markdown_text(indicator)}, "
                 f"{markdown_text(catalogue.label('unit', part.best.unit))}):", ""]
    for trial in [part.best] + ([part.latest] if part.latest and part.latest.year != part.best.year else []):
        for check in trial.checks:
            lines.append(f"- {trial.year}: {markdown_text(in_words(check.description))}: "
                         f"{markdown_text(in_words(check.evidence))}{markdown_text(flag_words(check.flag))} - *{MARK[check.status]}*")
    if part.best.untested == len(part.best.checks) and part.latest is None:
        verdict = (f"**no data**: the OECD's answer holds no value of {markdown_text(part.best.indic_is)} "
                   f"({markdown_text(indicator)}) for 55-74 year olds in {markdown_text(countries)}, so the claim cannot be "
                   "tested on it; nothing is guessed")
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
    oecd = [r for r in results if r.oecd is not None]
    others = [r for r in results if r.best is None and r.oecd is None]
    beyond = []
    not_checked = next((r.oecd.not_checked for r in oecd if r.oecd.not_checked), None)
    if not_checked:
        beyond.append(f"Korea, Japan and the United States, on the OECD's data: {markdown_text(not_fetched_words(not_checked))}.")
    elif oecd:
        said = "; ".join(f"{markdown_text(r.claim['id'])} {oecd_verdict_words(r)}" for r in oecd)
        beyond.append(f"Korea, Japan and the United States, on the OECD's data (55-74 year olds, the OECD's nearest band "
                      f"to the paper's over-65s): {said}.")
    if others:
        beyond.append(f"{len(others)} claims rest on other sources (government accounts on Twitter and Facebook, "
                      "followers, retweets); they are listed, not tested.")
    if beyond:
        lines.append("- **Beyond Eurostat.** " + " ".join(beyond))
    return "\n".join(lines)


def oecd_verdict_words(result: ClaimResult) -> str:
    """A claim's OECD part in a few words, with the values: 'Korea 7.4 in 2013 (flag D: ...): **not reproduced**; ...'."""
    part = result.oecd
    catalogue = load_catalogue()
    if all(c.status == UNTESTED for c in part.best.checks) and part.latest is None:
        countries = in_words(" and ".join(c["geo"] for c in part.claim["checks"]))
        return (f"**no data** (the OECD's answer holds no value of {markdown_text(part.best.indic_is)}, "
                f"{markdown_text(catalogue.label('indic_is', part.best.indic_is).lower())}, for 55-74 year olds in "
                f"{markdown_text(countries)})")

    def values(trial) -> str:
        return ", ".join(f"{markdown_text(catalogue.label('geo', c.geo))} {c.value:.1f}%{markdown_text(flag_words(c.flag))}"
                         for c in trial.checks if c.status != UNTESTED)
    said = f"{values(part.best)} in {part.best.year}: **{part.verdict}**"
    if part.latest and part.latest.year != part.best.year:
        said += f"; {values(part.latest)} in {part.latest.year}: **{part.latest_verdict}**"
    return said


def short_label(description: str) -> str:
    """A check in a few words for a chart's axis: 'EU28 high = 53 +/- 1' -> 'EU high ~53'."""
    names = {**load_catalogue().labels["geo"], "EU28": "EU", "EU27_2020": "EU", "EU27_2007": "EU"}
    text = _GEO.sub(lambda m: names.get(m.group(0), m.group(0)), description)
    text = re.sub(r" = (\d+) \+/- \d+", r" ~\1", text)
    text = re.sub(r"within \+/-(\d+)", "within \u00b1" + r"\1", text)
    text = re.sub(r" of \d+ countries", "", text)
    text = text.replace("the leading country within", "leader within").replace(" >= ", " \u2265 ").replace(" <= ", " \u2264 ")
    return text if len(text) <= 34 else text[:33] + "\u2026"


def scorecard_rows(results: list[ClaimResult]) -> pd.DataFrame:
    """One row per check of every claim tested on Eurostat's data, for the visual scorecard."""
    rows = []
    parts = [(r, r.claim["id"]) for r in results] + [(r.oecd, f"{r.claim['id']} OECD") for r in results if r.oecd]
    for result, name in parts:
        if result.best is None:
            continue
        for check in result.best.checks:
            if not check.geo and check.target is None:
                continue
            rows.append({
                "claim": result.claim["id"],
                "label": f"{name}  {short_label(check.description)}",
                "check": in_words(check.description),
                "status": check.status,
                "value": check.value,
                "target_low": check.target[0] if check.target else float("nan"),
                "target_high": check.target[1] if check.target else float("nan"),
                "year": result.best.year,
            })
    return pd.DataFrame(rows, columns=["claim", "label", "check", "status", "value", "target_low", "target_high", "year"])


def stated_verdicts(results: list[ClaimResult]) -> dict:
    """The verdicts a page states, as output metadata (``verdicts``: claim -> then, latest): the same
    evaluation on every page, so a test can check that every page says the same."""
    verdicts = {r.claim["id"]: [r.verdict if r.best else NOT_IN_EUROSTAT, r.latest_verdict if r.best else NOT_IN_EUROSTAT]
                for r in results}
    verdicts.update({f"{r.claim['id']} (OECD)": [r.oecd.verdict, r.oecd.latest_verdict] for r in results if r.oecd})
    return {"verdicts": verdicts}


def verdict_table(results: list[ClaimResult], csv: str = "claims_scorecard") -> Shown:
    """The scorecard for readers: each claim in words, its verdict then and now, coloured on the web; a
    row per claim and per claim's OECD part, each of them a row of the CSV it links (`scorecard`'s, `csv`)."""
    rows = []
    for result in results:
        claim = result.claim
        if result.best is None:
            then = now = NOT_IN_EUROSTAT
            when = ""
        else:
            then = result.verdict + (f" ({result.best.untested} untested)" if result.best.untested else "")
            now = result.latest_verdict
            when = f"{result.best.year} / {result.latest.year if result.latest else 'no later year'}"
        rows.append({"claim": claim["id"], "topic": claim["topic"], "what the paper said": claim.get("summary", claim["quote"]),
                     "decided by": "Eurostat" if result.best else "-",
                     "verdict, paper's year": verdict_span(then), "verdict, latest year": verdict_span(now), "years": when})
        part = result.oecd
        if part is not None:
            countries = in_words(" and ".join(c["geo"] for c in part.claim["checks"]))
            untested = f" ({part.best.untested} untested)" if part.best and part.best.untested and part.verdict != "no data" else ""
            rows.append({"claim": f"{claim['id']} (OECD)", "topic": claim["topic"],
                         "what the paper said": f"the part on {countries} (55-74 year olds)",
                         "decided by": "OECD" if part.best else "- (the OECD's data could not be fetched)",
                         "verdict, paper's year": verdict_span(part.verdict + untested),
                         "verdict, latest year": verdict_span(part.latest_verdict),
                         "years": f"{part.best.year} / {part.latest.year if part.latest else 'no later year'}" if part.best else ""})
    return show(pd.DataFrame(rows), "The claims of the paper and their verdicts, for the paper's year and the latest year "
                "with data, and the source that decided each: Eurostat for the countries it surveys, the OECD's ICT "
                "database for Korea, Japan and the United States.", csv=csv, metadata=stated_verdicts(results))


def fitting_trials(results: list[ClaimResult], claim_id: str) -> list[Trial]:
    """The candidate series (with their years) of one claim that fit the paper's figures."""
    result = next(r for r in results if r.claim["id"] == claim_id)
    return [t for t in result.trials if t.candidate in result.fitting]
