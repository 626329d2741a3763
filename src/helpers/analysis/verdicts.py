"""The claims' verdicts, computed once per build into one file that every page reads.

Every page that states a verdict (the Overview, the four topic pages, every country page) reads
``<REPORT_DIR>/data/verdicts.json``, so that the pages agree by construction, not because each
computed the same thing. The file records what it was computed from: the settings (paper_year,
latest_year, comparison), a content hash of the store (its rows and what could not be fetched)
and a hash of the claims registry. A page refuses, in one line, a file computed from other data, another
registry or other settings than its own, and a missing file.

    python -m helpers.analysis.verdicts --processed-dir data/processed --output report/data/verdicts.json \\
        --paper-year 2013 --latest-year 0 --comparison paper

writes the file (atomically, and only when its text changes: make compares its time).
"""

from __future__ import annotations

import hashlib
import json
import math
from importlib import resources
from pathlib import Path

import pandas as pd

from helpers.analysis.claims import CheckResult, ClaimResult, Trial, evaluate_all, load_claims
from helpers.base.atomic_files import write_text_atomic
from helpers.base.errors import MissingData, StaleVerdicts
from helpers.catalogue import load_catalogue

FORMAT = 1  # the layout of the file; another one is refused (made by other code: run make again)


def compute_verdicts(store: pd.DataFrame, paper_year: int, comparison: str, latest_year: int) -> list[ClaimResult]:
    """Every claim of the registry evaluated on the store, for the build's settings (the comparison
    set by its name: paper, eu27 or all)."""
    return evaluate_all(store, paper_year, load_catalogue().comparison(comparison), latest_year)


def store_digest(store: pd.DataFrame) -> str:
    """A hash of the store's content: its columns and their types, every row (index included) and
    what could not be fetched (``attrs["unavailable"]``, which decides "not checked"). About 0.1 s."""
    digest = hashlib.sha256()
    shape = {
        "columns": [str(c) for c in store.columns],
        "dtypes": [str(d) for d in store.dtypes],
        "rows": len(store),
        "unavailable": store.attrs.get("unavailable", {}),
    }
    digest.update(json.dumps(shape, sort_keys=True, default=str).encode("utf-8"))
    digest.update(pd.util.hash_pandas_object(store, index=True).to_numpy().tobytes())
    return "sha256:" + digest.hexdigest()


def registry_digest() -> str:
    """A hash of the claims registry's text (src/helpers/catalogue/claims.toml), read afresh."""
    text = resources.files("helpers").joinpath("catalogue/claims.toml").read_bytes()
    return "sha256:" + hashlib.sha256(text).hexdigest()


def verdicts_inputs(store: pd.DataFrame, paper_year: int, comparison: str, latest_year: int) -> dict:
    """What a verdicts file records about its inputs."""
    return {
        "settings": {
            "paper_year": int(paper_year or load_claims()["paper_year"]),
            "latest_year": int(latest_year),
            "comparison": comparison,
        },
        "store": store_digest(store),
        "registry": registry_digest(),
    }


# ----------------------------------------------------------------------------- the file
# best and beside are trials of the result's own list: written as their places in it, read back as
# those very objects. A value without data (NaN) is written as null.


def _check_record(check: CheckResult) -> dict:
    return {
        "description": check.description,
        "status": check.status,
        "evidence": check.evidence,
        "geo": check.geo,
        "value": None if math.isnan(check.value) else check.value,
        "target": list(check.target) if check.target is not None else None,
        "flag": check.flag,
    }


def _check(record: dict) -> CheckResult:
    return CheckResult(
        record["description"],
        record["status"],
        record["evidence"],
        geo=record["geo"],
        value=float("nan") if record["value"] is None else record["value"],
        target=tuple(record["target"]) if record["target"] is not None else None,
        flag=record["flag"],
    )


def _trial_record(trial: Trial | None) -> dict | None:
    if trial is None:
        return None
    return {
        "indic_is": trial.indic_is,
        "unit": trial.unit,
        "ind_type": trial.ind_type,
        "year": trial.year,
        "spec": trial.spec,
        "checks": [_check_record(c) for c in trial.checks],
        "chained_from": trial.chained_from,
    }


def _trial(record: dict) -> Trial:
    return Trial(
        record["indic_is"],
        record["unit"],
        record["ind_type"],
        record["year"],
        spec=record["spec"],
        checks=[_check(c) for c in record["checks"]],
        chained_from=record["chained_from"],
    )


