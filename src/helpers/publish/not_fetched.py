"""What a page says when a source's data could not be fetched (the OECD's, today): the sentence at its
top, its tables reading "not fetched", its figures replaced by one line. Never "no data", which says the
source answered without the series.
"""

from __future__ import annotations

import pandas as pd

from helpers.analysis.claims import load_claims
from helpers.publish.outputs import Shown
from helpers.publish.text import markdown_text


def not_fetched_words(unavailable: dict) -> str:
    """'the OECD's data could not be fetched on 2 December 2026: <reason>; S-1 (OECD) and S-2 (OECD) were
    not checked': what every page that shows the OECD's part says when its data could not be fetched."""
    parts = [f"{c['id']} (OECD)" for c in load_claims()["claim"] if c.get("oecd")]
    named = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    reason = str(unavailable.get("reason", "")).rstrip(".")
    return (
        f"the OECD's data could not be fetched on {day(unavailable.get('attempted_at'))}: {reason}; {named} "
        f"{'was' if len(parts) == 1 else 'were'} not checked"
    )


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
    return Shown(
        f"**Not checked.** {markdown_text(words[0].upper() + words[1:])}. `make refresh` brings the OECD's data "
        "in once its API answers.",
        text=words,
    )


NOT_FETCHED = "not fetched"


def not_fetched_table(
    table: pd.DataFrame, provenance: dict, keep: tuple[str, ...] = ("country", "code", "measure", "group")
) -> pd.DataFrame:
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
