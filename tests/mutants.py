"""Break a rule readers rely on, one at a time, and see a unit test fail (docs/tests.md, "Mistakes").

    .venv/bin/python tests/mutants.py [--only WORD] [--markdown] [--tests TEST ...]

Each mutant below is one mistake made on purpose in a copy of `src/` (the clone's own files are never
touched): one exact piece of text replaced by another. The unit tests named beside it then run
against the copy (PYTHONPATH puts it before the editable install); a mutant is *caught* when they
fail, *survived* when they pass (then the rule has no test), *stale* when its text is no longer in
the code (the code moved: the mutant needs rewriting). Not part of `make test`: each mutant runs
pytest once (a few seconds to a minute each).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutant:
    mistake: str  # what a careless edit would do, in words
    path: str  # relative to src/helpers
    old: str  # exact text, found exactly once
    new: str
    tests: tuple[str, ...]  # pytest node ids (or files) expected to catch it


CLAIMS, STATEMENTS, OUTPUTS = "analysis/claims.py", "publish/statements.py", "publish/outputs.py"
COMPARISONS, TIDY, REFRESH, SERIES = (
    "analysis/comparisons.py",
    "store/tidy.py",
    "store/refresh.py",
    "catalogue/series.toml",
)
T_CLAIMS, T_STATEMENTS, T_COMPARISONS = "tests/test_claims.py", "tests/test_statements.py", "tests/test_comparisons.py"

MUTANTS = [
    # ------------------------------------------------------------------ the words of checks and verdicts
    Mutant(
        "a check's words swapped: 'holds' said of a failed check, 'does not hold' of a passed one",
        STATEMENTS,
        'MARK = {"pass": "holds", "fail": "does not hold"',
        'MARK = {"pass": "does not hold", "fail": "holds"',
        (T_STATEMENTS,),
    ),
    Mutant(
        "an untested check said to fail",
        STATEMENTS,
        'UNTESTED: "untested (no data)"',
        'UNTESTED: "does not hold"',
        (T_STATEMENTS,),
    ),
    Mutant(
        "'partly' and 'not reproduced' swapped",
        CLAIMS,
        'return "partly" if passed else "not reproduced"',
        'return "not reproduced" if passed else "partly"',
        (T_CLAIMS,),
    ),
    Mutant(
        "a claim with no tested check called 'not reproduced' instead of 'no data'",
        CLAIMS,
        'if not tested:\n        return "no data"',
        'if not tested:\n        return "not reproduced"',
        (T_CLAIMS,),
    ),
    Mutant(
        "an untested check counted as failed in the verdict",
        CLAIMS,
        "tested = [s for s in statuses if s != UNTESTED]",
        "tested = list(statuses)",
        (T_CLAIMS,),
    ),
    Mutant(
        "a country without a value fails its check instead of leaving it untested",
        CLAIMS,
        '            UNTESTED,\n            f"{geo}: no data",',
        '            "fail",\n            f"{geo}: no data",',
        (T_CLAIMS,),
    ),
    Mutant(
        "a series absent from the data fails its checks instead of leaving them untested",
        CLAIMS,
        '                    description,\n                    UNTESTED,\n                    f"no data: series',
        '                    description,\n                    "fail",\n                    f"no data: series',
        (T_CLAIMS,),
    ),
    Mutant(
        "a verdict coloured as another (the span's class)",
        OUTPUTS,
        'css = "verdict-" + verdict.split(" (")[0].replace(" ", "-")',
        'css = "verdict-" + verdict.split(" ")[0]',
        (T_STATEMENTS,),
    ),
    Mutant(
        "the verdict table's paper-year and latest-year verdicts swapped",
        "publish/scorecard.py",
        '"verdict, paper\'s year": verdict_span(then),\n                "verdict, latest year": verdict_span(now),',
        '"verdict, paper\'s year": verdict_span(now),\n                "verdict, latest year": verdict_span(then),',
        (T_STATEMENTS,),
    ),
    Mutant(
        "a change of verdict reported when it comes only from checks untested in one year",
        CLAIMS,
        "        if not both:\n            return False",
        "        if not both:\n            return True",
        (T_CLAIMS,),
    ),
    Mutant(
        "a change of verdict reported for every claim whose verdicts differ, missing data included",
        STATEMENTS,
        "    if result.change_is_real:\n",
        "    if result.latest_verdict != result.verdict:\n",
        (T_STATEMENTS,),
    ),
    # ------------------------------------------------------------------ validation before replacement
    Mutant(
        "new data replaces the old without first making a valid store",
        REFRESH,
        "            build_store(staging, catalogue)\n",
        "            pass\n",
        ("tests/test_refresh.py",),
    ),
    Mutant(
        "the store accepts a duplicated row",
        TIDY,
        'offending(table.duplicated(KEY, keep=False), "duplicate key")',
        "pass",
        ("tests/test_store.py",),
    ),
    Mutant(
        "the store accepts an unknown flag",
        TIDY,
        '~table["flag"].astype(str).str.fullmatch(f"[{OBSERVATION_FLAGS}{OECD_OBSERVATION_STATUS}]*"),',
        '~table["flag"].astype(str).str.fullmatch(".*"),',
        ("tests/test_store.py",),
    ),
    Mutant(
        "the store accepts a percentage above 100",
        TIDY,
        'offending(percent & ~(table["value"].between(0, 100) | table["value"].isna()), "percentage outside 0-100")',
        "pass",
        ("tests/test_store.py",),
    ),
    # ------------------------------------------------------------------ Eurostat's flags
    Mutant(
        "two flags' words swapped (e estimated, p provisional)",
        SERIES,
        'e = "estimated"\n',
        'e = "provisional"\n',
        ("tests/test_catalogue.py",),
    ),
    Mutant(
        "'b' explained as another flag",
        SERIES,
        'b = "break in time series"',
        'b = "revised"',
        ("tests/test_catalogue.py",),
    ),
    Mutant(
        "'u' explained as another flag",
        SERIES,
        'u = "low reliability"',
        'u = "not significant"',
        ("tests/test_catalogue.py",),
    ),
    Mutant(
        "'c' explained as another flag",
        SERIES,
        'c = "confidential (before 2025)"',
        'c = "estimated"',
        ("tests/test_catalogue.py",),
    ),
    Mutant(
        "'d' explained as another flag",
        SERIES,
        'd = "definition differs, see metadata"',
        'd = "revised"',
        ("tests/test_catalogue.py",),
    ),
    Mutant(
        "a flag letter the parser no longer reads (p)",
        "acquire/eurostat_tsv.py",
        'OBSERVATION_FLAGS = "bdefimnpu" + "crsz"',
        'OBSERVATION_FLAGS = "bdefimnu" + "crsz"',
        ("tests/test_eurostat_tsv.py", "tests/test_catalogue.py"),
    ),
    Mutant(
        "a multi-letter flag explained by its first letter only",
        "catalogue/__init__.py",
        'return "; ".join(flag_labels.get(letter, f"unknown flag {letter!r}") for letter in flag)',
        'return flag_labels.get(flag[0], f"unknown flag {flag!r}")',
        ("tests/test_catalogue.py",),
    ),
    Mutant(
        "a value's flag left out of the evidence",
        CLAIMS,
        'return f"{value:.1f} {flag}" if flag else f"{value:.1f}"',
        'return f"{value:.1f}"',
        (T_CLAIMS,),
    ),
    Mutant(
        "a low-reliability value (u) not said", CLAIMS, 'LOW_RELIABILITY = "u"', 'LOW_RELIABILITY = "b"', (T_CLAIMS,)
    ),
    Mutant(
        "the education gap keeps only the high group's flags",
        CLAIMS,
        'table["flag_gap"] = (table["flag_high"].fillna("") + table["flag_low"].fillna(""))',
        'table["flag_gap"] = (table["flag_high"].fillna("") + "")',
        (T_CLAIMS,),
    ),
    Mutant(
        "a break in series (b) in the paper's year itself taken as crossed",
        COMPARISONS,
        "(rows.year > first)",
        "(rows.year >= first)",
        (T_COMPARISONS,),
    ),
    Mutant(
        "a break in series not marked at all",
        COMPARISONS,
        'rows.flag.str.contains("b", regex=False)',
        'rows.flag.str.contains("x", regex=False)',
        (T_COMPARISONS,),
    ),
    # ------------------------------------------------------------------ the boundary of each kind of check
    Mutant(
        "'at least' turned into 'more than'",
        CLAIMS,
        '"at_least": (whole >= target,',
        '"at_least": (whole > target,',
        (T_CLAIMS,),
    ),
    Mutant(
        "'above' turned into 'at least'", CLAIMS, '"above": (whole > target,', '"above": (whole >= target,', (T_CLAIMS,)
    ),
    Mutant(
        "'below' turned into 'at most'", CLAIMS, '"below": (whole < target,', '"below": (whole <= target,', (T_CLAIMS,)
    ),
    Mutant(
        "'at most' turned into 'below'",
        CLAIMS,
        '"at_most": (whole <= target,',
        '"at_most": (whole < target,',
        (T_CLAIMS,),
    ),
    Mutant(
        "'within 5 either way' made exclusive",
        CLAIMS,
        '"abs_at_most": (abs(whole) <= target,',
        '"abs_at_most": (abs(whole) < target,',
        (T_CLAIMS,),
    ),
    Mutant(
        "'within 5 either way' made one-sided",
        CLAIMS,
        '"abs_at_most": (abs(whole) <= target,',
        '"abs_at_most": (whole <= target,',
        (T_CLAIMS,),
    ),
    Mutant(
        "'about 53 (+/-1)' made exclusive",
        CLAIMS,
        '"near": (abs(whole - target) <= tolerance,',
        '"near": (abs(whole - target) < tolerance,',
        (T_CLAIMS,),
    ),
    Mutant(
        "'between 30 and 35' without its lower bound",
        CLAIMS,
        "status(low <= whole <= high)",
        "status(whole <= high)",
        (T_CLAIMS,),
    ),
    Mutant(
        "'between 30 and 35' made exclusive",
        CLAIMS,
        "status(low <= whole <= high)",
        "status(low < whole < high)",
        (T_CLAIMS,),
    ),
    Mutant(
        "'the n highest within' checks only the first",
        CLAIMS,
        'n = check.get("n", 1) if test == "top_between" else 1',
        "n = 1",
        (T_CLAIMS,),
    ),
    Mutant(
        "'the leading country within 50-60' made exclusive",
        CLAIMS,
        "ok = all(low <= at_paper_precision(v) <= high for v in top)",
        "ok = all(low < at_paper_precision(v) < high for v in top)",
        (T_CLAIMS,),
    ),
    Mutant(
        "'highest' and 'lowest' swapped",
        CLAIMS,
        'ordered = countries if test == "highest" else countries.sort_values(kind="stable")',
        'ordered = countries.sort_values(kind="stable") if test == "highest" else countries',
        (T_CLAIMS,),
    ),
    Mutant(
        "an aggregate (the EU) allowed to lead a ranking",
        CLAIMS,
        "in_set = ~table.index.isin(aggregates) & ",
        "in_set = ",
        (T_CLAIMS,),
    ),
    Mutant(
        "a country outside the comparison set allowed to lead",
        CLAIMS,
        "(table.index.isin(compared) if compared is not None else True)",
        "True",
        (T_CLAIMS,),
    ),
    # ------------------------------------------------------------------ the paper's precision
    Mutant(
        "values compared unrounded",
        CLAIMS,
        "    whole = at_paper_precision(value)\n",
        "    whole = value\n",
        (T_CLAIMS,),
    ),
    Mutant(
        "rounding half to even (30.5 -> 30) instead of half up",
        CLAIMS,
        "rounding=ROUND_HALF_UP",
        "rounding='ROUND_HALF_EVEN'",
        (T_CLAIMS,),
    ),
    Mutant(
        "float noise not removed before rounding (33.3 - 2.8 = 30.499999999999996, a published 30.5)",
        CLAIMS,
        "Decimal(repr(round(float(value), 1)))",
        "Decimal(repr(float(value)))",
        (T_CLAIMS,),
    ),
    Mutant(
        "Python's round() (half to even) instead of half up",
        CLAIMS,
        'return int(Decimal(repr(round(float(value), 1))).quantize(Decimal("1"), rounding=ROUND_HALF_UP))',
        "return int(round(float(value)))",
        (T_CLAIMS,),
    ),
    # ------------------------------------------------------------------ the order of rankings
    Mutant(
        "a cross-section ranked lowest first",
        COMPARISONS,
        'table = table.sort_values(["value", "geo"], ascending=[False, True], na_position="last")',
        'table = table.sort_values(["value", "geo"], ascending=[True, True], na_position="last")',
        (T_COMPARISONS,),
    ),
    Mutant(
        "ranks counted from the lowest",
        COMPARISONS,
        'table["rank"] = table.value.rank(ascending=False, method="min")',
        'table["rank"] = table.value.rank(ascending=True, method="min")',
        (T_COMPARISONS,),
    ),
    Mutant(
        "tied countries given consecutive ranks (1, 1, 2 instead of 1, 1, 3)",
        COMPARISONS,
        'table["rank"] = table.value.rank(ascending=False, method="min")',
        'table["rank"] = table.value.rank(ascending=False, method="dense")',
        (T_COMPARISONS,),
    ),
    Mutant(
        "tied countries not in alphabetical order",
        COMPARISONS,
        'table = table.sort_values(["value", "geo"], ascending=[False, True], na_position="last")',
        'table = table.sort_values(["value", "geo"], ascending=[False, False], na_position="last")',
        (T_COMPARISONS,),
    ),
    Mutant(
        "the education gap ranked smallest first",
        COMPARISONS,
        'table = table.sort_values(["gap", "geo"], ascending=[False, True], na_position="last")',
        'table = table.sort_values(["gap", "geo"], ascending=[True, True], na_position="last")',
        (T_COMPARISONS,),
    ),
    Mutant(
        "a country without a value ranked first",
        COMPARISONS,
        'table = table.sort_values(["value", "geo"], ascending=[False, True], na_position="last")',
        'table = table.sort_values(["value", "geo"], ascending=[False, True], na_position="first")',
        (T_COMPARISONS,),
    ),
    # ------------------------------------------------------------------ the years
    Mutant(
        "the latest year allowed before the paper's year",
        CLAIMS,
        "if best.year <= y <= last]",
        "if y <= last]",
        (T_CLAIMS,),
    ),
    Mutant(
        "the latest year not capped by LATEST_YEAR",
        CLAIMS,
        "if best.year <= y <= last]",
        "if best.year <= y]",
        (T_CLAIMS,),
    ),
    Mutant(
        "LATEST_YEAR equal to PAPER_YEAR refused",
        "pipeline/parameters.py",
        'int(checked["LATEST_YEAR"]) < int(checked["PAPER_YEAR"])',
        'int(checked["LATEST_YEAR"]) <= int(checked["PAPER_YEAR"])',
        ("tests/test_parameters.py",),
    ),
    Mutant(
        "LATEST_YEAR before PAPER_YEAR accepted",
        "pipeline/parameters.py",
        'int(checked["LATEST_YEAR"]) < int(checked["PAPER_YEAR"])',
        'int(checked["LATEST_YEAR"]) < int(checked["PAPER_YEAR"]) - 5',
        ("tests/test_parameters.py",),
    ),
    Mutant(
        "a country's own latest value taken from the paper's year itself",
        CLAIMS,
        "for earlier in range(year - 1, per_country_since, -1):",
        "for earlier in range(year - 1, per_country_since - 1, -1):",
        (T_CLAIMS,),
    ),
    Mutant(
        "the EU-28 used in 2019's place by the EU-27 a year early",
        COMPARISONS,
        'return "EU28" if year <= LAST_EU28_YEAR',
        'return "EU28" if year < LAST_EU28_YEAR',
        (T_COMPARISONS,),
    ),
    Mutant(
        "the EU trend line spliced from EU-28 and EU-27",
        COMPARISONS,
        "rows = rows[rows.geo == TREND_AGGREGATE]",
        'rows = rows[rows.geo.isin(["EU28", TREND_AGGREGATE])]',
        (T_COMPARISONS,),
    ),
    # ------------------------------------------------------------------ the unit and the candidates
    Mutant(
        "the easier unit allowed to decide (authority ignored)",
        CLAIMS,
        "deciding = [t for t in trials if t.matches(authority)] or trials",
        "deciding = trials",
        (T_CLAIMS,),
    ),
    Mutant(
        "a candidate with untested checks said to fit",
        CLAIMS,
        'if t.verdict == "reproduced" and not t.untested]',
        'if t.verdict == "reproduced"]',
        (T_CLAIMS,),
    ),
    Mutant(
        "a discontinued indicator not continued by its successor",
        CLAIMS,
        'successor = load_claims().get("successors", {}).get(best.spec.get("indic_is") or "")',
        "successor = None",
        (T_CLAIMS,),
    ),
    # ------------------------------------------------------------------ the renderer is an input of the site
    Mutant(
        "a site built by the other renderer not rendered again",
        "pipeline/site.py",
        "if recorded == renderer or not site.is_dir():",
        "if True:",
        ("tests/test_site.py",),
    ),
    Mutant(
        "the renderer in use named wrongly (Quarto found, fallback said)",
        "pipeline/site.py",
        'return "quarto" if quarto else "fallback"',
        'return "fallback"',
        ("tests/test_site.py",),
    ),
    # ------------------------------------------------------------------ synthetic data said
    Mutant(
        "the synthetic warning left out",
        OUTPUTS,
        '    if not is_synthetic(provenance):\n        return Shown("", text="")\n',
        '    return Shown("", text="")\n',
        ("tests/test_site.py",),
    ),
]


def run(mutant: Mutant, python: str) -> str:
    """'caught by <test>', 'survived' or 'stale' (the text to replace is not in the code, exactly once)."""
    source = ROOT / "src" / "helpers" / mutant.path
    text = source.read_text(encoding="utf-8")
    if text.count(mutant.old) != 1:
        return "stale"
    with tempfile.TemporaryDirectory(prefix="mutant-") as scratch:
        copy = _copy_of_the_clone(Path(scratch))
        (copy / "helpers" / mutant.path).write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
        return _pytest(copy, mutant.tests, python)


def _copy_of_the_clone(scratch: Path) -> Path:
    """A copy of src/ beside links to the clone's other entries (the package finds CITATION.cff, report/
    and notebooks/ relative to itself); returns the copy's src/."""
    for entry in ROOT.iterdir():
        if entry.name not in ("src", ".git"):
            (scratch / entry.name).symlink_to(entry)
    shutil.copytree(ROOT / "src", scratch / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return scratch / "src"


def _pytest(src: Path, tests, python: str, *, show_failures: bool = False) -> str:
    """'caught by <the first failing test>', 'survived' (every test passed) or 'error <code>'."""
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [python, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if show_failures and result.returncode:
        print(result.stdout[-3000:], file=sys.stderr)
    if result.returncode == 1:
        failed = re.search(r"^FAILED (.+?)(?: - .*)?$", result.stdout, re.M)
        return f"caught by {failed.group(1) if failed else '?'}"
    return "survived" if result.returncode == 0 else f"error {result.returncode}"


def baseline_passes(tests, python: str) -> bool:
    """The named tests pass on an unchanged copy: a mutant is caught by its mistake, not by a failing test."""
    with tempfile.TemporaryDirectory(prefix="mutant-") as scratch:
        return _pytest(_copy_of_the_clone(Path(scratch)), sorted(tests), python, show_failures=True) == "survived"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the mutants whose mistake contains this word")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--markdown", action="store_true", help="print a table row per mutant (docs/tests.md)")
    parser.add_argument(
        "--tests", nargs="*", help="run these tests for every mutant instead of the ones named beside it"
    )
    args = parser.parse_args(argv)
    chosen = [m for m in MUTANTS if not args.only or args.only.lower() in m.mistake.lower()]
    if not baseline_passes({t for m in chosen for t in (args.tests or m.tests)}, args.python):
        print("the tests fail on the unchanged code: fix them first", file=sys.stderr)
        return 2
    outcomes = []
    for mutant in chosen:
        if args.tests:
            mutant = Mutant(mutant.mistake, mutant.path, mutant.old, mutant.new, tuple(args.tests))
        outcome = run(mutant, args.python)
        outcomes.append(outcome)
        if args.markdown:
            print(
                f"| {mutant.mistake} | `{mutant.path}` | {outcome.replace('caught by ', '`') + '`' if outcome.startswith('caught') else '**' + outcome + '**'} |",
                flush=True,
            )
        else:
            print(f"{outcome}: {mutant.mistake} ({mutant.path})", flush=True)
    caught = sum(o.startswith("caught") for o in outcomes)
    print(f"{caught} of {len(chosen)} caught")
    return 0 if caught == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main())
