"""The claims scorecard: each claim of the registry tested against the data, with a verdict.

The rules (each one's reason sits beside the claim in the registry, and the README explains them):
- A check whose country has no value is *untested*, never failed. Verdicts: "reproduced" (every
  tested check passes; "k of n checks untested" is said beside it), "partly" (some tested checks
  pass, some fail), "not reproduced" (every tested check fails), "no data" (none could be tested),
  "not in Eurostat" (the claim rests on other sources).
- Values are compared at the paper's precision: Eurostat publishes one decimal, the paper whole
  numbers, so a value (or a gap) is rounded half up to a whole number first: 60.2 - 30.2 = 30.0
  is 30, which is not "beyond 30".
- The unit decides, then the candidates: where the registry names an `authority` (e.g. shares of
  all people, PC_IND, for "one in five seniors"), only its candidates decide the verdict; the
  others are reported beside it, never used to turn a fail into a pass. Where the paper is truly
  ambiguous, every candidate is tested and the scorecard says which fit.
- Then and now: the same checks on the latest year with data; a change of verdict that comes only
  from checks untested in one of the two years is not reported as a change.
- A claim's part on the OECD's data is "not checked" when the OECD's data could not be fetched (the
  store carries it: ``store.attrs["unavailable"]``): never a verdict, and not "no data", which means
  the OECD answered without the series.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from helpers.analysis.comparisons import (
    Series,
    SeriesIndex,
    eu_aggregate,
    series_index,
    series_rows,
    years_with_data,
)
from helpers.base.errors import MissingData
from helpers.catalogue import load_catalogue

VERDICT_ORDER = {"reproduced": 3, "partly": 2, "not reproduced": 1, "no data": 0}


NOT_IN_EUROSTAT = "not in Eurostat"


NOT_CHECKED = "not checked"  # the source's data could not be fetched: no verdict (unlike "no data": it answered without the series)


UNTESTED = "untested"


@dataclass
class CheckResult:
    description: str
    status: str  # "pass", "fail" or "untested" (the country has no value)
    evidence: str
    geo: str = ""  # the country (or aggregate) the check is about, "" for checks on a ranking
    value: float = float("nan")  # the data's value for it
    target: tuple[float, float] | None = None  # the paper's figure, as a range (low, high)
    flag: str = ""  # the value's flags (Eurostat's letters, or the OECD's status such as D)


def verdict_of(statuses: list[str]) -> str:
    """The verdict of a set of checks: untested checks count neither way."""
    tested = [s for s in statuses if s != UNTESTED]
    if not tested:
        return "no data"
    passed = tested.count("pass")
    if passed == len(tested):
        return "reproduced"
    return "partly" if passed else "not reproduced"


def at_paper_precision(value: float) -> int:
    """A published one-decimal value (or a difference of two) as the paper prints it: a whole number,
    rounded half up. round(x, 1) first removes float noise (60.2 - 30.2 = 30.000000000000004)."""
    return int(Decimal(repr(round(float(value), 1))).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@dataclass
class Trial:
    """The checks of one claim for one candidate series and year."""

    indic_is: str
    unit: str
    ind_type: str
    year: int
    spec: dict = field(default_factory=dict)
    checks: list[CheckResult] = field(default_factory=list)
    chained_from: str = ""  # the discontinued indicator this trial continues (its successor's definition differs)

    @property
    def verdict(self) -> str:
        return verdict_of([c.status for c in self.checks])

    @property
    def untested(self) -> int:
        return sum(c.status == UNTESTED for c in self.checks)

    @property
    def untested_note(self) -> str:
        return f"{self.untested} of {len(self.checks)} checks untested" if self.untested else ""

    def matches(self, authority: dict) -> bool:
        return all(self.spec.get(k) == v for k, v in authority.items())

    @property
    def candidate(self) -> str:
        chained = f" (successor of {self.chained_from}: the definition changed)" if self.chained_from else ""
        return f"{self.indic_is} / {self.unit} / {self.ind_type} / {self.year}{chained}"

    @property
    def evidence(self) -> str:
        return "; ".join(f"{c.description}: {c.evidence} [{c.status}]" for c in self.checks)


def load_claims() -> dict:
    """The claims registry (src/helpers/catalogue/claims.toml), read afresh; parsed once per text."""
    return _parsed(resources.files("helpers").joinpath("catalogue/claims.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=2)
def _parsed(text: str) -> dict:
    """The registry's text parsed: remembered by its content (the text itself), never by an object."""
    return tomllib.loads(text)


