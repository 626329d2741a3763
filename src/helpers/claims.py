"""The claims scorecard: each claim of the registry tested against the data, with a verdict.

Verdicts: "reproduced" (every check passes), "partly" (some do), "not reproduced" (none do),
"no data" (nothing to test), "not in Eurostat" (the claim rests on other sources). Where the
paper does not say which indicator, unit or year it used, every candidate is tested and the
best one is reported with the list of those that fit. Then and now: the same checks on the
latest year with data.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from helpers.catalogue import load_catalogue
from helpers.comparisons import Series, eu_aggregate, series_rows, years_with_data
from helpers.errors import MissingData
from helpers.text import markdown_text

VERDICT_ORDER = {"reproduced": 3, "partly": 2, "not reproduced": 1, "no data": 0}
NOT_IN_EUROSTAT = "not in Eurostat"


@dataclass
class CheckResult:
    description: str
    status: str  # "pass", "fail" or "no data"
    evidence: str


@dataclass
class Trial:
    """The checks of one claim for one candidate series and year."""

    indic_is: str
    unit: str
    ind_type: str
    year: int
    spec: dict = field(default_factory=dict)
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        statuses = [c.status for c in self.checks]
        if all(s == "no data" for s in statuses):
            return "no data"
        passed = statuses.count("pass")
        if passed == len(statuses):
            return "reproduced"
        return "partly" if passed else "not reproduced"

    @property
    def candidate(self) -> str:
        return f"{self.indic_is} / {self.unit} / {self.ind_type} / {self.year}"

    @property
    def evidence(self) -> str:
        return "; ".join(f"{c.description}: {c.evidence} [{c.status}]" for c in self.checks)


@lru_cache(maxsize=1)
def load_claims() -> dict:
    text = resources.files("helpers").joinpath("catalogue/claims.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _candidates(claim: dict) -> list[dict]:
    base = {k: claim.get(k) for k in ("indic_is", "unit", "ind_type")}
    return [{**base, **candidate} for candidate in claim.get("candidates", [{}])]


def _measure(store: pd.DataFrame, claim: dict, series: dict, year: int) -> pd.DataFrame:
    """Values by geo (countries and aggregates) for one year: `value`, or `high`/`low`/`gap`."""
    def values(ind_type: str) -> pd.Series:
        rows = series_rows(store, Series(series["indic_is"], series["unit"], ind_type))
        rows = rows[rows.year == year]
        return rows.set_index("geo")["value"]

    if claim.get("measure") == "gap":
        high, low = values(claim["high"]), values(claim["low"])
        table = pd.DataFrame({"high": high, "low": low})
        table["gap"] = table["high"] - table["low"]
        return table
    return pd.DataFrame({"value": values(series["ind_type"])})


def _fmt(value: float) -> str:
    return "no data" if pd.isna(value) else f"{value:.1f}"


def run_check(check: dict, table: pd.DataFrame, year: int, default_column: str) -> CheckResult:
    """Evaluate one check on a table of values by geo."""
    aggregates = load_catalogue().aggregates
    column = check.get("of", default_column)
    geo = check.get("geo")
    geo = eu_aggregate(year) if geo == "EU" else geo
    countries = table.loc[~table.index.isin(aggregates), column].dropna().sort_values(ascending=False)
    test = check["test"]
    if test == "top_between":
        n, low, high = check["n"], check["low"], check["high"]
        top = countries.head(n)
        description = f"the {n} highest countries within {low}-{high}"
        if len(top) < n:
            return CheckResult(description, "no data", f"only {len(top)} countries with data")
        listed = ", ".join(f"{g} {_fmt(v)}" for g, v in top.items())
        return CheckResult(description, "pass" if top.between(low, high).all() else "fail", listed)

    value = table[column].get(geo, np.nan) if column in table else np.nan
    label = f"{geo} {column}" if column != "value" else geo
    if pd.isna(value):
        return CheckResult(f"{label} {test.replace('_', ' ')} {check.get('value', '')}".strip(), "no data", f"{geo}: no data")
    if test in ("highest", "lowest"):
        ordered = countries if test == "highest" else countries.sort_values()
        others = ordered.drop(geo, errors="ignore")
        best = ordered.index[0]
        ok = best == geo
        runner = f"{others.index[0]} {_fmt(others.iloc[0])}" if len(others) else "none"
        evidence = f"{geo} {_fmt(value)}; " + (f"next: {runner}" if ok else f"{test}: {best} {_fmt(ordered.iloc[0])}")
        return CheckResult(f"{geo} {test} of {len(countries)} countries", "pass" if ok else "fail", evidence)
    target = check["value"]
    tests = {
        "at_least": (value >= target, f">= {target}"),
        "above": (value > target, f"> {target}"),
        "below": (value < target, f"< {target}"),
        "at_most": (value <= target, f"<= {target}"),
        "abs_at_most": (abs(value) <= target, f"within +/-{target}"),
        "near": (abs(value - target) <= check.get("tolerance", 0), f"= {target} +/- {check.get('tolerance', 0)}"),
    }
    if test not in tests:
        raise ValueError(f"unknown test {test!r} in the claims registry")
    ok, wording = tests[test]
    return CheckResult(f"{label} {wording}", "pass" if ok else "fail", f"{geo} {_fmt(value)}")


def trial(store: pd.DataFrame, claim: dict, candidate: dict, year: int) -> Trial:
    """All checks of a claim for one candidate series and year."""
    group = candidate["ind_type"] or f"{claim['high']}-{claim['low']}"
    result = Trial(candidate["indic_is"], candidate["unit"], group, year, spec=candidate)
    default_column = "gap" if claim.get("measure") == "gap" else "value"
    for check in claim["checks"]:
        series = {**candidate, **check.get("series", {})}
        try:
            table = _measure(store, claim, series, year)
        except MissingData:
            result.checks.append(CheckResult(check["test"], "no data", f"series {series['indic_is']} not in the store"))
            continue
        result.checks.append(run_check(check, table, year, default_column))
    return result


def claim_years(store: pd.DataFrame, claim: dict, candidate: dict) -> list[int]:
    ind_type = candidate.get("ind_type") or claim.get("high")
    try:
        return years_with_data(store, Series(candidate["indic_is"], candidate["unit"], ind_type))
    except MissingData:
        return []


@dataclass
class ClaimResult:
    claim: dict
    trials: list[Trial]
    best: Trial | None
    latest: Trial | None

    @property
    def verdict(self) -> str:
        return self.best.verdict if self.best else NOT_IN_EUROSTAT

    @property
    def latest_verdict(self) -> str:
        return self.latest.verdict if self.latest else (NOT_IN_EUROSTAT if not self.best else "no data")

    @property
    def fitting(self) -> list[str]:
        return [t.candidate for t in self.trials if t.verdict == "reproduced"]


def evaluate_claim(store: pd.DataFrame, claim: dict, paper_year: int) -> ClaimResult:
    """Test every candidate (series x year) of a claim; pick the best; test it on the latest year."""
    if "checks" not in claim:
        return ClaimResult(claim, [], None, None)
    years = claim.get("years", [paper_year])
    trials = [trial(store, claim, candidate, year) for candidate in _candidates(claim) for year in years]
    # the best trial: highest verdict, then the most checks passed, then registry order
    best = max(trials, key=lambda t: (VERDICT_ORDER[t.verdict], sum(c.status == "pass" for c in t.checks), -trials.index(t)))
    available = claim_years(store, claim, best.spec)
    latest = trial(store, claim, best.spec, available[-1]) if available else None
    return ClaimResult(claim, trials, best, latest)


def evaluate_all(store: pd.DataFrame) -> list[ClaimResult]:
    registry = load_claims()
    return [evaluate_claim(store, claim, registry["paper_year"]) for claim in registry["claim"]]


def scorecard(results: list[ClaimResult]) -> pd.DataFrame:
    """One row per claim: the paper's words, the verdict then and now, the evidence."""
    rows = []
    for result in results:
        claim = result.claim
        note = claim.get("not_in_eurostat", "")
        verdict = result.verdict
        if result.best and note:
            verdict += " (Eurostat part)"
        rows.append({
            "id": claim["id"],
            "topic": claim["topic"],
            "the paper says": f"\u201c{claim['quote']}\u201d ({claim['source']})",
            "verdict": verdict,
            "tested on": result.best.candidate if result.best else "",
            "evidence": result.best.evidence if result.best else note,
            "candidates that fit": ", ".join(result.fitting) if len(result.trials) > 1 else "",
            "latest year": result.latest.year if result.latest else "",
            "verdict latest": result.latest_verdict if result.best else NOT_IN_EUROSTAT,
            "evidence latest": result.latest.evidence if result.latest else "",
            "note": note,
        })
    return pd.DataFrame(rows)


