"""The report's pages: which are out of date, and running those in one pool of kernels.

    python -m helpers.pipeline.pages run --report-dir report --data-dir data --jobs 2   (make pages)
    python -m helpers.pipeline.pages stale --report-dir report --data-dir data         (which would: notebook, page)

A page's executed notebook (``report/<page>.ipynb``, ``report/countries/<code>.ipynb``) is out of date when it is
missing, or when the content of one of its inputs changed since it was made: its notebook, the store, the verdicts (for
the pages whose notebook reads them), its parameter file, the code its notebook imports, directly or through other
modules (read from the imports: helpers.pipeline.prerequisites), and, for the Cite page, CITATION.cff. What each page
was made from (a sha256 per input) is recorded in ``<report>/pages.json`` after each page finishes, so that a build
killed half-way runs again exactly the pages it had not finished, and a file written again with the same bytes runs
nothing."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from helpers.base.atomic_files import write_text_atomic
from helpers.pipeline.notebook_runner import execute_jobs, keep_previous, shown
from helpers.pipeline.parameters import (
    COUNTRY_PAGE,
    OECD_COUNTRY_PAGE,
    PAGE_NOTEBOOKS,
    ROOT,
    VERDICTS,
    params_file,
    read_params,
)

RECORD = "pages.json"  # in the report folder: what each executed page was made from
STORE_FILES = ("ict_usage.parquet", "provenance.json")  # the store, as every page loads it
VERDICTS_MODULE = "helpers.analysis.verdicts"  # a page whose code reaches it reads the verdicts file
OTHER_INPUTS = {"cite": ("CITATION.cff",)}  # what else a page's notebook reads


@dataclass(frozen=True)
class Page:
    notebook: str  # notebooks/<notebook>.ipynb
    parameters: dict  # a country page's has its country
    output: Path  # absolute
    inputs: tuple[Path, ...]  # absolute


def pages(report_dir: Path, data_dir: Path, countries: list[str] | None = None) -> list[Page]:
    """Every page of the report with its inputs (only these countries' pages when `countries` is given)."""
    from helpers.pipeline.prerequisites import import_graph, prerequisites

    code, graph = prerequisites(), import_graph()
    processed = ROOT / data_dir / "processed"
    verdicts = ROOT / read_params(report_dir, VERDICTS)["output"]
    found = []
    for page in (*PAGE_NOTEBOOKS, COUNTRY_PAGE, OECD_COUNTRY_PAGE):
        record = read_params(report_dir, page)
        notebook = record["notebook"]
        inputs = [ROOT / "notebooks" / f"{notebook}.ipynb", params_file(report_dir, page)]
        inputs += [processed / name for name in STORE_FILES] if page != "cite" else []
        inputs += [ROOT / name for name in code[notebook]]
        inputs += [ROOT / name for name in OTHER_INPUTS.get(page, ())]
        if _reads_verdicts(notebook, graph):
            inputs.append(verdicts)
        if page in (COUNTRY_PAGE, OECD_COUNTRY_PAGE):
            listed = processed / ("countries.txt" if page == COUNTRY_PAGE else "oecd_countries.txt")
            codes = listed.read_text(encoding="utf-8").split() if listed.exists() else []
            for code_ in codes if countries is None else [c for c in codes if c in countries]:
                output = ROOT / record["output"].format(country=code_)
                parameters = {**record["parameters"], "country": code_}
                found.append(Page(notebook, parameters, output, tuple(inputs)))
        elif countries is None:
            found.append(Page(notebook, record["parameters"], ROOT / record["output"], tuple(inputs)))
    return found


def _reads_verdicts(notebook: str, graph: dict[str, set[str]]) -> bool:
    from helpers.pipeline.prerequisites import closure, notebook_imports

    imported = notebook_imports(ROOT / "notebooks" / f"{notebook}.ipynb") & graph.keys()
    return VERDICTS_MODULE in closure(imported, graph)


class Hashes(dict):
    """The sha256 of each file asked for, read once per run (a missing file has none)."""

    def __missing__(self, path: Path) -> str:
        self[path] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        return self[path]


def made_from(page: Page, hashes: Hashes) -> dict[str, str]:
    return {shown(path): hashes[path] for path in sorted(page.inputs)}


def read_record(report_dir: Path) -> dict[str, dict[str, str]]:
    path = ROOT / report_dir / RECORD
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def stale(all_pages: list[Page], record: dict, hashes: Hashes) -> list[Page]:
    """The pages whose executed notebook is missing or was made from other inputs than today's."""
    return [p for p in all_pages if not p.output.exists() or record.get(shown(p.output)) != made_from(p, hashes)]


def run(
    report_dir: Path, data_dir: Path, jobs: int, countries: list[str] | None = None, force: bool = False
) -> list[str]:
    """Run the out-of-date pages (of these countries only, when given; all of those with `force`) in one
    pool; return the errors.

    The analysis pages first (most work each), then the country pages. When any runs, the executed
    notebooks of the build before are kept first as the baseline of `make diff`."""
    hashes, record = Hashes(), read_record(report_dir)
    chosen = pages(report_dir, data_dir, countries)
    if countries is not None and not chosen:
        return [f"no page for {', '.join(countries)}: not a country with data in {data_dir}/processed"]
    todo = chosen if force else stale(chosen, record, hashes)
    if not todo:
        return []
    todo.sort(key=lambda p: ("country" in p.parameters, p.notebook, str(p.output)))
    if countries is None:
        keep_previous(ROOT / report_dir)
    first = sum("country" not in p.parameters for p in todo)
    print(f"notebooks: {first} page(s) and {len(todo) - first} country page(s) on {min(jobs, len(todo))} process(es)")

    path = ROOT / report_dir / RECORD
    dated = path.stat().st_mtime_ns if path.exists() else 0

    def done(index: int, error: str | None) -> None:  # recorded as each finishes: a killed build resumes there
        if error is None:
            record[shown(todo[index].output)] = made_from(todo[index], hashes)
            write_text_atomic(path, json.dumps(record, indent=1, sort_keys=True) + "\n")
            # its time stays what it was (older than the inputs that made make run this step) until every page is
            # done (`main` dates it then): after a kill or a failure make runs the step again, for what is left
            os.utime(path, ns=(dated, dated))

    return execute_jobs([(p.notebook, p.parameters, p.output) for p in todo], jobs, on_done=done)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the report's out-of-date pages in one pool of kernels.")
    parser.add_argument("command", choices=["run", "stale"])
    parser.add_argument("--report-dir", type=Path, default=Path("report"))
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    if args.command == "stale":
        for page in stale(pages(args.report_dir, args.data_dir), read_record(args.report_dir), Hashes()):
            print(page.notebook, shown(page.output))
        return 0
    from helpers.base.errors import DISK_FULL, disk_full

    try:
        errors = run(args.report_dir, args.data_dir, args.jobs)
    except OSError as exc:
        if not disk_full(exc):
            raise
        print(f"error: the pages: {DISK_FULL}", file=sys.stderr)
        return 1
    if errors:
        return 1
    (ROOT / args.report_dir / RECORD).touch()  # for make: the pages are as current as their inputs
    return 0


if __name__ == "__main__":
    sys.exit(main())