def _candidates(claim: dict) -> list[dict]:
    base = {k: claim.get(k) for k in ("indic_is", "unit", "ind_type")}
    return [{**base, **candidate} for candidate in claim.get("candidates", [{}])]


def _measure(
    store: pd.DataFrame, claim: dict, series: dict, year: int, index: SeriesIndex | None = None
) -> pd.DataFrame:
    """Values by geo (countries and aggregates) for one year: `value`, or `high`/`low`/`gap`;
    with each value's flags (`flag_value`, or `flag_high`/`flag_low`, both for the gap)."""

    def values(ind_type: str) -> tuple[pd.Series, pd.Series]:
        rows = series_rows(store, Series(series["indic_is"], series["unit"], ind_type), index)
        rows = rows[rows.year == year].set_index("geo")
        return rows["value"], rows["flag"]

    if claim.get("measure") == "gap":
        (high, flag_high), (low, flag_low) = values(claim["high"]), values(claim["low"])
        table = pd.DataFrame({"high": high, "low": low, "flag_high": flag_high, "flag_low": flag_low})
        table["gap"] = table["high"] - table["low"]
        table["flag_gap"] = (table["flag_high"].fillna("") + table["flag_low"].fillna("")).map(
            lambda f: "".join(sorted(set(f), key=f.index))
        )
        return table
    value, flag = values(series["ind_type"])
    return pd.DataFrame({"value": value, "flag_value": flag})


def _fmt(value: float, flag: str = "") -> str:
    if pd.isna(value):
        return "no data"
    return f"{value:.1f} {flag}" if flag else f"{value:.1f}"


LOW_RELIABILITY = "u"


def run_check(
    check: dict, table: pd.DataFrame, year: int, default_column: str, compared: list[str] | None = None
) -> CheckResult:
    """Evaluate one check on a table of values by geo, at the paper's precision (whole numbers).
    Rankings ("highest", "the leading country") are among the comparison set `compared` (all
    countries when None)."""
    aggregates = load_catalogue().aggregates
    column = check.get("of", default_column)
    flags = table.get(f"flag_{column}", pd.Series("", index=table.index)).fillna("")
    geo = check.get("geo")
    geo = eu_aggregate(year) if geo == "EU" else geo
    in_set = ~table.index.isin(aggregates) & (table.index.isin(compared) if compared is not None else True)
    countries = table.loc[in_set, column].dropna().sort_values(ascending=False, kind="stable")
    test = check["test"]

    def shown(g) -> str:
        return f"{g} {_fmt(table[column][g], flags.get(g, ''))}"

    def status(ok: bool, *geos) -> str:
        return "pass" if ok else "fail"

    def caveat(*geos) -> str:
        weak = [g for g in geos if LOW_RELIABILITY in flags.get(g, "")]
        return f" (rests on a low-reliability value: {', '.join(weak)})" if weak else ""

    if test in ("top_between", "highest_between"):
        n = check.get("n", 1) if test == "top_between" else 1
        low, high = check["low"], check["high"]
        description = (
            f"the {n} highest countries within {low}-{high}"
            if test == "top_between"
            else f"the leading country within {low}-{high}"
        )
        top = countries.head(n)
        if len(top) < n:
            return CheckResult(description, UNTESTED, f"only {len(top)} countries with data")
        ok = all(low <= at_paper_precision(v) <= high for v in top)
        return CheckResult(
            description,
            status(ok),
            ", ".join(shown(g) for g in top.index) + caveat(*top.index),
            geo=top.index[0],
            value=float(top.iloc[0]),
            target=(low, high),
        )

    if not isinstance(geo, str):
        raise ValueError(f"the check {test!r} in the claims registry names no country (geo = ...): {check}")
    value = table[column].get(geo, np.nan) if column in table else np.nan
    label = f"{geo} {column}" if column != "value" else geo
    if pd.isna(value):
        wording = (
            f"{check.get('value', '')}"
            if "value" in check
            else f"{check.get('low', '')}-{check.get('high', '')}".strip("-")
        )
        return CheckResult(
            f"{label} {test.replace('_', ' ')} {wording}".strip(),
            UNTESTED,
            f"{geo}: no data",
            geo=geo,
            target=_target(check),
        )
    if test in ("highest", "lowest"):
        ordered = countries if test == "highest" else countries.sort_values(kind="stable")
        others = ordered.drop(geo, errors="ignore")
        best = ordered.index[0]
        ok = best == geo
        runner = shown(others.index[0]) if len(others) else "none"
        evidence = f"{shown(geo)}; " + (f"next: {runner}" if ok else f"{test}: {shown(best)}")
        return CheckResult(
            f"{geo} {test} of {len(countries)} countries",
            status(ok),
            evidence + caveat(geo),
            geo=geo,
            value=float(value),
        )
    whole = at_paper_precision(value)
    if test == "between":
        low, high = check["low"], check["high"]
        return CheckResult(
            f"{label} within {low}-{high}",
            status(low <= whole <= high),
            shown(geo) + caveat(geo),
            geo=geo,
            value=float(value),
            target=(low, high),
            flag=flags.get(geo, ""),
        )
    target = check["value"]
    tolerance = check.get("tolerance", 0)
    tests = {
        "at_least": (whole >= target, f">= {target}"),
        "above": (whole > target, f"> {target}"),
        "below": (whole < target, f"< {target}"),
        "at_most": (whole <= target, f"<= {target}"),
        "abs_at_most": (abs(whole) <= target, f"within +/-{target}"),
        "near": (abs(whole - target) <= tolerance, f"= {target} +/- {tolerance}"),
    }
    if test not in tests:
        raise ValueError(f"unknown test {test!r} in the claims registry")
    ok, wording = tests[test]
    return CheckResult(
        f"{label} {wording}",
        status(ok),
        shown(geo) + caveat(geo),
        geo=geo,
        value=float(value),
        target=_target(check),
        flag=flags.get(geo, ""),
    )