def _place(trial: Trial | None, trials: list[Trial]) -> int | None:
    if trial is None:
        return None
    return next(i for i, t in enumerate(trials) if t is trial)


def _result_record(result: ClaimResult | None) -> dict | None:
    if result is None:
        return None
    return {
        "claim": result.claim,
        "trials": [_trial_record(t) for t in result.trials],
        "best": _place(result.best, result.trials),
        "beside": _place(result.beside, result.trials),
        "latest": _trial_record(result.latest),
        "oecd": _result_record(result.oecd),
        "not_checked": result.not_checked,
    }


def _result(record: dict) -> ClaimResult:
    trials = [_trial(t) for t in record["trials"]]
    return ClaimResult(
        record["claim"],
        trials,
        trials[record["best"]] if record["best"] is not None else None,
        _trial(record["latest"]) if record["latest"] is not None else None,
        beside=trials[record["beside"]] if record["beside"] is not None else None,
        oecd=_result(record["oecd"]) if record["oecd"] is not None else None,
        not_checked=record["not_checked"],
    )


def verdicts_text(results: list[ClaimResult], computed_from: dict) -> str:
    """The file's text: JSON, keys sorted, the same bytes for the same results."""
    document = {"format": FORMAT, "computed_from": computed_from, "results": [_result_record(r) for r in results]}
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def write_verdicts(path: str | Path, results: list[ClaimResult], computed_from: dict) -> bool:
    """Write the verdicts file, atomically and only when its text changes; return whether it was written."""
    path, text = Path(path), verdicts_text(results, computed_from)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    write_text_atomic(path, text)
    return True


SETTING_NAMES = {"paper_year": "PAPER_YEAR", "latest_year": "LATEST_YEAR", "comparison": "COMPARISON"}


def read_verdicts(
    path: str | Path,
    store: pd.DataFrame | None = None,
    *,
    paper_year: int | None = None,
    latest_year: int | None = None,
    comparison: str | None = None,
) -> list[ClaimResult]:
    """The verdicts of a build, as `compute_verdicts` gave them. With `store` (the page's), a file
    computed from other data is refused; so is one computed from another claims registry, and, for
    each setting given, one computed with another value of it. Each refusal is one line."""
    path = Path(path)
    if not path.exists():
        raise MissingData(f"no verdicts in {path}: run `make report` first")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        recorded, records = document["computed_from"], document["results"]
        if document.get("format") != FORMAT:
            raise ValueError(f"format {document.get('format')!r}")
    except (ValueError, KeyError, TypeError) as exc:
        raise StaleVerdicts(f"{path} is not a verdicts file this code reads ({exc}); run make report") from None
    if recorded["registry"] != registry_digest():
        raise StaleVerdicts(
            f"the verdicts in {path} were computed from another claims registry "
            "(src/helpers/catalogue/claims.toml); run make report"
        )
    for name, value in (("paper_year", paper_year), ("latest_year", latest_year), ("comparison", comparison)):
        if value is not None and recorded["settings"][name] != value:
            raise StaleVerdicts(
                f"the verdicts in {path} were computed for {SETTING_NAMES[name]}={recorded['settings'][name]}, "
                f"not {value}; run make report {SETTING_NAMES[name]}={value}"
            )
    if store is not None and recorded["store"] != store_digest(store):
        raise StaleVerdicts(f"the verdicts in {path} were computed from other data; run make report")
    return [_result(r) for r in records]


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    from helpers.base.errors import ReportError
    from helpers.store.tidy import load_store

    parser = argparse.ArgumentParser(description="Compute every claim's verdicts once for the build's settings.")
    parser.add_argument("--processed-dir", type=Path, required=True, help="the tidy store (data/processed)")
    parser.add_argument("--output", type=Path, required=True, help="the verdicts file (report/data/verdicts.json)")
    parser.add_argument("--paper-year", type=int, required=True)
    parser.add_argument("--latest-year", type=int, default=0, help="0: the latest year with data")
    parser.add_argument("--comparison", default="paper", help="the countries ranked: paper, eu27 or all")
    args = parser.parse_args(argv)
    try:
        store = load_store(args.processed_dir)
        results = compute_verdicts(store, args.paper_year, args.comparison, args.latest_year)
        write_verdicts(args.output, results, verdicts_inputs(store, args.paper_year, args.comparison, args.latest_year))
        # written again or not, the file is now as new as its inputs, for make; the pages that read it
        # compare its content (helpers.pipeline.pages), so unchanged verdicts run no page
        args.output.touch()
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
