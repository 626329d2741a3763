"""The scorecard for readers: the rows and short labels of its chart (every check of every claim), and its
verdict table (each claim and each claim's OECD part, its verdict then and now, the CSV it is written from).
"""

from __future__ import annotations

import re

import pandas as pd

from helpers.analysis.claims import NOT_IN_EUROSTAT, ClaimResult
from helpers.catalogue import load_catalogue
from helpers.publish.outputs import Shown, verdict_span
from helpers.publish.tables import show
from helpers.publish.statements import GEO_CODE, in_words, stated_verdicts


def short_label(description: str) -> str:
    """A check in a few words for a chart's axis: 'EU28 high = 53 +/- 1' -> 'EU high ~53'."""
    names = {**load_catalogue().labels["geo"], "EU28": "EU", "EU27_2020": "EU", "EU27_2007": "EU"}
    text = GEO_CODE.sub(lambda m: names.get(m.group(0), m.group(0)), description)
    text = re.sub(r" = (\d+) \+/- \d+", r" ~\1", text)
    text = re.sub(r"within \+/-(\d+)", "within \u00b1" + r"\1", text)
    text = re.sub(r" of \d+ countries", "", text)
    text = (
        text.replace("the leading country within", "leader within")
        .replace(" >= ", " \u2265 ")
        .replace(" <= ", " \u2264 ")
    )
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
            rows.append(
                {
                    "claim": result.claim["id"],
                    "label": f"{name}  {short_label(check.description)}",
                    "check": in_words(check.description),
                    "status": check.status,
                    "value": check.value,
                    "target_low": check.target[0] if check.target else float("nan"),
                    "target_high": check.target[1] if check.target else float("nan"),
                    "year": result.best.year,
                }
            )
    return pd.DataFrame(
        rows, columns=["claim", "label", "check", "status", "value", "target_low", "target_high", "year"]
    )


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
        rows.append(
            {
                "claim": claim["id"],
                "topic": claim["topic"],
                "what the paper said": claim.get("summary", claim["quote"]),
                "decided by": "Eurostat" if result.best else "-",
                "verdict, paper's year": verdict_span(then),
                "verdict, latest year": verdict_span(now),
                "years": when,
            }
        )
        part = result.oecd
        if part is not None:
            countries = in_words(" and ".join(c["geo"] for c in part.claim["checks"]))
            untested = (
                f" ({part.best.untested} untested)"
                if part.best and part.best.untested and part.verdict != "no data"
                else ""
            )
            rows.append(
                {
                    "claim": f"{claim['id']} (OECD)",
                    "topic": claim["topic"],
                    "what the paper said": f"the part on {countries} (55-74 year olds)",
                    "decided by": "OECD" if part.best else "- (the OECD's data could not be fetched)",
                    "verdict, paper's year": verdict_span(part.verdict + untested),
                    "verdict, latest year": verdict_span(part.latest_verdict),
                    "years": (
                        f"{part.best.year} / {part.latest.year if part.latest else 'no later year'}"
                        if part.best
                        else ""
                    ),
                }
            )
    return show(
        pd.DataFrame(rows),
        "The claims of the paper and their verdicts, for the paper's year and the latest year "
        "with data, and the source that decided each: Eurostat for the countries it surveys, the OECD's ICT "
        "database for Korea, Japan and the United States.",
        csv=csv,
        metadata=stated_verdicts(results),
    )