def _target(check: dict) -> tuple[float, float] | None:
    """The paper's figure a check compares with, as a range: 'near 53 +/- 1' is (52, 54)."""
    if "low" in check:
        return check["low"], check["high"]
    if "value" not in check:
        return None
    value, tolerance = check["value"], check.get("tolerance", 0)
    if check["test"] == "abs_at_most":
        return -value, value
    return value - tolerance, value + tolerance


RANKING_TESTS = ("highest", "lowest", "top_between", "highest_between")


def trial(
    store: pd.DataFrame,
    claim: dict,
    candidate: dict,
    year: int,
    compared: list[str] | None = None,
    per_country_since: int | None = None,
    index: SeriesIndex | None = None,
) -> Trial:
    """All checks of a claim for one candidate series and year.

    With `per_country_since` (the latest-year trial), a check on one country without a value in
    `year` takes that country's latest value after `per_country_since` (a series not collected
    every year), and says which year; rankings stay within `year`."""
    group = candidate["ind_type"] or f"{claim['high']}-{claim['low']}"
    result = Trial(candidate["indic_is"], candidate["unit"], group, year, spec=candidate)
    default_column = "gap" if claim.get("measure") == "gap" else "value"
    for check in claim["checks"]:
        series = {**candidate, **check.get("series", {})}
        try:
            table = _measure(store, claim, series, year, index)
        except MissingData:
            geo = check.get("geo", "")
            description = f"{geo} {check['test'].replace('_', ' ')} {check.get('value', '')}".strip()
            result.checks.append(
                CheckResult(
                    description,
                    UNTESTED,
                    f"no data: series {series['indic_is']} / "
                    f"{series['unit']} / {series['ind_type']} is not in the data",
                    geo=geo,
                    target=_target(check),
                )
            )
            continue
        outcome = run_check(check, table, year, default_column, compared)
        if (
            outcome.status == UNTESTED
            and per_country_since is not None
            and check["test"] not in RANKING_TESTS
            and check.get("geo") not in (None, "EU")
        ):
            for earlier in range(year - 1, per_country_since, -1):
                older = _measure(store, claim, series, earlier, index)
                if not pd.isna(
                    older.get(check.get("of", default_column), pd.Series(dtype=float)).get(check["geo"], np.nan)
                ):
                    outcome = run_check(check, older, earlier, default_column, compared)
                    outcome.evidence += f" (its latest year with data: {earlier})"
                    break
        result.checks.append(outcome)
    return result


def claim_years(store: pd.DataFrame, claim: dict, candidate: dict, index: SeriesIndex | None = None) -> list[int]:
    ind_type = candidate.get("ind_type") or claim.get("high") or ""
    try:
        return years_with_data(store, Series(candidate["indic_is"], candidate["unit"], ind_type), index=index)
    except MissingData:
        return []


