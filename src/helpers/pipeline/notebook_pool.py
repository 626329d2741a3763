"""The notebook queue: every out-of-date page and country notebook, run in one pool of workers that
each keep one kernel.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from helpers.base.errors import DISK_FULL, disk_full

from helpers.pipeline.notebook_runner import COUNTRY_NOTEBOOKS, NotebookFailed, shown, execute


def _execute_one(job: tuple[str, dict, Path]) -> tuple[Path, str | None]:
    name, parameters, output = job
    try:
        return execute(name, parameters, output), None
    except NotebookFailed as exc:
        return output, str(exc)
    except OSError as exc:
        if not disk_full(exc):
            raise
        return output, f"{name}: {DISK_FULL}"


def execute_jobs(
    work: list[tuple[str, dict, Path]], jobs: int, on_done: Callable[[int], None] | None = None
) -> list[str]:
    """Run notebooks (name, parameters, output) in `jobs` worker processes, each keeping one
    kernel for all the notebooks it runs; print progress as each finishes. Returns the error
    messages (empty when all succeeded)."""
    import time
    from concurrent.futures import ProcessPoolExecutor

    errors = []
    workers = _workers(jobs, len(work))
    warm = None  # when each worker had finished one notebook (and so paid its kernel's start)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for done, ((name, _, _), (path, error)) in enumerate(zip(work, pool.map(_execute_one, work)), start=1):
            now = time.monotonic()
            eta = ""
            if done == workers:
                warm = now
            elif warm is not None and done < len(work):
                eta = f" (about {(now - warm) / (done - workers) * (len(work) - done):.0f} s left)"
            if on_done is not None:
                on_done(done - 1)
            if error:
                errors.append(error)
                print(f"[{done}/{len(work)}] failed {shown(path)}: {error}", file=sys.stderr, flush=True)
            else:
                print(f"[{done}/{len(work)}] executed {name} -> {shown(path)}{eta}", flush=True)
    return errors


def execute_many(
    name: str, parameter: str, values: list[str], output_pattern: str, parameters: dict, jobs: int
) -> list[str]:
    """Run one notebook once per value of `parameter` (e.g. each country) in `jobs` processes."""
    work = [(name, {**parameters, parameter: value}, Path(output_pattern.format(value))) for value in values]
    return execute_jobs(work, jobs)


def queued_work(queue: Path) -> list[tuple[Path, tuple[str, dict, Path]]]:
    """The queue's jobs as (job file, (notebook, parameters, output)). A job file names a page
    (``youth-civic``) or a country (``country PT``); its parameters are the page's parameter file
    beside the queue (``.params/<page>.json``, written by the checked settings), never the job's text."""
    from helpers.pipeline.parameters import ROOT, read_params

    report_dir = queue.parent
    found = []
    for file in sorted(queue.glob("*.job")) if queue.is_dir() else []:
        page, _, country = file.read_text(encoding="utf-8").strip().partition(" ")
        record = read_params(report_dir, page)
        parameters = dict(record["parameters"], **({"country": country} if country else {}))
        found.append((file, (record["notebook"], parameters, ROOT / record["output"].format(country=country))))
    return found


def run_queue(queue: Path, jobs: int) -> list[str]:
    """Run every notebook queued in `queue` (one ``*.job`` file each, written by the Makefile's
    rules for the pages that are out of date), all in one pool.

    One command for every page and country keeps the kernels busy: pages and countries share
    the workers, and no page pays for a process and a kernel of its own. Each job file is
    removed once its notebook has run, so a build killed half-way leaves only the unfinished
    ones; a notebook that failed stays out of date for Make, which queues it again next time.
    """
    found = queued_work(queue)
    if not found:
        return []
    # the analysis pages first (most work each), then the country pages, each in a fixed order
    found.sort(key=lambda item: (item[1][0] in COUNTRY_NOTEBOOKS, item[1][0], str(item[1][2])))
    files, work = [f for f, _ in found], [w for _, w in found]
    pages = sum(name not in COUNTRY_NOTEBOOKS for name, _, _ in work)
    print(
        f"notebooks: {pages} page(s) and {len(work) - pages} country page(s) on {_workers(jobs, len(work))} "
        "process(es)",
        flush=True,
    )
    return execute_jobs(work, jobs, on_done=lambda index: files[index].unlink(missing_ok=True))


def _workers(jobs: int, notebooks: int) -> int:
    return max(1, min(jobs, notebooks))