def candidates_table(result: ClaimResult) -> pd.DataFrame:
    """Every candidate tried for one claim, with its verdict and evidence."""
    return pd.DataFrame(
        [{"candidate": t.candidate, "verdict": t.verdict, "evidence": t.evidence} for t in result.trials]
    )


def headline(card: pd.DataFrame) -> str:
    """The scorecard in plain words, for the top of the report (Markdown)."""
    checkable = card[~card["verdict"].str.startswith(NOT_IN_EUROSTAT)]
    counts = checkable["verdict"].str.replace(" (Eurostat part)", "", regex=False).value_counts()
    parts = [f"{counts.get(v, 0)} {v}" for v in ("reproduced", "partly", "not reproduced", "no data") if counts.get(v, 0)]
    lines = [
        f"Of the paper's {len(card)} quantitative claims listed here, {len(checkable)} can be checked against "
        f"Eurostat's data; for the paper's year they are: {', '.join(parts)}. "
        f"{len(card) - len(checkable)} rest on other sources and are listed as not in Eurostat.",
        "",
    ]
    for _, row in checkable.iterrows():
        change = "" if row["verdict latest"] == row["verdict"].replace(" (Eurostat part)", "") else \
            f"; in {row['latest year']} it is **{markdown_text(row['verdict latest'])}**"
        lines.append(f"- **{markdown_text(row['id'])}** ({markdown_text(row['topic'])}): **{markdown_text(row['verdict'])}** "
                     f"on {markdown_text(row['tested on'])}{change}.")
    return "\n".join(lines)