@dataclass
class ClaimResult:
    claim: dict
    trials: list[Trial]
    best: Trial | None
    latest: Trial | None
    beside: Trial | None = None  # the best candidate outside the authority, reported, never deciding
    oecd: "ClaimResult | None" = None  # the part tested on the OECD's ICT database (countries Eurostat does not survey)
    not_checked: dict | None = None  # the source could not be fetched: its publisher, reason and time of the attempt

    @property
    def verdict(self) -> str:
        if self.not_checked:
            return NOT_CHECKED
        return self.best.verdict if self.best else NOT_IN_EUROSTAT

    @property
    def latest_verdict(self) -> str:
        if self.not_checked:
            return NOT_CHECKED
        return self.latest.verdict if self.latest else (NOT_IN_EUROSTAT if not self.best else "no data")

    @property
    def fitting(self) -> list[str]:
        """Candidates every check of which was tested and passed (a candidate without data fits nothing)."""
        return [t.candidate for t in self.trials if t.verdict == "reproduced" and not t.untested]

    @property
    def change_is_real(self) -> bool:
        """Whether then and now differ on the checks tested in both years (not only by missing data)."""
        if not (self.best and self.latest):
            return False
        both = [
            i
            for i, (a, b) in enumerate(zip(self.best.checks, self.latest.checks))
            if a.status != UNTESTED and b.status != UNTESTED
        ]
        if not both:
            return False
        return verdict_of([self.best.checks[i].status for i in both]) != verdict_of(
            [self.latest.checks[i].status for i in both]
        )


def evaluate_claim(
    store: pd.DataFrame,
    claim: dict,
    paper_year: int,
    compared: list[str] | None = None,
    latest_year: int = 0,
    index: SeriesIndex | None = None,
) -> ClaimResult:
    """Test every candidate (series x year) of a claim; pick the best; test it on the latest year
    with data (not after `latest_year`, when given). `index`: the store split by series, when the
    caller has it (`series_index`)."""
    if "checks" not in claim:
        return ClaimResult(claim, [], None, None)
    years = claim.get("years", [paper_year])
    trials = [
        trial(store, claim, candidate, year, compared, index=index)
        for candidate in _candidates(claim)
        for year in years
    ]
    authority = claim.get("authority", {})
    deciding = [t for t in trials if t.matches(authority)] or trials
    others = [t for t in trials if t not in deciding]

    def rank(t: Trial):  # highest verdict, then the most checks passed, then registry order
        return VERDICT_ORDER[t.verdict], sum(c.status == "pass" for c in t.checks), -trials.index(t)

    best = max(deciding, key=rank)
    beside = max(others, key=rank) if others else None
    last = latest_year or 10_000
    available = [y for y in claim_years(store, claim, best.spec, index) if best.year <= y <= last]
    latest = (
        trial(store, claim, best.spec, available[-1], compared, per_country_since=best.year, index=index)
        if available
        else None
    )
    # a discontinued indicator (I_IUPOL1, "until 2019") is continued by its successor, marked as such
    successor = load_claims().get("successors", {}).get(best.spec.get("indic_is") or "")
    if successor:
        spec = {**best.spec, "indic_is": successor}
        later = [
            y for y in claim_years(store, claim, spec, index) if (latest.year if latest else best.year) < y <= last
        ]
        if later:
            latest = trial(store, claim, spec, later[-1], compared, per_country_since=best.year, index=index)
            latest.chained_from = best.spec["indic_is"]
    return ClaimResult(claim, trials, best, latest, beside)


def evaluate_all(
    store: pd.DataFrame, paper_year: int | None = None, compared: list[str] | None = None, latest_year: int = 0
) -> list[ClaimResult]:
    """Every claim of the registry, for the paper's year (the registry's, unless given) and the
    latest year with data (not after `latest_year`, when not 0), ranking among the comparison set
    `compared` (all countries when None). Computed afresh on every call (a few seconds): a build
    computes it once, into the verdicts file every page reads (`helpers.analysis.verdicts`)."""
    registry = load_claims()
    year = paper_year or registry["paper_year"]
    index = series_index(store)
    results = []
    for claim in registry["claim"]:
        result = evaluate_claim(store, claim, year, compared, latest_year, index)
        result.oecd = evaluate_oecd_part(store, claim, year, latest_year, index)
        results.append(result)
    return results


def evaluate_oecd_part(
    store: pd.DataFrame, claim: dict, paper_year: int, latest_year: int = 0, index: SeriesIndex | None = None
) -> ClaimResult | None:
    """The part of a claim about countries Eurostat does not survey (Korea, Japan, the United States),
    tested on the OECD's ICT database with the registry's `[claim.oecd]` series, the OECD's own codes
    and band: the same rules (paper's precision, untested never failed, then and now), among the
    OECD's countries only, never in a Eurostat ranking."""
    part = claim.get("oecd")
    if not part:
        return None
    sub = {
        **part,
        "id": claim["id"],
        "topic": claim["topic"],
        "quote": claim["quote"],
        "source": claim["source"],
        "page": claim.get("page", ""),
        "publisher": "OECD",
    }
    not_fetched = oecd_not_fetched(store)
    if not_fetched:
        return ClaimResult(sub, [], None, None, not_checked=not_fetched)
    return evaluate_claim(store, sub, paper_year, list(load_catalogue().oecd_countries), latest_year, index)


