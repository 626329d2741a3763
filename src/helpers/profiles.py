"""What a country profile shows: the report's comparisons for one country, and the claims naming it."""

from __future__ import annotations

import pandas as pd

from helpers.claims import evaluate_all
from helpers.comparisons import Series


def profile_series(unit: str = "PC_IND") -> list[tuple[str, Series]]:
    """The comparisons of the report, one series each, in the report's order."""
    return [
        ("Youth civic use", Series("I_IUPOL2", unit, "Y16_24")),
        ("Social networks, high education", Series("I_IUSNET", unit, "I5_8")),
        ("Social networks, no or low education", Series("I_IUSNET", unit, "I0_2")),
        ("Seniors on social networks", Series("I_IUSNET", unit, "Y65_74")),
        ("Seniors online", Series("I_IU3", "PC_IND", "Y65_74")),
        ("Health information", Series("I_IHIF", unit, "IND_TOTAL")),
        ("Job search (unemployed)", Series("I_IUJOB", unit, "UNE")),
        ("E-government", Series("I_IUGOV12", unit, "IND_TOTAL")),
        ("Internet use", Series("I_IU3", "PC_IND", "IND_TOTAL")),
    ]


def claims_naming(store: pd.DataFrame, country: str) -> pd.DataFrame:
    """The claims whose checks name `country`, with the verdict and the country's own evidence."""
    rows = []
    for result in evaluate_all(store):
        geos = {check.get("geo") for check in result.claim.get("checks", [])}
        if country not in geos or result.best is None:
            continue
        own = [c for c in result.best.checks if c.evidence.startswith(f"{country} ") or c.evidence.startswith(f"{country}:")]
        rows.append({
            "claim": result.claim["id"],
            "the paper says": f"\u201c{result.claim['quote']}\u201d",
            "verdict (whole claim)": result.verdict,
            f"{country} in {result.best.year}": "; ".join(f"{c.description}: {c.evidence} [{c.status}]" for c in own),
            "latest": result.latest_verdict,
        })
    if not rows:
        return pd.DataFrame({"claim": [], "note": []}).assign(note=[])
    return pd.DataFrame(rows)