def oecd_not_fetched(store: pd.DataFrame) -> dict | None:
    """The OECD's data could not be fetched for this store (publisher, reason, attempted_at), or None."""
    return next((u for u in store.attrs.get("unavailable", {}).values() if u.get("publisher") == "OECD"), None)


def context_evidence(store: pd.DataFrame, claim: dict, paper_year: int) -> str:
    """For a claim Eurostat cannot test but can set in context (S-2): the EU figure then and latest."""
    spec = claim.get("context")
    if not spec:
        return ""
    series = Series(spec["indic_is"], spec["unit"], spec["ind_type"])
    try:
        rows = series_rows(store, series)
    except MissingData:
        return "context: no data"
    parts = []
    for year in sorted({paper_year, int(rows.year.max())}):
        geo = eu_aggregate(year)
        value = rows[(rows.geo == geo) & (rows.year == year)].value
        parts.append(f"{geo} {year}: {_fmt(value.iloc[0]) if len(value) else 'no data'}")
    return "for context, " + "; ".join(parts)


def scorecard(results: list[ClaimResult], store: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per claim: the paper's words, the verdict then and now, the evidence (and, with the
    store, the context figure of a claim Eurostat cannot test)."""
    rows = []
    paper_year = load_claims()["paper_year"]
    for result in results:
        claim = result.claim
        note = claim.get("not_in_eurostat", "")
        if store is not None and claim.get("context"):
            note = f"{note} ({context_evidence(store, claim, paper_year)})"
        verdict = result.verdict
        if result.best and note:
            verdict += " (Eurostat part)"
        rows.append(
            {
                "id": claim["id"],
                "topic": claim["topic"],
                "the paper says": f"\u201c{claim['quote']}\u201d ({claim['source']})",
                "verdict": verdict,
                "untested": result.best.untested_note if result.best else "",
                "tested on": result.best.candidate if result.best else "",
                "evidence": result.best.evidence if result.best else note,
                "beside (not deciding)": f"{result.beside.candidate}: {result.beside.verdict}" if result.beside else "",
                "why this unit": claim.get("authority_reason", ""),
                "candidates that fit": ", ".join(result.fitting) if len(result.trials) > 1 else "",
                "latest year": result.latest.year if result.latest else "",
                "verdict latest": result.latest_verdict if result.best else NOT_IN_EUROSTAT,
                "evidence latest": result.latest.evidence if result.latest else "",
                "untested latest": result.latest.untested_note if result.latest else "",
                "real change": result.change_is_real,
                "note": note,
            }
        )
        if result.oecd is not None:
            rows.append(_oecd_scorecard_row(result.oecd))
    return pd.DataFrame(rows)


def _oecd_scorecard_row(part: ClaimResult) -> dict:
    """A claim's part on the OECD's data, as the verdict table shows it (`<id> (OECD)`)."""
    claim = part.claim
    reason = ""
    if part.not_checked:
        reason = (
            f"not checked: the OECD's data could not be fetched on {str(part.not_checked.get('attempted_at'))[:10]}: "
            f"{part.not_checked.get('reason', '')}"
        )
    return {
        "id": f"{claim['id']} (OECD)",
        "topic": claim["topic"],
        "the paper says": f"\u201c{claim['quote']}\u201d ({claim['source']})",
        "verdict": part.verdict,
        "untested": part.best.untested_note if part.best else "",
        "tested on": part.best.candidate if part.best else "",
        "evidence": part.best.evidence if part.best else reason,
        "beside (not deciding)": "",
        "why this unit": claim.get("band", ""),
        "candidates that fit": "",
        "latest year": part.latest.year if part.latest else "",
        "verdict latest": part.latest_verdict,
        "evidence latest": part.latest.evidence if part.latest else "",
        "untested latest": part.latest.untested_note if part.latest else "",
        "real change": part.change_is_real,
        "note": reason or "decided on the OECD's ICT database (countries Eurostat does not survey)",
    }


def candidates_table(result: ClaimResult) -> pd.DataFrame:
    """Every candidate tried for one claim, with its verdict and evidence."""
    return pd.DataFrame(
        [{"candidate": t.candidate, "verdict": t.verdict, "evidence": t.evidence} for t in result.trials]
    )
